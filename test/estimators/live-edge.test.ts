/**
 * The live-edge estimator (src/estimators/live-edge.ts): TTFB apart from transfer, small and idle samples
 * kept out of the throughput, the fast average once the network recovers, exact EWMA numbers, options.
 */
import { describe, expect, it } from 'vitest';
import type { DownloadSample } from '../../src/core/types.js';
import { Ewma } from '../../src/estimators/ewma.js';
import { EwmaEstimator, LiveEdgeEstimator, createEstimator } from '../../src/estimators/index.js';

/** A sample requested at `startMs`, first byte `ttfbMs` later, `sizeBytes` over `transferMs`. */
function sample(
  startMs: number,
  ttfbMs: number,
  transferMs: number,
  sizeBytes: number,
  extra: Partial<DownloadSample> = {},
): DownloadSample {
  return {
    startMs,
    firstByteMs: startMs + ttfbMs,
    endMs: startMs + ttfbMs + transferMs,
    sizeBytes,
    ...extra,
  };
}

describe('LiveEdgeEstimator', () => {
  it('divides by transfer time only and estimates the TTFB apart', () => {
    const e = new LiveEdgeEstimator();
    // 250 kB in 500 ms of transfer after a 1500 ms TTFB: 4000 kbps, not 1000
    expect(e.use(sample(0, 1500, 500, 250_000))).toBe('throughput');
    expect(e.estimate()).toEqual({ throughputKbps: 4000, sampleCount: 1 });
    expect(e.estimateMs()).toBe(1500);
    // the VOD default (hls.js EWMA on transfer too) agrees here; on 'total' timing it would say 1000
    const total = new EwmaEstimator({ timing: 'total' });
    total.addSample(sample(0, 1500, 500, 250_000));
    expect(total.estimate().throughputKbps).toBeCloseTo(1000, 9);
  });

  it('keeps small, cache-hit, aborted and mostly idle samples out of the throughput, but not out of the latency', () => {
    const e = new LiveEdgeEstimator();
    expect(e.use(sample(0, 100, 50, 15_999))).toBe('latency-only');
    expect(e.use(sample(0, 300, 4, 100_000))).toBe('latency-only');
    expect(e.use(sample(0, 500, 400, 100_000, { aborted: true }))).toBe('latency-only');
    // 1000 ms of transfer, 700 of it waiting for the producer: the encoder's rate, not the link's
    expect(e.use(sample(0, 100, 1000, 100_000, { idleMs: 700 }))).toBe('latency-only');
    expect(e.use(sample(0, -5, 100, 100_000))).toBe('ignored');
    expect(e.estimate()).toEqual({ throughputKbps: 500, sampleCount: 0 });
    const ttfb = new Ewma(4);
    for (const ms of [100, 300, 500, 100]) ttfb.sample(1, ms);
    expect(e.estimateMs()).toBeCloseTo(ttfb.estimate()!, 12);
    // idle time within the limit is taken out: 100 kB over 1000 - 400 ms of busy transfer
    expect(e.use(sample(0, 100, 1000, 100_000, { idleMs: 400 }))).toBe('throughput');
    expect(e.estimate().throughputKbps).toBeCloseTo(800_000 / 600, 9);
  });

  it('takes the lower of the two averages on a drop, and the fast one once the network is back', () => {
    const e = new LiveEdgeEstimator();
    const fast = new Ewma(2);
    const slow = new Ewma(6);
    const feed = (kbps: number): void => {
      // 1 s of transfer at `kbps`
      e.addSample(sample(0, 50, 1000, (kbps * 1000) / 8));
      fast.sample(1, kbps);
      slow.sample(1, kbps);
    };
    for (let i = 0; i < 6; i++) feed(8000);
    for (let i = 0; i < 4; i++) feed(1000);
    expect(e.estimate().throughputKbps).toBeCloseTo(Math.min(fast.estimate()!, slow.estimate()!), 9);
    expect(e.estimate().throughputKbps).toBeCloseTo(fast.estimate()!, 9); // the drop: fast is lower
    feed(8000);
    feed(8000);
    // two samples above the slow average: still the lower one
    expect(e.estimate().throughputKbps).toBeCloseTo(Math.min(fast.estimate()!, slow.estimate()!), 9);
    expect(slow.estimate()!).toBeLessThan(fast.estimate()!);
    feed(8000);
    // three in a row: recovered, the fast average
    expect(e.estimate().throughputKbps).toBeCloseTo(fast.estimate()!, 9);
    feed(1000);
    expect(e.estimate().throughputKbps).toBeCloseTo(Math.min(fast.estimate()!, slow.estimate()!), 9);
  });

  it('is registered, takes options, refuses bad ones by name, and resets', () => {
    const e = createEstimator('live-edge', { minSampleBytes: 0, defaultEstimateKbps: 1200 });
    expect(e).toBeInstanceOf(LiveEdgeEstimator);
    expect(e.estimate().throughputKbps).toBe(1200);
    e.addSample(sample(0, 10, 100, 1000));
    expect(e.estimate().throughputKbps).toBeCloseTo(80, 9);
    e.reset();
    expect(e.estimate()).toEqual({ throughputKbps: 1200, sampleCount: 0 });
    expect((e as LiveEdgeEstimator).estimateMs()).toBeNull();
    expect(() => new LiveEdgeEstimator({ recoverySamples: 0 })).toThrow(/recoverySamples/);
    expect(() => createEstimator('live-edge', { halfLife: 3 })).toThrow(/halfLife/);
  });
});
