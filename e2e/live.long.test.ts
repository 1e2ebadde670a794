/**
 * Live playback in chromium for 3 minutes each (npm run test:long; the short versions are e2e/live.e2e.test.ts):
 * `abrkit/player` on fixtures/ladder served live by the shaping server, under a step trace and under chaos
 * (two stale-playlist windows, playlist 5xx, segments missing at the edge, on top of a varying link). It stays
 * within a bound of the latency target, recovers, raises no fatal error, and reports the latency the
 * server's own timeline gives (live-harness.ts).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ShapingServer } from '../src/shaping/index.js';
import { launchBrowser } from './support/browser.js';
import type { LaunchedBrowser } from './support/browser.js';
import { getLive, recordLive, serveLive, trueLatencyMs } from './support/live-harness.js';
import { buildPlayerBundle, getPlayerRun, openPlayerPage, startPlayerRun } from './player-harness.js';

const RUN_MS = 180_000;

describe('abrkit/player live for 3 minutes', { concurrent: true, timeout: RUN_MS + 60_000 }, () => {
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

  const cases: [string, Parameters<typeof serveLive>[0], Parameters<typeof serveLive>[1]][] = [
    ['a step trace', {}, { trace: 'step:3000x40s,600x30s,1500x40s,400x20s,3000x60s' }],
    [
      'chaos: stale playlists, playlist 5xx, edge 404s',
      { faults: 'stale=30000-38000,stale=100000-106000,playlist5xx=0.05,edge404=0.1' },
      { trace: 'random-walk:seed=4', seed: 11 },
    ],
  ];

  for (const [name, live, options] of cases) {
    it(`${name}: within a bound of the target, no fatal error, latency as the server's timeline gives it`, async ({
      expect,
    }) => {
      const server = await serveLive(live, options);
      servers.push(server);
      const page = await browser.newPage();
      await openPlayerPage(page, server.url, bundle);
      await startPlayerRun(page, '/master.m3u8', { abr: 'bola' });
      await recordLive(page);
      await page.waitForTimeout(RUN_MS);
      const [run, rec] = await Promise.all([getPlayerRun(page), getLive(page)]);
      expect(run.errors).toEqual([]);
      expect(run.states).not.toContain('error');
      const samples = rec.latency;
      expect(samples.length).toBeGreaterThan(300);
      const target = samples[0]!.targetLatencyMs;
      // the jump limit (target + 3 target durations) bounds it, a second of measurement slack
      for (const s of samples.slice(6)) expect(s.latencyMs).toBeLessThan(target + 6000 + 1000);
      const meanMs = samples.reduce((sum, s) => sum + s.latencyMs, 0) / samples.length;
      expect(Math.abs(meanMs - target)).toBeLessThan(3000);
      for (const s of samples) {
        const truth = trueLatencyMs(s, rec, server.live!.originEpochMs);
        expect(Math.abs(s.latencyMs - truth!)).toBeLessThan(150);
      }
      // it kept playing: most of the three minutes were played
      expect(samples.at(-1)!.currentTimeS - samples[0]!.currentTimeS).toBeGreaterThan(140);
    });
  }
});
