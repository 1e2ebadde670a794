/**
 * One network trace model for every format: consecutive periods, each with a duration, a bandwidth and a
 * latency (Sabre's model, the most general of the research formats). Readers convert into it, writers out
 * of it; network models (src/sim, src/shaping) replay it. Traces read from files keep their periods packed
 * in columns (src/traces/columns.ts) behind the same `periods` array.
 */
import { isPacked, periodTable } from './columns.js';

export interface TracePeriod {
  readonly durationMs: number;
  readonly bandwidthKbps: number;
  /** Latency (request to first byte) paid by a download that starts in this period. */
  readonly latencyMs: number;
}

export type TraceFormat = 'sabre' | 'pensieve' | 'mahimahi' | 'csv';

export interface NetworkTrace {
  /** Name for logs: the file name minus a .json/.csv/.txt extension, or the generator's name. */
  readonly name: string;
  readonly periods: readonly TracePeriod[];
  /** The format it was read from, if any. */
  readonly sourceFormat?: TraceFormat;
  /**
   * For traces read from Pensieve's cooked format: the original sample times in seconds, kept so that
   * the Pensieve network model can reproduce fixed_env.py exactly (which starts at time[0], not 0).
   */
  readonly pensieve?: { readonly timesS: readonly number[]; readonly throughputsMbps: readonly number[] };
}

export function traceDurationMs(trace: NetworkTrace): number {
  if (!isPacked(trace)) return trace.periods.reduce((total, p) => total + p.durationMs, 0);
  const { durationsMs, length } = periodTable(trace);
  let total = 0;
  for (let i = 0; i < length; i++) total += durationsMs[i]!;
  return total;
}

/** Time-average bandwidth over the trace, kbps. */
export function traceMeanBandwidthKbps(trace: NetworkTrace): number {
  // Columns for a packed trace; a short copy of them for a trace of period objects.
  const { durationsMs, bandwidthsKbps, length } = periodTable(trace);
  let bits = 0;
  let ms = 0;
  for (let i = 0; i < length; i++) {
    bits += bandwidthsKbps[i]! * durationsMs[i]!;
    ms += durationsMs[i]!;
  }
  return ms > 0 ? bits / ms : 0;
}
