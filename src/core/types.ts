/**
 * The core data types. Every quantity carries its unit in its name (STYLE.md #13): `Ms` milliseconds,
 * `Kbps` kilobits per second (= bits per ms), `Bytes`, `Px`.
 */

/** One rendition (quality level) of the video, in ascending bitrate order: index 0 is the lowest. */
export interface Rendition {
  /** Position in the ascending ladder, 0 = lowest bitrate. */
  readonly index: number;
  /** The bitrate the ABR logic reasons with (HLS: AVERAGE-BANDWIDTH when present, else BANDWIDTH). */
  readonly bitrateKbps: number;
  /** Peak bitrate when known (HLS BANDWIDTH). */
  readonly peakBitrateKbps?: number;
  readonly widthPx?: number;
  readonly heightPx?: number;
  readonly frameRate?: number;
  readonly codecs?: string;
}

/** One segment of one rendition. */
export interface SegmentRef {
  /** 0-based position in the presentation. */
  readonly index: number;
  readonly renditionIndex: number;
  readonly startMs: number;
  readonly durationMs: number;
  /** Size when known in advance (segment-size tables, byte ranges, a `ladder` scan). */
  readonly sizeBytes?: number;
  readonly uri?: string;
}

/**
 * One finished (or aborted) download. Times are on the session's `Clock`:
 * `startMs` when the request was sent, `firstByteMs` when the first byte arrived, `endMs` when the last did.
 * Throughput over the transfer is `sizeBytes * 8 / (endMs - firstByteMs)` kbps; the latency (time to first
 * byte) `firstByteMs - startMs` is measured apart.
 */
export interface DownloadSample {
  readonly startMs: number;
  readonly firstByteMs: number;
  readonly endMs: number;
  readonly sizeBytes: number;
  /** True when the download was abandoned before its end; `sizeBytes` is then what arrived. */
  readonly aborted?: boolean;
  /**
   * Time within [firstByteMs, endMs] when no byte could come because the server had none yet (a live
   * segment fetched while being produced, chunked), ms, when the source can tell. Not link capacity:
   * src/estimators/live-edge.ts takes it out.
   */
  readonly idleMs?: number;
}

/** A download in flight, as reported to `AbrAlgorithm.shouldAbandon`. */
export interface DownloadProgress {
  readonly segmentIndex: number;
  readonly renditionIndex: number;
  readonly startMs: number;
  /** null until the first byte arrives. */
  readonly firstByteMs: number | null;
  readonly nowMs: number;
  readonly loadedBytes: number;
  /** null when the server did not say (no Content-Length, no size table). */
  readonly totalBytes: number | null;
}

/** Transfer throughput of a sample in kbps (bits per ms), latency excluded. Infinity for a zero-time transfer. */
export function transferThroughputKbps(sample: DownloadSample): number {
  const transferMs = sample.endMs - sample.firstByteMs;
  return transferMs > 0 ? (sample.sizeBytes * 8) / transferMs : Number.POSITIVE_INFINITY;
}

/** Throughput over the whole request in kbps, latency included (Pensieve's convention). */
export function totalThroughputKbps(sample: DownloadSample): number {
  const totalMs = sample.endMs - sample.startMs;
  return totalMs > 0 ? (sample.sizeBytes * 8) / totalMs : Number.POSITIVE_INFINITY;
}

/**
 * One line of the per-segment log: the simulator's JSONL schema, also what the player exports.
 * `trace` and `algo` are filled in by batch runners.
 */
export interface SegmentRecord {
  trace?: string;
  algo?: string;
  /** 0-based segment index. */
  segment: number;
  /** Rendition index, 0 = lowest. */
  rendition: number;
  bitrateKbps: number;
  sizeBytes: number;
  /** From request to last byte, latency included. */
  downloadMs: number;
  /** Stall time caused while this segment downloaded (including waits for it at startup when the model counts them). */
  rebufferMs: number;
  /** Buffer level right after this segment was added. */
  bufferMs: number;
  /** This segment's QoE term under the session's QoE model. */
  qoe: number;
  /** Live only: latency (live edge − playhead) when the segment arrived, ms. */
  latencyMs?: number;
  /** Live only: playback rate when the segment arrived. */
  playbackRate?: number;
}
