/**
 * Just enough ISO BMFF (ISO/IEC 14496-12) to place an fMP4 segment on the presentation timeline: the track's
 * timescale from the init segment (`moov/trak/mdia/mdhd`) and a media segment's decode start
 * (`moof/traf/tfdt` baseMediaDecodeTime). The player uses them to set `SourceBuffer.timestampOffset` at an
 * `#EXT-X-DISCONTINUITY`, where the segments' own timestamps restart (a looped or spliced presentation).
 * Synchronous, bounds-checked (never throws), and small (no mp4box: it counts against the player's size
 * budget). Boxes with a 64-bit or to-the-end size are not walked (these containers never use them): null.
 */

/** Offset of the payload of the box at `path` (each the first of its type inside the previous), or -1. */
function findBox(bytes: Uint8Array, path: readonly string[]): number {
  let start = 0;
  let end = bytes.byteLength;
  for (const type of path) {
    for (let at = start; ; at += uint(bytes, at, 4)!) {
      const size = uint(bytes, at, 4);
      if (size === null || size < 8 || at + size > end) return -1;
      if (String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === type) {
        start = at + 8;
        end = at + size;
        break;
      }
    }
  }
  return start;
}

/** A big-endian unsigned integer of `length` bytes (4 or 8) at `at`, or null past the end of `bytes`. */
function uint(bytes: Uint8Array, at: number, length: number): number | null {
  if (at + length > bytes.byteLength) return null;
  let n = 0;
  for (let i = 0; i < length; i++) n = n * 256 + bytes[at + i]!;
  return n;
}

/** The timescale (ticks per second) of the first track of an init segment, or null when there is none. */
export function readTimescale(init: Uint8Array): number | null {
  const mdhd = findBox(init, ['moov', 'trak', 'mdia', 'mdhd']);
  // version 1: creation and modification times are 64-bit
  return (mdhd < 0 ? null : uint(init, mdhd + (init[mdhd] === 1 ? 20 : 12), 4)) || null;
}

/**
 * The decode time of a media segment's first sample, seconds: the first `tfdt` of its first `moof`, divided
 * by `timescale`. Null when the segment has no `moof/traf/tfdt` (or `timescale` is not positive).
 */
export function readBaseDecodeTimeS(segment: Uint8Array, timescale: number): number | null {
  const tfdt = findBox(segment, ['moof', 'traf', 'tfdt']);
  const ticks = tfdt < 0 || !(timescale > 0) ? null : uint(segment, tfdt + 4, segment[tfdt] === 1 ? 8 : 4);
  return ticks === null ? null : ticks / timescale;
}
