/**
 * Pieces shared by the algorithms that follow Sabre (Spiteri, Sitaraman, Sparacio, "From Theory to Practice:
 * Improving Bitrate Adaptation in the DASH Reference Player", MMSys 2018; repo UMass-LIDS/sabre, src/sabre.py).
 *
 * Sabre works in bits, ms and kbps (= bits/ms); so do these helpers (a byte count from `DownloadProgress` is
 * turned into bits before any arithmetic, so that the floating-point operations are Sabre's).
 */
import type { DownloadProgress } from '../core/types.js';
import type { AbrContext } from './types.js';

/** The highest index an algorithm may pick: `ctx.maxRenditionIndex` clamped to the ladder. */
export function capIndex(ctx: AbrContext): number {
  return Math.max(0, Math.min(ctx.maxRenditionIndex, ctx.renditions.length - 1));
}

/** Bitrate of rendition `index`, kbps. */
export function bitrateKbps(ctx: AbrContext, index: number): number {
  const r = ctx.renditions[index];
  if (!r) throw new RangeError(`rendition ${index} out of range (0..${ctx.renditions.length - 1})`);
  return r.bitrateKbps;
}

/** Latency estimate in ms, 0 before any sample. */
export function latencyOf(ctx: AbrContext): number {
  return ctx.latencyMs ?? 0;
}

/**
 * Sabre's `Abr.quality_from_throughput(tput)`: the highest rendition (up to the cap) whose segment, at its
 * nominal bitrate, downloads within one segment duration including the latency estimate:
 * `latency + segmentDuration * bitrate / tput <= segmentDuration`. A zero estimate gives index 0.
 */
export function qualityFromThroughput(ctx: AbrContext, throughputKbps: number): number {
  const p = ctx.segmentDurationMs;
  const latency = latencyOf(ctx);
  const cap = capIndex(ctx);
  let quality = 0;
  while (quality + 1 <= cap && latency + (p * bitrateKbps(ctx, quality + 1)) / throughputKbps <= p)
    quality += 1;
  return quality;
}

/**
 * Utilities `ln(b) + offset` with `offset = utilityAtLowest - ln(b0)`, computed in Sabre's order
 * (`math.log(b) + utility_offset`): BOLA uses 0 at the lowest rendition, BOLA-E 1.
 */
export function logUtilities(ctx: AbrContext, utilityAtLowest: number): number[] {
  const offset = utilityAtLowest - Math.log(bitrateKbps(ctx, 0));
  return ctx.renditions.map((r) => Math.log(r.bitrateKbps) + offset);
}

/** A download in flight in Sabre's terms: bits and ms since the request was sent. */
export interface SabreProgress {
  readonly quality: number;
  readonly sizeBits: number;
  readonly downloadedBits: number;
  /** Elapsed since the request, ms (Sabre `progress.time`). */
  readonly timeMs: number;
  /** Time to first byte, ms (Sabre `progress.time_to_first_bit`); the elapsed time before the first byte. */
  readonly timeToFirstBitMs: number;
}

/** Converts a `DownloadProgress`; null when the total size is unknown (no abandonment rule can run). */
export function toSabreProgress(progress: DownloadProgress): SabreProgress | null {
  if (progress.totalBytes === null) return null;
  const timeMs = progress.nowMs - progress.startMs;
  return {
    quality: progress.renditionIndex,
    sizeBits: progress.totalBytes * 8,
    downloadedBits: progress.loadedBytes * 8,
    timeMs,
    timeToFirstBitMs: progress.firstByteMs === null ? timeMs : progress.firstByteMs - progress.startMs,
  };
}

/**
 * True before the first throughput sample: Sabre fetches segment 0 at `get_first_quality()` (index 0 for
 * every built-in algorithm) without asking `get_quality_delay` and without an abandonment check.
 */
export function beforeFirstSample(ctx: AbrContext): boolean {
  return ctx.throughput.sampleCount === 0;
}

/**
 * A time a little before `tMs` (by 1 µs plus 1e-9 of it), for `abandonQuietUntilMs` bounds derived in exact
 * arithmetic: the progress points in that margin are checked, so rounding cannot skip one that mattered.
 */
export function quietBeforeMs(tMs: number): number {
  return tMs - 1e-3 - 1e-9 * Math.abs(tMs);
}
