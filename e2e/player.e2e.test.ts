/**
 * `abrkit/player` in Debian's chromium, on fixtures/ladder served from 127.0.0.1 by the shaping server
 * (src/shaping): plays to the end, climbs on a fast link, switches down under a step trace, recovers from
 * injected 404s, seeks, and leaves nothing running after `destroy()`. The page drives the real bundle (built
 * by vite from src/player). Fault recovery under chaos is in chaos.e2e.test.ts.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Player } from '../src/player/index.js';
import type { ShapingServer } from '../src/shaping/index.js';
import { launchBrowser } from './support/browser.js';
import type { LaunchedBrowser } from './support/browser.js';
import {
  buildPlayerBundle,
  getPlayerRun as getRun,
  openPlayerPage,
  serveFixtures,
  startPlayerRun as startPlayer,
  waitPlayerRun as waitRun,
  waitTraceMs,
} from './player-harness.js';

// Each test has its own page and its own shaping server (one link each: sessions on one server would share its
// bandwidth and see each other's downloads in their throughput). The tests whose checks hold however slow the
// machine is (errors, caps, seeks, destroy) run concurrently (`it.concurrent`); the ones that check adaptation
// to the link (climbing, switching down, every segment once) run one at a time, so that concurrent pages on a
// loaded 2-core machine cannot starve their measurements.
describe('abrkit/player in chromium', () => {
  let browser: LaunchedBrowser;
  const ownServers: ShapingServer[] = [];
  let bundle: string;

  beforeAll(async () => {
    [bundle, browser] = await Promise.all([buildPlayerBundle(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(ownServers.map((s) => s.close()));
  });

  /** A page on `on` (default: a new server of the test's own, a fast constant link without faults). */
  async function newPage(on?: ShapingServer): Promise<Page> {
    const [page, target] = await Promise.all([browser.newPage(), on ?? ownServer({})]);
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await openPlayerPage(page, target.url, bundle);
    return page;
  }

  /** A server of this test's own (closed after the suite). */
  async function ownServer(options: Parameters<typeof serveFixtures>[0]): Promise<ShapingServer> {
    const s = await serveFixtures(options);
    ownServers.push(s);
    return s;
  }

  it('plays the fixture to the end with no error, every segment once, audio following', async ({
    expect,
  }) => {
    const page = await newPage();
    await startPlayer(page, '/ladder/master.m3u8', { abr: 'bola', bufferTargetMs: 12_000 }, 4);
    await waitRun(page, 'run.ended', 40_000);
    const run = await getRun(page);
    expect(run.errors).toEqual([]);
    expect(run.segments.map((s) => s.segment)).toEqual([...Array(20).keys()]);
    const audio = run.downloads.filter((d) => d.kind === 'audio').map((d) => d.url.split('/').pop());
    expect(audio).toHaveLength(21);
    expect(new Set(audio).size).toBe(21);
    expect(run.states[0]).toBe('idle');
    expect(run.states).toContain('playing');
    expect(run.states.at(-1)).toBe('ended');
    const video = await page.evaluate(() => {
      const v = document.getElementById('v') as HTMLVideoElement;
      return { currentTime: v.currentTime, duration: v.duration, error: v.error?.code ?? null };
    });
    expect(video.error).toBeNull();
    expect(video.currentTime).toBeGreaterThan(39.5);
    const exported = await page.evaluate(() =>
      (window as unknown as { player: Player }).player.exportSession(),
    );
    expect(exported.records).toHaveLength(20);
    expect(exported.jsonl.trim().split('\n')).toHaveLength(20);
    expect(JSON.parse(exported.sabreTraceJson)).toHaveLength(20);
    await page.close();
  }, 60_000);

  it('climbs to the top rendition on an unthrottled loopback', async ({ expect }) => {
    const page = await newPage();
    // at 1x: BOLA climbs with the buffer, which a starved page at 4x cannot keep up (loaded 2-core machine)
    await startPlayer(page, '/ladder/master.m3u8', { abr: 'bola', bufferTargetMs: 12_000 }, 1);
    await waitRun(page, 'run.segments.length >= 8', 30_000);
    const run = await getRun(page);
    // segment 0 is fetched before any measurement (lowest); then the estimate and the buffer allow the top
    expect(run.segments[0]?.rendition).toBe(0);
    expect(run.segments.slice(4, 8).map((s) => s.rendition)).toEqual([3, 3, 3, 3]);
    expect(run.errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('switches down without a long stall when the link is throttled mid-session', async ({ expect }) => {
    // a fast link for 6 s (the 10 s buffer is full at the top by then), then 450 kbps: that carries 240p
    // (251 kbps with audio), not 480p (760 kbps); the throughput rule keeps 10% spare
    const fastForMs = 6_000;
    const stepped = await ownServer({ trace: `step:100000x${fastForMs}ms,450x120s` });
    const page = await newPage(stepped);
    await startPlayer(page, '/ladder/master.m3u8', { abr: 'throughput', bufferTargetMs: 10_000 }, 1);
    await waitRun(page, 'run.segments.length >= 5', 30_000);
    const before = await getRun(page);
    expect(before.segments.at(-1)?.rendition).toBe(3);
    await waitTraceMs(stepped, fastForMs);
    const throttledFrom = (await getRun(page)).segments.length;
    // eight segments after the throttle (or the end): the way down and five more (not the whole 40 s at 1x)
    await waitRun(page, `run.ended || run.segments.length >= ${Math.min(20, throttledFrom + 8)}`, 60_000);
    const run = await getRun(page);
    expect(run.errors).toEqual([]);
    const after = run.segments.slice(throttledFrom);
    expect(after.length).toBeGreaterThan(5);
    // it went down, and stayed below the top for the last five
    expect(Math.min(...after.map((s) => s.rendition))).toBeLessThan(3);
    const renditions = run.segments.map((s) => s.rendition).join('');
    expect(
      after.slice(-5).every((s) => s.rendition < 3),
      `${renditions}, throttled from ${throttledFrom}`,
    ).toBe(true);
    // the 10 s buffer absorbs the slow segment in flight when the throttle started: no stall, or a short one
    expect(run.qoe?.stallMs ?? 0).toBeLessThan(2000);
    await page.close();
  }, 90_000);

  it('recovers from a 404 on one segment by fetching it at a lower rendition', async ({ expect }) => {
    // the first request of video segment 3 at any rendition but the lowest gets a 404 (not retried: hls.js
    // does not retry a 4xx either); a lower rendition delivers it
    const faulty = await ownServer({
      faults: '404=1,first=1,pattern=240p/seg_00003.m4s|360p/seg_00003.m4s|480p/seg_00003.m4s',
    });
    const page = await newPage(faulty);
    await startPlayer(
      page,
      '/ladder/master.m3u8',
      // the throughput rule stays at the top on this link whatever the buffer (BOLA at 4x on a starved page
      // could drop below rendition 1 before segment 3, and never meet the 404)
      { abr: 'throughput', bufferTargetMs: 12_000, startRendition: 3, retry: { baseDelayMs: 50 } },
      4,
    );
    await waitRun(page, 'run.ended || run.errors.length > 0', 40_000);
    const run = await getRun(page);
    expect(run.errors).toEqual([]);
    expect(run.retries.length).toBeGreaterThan(0);
    for (const r of run.retries) {
      expect(r).toMatchObject({ code: 'HTTP_404', segmentIndex: 3 });
      expect(r.nextRenditionIndex).toBeLessThan(r.renditionIndex);
    }
    expect(run.segments.map((s) => s.segment)).toEqual([...Array(20).keys()]);
    await page.close();
  }, 60_000);

  it.concurrent(
    'starts at startRendition and never exceeds maxRendition',
    async ({ expect }) => {
      const page = await newPage();
      await startPlayer(page, '/ladder/master.m3u8', { abr: 'bola', startRendition: 2, maxRendition: 2 }, 4);
      const run = await waitRun(page, 'run.segments.length >= 6', 30_000);
      expect(run.decisions[0]).toMatchObject({
        segmentIndex: 0,
        renditionIndex: 2,
        reason: 'forced first rendition',
      });
      expect(run.segments[0]?.rendition).toBe(2);
      expect(Math.max(...run.segments.map((s) => s.rendition))).toBe(2);
      await page.close();
    },
    60_000,
  );

  it.concurrent(
    'caps renditions to the element size when asked',
    async ({ expect }) => {
      const page = await newPage();
      await page.evaluate(() => {
        const v = document.getElementById('v') as HTMLVideoElement;
        v.width = 320;
        v.height = 180;
      });
      await startPlayer(page, '/ladder/master.m3u8', { abr: 'bola', capToElementSize: true }, 4);
      const run = await waitRun(page, 'run.segments.length >= 6', 30_000);
      // 426x240 is the smallest rendition covering 320x180 CSS px at device pixel ratio 1
      expect(Math.max(...run.segments.map((s) => s.rendition))).toBe(1);
      await page.close();
    },
    60_000,
  );

  it.concurrent(
    'falls back to a lower rendition when one keeps failing',
    async ({ expect }) => {
      // video segment 4 always fails at every rendition but the lowest
      const faulty = await ownServer({
        faults: '404=1,pattern=240p/seg_00004.m4s|360p/seg_00004.m4s|480p/seg_00004.m4s',
      });
      const page = await newPage(faulty);
      await startPlayer(
        page,
        '/ladder/master.m3u8',
        { abr: 'throughput', bufferTargetMs: 12_000, retry: { baseDelayMs: 20 } },
        4,
      );
      await waitRun(page, 'run.segments.length >= 6', 30_000);
      const run = await getRun(page);
      expect(run.errors).toEqual([]);
      expect(run.segments.find((s) => s.segment === 4)?.rendition).toBe(0);
      // every failure of segment 4 was followed by a retry or a fallback, the last one to rendition 0
      expect(run.retries.at(-1)).toMatchObject({ segmentIndex: 4, nextRenditionIndex: 0 });
      await page.close();
    },
    60_000,
  );

  it.concurrent(
    'seeks forward and back and keeps playing',
    async ({ expect }) => {
      const page = await newPage();
      await startPlayer(page, '/ladder/master.m3u8', { abr: 'bola', bufferTargetMs: 8_000 }, 1);
      // 0-8 s buffered (the checks after the seek back rely on it) and playing
      await waitRun(page, 'run.segments.length >= 4', 20_000);
      await page.waitForFunction(
        () => (document.getElementById('v') as HTMLVideoElement).currentTime > 0.5,
        null,
        { timeout: 20_000 },
      );
      await page.evaluate(() => (window as unknown as { player: { seek(s: number): void } }).player.seek(31));
      await page.waitForFunction(
        () => (document.getElementById('v') as HTMLVideoElement).currentTime > 32,
        null,
        { timeout: 20_000 },
      );
      // the forward fetching done (segment 19 is within the 8 s buffer target of 32 s), so that the next
      // decision is the seek back's
      const forward = await waitRun(page, 'run.segments.some((s) => s.segment === 19)', 20_000);
      expect(forward.decisions.some((d) => d.segmentIndex === 15)).toBe(true);
      // seek back to 5 s, noting where the buffer ahead of 5 s ended then (the 30 s back buffer keeps 4-8 s
      // while the playhead is below 34 s; a slow machine may be past that, and then nothing is kept)
      const bufferedTo = await page.evaluate(() => {
        const v = document.getElementById('v') as HTMLVideoElement;
        let end: number | null = null;
        for (let i = 0; i < v.buffered.length; i++)
          if (v.buffered.start(i) <= 5 && v.buffered.end(i) > 5) end = v.buffered.end(i);
        (window as unknown as { player: { seek(s: number): void } }).player.seek(5);
        return end;
      });
      await page.waitForFunction(
        () => {
          const t = (document.getElementById('v') as HTMLVideoElement).currentTime;
          return t > 6 && t < 20;
        },
        null,
        { timeout: 20_000 },
      );
      const run = await getRun(page);
      expect(run.errors).toEqual([]);
      // the loop restarts where the buffer ahead of 5 s ends (2 s segments), or at 5 s's segment when none was kept
      const lastSeekDecisions = run.decisions.slice(forward.decisions.length);
      const restart = lastSeekDecisions[0]?.segmentIndex;
      if (bufferedTo === null || bufferedTo < 6) {
        expect(restart).toBe(2);
      } else {
        expect(restart).toBeGreaterThanOrEqual(Math.floor(bufferedTo / 2) - 1);
        expect(restart).toBeLessThanOrEqual(Math.ceil(bufferedTo / 2));
      }
      expect(
        await page.evaluate(() => (window as unknown as { player: { state: string } }).player.state),
      ).toBe('playing');
      await page.close();
    },
    60_000,
  );

  it.concurrent(
    'destroy() leaves no pending fetch or timer',
    async ({ expect }) => {
      // a fast link for 2 s, then 200 kbps: the next segment is in flight for seconds
      const stepped = await ownServer({ trace: 'step:100000x2s,200x300s' });
      const page = await newPage(stepped);
      // every fetch the page makes, marked by whether destroy() had been called: the order of the two is
      // read on the page's own thread, not across processes (a request sent just before destroy() can reach
      // the server after any time Node reads there)
      await page.evaluate(() => {
        const w = window as unknown as {
          fetchLog: { url: string; afterDestroy: boolean }[];
          destroyed: boolean;
        };
        w.fetchLog = [];
        w.destroyed = false;
        const pageFetch = window.fetch.bind(window);
        window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
          const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
          const target = new URL(url, location.href);
          w.fetchLog.push({ url: target.pathname + target.search, afterDestroy: w.destroyed });
          return pageFetch(input, init);
        };
      });
      await startPlayer(page, '/ladder/master.m3u8', { abr: 'bola', bufferTargetMs: 30_000 }, 1);
      await waitRun(page, 'run.segments.length >= 2', 20_000);
      // destroy in the slow phase, so that a segment is in flight when it is called
      while ((stepped.traceNowMs() ?? 0) < 2_200) await new Promise((r) => setTimeout(r, 50));
      await page.waitForFunction(
        () =>
          (window as unknown as { player: { pendingWork(): { requests: number } } }).player.pendingWork()
            .requests > 0,
        null,
        { timeout: 20_000 },
      );
      const pending = await page.evaluate(() => {
        const w = window as unknown as {
          player: { destroy(): void; pendingWork(): unknown; state: string };
          destroyed: boolean;
        };
        w.destroyed = true;
        w.player.destroy();
        return { work: w.player.pendingWork(), state: w.player.state };
      });
      expect(pending).toEqual({ work: { timers: 0, requests: 0 }, state: 'idle' });
      // nothing fetched after destroy(), in the 1.5 s that follow either
      await new Promise((r) => setTimeout(r, 1500));
      const fetchLog = await page.evaluate(
        () => (window as unknown as { fetchLog: { url: string; afterDestroy: boolean }[] }).fetchLog,
      );
      expect(fetchLog.filter((f) => f.afterDestroy)).toEqual([]);
      // and the server saw no request beyond those fetches (it logs a request when its response ends, the
      // ones cut by destroy() included): a timer or retry left running would show here
      const served = stepped.requests.map((r) => r.url).filter((u) => u.startsWith('/ladder/'));
      expect(served.length).toBeGreaterThan(0);
      const fetched = fetchLog.map((f) => f.url);
      for (const url of new Set(served)) {
        expect(served.filter((u) => u === url).length, url).toBeLessThanOrEqual(
          fetched.filter((u) => u === url).length,
        );
      }
      const video = await page.evaluate(() =>
        (document.getElementById('v') as HTMLVideoElement).getAttribute('src'),
      );
      expect(video).toBeNull();
      await page.close();
    },
    60_000,
  );

  it.concurrent(
    'reports a segment the browser cannot decode as a fatal media error naming its URL',
    async ({ expect }) => {
      const page = await newPage();
      await startPlayer(page, '/broken/wrong-codec/master.m3u8', { abr: 'bola' }, 1);
      await waitRun(page, 'run.errors.length > 0', 20_000);
      const run = await getRun(page);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]?.source).toMatch(/\/broken\/wrong-codec\/init\.mp4$/);
      expect(run.states.at(-1)).toBe('error');
      await page.close();
    },
    60_000,
  );

  it.concurrent(
    'finds a truncated segment before appending it: fetched again once, then a fatal error naming it',
    async ({ expect }) => {
      const page = await newPage();
      await startPlayer(page, '/broken/truncated-segment/master.m3u8', { abr: 'bola' }, 1);
      const run = await waitRun(page, 'run.errors.length > 0', 20_000);
      expect(run.errors).toHaveLength(1);
      // Chromium alone takes the half segment 2 and fails on segment 3 (fixtures/README.md): checked first, 2 is named
      expect(run.errors[0]).toMatchObject({ code: 'CORRUPT_SEGMENT' });
      expect(run.errors[0]?.source).toMatch(/truncated-segment\/seg_00002\.m4s$/);
      expect(run.retries.map((r) => [r.code, r.segmentIndex, r.attempt])).toEqual([
        ['CORRUPT_SEGMENT', 2, 1],
      ]);
      expect(run.states.at(-1)).toBe('error');
      await page.close();
    },
    60_000,
  );

  it.concurrent(
    'ends with a fatal network error when a segment is missing at every rendition, after playing what it had',
    async ({ expect }) => {
      const page = await newPage();
      await startPlayer(
        page,
        '/broken/missing-segment/master.m3u8',
        { abr: 'bola', retry: { baseDelayMs: 20 } },
        1,
      );
      await waitRun(page, 'run.errors.length > 0', 20_000);
      const run = await getRun(page);
      expect(run.errors[0]).toMatchObject({ code: 'HTTP_404' });
      expect(run.errors[0]?.source).toMatch(/seg_00002\.m4s$/);
      // a 404 is not retried (hls.js does not either), and there is no other rendition to try
      expect(run.retries.filter((r) => r.segmentIndex === 2)).toHaveLength(0);
      expect(run.segments.map((s) => s.segment)).toEqual([0, 1]);
      // the two segments it had keep playing
      await page.waitForFunction(
        () => (document.getElementById('v') as HTMLVideoElement).currentTime > 1,
        null,
        { timeout: 10_000 },
      );
      await page.close();
    },
    60_000,
  );
});
