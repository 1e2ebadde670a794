/**
 * The CLI's view of the algorithm registry (src/abr/registry.ts): checks names and options up front, with
 * one clear error naming the unknown algorithm or the bad option, before any worker starts.
 */
import { resolveOptions } from '../abr/options.js';
import { createAlgorithm, DEFAULT_ALGORITHM, getAlgorithmInfo, listAlgorithms } from '../abr/registry.js';
import type { AbrAlgorithmInfo, AbrOptions } from '../abr/types.js';

/** Every registered algorithm's description, in registration order. */
export function algorithmInfos(): readonly AbrAlgorithmInfo[] {
  return listAlgorithms();
}

/** The registry's default algorithm name. */
export function defaultAlgorithm(): string {
  return DEFAULT_ALGORITHM;
}

/**
 * Resolves the algorithms to run (the default when none is named) and their options. Unknown names throw
 * the registry's `AbrkitError('config', 'ABR_UNKNOWN')`; bad options its `ABR_BAD_OPTION`. Each online
 * algorithm is built once so that a factory's own checks fail here, in the main thread.
 */
export function resolveAlgorithms(
  names: readonly string[] | undefined,
  collect: (names: readonly string[]) => Record<string, Record<string, unknown>>,
): { names: string[]; options: Record<string, AbrOptions>; infos: AbrAlgorithmInfo[] } {
  const list = names && names.length > 0 ? [...names] : [defaultAlgorithm()];
  const infos = list.map((n) => getAlgorithmInfo(n));
  const raw = collect(list);
  const options: Record<string, AbrOptions> = {};
  for (const info of infos) {
    const given = raw[info.name];
    resolveOptions(info.name, info.options, given);
    if (given) options[info.name] = given;
    // The offline optimum is built by the simulator with the trace in hand.
    if (!info.offline) createAlgorithm(info.name, given);
  }
  return { names: list, options, infos };
}
