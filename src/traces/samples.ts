/**
 * A network trace from observed downloads (the player's session recording and `abrkit trace from-session`).
 *
 * The downloads are taken in the order they ended: each becomes one period that ends with its last byte and
 * starts where the previous period ended (so idle time before a download gets that download's bandwidth:
 * nothing was measured then), with the download's transfer throughput (bytes over first byte → last byte)
 * as bandwidth and its time to first byte as latency.
 */
import type { DownloadSample } from '../core/types.js';
import type { NetworkTrace, TracePeriod } from './model.js';

/** Periods of the observed throughput from download samples (see the file comment). */
export function traceFromSamples(samples: readonly DownloadSample[], name = 'player-session'): NetworkTrace {
  const sorted = samples
    .filter((s) => s.sizeBytes > 0 && s.endMs > s.startMs)
    .sort((a, b) => a.endMs - b.endMs);
  const periods: TracePeriod[] = [];
  let cursorMs = sorted[0]?.startMs ?? 0;
  for (const s of sorted) {
    const transferMs = Math.max(1, s.endMs - s.firstByteMs);
    const durationMs = s.endMs - cursorMs;
    if (!(durationMs > 0)) continue;
    periods.push({
      durationMs: round3(durationMs),
      bandwidthKbps: round3((s.sizeBytes * 8) / transferMs),
      latencyMs: round3(Math.max(0, s.firstByteMs - s.startMs)),
    });
    cursorMs = s.endMs;
  }
  return { name, periods };
}

/** Rounds to 1 µs (three decimals of a ms): traces carry no finer times. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
