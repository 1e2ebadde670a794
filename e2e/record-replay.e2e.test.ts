/**
 * Record and replay, end to end: the abrkit player plays fixtures/ladder in Debian's chromium behind the
 * shaping server on a step trace; its `exportSession()` goes through `abrkit trace from-session`; the
 * recovered trace must follow the original where downloads happened, and must replay in `abrkit sim`.
 *
 * Comparison: the recovered trace's time 0 is the player's first video request, placed on the server's
 * trace time at the first video segment request the server logged. For each step of the original trace,
 * the recovered periods lying wholly inside it (past its first 500 ms, so that no download straddles the
 * step) are averaged, weighted by duration; that mean must be within {@link TOLERANCE} of the step's
 * bandwidth. The player's samples count the audio fetched alongside each video segment (one link), so the
 * recovered trace is the link's (measured +0.6 to +1.2 % per step on a loaded machine); the tolerance leaves room
 * for the pacer's and the page's timer jitter on a loaded one.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import type * as PlayerModule from '../src/player/index.js';
import type { Player, SessionExport } from '../src/player/index.js';
import { startShapingServer, type ShapingServer } from '../src/shaping/index.js';
import { loadTraceFile } from '../src/sim/load-trace.js';
import type { NetworkTrace } from '../src/traces/model.js';
import { generateTrace } from '../src/traces/spec.js';
import { captureIo } from '../test/cli/helpers.js';
import { buildPlayerBundle, FIXTURES_DIR, openPlayerPage } from './player-harness.js';
import { launchBrowser, type LaunchedBrowser } from './support/browser.js';

const TRACE_SPEC = 'step:2400x8s,700x10s,1600x40s,latencyMs=30';
/** Relative error allowed between a step's bandwidth and the recovered mean over it. */
const TOLERANCE = 0.1;
/** Played at twice real time, so the session (40 s of media) takes about 25 s of wall time. */
const PLAYBACK_RATE = 2;

describe('record → from-session → replay', () => {
  let browser: LaunchedBrowser;
  let server: ShapingServer;
  let bundle: string;
  let original: NetworkTrace;
  let exported: SessionExport;
  let dir: string;

  beforeAll(async () => {
    original = generateTrace(TRACE_SPEC);
    dir = mkdtempSync(join(tmpdir(), 'abrkit-record-'));
    [bundle, server, browser] = await Promise.all([
      buildPlayerBundle(),
      startShapingServer({ root: FIXTURES_DIR, trace: original }),
      launchBrowser(),
    ]);
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await openPlayerPage(page, server.url, bundle);
    await page.evaluate(
      async ({ rate }) => {
        const w = window as unknown as Record<string, unknown>;
        const abrkit = w.abrkit as typeof PlayerModule;
        const video = document.getElementById('v') as HTMLVideoElement;
        const player = abrkit.createPlayer({ abr: 'throughput', bufferTargetMs: 10_000 });
        w.player = player;
        w.ended = false;
        player.state$.subscribe((s) => {
          if (s === 'ended') w.ended = true;
        });
        for (const event of ['playing', 'canplay', 'loadedmetadata'])
          video.addEventListener(event, () => (video.playbackRate = rate));
        player.attach(video);
        await player.load('/ladder/master.m3u8');
      },
      { rate: PLAYBACK_RATE },
    );
    await page.waitForFunction(() => (window as unknown as { ended: boolean }).ended, null, {
      timeout: 50_000,
    });
    exported = await page.evaluate(() => (window as unknown as { player: Player }).player.exportSession());
    await page.close();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('recovers the step trace’s bandwidth where downloads happened', async () => {
    expect(exported.records).toHaveLength(20);
    writeFileSync(join(dir, 'session.json'), JSON.stringify(exported));
    const cap = captureIo(dir);
    const code = await runCli(['trace', 'from-session', 'session.json', '-o', 'recovered.json'], cap.io);
    expect(cap.err()).toContain("from the export's trace");
    expect(code).toBe(0);
    const recovered = await loadTraceFile(join(dir, 'recovered.json'));

    const firstVideo = Math.min(
      ...server.requests.filter((r) => /\/\d+p\/seg_\d+\.m4s$/.test(r.url)).map((r) => r.startMs),
    );
    let t = firstVideo;
    const placed = recovered.periods.map((p) => {
      const from = t;
      t += p.durationMs;
      return { from, to: t, kbps: p.bandwidthKbps };
    });
    let stepStart = 0;
    const checked: { kbps: number; recoveredKbps: number; periods: number }[] = [];
    for (const step of original.periods) {
      const stepEnd = stepStart + step.durationMs;
      const inside = placed.filter((p) => p.from >= stepStart + 500 && p.to <= stepEnd);
      if (inside.length > 0) {
        const ms = inside.reduce((s, p) => s + (p.to - p.from), 0);
        const recoveredKbps = inside.reduce((s, p) => s + p.kbps * (p.to - p.from), 0) / ms;
        checked.push({ kbps: step.bandwidthKbps, recoveredKbps, periods: inside.length });
      }
      stepStart = stepEnd;
    }
    // Every step of the trace saw downloads (the player downloads throughout at twice real time).
    expect(checked.map((c) => c.kbps)).toEqual(original.periods.map((p) => p.bandwidthKbps));
    for (const c of checked) {
      expect(Math.abs(c.recoveredKbps / c.kbps - 1), JSON.stringify(c)).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('the recovered trace replays in abrkit sim', async () => {
    const cap = captureIo(dir);
    const code = await runCli(
      [
        'sim',
        '--video',
        join(FIXTURES_DIR, 'ladder', 'master.m3u8'),
        '--traces',
        'recovered.json',
        '--algo',
        'throughput',
        '--jsonl',
        'replay.jsonl',
        '--workers',
        '1',
      ],
      cap.io,
    );
    expect(cap.err()).toBe('');
    expect(code).toBe(0);
    const lines = readFileSync(join(dir, 'replay.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(20);
    const first = JSON.parse(lines[0] ?? '{}') as { trace: string; algo: string };
    expect(first).toMatchObject({ trace: 'recovered', algo: 'throughput' });
  });
});
