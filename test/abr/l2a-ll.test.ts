/**
 * L2A-LL (src/abr/l2a-ll.ts): the simplex projection, start-up, the learner's steady state (one step up at
 * a time, straight down on a collapse, Q reacting), the cap, reset; and in the simulator at the live edge,
 * where a buffer bounded by the latency target keeps buffer-based rules low (dash.js #3538).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { L2aLl, createL2aLl, projectOnSimplex } from '../../src/abr/l2a-ll.js';
import { createAlgorithm } from '../../src/abr/registry.js';
import { simulateSession } from '../../src/sim/simulate.js';
import { generateTrace } from '../../src/traces/spec.js';
import type { VideoDescription } from '../../src/videos/model.js';
import { makeContext } from './context.js';

describe('projectOnSimplex', () => {
  it('projects known points', () => {
    expect(projectOnSimplex([2, 0])).toEqual([1, 0]);
    expect(projectOnSimplex([0.6, 0.6])).toEqual([0.5, 0.5]);
    expect(projectOnSimplex([0.2, 0.3, 0.5])).toEqual([0.2, 0.3, 0.5]);
    const third = projectOnSimplex([0, 0, 0]);
    for (const x of third) expect(x).toBeCloseTo(1 / 3, 12);
    expect(projectOnSimplex([-1, 3, 0.5])).toEqual([0, 1, 0]);
  });

  it('lands on the simplex, nearer than any other simplex point tried', () => {
    const vec = fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(
        vec,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }),
        (y, raw) => {
          const x = projectOnSimplex(y);
          expect(x.every((v) => v >= 0)).toBe(true);
          expect(x.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
          const other = raw.slice(0, y.length);
          const total = other.reduce((a, b) => a + b, 0);
          if (total === 0) return;
          const z = other.map((v) => v / total);
          const d = (p: number[]): number => p.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0);
          expect(d(x)).toBeLessThanOrEqual(d(z) + 1e-9);
        },
      ),
    );
  });
});

const LADDER = [500, 1500, 3000];
/** A context at 2 s segments with the given buffer and estimate. */
const ctx = (bufferLevelMs: number, throughputKbps: number, extra: object = {}) =>
  makeContext({ bitratesKbps: LADDER, bufferLevelMs, throughputKbps, ...extra });
/** A download of `kbps` worth over `ms` (request to last byte). */
const download = (kbps: number, ms = 1000) => ({
  startMs: 0,
  firstByteMs: 50,
  endMs: ms,
  sizeBytes: (kbps * ms) / 8,
});

describe('L2A-LL', () => {
  it('starts at the lowest rendition, then by rate, and learns once the buffer holds 1.5 s or after 3 downloads', () => {
    const a = createL2aLl();
    expect(a.choose(ctx(0, 1000, { sampleCount: 0 })).renditionIndex).toBe(0);
    a.onDownloaded(download(4000));
    // 0.9 x 2000 = 1800: 1500 fits, 3000 does not
    expect(a.choose(ctx(1000, 2000)).renditionIndex).toBe(1);
    expect(a.state.steady).toBe(false);
    expect(a.choose(ctx(1500, 2000)).renditionIndex).toBe(1);
    expect(a.state.steady).toBe(true);
    expect(a.state.w).toEqual([0, 1, 0]);
    expect(a.state.q).toBeCloseTo(Math.pow(4, 0.99), 12);
    const b = createL2aLl();
    for (let i = 0; i < 3; i++) {
      expect(b.state.steady).toBe(false);
      b.onDownloaded(download(4000));
      b.choose(ctx(500, 4000));
    }
    expect(b.state.steady).toBe(true);
  });

  it('climbs one rendition at a time while downloads are fast, and drops to the bottom on a collapse', () => {
    const a = new L2aLl({
      horizon: 4,
      react: 2,
      startupBufferMs: 1500,
      startupSegments: 3,
      safetyFactor: 0.9,
    });
    a.onDownloaded(download(600));
    expect(a.choose(ctx(2000, 600)).renditionIndex).toBe(0); // steady from here, at 0
    const picks: number[] = [];
    for (let i = 0; i < 30; i++) {
      a.onDownloaded(download(20_000));
      picks.push(a.choose(ctx(2000, 20_000)).renditionIndex);
    }
    expect(picks[0]).toBe(0); // the learner moves its probability mass gradually: E[bitrate] rises per step
    for (let i = 1; i < picks.length; i++) expect(picks[i]! - picks[i - 1]!).toBeLessThanOrEqual(1);
    expect(picks.at(-1)).toBe(2);
    // the link collapses below the lowest rendition
    a.onDownloaded(download(300));
    const down = a.choose(ctx(2000, 300));
    expect(down.renditionIndex).toBe(0);
    expect(a.state.q).toBeGreaterThan(2 * Math.pow(4, 0.99) - 1e-9); // reacted: Q = 2 · max(V_L, Q)
  });

  it('never exceeds the cap, restarts the learner when the cap changes, and forgets on reset', () => {
    const a = createAlgorithm('l2a-ll') as L2aLl;
    a.onDownloaded(download(20_000));
    a.choose(ctx(2000, 20_000));
    for (let i = 0; i < 6; i++) {
      a.onDownloaded(download(20_000));
      expect(a.choose(ctx(2000, 20_000, { maxRenditionIndex: 1 })).renditionIndex).toBeLessThanOrEqual(1);
    }
    expect(a.state.w.length).toBe(2);
    a.reset();
    expect(a.state).toEqual({ steady: false, w: [], q: 0 });
    expect(a.choose(ctx(0, 1000, { sampleCount: 0 })).renditionIndex).toBe(0);
  });
});

describe('L2A-LL abandonment', () => {
  // 2 s segments: 3000 kbps = 750 kB, 1500 kbps = 375 kB, 500 kbps = 125 kB
  const progress = (loadedBytes: number, transferMs: number, ttfbMs = 100) => ({
    segmentIndex: 5,
    renditionIndex: 2,
    startMs: 0,
    firstByteMs: ttfbMs,
    nowMs: ttfbMs + transferMs,
    loadedBytes,
    totalBytes: 750_000,
  });

  it('restarts lower when the rest would outlast the buffer and a lower segment arrives sooner', () => {
    const a = createL2aLl();
    // 100 kB in 400 ms: 250 B/ms, 650 kB left = 2600 ms > 1000 ms of buffer; 375 kB takes 1600 ms
    expect(a.shouldAbandon(progress(100_000, 400), ctx(1000, 2000))).toBe(1);
    // then choose for the same segment (Sabre's re-ask) stays at or below it; the next segment is free
    a.onDownloaded(download(2000));
    expect(a.choose(ctx(1000, 50_000, { segmentIndex: 5 })).renditionIndex).toBeLessThanOrEqual(1);
    // the buffer covers the rest: keep going
    expect(createL2aLl().shouldAbandon(progress(100_000, 400), ctx(3000, 2000))).toBeNull();
    // too early to measure, or switched off
    expect(createL2aLl().shouldAbandon(progress(10_000, 150), ctx(100, 2000))).toBeNull();
    expect(
      createL2aLl({ abandonment: false }).shouldAbandon(progress(100_000, 400), ctx(1000, 2000)),
    ).toBeNull();
    // so slow that even the lowest would not come sooner than the rest: keep going
    expect(createL2aLl().shouldAbandon(progress(700_000, 10_000), ctx(500, 2000))).toBeNull();
  });
});

describe('L2A-LL at the live edge (simulator)', () => {
  const video: VideoDescription = {
    name: 'live-ladder',
    segmentDurationMs: 2000,
    renditions: LADDER.map((bitrateKbps, index) => ({ index, bitrateKbps })),
    segmentSizesBytes: Array.from({ length: 60 }, () => LADDER.map((kbps) => kbps * 250)),
  };

  it('climbs under a buffer bounded by a 3 s latency target, where BBA cannot leave its reservoir', () => {
    const trace = generateTrace('constant:5000,latencyMs=40');
    const run = (algorithm: string) =>
      simulateSession({ video, trace, algorithm, live: { targetLatencyMs: 3000 } });
    const l2a = run('l2a-ll');
    const bba = run('bba');
    expect(l2a.records.slice(-20).every((r) => r.rendition === 2)).toBe(true);
    expect(bba.summary.meanBitrateKbps).toBe(500);
    expect(l2a.summary.rebufferMs).toBe(0);
    expect(Math.max(...l2a.records.map((r) => r.latencyMs!))).toBeLessThan(4000);
  });

  it('comes down on a drop and keeps the latency bounded once the link is back', () => {
    const { records } = simulateSession({
      video,
      trace: generateTrace('step:5000x30s,1200x30s,5000x600s'),
      algorithm: 'l2a-ll',
      live: { targetLatencyMs: 3000 },
    });
    const during = records.filter((r) => r.segment >= 18 && r.segment < 28);
    expect(during.some((r) => r.rendition === 0)).toBe(true);
    expect(records.at(-1)!.latencyMs!).toBeLessThan(4500);
  });
});
