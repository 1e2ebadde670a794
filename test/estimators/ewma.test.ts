import { describe, expect, it } from 'vitest';
import type { DownloadSample } from '../../src/core/types.js';
import { EWMA_PRESETS, Ewma, EwmaEstimator } from '../../src/estimators/index.js';

/** A download of `bytes` whose first byte came `latencyMs` after the request and last byte `transferMs` later. */
function download(bytes: number, transferMs: number, latencyMs = 0, startMs = 0): DownloadSample {
  return {
    startMs,
    firstByteMs: startMs + latencyMs,
    endMs: startMs + latencyMs + transferMs,
    sizeBytes: bytes,
  };
}

/** The EWMA formula written out: alpha = 0.5^(w/h), bias-corrected by 1 - 0.5^(W/h). */
function ewmaByHand(halfLife: number, samples: readonly [weight: number, value: number][]): number {
  let raw = 0;
  let total = 0;
  for (const [w, v] of samples) {
    const a = Math.pow(0.5, w / halfLife);
    raw = a * raw + (1 - a) * v;
    total += w;
  }
  return raw / (1 - Math.pow(0.5, total / halfLife));
}

describe('Ewma', () => {
  it('returns the first value whatever its weight (zero-bias correction)', () => {
    for (const weight of [0.001, 0.2, 5, 100]) {
      const e = new Ewma(3);
      e.sample(weight, 1234);
      expect(e.estimate()).toBeCloseTo(1234, 9);
    }
  });

  it('weights each sample by 0.5^(weight / halfLife)', () => {
    const e = new Ewma(3);
    e.sample(2, 1000);
    e.sample(1, 4000);
    // raw after 1st: (1 - 0.5^(2/3)) * 1000; after 2nd: a2 * raw + (1 - a2) * 4000 with a2 = 0.5^(1/3);
    // total weight 3 = one half-life, so the correction divides by 1 - 0.5 = 0.5.
    const a1 = Math.pow(0.5, 2 / 3);
    const a2 = Math.pow(0.5, 1 / 3);
    const expected = (a2 * (1 - a1) * 1000 + (1 - a2) * 4000) / 0.5;
    expect(e.estimate()).toBeCloseTo(expected, 9);
    expect(e.totalWeight).toBe(3);
    // the same as a mixture: with a total weight of exactly one half-life, the newest sample's share is
    // (1 - 0.5^(1/3)) / 0.5 and the older one's the rest
    const newestShare = 2 * (1 - Math.pow(2, -1 / 3));
    expect(expected).toBeCloseTo(1000 * (1 - newestShare) + 4000 * newestShare, 9);
  });

  it('is null before any sample and after reset; rejects a bad half-life', () => {
    const e = new Ewma(1);
    expect(e.estimate()).toBeNull();
    e.sample(1, 5);
    e.reset();
    expect(e.estimate()).toBeNull();
    expect(() => new Ewma(0)).toThrow(TypeError);
    expect(() => new Ewma(Number.NaN)).toThrow(/halfLife/);
  });
});

describe('EwmaEstimator', () => {
  it('says the default estimate until a sample arrives', () => {
    const e = new EwmaEstimator();
    expect(e.estimate()).toEqual({ throughputKbps: 500, sampleCount: 0 });
    expect(new EwmaEstimator({ defaultEstimateKbps: 1234 }).estimate().throughputKbps).toBe(1234);
  });

  it('measures over the transfer by default and over the whole request with timing total', () => {
    const sample = download(1_000_000, 1000, 100); // 8e6 bits in 1000 ms of transfer, 1100 ms in all
    const transfer = new EwmaEstimator();
    transfer.addSample(sample);
    expect(transfer.estimate().throughputKbps).toBeCloseTo(8000, 9);
    expect(transfer.estimate().sampleCount).toBe(1);
    const total = new EwmaEstimator({ timing: 'total' });
    total.addSample(sample);
    expect(total.estimate().throughputKbps).toBeCloseTo(8_000_000 / 1100, 9);
  });

  it('takes the lower of the fast and slow averages, each weighted by download seconds', () => {
    const e = new EwmaEstimator({ fastHalfLifeS: 3, slowHalfLifeS: 9 });
    // 4 s at 8000 kbps, then 2 s at 2000 kbps: a drop, so the fast average is the lower
    e.addSample(download(4_000_000, 4000));
    e.addSample(download(500_000, 2000));
    const samples: [number, number][] = [
      [4, 8000],
      [2, 2000],
    ];
    const fast = ewmaByHand(3, samples);
    const slow = ewmaByHand(9, samples);
    expect(fast).toBeLessThan(slow);
    expect(e.fastEstimateKbps()).toBeCloseTo(fast, 9);
    expect(e.slowEstimateKbps()).toBeCloseTo(slow, 9);
    expect(e.estimate().throughputKbps).toBeCloseTo(fast, 9);
    // then a rise: 2 s at 20000 kbps, the slow average is now the lower one
    e.addSample(download(5_000_000, 2000));
    samples.push([2, 20_000]);
    expect(ewmaByHand(9, samples)).toBeLessThan(ewmaByHand(3, samples));
    expect(e.estimate().throughputKbps).toBeCloseTo(ewmaByHand(9, samples), 9);
  });

  it('raises durations below minDurationMs (50 ms) so tiny fast downloads count little and lower', () => {
    const e = new EwmaEstimator();
    e.addSample(download(10_000, 20)); // 4000 kbps measured, taken as 80000 bits / 50 ms = 1600 kbps, weight 0.05 s
    expect(e.estimate().throughputKbps).toBeCloseTo(1600, 9);
    e.addSample(download(1_000_000, 1000)); // 8000 kbps for 1 s
    const expected = Math.min(
      ewmaByHand(3, [
        [0.05, 1600],
        [1, 8000],
      ]),
      ewmaByHand(9, [
        [0.05, 1600],
        [1, 8000],
      ]),
    );
    expect(e.estimate().throughputKbps).toBeCloseTo(expected, 9);
    expect(expected).toBeGreaterThan(7700); // the 50 ms sample barely moved it
  });

  it('ignores cache hits: transfers shorter than cacheHitMs', () => {
    const e = new EwmaEstimator({ cacheHitMs: 5 });
    expect(e.addSample(download(2_000_000, 3, 40))).toBe(false); // 3 ms of transfer: from a cache
    expect(e.estimate()).toEqual({ throughputKbps: 500, sampleCount: 0 });
    expect(e.addSample(download(2_000_000, 5, 40))).toBe(true); // 5 ms is not below the guard
    expect(e.estimate().sampleCount).toBe(1);
    const unguarded = new EwmaEstimator({ cacheHitMs: 0 });
    expect(unguarded.addSample(download(2_000_000, 3, 40))).toBe(true);
  });

  it('ignores samples under minSampleBytes and keeps the default until minTotalBytes (Shaka)', () => {
    const e = EwmaEstimator.preset('shaka');
    expect(e.addSample(download(15_999, 100))).toBe(false);
    e.addSample(download(100_000, 100)); // 8000 kbps over the whole request
    expect(e.estimate()).toEqual({ throughputKbps: 1000, sampleCount: 1 }); // 100 kB < 128 kB
    e.addSample(download(50_000, 100));
    expect(e.hasGoodEstimate()).toBe(true);
    const expected = Math.min(
      ewmaByHand(2, [
        [0.1, 8000],
        [0.1, 4000],
      ]),
      ewmaByHand(5, [
        [0.1, 8000],
        [0.1, 4000],
      ]),
    );
    expect(e.estimate().throughputKbps).toBeCloseTo(expected, 9);
  });

  it('ignores samples with no byte or no duration', () => {
    const e = new EwmaEstimator({ minDurationMs: 0, cacheHitMs: 0 });
    expect(e.addSample(download(0, 100))).toBe(false);
    expect(e.addSample(download(1000, 0))).toBe(false);
    expect(e.estimate().sampleCount).toBe(0);
  });

  it('forgets everything on reset', () => {
    const e = new EwmaEstimator();
    e.addSample(download(1_000_000, 1000));
    e.reset();
    expect(e.estimate()).toEqual({ throughputKbps: 500, sampleCount: 0 });
    e.addSample(download(500_000, 1000));
    expect(e.estimate().throughputKbps).toBeCloseTo(4000, 9); // nothing of the 8000 before the reset
  });

  it('reset(kbps) sets the estimate used until new data (hls.js resetEstimator)', () => {
    const e = new EwmaEstimator();
    e.addSample(download(1_000_000, 1000));
    e.reset(3000);
    expect(e.estimate()).toEqual({ throughputKbps: 3000, sampleCount: 0 });
    e.addSample(download(250_000, 1000));
    expect(e.estimate().throughputKbps).toBeCloseTo(2000, 9);
    e.reset();
    expect(e.estimate().throughputKbps).toBe(3000); // kept until changed again
    expect(() => e.reset(-5)).toThrow(/defaultEstimateKbps/);
  });

  it('matches Sabre’s Ewma (half-lives in ms, weight = download time after the first byte)', () => {
    const e = EwmaEstimator.preset('sabre');
    const downloads: [bits: number, latencyMs: number, transferMs: number][] = [
      [2_000_000, 100, 800],
      [6_000_000, 50, 1500],
      [1_000_000, 300, 2500],
    ];
    // Sabre: alpha = 0.5^(time / half_life_ms), tput = bits / time, zero factor 1 - 0.5^(sum time / half_life)
    const est = [0, 0];
    const halfLivesMs = [8000, 3000];
    let weight = 0;
    for (const [bits, latencyMs, timeMs] of downloads) {
      e.addSample(download(bits / 8, timeMs, latencyMs));
      halfLivesMs.forEach((h, i) => {
        const alpha = Math.pow(0.5, timeMs / h);
        est[i] = alpha * (est[i] as number) + (1 - alpha) * (bits / timeMs);
      });
      weight += timeMs;
    }
    const sabre = Math.min(
      ...halfLivesMs.map((h, i) => (est[i] as number) / (1 - Math.pow(0.5, weight / h))),
    );
    expect(e.estimate().throughputKbps).toBeCloseTo(sabre, 9);
  });

  it('has the documented presets', () => {
    expect(EWMA_PRESETS.hlsjs).toMatchObject({
      fastHalfLifeS: 3,
      slowHalfLifeS: 9,
      defaultEstimateKbps: 500,
    });
    expect(EWMA_PRESETS.dashjs).toMatchObject({ fastHalfLifeS: 3, slowHalfLifeS: 8, cacheHitMs: 10 });
    expect(EWMA_PRESETS.shaka).toMatchObject({ minSampleBytes: 16_000, minTotalBytes: 128_000 });
    expect(EwmaEstimator.preset('sabre', { slowHalfLifeS: 10 }).options.slowHalfLifeS).toBe(10);
  });

  it('rejects bad options with a TypeError naming them', () => {
    expect(() => new EwmaEstimator({ fastHalfLifeS: -1 })).toThrow(/fastHalfLifeS/);
    expect(() => new EwmaEstimator({ defaultEstimateKbps: 0 })).toThrow(TypeError);
    expect(() => new EwmaEstimator({ timing: 'wall' as never })).toThrow(/timing/);
    expect(() => new EwmaEstimator({ minSampleBytes: Number.NaN })).toThrow(/minSampleBytes/);
    expect(() => new EwmaEstimator({ halfLife: 3 } as never)).toThrow(/halfLife: unknown option/);
  });
});
