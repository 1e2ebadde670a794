/**
 * The physical limits of a network trace, in ONE place: every reader, writer and generator of src/traces,
 * the Node loader and the network models check against {@link TRACE_LIMITS}, so that a trace one of them
 * accepts is a trace every other accepts, and a simulated session on it ends (src/sim/network bounds its
 * walks; src/sim/simulate.ts bounds the session's virtual time).
 *
 * Two kinds of check:
 * - readers say what is wrong with the value as written, at its line or entry (they use the `*Problem`
 *   functions below with their own wording and location), then run {@link validateTrace} on the result
 *   as a backstop (`AbrkitError('trace', ...)` naming the file and the period);
 * - {@link checkWritableTrace} is for traces built in code and handed to a writer or a server: a malformed
 *   `NetworkTrace` is a programming error, so it throws a `TypeError` naming the field.
 */
import { AbrkitError, invalidArgument } from '../core/errors.js';
import type { NetworkTrace, TracePeriod } from './model.js';

/**
 * Limits every trace meets (README "Reliability"):
 * - `minBandwidthKbps`: a period's bandwidth is exactly 0 (an outage) or at least this. 0.1 kbps (100 bit/s)
 *   is below any real link that still carries data and refuses nonsense such as 1e-6 kbps; the published
 *   traces hold genuine periods of 0.18 kbps (Pensieve's training set) and 0.2 kbps (Puffer), which a
 *   1 kbps floor would refuse.
 * - `maxBandwidthKbps`: 1e9 kbps (1 Tbit/s).
 * - `minPeriodMs`: 1 ms, the resolution of every trace format.
 * - `maxLatencyMs`: 600 000 ms (10 minutes), far above any request's time to first byte.
 * - `maxTraceDurationMs`: 1e12 ms (about 31 years) for the whole trace, so sums of periods stay exact
 *   enough to locate a time in the loop.
 * - `maxPeriods`: 50 million periods in one trace.
 */
export const TRACE_LIMITS = {
  minBandwidthKbps: 0.1,
  maxBandwidthKbps: 1e9,
  minPeriodMs: 1,
  maxLatencyMs: 600_000,
  maxTraceDurationMs: 1e12,
  maxPeriods: 50_000_000,
} as const;

/** Why `kbps` is not a valid period bandwidth ("is below ..."), or null. Say the value before it. */
export function bandwidthProblem(kbps: number): string | null {
  if (!(typeof kbps === 'number' && Number.isFinite(kbps) && kbps >= 0))
    return 'must be a finite number >= 0';
  if (kbps > 0 && kbps < TRACE_LIMITS.minBandwidthKbps) {
    return `is below ${TRACE_LIMITS.minBandwidthKbps} kbps, the slowest link abrkit simulates (0 is an outage)`;
  }
  if (kbps > TRACE_LIMITS.maxBandwidthKbps) {
    return `is above ${TRACE_LIMITS.maxBandwidthKbps} kbps (1 Tbit/s)`;
  }
  return null;
}

/** Why `ms` is not a valid period duration, or null. */
export function durationProblem(ms: number): string | null {
  if (!(typeof ms === 'number' && Number.isFinite(ms) && ms > 0)) return 'must be a finite number > 0';
  if (ms < TRACE_LIMITS.minPeriodMs) return `is below ${TRACE_LIMITS.minPeriodMs} ms, the shortest period`;
  if (ms > TRACE_LIMITS.maxTraceDurationMs) return `is above ${TRACE_LIMITS.maxTraceDurationMs} ms`;
  return null;
}

/** Why `ms` is not a valid period latency, or null. */
export function latencyProblem(ms: number): string | null {
  if (!(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0)) return 'must be a finite number >= 0';
  if (ms > TRACE_LIMITS.maxLatencyMs) return `is above ${TRACE_LIMITS.maxLatencyMs} ms, the longest latency`;
  return null;
}

/** The first problem of a period: the field and why, or null. */
export function periodProblem(
  p: TracePeriod,
): { readonly field: 'durationMs' | 'bandwidthKbps' | 'latencyMs'; readonly problem: string } | null {
  const d = durationProblem(p.durationMs);
  if (d !== null) return { field: 'durationMs', problem: d };
  const b = bandwidthProblem(p.bandwidthKbps);
  if (b !== null) return { field: 'bandwidthKbps', problem: b };
  const l = latencyProblem(p.latencyMs);
  if (l !== null) return { field: 'latencyMs', problem: l };
  return null;
}

/** Stable codes of {@link validateTrace} (category `'trace'`). */
export const TRACE_LIMIT_CODES = {
  /** A period outside {@link TRACE_LIMITS}. */
  outOfLimits: 'TRACE_OUT_OF_LIMITS',
  /** No period with bandwidth > 0: nothing would ever arrive. */
  noBandwidth: 'TRACE_NO_BANDWIDTH',
  /** More periods, or a longer total duration, than {@link TRACE_LIMITS} allows. */
  tooLarge: 'TRACE_TOO_LARGE',
} as const;

/**
 * Throws `AbrkitError('trace', ...)` naming `source` (the file's path as given) unless the trace has
 * 1..maxPeriods periods, each within {@link TRACE_LIMITS}, at least one with bandwidth > 0, and a total
 * duration within the limit. The error names the 0-based period (`data.period`) and the value. Returns the
 * trace.
 */
export function validateTrace(trace: NetworkTrace, source: string = trace.name): NetworkTrace {
  const periods = trace.periods;
  if (periods.length > TRACE_LIMITS.maxPeriods) {
    throw new AbrkitError(
      'trace',
      TRACE_LIMIT_CODES.tooLarge,
      `${periods.length} periods, more than the limit of ${TRACE_LIMITS.maxPeriods}`,
      { data: { source } },
    );
  }
  let totalMs = 0;
  let delivers = false;
  for (let i = 0; i < periods.length; i++) {
    const p = periods[i]!;
    const bad = periodProblem(p);
    if (bad !== null) {
      throw new AbrkitError(
        'trace',
        TRACE_LIMIT_CODES.outOfLimits,
        `period ${i} (from ${totalMs / 1000} s): ${bad.field} ${String(p[bad.field])} ${bad.problem}`,
        { data: { source, period: i, field: bad.field } },
      );
    }
    totalMs += p.durationMs;
    if (p.bandwidthKbps > 0) delivers = true;
  }
  if (totalMs > TRACE_LIMITS.maxTraceDurationMs) {
    throw new AbrkitError(
      'trace',
      TRACE_LIMIT_CODES.tooLarge,
      `the trace lasts ${totalMs} ms, more than the limit of ${TRACE_LIMITS.maxTraceDurationMs} ms`,
      { data: { source } },
    );
  }
  if (periods.length > 0 && !delivers) {
    throw new AbrkitError(
      'trace',
      TRACE_LIMIT_CODES.noBandwidth,
      `every one of its ${periods.length} periods has bandwidth 0: nothing would ever arrive`,
      { data: { source } },
    );
  }
  return trace;
}

/**
 * Throws a `TypeError` unless `trace` has at least one period, every period is within
 * {@link TRACE_LIMITS} (a finite `durationMs` >= 1, `bandwidthKbps` 0 or within [0.1, 1e9], `latencyMs`
 * within [0, 600 000]), at least one period has bandwidth > 0 and, if present, `pensieve` holds two arrays
 * of finite numbers of the same length >= 2 with times >= 0. What a writer accepts, every reader reads back.
 */
export function checkWritableTrace(trace: NetworkTrace, name = 'trace'): void {
  const periods: unknown = (trace as Partial<NetworkTrace> | null)?.periods;
  if (typeof trace !== 'object' || trace === null || !Array.isArray(periods)) {
    throw invalidArgument(name, 'must be a NetworkTrace with a periods array');
  }
  if (trace.periods.length === 0) throw invalidArgument(name, 'has no period');
  if (trace.periods.length > TRACE_LIMITS.maxPeriods) {
    throw invalidArgument(name, `has ${trace.periods.length} periods, more than ${TRACE_LIMITS.maxPeriods}`);
  }
  let delivers = false;
  let totalMs = 0;
  trace.periods.forEach((p, i) => {
    const bad = periodProblem(p);
    if (bad !== null) {
      throw invalidArgument(
        `${name}.periods[${i}].${bad.field}`,
        `${bad.problem}, got ${String(p[bad.field])}`,
      );
    }
    if (p.bandwidthKbps > 0) delivers = true;
    totalMs += p.durationMs;
  });
  if (totalMs > TRACE_LIMITS.maxTraceDurationMs) {
    throw invalidArgument(name, `lasts ${totalMs} ms, more than ${TRACE_LIMITS.maxTraceDurationMs} ms`);
  }
  if (!delivers) {
    throw invalidArgument(
      name,
      `"${String(trace.name)}" has no period with bandwidth > 0: nothing would ever arrive`,
    );
  }
  const raw = trace.pensieve;
  if (raw !== undefined) {
    if (raw.timesS.length !== raw.throughputsMbps.length || raw.timesS.length < 2) {
      throw invalidArgument(`${name}.pensieve`, 'needs timesS and throughputsMbps of the same length >= 2');
    }
    for (let i = 0; i < raw.timesS.length; i++) {
      if (!(Number.isFinite(raw.timesS[i]) && Number.isFinite(raw.throughputsMbps[i]))) {
        throw invalidArgument(`${name}.pensieve`, `holds a non-finite number at sample ${i}`);
      }
    }
    if (!((raw.timesS[0] ?? -1) >= 0)) {
      throw invalidArgument(`${name}.pensieve.timesS[0]`, `must be >= 0, got ${String(raw.timesS[0])}`);
    }
  }
}
