/**
 * Algorithm selection and options from the command line: `--algo a,b`, `--opt algo.key=value` (repeatable)
 * and `--algo-options '<json>'`. The registry checks the values against each algorithm's specs
 * (src/cli/registry-access.ts) before any session starts.
 */
import { UsageError } from './errors.js';

/** Splits `--algo` values (each may hold a comma-separated list), keeping order and dropping repeats. */
export function parseAlgoList(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const name of v.split(',')) {
      const n = name.trim();
      if (n === '') continue;
      if (!out.includes(n)) out.push(n);
    }
  }
  if (out.length === 0) throw new UsageError('--algo: no algorithm named');
  return out;
}

/** A `--opt` value: JSON when it parses (numbers, booleans, quoted strings), else the raw string. */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Collects raw options per algorithm from `--algo-options` (an object keyed by algorithm name, or, with a
 * single `--algo`, the options themselves) and then `--opt algo.key=value` (which win).
 */
export function collectAlgoOptions(
  algos: readonly string[],
  algoOptionsJson: string | undefined,
  opts: readonly string[],
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  if (algoOptionsJson !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(algoOptionsJson);
    } catch (e) {
      throw new UsageError(`--algo-options: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    if (!isPlainObject(parsed)) throw new UsageError('--algo-options: expected a JSON object');
    const keyed =
      Object.keys(parsed).length > 0 &&
      Object.entries(parsed).every(([k, v]) => algos.includes(k) && isPlainObject(v));
    if (keyed) {
      for (const [k, v] of Object.entries(parsed)) out[k] = { ...(v as Record<string, unknown>) };
    } else if (algos.length === 1) {
      out[algos[0] ?? ''] = { ...parsed };
    } else {
      throw new UsageError(
        `--algo-options: with several algorithms, give an object keyed by algorithm name, e.g. {"${algos[0] ?? 'bola'}": {...}}`,
      );
    }
  }
  for (const o of opts) {
    const m = /^([^.=\s]+)\.([^=\s]+)=(.*)$/.exec(o);
    if (!m) throw new UsageError(`--opt: expected algo.key=value, got "${o}"`);
    const [, algo = '', key = '', value = ''] = m;
    if (!algos.includes(algo))
      throw new UsageError(`--opt ${o}: "${algo}" is not among --algo ${algos.join(',')}`);
    // A computed key makes an own property even of `__proto__`, so the algorithm's check refuses it by name.
    out[algo] = { ...out[algo], [key]: parseValue(value) };
  }
  return out;
}
