/**
 * The live timeline: the sliding windows of a live presentation's media playlists (RFC 8216 §6.2.2) merged,
 * reload after reload, into one growing list of segments per track, on one time axis shared by every
 * track and by the media element.
 *
 * A track's segment at position `i` of its list has media sequence number `baseSequence + i` for ever, so
 * the player's segment indices (and the session's) stay valid while the window slides. Time: the first
 * segment of the first video playlist starts at 0; a segment seen later continues the one before it
 * (`startMs + durationMs`); the first segment of another track is placed by EXT-X-PROGRAM-DATE-TIME against
 * a segment already placed, else by its media sequence number (tracks of one stream are numbered alike,
 * hls.js aligns them the same way). When a reload skips segments (the window slid past them while reloads
 * failed) the missing ones are kept as gaps: `isGap` says they can never be fetched.
 *
 * The element plays this axis: the player sets each discontinuity sequence's `timestampOffset` so that a
 * segment's media lands at its `startMs` (see `liveTimelineOffsets`).
 */
import type { MediaPlaylist, MediaSegment } from '../../manifest/model.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const gaps = new WeakSet<MediaSegment>();

/** True for a segment a reload skipped: listed for its index only, never fetched. */
export function isGap(segment: MediaSegment | undefined): boolean {
  return segment !== undefined && gaps.has(segment);
}

/**
 * What a trimmed segment's slot holds (one object for all): a gap starting at −∞, so searches by time and
 * by index stay valid while the segment's own object (URI, dates, ranges) is freed.
 */
const TRIMMED: MediaSegment = {
  index: -1,
  sequenceNumber: -1,
  uri: '',
  durationMs: 0,
  startMs: Number.NEGATIVE_INFINITY,
  discontinuity: false,
  discontinuitySequence: 0,
  line: 0,
};
gaps.add(TRIMMED);

/** Where a segment that starts a track (or follows a gap in an empty one) goes on the axis, ms. */
export type Placement = (segment: MediaSegment) => number;

/** One track's merged segments, shaped as a `MediaPlaylist` whose `segments` grow. */
export class LiveTrack implements MediaPlaylist {
  readonly type = 'live' as const;
  readonly endList = false;
  readonly segments: MediaSegment[] = [];
  readonly discontinuitySequence = 0;
  /** When a reload last added a segment, ms on the player's clock. */
  lastGrowthMs: number;
  /** Start of the first segment the last reload listed (the server's window), ms on the axis. */
  windowStartMs = 0;

  /**
   * `mediaSequence`: the media sequence number of `segments[0]` (segments listed before it are ignored); the
   * video renditions share one, so that one index is one segment in all of them.
   */
  constructor(
    public uri: string,
    public targetDurationMs: number,
    readonly mediaSequence: number,
    nowMs: number,
  ) {
    this.lastGrowthMs = nowMs;
  }

  /** Index of the first segment not trimmed. */
  trimmedBefore = 0;

  /**
   * Frees the segments that end before `beforeMs` (behind the playhead and the server's window: never played
   * or fetched again), so a long session keeps a bounded number of segment objects; their slots keep one
   * shared placeholder (8 bytes each), so indices stay media sequence numbers. Returns how many it freed.
   */
  trim(beforeMs: number): number {
    const segments = this.segments;
    const from = this.trimmedBefore;
    let i = from;
    while (i < segments.length - 1 && segments[i]!.startMs + segments[i]!.durationMs <= beforeMs) {
      segments[i] = TRIMMED;
      i++;
    }
    this.trimmedBefore = i;
    return i - from;
  }

  /** End of the last segment listed: the live edge of this track, ms. */
  get totalDurationMs(): number {
    const last = this.segments[this.segments.length - 1];
    return last ? last.startMs + last.durationMs : 0;
  }

  /** The segment with media sequence number `sequence`, if listed. */
  bySequence(sequence: number): MediaSegment | undefined {
    return this.segments[sequence - this.mediaSequence];
  }

  /**
   * Adds what `playlist` lists beyond the last known segment; returns how many segments were added (gaps
   * included). A playlist older than what is known adds nothing. `place` puts the first segment of a track
   * still empty.
   */
  merge(playlist: MediaPlaylist, nowMs: number, place: Placement): number {
    this.uri = playlist.uri;
    this.targetDurationMs = playlist.targetDurationMs;
    const before = this.segments.length;
    const nextSequence = this.mediaSequence + before;
    const fresh = playlist.segments.filter((s) => s.sequenceNumber >= nextSequence);
    const first = fresh[0];
    const windowHead = playlist.segments.find((s) => s.sequenceNumber >= this.mediaSequence);
    if (!first) {
      if (windowHead) this.windowStartMs = this.bySequence(windowHead.sequenceNumber)?.startMs ?? 0;
      return 0;
    }
    const last = this.segments[before - 1];
    const missing = first.sequenceNumber - nextSequence;
    let startMs: number;
    if (!last) startMs = place(first);
    else if (first.programDateTimeMs !== undefined && last.programDateTimeMs !== undefined && missing > 0)
      startMs = last.startMs + first.programDateTimeMs - last.programDateTimeMs;
    else startMs = last.startMs + last.durationMs + missing * playlist.targetDurationMs;
    // the window slid past segments never seen: kept as gaps, spread over the time they must have taken
    const gapStartMs = last ? last.startMs + last.durationMs : startMs - missing * playlist.targetDurationMs;
    for (let k = 0; k < missing; k++) {
      const eachMs = (startMs - gapStartMs) / missing;
      const gap: MediaSegment = {
        index: before + k,
        sequenceNumber: nextSequence + k,
        uri: '',
        durationMs: eachMs,
        startMs: gapStartMs + k * eachMs,
        discontinuity: false,
        discontinuitySequence: first.discontinuitySequence,
        line: 0,
      };
      gaps.add(gap);
      this.segments.push(gap);
    }
    let t = startMs;
    for (const s of fresh) {
      const copy: Mutable<MediaSegment> = { ...s, index: this.segments.length, startMs: t };
      this.segments.push(copy);
      t += s.durationMs;
    }
    if (windowHead) this.windowStartMs = this.bySequence(windowHead.sequenceNumber)?.startMs ?? 0;
    this.lastGrowthMs = nowMs;
    return this.segments.length - before;
  }
}

/**
 * Places `segment` (the first of a track) against `reference`, a track already placed: by program
 * date-time when both carry one, else by media sequence number, else right after its last segment.
 */
export function placeAgainst(segment: MediaSegment, reference: LiveTrack | null): number {
  if (!reference || reference.segments.length === 0) return 0;
  if (segment.programDateTimeMs !== undefined) {
    const dated = reference.segments.find((s) => s.programDateTimeMs !== undefined && !isGap(s));
    if (dated) return dated.startMs + segment.programDateTimeMs - dated.programDateTimeMs!;
  }
  const same = reference.bySequence(segment.sequenceNumber);
  if (same) return same.startMs;
  const head = reference.segments[0]!;
  return head.startMs + (segment.sequenceNumber - reference.mediaSequence) * reference.targetDurationMs;
}

/** The segment of `track` that plays at `positionMs` (the last one starting at or before it), or -1. */
export function segmentIndexAt(track: MediaPlaylist, positionMs: number): number {
  const segments = track.segments;
  let lo = 0;
  let hi = segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid]!.startMs <= positionMs + 1e-6) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * The wall-clock time (epoch ms) of what plays at `positionMs`, from the program date-time of the segment
 * there (or the nearest dated one before it), or null when the playlists carry no date.
 */
export function programDateTimeAt(track: MediaPlaylist, positionMs: number): number | null {
  for (let i = segmentIndexAt(track, positionMs); i >= 0; i--) {
    const s = track.segments[i]!;
    if (s.programDateTimeMs !== undefined && !isGap(s)) return s.programDateTimeMs + positionMs - s.startMs;
  }
  return null;
}
