import { describe, expect, it } from 'vitest';
import { EwmaLatencyEstimator, createSabreLatencyEstimator } from '../../src/estimators/index.js';

const ttfb = (ms: number) => ({
  startMs: 1000,
  firstByteMs: 1000 + ms,
  endMs: 1000 + ms + 500,
  sizeBytes: 1000,
});

describe('EwmaLatencyEstimator', () => {
  it('is null before the first sample (or the configured default, hls.js 100 ms)', () => {
    expect(new EwmaLatencyEstimator().estimateMs()).toBeNull();
    expect(new EwmaLatencyEstimator({ defaultMs: 100 }).estimateMs()).toBe(100);
  });

  it('weights samples by sqrt(2)·exp(-ttfb_s²/2) with half-life 9 (hls.js)', () => {
    const e = new EwmaLatencyEstimator();
    e.addSample(ttfb(100));
    expect(e.estimateMs()).toBeCloseTo(100, 9);
    e.addSample(ttfb(1500));
    const w1 = Math.SQRT2 * Math.exp(-(0.1 * 0.1) / 2);
    const w2 = Math.SQRT2 * Math.exp(-(1.5 * 1.5) / 2);
    const a1 = Math.pow(0.5, w1 / 9);
    const a2 = Math.pow(0.5, w2 / 9);
    const raw = a2 * (1 - a1) * 100 + (1 - a2) * 1500;
    expect(e.estimateMs()).toBeCloseTo(raw / (1 - Math.pow(0.5, (w1 + w2) / 9)), 9);
    expect(w2).toBeLessThan(w1); // the long wait counts less
  });

  it('floors samples at 5 ms and ignores negative times; resets', () => {
    const e = new EwmaLatencyEstimator();
    expect(e.addSample({ startMs: 10, firstByteMs: 5, endMs: 20, sizeBytes: 1 })).toBe(false);
    expect(e.estimateMs()).toBeNull();
    e.addSample(ttfb(2));
    expect(e.estimateMs()).toBeCloseTo(5, 9);
    e.reset();
    expect(e.estimateMs()).toBeNull();
    expect(e.sampleCount).toBe(0);
  });

  it('Sabre: per-sample EWMAs with half-lives of 3 s and 8 s in segments, the higher', () => {
    const e = createSabreLatencyEstimator(3000); // half-lives 1 and 8/3 samples
    e.addSample(ttfb(100));
    e.addSample(ttfb(200));
    // half-life 1: alpha 0.5, raw = 0.5 * 50 + 0.5 * 200 = 125, corrected by 1 - 0.25
    const fast = 125 / 0.75;
    const a = Math.pow(0.5, 3 / 8);
    const slow = (a * (1 - a) * 100 + (1 - a) * 200) / (1 - Math.pow(0.5, 6 / 8));
    expect(slow).toBeLessThan(fast);
    expect(e.estimateMs()).toBeCloseTo(fast, 9);
    e.addSample(ttfb(20)); // now the slow average remembers more of the higher values
    expect(e.estimateMs()).toBeGreaterThan(20);
    expect(() => createSabreLatencyEstimator(0)).toThrow(/segmentDurationMs/);
  });

  it('rejects bad options', () => {
    expect(() => new EwmaLatencyEstimator({ halfLives: [] })).toThrow(/halfLives/);
    expect(() => new EwmaLatencyEstimator({ halfLives: [0] })).toThrow(/halfLives\[0\]/);
    expect(() => new EwmaLatencyEstimator({ weighting: 'gauss' as never })).toThrow(/weighting/);
  });
});
