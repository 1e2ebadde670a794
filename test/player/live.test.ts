import { describe, expect, it } from 'vitest';
import type { AbrkitError } from '../../src/core/errors.js';
import { Emitter } from '../../src/core/events.js';
import { parseMediaPlaylist } from '../../src/manifest/media.js';
import type { PlayerEvents } from '../../src/player/events.js';
import type { PlayerLadder } from '../../src/player/ladder.js';
import { LiveController } from '../../src/player/live/controller.js';
import { liveSyncPositionMs, reloadDelayMs } from '../../src/player/live/policy.js';
import {
  LiveTrack,
  isGap,
  placeAgainst,
  programDateTimeAt,
  segmentIndexAt,
} from '../../src/player/live/timeline.js';
import { resolvePlayerOptions } from '../../src/player/options.js';
import type { PlayerOptions } from '../../src/player/options.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';

const ORIGIN_MS = Date.UTC(2026, 11, 5, 12, 0, 0);
const BASE = 'http://live.test/v/index.m3u8';

/**
 * A live window of 2 s segments (numbers `first`..`last`), dated from ORIGIN_MS, a discontinuity every
 * `loop` segments, as the shaping server's live mode writes it.
 */
function windowText(first: number, last: number, { durationS = 2, loop = 1000, dated = true } = {}): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-TARGETDURATION:2',
    `#EXT-X-MEDIA-SEQUENCE:${first}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${Math.floor(Math.max(0, first - 1) / loop)}`,
  ];
  for (let n = first; n <= last; n++) {
    const loopStart = n % loop === 0 && n > 0;
    if (loopStart) lines.push('#EXT-X-DISCONTINUITY');
    if (dated && (n === first || loopStart))
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(ORIGIN_MS + n * durationS * 1000).toISOString()}`);
    lines.push(`#EXTINF:${durationS.toFixed(6)},`, `seg_${n % loop}.m4s?msn=${n}`);
  }
  return `${lines.join('\n')}\n`;
}

const parse = (text: string, url = BASE) => parseMediaPlaylist(text, url);

describe('LiveTrack: live windows merged into one growing timeline', () => {
  it('appends what each reload adds, keeps indices by media sequence number, and the window start', () => {
    const track = new LiveTrack(BASE, 2000, 10, 0);
    expect(track.merge(parse(windowText(10, 14)), 0, () => 0)).toBe(5);
    expect(track.merge(parse(windowText(12, 16)), 2000, () => 0)).toBe(2);
    expect(track.merge(parse(windowText(12, 16)), 3000, () => 0)).toBe(0);
    expect(track.segments.map((s) => [s.index, s.sequenceNumber, s.startMs])).toEqual([
      [0, 10, 0],
      [1, 11, 2000],
      [2, 12, 4000],
      [3, 13, 6000],
      [4, 14, 8000],
      [5, 15, 10_000],
      [6, 16, 12_000],
    ]);
    expect(track.totalDurationMs).toBe(14_000);
    expect(track.windowStartMs).toBe(4000);
    expect(track.lastGrowthMs).toBe(2000);
    expect(track.bySequence(15)?.uri).toBe('http://live.test/v/seg_15.m4s?msn=15');
    // dates carried by duration from the window's first dated segment
    expect(track.bySequence(16)?.programDateTimeMs).toBe(ORIGIN_MS + 32_000);
  });

  it('keeps segments the window slid past unseen as gaps, timed by their dates', () => {
    const track = new LiveTrack(BASE, 2000, 0, 0);
    track.merge(parse(windowText(0, 3)), 0, () => 0);
    // reloads failed for a while: 4..6 left the window unseen
    expect(track.merge(parse(windowText(7, 9)), 9000, () => 0)).toBe(6);
    expect(track.segments.slice(4).map((s) => [s.sequenceNumber, s.startMs, isGap(s)])).toEqual([
      [4, 8000, true],
      [5, 10_000, true],
      [6, 12_000, true],
      [7, 14_000, false],
      [8, 16_000, false],
      [9, 18_000, false],
    ]);
  });

  it('places another track by program date-time, else by media sequence number', () => {
    const video = new LiveTrack(BASE, 2000, 20, 0);
    video.merge(parse(windowText(20, 25)), 0, () => 0);
    // audio numbered differently (other segment durations), placed by date: its segment 30 starts at 60 s
    const audioText = windowText(30, 34, { durationS: 2 }).replaceAll('seg_', 'a_');
    const audio = parse(audioText, 'http://live.test/a/index.m3u8');
    expect(placeAgainst(audio.segments[0]!, video)).toBe(60_000 - 40_000);
    const undated = parse(windowText(22, 24, { dated: false }));
    expect(placeAgainst(undated.segments[0]!, video)).toBe(4000);
    expect(placeAgainst(undated.segments[0]!, null)).toBe(0);
  });

  it('finds the segment at a position and the date there', () => {
    const track = new LiveTrack(BASE, 2000, 5, 0);
    track.merge(parse(windowText(5, 9)), 0, () => 100);
    expect(segmentIndexAt(track, 99)).toBe(-1);
    expect(segmentIndexAt(track, 100)).toBe(0);
    expect(segmentIndexAt(track, 4099.5)).toBe(1);
    expect(segmentIndexAt(track, 1e9)).toBe(4);
    expect(programDateTimeAt(track, 2600)).toBe(ORIGIN_MS + 12_500);
    const undated = new LiveTrack(BASE, 2000, 5, 0);
    undated.merge(parse(windowText(5, 9, { dated: false })), 0, () => 0);
    expect(programDateTimeAt(undated, 2600)).toBeNull();
  });
});

describe('live policy', () => {
  it('reloads after a target duration, half of it when unchanged, less the time the reload took; backs off on failure', () => {
    expect(reloadDelayMs(2000, true, 0, 300)).toBe(1700);
    expect(reloadDelayMs(2000, false, 0, 300)).toBe(700);
    expect(reloadDelayMs(2000, false, 0, 5000)).toBe(0);
    expect([1, 2, 3, 4, 5, 6].map((n) => reloadDelayMs(2000, false, n, 0))).toEqual([
      1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect(reloadDelayMs(10_000, false, 5, 0)).toBe(10_000);
  });

  it('starts the sync duration behind the edge, not before the window', () => {
    expect(liveSyncPositionMs(30_000, 6000, 0)).toBe(24_000);
    expect(liveSyncPositionMs(5000, 6000, 1000)).toBe(1000);
  });
});

/** A live server on a virtual clock: segment n (2 s) is listed once it ended, in a 10 s window. */
class FakeServer {
  requests: { url: string; atMs: number }[] = [];
  failNext = 0;
  frozenAtMs: number | null = null;
  /** From this clock time on, the playlist ends (ENDLIST) with the segments out by then. */
  endAtMs: number | null = null;
  constructor(
    readonly clock: VirtualClock,
    readonly startMs: number,
  ) {}

  /** Media sequence number of the newest available segment at clock time `t`. */
  lastAt(t: number): number {
    return Math.floor((this.startMs + t) / 2000) - 1;
  }

  readonly fetch = ((input: RequestInfo | URL) => {
    const url = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
    const t = this.clock.nowMs();
    this.requests.push({ url, atMs: t });
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.resolve(new Response('busy', { status: 503 }));
    }
    const ended = this.endAtMs !== null && t >= this.endAtMs;
    const last = this.lastAt(ended ? this.endAtMs! : (this.frozenAtMs ?? t));
    const text = windowText(Math.max(0, last - 4), last) + (ended ? '#EXT-X-ENDLIST\n' : '');
    return Promise.resolve(new Response(text));
  }) as typeof fetch;
}

interface Harness {
  clock: VirtualClock;
  server: FakeServer;
  controller: LiveController;
  video: { currentTime: number; playbackRate: number; paused: boolean; readyState: number; seeking: boolean };
  events: { latency: PlayerEvents['latency'][]; loadRetry: PlayerEvents['loadRetry'][] };
  fatal: AbrkitError[];
  seeks: number[];
  ends: number[];
  wallMs: () => number;
  /** Advances the virtual clock to `untilMs`, letting the fetches' promises settle on the way. */
  advance(untilMs: number): Promise<void>;
}

async function harness(options: PlayerOptions = {}): Promise<Harness> {
  const clock = new VirtualClock(0);
  // the stream has run 30 s when the player starts at clock 0 (wall clock = ORIGIN_MS + 30 s + clock)
  const server = new FakeServer(clock, 30_000);
  const wallMs = (): number => ORIGIN_MS + 30_000 + clock.nowMs();
  const first = parse(await (await server.fetch(BASE)).text());
  const ladder: PlayerLadder = {
    renditions: [
      { index: 0, bitrateKbps: 500, presentationIndex: 0, playlist: first, mimeType: 'video/mp4' },
      {
        index: 1,
        bitrateKbps: 1500,
        presentationIndex: 1,
        playlist: parse(await (await server.fetch(BASE)).text(), 'http://live.test/w/index.m3u8'),
        mimeType: 'video/mp4',
      },
    ],
    audio: null,
    segmentCount: first.segments.length,
    segmentDurationMs: 2000,
    durationMs: first.totalDurationMs,
  };
  server.requests = [];
  const emitter = new Emitter<PlayerEvents>();
  const events: Harness['events'] = { latency: [], loadRetry: [] };
  emitter.on('latency', (l) => events.latency.push(l));
  emitter.on('loadRetry', (r) => events.loadRetry.push(r));
  const fatal: AbrkitError[] = [];
  const seeks: number[] = [];
  const ends: number[] = [];
  // the playhead where the player starts it (syncPositionMs, checked below)
  const video = { currentTime: 4, playbackRate: 1, paused: false, readyState: 4, seeking: false };
  const controller = new LiveController(
    ladder,
    {
      clock,
      options: resolvePlayerOptions(options),
      video: video as unknown as HTMLMediaElement,
      fetchOptions: {
        clock,
        retry: { baseDelayMs: 0, maxDelayMs: 0, maxTotalMs: 0, maxRetries: 0 },
        random: () => 0,
        timeoutMs: 10_000,
        signal: new AbortController().signal,
        fetchImpl: server.fetch,
      },
      emitter,
      fail: (e) => fatal.push(e),
      seek: (s) => seeks.push(s),
      endOfStream: () => ends.push(clock.nowMs()),
      bufferLevelMs: () => 4000,
      wallClockMs: wallMs,
    },
    BASE,
  );
  const mediaSource = { readyState: 'open', duration: Number.NaN, setLiveSeekableRange: () => {} };
  controller.start(mediaSource as unknown as MediaSource);
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 8; i++) await new Promise((r) => setImmediate(r));
  };
  return {
    clock,
    server,
    controller,
    video,
    events,
    fatal,
    seeks,
    ends,
    wallMs,
    advance: async (untilMs) => {
      for (let t = clock.nowMs(); t <= untilMs; t += 50) {
        clock.run(t);
        await settle();
      }
    },
  };
}

describe('LiveController', () => {
  it('starts the target latency behind live, by program date-time', async () => {
    const h = await harness();
    // at clock 0 the wall clock is 30 s after the origin: segments 0..14 exist, the window lists 10..14,
    // which start at 0 on the timeline (segment 10 = 20 s after the origin); live is at 10 s on it
    expect(h.controller.liveEdgeMs()).toBe(10_000);
    expect(h.controller.targetLatencyMs).toBe(6000);
    expect(h.controller.syncPositionMs()).toBe(4000);
    const m = h.controller.measure();
    expect(m.latencyMs).toBe(6000);
    expect(m.programDateTimeMs).toBe(ORIGIN_MS + 24_000);
    expect(m.liveEdgeS).toBe(10);
  });

  it('reloads every target duration when the playlist grows, half of it when not', async () => {
    const h = await harness();
    h.server.frozenAtMs = null;
    await h.advance(8000);
    const times = [...new Set(h.server.requests.map((r) => r.atMs))];
    // the first reload one target duration after start, then each found a new segment
    expect(times.slice(0, 4)).toEqual([2000, 4000, 6000, 8000]);
    // both renditions' playlists each time
    expect(h.server.requests.filter((r) => r.atMs === 2000)).toHaveLength(2);
    h.server.frozenAtMs = 8000;
    await h.advance(12_000);
    const later = [...new Set(h.server.requests.map((r) => r.atMs))].filter((t) => t > 8000);
    // the reload at 8 s still grew it: one target duration, then half of it while frozen
    expect(later).toEqual([10_000, 11_000, 12_000]);
  });

  it('reports a failed reload as a recoverable loadRetry and backs off', async () => {
    const h = await harness();
    h.server.failNext = 6; // three reloads of both playlists fail
    await h.advance(12_000);
    expect(h.events.loadRetry.length).toBe(6);
    expect(h.events.loadRetry.map((r) => [r.error.code, r.error.fatal, r.attempt])).toEqual([
      ['HTTP_503', false, 1],
      ['HTTP_503', false, 1],
      ['HTTP_503', false, 2],
      ['HTTP_503', false, 2],
      ['HTTP_503', false, 3],
      ['HTTP_503', false, 3],
    ]);
    const times = [...new Set(h.server.requests.map((r) => r.atMs))];
    // 2 s, then 1 s, 2 s, 4 s of backoff, then every target duration again
    expect(times.slice(0, 5)).toEqual([2000, 3000, 5000, 9000, 11_000]);
    expect(h.fatal).toEqual([]);
  });

  it('tells the session a segment is ready once a reload lists it', async () => {
    const h = await harness();
    const live = h.controller.sessionLive(2);
    // listed: at once
    let ready = 0;
    live.whenAvailable(2, () => ready++);
    expect(ready).toBe(1);
    // index 5 (segment 15) ends at clock 2 s and is listed by the reload then
    let readyAtMs: number | null = null;
    live.whenAvailable(3, () => (readyAtMs = h.clock.nowMs()));
    expect(readyAtMs).toBeNull();
    const cancelled = live.whenAvailable(4, () => {
      throw new Error('cancelled: never called');
    });
    cancelled();
    await h.advance(5000);
    expect(readyAtMs).toBe(2000);
    // the session's timeline starts at its first segment (index 2, at 4 s)
    expect(live.liveEdgeMs(0)).toBe(h.controller.liveEdgeMs() - 4000);
    expect(live.targetLatencyMs).toBe(6000);
  });

  it('fails with LIVE_STREAM_STALLED when no playlist grows for liveStallTimeoutMs', async () => {
    const h = await harness({ liveStallTimeoutMs: 5000 });
    h.server.frozenAtMs = 0;
    await h.advance(4900);
    expect(h.fatal).toEqual([]);
    await h.advance(6000);
    expect(h.fatal.map((e) => [e.code, e.category, e.fatal])).toEqual([
      ['LIVE_STREAM_STALLED', 'network', true],
    ]);
    expect(h.fatal[0]!.message).toContain('liveStallTimeoutMs: 5000');
    const requests = h.server.requests.length;
    await h.advance(10_000);
    expect(h.server.requests.length).toBe(requests);
  });

  it('jumps back to the target when the latency exceeds liveMaxLatencyMs, and emits latency', async () => {
    const h = await harness({ liveMaxLatencyMs: 9000 });
    await h.advance(2900);
    expect(h.seeks).toEqual([]);
    // measured twice a second: the last at 2.5 s, with the playhead still at 4 s
    expect(h.events.latency.at(-1)!.latencyMs).toBe(6000 + 2500);
    await h.advance(3600);
    // at 3.5 s the latency (9.5 s) passed 9 s: back to 6 s behind live (at 13.5 s on the timeline)
    expect(h.seeks).toEqual([7.5]);
  });

  it('plays a stream that ends (ENDLIST on a reload) to its last segment, then hands over the end', async () => {
    const h = await harness({ liveStallTimeoutMs: 5000 });
    const live = h.controller.sessionLive(0);
    h.server.endAtMs = 4500; // segments up to 16 (index 6) are out then; the reload at 6 s sees ENDLIST
    let readyLast = false;
    live.whenAvailable(6, () => (readyLast = true));
    let readyBeyond = false;
    live.whenAvailable(7, () => (readyBeyond = true));
    await h.advance(6500);
    expect(h.controller.ended).toBe(true);
    expect(readyLast).toBe(true);
    // the segment after the last never comes: the player is told the stream ended, once
    expect(readyBeyond).toBe(false);
    expect(h.ends).toHaveLength(1);
    live.whenAvailable(8, () => (readyBeyond = true));
    await h.advance(7000);
    expect(h.ends).toHaveLength(1);
    // no reload after the one that saw ENDLIST, and no stall error long after the last growth
    const requests = h.server.requests.length;
    await h.advance(20_000);
    expect(h.server.requests.length).toBe(requests);
    expect(h.fatal).toEqual([]);
    expect(h.seeks).toEqual([]);
  });

  it('frees segments behind the playhead and the window: a long session keeps a bounded timeline', async () => {
    const h = await harness({ liveStallTimeoutMs: 600_000 });
    const track = h.controller.ladder.renditions[0]!.playlist as LiveTrack;
    const live = h.controller.sessionLive(0);
    for (let t = 0; t <= 600_000; t += 1000) {
      // the playhead follows live at the target latency
      h.video.currentTime = (h.controller.liveEdgeMs() - 6000) / 1000;
      await h.advance(t);
    }
    // ten minutes of 2 s segments listed, indices still media sequence numbers
    expect(track.segments.length).toBeGreaterThan(300);
    const last = track.segments.at(-1)!;
    expect(track.bySequence(last.sequenceNumber)).toBe(last);
    // but only the window, what plays and the margin are kept
    const kept = track.segments.filter((s) => !isGap(s));
    expect(kept.length).toBeLessThan(15);
    expect(track.trimmedBefore).toBeGreaterThan(280);
    // what plays is still found by time, and its date
    const positionMs = h.video.currentTime * 1000;
    const at = track.segments[segmentIndexAt(track, positionMs)]!;
    expect(isGap(at)).toBe(false);
    expect(programDateTimeAt(track, positionMs)).not.toBeNull();
    // a listed segment is still ready at once, and no error or jump came of it
    let ready = false;
    live.whenAvailable(track.segments.length - 1, () => (ready = true));
    expect(ready).toBe(true);
    expect(h.fatal).toEqual([]);
    expect(h.seeks).toEqual([]);
  });

  it('refuses a maximum latency not above the target, naming the option', async () => {
    await expect(harness({ liveSyncDurationMs: 8000, liveMaxLatencyMs: 8000 })).rejects.toMatchObject({
      code: 'OPTION_OUT_OF_RANGE',
      data: { option: 'liveMaxLatencyMs', source: BASE },
    });
  });
});

describe('live options', () => {
  it('are checked like the others, naming the option', () => {
    const o = resolvePlayerOptions({});
    expect([o.liveSyncDurationMs, o.liveMaxLatencyMs, o.liveMaxPlaybackRate, o.liveStallTimeoutMs]).toEqual([
      null,
      null,
      1.1,
      30_000,
    ]);
    expect(resolvePlayerOptions({ liveSyncDurationMs: 4000 }).liveSyncDurationMs).toBe(4000);
    expect(() => resolvePlayerOptions({ liveSyncDurationMs: -1 })).toThrow(
      /^liveSyncDurationMs: must be a finite number > 0, got -1$/,
    );
    expect(() => resolvePlayerOptions({ liveMaxPlaybackRate: 2.5 })).toThrow(
      /^liveMaxPlaybackRate: must be in \[1, 2\], got 2.5$/,
    );
    expect(() => resolvePlayerOptions({ liveStallTimeoutMs: Number.NaN })).toThrow(/^liveStallTimeoutMs:/);
    expect(() => resolvePlayerOptions({ liveMaxLatencyMs: '9' as unknown as number })).toThrow(
      /^liveMaxLatencyMs: must be a finite number > 0, got a string/,
    );
  });
});
