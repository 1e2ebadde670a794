/**
 * The shaping server's live mode (src/shaping/live*.ts): the looped timeline, the sliding-window playlists
 * (parsed back by src/manifest), availability 404s, the live faults, the request log, and the refusals.
 * The live clock is injected (`live.nowMs`), so nothing sleeps; the trace is fast so pacing is quick.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { M3U8Parser } from 'hls.js';
import type { PlaylistLevelType } from 'hls.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAbrkitError } from '../../src/core/errors.js';
import { parseMediaPlaylist } from '../../src/manifest/index.js';
import {
  LiveTimeline,
  createLiveFaultPlan,
  parseLiveFaultSpec,
  renderLiveWindow,
  startShapingServer,
  type LoopPlaylist,
  type ShapingServer,
} from '../../src/shaping/index.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { timedRequest } from './helpers.js';

const LADDER = resolve(REPO_ROOT, 'fixtures/ladder');
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const FAST = 'constant:500000,latencyMs=1';

/** PROGRAM-DATE-TIME values of a playlist text, with the msn of the segment each precedes. */
function programDateTimes(text: string): { msn: number; epochMs: number }[] {
  const out: { msn: number; epochMs: number }[] = [];
  let pending: number | null = null;
  for (const line of text.split('\n')) {
    const m = /^#EXT-X-PROGRAM-DATE-TIME:(.+)$/.exec(line);
    if (m) pending = Date.parse(m[1]!);
    const uri = /\?msn=(\d+)$/.exec(line);
    if (uri && pending !== null) {
      out.push({ msn: Number(uri[1]), epochMs: pending });
      pending = null;
    }
  }
  return out;
}

describe('LiveTimeline', () => {
  const t = new LiveTimeline([2000, 2000, 1000]);
  it('makes segment i of loop k available at k·loop + the end of i', () => {
    expect(t.loopMs).toBe(5000);
    expect([0, 1, 2, 3, 5].map((msn) => t.availableAtMs(msn))).toEqual([2000, 4000, 5000, 7000, 10_000]);
    expect(t.startMs(3)).toBe(5000);
    expect(t.locate(7)).toEqual({ loop: 2, index: 1 });
  });
  it('counts the segments available at a time, the edges included', () => {
    expect([-1, 0, 1999, 2000, 4999, 5000, 7000, 9999].map((e) => t.availableCount(e))).toEqual([
      0, 0, 0, 1, 2, 3, 4, 5,
    ]);
  });
  it('opens the window as few segments back as make the window length', () => {
    // msn 10 is segment 1 (2000 ms), msn 9 segment 0 (2000 ms), msn 8 segment 2 (1000 ms)
    expect(t.windowStart(10, 2000)).toBe(10);
    expect(t.windowStart(10, 4000)).toBe(9);
    expect(t.windowStart(10, 4001)).toBe(8);
    expect(t.windowStart(1, 60_000)).toBe(0);
  });
  it('counts the loop starts before a segment', () => {
    expect([0, 1, 3, 4, 6, 7].map((m) => t.discontinuitiesBefore(m))).toEqual([0, 0, 0, 1, 1, 2]);
  });
});

describe('renderLiveWindow', () => {
  const playlist: LoopPlaylist = {
    path: 'v/index.m3u8',
    targetDurationMs: 2000,
    version: 7,
    segments: [0, 1, 2, 3].map((i) => ({
      path: `v/seg_${i}.m4s`,
      durationMs: 2000,
      init: { path: 'v/init.mp4' },
    })),
  };
  const timeline = new LiveTimeline(playlist.segments.map((s) => s.durationMs));

  it('is null before the first segment is available', () => {
    expect(renderLiveWindow(playlist, timeline, 1999, 6000, T0)).toBeNull();
  });

  it('is a live sliding window that src/manifest reads back: sequence, discontinuities, dates, no ENDLIST', () => {
    // at 11 s: msns 0..4 available (msn 4 = seg_0 of loop 1 ends at 10 s); a 6 s window holds 2, 3, 4
    const w = renderLiveWindow(playlist, timeline, 11_000, 6000, T0)!;
    expect([w.firstMsn, w.lastMsn]).toEqual([2, 4]);
    expect(w.text).not.toContain('ENDLIST');
    const parsed = parseMediaPlaylist(w.text, 'http://h/v/index.m3u8');
    expect(parsed.type).toBe('live');
    expect(parsed.mediaSequence).toBe(2);
    expect(parsed.segments.map((s) => s.uri)).toEqual([
      'http://h/v/seg_2.m4s?msn=2',
      'http://h/v/seg_3.m4s?msn=3',
      'http://h/v/seg_0.m4s?msn=4',
    ]);
    expect(parsed.segments.map((s) => s.discontinuitySequence)).toEqual([0, 0, 1]);
    expect(parsed.segments.map((s) => s.discontinuity)).toEqual([false, false, true]);
    expect(parsed.segments[2]!.initSegment?.uri).toBe('http://h/v/init.mp4');
    expect(programDateTimes(w.text)).toEqual([
      { msn: 2, epochMs: T0 + 4000 },
      { msn: 4, epochMs: T0 + 8000 },
    ]);
  });

  it("is read by hls.js's own parser as a live playlist with the same sequence, dates and discontinuities", () => {
    const w = renderLiveWindow(playlist, timeline, 31_000, 10_000, T0)!;
    const details = M3U8Parser.parseLevelPlaylist(
      w.text,
      'http://h/v/index.m3u8',
      0,
      'main' as PlaylistLevelType,
      0,
      null,
    );
    expect(details.playlistParsingError).toBeNull();
    expect(details.live).toBe(true);
    expect(details.startSN).toBe(w.firstMsn);
    expect(details.endSN).toBe(w.lastMsn);
    expect(details.fragments.map((f) => f.cc)).toEqual([2, 2, 3, 3, 3]);
    expect(details.fragments.map((f) => f.programDateTime)).toEqual(
      [10, 11, 12, 13, 14].map((msn) => T0 + msn * 2000),
    );
    expect(details.fragments[2]!.url).toBe('http://h/v/seg_0.m4s?msn=12');
  });

  it('carries the discontinuity sequence of segments that left the window', () => {
    // at 31 s: msn 0..14 available; a 6 s window holds 12, 13, 14 = loop 3's seg 0, 1, 2
    const w = renderLiveWindow(playlist, timeline, 31_000, 6000, T0)!;
    const parsed = parseMediaPlaylist(w.text, 'http://h/v/index.m3u8');
    expect(parsed.mediaSequence).toBe(12);
    expect(parsed.discontinuitySequence).toBe(2);
    expect(parsed.segments.map((s) => s.discontinuitySequence)).toEqual([3, 3, 3]);
    // a window starting mid-loop after several loops
    const later = parseMediaPlaylist(
      renderLiveWindow(playlist, timeline, 35_000, 6000, T0)!.text,
      'http://h/v/i.m3u8',
    );
    expect(later.segments.map((s) => [s.sequenceNumber, s.discontinuitySequence])).toEqual([
      [14, 3],
      [15, 3],
      [16, 4],
    ]);
  });
});

describe('live fault specs', () => {
  it('reads the compact syntax and refuses bad values with a typed error naming the source', () => {
    expect(parseLiveFaultSpec('stale=1000-2000,stale=5000-6000,playlist5xx=0.1:502,edge404=0.2:500')).toEqual(
      {
        stale: [
          { fromMs: 1000, toMs: 2000 },
          { fromMs: 5000, toMs: 6000 },
        ],
        playlistError: { probability: 0.1, status: 502 },
        edgeMissing: { probability: 0.2, ms: 500 },
      },
    );
    for (const bad of ['stale=2000-1000', 'playlist5xx=2', 'playlist5xx=0.1:404', 'edge404=x', 'foo=1', ''])
      try {
        parseLiveFaultSpec(bad, '--live-faults');
        expect.unreachable(bad);
      } catch (e) {
        expect(isAbrkitError(e) && e.code === 'FAULT_SPEC_INVALID' && e.data.source === '--live-faults').toBe(
          true,
        );
      }
  });

  it('chains touching stale windows and replays draws with the seed', () => {
    const plan = createLiveFaultPlan(parseLiveFaultSpec('stale=1000-2000,stale=2000-3000,stale=5000-6000'));
    expect([999, 1000, 2500, 2999, 3000, 5500].map((t) => plan.staleSince(t))).toEqual([
      null,
      1000,
      1000,
      1000,
      null,
      5000,
    ]);
    const draws = (seed: number): number[] => {
      const p = createLiveFaultPlan({ edgeMissing: { probability: 0.3 } }, seed);
      return Array.from({ length: 200 }, (_, msn) => p.edgeMissingMs('v/index.m3u8', msn, 2000));
    };
    const a = draws(7);
    expect(draws(7)).toEqual(a);
    expect(draws(8)).not.toEqual(a);
    const missed = a.filter((ms) => ms === 2000).length;
    expect(missed).toBeGreaterThan(35);
    expect(missed).toBeLessThan(85);
  });
});

describe('startShapingServer({ live }) on the fixture ladder', () => {
  let now = T0;
  let server: ShapingServer;
  beforeAll(async () => {
    server = await startShapingServer({
      root: LADDER,
      trace: FAST,
      live: { startS: 45, windowS: 10, nowMs: () => now },
    });
  });
  afterAll(() => server.close());
  const get = (path: string): ReturnType<typeof timedRequest> => timedRequest(`${server.url}${path}`);

  it('loops every media playlist the master names, each on its own durations', () => {
    const live = server.live!;
    expect(live.playlists.map((p) => p.path).sort()).toEqual([
      '144p/index.m3u8',
      '240p/index.m3u8',
      '360p/index.m3u8',
      '480p/index.m3u8',
      'audio/index.m3u8',
    ]);
    expect(live.playlists.find((p) => p.path === '144p/index.m3u8')!.loopMs).toBe(40_000);
    expect(live.originEpochMs).toBe(T0 - 45_000);
  });

  it('serves the window of the time of the request, and it slides as the live clock moves', async () => {
    now = T0;
    const first = await get('/144p/index.m3u8');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    const a = parseMediaPlaylist(first.body.toString(), `${server.url}/144p/index.m3u8`);
    // 45 s into the stream: msns 0..21 are out (msn 21 ends at 44 s); a 10 s window = msn 17..21
    expect(a.mediaSequence).toBe(17);
    expect(a.segments.map((s) => s.sequenceNumber)).toEqual([17, 18, 19, 20, 21]);
    expect(a.segments[3]!.discontinuity).toBe(true);
    expect(programDateTimes(first.body.toString())[0]).toEqual({ msn: 17, epochMs: T0 - 45_000 + 34_000 });
    now = T0 + 3500;
    const b = parseMediaPlaylist((await get('/144p/index.m3u8')).body.toString(), `${server.url}/x.m3u8`);
    expect(b.segments.map((s) => s.sequenceNumber)).toEqual([19, 20, 21, 22, 23]); // 48.5 s: msn 23 ended at 48 s
  });

  it('answers a segment 404 until it is available, then the VOD file it loops', async () => {
    now = T0; // edge: msn 21 (available at 44 s); msn 22 at 46 s
    const early = await get('/144p/seg_00002.m4s?msn=22');
    expect(early.status).toBe(404);
    expect(early.body.toString()).toContain('available in 1000 ms');
    now = T0 + 1000;
    const ready = await get('/144p/seg_00002.m4s?msn=22');
    expect(ready.status).toBe(200);
    expect(ready.body.equals(readFileSync(join(LADDER, '144p/seg_00002.m4s')))).toBe(true);
    // a msn that is not this file, and the file without msn (served as in VOD)
    expect((await get('/144p/seg_00003.m4s?msn=22')).status).toBe(404);
    expect((await get('/144p/seg_00019.m4s')).status).toBe(200);
    expect((await get('/master.m3u8')).status).toBe(200);
    const logged = server.requests.filter((r) => r.url.startsWith('/144p/seg_00002.m4s?msn=22'));
    expect(logged.map((r) => [r.status, r.fault])).toEqual([
      [404, null],
      [200, null],
    ]);
  });

  it('paces HEAD and ranges like VOD', async () => {
    now = T0 + 1000;
    const r = await timedRequest(`${server.url}/144p/seg_00002.m4s?msn=22`, {
      headers: { Range: 'bytes=0-99' },
    });
    expect(r.status).toBe(206);
    expect(r.body.length).toBe(100);
    const head = await timedRequest(`${server.url}/144p/index.m3u8`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });
});

describe('live faults through the server', () => {
  it('freezes the playlists in a stale window, then catches up; logs it', async () => {
    let now = T0;
    const server = await startShapingServer({
      root: LADDER,
      trace: FAST,
      live: { startS: 30, nowMs: () => now, faults: 'stale=4000-9000' },
    });
    try {
      const msnsAt = async (liveMs: number): Promise<number> => {
        now = T0 + liveMs;
        const r = await timedRequest(`${server.url}/240p/index.m3u8`);
        const p = parseMediaPlaylist(r.body.toString(), `${server.url}/240p/index.m3u8`);
        return p.segments.at(-1)!.sequenceNumber;
      };
      const before = await msnsAt(4000); // 34 s of stream: last msn 16
      expect(before).toBe(16);
      expect(await msnsAt(8999)).toBe(16); // frozen
      expect(await msnsAt(9000)).toBe(18); // 39 s of stream: msn 18 ended at 38 s, msn 19 ends at 40 s
      const stale = server.requests.filter((r) => r.fault?.kind === 'stale');
      expect(stale.map((r) => r.fault)).toEqual([
        { kind: 'stale', frozenForMs: 0 },
        { kind: 'stale', frozenForMs: 4999 },
      ]);
    } finally {
      await server.close();
    }
  });

  it('answers playlist 5xx and edge 404s as drawn, and a missing edge segment comes back', async () => {
    let now = T0;
    const server = await startShapingServer({
      root: LADDER,
      trace: FAST,
      seed: 3,
      live: { startS: 30, nowMs: () => now, faults: 'playlist5xx=0.5:502,edge404=1:1500' },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++)
        statuses.push((await timedRequest(`${server.url}/360p/index.m3u8`)).status);
      expect(new Set(statuses)).toEqual(new Set([200, 502]));
      expect(server.requests.filter((r) => r.status === 502).every((r) => r.fault?.kind === 'http')).toBe(
        true,
      );
      // 30 s into the stream msn 14 has just become available: missing for 1.5 s, then there
      const edge = await timedRequest(`${server.url}/360p/seg_00014.m4s?msn=14`);
      expect(edge.status).toBe(404);
      expect(server.requests.at(-1)!.fault).toEqual({ kind: 'edge-404', msn: 14 });
      now = T0 + 1500;
      expect((await timedRequest(`${server.url}/360p/seg_00014.m4s?msn=14`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('live refusals', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'abrkit-live-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const failure = async (root: string, live: object): Promise<unknown> => {
    try {
      const s = await startShapingServer({ root, trace: FAST, live });
      await s.close();
    } catch (e) {
      return e;
    }
    throw new Error('expected a refusal');
  };

  it('refuses a folder without a master playlist, a live ladder, a short window, bad numbers', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const e1 = await failure(empty, {});
    expect(isAbrkitError(e1) && e1.code === 'SERVE_LIVE_INVALID').toBe(true);

    const liveLadder = join(dir, 'live');
    mkdirSync(join(liveLadder, 'v'), { recursive: true });
    writeFileSync(
      join(liveLadder, 'master.m3u8'),
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nv/index.m3u8\n',
    );
    writeFileSync(
      join(liveLadder, 'v/index.m3u8'),
      '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.m4s\n#EXTINF:2,\nb.m4s\n',
    );
    const e2 = await failure(liveLadder, {});
    expect(isAbrkitError(e2) && e2.message.includes('v/index.m3u8') && e2.message.includes('live')).toBe(
      true,
    );

    const e3 = await failure(LADDER, { windowS: 5 });
    expect(e3).toBeInstanceOf(TypeError);
    expect((e3 as Error).message).toMatch(/live\.windowS.*3 target durations/);
    expect(((await failure(LADDER, { startS: -1 })) as Error).message).toMatch(/live\.startS/);
    const e4 = await failure(LADDER, { faults: 'stale=9-1' });
    expect(isAbrkitError(e4) && e4.data.source === 'live.faults').toBe(true);
  });

  it('loops a byte-range ladder with explicit ranges, and refuses a master naming another host', async () => {
    const ranged = join(dir, 'ranged');
    mkdirSync(join(ranged, 'v'), { recursive: true });
    writeFileSync(join(ranged, 'master.m3u8'), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nv/index.m3u8\n');
    writeFileSync(
      join(ranged, 'v/index.m3u8'),
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="all.mp4",BYTERANGE="100@0"\n' +
        '#EXTINF:2,\n#EXT-X-BYTERANGE:300@100\nall.mp4\n#EXTINF:2,\n#EXT-X-BYTERANGE:200\nall.mp4\n#EXT-X-ENDLIST\n',
    );
    writeFileSync(join(ranged, 'v/all.mp4'), Buffer.alloc(600, 7));
    const now = T0;
    const server = await startShapingServer({
      root: ranged,
      trace: FAST,
      live: { startS: 8, windowS: 6, nowMs: () => now },
    });
    try {
      const text = (await timedRequest(`${server.url}/v/index.m3u8`)).body.toString();
      const p = parseMediaPlaylist(text, `${server.url}/v/index.m3u8`);
      // 8 s in: msns 0..3 out, a 6 s window holds 1, 2, 3; 1 and 3 are the second range, 2 the first
      expect(
        p.segments.map((s) => [s.sequenceNumber, s.byteRange?.offsetBytes, s.byteRange?.lengthBytes]),
      ).toEqual([
        [1, 400, 200],
        [2, 100, 300],
        [3, 400, 200],
      ]);
      expect(p.segments[1]!.initSegment?.byteRange).toEqual({ offsetBytes: 0, lengthBytes: 100 });
      const r = await timedRequest(`${server.url}/v/all.mp4?msn=3`, { headers: { Range: 'bytes=400-599' } });
      expect(r.status).toBe(206);
      expect(r.body.length).toBe(200);
      expect((await timedRequest(`${server.url}/v/all.mp4?msn=4`)).status).toBe(404);
    } finally {
      await server.close();
    }
    const away = join(dir, 'away');
    mkdirSync(away);
    writeFileSync(
      join(away, 'master.m3u8'),
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nhttp://example.com/v.m3u8\n',
    );
    const e = await failure(away, {});
    expect(isAbrkitError(e) && e.code === 'SERVE_LIVE_INVALID' && e.message.includes('example.com')).toBe(
      true,
    );
  });

  it('answers the playlist 404 before the first segment when the stream starts with the server', async () => {
    let now = T0;
    const server = await startShapingServer({ root: LADDER, trace: FAST, live: { nowMs: () => now } });
    try {
      const r = await timedRequest(`${server.url}/480p/index.m3u8`);
      expect(r.status).toBe(404);
      expect(r.body.toString()).toContain('available in 2000 ms');
      now = T0 + 2000;
      const p = parseMediaPlaylist(
        (await timedRequest(`${server.url}/480p/index.m3u8`)).body.toString(),
        'http://h/x',
      );
      expect(p.segments.map((s) => s.sequenceNumber)).toEqual([0]);
    } finally {
      await server.close();
    }
  });
});
