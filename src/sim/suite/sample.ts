/**
 * Deterministic trace selection and synthetic traces for the suite. Pure: no Node.
 *
 * Sampling takes `count` items evenly spaced over the list in its given order (a folder's files sorted by
 * name): item floor(i · n / count) for i = 0..count-1, so the first file is always in, every part of the list
 * is represented, and the same suite picks the same files on every machine. The optimum's traces are sampled
 * the same way from the already sampled traces, so every optimal session has the algorithms' sessions beside it.
 */
import { generateTrace } from '../../traces/spec.js';
import type { TraceSpec } from '../../traces/spec.js';
import type { NetworkTrace } from '../../traces/model.js';
import { periodCount } from '../../traces/columns.js';
import type { SuiteGeneratedTraces } from './spec.js';
import { SUITE_MAX_GENERATED_PERIODS } from './spec.js';

/** Indices of `count` items evenly spaced over `n` (all of them when count ≥ n), ascending. */
export function sampleIndices(n: number, count: number | undefined): number[] {
  if (count === undefined || count >= n) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Math.floor((i * n) / count));
  return out;
}

/** `items` at {@link sampleIndices}. */
export function sampleEvenly<T>(items: readonly T[], count: number | undefined): T[] {
  return sampleIndices(items.length, count).map((i) => items[i] as T);
}

/**
 * The traces of a `generate` source: trace i is kinds[i % kinds.length] with seed `seed + i`. Refused (a
 * `RangeError`) once the traces made so far and as many more as are left would pass
 * {@link SUITE_MAX_GENERATED_PERIODS}: from the first trace when every one is as long.
 */
export function generateSuiteTraces(g: SuiteGeneratedTraces): NetworkTrace[] {
  const out: NetworkTrace[] = [];
  let periods = 0;
  for (let i = 0; i < g.count; i++) {
    const kind = g.kinds[i % g.kinds.length];
    if (kind === undefined) break;
    const seed = g.seed + i;
    const spec = {
      ...g.common,
      ...g.byKind[kind],
      kind,
      seed,
      name: `${kind}-seed${seed}`,
    } as unknown as TraceSpec;
    const trace = generateTrace(spec);
    const made = periodCount(trace);
    periods += made;
    const projected = periods + made * (g.count - i - 1);
    if (projected > SUITE_MAX_GENERATED_PERIODS)
      throw new RangeError(
        `${g.count} traces of ${made} periods each make about ${projected} periods, more than the ` +
          `${SUITE_MAX_GENERATED_PERIODS} a source may generate: lower count or durationMs, or raise periodMs`,
      );
    out.push(trace);
  }
  return out;
}
