import { describe, expect, it } from 'vitest';
import type { DownloadSample } from '../../src/core/types.js';
import { SlidingHarmonicMeanEstimator, SlidingMeanEstimator } from '../../src/estimators/index.js';

function feed(e: SlidingHarmonicMeanEstimator, ...kbps: number[]): void {
  for (const k of kbps) e.addThroughputKbps(k);
}

describe('SlidingHarmonicMeanEstimator', () => {
  it('is the harmonic mean of the last samples, the default before any', () => {
    const e = new SlidingHarmonicMeanEstimator();
    expect(e.estimate()).toEqual({ throughputKbps: 500, sampleCount: 0 });
    expect(e.harmonicMeanKbps()).toBeNull();
    feed(e, 1000, 2000, 4000);
    // 3 / (1/1000 + 1/2000 + 1/4000) = 3 / 0.00175
    expect(e.harmonicMeanKbps()).toBeCloseTo(3 / 0.00175, 9);
    expect(e.estimate().throughputKbps).toBeCloseTo(3 / 0.00175, 9); // not robust: no discount
    expect(e.estimate().sampleCount).toBe(3);
  });

  it('keeps only the last `window` samples', () => {
    const e = new SlidingHarmonicMeanEstimator({ window: 5 });
    feed(e, 100, 1000, 1000, 1000, 1000, 1000);
    expect(e.harmonicMeanKbps()).toBeCloseTo(1000, 9); // the 100 fell out
    expect(e.estimate().sampleCount).toBe(6);
  });

  it('robust: divides by 1 + the max relative error of the previous prediction (Pensieve mpc.py)', () => {
    const e = new SlidingHarmonicMeanEstimator({ robust: true });
    feed(e, 1000);
    expect(e.maxErrorFraction()).toBe(0); // no prediction before the first sample
    expect(e.estimate().throughputKbps).toBeCloseTo(1000, 9);
    feed(e, 2000); // predicted 1000: |1000 - 2000| / 2000
    expect(e.maxErrorFraction()).toBeCloseTo(0.5, 12);
    feed(e, 4000); // predicted HM(1000, 2000) = 4000/3: |4000/3 - 4000| / 4000 = 2/3
    expect(e.maxErrorFraction()).toBeCloseTo(2 / 3, 12);
    expect(e.estimate().throughputKbps).toBeCloseTo(3 / 0.00175 / (1 + 2 / 3), 9);
    expect(e.name).toBe('robust-harmonic');
  });

  it('compares with the undiscounted prediction and forgets errors older than errorWindow', () => {
    const e = new SlidingHarmonicMeanEstimator({ robust: true, window: 2, errorWindow: 2 });
    feed(e, 1000); // error 0, prediction 1000
    feed(e, 3000); // error 2/3, prediction HM(1000, 3000) = 1500
    feed(e, 3000); // error |1500 - 3000| / 3000 = 0.5 (the undiscounted 1500, not 1500 / (1 + 2/3))
    expect(e.maxErrorFraction()).toBeCloseTo(2 / 3, 12);
    feed(e, 3000); // error 0; window of errors [0.5, 0]
    expect(e.maxErrorFraction()).toBeCloseTo(0.5, 12);
    expect(e.estimate().throughputKbps).toBeCloseTo(2000, 9);
    feed(e, 3000); // errors [0, 0]
    expect(e.estimate().throughputKbps).toBeCloseTo(3000, 9);
  });

  it('measures samples over the whole request by default (Pensieve: size / delay, RTT included)', () => {
    const e = new SlidingHarmonicMeanEstimator();
    // Pensieve: 1,000,000 bytes with delay 80 ms RTT + 920 ms => 1e6 / 1000 / 1000 = 1 MB/s = 8000 kbps
    const sample: DownloadSample = { startMs: 5000, firstByteMs: 5080, endMs: 6000, sizeBytes: 1_000_000 };
    expect(e.addSample(sample)).toBe(true);
    expect(e.estimate().throughputKbps).toBeCloseTo(8000, 9);
    const transfer = new SlidingHarmonicMeanEstimator({ timing: 'transfer' });
    transfer.addSample(sample);
    expect(transfer.estimate().throughputKbps).toBeCloseTo(8_000_000 / 920, 9);
  });

  it('ignores samples without a positive throughput, and resets', () => {
    const e = new SlidingHarmonicMeanEstimator({ robust: true });
    expect(e.addSample({ startMs: 0, firstByteMs: 10, endMs: 100, sizeBytes: 0, aborted: true })).toBe(false);
    expect(e.addSample({ startMs: 0, firstByteMs: 0, endMs: 0, sizeBytes: 10 })).toBe(false);
    expect(e.estimate().sampleCount).toBe(0);
    feed(e, 1000, 3000);
    e.reset();
    expect(e.estimate()).toEqual({ throughputKbps: 500, sampleCount: 0 });
    feed(e, 2000);
    expect(e.maxErrorFraction()).toBe(0); // the prediction from before the reset is gone
    expect(() => e.addThroughputKbps(0)).toThrow(TypeError);
  });

  it('rejects bad options with a TypeError naming them', () => {
    expect(() => new SlidingHarmonicMeanEstimator({ window: 0 })).toThrow(/window/);
    expect(() => new SlidingHarmonicMeanEstimator({ window: 2.5 })).toThrow(/window: must be an integer/);
    expect(() => new SlidingHarmonicMeanEstimator({ robust: 'yes' as never })).toThrow(/robust/);
    expect(() => new SlidingHarmonicMeanEstimator({ horizon: 5 } as never)).toThrow(/horizon/);
  });
});

describe('SlidingMeanEstimator', () => {
  it('is the arithmetic mean of the last 3 transfer throughputs', () => {
    const e = new SlidingMeanEstimator();
    expect(e.estimate()).toEqual({ throughputKbps: 500, sampleCount: 0 });
    const kbps = [1000, 2000, 3000, 7000];
    for (const k of kbps) e.addSample({ startMs: 0, firstByteMs: 100, endMs: 1100, sizeBytes: k * 125 }); // k bits/ms for 1000 ms
    expect(e.estimate()).toEqual({ throughputKbps: (2000 + 3000 + 7000) / 3, sampleCount: 4 });
    e.reset();
    expect(e.estimate().sampleCount).toBe(0);
    expect(() => new SlidingMeanEstimator({ window: -1 })).toThrow(/window/);
  });
});
