/**
 * Keyframe alignment across the renditions of an ABR ladder: a player can switch rendition at any segment
 * boundary only if every rendition's segment i starts with a keyframe at the same decode time (the HLS
 * authoring guidance and CMAF's "aligned switching sets", ISO/IEC 23000-19 §7.3.4).
 */
import { AbrkitError, invalidArgument } from '../core/errors.js';
import type { MediaSegmentInfo } from './inspect.js';

/**
 * Checks that `segmentsByRendition[r][i]` starts with a keyframe for every rendition `r` and segment `i`, and that
 * all renditions' segment `i` start within `toleranceMs` of each other and have the same count.
 * Throws `AbrkitError('media', code)`: `SEGMENT_COUNT_MISMATCH`, `SEGMENT_NOT_KEYFRAME`, `KEYFRAMES_MISALIGNED`,
 * each with `data.source` naming the offending segment.
 */
export function checkKeyframeAlignment(
  segmentsByRendition: readonly (readonly MediaSegmentInfo[])[],
  toleranceMs = 1,
): void {
  if (!(toleranceMs >= 0)) throw invalidArgument('toleranceMs', `must be >= 0, got ${toleranceMs}`);
  const reference = segmentsByRendition[0];
  if (!reference) return;
  for (const segments of segmentsByRendition) {
    if (segments.length !== reference.length) {
      throw new AbrkitError(
        'media',
        'SEGMENT_COUNT_MISMATCH',
        `${segments.length} segments where the first rendition has ${reference.length}`,
        { data: { source: segments[0]?.source ?? '(empty rendition)' } },
      );
    }
    segments.forEach((segment, i) => {
      const ref = reference[i] as MediaSegmentInfo;
      if (!segment.startsWithKeyframe) {
        throw new AbrkitError(
          'media',
          'SEGMENT_NOT_KEYFRAME',
          `segment ${i} does not start with a keyframe`,
          {
            data: { source: segment.source, segmentIndex: i },
          },
        );
      }
      if (Math.abs(segment.firstSampleTimeMs - ref.firstSampleTimeMs) > toleranceMs) {
        throw new AbrkitError(
          'media',
          'KEYFRAMES_MISALIGNED',
          `segment ${i} starts at ${segment.firstSampleTimeMs} ms, ${ref.source} at ${ref.firstSampleTimeMs} ms`,
          { data: { source: segment.source, segmentIndex: i } },
        );
      }
    });
  }
}
