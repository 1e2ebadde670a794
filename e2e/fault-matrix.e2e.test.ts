/**
 * The fault matrix of issue 20: `abrkit/player` in Debian's chromium behind the shaping server (src/shaping),
 * one case per row, each with its expected outcome asserted: finished (`ended` with the full duration),
 * recovered with these events, or this fatal error naming this URL (then `error` stays, the duration does not
 * shrink and the element never fires `ended`). The cases run concurrently (vitest's 5 at a time, the two that play
 * the whole video first, at playbackRate 4), each on its own page and server, the others at playbackRate 2;
 * waits are generous (a loaded 2-core machine), no tight timing is asserted.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Player } from '../src/player/index.js';
import type * as PlayerModule from '../src/player/index.js';
import type { ShapingServer, ShapingServerOptions } from '../src/shaping/index.js';
import { launchBrowser, type LaunchedBrowser } from './support/browser.js';
import {
  buildPlayerBundle,
  getPlayerRun,
  openPlayerPage,
  serveFixtures,
  startPlayerRun,
  waitPlayerRun,
} from './player-harness.js';

const FULL_DURATION_S = 40;
const RATE = 2;
/** For the cases that must play all 40 s: the playhead is not what they check, the segments are. */
const FAST_RATE = 4;

interface ElementState {
  duration: number;
  currentTime: number;
  ended: boolean;
  endedEvents: number;
  error: number | null;
}

describe('fault matrix (issue 20)', { timeout: 120_000 }, () => {
  let browser: LaunchedBrowser;
  let bundle: string;
  const servers: ShapingServer[] = [];

  beforeAll(async () => {
    [bundle, browser] = await Promise.all([buildPlayerBundle(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  async function session(
    serverOptions: Partial<ShapingServerOptions>,
    path: string,
    playerOptions: Record<string, unknown>,
    rate = RATE,
  ): Promise<{ page: Page; server: ShapingServer }> {
    const server = await serveFixtures(serverOptions);
    servers.push(server);
    const page = await browser.newPage();
    await openPlayerPage(page, server.url, bundle);
    // count the element's own `ended` events: a broken session must never fire one
    await page.evaluate(() => {
      const v = document.getElementById('v') as HTMLVideoElement;
      (window as unknown as { endedEvents: number }).endedEvents = 0;
      v.addEventListener('ended', () => (window as unknown as { endedEvents: number }).endedEvents++);
    });
    await startPlayerRun(page, path, playerOptions, rate);
    return { page, server };
  }

  function element(page: Page): Promise<ElementState> {
    return page.evaluate(() => {
      const v = document.getElementById('v') as HTMLVideoElement;
      return {
        duration: v.duration,
        currentTime: v.currentTime,
        ended: v.ended,
        endedEvents: (window as unknown as { endedEvents: number }).endedEvents,
        error: v.error?.code ?? null,
      };
    });
  }

  /** A fatal error: state `error` to the end, the full duration, no `ended`, after the buffer played out. */
  async function expectBrokenNotEnded(
    page: Page,
    expect: (v: unknown) => { toBe(x: unknown): void; toBeCloseTo(x: number, d: number): void },
  ): Promise<void> {
    // let what was buffered play out (it did end the session before issue 20)
    await page.waitForTimeout(2500);
    const run = await getPlayerRun(page);
    const v = await element(page);
    expect(run.states.at(-1)).toBe('error');
    expect(run.states.includes('ended')).toBe(false);
    expect(v.endedEvents).toBe(0);
    expect(v.duration).toBeCloseTo(FULL_DURATION_S, 0);
  }

  it.concurrent(
    '50% 5xx on every request: startup survives on the default playlist budget, plays to the end',
    async ({ expect }) => {
      const { page } = await session(
        { faults: '5xx=0.5:503', seed: 3 },
        '/ladder/master.m3u8',
        { abr: 'bola', bufferTargetMs: 12_000, retry: { baseDelayMs: 100, maxDelayMs: 400 } },
        FAST_RATE,
      );
      const run = await waitPlayerRun(page, 'run.ended || run.errors.length > 0', 150_000);
      expect(run.errors).toEqual([]);
      expect(run.loadRetries.length).toBeGreaterThan(0);
      expect(run.retries.length).toBeGreaterThan(0);
      expect(run.segments.map((s) => s.segment)).toEqual([...Array(20).keys()]);
      await page.close();
    },
    180_000,
  );

  it.concurrent(
    'a rendition whose init segment is missing: excluded once, the video plays to the end',
    async ({ expect }) => {
      const { page } = await session(
        { faults: '404=1,pattern=/360p/init.mp4' },
        '/ladder/master.m3u8',
        { abr: 'bola', bufferTargetMs: 12_000, startRendition: 2 },
        FAST_RATE,
      );
      const run = await waitPlayerRun(page, 'run.ended || run.errors.length > 0', 90_000);
      expect(run.errors).toEqual([]);
      expect(run.exclusions).toEqual([
        {
          renditionIndex: 2,
          url: expect.stringMatching(/\/ladder\/360p\/init\.mp4$/) as unknown,
          code: 'HTTP_404',
        },
      ]);
      // set aside after its first failure: no segment at 2, one failed request (not one per segment)
      expect(run.segments.some((s) => s.rendition === 2)).toBe(false);
      expect(run.retries.filter((r) => r.renditionIndex === 2)).toHaveLength(1);
      expect(run.segments.map((s) => s.segment)).toEqual([...Array(20).keys()]);
      expect((await element(page)).duration).toBeCloseTo(FULL_DURATION_S, 0);
      await page.close();
    },
  );

  it.concurrent(
    'a segment answering 5xx on every try: fatal error naming it, duration kept',
    async ({ expect }) => {
      const { page } = await session({ faults: '5xx=1:503,pattern=p/seg_00004.m4s' }, '/ladder/master.m3u8', {
        abr: 'bola',
        retry: { baseDelayMs: 50, maxDelayMs: 200, maxTotalMs: 3000 },
      });
      const run = await waitPlayerRun(page, 'run.errors.length > 0', 60_000);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]).toMatchObject({ code: 'HTTP_503' });
      expect(run.errors[0]?.source).toMatch(/\/ladder\/\d+p\/seg_00004\.m4s$/);
      // it was retried, at more than one rendition, every retry naming the URL
      const retries = run.retries.filter((r) => r.segmentIndex === 4);
      expect(retries.length).toBeGreaterThan(2);
      expect(retries.every((r) => r.code === 'HTTP_503' && /seg_00004\.m4s$/.test(r.source ?? ''))).toBe(
        true,
      );
      expect(new Set(retries.map((r) => r.renditionIndex)).size).toBeGreaterThan(1);
      await expectBrokenNotEnded(page, expect);
      await page.close();
    },
  );

  it.concurrent(
    'a segment missing at every rendition: fatal 404 naming it, duration kept',
    async ({ expect }) => {
      const { page } = await session({}, '/broken/missing-segment/master.m3u8', { abr: 'bola' });
      const run = await waitPlayerRun(page, 'run.errors.length > 0', 60_000);
      expect(run.errors[0]).toMatchObject({ code: 'HTTP_404' });
      expect(run.errors[0]?.source).toMatch(/missing-segment\/seg_00002\.m4s$/);
      await expectBrokenNotEnded(page, expect);
      await page.close();
    },
  );

  it.concurrent(
    'random bytes for a segment: caught before append, retried once, fatal naming it',
    async ({ expect }) => {
      const { page } = await session({}, '/broken/random-bytes/master.m3u8', { abr: 'bola' });
      const run = await waitPlayerRun(page, 'run.errors.length > 0', 60_000);
      expect(run.errors[0]).toMatchObject({ code: 'CORRUPT_SEGMENT' });
      expect(run.errors[0]?.source).toMatch(/random-bytes\/seg_00002\.m4s$/);
      expect(run.retries.map((r) => [r.code, r.segmentIndex, r.source?.split('/').pop()])).toEqual([
        ['CORRUPT_SEGMENT', 2, 'seg_00002.m4s'],
      ]);
      expect((await element(page)).error).toBeNull();
      await expectBrokenNotEnded(page, expect);
      await page.close();
    },
  );

  it.concurrent(
    'a truncated segment: segment 2 is named (not 3)',
    async ({ expect }) => {
      const { page } = await session({}, '/broken/truncated-segment/master.m3u8', { abr: 'bola' });
      const run = await waitPlayerRun(page, 'run.errors.length > 0', 60_000);
      expect(run.errors[0]).toMatchObject({ code: 'CORRUPT_SEGMENT' });
      expect(run.errors[0]?.source).toMatch(/truncated-segment\/seg_00002\.m4s$/);
      await expectBrokenNotEnded(page, expect);
      await page.close();
    },
    90_000,
  );

  it.concurrent(
    'a segment spliced from another rendition: the error names that URL',
    async ({ expect }) => {
      const { page } = await session({}, '/broken/spliced-segment/master.m3u8', { abr: 'bola' });
      const run = await waitPlayerRun(page, 'run.errors.length > 0', 60_000);
      expect(run.errors).toHaveLength(1);
      expect(run.errors[0]?.source).toMatch(/\/ladder\/480p\/seg_00002\.m4s$/);
      await page.close();
    },
    90_000,
  );

  it.concurrent(
    'a variant playlist failing at load (the lowest: loaded up front): left out, the others play',
    async ({ expect }) => {
      const { page } = await session({ faults: '404=1,pattern=/144p/index.m3u8' }, '/ladder/master.m3u8', {
        abr: 'bola',
      });
      const run = await waitPlayerRun(page, 'run.segments.length >= 4 || run.errors.length > 0', 60_000);
      expect(run.errors).toEqual([]);
      expect(run.exclusions).toEqual([
        {
          renditionIndex: null,
          url: expect.stringMatching(/144p\/index\.m3u8$/) as unknown,
          code: 'HTTP_404',
        },
      ]);
      const renditions = await page.evaluate(
        () => (window as unknown as { player: Player }).player.renditions.length,
      );
      expect(renditions).toBe(3);
      await page.close();
    },
    90_000,
  );

  it.concurrent(
    'a deferred variant playlist failing (loaded at first use): that rendition excluded, the video plays to the end',
    async ({ expect }) => {
      const { page } = await session(
        { faults: '404=1,pattern=/480p/index.m3u8' },
        '/ladder/master.m3u8',
        { abr: 'bola', bufferTargetMs: 12_000 },
        FAST_RATE,
      );
      const run = await waitPlayerRun(page, 'run.ended || run.errors.length > 0', 90_000);
      expect(run.errors).toEqual([]);
      // the top rendition stays in the ladder until the algorithm asks for it; its playlist fails then
      expect(run.exclusions).toEqual([
        { renditionIndex: 3, url: expect.stringMatching(/480p\/index\.m3u8$/) as unknown, code: 'HTTP_404' },
      ]);
      expect(run.segments.some((s) => s.rendition === 3)).toBe(false);
      expect(run.segments.map((s) => s.segment)).toEqual([...Array(20).keys()]);
      await page.close();
    },
    120_000,
  );

  it.concurrent(
    '12 s latency spikes: retried after the startup timeout, startup well under 21 s',
    async ({ expect }) => {
      const { page } = await session({ faults: 'spike=0.3:12000', seed: 5 }, '/ladder/master.m3u8', {
        abr: 'bola',
        bufferTargetMs: 12_000,
      });
      const run = await waitPlayerRun(
        page,
        "run.states.includes('playing') || run.errors.length > 0",
        60_000,
      );
      expect(run.errors).toEqual([]);
      // each spiked request costs startupTimeoutMs (3 s), not 12 s (or requestTimeoutMs, 10 s)
      expect(run.qoe?.startupMs ?? Infinity).toBeLessThan(15_000);
      await page.close();
    },
    90_000,
  );

  it.concurrent(
    'seeking past the end plays the last segment and ends with the full duration; a seek back plays again',
    async ({ expect }) => {
      const { page } = await session({}, '/ladder/master.m3u8', { abr: 'bola', bufferTargetMs: 8000 });
      await waitPlayerRun(page, 'run.segments.length >= 2', 30_000);
      await page.evaluate(() => (window as unknown as { player: Player }).player.seek(1e6));
      const ended = await waitPlayerRun(
        page,
        "run.states.at(-1) === 'ended' || run.errors.length > 0",
        30_000,
      );
      expect(ended.errors).toEqual([]);
      expect(ended.segments.at(-1)?.segment).toBe(19);
      const v = await element(page);
      expect(v.duration).toBeCloseTo(FULL_DURATION_S, 0);
      expect(v.ended).toBe(true);
      await page.evaluate(() => (window as unknown as { player: Player }).player.seek(5));
      await page.waitForFunction(
        () => (document.getElementById('v') as HTMLVideoElement).currentTime > 6,
        null,
        {
          timeout: 30_000,
        },
      );
      const again = await getPlayerRun(page);
      expect(again.states.at(-1)).toBe('playing');
      expect((await element(page)).duration).toBeCloseTo(FULL_DURATION_S, 0);
      await page.close();
    },
  );

  it.concurrent(
    'the element taken out of the document: paused in state$, no downloads, plays again when back',
    async ({ expect }) => {
      const { page, server } = await session({}, '/ladder/master.m3u8', {
        abr: 'bola',
        bufferTargetMs: 30_000,
      });
      await waitPlayerRun(page, "run.states.at(-1) === 'playing'", 30_000);
      await page.evaluate(() => {
        const v = document.getElementById('v')!;
        (window as unknown as { detached: HTMLVideoElement }).detached = v as HTMLVideoElement;
        v.remove();
      });
      const paused = await waitPlayerRun(page, "run.states.at(-1) === 'paused'", 10_000);
      expect(paused.playbacks.at(-1)).toEqual({ reason: 'pause', paused: true, connected: false });
      await page.waitForTimeout(500);
      const requestsThen = server.requests.length;
      await page.waitForTimeout(3000);
      expect(server.requests.length).toBe(requestsThen);
      expect(
        await page.evaluate(() => (window as unknown as { player: Player }).player.pendingWork().requests),
      ).toBe(0);
      await page.evaluate(async () => {
        const v = (window as unknown as { detached: HTMLVideoElement }).detached;
        document.body.append(v);
        await v.play();
      });
      const back = await waitPlayerRun(page, "run.states.at(-1) === 'playing'", 10_000);
      expect(back.playbacks.at(-1)).toMatchObject({ reason: 'play', paused: false, connected: true });
      await page.close();
    },
  );

  it.concurrent(
    'API abuse: options checked against the presentation, bad arguments named, load() interrupted rejects',
    async ({ expect }) => {
      const { page, server } = await session({}, '/ladder/master.m3u8', { abr: 'bola', bufferTargetMs: 1 });
      const run = await waitPlayerRun(page, 'run.loadResult !== null', 30_000);
      expect(run.loadResult).toMatchObject({ code: 'OPTION_OUT_OF_RANGE' });
      expect((run.loadResult as { message: string }).message).toMatch(
        /bufferTargetMs: must be at least 2 segments \(>= 4000 ms\)/,
      );
      expect(run.states.at(-1)).toBe('error');
      const results = await page.evaluate(async (url) => {
        const abrkit = (window as unknown as { abrkit: typeof PlayerModule }).abrkit;
        const video = document.createElement('video');
        const out: Record<string, string> = {};
        const message = (f: () => unknown): string => {
          try {
            f();
            return 'accepted';
          } catch (e) {
            return `${(e as Error).name}: ${(e as Error).message}`;
          }
        };
        const p = abrkit.createPlayer({ startRendition: 99 });
        p.attach(video);
        out.startRendition = await p.load(`${url}/ladder/master.m3u8`).then(
          () => 'resolved',
          (e: { message: string }) => e.message,
        );
        out.attachBody = message(() => p.attach(document.body as unknown as HTMLVideoElement));
        out.seekString = message(() => p.seek('5' as unknown as number));
        const q = abrkit.createPlayer();
        q.attach(video);
        const pending = q.load(`${url}/ladder/master.m3u8`);
        q.destroy();
        out.destroyed = await pending.then(
          () => 'resolved',
          (e: { code: string }) => e.code,
        );
        p.destroy();
        return out;
      }, server.url);
      expect(results.startRendition).toMatch(/startRendition: must be in \[0, 3\]/);
      expect(results.attachBody).toMatch(/^TypeError: video: must be an HTMLMediaElement .*got <body>/);
      expect(results.seekString).toMatch(/^TypeError: positionS: .*got a string \("5"\)/);
      expect(results.destroyed).toBe('LOAD_ABORTED');
      await page.close();
    },
  );
});
