/**
 * `abrkit/player` plays the fixture's DASH MPD (fixtures/ladder/manifest.mpd, the same CMAF segments as
 * master.m3u8) to the end in Debian's chromium, through the shaping server: every video segment once, the
 * audio following, the same files the HLS playlists name, paced by the trace. Also checks that the DASH code
 * is not in what an HLS page loads up front (it is a chunk fetched only for an MPD).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShapingServer } from '../src/shaping/index.js';
import type { ShapingServer } from '../src/shaping/index.js';
import { writeSingleFile } from '../test/media/dash-fixtures.js';
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

  it('plays a SegmentBase MPD: the sidx read in the page (mp4box), segments fetched as byte ranges', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'abrkit-dash-e2e-'));
    const base = await startShapingServer({ root: dir, trace: `constant:${LINK_KBPS}` });
    try {
      const video = writeSingleFile(dir, '144p', 15360, Array(20).fill(30720) as number[]);
      const audioTicks = [...Array(21).keys()].map((i) => (i === 20 ? 1024 : i % 4 === 3 ? 95232 : 96256));
      const audio = writeSingleFile(dir, 'audio', 48000, audioTicks);
      await writeFile(
        join(dir, 'single.mpd'),
        '<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" mediaPresentationDuration="PT40.021333S">' +
          '<Period><AdaptationSet contentType="video" mimeType="video/mp4">' +
          '<Representation id="v" bandwidth="170000" codecs="avc1.4d400c" width="256" height="144"><BaseURL>144p.mp4</BaseURL>' +
          `<SegmentBase indexRange="${video.indexRange}"><Initialization range="${video.initRange}"/></SegmentBase></Representation>` +
          '</AdaptationSet><AdaptationSet contentType="audio" mimeType="audio/mp4" lang="en">' +
          '<Representation id="a" bandwidth="68000" codecs="mp4a.40.2"><BaseURL>audio.mp4</BaseURL>' +
          `<SegmentBase indexRange="${audio.indexRange}"/></Representation></AdaptationSet></Period></MPD>`,
      );
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.error('page error:', e.message));
      await openPlayerPage(page, base.url, bundle);
      await startPlayerRun(page, '/single.mpd', { abr: 'bola', bufferTargetMs: 8_000 }, 4);
      const run = await waitPlayerRun(
        page,
        'run.segments.length >= 3 && run.states.includes("playing")',
        15_000,
      );
      expect(run.loadResult).toBe('resolved');
      expect(run.errors).toEqual([]);
      const videoSizes = run.downloads.filter((d) => d.kind === 'video').map((d) => d.sizeBytes);
      expect(videoSizes.slice(0, 3)).toEqual(video.segmentSizes.slice(0, 3));
      const audioSizes = run.downloads.filter((d) => d.kind === 'audio').map((d) => d.sizeBytes);
      expect(audioSizes.slice(0, 2)).toEqual(audio.segmentSizes.slice(0, 2));
      // the index and the segments were byte-range requests into the one file
      const ranged = base.requests.filter((r) => r.url === '/144p.mp4' && r.status === 206);
      expect(ranged.map((r) => r.rangeStart)).toEqual(
        expect.arrayContaining([video.initSize, video.initSize + video.segmentSizes.length * 12 + 32]),
      );
      await page.close();
    } finally {
      await base.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('keeps the DASH reader out of the eager player code (a lazy chunk)', async () => {
    const eager = await buildEagerCode(join(REPO_ROOT, 'src/player/index.ts'));
    expect(bundle).toContain('SegmentTimeline');
    expect(eager).not.toContain('SegmentTimeline');
  }, 30_000);
});
