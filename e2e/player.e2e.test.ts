/**
 * `abrkit/player` in Debian's chromium, on fixtures/ladder served from 127.0.0.1 by the shaping server
 * (src/shaping): plays to the end, climbs on a fast link, switches down under a step trace, recovers from
 * injected 404s, seeks, and leaves nothing running after `destroy()`. The page drives the real bundle (built
 * by vite from src/player). Fault recovery under chaos is in chaos.e2e.test.ts.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('abrkit/player in chromium', () => {
  let browser: LaunchedBrowser;
  /** The default server: a fast constant link, no faults. Tests that shape the link or inject faults start their own. */
  let server: ShapingServer;
  const ownServers: ShapingServer[] = [];
  let bundle: string;

  beforeAll(async () => {
    [bundle, server, browser] = await Promise.all([buildPlayerBundle(), serveFixtures(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([server, ...ownServers].map((s) => s?.close()));
  });

  /** A page on `on` (default: the shared server). */
  async function newPage(on: ShapingServer = server): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await openPlayerPage(page, on.url, bundle);
    return page;
  }

  /** A server of this test's own (closed after the suite). */
  async function ownServer(options: Parameters<typeof serveFixtures>[0]): Promise<ShapingServer> {
    const s = await serveFixtures(options);
    ownServers.push(s);
    return s;
  }

  it('plays the fixture to the end with no error, every segment once, audio following', async () => {
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

  it('climbs to the top rendition on an unthrottled loopback', async () => {
    const page = await newPage();
    await startPlayer(page, '/ladder/master.m3u8', { abr: 'bola', bufferTargetMs: 12_000 }, 4);
    await waitRun(page, 'run.segments.length >= 8', 30_000);
    const run = await getRun(page);
    // segment 0 is fetched before any measurement (lowest); then the estimate and the buffer allow the top
    expect(run.segments[0]?.rendition).toBe(0);
    expect(run.segments.slice(4, 8).map((s) => s.rendition)).toEqual([3, 3, 3, 3]);
    expect(run.errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('starts at startRendition and never exceeds maxRendition', async () => {
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
  }, 60_000);

  it('caps renditions to the element size when asked', async () => {
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
  }, 60_000);

  it('switches down without a long stall when the link is throttled mid-session', async () => {
    // a fast link for 12 s, then 450 kbps: that carries 240p (251 kbps with audio), not 480p (760 kbps); the
    // throughput rule keeps 10% spare
    const fastForMs = 12_000;
    const stepped = await ownServer({ trace: `step:100000x${fastForMs}ms,450x120s` });
    const page = await newPage(stepped);
    await startPlayer(page, '/ladder/master.m3u8', { abr: 'throughput', bufferTargetMs: 10_000 }, 1);
    await waitRun(page, 'run.segments.length >= 5', 30_000);
    const before = await getRun(page);
    expect(before.segments.at(-1)?.rendition).toBe(3);
    await waitTraceMs(stepped, fastForMs);
    const throttledFrom = (await getRun(page)).segments.length;
    await waitRun(page, 'run.ended', 60_000);
    const run = await getRun(page);
    expect(run.errors).toEqual([]);
    const after = run.segments.slice(throttledFrom);
    expect(after.length).toBeGreaterThan(5);
    // it went down, and stayed below the top for the rest of the session's end
    expect(Math.min(...after.map((s) => s.rendition))).toBeLessThan(3);
    expect(after.slice(-5).every((s) => s.rendition < 3)).toBe(true);
    // the 10 s buffer absorbs the slow segment in flight when the throttle started: no stall, or a short one
    expect(run.qoe?.stallMs ?? 0).toBeLessThan(2000);
    await page.close();
  }, 90_000);

  it('recovers from a 404 on one segment by fetching it at a lower rendition', async () => {
    // the first request of video segment 3 at any rendition but the lowest gets a 404 (not retried: hls.js
    // does not retry a 4xx either); a lower rendition delivers it
    const faulty = await ownServer({
      faults: '404=1,first=1,pattern=240p/seg_00003.m4s|360p/seg_00003.m4s|480p/seg_00003.m4s',
    });
    const page = await newPage(faulty);
    await startPlayer(
      page,
      '/ladder/master.m3u8',
      { abr: 'bola', bufferTargetMs: 12_000, startRendition: 3, retry: { baseDelayMs: 50 } },
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

  it('falls back to a lower rendition when one keeps failing', async () => {
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
  }, 60_000);

  it('seeks forward and back and keeps playing', async () => {
    const page = await newPage();
    await startPlayer(page, '/ladder/master.m3u8', { abr: 'bola', bufferTargetMs: 8_000 }, 1);
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
    const forward = await getRun(page);
    expect(forward.decisions.some((d) => d.segmentIndex === 15)).toBe(true);
    await page.evaluate(() => (window as unknown as { player: { seek(s: number): void } }).player.seek(5));
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
    // 4-8 s was still buffered (30 s back buffer): the loop restarts where the buffer ahead of 5 s ends
    const lastSeekDecisions = run.decisions.slice(forward.decisions.length);
    expect(lastSeekDecisions[0]?.segmentIndex).toBeGreaterThanOrEqual(3);
    expect(lastSeekDecisions[0]?.segmentIndex).toBeLessThanOrEqual(7);
    expect(await page.evaluate(() => (window as unknown as { player: { state: string } }).player.state)).toBe(
      'playing',
    );
    await page.close();
  }, 60_000);

  it('destroy() leaves no pending fetch or timer', async () => {
    // a fast link for 2 s, then 200 kbps: the next segment is in flight for seconds
    const stepped = await ownServer({ trace: 'step:100000x2s,200x300s' });
    const page = await newPage(stepped);
    await startPlayer(page, '/ladder/master.m3u8', { abr: 'bola', bufferTargetMs: 30_000 }, 1);
    await waitRun(page, 'run.segments.length >= 2', 20_000);
    await page.waitForFunction(
      () =>
        (window as unknown as { player: { pendingWork(): { requests: number } } }).player.pendingWork()
          .requests > 0,
      null,
      { timeout: 20_000 },
    );
    const pending = await page.evaluate(() => {
      const player = (
        window as unknown as { player: { destroy(): void; pendingWork(): unknown; state: string } }
      ).player;
      player.destroy();
      return { work: player.pendingWork(), state: player.state };
    });
    expect(pending).toEqual({ work: { timers: 0, requests: 0 }, state: 'idle' });
    // the server logs a request when its response ends (the ones cut by destroy() included): none may start later
    const destroyedAtMs = stepped.traceNowMs() ?? 0;
    await new Promise((r) => setTimeout(r, 1500));
    expect(stepped.requests.length).toBeGreaterThan(0);
    expect(stepped.requests.filter((r) => r.startMs > destroyedAtMs)).toEqual([]);
    const video = await page.evaluate(() =>
      (document.getElementById('v') as HTMLVideoElement).getAttribute('src'),
    );
    expect(video).toBeNull();
    await page.close();
  }, 60_000);

  it('reports a segment the browser cannot decode as a fatal media error naming its URL', async () => {
    const page = await newPage();
    await startPlayer(page, '/broken/wrong-codec/master.m3u8', { abr: 'bola' }, 1);
    await waitRun(page, 'run.errors.length > 0', 20_000);
    const run = await getRun(page);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]?.source).toMatch(/\/broken\/wrong-codec\/init\.mp4$/);
    expect(run.states.at(-1)).toBe('error');
    await page.close();
  }, 60_000);

  it('finds a truncated segment before appending it: fetched again once, then a fatal error naming it', async () => {
    const page = await newPage();
    await startPlayer(page, '/broken/truncated-segment/master.m3u8', { abr: 'bola' }, 1);
    const run = await waitRun(page, 'run.errors.length > 0', 20_000);
    expect(run.errors).toHaveLength(1);
    // Chromium alone takes the half segment 2 and fails on segment 3 (fixtures/README.md): checked first, 2 is named
    expect(run.errors[0]).toMatchObject({ code: 'CORRUPT_SEGMENT' });
    expect(run.errors[0]?.source).toMatch(/truncated-segment\/seg_00002\.m4s$/);
    expect(run.retries.map((r) => [r.code, r.segmentIndex, r.attempt])).toEqual([['CORRUPT_SEGMENT', 2, 1]]);
    expect(run.states.at(-1)).toBe('error');
    await page.close();
  }, 60_000);

  it('ends with a fatal network error when a segment is missing at every rendition, after playing what it had', async () => {
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
  }, 60_000);
});
