/**
 * Where a segment's media goes on the SourceBuffer timeline across `#EXT-X-DISCONTINUITY`s.
 *
 * fMP4 segments carry their own decode times (`tfdt`). Within one discontinuity sequence they continue each
 * other, so one `timestampOffset` serves the whole sequence; at a discontinuity they may restart (a looped
 * presentation: every lap starts again at 0), so the player sets `timestampOffset` to put the sequence where
 * the playlist says it plays: offset = playlist start of the segment − its own decode start (as hls.js and
 * shaka do for fMP4). The first discontinuity sequence plays at its own timestamps (offset 0, as without
 * discontinuities); later ones are shifted by how far that first sequence's media time was from the
 * playlist's (0 for media starting at 0), so every sequence keeps the same relation to the playlist.
 *
 * One instance per SourceBuffer (video, audio); offsets are computed once per sequence and kept across
 * seeks and rendition switches (renditions share their timestamps), so re-appended media lands exactly
 * where it was.
 */
import type { MediaSegment } from '../manifest/model.js';
import { readBaseDecodeTimeS, readTimescale } from '../mse/timestamps.js';

/**
 * The `timestampOffset` (s) for a segment, given its bytes and its track's init segment (null, or one
 * without a readable timescale: offset 0, the media's own timestamps).
 */
export type TimelineOffsets = (segment: MediaSegment, bytes: Uint8Array, init: Uint8Array | null) => number;

/**
 * `firstSequence`: the discontinuity sequence of the playlist's first segment. The player loads this module
 * (and the box reader) only for a presentation with discontinuities, to keep them out of its eager bundle.
 */
export function createTimelineOffsets(firstSequence: number): TimelineOffsets {
  const offsetsS = new Map<number, number>();
  // media time − playlist time of the first discontinuity sequence, s (0 until a segment of it is seen)
  let originS = 0;
  let lastInit: Uint8Array | null = null;
  let timescale: number | null = null;
  return (segment, bytes, init) => {
    const sequence = segment.discontinuitySequence;
    let offsetS = offsetsS.get(sequence);
    if (offsetS === undefined) {
      if (init !== lastInit) {
        lastInit = init;
        timescale = init ? readTimescale(init) : null;
      }
      const decodeS = timescale === null ? null : readBaseDecodeTimeS(bytes, timescale);
      if (decodeS === null) return 0;
      const shiftS = segment.startMs / 1000 - decodeS;
      if (sequence === firstSequence) originS = -shiftS;
      offsetS = sequence === firstSequence ? 0 : shiftS + originS;
      offsetsS.set(sequence, offsetS);
    }
    return offsetS;
  };
}
