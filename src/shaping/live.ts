/**
 * The live timeline of the shaping server's live mode: a VOD media playlist looped forever, and the sliding
 * window of it a live media playlist shows at a given time (RFC 8216 §6.2.2). String and number work only;
 * live-source.ts reads the ladder and answers requests with it.
 *
 * Timeline: the stream starts at live time 0 (epoch `originEpochMs`). Live segment `msn` (its media sequence
 * number) is VOD segment `i = msn mod N` of loop `k = floor(msn / N)`; it starts at `k·loop + start(i)` and
 * becomes available when it ends, at `k·loop + start(i) + duration(i)` (segment i of the first loop at
 * t0 + (i+1)·duration for equal durations). Each loop after the first starts with `#EXT-X-DISCONTINUITY`
 * (the media timestamps start again), so segment `msn` has discontinuity sequence `k`.
 *
 * The window at elapsed time `e` holds the last available segments, as few as make at least `windowMs`
 * (all of them early on), with `#EXT-X-MEDIA-SEQUENCE`, `#EXT-X-DISCONTINUITY-SEQUENCE` (the discontinuities
 * that left the window), `#EXT-X-PROGRAM-DATE-TIME` on its first segment and after each discontinuity
 * (`originEpochMs` + the segment's start), and no `#EXT-X-ENDLIST`.
 */

/** One segment of the VOD playlist being looped. Paths are decoded and relative to the served root. */
export interface LoopSegment {
  readonly path: string;
  readonly durationMs: number;
  readonly byteRange?: { readonly offsetBytes: number; readonly lengthBytes: number };
  readonly init?: {
    readonly path: string;
    readonly byteRange?: { readonly offsetBytes: number; readonly lengthBytes: number };
  };
}

/** A VOD media playlist to loop, as live-source.ts read it. */
export interface LoopPlaylist {
  /** The playlist's path under the root, decoded, without a leading slash (e.g. `144p/index.m3u8`). */
  readonly path: string;
  readonly targetDurationMs: number;
  readonly version?: number;
  readonly segments: readonly LoopSegment[];
}

/** Times of a looped playlist's live segments, in ms of live time (0 = the stream's start). */
export class LiveTimeline {
  /** End of segment i within a loop. */
  private readonly endsMs: number[];
  /** Length of one loop. */
  readonly loopMs: number;
  readonly segmentCount: number;

  constructor(private readonly durationsMs: readonly number[]) {
    if (durationsMs.length === 0) throw new RangeError('LiveTimeline: no segments');
    let t = 0;
    this.endsMs = durationsMs.map((d) => (t += d));
    this.loopMs = t;
    this.segmentCount = durationsMs.length;
  }

  /** The VOD segment a live segment plays, and its loop. */
  locate(msn: number): { readonly loop: number; readonly index: number } {
    const loop = Math.floor(msn / this.segmentCount);
    return { loop, index: msn - loop * this.segmentCount };
  }

  durationMs(msn: number): number {
    return this.durationsMs[this.locate(msn).index]!;
  }

  /** When segment `msn` ends, which is when it becomes available. */
  availableAtMs(msn: number): number {
    const { loop, index } = this.locate(msn);
    return loop * this.loopMs + this.endsMs[index]!;
  }

  startMs(msn: number): number {
    return this.availableAtMs(msn) - this.durationMs(msn);
  }

  /** How many segments are available at `elapsedMs` (their msns are 0 .. count − 1). */
  availableCount(elapsedMs: number): number {
    if (!(elapsedMs >= 0)) return 0;
    const loop = Math.floor(elapsedMs / this.loopMs);
    const restMs = elapsedMs - loop * this.loopMs;
    // segments of this loop whose end ≤ restMs (1e-6 ms of slack for the float sums)
    let lo = 0;
    let hi = this.segmentCount;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.endsMs[mid]! <= restMs + 1e-6) lo = mid + 1;
      else hi = mid;
    }
    return loop * this.segmentCount + lo;
  }

  /** The first msn of the window ending with segment `lastMsn`: as few segments as make ≥ `windowMs`. */
  windowStart(lastMsn: number, windowMs: number): number {
    let first = lastMsn;
    let totalMs = this.durationMs(first);
    while (first > 0 && totalMs < windowMs - 1e-6) totalMs += this.durationMs(--first);
    return first;
  }

  /** Discontinuities (loop starts) before segment `msn`: EXT-X-DISCONTINUITY-SEQUENCE of a window from it. */
  discontinuitiesBefore(msn: number): number {
    return msn <= 0 ? 0 : Math.floor((msn - 1) / this.segmentCount);
  }
}

/** A live media playlist at one time: its text and the msns it lists. */
export interface LiveWindow {
  readonly text: string;
  readonly firstMsn: number;
  readonly lastMsn: number;
}

/**
 * The live media playlist of `playlist` at live time `elapsedMs`, or null when no segment is available yet.
 * Segment URIs are relative to the playlist's folder when under it (root-absolute otherwise) and carry
 * `?msn=<media sequence number>`, which the server reads to answer (or refuse) the request.
 */
export function renderLiveWindow(
  playlist: LoopPlaylist,
  timeline: LiveTimeline,
  elapsedMs: number,
  windowMs: number,
  originEpochMs: number,
): LiveWindow | null {
  const count = timeline.availableCount(elapsedMs);
  if (count === 0) return null;
  const lastMsn = count - 1;
  const firstMsn = timeline.windowStart(lastMsn, windowMs);
  const dir = playlist.path.includes('/') ? playlist.path.slice(0, playlist.path.lastIndexOf('/') + 1) : '';
  const uriOf = (path: string): string =>
    (path.startsWith(dir) ? path.slice(dir.length) : `/${path}`)
      .split('/')
      .map((s) => encodeURIComponent(s))
      .join('/');
  const range = (r: { offsetBytes: number; lengthBytes: number }): string =>
    `${r.lengthBytes}@${r.offsetBytes}`;
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${Math.max(playlist.version ?? 3, 3)}`,
    `#EXT-X-TARGETDURATION:${Math.round(playlist.targetDurationMs / 1000)}`,
    `#EXT-X-MEDIA-SEQUENCE:${firstMsn}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${timeline.discontinuitiesBefore(firstMsn)}`,
  ];
  let mapKey: string | null = null;
  for (let msn = firstMsn; msn <= lastMsn; msn++) {
    const { index } = timeline.locate(msn);
    const segment = playlist.segments[index]!;
    const loopStart = index === 0 && msn > 0;
    if (loopStart) lines.push('#EXT-X-DISCONTINUITY');
    if (msn === firstMsn || loopStart)
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${isoTime(originEpochMs + timeline.startMs(msn))}`);
    const init = segment.init;
    const key = init === undefined ? '' : `${init.path} ${init.byteRange ? range(init.byteRange) : ''}`;
    if (init !== undefined && (key !== mapKey || loopStart))
      lines.push(
        `#EXT-X-MAP:URI="${uriOf(init.path)}"${init.byteRange ? `,BYTERANGE="${range(init.byteRange)}"` : ''}`,
      );
    mapKey = key;
    lines.push(`#EXTINF:${(segment.durationMs / 1000).toFixed(6)},`);
    if (segment.byteRange !== undefined) lines.push(`#EXT-X-BYTERANGE:${range(segment.byteRange)}`);
    lines.push(`${uriOf(segment.path)}?msn=${msn}`);
  }
  return { text: `${lines.join('\n')}\n`, firstMsn, lastMsn };
}

/** ISO 8601 with milliseconds and Z, as EXT-X-PROGRAM-DATE-TIME takes it. */
function isoTime(epochMs: number): string {
  return new Date(Math.round(epochMs)).toISOString();
}
