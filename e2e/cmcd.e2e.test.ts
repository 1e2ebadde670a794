/**
 * CMCD as a QA tool: abrkit's player in chromium sends CTA-5004 data with each request; the shaping server
 * (src/shaping) parses it into its request log; this test checks what the player reported against what the
 * server measured and what the trace allowed:
 *
 * - mtp (the throughput estimate the ABR decides with) starts at the player's start estimate and, from the
 *   second request on, stays within 20 % of the trace's bandwidth (it once overshot it threefold there: see the
 *   comment at the check), and from the fourth within 25 % of the throughput the server measured over the three
 *   before (bytes it paced over the time its link was busy);
 * - bl (buffer ahead) never exceeds the media the server has delivered before the request, and between two
 *   consecutive video requests changes as the server's log predicts: + the duration of the segment delivered,
 *   − the playback rate × the time between the requests;
 * - the object keys (ot, br, d, tb) match the resource the server served, in header mode (the four CMCD-*
 *   headers) and in query mode (a CMCD= parameter), with one session id throughout;
 * - hls.js with abrkit's adapter and `hlsCmcdConfig` (hls.js's own CMCD controller, src/hlsjs/cmcd.ts says why)
 *   sends abrkit's throughput estimate as mtp.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parseMasterPlaylist } from '../src/manifest/index.js';
import type { RequestLogEntry, ShapingServer } from '../src/shaping/index.js';
import {
  FIXTURES_DIR,
  buildPlayerBundle,
  openPlayerPage,
  serveFixtures,
  startPlayerRun,
  waitPlayerRun,
} from './player-harness.js';
import { launchBrowser, type LaunchedBrowser } from './support/browser.js';
import type { HlsCmcdRun } from './support/hlsjs-cmcd-page-entry.js';
import { REPO_ROOT } from '../test/support/shared-data.js';
import { buildBrowserBundle, openBundlePage } from './player-harness.js';

const TRACE_KBPS = 2000;
const SEGMENT_MS = 2000;
const START_ESTIMATE_KBPS = 500;
/** Peak bitrate (BANDWIDTH, kbps) of each fixture rendition by folder name. */
const PEAK_KBPS = new Map(
  parseMasterPlaylist(
    readFileSync(join(FIXTURES_DIR, 'ladder/master.m3u8'), 'utf8'),
    'http://x/ladder/master.m3u8',
  ).renditions.map((r) => [new URL(r.uri).pathname.split('/').at(-2)!, r.peakBitrateKbps ?? r.bitrateKbps]),
);
const TOP_PEAK_KBPS = Math.max(...PEAK_KBPS.values());
/** Duration (EXTINF, ms) of each fixture segment by its path. */
const DURATION_MS = new Map<string, number>(
  [...PEAK_KBPS.keys(), 'audio'].flatMap((folder) => {
    const text = readFileSync(join(FIXTURES_DIR, 'ladder', folder, 'index.m3u8'), 'utf8');
    return [...text.matchAll(/#EXTINF:([\d.]+),\s*\n(\S+)/g)].map(
      (m) => [`/ladder/${folder}/${m[2]}`, Math.round(Number(m[1]) * 1000)] as const,
    );
  }),
);

interface Request {
  readonly entry: RequestLogEntry;
  readonly path: string;
  readonly cmcd: Record<string, string | number | boolean>;
}

/** The fixture requests the player made, in the order they reached the server, with their CMCD. */
function requestsOf(server: ShapingServer): Request[] {
  return [...server.requests]
    .filter((e) => e.method === 'GET' && e.url.startsWith('/ladder/') && !e.url.includes('.m3u8'))
    .sort((a, b) => a.startMs - b.startMs)
    .map((entry) => ({ entry, path: entry.url.split('?')[0]!, cmcd: entry.cmcd ?? {} }));
}

const isVideoSegment = (r: Request): boolean => /\/\d+p\/seg_\d+\.m4s$/.test(r.path);

/**
 * The throughput the server measured over the requests that ended before `beforeMs` and started after
 * `sinceMs`: their bytes over the union of their [start, end] spans (the time the link was busy), kbps.
 */
function serverThroughputKbps(
  requests: readonly Request[],
  sinceMs: number,
  beforeMs: number,
): number | null {
  const done = requests.filter(
    (r) => r.entry.startMs >= sinceMs && r.entry.endMs <= beforeMs && !r.entry.aborted,
  );
  if (done.length === 0) return null;
  const spans = done.map((r) => [r.entry.startMs, r.entry.endMs] as const).sort((a, b) => a[0] - b[0]);
  let busyMs = 0;
  let [from, to] = spans[0]!;
  for (const [s, e] of spans.slice(1)) {
    if (s > to) {
      busyMs += to - from;
      [from, to] = [s, e];
    } else to = Math.max(to, e);
  }
  busyMs += to - from;
  const bytes = done.reduce((sum, r) => sum + r.entry.bytes, 0);
  return busyMs > 0 ? (bytes * 8) / busyMs : null;
}

describe('CMCD from abrkit/player checked by the shaping server', { concurrent: true }, () => {
  let browser: LaunchedBrowser;
  let bundle: string;
  let hlsBundle: string;
  const servers: ShapingServer[] = [];

  beforeAll(async () => {
    [bundle, hlsBundle, browser] = await Promise.all([
      buildPlayerBundle(),
      buildBrowserBundle(join(REPO_ROOT, 'e2e/support/hlsjs-cmcd-page-entry.ts')),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  async function play(
    mode: 'query' | 'headers',
    untilS: number,
  ): Promise<{ server: ShapingServer; page: Page }> {
    const server = await serveFixtures({ trace: `constant:${TRACE_KBPS},latencyMs=20` });
    servers.push(server);
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await openPlayerPage(page, server.url, bundle);
    await startPlayerRun(page, '/ladder/master.m3u8', {
      abr: 'bola',
      bufferTargetMs: 6000,
      startEstimateKbps: START_ESTIMATE_KBPS,
      cmcd: { mode, contentId: 'fixture-ladder', sessionId: `qa-${mode}` },
    });
    await waitPlayerRun(
      page,
      `run.errors.length > 0 || document.getElementById('v').currentTime >= ${untilS}`,
      untilS * 1000 + 15_000,
    );
    return { server, page };
  }

  it('header mode: bl and mtp agree with what the server measured and the trace allowed', async ({
    expect,
  }) => {
    const { server, page } = await play('headers', 10);
    const run = await waitPlayerRun(page, 'true', 1000);
    expect(run.errors).toEqual([]);
    const requests = requestsOf(server);
    expect(requests.every((r) => r.entry.cmcdMode === 'headers' && r.entry.cmcdError === undefined)).toBe(
      true,
    );
    expect(new Set(requests.map((r) => r.cmcd.sid))).toEqual(new Set(['qa-headers']));
    expect(
      requests.every((r) => r.cmcd.cid === 'fixture-ladder' && r.cmcd.sf === 'h' && r.cmcd.st === 'v'),
    ).toBe(true);

    // object keys: what the server served
    for (const r of requests) {
      const folder = r.path.split('/').at(-2)!;
      if (r.path.endsWith('/init.mp4')) expect(r.cmcd.ot, r.path).toBe('i');
      else if (folder === 'audio')
        expect(r.cmcd, r.path).toMatchObject({ ot: 'a', d: DURATION_MS.get(r.path) });
      else
        expect(r.cmcd, r.path).toMatchObject({
          ot: 'v',
          d: DURATION_MS.get(r.path),
          br: Math.round(PEAK_KBPS.get(folder)!),
          tb: Math.round(TOP_PEAK_KBPS),
          rtp: Math.round((PEAK_KBPS.get(folder)! * 5) / 100) * 100,
        });
    }

    const video = requests.filter(isVideoSegment);
    // what the server logged, shown with a failing check
    const table = requests
      .map(
        (r) =>
          `${r.path.padEnd(28)} start ${r.entry.startMs.toFixed(0).padStart(6)} first ${String(r.entry.firstByteMs?.toFixed(0)).padStart(6)} end ${r.entry.endMs.toFixed(0).padStart(6)} ${String(r.entry.bytes).padStart(7)} B  mtp ${String(r.cmcd.mtp).padStart(5)} bl ${String(r.cmcd.bl).padStart(6)}`,
      )
      .join('\n');
    expect(video.length).toBeGreaterThanOrEqual(6);
    // mtp: the start estimate first, then never above what the trace allowed, and near what the server measured
    expect(video[0]!.cmcd.mtp).toBe(START_ESTIMATE_KBPS);
    const mtpChecks: string[] = [];
    video.forEach((r, k) => {
      const mtp = r.cmcd.mtp as number;
      expect(mtp % 100).toBe(0);
      // Within 20 % of the link from the second request on. The first samples are small bodies a page held up by
      // startup work (a loaded machine) reads in one burst; timed by those reads they once made the estimate
      // 5.7 Mbps on this 2 Mbps link (35 kB paced over 164 ms, read within the estimator's 50 ms floor), which
      // CMCD showed from the server's side. The player now takes the byte times from the network stack
      // (src/player/resource-timing.ts), so this holds from the first sample on.
      if (k < 1) return;
      expect(mtp, `mtp of ${r.path}\n${table}`).toBeLessThanOrEqual(TRACE_KBPS * 1.2);
      // against the server's measure over the three requests before (there are three from the fourth on), from
      // the fifth on: the fourth's window still holds the first segment and the init requests, mostly latency,
      // and under load the server's own measure there fell to 1462 kbps on this 2000 kbps link (mtp 1900)
      if (k < 4) return;
      const measured = serverThroughputKbps(requests, video[k - 3]!.entry.startMs, r.entry.startMs)!;
      mtpChecks.push(`${r.path}: mtp ${mtp}, server ${measured.toFixed(0)}`);
      expect(Math.abs(mtp - measured) / measured, `${mtpChecks.join('\n')}\n${table}`).toBeLessThanOrEqual(
        0.25,
      );
    });

    // bl: bounded by the media delivered; its change between requests follows the server's log
    const blChecks: string[] = [];
    video.forEach((r, k) => {
      const bl = r.cmcd.bl as number;
      expect(bl % 100).toBe(0);
      const deliveredMs =
        video.filter((v) => v.entry.endMs <= r.entry.startMs && !v.entry.aborted).length * SEGMENT_MS;
      expect(bl, `bl of ${r.path}`).toBeLessThanOrEqual(deliveredMs + 50);
      const prev = video[k - 1];
      // from the second request after playback started (su gone) on, with no stall in between
      if (!prev || prev.cmcd.su === true || r.cmcd.su === true || r.cmcd.bs === true) return;
      const elapsedMs = r.entry.startMs - prev.entry.startMs;
      const predicted = (prev.cmcd.bl as number) + SEGMENT_MS - elapsedMs;
      blChecks.push(`${r.path}: bl ${bl}, predicted ${predicted.toFixed(0)} (Δt ${elapsedMs.toFixed(0)} ms)`);
      expect(Math.abs(bl - predicted), `${blChecks.join('\n')}\n${table}`).toBeLessThanOrEqual(400);
    });
    expect(blChecks.length).toBeGreaterThanOrEqual(3);
  }, 40_000);

  it('query mode: one CMCD= parameter per request, the same keys', async ({ expect }) => {
    const { server } = await play('query', 5);
    const requests = requestsOf(server);
    expect(requests.length).toBeGreaterThanOrEqual(6);
    for (const r of requests) {
      expect(r.entry.cmcdMode, r.entry.url).toBe('query');
      expect(r.entry.url.match(/[?&]CMCD=/g)).toHaveLength(1);
      expect(r.cmcd.sid).toBe('qa-query');
    }
    const first = requests.find(isVideoSegment)!;
    expect(first.cmcd).toMatchObject({ ot: 'v', su: true, mtp: START_ESTIMATE_KBPS, nor: 'seg_00001.m4s' });
  }, 40_000);

  it("hls.js with the adapter: hls.js's CMCD controller sends abrkit's estimate as mtp", async ({
    expect,
  }) => {
    const server = await serveFixtures({ trace: `constant:${TRACE_KBPS},latencyMs=20` });
    servers.push(server);
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await openBundlePage(page, server.url, hlsBundle);
    await page.evaluate(
      ([src]) =>
        window.startHlsCmcd(src, { mode: 'headers', contentId: 'fixture-ladder', sessionId: 'qa-hlsjs' }),
      [`${server.url}/ladder/master.m3u8`] as const,
    );
    await page.waitForFunction(
      () => window.hlsCmcdRun.fatalErrors.length > 0 || window.hlsCmcdRun.estimates.length >= 5,
      undefined,
      { timeout: 20_000 },
    );
    const run = await page.evaluate(() => JSON.parse(JSON.stringify(window.hlsCmcdRun)) as HlsCmcdRun);
    expect(run.fatalErrors).toEqual([]);
    const video = requestsOf(server).filter(isVideoSegment);
    expect(video.every((r) => r.entry.cmcdMode === 'headers' && r.cmcd.sid === 'qa-hlsjs')).toBe(true);
    expect(video[0]!.cmcd).toMatchObject({ ot: 'v', cid: 'fixture-ladder', sf: 'h', su: true });
    // the request for fragment n+1 goes out after fragment n loaded: its mtp is the estimate hls.js read then
    // from abrkit's estimator (rounded to 100 kbps)
    const estimateAfter = new Map(run.estimates.map((e) => [e.sn, e.bandwidthBps / 1000]));
    let compared = 0;
    for (const r of video) {
      const sn = Number(/seg_(\d+)\.m4s$/.exec(r.path)![1]);
      const before = estimateAfter.get(sn - 1);
      if (before === undefined) continue;
      expect(Math.abs((r.cmcd.mtp as number) - before), r.path).toBeLessThanOrEqual(50 + 1e-9);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(3);
  }, 40_000);
});
