/**
 * Smoke test of the head-to-head's peers (bench/head-to-head/peers.ts): dash.js on fixtures/ladder/manifest.mpd
 * and Shaka Player on the MPD and on master.m3u8, each with its default ABR, start and play a few seconds in
 * chromium through the shaping server, without a fatal error, and fetch the fixture's segments (the bench itself
 * is the real check; this keeps its page from rotting between runs).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { PageRun, PageRunConfig } from '../bench/head-to-head/page-entry.js';
import type { ShapingServer } from '../src/shaping/index.js';
import { REPO_ROOT } from '../test/support/shared-data.js';
import { buildBrowserBundle, openPlayerPage, serveFixtures } from './player-harness.js';
import { launchBrowser, type LaunchedBrowser } from './support/browser.js';

const PLAY_S = 3;

describe('head-to-head peers in chromium', { concurrent: true }, () => {
  let browser: LaunchedBrowser;
  let bundle: string;
  const servers: ShapingServer[] = [];

  beforeAll(async () => {
    [bundle, browser] = await Promise.all([
      buildBrowserBundle(join(REPO_ROOT, 'bench/head-to-head/page-entry.ts')),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  const cases: [string, PageRunConfig['player'], string][] = [
    ['dash.js on the MPD', 'dashjs', 'ladder/manifest.mpd'],
    ['Shaka on the MPD', 'shaka', 'ladder/manifest.mpd'],
    ['Shaka on the HLS master', 'shaka', 'ladder/master.m3u8'],
  ];
  for (const [name, player, path] of cases) {
    it(`${name} plays ${PLAY_S} s`, async ({ expect }) => {
      const server = await serveFixtures({ trace: 'constant:3000,latencyMs=20' });
      servers.push(server);
      const page: Page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.addInitScript('window.__name = (f) => f');
      await openPlayerPage(page, server.url, bundle);
      const config: PageRunConfig = { src: `${server.url}/${path}`, player, algorithm: 'default' };
      await page.evaluate(`window.abrkit.startRun(${JSON.stringify(config)})`);
      await page.waitForFunction(
        `window.h2h.errors.length > 0 || document.getElementById('v').currentTime >= ${PLAY_S}`,
        undefined,
        { timeout: 20_000, polling: 100 },
      );
      const run = await page.evaluate<PageRun>('JSON.parse(JSON.stringify(window.h2h))');
      expect([...run.errors, ...pageErrors]).toEqual([]);
      expect(run.firstPlayingMs).not.toBeNull();
      const segments = server.requests.filter(
        (r) => /\/ladder\/\d+p\/seg_\d+\.m4s/.test(r.url) && r.status === 200,
      );
      expect(segments.length).toBeGreaterThanOrEqual(2);
      expect(server.requests.some((r) => r.url.includes('/ladder/audio/seg_'))).toBe(true);
    }, 40_000);
  }
});
