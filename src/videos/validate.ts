/**
 * Checks every invariant of a `VideoDescription` (src/videos/model.ts), for readers and for videos built
 * in code: a duration > 0, strictly increasing bitrates > 0 with `renditions[i].index === i`, one size > 0
 * per rendition in every segment, a playable count within the rows.
 */
import type { VideoDescription } from './model.js';
import { VIDEO_ERROR_CODES as CODES, videoError } from './errors.js';

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
