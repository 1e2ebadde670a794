/** The messages between the page and sim.worker.ts. */
import type { AbrOptions, NetworkTrace, VideoDescription } from 'abrkit';

export interface CompareRequest {
  readonly requestId: number;
  readonly video: VideoDescription;
  readonly trace: NetworkTrace;
  readonly bufferTargetMs: number;
  /**
   * Live: simulate `video` (the fixture looped from the segment the player joined at) as a live stream with
   * this latency target, as `abrkit sim --live --latency-target-ms` does. Absent: VOD.
   */
  readonly live?: { readonly targetLatencyMs: number };
  /** Algorithms to run, with their options (`optimal` included for the upper bound). */
  readonly runs: readonly { readonly algorithm: string; readonly options: AbrOptions }[];
}

/** One algorithm's simulated session, summarised (or why it failed). */
export interface CompareRow {
  readonly algorithm: string;
  readonly qoe: number;
  readonly meanBitrateKbps: number;
  readonly stallCount: number;
  readonly stallMs: number;
  readonly switches: number;
  readonly startupMs: number;
  readonly segments: number;
  /** Live: the mean latency over the segments, ms. */
  readonly meanLatencyMs?: number;
  readonly error?: string;
}

export interface CompareResponse {
  readonly requestId: number;
  readonly rows: readonly CompareRow[];
  /** Set when the request as a whole could not run. */
  readonly error?: string;
}
