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
import { TRACE_LIMITS } from './limits.js';

/** Periods of the observed throughput from download samples (see the file comment). */
export function traceFromSamples(samples: readonly DownloadSample[], name = 'player-session'): NetworkTrace {
  return traceFromSamplesCounted(samples, name).trace;
}

/**
 * {@link traceFromSamples}, also giving how many periods slower than 1 kbps were read as outages (`crawls`),
 * for a reader that says so.
 */
export function traceFromSamplesCounted(
  samples: readonly DownloadSample[],
  name = 'player-session',
): { trace: NetworkTrace; crawls: number } {
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
      // Rounded by withinTraceLimits, which first counts a crawl (< 1 kbps) that rounding here would hide.
      bandwidthKbps: (s.sizeBytes * 8) / transferMs,
      latencyMs: round3(Math.max(0, s.firstByteMs - s.startMs)),
    });
    cursorMs = s.endMs;
  }
  const within = withinTraceLimits(periods);
  return { trace: { name, periods: within.periods }, crawls: within.crawls };
}

/**
 * Periods of a measured trace brought within TRACE_LIMITS (src/traces/validate.ts), so that what a
 * recording makes a reader reads back: a period shorter than 1 ms joins the next one (the last joins the
 * one before), its bits kept (the merged bandwidth is the time-weighted mean); a bandwidth above 0 and
 * below 1 kbps is an outage in all but name and becomes 0, as the file readers read it (`crawls` counts
 * them). Values are rounded to 1 µs like the rest.
 */
export function withinTraceLimits(periods: readonly TracePeriod[]): {
  periods: TracePeriod[];
  crawls: number;
} {
  const merged: { durationMs: number; bits: number; latencyMs: number }[] = [];
  let pending: { durationMs: number; bits: number } | null = null;
  for (const p of periods) {
    const durationMs: number = p.durationMs + (pending?.durationMs ?? 0);
    const bits: number = p.bandwidthKbps * p.durationMs + (pending?.bits ?? 0);
    if (durationMs < TRACE_LIMITS.minPeriodMs) {
      pending = { durationMs, bits };
      continue;
    }
    pending = null;
    merged.push({ durationMs, bits, latencyMs: p.latencyMs });
  }
  const last = merged[merged.length - 1];
  if (pending !== null && last !== undefined) {
    last.durationMs += pending.durationMs;
    last.bits += pending.bits;
  } else if (pending !== null && pending.durationMs > 0) {
    // Everything together is shorter than 1 ms: one period of 1 ms carrying the same bits.
    merged.push({ durationMs: TRACE_LIMITS.minPeriodMs, bits: pending.bits, latencyMs: 0 });
  }
  let crawls = 0;
  const out = merged.map((m) => {
    let kbps = m.bits / m.durationMs;
    if (kbps > 0 && round3(kbps) < TRACE_LIMITS.minBandwidthKbps) {
      kbps = 0;
      crawls++;
    }
    return {
      durationMs: round3(m.durationMs),
      bandwidthKbps: Math.min(round3(kbps), TRACE_LIMITS.maxBandwidthKbps),
      latencyMs: Math.min(round3(m.latencyMs), TRACE_LIMITS.maxLatencyMs),
    };
  });
  return { periods: out, crawls };
}

/** Rounds to 1 µs (three decimals of a ms): traces carry no finer times. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
