/**
 * Checks every invariant of a `VideoDescription` (src/videos/model.ts), for readers and for videos built
 * in code: a duration > 0, strictly increasing bitrates > 0 with `renditions[i].index === i`, one size > 0
 * per rendition in every segment, a playable count within the rows.
 */
import type { VideoDescription } from './model.js';
import { VIDEO_ERROR_CODES as CODES, videoError } from './errors.js';

/**
 * Limits every video description meets (README "Reliability"), so a simulated session on it ends:
 * - `maxSegmentBits`: 1e9 bits (1 Gbit, 125 MB) per segment; a size must also be > 0.
 * - `minSegmentDurationMs` / `maxSegmentDurationMs`: 1 ms to 1 hour.
 * - `maxBitrateKbps`: 1e9 kbps (1 Tbit/s).
 * - `maxSegments`: 10 million segments.
 */
export const VIDEO_LIMITS = {
  maxSegmentBits: 1e9,
  minSegmentDurationMs: 1,
  maxSegmentDurationMs: 3_600_000,
  maxBitrateKbps: 1e9,
  maxSegments: 10_000_000,
} as const;

/** Why a segment of `bits` is refused ("must be > 0", "is above ..."), or null. Say the value before it. */
export function segmentBitsProblem(bits: number): string | null {
  if (!(typeof bits === 'number' && Number.isFinite(bits) && bits > 0)) return 'must be a finite number > 0';
  if (bits > VIDEO_LIMITS.maxSegmentBits) {
    return `is above ${VIDEO_LIMITS.maxSegmentBits} bits (1 Gbit), the largest segment`;
  }
  return null;
}

/** Throws `AbrkitError('video', ...)` naming `source` at the first broken invariant; returns `video`. */
export function validateVideo(video: VideoDescription, source: string = video.name): VideoDescription {
  const { segmentDurationMs, renditions, segmentSizesBytes } = video;
  if (
    typeof segmentDurationMs !== 'number' ||
    !Number.isFinite(segmentDurationMs) ||
    segmentDurationMs <= 0
  ) {
    throw videoError(
      CODES.badDuration,
      `segment duration must be a number > 0 ms, got ${String(segmentDurationMs)}`,
      source,
    );
  }
  if (
    segmentDurationMs < VIDEO_LIMITS.minSegmentDurationMs ||
    segmentDurationMs > VIDEO_LIMITS.maxSegmentDurationMs
  ) {
    throw videoError(
      CODES.badDuration,
      `segment duration ${segmentDurationMs} ms is outside ${VIDEO_LIMITS.minSegmentDurationMs}..${VIDEO_LIMITS.maxSegmentDurationMs} ms`,
      source,
    );
  }
  if (renditions.length === 0) throw videoError(CODES.empty, 'the video has no rendition', source);
  renditions.forEach((r, i) => {
    if (typeof r.bitrateKbps !== 'number' || !Number.isFinite(r.bitrateKbps) || r.bitrateKbps <= 0) {
      throw videoError(
        CODES.badBitrate,
        `bitrate ${i} must be a number > 0 kbps, got ${String(r.bitrateKbps)}`,
        source,
        undefined,
        {
          rendition: i,
        },
      );
    }
    if (r.bitrateKbps > VIDEO_LIMITS.maxBitrateKbps) {
      throw videoError(
        CODES.badBitrate,
        `bitrate ${i} is ${r.bitrateKbps} kbps, above ${VIDEO_LIMITS.maxBitrateKbps} kbps`,
        source,
        undefined,
        { rendition: i },
      );
    }
    if (r.index !== i) {
      throw videoError(CODES.renditionMismatch, `rendition ${i} has index ${r.index}`, source, undefined, {
        rendition: i,
      });
    }
    const previous = renditions[i - 1];
    if (previous && r.bitrateKbps <= previous.bitrateKbps) {
      throw videoError(
        CODES.bitratesNotIncreasing,
        `bitrates must increase: ${r.bitrateKbps} kbps (rendition ${i}) after ${previous.bitrateKbps} kbps`,
        source,
        undefined,
        { rendition: i },
      );
    }
  });
  if (segmentSizesBytes.length === 0) throw videoError(CODES.empty, 'the video has no segment', source);
  if (segmentSizesBytes.length > VIDEO_LIMITS.maxSegments) {
    throw videoError(
      CODES.badField,
      `${segmentSizesBytes.length} segments, more than ${VIDEO_LIMITS.maxSegments}`,
      source,
    );
  }
  segmentSizesBytes.forEach((row, segment) => {
    if (row.length !== renditions.length) {
      throw videoError(
        CODES.raggedRow,
        `segment ${segment} has ${row.length} sizes for ${renditions.length} renditions`,
        source,
        undefined,
        { segment },
      );
    }
    row.forEach((size, rendition) => {
      if (typeof size !== 'number' || !Number.isFinite(size) || size <= 0) {
        throw videoError(
          CODES.badSize,
          `segment ${segment}, rendition ${rendition}: size must be a number > 0, got ${String(size)}`,
          source,
          undefined,
          { segment, rendition },
        );
      }
      if (size * 8 > VIDEO_LIMITS.maxSegmentBits) {
        throw videoError(
          CODES.badSize,
          `segment ${segment}, rendition ${rendition}: size ${size} bytes is above ${VIDEO_LIMITS.maxSegmentBits / 8} bytes (1 Gbit), the largest segment`,
          source,
          undefined,
          { segment, rendition },
        );
      }
    });
  });
  const playable = video.playableSegmentCount;
  if (
    playable !== undefined &&
    (!Number.isInteger(playable) || playable < 1 || playable > segmentSizesBytes.length)
  ) {
    throw videoError(
      CODES.badField,
      `playableSegmentCount must be an integer in 1..${segmentSizesBytes.length}, got ${String(playable)}`,
      source,
    );
  }
  return video;
}
