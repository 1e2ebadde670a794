import { describe, expect, it } from 'vitest';
import { createThroughput } from '../../src/abr/throughput.js';
import { makeContext, makeProgress } from './context.js';

// Default test ladder: 300 / 750 / 1500 kbps, 2 s segments, latency 0.
describe('throughput rule', () => {
  const noIbr = () => createThroughput({ insufficientBufferRule: false });

  it('picks the highest rendition whose segment downloads within a segment at 0.9 x the estimate', () => {
    // 0.9 x 1000 = 900 kbps: 750 kbps takes 2000 * 750 / 900 = 1667 ms <= 2000; 1500 kbps takes 3333 ms.
    expect(noIbr().choose(makeContext({ throughputKbps: 1000 })).renditionIndex).toBe(1);
    // exactly at the edge: 0.9 x 1666.67 = 1500 -> 1500 kbps takes 2000 ms, allowed (<=)
    expect(noIbr().choose(makeContext({ throughputKbps: 1500 / 0.9 })).renditionIndex).toBe(2);
    expect(noIbr().choose(makeContext({ throughputKbps: 1500 / 0.9 - 0.01 })).renditionIndex).toBe(1);
    expect(noIbr().choose(makeContext({ throughputKbps: 100 })).renditionIndex).toBe(0);
    expect(noIbr().choose(makeContext({ throughputKbps: 0 })).renditionIndex).toBe(0);
  });

  it('counts the latency estimate in the segment time', () => {
    // 750 kbps at 900: 1667 ms + latency must stay <= 2000
    expect(noIbr().choose(makeContext({ throughputKbps: 1000, latencyMs: 300 })).renditionIndex).toBe(1);
    expect(noIbr().choose(makeContext({ throughputKbps: 1000, latencyMs: 400 })).renditionIndex).toBe(0);
  });

  it('honours the safety factor option and maxRenditionIndex', () => {
    expect(
      createThroughput({ safetyFactor: 1, insufficientBufferRule: false }).choose(
        makeContext({ throughputKbps: 1500 }),
      ).renditionIndex,
    ).toBe(2);
    expect(noIbr().choose(makeContext({ throughputKbps: 10000, maxRenditionIndex: 1 })).renditionIndex).toBe(
      1,
    );
  });

  it('returns the lowest rendition before any throughput sample, without touching its state', () => {
    const algo = createThroughput();
    expect(
      algo.choose(makeContext({ throughputKbps: 5000, sampleCount: 0, bufferLevelMs: 0 })).renditionIndex,
    ).toBe(0);
    // the insufficient-buffer safety is still 0.9 (see the next test for the numbers)
    expect(algo.choose(makeContext({ throughputKbps: 1000, bufferLevelMs: 1800 })).renditionIndex).toBe(1);
  });

  it('insufficient-buffer rule: safety 0.9, decaying by 0.9 per decision to 0.5, reset() restores it', () => {
    // estimate 1000 -> pick 1 (750 kbps). Keeping 1 needs bitrate[1] * 2000 = 1.5e6 bits <= s * level * 1000,
    // i.e. level >= 1667 ms at s = 0.9 and 1852 ms at s = 0.81. At 1800 ms: first 1, then 0.
    const algo = createThroughput();
    const ctx = makeContext({ throughputKbps: 1000, bufferLevelMs: 1800 });
    expect(algo.choose(ctx).renditionIndex).toBe(1);
    const second = algo.choose(ctx);
    expect(second.renditionIndex).toBe(0);
    expect(second.reason).toContain('insufficient buffer');
    // s after n decisions: 0.9^(n+1) until it reaches 0.5 (after 6 decisions: 0.9^7 = 0.478 -> 0.5).
    // With level 3400: 0.5 * 3400 * 1000 = 1.7e6 >= 1.5e6 keeps 1; 0.9 * 0.5 would not.
    const ctx2 = makeContext({ throughputKbps: 1000, bufferLevelMs: 3400 });
    for (let i = 0; i < 10; i++) expect(algo.choose(ctx2).renditionIndex).toBe(1);
    // 0.5 * 2900 * 1000 = 1.45e6 < 1.5e6: capped at the floor
    expect(algo.choose(makeContext({ throughputKbps: 1000, bufferLevelMs: 2900 })).renditionIndex).toBe(0);
    algo.reset?.();
    expect(algo.choose(ctx).renditionIndex).toBe(1);
  });

  it('insufficient-buffer rule subtracts the latency from the buffer', () => {
    // estimate 1100: 0.9 x 1100 = 990 kbps, 750 kbps takes 1515 ms + latency <= 2000 with latency 0 or 400.
    // Buffer 1900: safe = 0.9 x (1900 - latency) x 1100 = 1.881e6 bits (latency 0) or 1.485e6 (latency 400),
    // against 1.5e6 bits for a 750 kbps segment.
    const at = (latencyMs: number) =>
      createThroughput().choose(makeContext({ throughputKbps: 1100, bufferLevelMs: 1900, latencyMs }));
    expect(at(0).renditionIndex).toBe(1);
    expect(at(400).renditionIndex).toBe(0);
    expect(at(400).reason).toContain('insufficient buffer');
  });

  describe('abandonment (multiplier 1.8, grace 500 ms)', () => {
    // 1500 kbps segment of 2 s = 3e6 bits = 375000 bytes; the limit is 1.8 x 2000 = 3600 ms.
    const total = 375000;
    const algo = createThroughput();
    const ctx = makeContext({ throughputKbps: 1000 });

    it('abandons a download that would end after 1.8 segment durations, to what 0.9 x its throughput allows', () => {
      // 1000 ms at 500 kbps: 5e5 bits in, 2.5e6 left -> 5000 ms more, 6000 > 3600. 0.9 x 500 = 450 kbps fits
      // 300 kbps (1333 ms) but not 750; 300 kbps segment = 6e5 bits < 2.5e6 left -> abandon to 0.
      expect(
        algo.shouldAbandon(
          makeProgress({ renditionIndex: 2, totalBytes: total, loadedBytes: 62500, elapsedMs: 1000 }),
          ctx,
        ),
      ).toBe(0);
    });

    it('takes the latency out of the measured throughput', () => {
      // same bytes over 1000 ms of which 500 ms waiting for the first byte: 1000 kbps; 1000 + 2500 < 3600
      expect(
        algo.shouldAbandon(
          makeProgress({
            renditionIndex: 2,
            totalBytes: total,
            loadedBytes: 62500,
            elapsedMs: 1000,
            ttfbMs: 500,
          }),
          ctx,
        ),
      ).toBeNull();
    });

    it('waits for the grace time', () => {
      expect(
        algo.shouldAbandon(
          makeProgress({ renditionIndex: 2, totalBytes: total, loadedBytes: 20000, elapsedMs: 499 }),
          ctx,
        ),
      ).toBeNull();
    });

    it('keeps a download that will finish in time', () => {
      // 1000 ms at 2000 kbps: 1e6 bits left -> 500 ms more, 1500 < 3600
      expect(
        algo.shouldAbandon(
          makeProgress({ renditionIndex: 2, totalBytes: total, loadedBytes: 250000, elapsedMs: 1000 }),
          ctx,
        ),
      ).toBeNull();
    });

    it('keeps a download whose remainder is smaller than the lower segment', () => {
      // 3500 ms for 2.7e6 bits (771 kbps): 3e5 bits left, 389 ms -> 3889 > 3600; 0.9 x 771 = 694 kbps -> 300 kbps,
      // whose whole segment (6e5 bits) is larger than the 3e5 left: keep going.
      expect(
        algo.shouldAbandon(
          makeProgress({ renditionIndex: 2, totalBytes: total, loadedBytes: 337500, elapsedMs: 3500 }),
          ctx,
        ),
      ).toBeNull();
    });

    it('never abandons the lowest rendition, an unknown size, the first segment, or when disabled', () => {
      const slow = { loadedBytes: 5000, elapsedMs: 1000 };
      expect(
        algo.shouldAbandon(makeProgress({ renditionIndex: 0, totalBytes: 75000, ...slow }), ctx),
      ).toBeNull();
      expect(
        algo.shouldAbandon(makeProgress({ renditionIndex: 2, totalBytes: null, ...slow }), ctx),
      ).toBeNull();
      expect(
        algo.shouldAbandon(
          makeProgress({ renditionIndex: 2, totalBytes: total, ...slow }),
          makeContext({ sampleCount: 0 }),
        ),
      ).toBeNull();
      const off = createThroughput({ abandonment: false });
      expect(
        off.shouldAbandon(makeProgress({ renditionIndex: 2, totalBytes: total, ...slow }), ctx),
      ).toBeNull();
      expect(algo.shouldAbandon(makeProgress({ renditionIndex: 2, totalBytes: total, ...slow }), ctx)).toBe(
        0,
      );
    });
  });
});
