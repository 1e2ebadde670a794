/**
 * Live playback in chromium, short (about 35 s of real time; the 3-minute runs are e2e/live.long.test.ts):
 * `abrkit/player` on fixtures/ladder served live by the shaping server (30 s window, PROGRAM-DATE-TIME),
 * under a step trace, and under chaos (a stale playlist, playlist 5xx, segments missing at the edge). It
 * starts near the latency target, stays within a bound of it, recovers, raises no fatal error, and the
 * latency it reports matches the one computed from the server's own timeline (live-harness.ts).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ShapingServer } from '../src/shaping/index.js';
import { launchBrowser } from './support/browser.js';
import type { LaunchedBrowser } from './support/browser.js';
import { getLive, recordLive, serveLive, trueLatencyMs } from './support/live-harness.js';
import { buildHlsPageBundle } from './support/hlsjs-harness.js';
import {
  buildPlayerBundle,
  getPlayerRun,
  openBundlePage,
  openPlayerPage,
  startPlayerRun,
} from './player-harness.js';

describe('abrkit/player live in chromium', { concurrent: true, timeout: 60_000 }, () => {
  let browser: LaunchedBrowser;
  let bundle: string;
  let hlsBundle: string;
  const servers: ShapingServer[] = [];

  beforeAll(async () => {
    [bundle, hlsBundle, browser] = await Promise.all([
      buildPlayerBundle(),
      buildHlsPageBundle(),
      launchBrowser(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  async function play(server: ShapingServer, options: Record<string, unknown>): Promise<Page> {
    servers.push(server);
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await openPlayerPage(page, server.url, bundle);
    await startPlayerRun(page, '/master.m3u8', options);
    await recordLive(page);
    return page;
  }

  it('follows the live edge under a step trace: latency near the target, reported against PROGRAM-DATE-TIME', async ({
    expect,
  }) => {
    const server = await serveLive({}, { trace: 'step:3000x15s,700x10s,3000x20s' });
    const page = await play(server, { abr: 'bola' });
    await page.waitForTimeout(32_000);
    const [run, live] = await Promise.all([getPlayerRun(page), getLive(page)]);
    expect(run.loadResult).toBe('resolved');
    expect(run.errors).toEqual([]);
    expect(run.states).toContain('playing');
    const samples = live.latency.filter((s) => s.programDateTimeMs !== null);
    expect(samples.length).toBeGreaterThan(40);
    const target = samples[0]!.targetLatencyMs;
    expect(target).toBe(6000); // three target durations of 2 s
    // against the server's timeline: what the player reports is the true latency (within one frame or so)
    for (const s of samples) {
      const truth = trueLatencyMs(s, live, server.live!.originEpochMs);
      expect(truth).not.toBeNull();
      expect(Math.abs(s.latencyMs - truth!)).toBeLessThan(150);
    }
    // within a bound of the target once playing: never past the jump limit, and back near it by the end
    const playing = samples.filter((s) => s.currentTimeS > samples[0]!.currentTimeS + 2);
    for (const s of playing) expect(s.latencyMs).toBeLessThan(target + 6000 + 1000);
    const last = samples.slice(-6);
    for (const s of last) expect(Math.abs(s.latencyMs - target)).toBeLessThan(3000);
    // it played on: about as much media as wall time
    const played = samples.at(-1)!.currentTimeS - samples[0]!.currentTimeS;
    expect(played).toBeGreaterThan(20);
    // live segments (?msn=) beyond the first window were fetched: the playlist was reloaded
    const msns = run.downloads
      .filter((d) => d.kind === 'video' && !d.aborted)
      .map((d) => Number(/msn=(\d+)/.exec(d.url)?.[1]));
    expect(Math.max(...msns) - Math.min(...msns)).toBeGreaterThan(10);
  });

  it('recovers from a stale playlist, playlist 5xx and edge 404s without a fatal error', async ({
    expect,
  }) => {
    const server = await serveLive(
      { faults: 'stale=8000-14000,playlist5xx=0.15,edge404=0.3' },
      { trace: 'constant:3000', seed: 3 },
    );
    const page = await play(server, { abr: 'bola' });
    await page.waitForTimeout(32_000);
    const [run, live] = await Promise.all([getPlayerRun(page), getLive(page)]);
    expect(run.errors).toEqual([]);
    const faults = server.requests.map((r) => r.fault).filter((f) => f !== null);
    // the faults happened, and the player heard of them as recoverable events
    expect(faults.some((f) => (f as { kind?: string }).kind === 'http')).toBe(true);
    expect(faults.some((f) => (f as { kind?: string }).kind === 'edge-404')).toBe(true);
    expect(run.loadRetries.length).toBeGreaterThan(0);
    expect(run.retries.some((r) => r.code === 'HTTP_404')).toBe(true);
    const samples = live.latency;
    const target = samples[0]!.targetLatencyMs;
    for (const s of samples.slice(6)) expect(s.latencyMs).toBeLessThan(target + 6000 + 1000);
    // faults every few seconds keep it behind the target, but within the bound and catching up
    for (const s of samples.slice(-4)) expect(Math.abs(s.latencyMs - target)).toBeLessThan(4500);
    // it kept playing through the faults: most of the wall time was played
    const played = samples.at(-1)!.currentTimeS - samples[0]!.currentTimeS;
    expect(played).toBeGreaterThan(20);
    expect(run.states).not.toContain('error');
  });

  it('the hls.js adapter plays the same live stream: abrkit decides each fragment as the window slides', async ({
    expect,
  }) => {
    const server = await serveLive({}, { trace: 'constant:3000' });
    servers.push(server);
    const page = await browser.newPage();
    await openBundlePage(page, server.url, hlsBundle);
    await page.evaluate((src) => window.startHls(src, 'bola', 10), `${server.url}/master.m3u8`);
    await page.waitForTimeout(25_000);
    const run = await page.evaluate(() => window.run);
    const video = await page.evaluate(() => {
      const v = document.getElementById('v') as HTMLVideoElement;
      return { currentTime: v.currentTime, error: v.error?.code ?? null };
    });
    expect(run.fatalErrors).toEqual([]);
    expect(video.error).toBeNull();
    // fragments of the live sequence, newer ones loaded as the playlist was reloaded, each chosen by abrkit
    const sns = run.fragments.map((f) => f.sn);
    expect(Math.max(...sns) - Math.min(...sns)).toBeGreaterThanOrEqual(8);
    expect(run.decisions.length).toBeGreaterThanOrEqual(run.fragments.length - 1);
    expect(run.samples.length).toBeGreaterThan(5);
    expect(video.currentTime).toBeGreaterThan(15);
  });
});
