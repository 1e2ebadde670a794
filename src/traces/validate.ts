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
import { isPacked, latencyAt, pensieveColumns, periodCount, periodTable } from './columns.js';
import { TRACE_LIMITS } from './limits.js';
import type { NetworkTrace, TracePeriod } from './model.js';

export { TRACE_LIMITS } from './limits.js';

/** Why `kbps` is not a valid period bandwidth ("is below ..."), or null. Say the value before it. */
export function bandwidthProblem(kbps: number): string | null {
  if (!(typeof kbps === 'number' && Number.isFinite(kbps) && kbps >= 0))
    return 'must be a finite number >= 0';
  if (kbps > 0 && kbps < TRACE_LIMITS.minBandwidthKbps) {
    return `is below ${TRACE_LIMITS.minBandwidthKbps} kbps, the slowest link abrkit simulates (write 0 for an outage)`;
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
 * 1..maxPeriods periods (none is `TRACE_NO_BANDWIDTH`), each within {@link TRACE_LIMITS}, at least one with bandwidth > 0, and a total
 * duration within the limit. The error names the 0-based period (`data.period`) and the value. Returns the
 * trace.
 */
export function validateTrace(trace: NetworkTrace, source: string = trace.name): NetworkTrace {
  const count = periodCount(trace);
  if (count > TRACE_LIMITS.maxPeriods) {
    throw new AbrkitError(
      'trace',
      TRACE_LIMIT_CODES.tooLarge,
      `${count} periods, more than the limit of ${TRACE_LIMITS.maxPeriods}`,
      { data: { source } },
    );
  }
  if (count === 0) {
    throw new AbrkitError('trace', TRACE_LIMIT_CODES.noBandwidth, 'the trace has no period', {
      data: { source },
    });
  }
  const table = periodTable(trace);
  const { durationsMs, bandwidthsKbps } = table;
  let totalMs = 0;
  let delivers = false;
  for (let i = 0; i < table.length; i++) {
    const durationMs = durationsMs[i]!;
    const bandwidthKbps = bandwidthsKbps[i]!;
    const bad = periodProblem({ durationMs, bandwidthKbps, latencyMs: latencyAt(table, i) });
    if (bad !== null) {
      const value =
        bad.field === 'durationMs'
          ? durationMs
          : bad.field === 'bandwidthKbps'
            ? bandwidthKbps
            : latencyAt(table, i);
      throw new AbrkitError(
        'trace',
        TRACE_LIMIT_CODES.outOfLimits,
        `period ${i} (from ${totalMs / 1000} s): ${bad.field} ${String(value)} ${bad.problem}`,
        { data: { source, period: i, field: bad.field } },
      );
    }
    totalMs += durationMs;
    if (bandwidthKbps > 0) delivers = true;
  }
  if (totalMs > TRACE_LIMITS.maxTraceDurationMs) {
    throw new AbrkitError(
      'trace',
      TRACE_LIMIT_CODES.tooLarge,
      `the trace lasts ${totalMs} ms, more than the limit of ${TRACE_LIMITS.maxTraceDurationMs} ms`,
      { data: { source } },
    );
  }
  if (table.length > 0 && !delivers) {
    throw new AbrkitError(
      'trace',
      TRACE_LIMIT_CODES.noBandwidth,
      `every one of its ${table.length} periods has bandwidth 0 (an outage, or slower than ${TRACE_LIMITS.minBandwidthKbps} kbps as read): nothing would ever arrive`,
      { data: { source } },
    );
  }
  return trace;
}

/**
 * Throws a `TypeError` unless `trace` has at least one period, every period is within
 * {@link TRACE_LIMITS} (a finite `durationMs` >= 1, `bandwidthKbps` 0 or within [1, 1e9], `latencyMs`
 * within [0, 600 000]), at least one period has bandwidth > 0 and, if present, `pensieve` holds two arrays
 * of finite numbers of the same length >= 2 with times >= 0. What a writer accepts, every reader reads back.
 */
export function checkWritableTrace(trace: NetworkTrace, name = 'trace'): void {
  if (typeof trace !== 'object' || trace === null) {
    throw invalidArgument(name, 'must be a NetworkTrace with a periods array');
  }
  // A packed trace (from a reader) is checked on its columns, without building its period objects.
  if (!isPacked(trace) && !Array.isArray((trace as Partial<NetworkTrace>).periods)) {
    throw invalidArgument(name, 'must be a NetworkTrace with a periods array');
  }
  const count = periodCount(trace);
  if (count === 0) throw invalidArgument(name, 'has no period');
  if (count > TRACE_LIMITS.maxPeriods) {
    throw invalidArgument(name, `has ${count} periods, more than ${TRACE_LIMITS.maxPeriods}`);
  }
  let delivers = false;
  let totalMs = 0;
  const table = periodTable(trace);
  for (let i = 0; i < table.length; i++) {
    const p = {
      durationMs: table.durationsMs[i]!,
      bandwidthKbps: table.bandwidthsKbps[i]!,
      latencyMs: latencyAt(table, i),
    };
    const bad = periodProblem(p);
    if (bad !== null) {
      throw invalidArgument(
        `${name}.periods[${i}].${bad.field}`,
        `${bad.problem}, got ${String(p[bad.field])}`,
      );
    }
    if (p.bandwidthKbps > 0) delivers = true;
    totalMs += p.durationMs;
  }
  if (totalMs > TRACE_LIMITS.maxTraceDurationMs) {
    throw invalidArgument(name, `lasts ${totalMs} ms, more than ${TRACE_LIMITS.maxTraceDurationMs} ms`);
  }
  if (!delivers) {
    throw invalidArgument(
      name,
      `"${String(trace.name)}" has no period with bandwidth > 0: nothing would ever arrive`,
    );
  }
  const raw = pensieveColumns(trace);
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
