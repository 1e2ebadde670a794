/**
 * The CLI's view of the algorithm registry (src/abr/registry.ts): checks names and options up front, with
 * one clear error naming the unknown algorithm or the bad option, before any worker starts.
 */
import { resolveOptions } from '../abr/options.js';
import { createAlgorithm, DEFAULT_ALGORITHM, getAlgorithmInfo, listAlgorithms } from '../abr/registry.js';
import type { AbrAlgorithmInfo, AbrOptions } from '../abr/types.js';
import { UsageError } from './errors.js';
import { didYouMean } from './suggest.js';

/** Every registered algorithm's description, in registration order. */
export function algorithmInfos(): readonly AbrAlgorithmInfo[] {
  return listAlgorithms();
}

/** The registry's default algorithm name. */
export function defaultAlgorithm(): string {
  return DEFAULT_ALGORITHM;
}

/** Throws a `UsageError` (exit 2) naming an unknown algorithm, with the closest registered names. */
export function checkAlgorithmNames(names: readonly string[]): void {
  const registered = listAlgorithms().map((i) => i.name);
  for (const name of names) {
    if (registered.includes(name)) continue;
    throw new UsageError(
      `--algo: unknown algorithm '${name}'${didYouMean(name, registered)} (registered: ${registered.join(', ')}; see abrkit algos)`,
    );
  }
}

/** Throws a `UsageError` when `--opt`/`--algo-options` set options of an offline algorithm (it takes none). */
function checkOfflineOptions(info: AbrAlgorithmInfo, given: Record<string, unknown> | undefined): void {
  if (!info.offline || given === undefined) return;
  const keys = Object.keys(given);
  if (keys.length === 0) return;
  throw new UsageError(
    `--opt ${info.name}.${keys[0] ?? ''}: '${info.name}' takes no options on the command line ` +
      '(the simulator computes its plan from each whole trace)',
  );
}

/**
 * Throws a `UsageError` (exit 2) for an option name the algorithm does not have, with the closest names: an
 * unknown option is a usage error like an unknown flag; a known option with a bad value stays the registry's
 * `ABR_BAD_OPTION` (exit 1).
 */
function checkOptionNames(info: AbrAlgorithmInfo, given: Record<string, unknown> | undefined): void {
  const known = info.options.map((o) => o.name);
  for (const key of Object.keys(given ?? {})) {
    if (known.includes(key)) continue;
    throw new UsageError(
      `unknown option '${key}' of '${info.name}'${didYouMean(key, known)} ` +
        `(its options: ${known.join(', ') || 'none'}; see abrkit algos)`,
    );
  }
}

/**
 * Resolves the algorithms to run (the default when none is named) and their options. Unknown names throw a
 * `UsageError` with a suggestion (exit 2), and so do unknown option names; bad values the registry's
 * `ABR_BAD_OPTION` (exit 1). Each online
 * algorithm is built once so that a factory's own checks fail here, in the main thread.
 */
export function resolveAlgorithms(
  names: readonly string[] | undefined,
  collect: (names: readonly string[]) => Record<string, Record<string, unknown>>,
): { names: string[]; options: Record<string, AbrOptions>; infos: AbrAlgorithmInfo[] } {
  const list = names && names.length > 0 ? [...names] : [defaultAlgorithm()];
  checkAlgorithmNames(list);
  const infos = list.map((n) => getAlgorithmInfo(n));
  const raw = collect(list);
  const options: Record<string, AbrOptions> = {};
  for (const info of infos) {
    const given = raw[info.name];
    checkOfflineOptions(info, given);
    checkOptionNames(info, given);
    resolveOptions(info.name, info.options, given);
    if (given) options[info.name] = given;
    // The offline optimum is built by the simulator with the trace in hand.
    if (!info.offline) createAlgorithm(info.name, given);
  }
  return { names: list, options, infos };
}
