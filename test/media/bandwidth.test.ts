import { describe, expect, it } from 'vitest';
import { averageSegmentBitrateBps, peakSegmentBitrateBps } from '../../src/media/bandwidth.js';

const seg = (durationMs: number, sizeBytes: number) => ({ durationMs, sizeBytes });

describe('averageSegmentBitrateBps', () => {
  it('is total bits over total duration, rounded up', () => {
    // (1000 + 3000) bytes * 8 / 4 s = 8000 bit/s
    expect(averageSegmentBitrateBps([seg(2000, 1000), seg(2000, 3000)])).toBe(8000);
    // 1001 * 8 / 3 s = 2669.33 -> 2670
    expect(averageSegmentBitrateBps([seg(3000, 1001)])).toBe(2670);
    expect(averageSegmentBitrateBps([])).toBe(0);
  });
});

describe('peakSegmentBitrateBps (RFC 8216bis: runs lasting 0.5-1.5 target durations)', () => {
  it('is the largest single segment when segments last one target duration', () => {
    expect(peakSegmentBitrateBps([seg(2000, 1000), seg(2000, 3000), seg(2000, 2000)], 2000)).toBe(12000);
  });

  it('does not count a segment too short to qualify alone, but counts it within a run', () => {
    // A 0.5 s final segment of 1000 bytes alone would be 16000 bit/s; it is under 0.5 * 2 s, so only the
    // run with its predecessor (2.5 s <= 3 s) counts: (1000 + 1000) * 8 / 2.5 = 6400.
    expect(peakSegmentBitrateBps([seg(2000, 1000), seg(500, 1000)], 2000)).toBe(6400);
  });

  it('with segments shorter than half the target duration, takes the best qualifying run', () => {
    // Target 4 s, 1 s segments: runs of 2-6 segments qualify, single ones do not.
    // Best run: segments 0-1 or 1-2: (1000 + 5000) * 8 / 2 s = 24000 (a single segment 1 would be 40000).
    expect(
      peakSegmentBitrateBps([seg(1000, 1000), seg(1000, 5000), seg(1000, 1000), seg(1000, 1000)], 4000),
    ).toBe(24000);
  });

  it('falls back to the largest single segment when no run qualifies', () => {
    expect(peakSegmentBitrateBps([seg(500, 1000)], 4000)).toBe(16000);
  });

  it('is never below the average', () => {
    const segments = [seg(2000, 900), seg(2000, 5100), seg(2000, 300), seg(1200, 700)];
    expect(peakSegmentBitrateBps(segments, 2000)).toBeGreaterThanOrEqual(averageSegmentBitrateBps(segments));
  });

  it('rejects a non-positive target duration', () => {
    expect(() => peakSegmentBitrateBps([], 0)).toThrow(TypeError);
  });
});
