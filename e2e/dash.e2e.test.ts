/**
 * `abrkit/player` plays the fixture's DASH MPD (fixtures/ladder/manifest.mpd, the same CMAF segments as
 * master.m3u8) to the end in Debian's chromium, through the shaping server: every video segment once, the
 * audio following, the same files the HLS playlists name, paced by the trace. Also checks that the DASH code
 * is not in what an HLS page loads up front (it is a chunk fetched only for an MPD).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShapingServer } from '../src/shaping/index.js';
import { REPO_ROOT } from '../test/support/shared-data.js';
import { launchBrowser } from './support/browser.js';
import type { LaunchedBrowser } from './support/browser.js';
import {
  buildEagerCode,
  buildPlayerBundle,
  getPlayerRun,
  openPlayerPage,
  serveFixtures,
  startPlayerRun,
  waitPlayerRun,
} from './player-harness.js';

const LINK_KBPS = 6000;

describe('abrkit/player plays DASH in chromium', () => {
  let browser: LaunchedBrowser;
  let server: ShapingServer;
  let bundle: string;

  beforeAll(async () => {
    [bundle, browser, server] = await Promise.all([
      buildPlayerBundle(),
      launchBrowser(),
      serveFixtures({ trace: `constant:${LINK_KBPS}` }),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('plays manifest.mpd to the end through the shaping server, on the same segments as HLS', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await openPlayerPage(page, server.url, bundle);
    await startPlayerRun(page, '/ladder/manifest.mpd', { abr: 'bola', bufferTargetMs: 12_000 }, 4);
    await waitPlayerRun(page, 'run.ended', 25_000);
    const run = await getPlayerRun(page);
    expect(run.loadResult).toBe('resolved');
    expect(run.errors).toEqual([]);
    expect(run.segments.map((s) => s.segment)).toEqual([...Array(20).keys()]);
    const video = run.downloads.filter((d) => d.kind !== 'audio' && /seg_\d+\.m4s$/.test(d.url));
    for (const d of video) expect(d.url).toMatch(/\/ladder\/(144|240|360|480)p\/seg_000\d\d\.m4s$/);
    const audio = run.downloads.filter((d) => d.kind === 'audio').map((d) => d.url.split('/').pop());
    expect(audio).toHaveLength(21);
    expect(new Set(audio).size).toBe(21);
    expect(run.states.at(-1)).toBe('ended');
    const element = await page.evaluate(() => {
      const v = document.getElementById('v') as HTMLVideoElement;
      return { currentTime: v.currentTime, error: v.error?.code ?? null };
    });
    expect(element.error).toBeNull();
    expect(element.currentTime).toBeGreaterThan(39.5);

    // the server saw the MPD and shaped the segments: no body of 50 kB or more beat the trace's rate
    const requests = server.requests;
    expect(requests.some((r) => r.url === '/ladder/manifest.mpd' && r.status === 200)).toBe(true);
    const big = requests.filter((r) => r.bytes >= 50_000 && r.firstByteMs !== null);
    expect(big.length).toBeGreaterThan(0);
    for (const r of big) {
      const kbps = (r.bytes * 8) / (r.endMs - (r.firstByteMs ?? r.startMs));
      expect(kbps).toBeLessThan(LINK_KBPS * 1.1);
    }
    const response = await fetch(`${server.url}/ladder/manifest.mpd`);
    expect(response.headers.get('content-type')).toBe('application/dash+xml');
    await response.arrayBuffer();
    await page.close();
  }, 30_000);

  it('keeps the DASH reader out of the eager player code (a lazy chunk)', async () => {
    const eager = await buildEagerCode(join(REPO_ROOT, 'src/player/index.ts'));
    expect(bundle).toContain('SegmentTimeline');
    expect(eager).not.toContain('SegmentTimeline');
  }, 30_000);
});
