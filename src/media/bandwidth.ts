/**
 * HLS `BANDWIDTH` and `AVERAGE-BANDWIDTH` from real segment sizes, as the HLS specification defines them
 * (RFC 8216bis, "Playlists" §4.4.6.2 EXT-X-STREAM-INF, and §4.4.6 for the peak segment bit rate):
 * - the peak segment bit rate of a media playlist is the largest bit rate of any contiguous run of segments
 *   whose total duration is between 0.5 and 1.5 times the target duration;
 * - the average segment bit rate is the total size divided by the total duration;
 * - a variant's BANDWIDTH (AVERAGE-BANDWIDTH) is the largest sum of the peak (average) segment bit rates of
 *   any playable combination of renditions: with one audio rendition, video plus audio.
 * Sizes are media segments only; the init segment (EXT-X-MAP) is not counted.
 */
import { invalidArgument } from '../core/errors.js';

/** A media segment as the bit-rate formulas see it. */
export interface SizedSegment {
  readonly durationMs: number;
  readonly sizeBytes: number;
}

/** Total bits over total duration, in bits per second (rounded up). 0 for no segments. */
export function averageSegmentBitrateBps(segments: readonly SizedSegment[]): number {
  let bytes = 0;
  let ms = 0;
  for (const s of segments) {
    bytes += s.sizeBytes;
    ms += s.durationMs;
  }
  return ms > 0 ? Math.ceil((bytes * 8 * 1000) / ms) : 0;
}

/**
 * The peak segment bit rate in bits per second (rounded up): the largest bit rate of any contiguous run of
 * segments lasting between 0.5 and 1.5 target durations. When no run qualifies (e.g. a single short
 * segment), the largest single-segment bit rate.
 */
export function peakSegmentBitrateBps(segments: readonly SizedSegment[], targetDurationMs: number): number {
  if (!(targetDurationMs > 0))
    throw invalidArgument('targetDurationMs', `must be > 0, got ${targetDurationMs}`);
  const minMs = 0.5 * targetDurationMs;
  const maxMs = 1.5 * targetDurationMs;
  let peak = 0;
  let anyRun = false;
  for (let start = 0; start < segments.length; start++) {
    let bytes = 0;
    let ms = 0;
    for (let end = start; end < segments.length; end++) {
      const s = segments[end] as SizedSegment;
      bytes += s.sizeBytes;
      ms += s.durationMs;
      if (ms > maxMs + 1e-6) break;
      if (ms >= minMs - 1e-6 && ms > 0) {
        anyRun = true;
        peak = Math.max(peak, (bytes * 8 * 1000) / ms);
      }
    }
  }
  if (!anyRun) {
    for (const s of segments)
      if (s.durationMs > 0) peak = Math.max(peak, (s.sizeBytes * 8 * 1000) / s.durationMs);
  }
  return Math.ceil(peak);
}

/**
 * DASH `@bandwidth` of a Representation (ISO/IEC 23009-1 §5.3.5.2): the smallest rate B in bits per second
 * (rounded up) such that, delivered at B from any segment start (a SAP), every later segment has fully
 * arrived when its playout starts, playout beginning `minBufferTimeMs` after the first bit. Segment-level, so
 * conservative: a sample-level check could only allow less. 0 for no segments.
 */
export function dashBandwidthBps(segments: readonly SizedSegment[], minBufferTimeMs: number): number {
  if (!(minBufferTimeMs > 0)) throw invalidArgument('minBufferTimeMs', `must be > 0, got ${minBufferTimeMs}`);
  let peak = 0;
  for (let start = 0; start < segments.length; start++) {
    let bits = 0;
    let offsetMs = 0; // playout start of segment `end` after that of segment `start`
    for (let end = start; end < segments.length; end++) {
      const s = segments[end] as SizedSegment;
      bits += s.sizeBytes * 8;
      peak = Math.max(peak, (bits * 1000) / (minBufferTimeMs + offsetMs));
      offsetMs += s.durationMs;
    }
  }
  return Math.ceil(peak);
}
