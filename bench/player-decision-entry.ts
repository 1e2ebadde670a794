/**
 * The page side of bench/player-decision-time.ts (bundled for the browser, not run by Node): times
 * `choose()` of every algorithm on synthetic contexts and returns the numbers.
 */
import { BUILTIN_ALGORITHMS, DEFAULT_ALGORITHM } from '../src/abr/registry.js';
import type { AbrAlgorithmCore, AbrContext } from '../src/abr/types.js';

export interface DecisionTiming {
  readonly name: string;
  /** Renditions in the ladder the decisions were made on. */
  readonly renditions: number;
  readonly decisions: number;
  /** Per-decision times from batches of `batch` decisions (batch time / batch), ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly batch: number;
}

/** Pensieve's 6-rung ladder, the one every algorithm is timed on. */
const PENSIEVE_KBPS = [300, 750, 1200, 1850, 2850, 4300];
const SEGMENTS = 48;

/** A ladder of `n` rungs from 200 kbps to 25 Mbps, evenly spaced in log (the sweep's larger ladders). */
export function logLadderKbps(n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(200 * (25_000 / 200) ** (i / Math.max(1, n - 1))));
}

function rng(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/** Times `decisions` decisions of `info`'s algorithm in batches of `batch` (the timer is coarse in a page). */
export function timeAlgorithm(
  info: AbrAlgorithmCore,
  decisions: number,
  batch: number,
  BITRATES: readonly number[] = PENSIEVE_KBPS,
): DecisionTiming {
  const renditions = BITRATES.map((bitrateKbps, index) => ({ index, bitrateKbps }));
  const topKbps = BITRATES.at(-1) ?? 0;
  const random = rng(42);
  const algorithm = info.create();
  algorithm.reset?.();
  let last: number | null = null;
  let nowMs = 0;
  const context = (segmentIndex: number): AbrContext => ({
    nowMs,
    segmentIndex,
    segmentCount: SEGMENTS,
    segmentDurationMs: 4000,
    renditions,
    segmentSizeBytes: (s, r) => (s < SEGMENTS + 1 ? Math.round(((BITRATES[r] ?? 0) * 4000) / 8) : null),
    lastRenditionIndex: last,
    bufferLevelMs: random() * 30_000,
    bufferTargetMs: 30_000,
    playbackRate: 1,
    // up to 5 Mbps on Pensieve's ladder, the same headroom over the top rendition on the others
    throughput: { throughputKbps: 300 + (random() * 5000 * topKbps) / 4300, sampleCount: 5 },
    latencyMs: 50,
    maxRenditionIndex: BITRATES.length - 1,
    startingUp: false,
  });
  const perDecision: number[] = [];
  for (let done = 0; done < decisions; done += batch) {
    const contexts = Array.from({ length: batch }, (_, i) => context((done + i) % SEGMENTS));
    const t0 = performance.now();
    for (const ctx of contexts) {
      const decision = algorithm.choose(ctx);
      last = decision.renditionIndex;
    }
    perDecision.push((performance.now() - t0) / batch);
    const sizeBytes = Math.round(((BITRATES[last ?? 0] ?? 0) * 4000) / 8);
    // a download at 0.2-3.2 s of the 4 s segment's content: rates from ~1.25x to 20x the chosen bitrate
    const durationMs = 200 + random() * 3000;
    algorithm.onDownloaded?.(
      { startMs: nowMs, firstByteMs: nowMs + 50, endMs: nowMs + durationMs, sizeBytes },
      context(done % SEGMENTS),
    );
    nowMs += durationMs;
  }
  const sorted = [...perDecision].sort((a, b) => a - b);
  return {
    name: info.name,
    renditions: BITRATES.length,
    decisions,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    batch,
  };
}

/** Every online algorithm, warmed up, then timed on Pensieve's ladder. */
export function timeAll(decisions = 4000, batch = 10): DecisionTiming[] {
  const infos = BUILTIN_ALGORITHMS.filter((i) => !i.offline);
  for (const info of infos) timeAlgorithm(info, 500, batch);
  return infos.map((info) => timeAlgorithm(info, decisions, batch));
}

/**
 * The default algorithm on ladders of `sizes` rungs (`logLadderKbps`): its planner scores R^3 plans, so the
 * ladder's size is what its decision time grows with.
 */
export function timeLadders(sizes: readonly number[], decisions = 4000, batch = 10): DecisionTiming[] {
  const info = BUILTIN_ALGORITHMS.find((i) => i.name === DEFAULT_ALGORITHM);
  if (info === undefined) return [];
  return sizes.map((n) => {
    timeAlgorithm(info, 500, batch, logLadderKbps(n));
    return timeAlgorithm(info, decisions, batch, logLadderKbps(n));
  });
}
