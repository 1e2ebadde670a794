/**
 * A 3-minute soak (bench/soak.ts is the hour-long one): abrkit/player plays the generated long VOD
 * (fixtures/ladder looped with #EXT-X-DISCONTINUITY every 40 s, src/media/long-vod.ts) in Debian chromium,
 * served by the shaping server under a looped step trace with seeded faults, sampled every 10 s.
 *
 * Asserted at every sample: the buffered ranges stay within the configured front (bufferTargetMs) and back
 * (backBufferMs) buffer, one segment (2 s) of tolerance each (eviction runs after each append, so the back
 * buffer may hold up to one more segment; the front may overshoot by the segment in flight), plus 0.5 s for
 * the time between reading the position and the ranges. Across the laps: one buffered range per
 * SourceBuffer once playing (no gap at a discontinuity), and no stall. Heap (after a forced GC): the last
 * third's maximum is at most the middle third's maximum + 25% + 1 MB, a loose bound that a leak of the
 * media (a 480p segment is 50-270 kB, ~40 of them in this run) or of per-segment closures would break,
 * while the GC'd heap's jitter (a few hundred kB) does not. After `destroy()`: no timer, fetch or listener
 * of the player left (page instrumentation, see e2e/support/soak-harness.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSoak } from './support/soak-harness.js';
import type { SoakRun, SoakSample } from './support/soak-harness.js';

const RUN_MS = 150_000;
const SAMPLE_MS = 10_000;
const SEGMENT_MS = 2000;
const SLACK_MS = 500;
const player = { abr: 'bola', bufferTargetMs: 16_000, backBufferMs: 10_000, requestTimeoutMs: 8_000 };

describe('soak (shortened): a long VOD across discontinuities', () => {
  let run: SoakRun;
  const samples: SoakSample[] = [];
  let afterDestroy: Awaited<ReturnType<SoakRun['destroyPlayer']>>;

  beforeAll(async () => {
    run = await startSoak({
      vodDurationMs: 300_000,
      trace: 'step:3000x20s,800x15s,1500x20s,600x10s',
      faults: '5xx=0.03,spike=0.05:400,pattern=/seg_/',
      seed: 11,
      player,
    });
    const endAt = Date.now() + RUN_MS;
    for (;;) {
      samples.push(await run.sample());
      if (Date.now() >= endAt) break;
      await new Promise((r) => setTimeout(r, Math.min(SAMPLE_MS, endAt - Date.now())));
    }
    afterDestroy = await run.destroyPlayer();
  }, RUN_MS + 90_000);

  afterAll(async () => {
    await run?.close();
  });

  it('plays past several lap boundaries without errors or stalls', () => {
    const last = samples.at(-1)!;
    const lapS = run.vod.lapDurationMs / 1000;
    expect(last.positionS).toBeGreaterThan(2 * lapS + 10);
    expect(last.errors).toBe(0);
    expect(last.stallCount).toBe(0);
    expect(samples.map((s) => s.state).filter((s) => s === 'error' || s === 'stalled')).toEqual([]);
  });

  it('keeps one buffered range per SourceBuffer across the discontinuities', () => {
    for (const s of samples.filter((x) => x.state === 'playing')) {
      expect({ at: s.atMs, video: s.videoRangesS.length, audio: s.audioRangesS.length }).toEqual({
        at: s.atMs,
        video: 1,
        audio: 1,
      });
    }
  });

  it('never holds more than the front and back buffer (one segment of tolerance)', () => {
    for (const s of samples) {
      expect({
        at: s.atMs,
        aheadOk: s.aheadMs <= player.bufferTargetMs + SEGMENT_MS + SLACK_MS,
        ahead: s.aheadMs,
      }).toMatchObject({ aheadOk: true });
      expect({
        at: s.atMs,
        behindOk: s.behindMs <= player.backBufferMs + SEGMENT_MS + SLACK_MS,
        behind: s.behindMs,
        position: s.positionS,
        ranges: s.videoRangesS,
      }).toMatchObject({ behindOk: true });
      const totalLimit = player.bufferTargetMs + player.backBufferMs + 2 * SEGMENT_MS + SLACK_MS;
      expect(s.totalBufferedMs).toBeLessThanOrEqual(totalLimit);
    }
    // the back buffer did fill (so eviction was exercised)
    expect(Math.max(...samples.map((s) => s.behindMs))).toBeGreaterThan(player.backBufferMs - SEGMENT_MS);
  });

  it('does not keep growing its heap', () => {
    const full = samples.findIndex((s) => s.behindMs >= player.backBufferMs - SEGMENT_MS);
    const steady = samples.slice(Math.max(0, full));
    expect(steady.length).toBeGreaterThanOrEqual(6);
    const third = Math.floor(steady.length / 3);
    const heap = (xs: SoakSample[]): number => Math.max(...xs.map((s) => s.heap.jsHeapUsedBytes));
    const middle = heap(steady.slice(third, 2 * third));
    const last = heap(steady.slice(2 * third));
    expect(last).toBeLessThanOrEqual(middle * 1.25 + 1024 * 1024);
    // the player's own queues stay small: one segment load in flight, plus, at the first use of a rendition,
    // its media playlist, loaded on demand while that segment's load awaits it (src/player/lazy-playlists.ts)
    for (const s of steady) {
      expect(s.queues.payloads ?? 0).toBeLessThanOrEqual(2);
      expect(s.pendingWork.requests).toBeLessThanOrEqual(2);
    }
  });

  it('releases its listeners, timers and fetches on destroy()', () => {
    expect(afterDestroy.pendingWork).toEqual({ timers: 0, requests: 0 });
    const { counters } = afterDestroy;
    expect({
      fetchesOpen: counters.fetchesOpen,
      timeouts: counters.timeoutsActive,
      intervals: counters.intervalsActive,
      video: counters.listeners.video ?? 0,
      mediaSource: counters.listeners.MediaSource ?? 0,
      sourceBuffer: counters.listeners.SourceBuffer ?? 0,
      abortSignal: counters.listeners.AbortSignal ?? 0,
    }).toEqual({
      fetchesOpen: 0,
      timeouts: 0,
      intervals: 0,
      video: 0,
      mediaSource: 0,
      sourceBuffer: 0,
      abortSignal: 0,
    });
    // they were counted while playing (the instrumentation saw the player's)
    expect(samples.at(-1)!.page.listeners.video ?? 0).toBeGreaterThan(0);
    expect(samples.at(-1)!.page.fetchesStarted).toBeGreaterThan(50);
    expect(afterDestroy.videoSrc).toBe('');
  });
});

describe('long VOD: seeking into a later lap', () => {
  let run: SoakRun | undefined;
  afterAll(async () => {
    await run?.close();
  });

  it('plays from mid-lap after a seek: the lap is placed where the playlist says, one range', async () => {
    run = await startSoak({
      vodDurationMs: 300_000,
      trace: 'constant:5000',
      seed: 1,
      player: { abr: 'bola', bufferTargetMs: 10_000, backBufferMs: 10_000 },
    });
    const page = run.page;
    await page.waitForFunction(
      () => (document.getElementById('v') as HTMLVideoElement).currentTime > 1,
      null,
      {
        timeout: 30_000,
      },
    );
    // 131 s: lap 3 (from 120 s), segment 5 of it: its own timestamps say 10-12 s
    await page.evaluate(() => (window as unknown as { player: { seek(s: number): void } }).player.seek(131));
    await page.waitForFunction(
      () => (document.getElementById('v') as HTMLVideoElement).currentTime > 135,
      null,
      {
        timeout: 30_000,
      },
    );
    const s = await run.sample();
    expect(s.errors).toBe(0);
    expect(s.state).toBe('playing');
    const holding = s.videoRangesS.find(([a, b]) => a <= s.positionS && s.positionS <= b);
    expect(holding).toBeDefined();
    // the media appended after the seek starts at its segment's playlist time (130 s), not at 10 s
    expect(holding![0]).toBeGreaterThanOrEqual(129.9);
    expect(holding![0]).toBeLessThanOrEqual(131);
    expect(s.videoRangesS.some(([a]) => a < 40 && a > 5)).toBe(false);
  }, 90_000);
});
