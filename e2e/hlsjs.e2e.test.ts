/**
 * hls.js 1.7 with abrkit algorithms as its `abrController` (src/hlsjs), in Debian's chromium: the fixture ladder
 * plays to the end with no fatal error, `hls.bandwidthEstimate` comes from abrkit's estimator, and under a
 * bandwidth step-down (a step trace on the shaping server, src/shaping) it switches down within two segments
 * and the estimate settles within 20 % of the cap.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ShapingServer } from '../src/shaping/index.js';
import { openBundlePage, serveFixtures, waitTraceMs } from './player-harness.js';
import { launchBrowser, type LaunchedBrowser } from './support/browser.js';
import { buildHlsPageBundle } from './support/hlsjs-harness.js';
import type { HlsRun } from './support/hlsjs-page-entry.js';

/** Top of the fixture ladder in hls.js's order (sorted by height): 480p. */
const TOP_LEVEL = 3;
/** The fixture's rendition folders in hls.js's level order. */
const LEVEL_NAMES = ['144p', '240p', '360p', '480p'];
const SEGMENT_COUNT = 20;

async function getRun(page: Page): Promise<HlsRun> {
  return page.evaluate(() => JSON.parse(JSON.stringify(window.run)) as HlsRun);
}

async function waitFor(page: Page, expression: string, timeoutMs: number): Promise<void> {
  try {
    await page.waitForFunction(expression, undefined, { timeout: timeoutMs, polling: 100 });
  } catch (error) {
    const run = await getRun(page).catch(() => null);
    const summary = run && {
      fragments: run.fragments.map((f) => `${f.sn}@${f.level}`).join(' '),
      decisions: run.decisions.length,
      abandons: run.abandons.length,
      fatalErrors: run.fatalErrors,
      ended: run.ended,
    };
    throw new Error(`${String(error)}\n${JSON.stringify(summary)}`, { cause: error });
  }
}

// Each test has its own page (the step test its own server) and spends its time in real-time playback: they
// run concurrently in one browser.
describe('hls.js with the abrkit adapter in chromium', { concurrent: true }, () => {
  let browser: LaunchedBrowser;
  let server: ShapingServer;
  /** Servers of single tests (their own trace), closed after the suite. */
  const ownServers: ShapingServer[] = [];
  let bundle: string;

  beforeAll(async () => {
    [bundle, server, browser] = await Promise.all([buildHlsPageBundle(), serveFixtures(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([server, ...ownServers].map((s) => s?.close()));
  });

  async function start(
    algorithm: string,
    bufferS: number,
    playbackRate = 1,
    on: ShapingServer = server,
  ): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await openBundlePage(page, on.url, bundle);
    await page.evaluate(
      ([src, algo, buffer, rate]) => {
        window.startHls(src, algo, buffer);
        const video = document.getElementById('v') as HTMLVideoElement;
        video.playbackRate = rate;
        video.addEventListener('loadedmetadata', () => (video.playbackRate = rate));
      },
      [`${on.url}/ladder/master.m3u8`, algorithm, bufferS, playbackRate] as const,
    );
    return page;
  }

  for (const algorithm of ['throughput', 'bola']) {
    it(
      `plays the ladder to the end with '${algorithm}', every segment, no fatal error`,
      { timeout: 60_000 },
      async ({ expect }) => {
        const page = await start(algorithm, 10, 4);
        await waitFor(page, 'window.run.ended === true || window.run.fatalErrors.length > 0', 50_000);
        const run = await getRun(page);
        expect(run.fatalErrors).toEqual([]);
        expect(run.ended).toBe(true);
        const sns = new Set(run.fragments.map((f) => f.sn));
        expect([...sns].sort((a, b) => a - b)).toEqual([...Array(SEGMENT_COUNT).keys()]);
        // the algorithm decided (once per segment at most, plus emergency switches)
        const chosen = run.decisions
          .filter((d) => !d.reason.startsWith('abandon'))
          .map((d) => d.segmentIndex);
        expect(chosen.length).toBeGreaterThan(0);
        expect(chosen.every((i) => i >= 0 && i < SEGMENT_COUNT)).toBe(true);
        expect(new Set(chosen).size, `segments decided: ${chosen.join(' ')}`).toBe(chosen.length);
        // on loopback, unthrottled, the estimate is far above the ladder and the top level is reached
        const estimate = await page.evaluate(() => window.hls.bandwidthEstimate);
        expect(Number.isFinite(estimate)).toBe(true);
        expect(estimate).toBeGreaterThan(2_000_000);
        expect(run.fragments.at(-1)!.level).toBe(TOP_LEVEL);
        await page.close();
      },
    );
  }

  it(
    'switches down within two segments of a step down; the estimate follows within 20 %',
    { timeout: 120_000 },
    async ({ expect }) => {
      // A step trace: 2000 kbps (above the top rendition's 1163 kbps peak) for `highForMs`, then 300 kbps
      // (between 240p at 251 kbps average and 360p at 427 kbps).
      const highKbps = 2000;
      const lowKbps = 300;
      const highForMs = 6_000;
      const stepped = await serveFixtures({ trace: `step:${highKbps}x${highForMs}ms,${lowKbps}x300s` });
      ownServers.push(stepped);
      const page = await start('throughput', 8, 1, stepped);
      await waitFor(
        page,
        `window.run.fragments.length >= 4 && window.run.fragments.at(-1).level === ${TOP_LEVEL}`,
        30_000,
      );
      const high = await page.evaluate(() => window.hls.bandwidthEstimate);
      expect(Math.abs(high / 1000 - highKbps) / highKbps).toBeLessThan(0.2);
      await waitTraceMs(stepped, highForMs);
      const before = (await getRun(page)).fragments.length;
      // hls.js's estimate is the lower of a 3 s and a 9 s EWMA weighted by download time: from 2000 to within
      // 20 % of 300 kbps takes about 3 * log2(1700 / 60) = 14.5 s of downloading, 7 to 9 segments here.
      await waitFor(
        page,
        `Math.abs(window.hls.bandwidthEstimate / 1000 - ${lowKbps}) / ${lowKbps} < 0.2 || window.run.fatalErrors.length > 0`,
        60_000,
      );
      const run = await getRun(page);
      expect(run.fatalErrors).toEqual([]);
      const after = run.fragments.slice(before);
      if (process.env.HLSJS_E2E_DEBUG) {
        console.log(
          JSON.stringify({ after, samples: run.samples.slice(-12), abandons: run.abandons }, null, 1),
        );
      }
      // the fragment in flight at the step may finish at the top (or be abandoned); every later one is lower
      expect(after.length).toBeGreaterThan(0);
      expect(after.slice(1).every((f) => f.level < TOP_LEVEL)).toBe(true);
      // the samples themselves measure the link (bytes as they arrived, time to first byte apart): on the shaping
      // server's one shared link, a fragment loaded while an audio fragment also is gets its share of the cap, so
      // each sample is compared with what the server sent for that response (bytes over first to last byte, from
      // its request log); one sample is noisy on small segments and a busy machine, their mean is not
      const loaded = run.fragments.slice(-4);
      const lowSamples = loaded.map((f) => {
        const sample = run.samples.filter((x) => x.segmentIndex === f.sn && x.atMs <= f.atMs + 1).at(-1);
        expect(sample, `sample of fragment ${f.sn}`).toBeDefined();
        return sample!;
      });
      const servedKbps = loaded.map((f) => {
        const url = `/ladder/${LEVEL_NAMES[f.level]}/seg_${String(f.sn).padStart(5, '0')}.m4s`;
        const entry = stepped.requests.filter((r) => r.url === url && r.status === 200 && !r.aborted).at(-1);
        expect(entry, `server log entry of ${url}`).toBeDefined();
        return (entry!.bytes * 8) / (entry!.endMs - (entry!.firstByteMs ?? entry!.startMs));
      });
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      const meanKbps = mean(lowSamples.map((s) => s.sampleKbps));
      expect(Math.abs(meanKbps - mean(servedKbps)) / mean(servedKbps)).toBeLessThan(0.1);
      // and what the server sent is the low step or a share of it, never more
      for (const kbps of servedKbps) expect(kbps).toBeLessThan(lowKbps * 1.1);
      expect(after.length).toBeLessThanOrEqual(10);
      await page.close();
    },
  );
});
