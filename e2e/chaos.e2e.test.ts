/**
 * `abrkit/player` under injected faults, in Debian's chromium, behind the shaping server (src/shaping): a seeded
 * chaos run (5% 5xx, 2% resets, 1% stalls of 5 s, a 10 s outage) plays fixtures/ladder to the end with no fatal
 * error, every fault the server logged matches a recovery the player reported (`retry` events for media and
 * for a variant playlist loaded at its first use, `loadRetry` for the playlists of `load()`; and each retry has
 * its fault in the log), and the exported session log has every
 * segment once, in order. Then one test per fault kind, forced on chosen URLs (`pattern`, probability 1,
 * `first=1`), asserting the specific recovery. The tests run concurrently, each on its own page and server.
 * Short `requestTimeoutMs` and stall/spike/outage lengths keep the file under a minute on its own.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Player } from '../src/player/index.js';
import type { RequestLogEntry, ShapingServer, ShapingServerOptions } from '../src/shaping/index.js';
import { launchBrowser, type LaunchedBrowser } from './support/browser.js';
import {
  buildPlayerBundle,
  FIXTURES_DIR,
  openPlayerPage,
  serveFixtures,
  startPlayerRun,
  waitPlayerRun,
  type PlayerRun,
} from './player-harness.js';

const SEGMENT_COUNT = 20;
const PLAYLIST = /\.m3u8$/;

/**
 * The chaos seed: with it, the first requests of three audio segments (fetched whatever the renditions chosen)
 * draw a 5xx (audio 6), a reset (audio 9) and a stall (audio 14), so the run injects every kind (found by
 * drawing `createFaultPlan` over the ladder's URLs; the test checks the server log, not this comment).
 */
const CHAOS_SEED = 15979;
const CHAOS_OUTAGE = { fromMs: 8000, toMs: 18_000 };
const CHAOS_FAULTS = `5xx=0.05,reset=0.02,stall=0.01:5000,outage=${CHAOS_OUTAGE.fromMs}-${CHAOS_OUTAGE.toMs}`;

/** A retry as the page recorded it, with the path of its URL. */
type Retry = PlayerRun['retries'][number] & { path: string | null };

interface Session {
  readonly server: ShapingServer;
  readonly page: Page;
}

/** Path + query of an absolute URL (what the server logs). */
function pathOf(url: string | null): string | null {
  if (url === null) return null;
  const u = new URL(url, 'http://127.0.0.1');
  return u.pathname + u.search;
}

function withPaths(run: PlayerRun): Retry[] {
  return run.retries.map((r) => ({ ...r, path: pathOf(r.source) }));
}

/** Size of a fixture file, bytes. */
function fileSizeBytes(path: string): number {
  return statSync(join(FIXTURES_DIR, path)).size;
}

/** Error codes a fault of this kind shows as on the client. */
function codesFor(entry: RequestLogEntry): readonly string[] {
  const fault = entry.fault;
  if (fault === null) return ['TIMEOUT']; // a request the client gave up on during an outage
  switch (fault.kind) {
    case 'http':
      return [`HTTP_${fault.status}`];
    case 'reset':
      return ['NETWORK_ERROR', 'TRUNCATED'];
    case 'stall':
    case 'spike':
    case 'outage':
      return ['TIMEOUT'];
    case 'edge-404':
      return ['HTTP_404'];
    case 'stale':
      return []; // a stale playlist is a 200 with an old window, no client error (live faults; unused here)
  }
}

/**
 * The injected faults the client saw: an HTTP error that was sent, a reset or stall the body reached, a spike
 * or outage hold the client gave up on (`aborted`), and requests held by an outage that the client abandoned
 * before their headers (logged without a fault, aborted, no first byte, started in the window).
 */
function effectiveFaults(
  requests: readonly RequestLogEntry[],
  outages: readonly { fromMs: number; toMs: number }[] = [],
): RequestLogEntry[] {
  return requests.filter((e) => {
    const f = e.fault;
    if (f === null)
      return (
        e.aborted === true &&
        e.firstByteMs === null &&
        outages.some((o) => e.startMs >= o.fromMs - 50 && e.startMs < o.toMs)
      );
    if (f.kind === 'http') return e.firstByteMs !== null;
    if (f.kind === 'reset' || f.kind === 'stall') return e.bytes >= f.atByte;
    return e.aborted === true; // spike or outage: a problem only when the client gave up waiting
  });
}

/** The video segment a media URL belongs to: from the player's downloads of it, else its name (`seg_N`). */
function segmentOf(path: string, run: PlayerRun): number | null {
  const download = run.downloads.find((d) => pathOf(d.url) === path);
  if (download) return download.segmentIndex;
  const m = /\/\d+p\/seg_(\d+)\.m4s$/.exec(path);
  return m ? Number(m[1]) : null;
}

/**
 * The recovery the player reported for a server-logged fault: for a playlist, a `loadRetry` of its URL with a
 * matching code; for media, a `retry` event whose error names the URL with a matching code, or, when the
 * request this URL was part of (a video segment with its init and audio) ended for another reason first, that
 * reason: a retry of the same segment (a sibling failed first; the whole request was fetched again) or an
 * abandoned video download of it (`download` with `aborted`: the loop abandoned the slow request and fetched
 * the segment again at a lower rendition).
 */
function recoveryFor(entry: RequestLogEntry, retries: readonly Retry[], run: PlayerRun): object | undefined {
  const direct = retries.find((r) => r.path === entry.url && codesFor(entry).includes(r.code));
  // a playlist of load(), or a deferred variant playlist fetched before its first segment (a segment retry)
  if (PLAYLIST.test(entry.url))
    return (
      run.loadRetries.find((r) => pathOf(r.url) === entry.url && codesFor(entry).includes(r.code)) ?? direct
    );
  if (direct) return direct;
  const segment = segmentOf(entry.url, run);
  return (
    retries.find((r) => r.path !== entry.url && r.segmentIndex === segment) ??
    run.downloads.find((d) => d.kind === 'video' && d.aborted && d.segmentIndex === segment)
  );
}

/** A fault and what the player logged for its segment, for failure messages. */
function describeFault(e: RequestLogEntry, run: PlayerRun): string {
  const segment = segmentOf(e.url, run);
  return (
    `${e.url} ${JSON.stringify(e.fault)} bytes=${e.bytes} aborted=${String(e.aborted ?? false)}; ` +
    `segment ${String(segment)}: retries ${JSON.stringify(run.retries.filter((r) => r.segmentIndex === segment))}, ` +
    `downloads ${JSON.stringify(run.downloads.filter((d) => d.segmentIndex === segment))}`
  );
}

describe('abrkit/player under injected faults in chromium', () => {
  let browser: LaunchedBrowser;
  let bundle: string;
  const servers: ShapingServer[] = [];

  beforeAll(async () => {
    [bundle, browser] = await Promise.all([buildPlayerBundle(), launchBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  /** A server with `server` options over fixtures/, a page on it, and the player started on the ladder. */
  async function session(
    server: Partial<ShapingServerOptions>,
    player: Record<string, unknown>,
    playbackRate = 1,
  ): Promise<Session> {
    const s = await serveFixtures(server);
    servers.push(s);
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await openPlayerPage(page, s.url, bundle);
    await startPlayerRun(page, '/ladder/master.m3u8', player, playbackRate);
    return { server: s, page };
  }

  /** Segment indices of the exported session log, and the video element's buffered ranges. */
  async function exported(page: Page): Promise<{ segments: number[]; lines: number; ranges: number[][] }> {
    return page.evaluate(() => {
      const player = (window as unknown as { player: Player }).player;
      const v = document.getElementById('v') as HTMLVideoElement;
      const e = player.exportSession();
      return {
        segments: e.records.map((r) => r.segment),
        lines: e.jsonl.trim().split('\n').length,
        ranges: Array.from({ length: v.buffered.length }, (_, i) => [v.buffered.start(i), v.buffered.end(i)]),
      };
    });
  }

  it.concurrent(
    'plays to the end under seeded chaos; every injected fault matches a reported recovery; nothing recorded is lost',
    { timeout: 150_000 },
    async ({ expect }) => {
      const wallStart = performance.now();
      const { server, page } = await session(
        { trace: 'constant:5000', faults: CHAOS_FAULTS, seed: CHAOS_SEED },
        { abr: 'bola', bufferTargetMs: 10_000, requestTimeoutMs: 3000, retry: { baseDelayMs: 250 } },
        2,
      );
      const run = await waitPlayerRun(page, 'run.ended || run.errors.length > 0', 130_000);
      const wallMs = performance.now() - wallStart;
      expect(run.errors).toEqual([]);
      expect(run.states.at(-1)).toBe('ended');
      const video = await page.evaluate(() => {
        const v = document.getElementById('v') as HTMLVideoElement;
        return { currentTime: v.currentTime, error: v.error?.code ?? null };
      });
      expect(video.error).toBeNull();
      expect(video.currentTime).toBeGreaterThan(39.5);

      // nothing recorded is lost: every segment once, in order, no gaps; one buffered range
      const log = await exported(page);
      expect(log.segments).toEqual([...Array(SEGMENT_COUNT).keys()]);
      expect(log.lines).toBe(SEGMENT_COUNT);
      expect(run.segments.map((s) => s.segment)).toEqual(log.segments);
      expect(log.ranges).toHaveLength(1);

      // the seed injected every kind of the spec (from the server's log, so the test cannot pass vacuously)
      const faults = effectiveFaults(server.requests, [CHAOS_OUTAGE]);
      const kinds = new Set(faults.map((e) => e.fault?.kind ?? 'outage'));
      const outageHeld = server.requests.filter((e) => e.fault?.kind === 'outage');
      for (const kind of ['http', 'reset', 'stall'])
        expect(kinds, `kinds injected: ${[...kinds].join(', ')}`).toContain(kind);
      expect(outageHeld.length + faults.filter((e) => e.fault === null).length).toBeGreaterThan(0);

      // each fault the client saw matches a recovery the player reported, and each retry has its fault
      const retries = withPaths(run);
      for (const e of faults)
        expect(
          recoveryFor(e, retries, run),
          `no recovery reported for ${describeFault(e, run)}`,
        ).toBeDefined();
      const faultedPaths = new Set(
        server.requests.filter((e) => e.fault !== null || e.aborted === true).map((e) => e.url),
      );
      for (const r of retries)
        expect(faultedPaths, `retry without a server fault: ${JSON.stringify(r)}`).toContain(r.path);
      for (const r of run.loadRetries) expect(faultedPaths).toContain(pathOf(r.url));

      console.info(
        `chaos run: ${(wallMs / 1000).toFixed(1)} s wall at playbackRate 2, ${server.requestCount()} requests, ` +
          `faults seen ${faults.map((e) => e.fault?.kind ?? 'outage-abort').join(' ')}, ` +
          `${outageHeld.length} held by the outage, retries ${retries.map((r) => r.code).join(' ')}, ` +
          `stalls ${run.qoe?.stallCount ?? 0} (${Math.round(run.qoe?.stallMs ?? 0)} ms)`,
      );
      await page.close();
    },
  );

  it.concurrent(
    'retries a 5xx on the master playlist and on a segment (same rendition)',
    { timeout: 60_000 },
    async ({ expect }) => {
      const { server, page } = await session(
        { faults: '5xx=1:503,first=1,pattern=p/seg_00003.m4s|master.m3u8', seed: 1 },
        { abr: 'bola', retry: { baseDelayMs: 50 } },
      );
      const run = await waitPlayerRun(page, 'run.segments.length >= 6 || run.errors.length > 0', 40_000);
      expect(run.errors).toEqual([]);
      const faults = effectiveFaults(server.requests);
      expect(faults.map((e) => [e.url.replace(/\d+p\//, 'NNNp/'), e.status])).toEqual([
        ['/ladder/master.m3u8', 503],
        ['/ladder/NNNp/seg_00003.m4s', 503],
      ]);
      expect(run.loadRetries.map((r) => [r.code, pathOf(r.url), r.attempt])).toEqual([
        ['HTTP_503', '/ladder/master.m3u8', 1],
      ]);
      const retries = withPaths(run);
      expect(retries).toEqual([
        expect.objectContaining({ code: 'HTTP_503', segmentIndex: 3, path: faults[1]!.url, attempt: 1 }),
      ]);
      expect(retries[0]!.nextRenditionIndex).toBe(retries[0]!.renditionIndex);
      expect((await exported(page)).segments.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]);
      await page.close();
    },
  );

  it.concurrent(
    'retries a 404 on an audio segment with its video segment, appending the video once',
    { timeout: 60_000 },
    async ({ expect }) => {
      const audio = '/ladder/audio/seg_00004.m4s';
      const { server, page } = await session(
        { faults: '404=1,first=1,pattern=audio/seg_00004.m4s', seed: 1 },
        { abr: 'bola', retry: { baseDelayMs: 50 } },
      );
      const run = await waitPlayerRun(page, 'run.segments.length >= 7 || run.errors.length > 0', 40_000);
      expect(run.errors).toEqual([]);
      expect(effectiveFaults(server.requests).map((e) => [e.url, e.status])).toEqual([[audio, 404]]);
      expect(withPaths(run)).toEqual([
        expect.objectContaining({ code: 'HTTP_404', segmentIndex: 4, path: audio }),
      ]);
      // the audio came once (the failed attempt delivered nothing), segment 4 was recorded once
      expect(run.downloads.filter((d) => pathOf(d.url) === audio && !d.aborted)).toHaveLength(1);
      const log = await exported(page);
      expect(log.segments.slice(0, 7)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(log.ranges).toHaveLength(1);
      await page.close();
    },
  );

  it.concurrent(
    'retries a connection reset mid-body and appends the segment once, whole',
    { timeout: 60_000 },
    async ({ expect }) => {
      const { server, page } = await session(
        { faults: 'reset=1,first=1,pattern=p/seg_00003.m4s', seed: 1 },
        { abr: 'bola', retry: { baseDelayMs: 50 } },
      );
      const run = await waitPlayerRun(page, 'run.segments.length >= 6 || run.errors.length > 0', 40_000);
      expect(run.errors).toEqual([]);
      const faults = effectiveFaults(server.requests);
      expect(faults).toHaveLength(1);
      const reset = faults[0]!;
      expect(reset.aborted).toBe(true);
      expect(reset.bytes).toBeGreaterThan(0);
      expect(reset.bytes).toBeLessThan(fileSizeBytes(reset.url));
      const retries = withPaths(run);
      expect(retries).toHaveLength(1);
      expect(retries[0]).toMatchObject({ segmentIndex: 3, path: reset.url });
      expect(['NETWORK_ERROR', 'TRUNCATED']).toContain(retries[0]!.code);
      // the cut body delivered nothing: one video download of segment 3 went through, whole, and the segment
      // was appended once (the exported log below, one buffered range)
      const video = run.downloads.filter((d) => d.kind === 'video' && d.segmentIndex === 3 && !d.aborted);
      expect(video).toHaveLength(1);
      expect(video[0]!.sizeBytes).toBe(fileSizeBytes(pathOf(video[0]!.url)!));
      expect(run.segments.filter((s) => s.segment === 3)).toHaveLength(1);
      const log = await exported(page);
      expect(log.segments.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(log.ranges).toHaveLength(1);
      await page.close();
    },
  );

  it.concurrent(
    'aborts a stall longer than requestTimeoutMs and retries the segment',
    { timeout: 60_000 },
    async ({ expect }) => {
      const stallMs = 4000;
      const { server, page } = await session(
        { faults: `stall=1:${stallMs},first=1,pattern=p/seg_00003.m4s`, seed: 1 },
        { abr: 'bola', requestTimeoutMs: 1500, retry: { baseDelayMs: 50 } },
      );
      const run = await waitPlayerRun(page, 'run.segments.length >= 6 || run.errors.length > 0', 40_000);
      expect(run.errors).toEqual([]);
      const faults = effectiveFaults(server.requests);
      expect(faults.map((e) => e.fault?.kind)).toEqual(['stall']);
      const stall = faults[0]!;
      // the client gave up during the stall: the server saw the connection go before the stall's end
      expect(stall.aborted).toBe(true);
      expect(stall.endMs - (stall.firstByteMs ?? 0)).toBeLessThan(stallMs);
      expect(withPaths(run)).toEqual([
        expect.objectContaining({ code: 'TIMEOUT', segmentIndex: 3, path: stall.url }),
      ]);
      // the retry of the same URL went through
      expect(
        server.requests.filter((e) => e.url === stall.url && e.status === 200 && !e.aborted),
      ).toHaveLength(1);
      expect((await exported(page)).segments.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]);
      await page.close();
    },
  );

  it.concurrent(
    'gives up on a latency spike longer than requestTimeoutMs before the first byte and retries',
    { timeout: 60_000 },
    async ({ expect }) => {
      const spikeMs = 3000;
      const { server, page } = await session(
        { faults: `spike=1:${spikeMs},first=1,pattern=p/seg_00003.m4s`, seed: 1 },
        { abr: 'bola', requestTimeoutMs: 1500, retry: { baseDelayMs: 50 } },
      );
      const run = await waitPlayerRun(page, 'run.segments.length >= 6 || run.errors.length > 0', 40_000);
      expect(run.errors).toEqual([]);
      const faults = effectiveFaults(server.requests);
      expect(faults.map((e) => e.fault?.kind)).toEqual(['spike']);
      // no headers were sent: the player timed out waiting for the first byte
      expect(faults[0]!.firstByteMs).toBeNull();
      expect(withPaths(run)).toEqual([
        expect.objectContaining({ code: 'TIMEOUT', segmentIndex: 3, path: faults[0]!.url }),
      ]);
      expect((await exported(page)).segments.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]);
      await page.close();
    },
  );

  it.concurrent(
    'waits out an outage: stalls, retries on timeouts, then resumes playing',
    { timeout: 90_000 },
    async ({ expect }) => {
      const outage = { fromMs: 3000, toMs: 9000 };
      const { server, page } = await session(
        { faults: `outage=${outage.fromMs}-${outage.toMs}`, seed: 1 },
        { abr: 'bola', bufferTargetMs: 4000, requestTimeoutMs: 1500, retry: { baseDelayMs: 100 } },
      );
      const run = await waitPlayerRun(
        page,
        "(run.segments.length >= 8 && run.states.at(-1) === 'playing') || run.errors.length > 0",
        60_000,
      );
      expect(run.errors).toEqual([]);
      // playing, then stalled (the buffer ran out during the outage), then playing again
      const states = run.states.join(' ');
      expect(states).toMatch(/playing.* stalled.* playing/);
      // the requests during the outage timed out and were retried; each abandoned one has its retry
      const retries = withPaths(run);
      expect(retries.length).toBeGreaterThan(0);
      expect(new Set(retries.map((r) => r.code))).toEqual(new Set(['TIMEOUT']));
      const abandoned = effectiveFaults(server.requests, [outage]);
      expect(abandoned.length).toBeGreaterThan(0);
      for (const e of abandoned)
        expect(
          recoveryFor(e, retries, run),
          `no recovery reported for ${describeFault(e, run)}`,
        ).toBeDefined();
      // the responses that waited for the end of the outage are logged with it
      expect(server.requests.some((e) => e.fault?.kind === 'outage')).toBe(true);
      const log = await exported(page);
      expect(log.segments).toEqual([...Array(log.segments.length).keys()]);
      expect(log.ranges).toHaveLength(1);
      await page.close();
    },
  );
});
