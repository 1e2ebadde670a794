/**
 * A fragmented-MP4 segment checked before it is appended (ISO/IEC 14496-12): the browser takes random bytes
 * or half a segment without a word (or fails on the NEXT append), so the player looks first.
 *
 * - the top-level boxes tile the bytes exactly (a truncated `mdat` declares more bytes than follow) and
 *   there is a `moof` followed by an `mdat`;
 * - each `traf`'s `tfhd` track_ID is the init segment's (`moov/trak/tkhd`);
 * - the samples' durations (`trun`, else `tfhd`/`trex` defaults), in the init's `mdhd` timescale, add up to
 *   about the playlist's duration (a segment of another timescale does not);
 * - the `tfdt` base media decode time is near the segment's place on the playlist's timeline.
 *
 * Synchronous, bounds-checked, allocation-free apart from the result, no mp4box (it counts against the
 * player's size budget). bench/segment-check.ts prints its cost per segment.
 */

/** What a media segment is checked against: read once from its init segment. */
export interface TrackInfo {
  readonly trackId: number;
  readonly timescale: number;
  /** `mvex/trex` default_sample_duration, ticks (0 when absent). */
  readonly defaultDurationTicks: number;
}

function u32(b: Uint8Array, at: number): number {
  return at + 4 > b.byteLength
    ? -1
    : ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function type(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!);
}

/**
 * Calls `visit(type, payloadStart, end)` for each box in [start, end); returns an error text when a box does
 * not fit (or is not a box), else null. A 64-bit size is read; size 0 runs to `end`.
 */
function walk(
  b: Uint8Array,
  start: number,
  end: number,
  visit: (type: string, payload: number, boxEnd: number) => string | null | void,
): string | null {
  for (let at = start; at < end;) {
    if (at + 8 > end) return `${end - at} stray bytes at byte ${at}`;
    let size = u32(b, at);
    let header = 8;
    if (size === 1) {
      size = u32(b, at + 8) * 2 ** 32 + u32(b, at + 12);
      header = 16;
    } else if (size === 0) size = end - at;
    const t = type(b, at);
    if (!/^[\w ©-]{4}$/.test(t)) return `no MP4 box at byte ${at}`;
    if (size < header || at + size > end)
      return `truncated: the ${t} box at byte ${at} declares ${size} bytes, ${end - at} follow`;
    const problem = visit(t, at + header, at + size);
    if (problem) return problem;
    at += size;
  }
  return null;
}

/** The first box of type `t` directly in [start, end): [payload, end] or null. */
function child(b: Uint8Array, start: number, end: number, t: string): [number, number] | null {
  let found = null as [number, number] | null;
  walk(b, start, end, (ty, p, e) => {
    if (ty !== t) return null;
    found = [p, e];
    return 'found';
  });
  return found;
}

function path(b: Uint8Array, types: readonly string[]): [number, number] | null {
  let box: [number, number] | null = [0, b.byteLength];
  for (const t of types) if (box) box = child(b, box[0], box[1], t);
  return box;
}

/** The track of an init segment (its first `trak`), or null when it has no readable `moov`. */
export function readTrackInfo(init: Uint8Array): TrackInfo | null {
  const tkhd = path(init, ['moov', 'trak', 'tkhd']);
  const mdhd = path(init, ['moov', 'trak', 'mdia', 'mdhd']);
  if (!tkhd || !mdhd) return null;
  // version 1 boxes have 64-bit creation and modification times
  const trackId = u32(init, tkhd[0] + (init[tkhd[0]] === 1 ? 20 : 12));
  const timescale = u32(init, mdhd[0] + (init[mdhd[0]] === 1 ? 20 : 12));
  const trex = path(init, ['moov', 'mvex', 'trex']);
  if (!(trackId > 0) || !(timescale > 0)) return null;
  return { trackId, timescale, defaultDurationTicks: trex ? Math.max(0, u32(init, trex[0] + 12)) : 0 };
}

/**
 * What is wrong with media segment `b` for `track`, or null when it looks right. `startS`: where the playlist
 * puts it (null: do not check its time, e.g. after a discontinuity); `durationS`: its playlist duration.
 */
export function checkMediaSegment(
  b: Uint8Array,
  track: TrackInfo,
  startS: number | null,
  durationS: number,
): string | null {
  let moofs = 0;
  let mdats = 0;
  let ticks = 0;
  let decodeS = null as number | null;
  const problem = walk(b, 0, b.byteLength, (t, p, end) => {
    if (t === 'mdat') {
      if (moofs > mdats) mdats++;
      return null;
    }
    if (t !== 'moof') return null;
    moofs++;
    return walk(b, p, end, (tt, tp, tend) => {
      if (tt !== 'traf') return null;
      const tfhd = child(b, tp, tend, 'tfhd');
      if (!tfhd) return 'a traf without tfhd';
      const flags = u32(b, tfhd[0]) & 0xffffff;
      const id = u32(b, tfhd[0] + 4);
      if (id !== track.trackId) return `track ${id}, the init segment's is ${track.trackId}`;
      // tfhd optional fields: base_data_offset (8), sample_description_index (4), default_sample_duration
      const durationAt = tfhd[0] + 8 + (flags & 1 ? 8 : 0) + (flags & 2 ? 4 : 0);
      const defaultTicks = flags & 8 ? u32(b, durationAt) : track.defaultDurationTicks;
      const tfdt = child(b, tp, tend, 'tfdt');
      if (tfdt && decodeS === null) {
        const v1 = b[tfdt[0]] === 1;
        const t0 = v1 ? u32(b, tfdt[0] + 4) * 2 ** 32 + u32(b, tfdt[0] + 8) : u32(b, tfdt[0] + 4);
        decodeS = t0 / track.timescale;
      }
      return walk(b, tp, tend, (rt, rp) => {
        if (rt !== 'trun') return null;
        const rflags = u32(b, rp) & 0xffffff;
        const count = u32(b, rp + 4);
        if (!(rflags & 0x100)) {
          ticks += count * defaultTicks;
          return null;
        }
        // per sample: duration, size, flags, composition offset, each when its flag is set
        const stride =
          4 * (1 + (rflags & 0x200 ? 1 : 0) + (rflags & 0x400 ? 1 : 0) + (rflags & 0x800 ? 1 : 0));
        let at = rp + 8 + (rflags & 1 ? 4 : 0) + (rflags & 4 ? 4 : 0);
        if (at + count * stride > tend) return `a trun of ${count} samples runs past its box`;
        for (let i = 0; i < count; i++, at += stride) ticks += u32(b, at);
        return null;
      });
    });
  });
  if (problem) return problem;
  if (moofs === 0 || mdats === 0) return 'no moof followed by an mdat';
  const sumS = ticks / track.timescale;
  // 0: no durations written anywhere (nothing to compare); else about the playlist's (timescale check)
  if (ticks > 0 && durationS > 0 && Math.abs(sumS - durationS) > Math.max(0.25, durationS / 2)) {
    return `its samples last ${sumS.toFixed(3)} s in timescale ${track.timescale}, the playlist says ${durationS.toFixed(3)} s`;
  }
  if (startS !== null && decodeS !== null && Math.abs(decodeS - startS) > Math.max(1, durationS)) {
    return `it starts at ${decodeS.toFixed(3)} s, the playlist puts it at ${startS.toFixed(3)} s`;
  }
  return null;
}
