/**
 * A video looped into a longer one: what a live stream that loops a VOD ladder plays (the shaping server's
 * live mode, src/shaping/live.ts), for simulating the same session: segment i of the result is segment
 * (firstSegment + i) mod N of the source, N its playable segments.
 */
import { invalidArgument } from '../core/errors.js';
import { playableSegments, type VideoDescription } from './model.js';

/** `segmentCount` segments of `video` looped from `firstSegment` (default 0). Throws a TypeError naming a bad argument. */
export function loopVideo(video: VideoDescription, segmentCount: number, firstSegment = 0): VideoDescription {
  const n = playableSegments(video);
  if (!(n > 0)) throw invalidArgument('video', 'has no segments to loop');
  if (!(Number.isSafeInteger(segmentCount) && segmentCount >= 1 && segmentCount <= 10_000_000))
    throw invalidArgument('segmentCount', `must be an integer in [1, 10000000], got ${segmentCount}`);
  if (!(Number.isSafeInteger(firstSegment) && firstSegment >= 0))
    throw invalidArgument('firstSegment', `must be an integer ≥ 0, got ${firstSegment}`);
  const rows = video.segmentSizesBytes;
  return {
    name: `${video.name} (looped, ${segmentCount} segments)`,
    segmentDurationMs: video.segmentDurationMs,
    renditions: video.renditions,
    segmentSizesBytes: Array.from({ length: segmentCount }, (_, i) => rows[(firstSegment + i) % n]!),
  };
}
