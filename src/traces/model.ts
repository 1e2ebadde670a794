/**
 * One network trace model for every format: consecutive periods, each with a duration, a bandwidth and a
 * latency (Sabre's model, the most general of the research formats). Readers convert into it, writers out
 * of it; network models (src/sim, src/shaping) replay it.
 */
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
  let total = 0;
  for (const p of trace.periods) total += p.durationMs;
  return total;
}

/** Time-average bandwidth over the trace, kbps. */
export function traceMeanBandwidthKbps(trace: NetworkTrace): number {
  let bits = 0;
  let ms = 0;
  for (const p of trace.periods) {
    bits += p.bandwidthKbps * p.durationMs;
    ms += p.durationMs;
  }
  return ms > 0 ? bits / ms : 0;
}
