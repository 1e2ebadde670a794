import { describe, expect, it } from 'vitest';
import { createBolaE } from '../../src/abr/bola-e.js';
import { BBB_KBPS, makeContext, makeProgress } from './context.js';
import type { ContextInput } from './context.js';

// bbb ladder (10 renditions, 230..6000 kbps), 3 s segments, max buffer 25 s, latency 0
const bbb = (input: ContextInput) =>
  makeContext({
    bitratesKbps: BBB_KBPS,
    segmentDurationMs: 3000,
    bufferTargetMs: 25000,
    segmentCount: 199,
    ...input,
  });
const u = (kbps: number) => 1 + Math.log(kbps / 230);

/** A BOLA-E past startup with an empty placeholder: started at a full buffer with a huge estimate. */
function steady() {
  const algo = createBolaE();
  expect(algo.choose(bbb({ bufferLevelMs: 40000, throughputKbps: 1e6 })).renditionIndex).toBe(9);
  expect(algo.placeholder).toBe(0);
  return algo;
}

describe('bola-e', () => {
  it('derives V and gp from the target buffer max(10 s + 2 s x 10 renditions, 25 s) = 30 s', () => {
    const p = createBolaE().params(bbb({}));
    // Sabre's equivalent form: V = (B - 10 s) / ln(b_top / b_0), gp = 10 s / V
    expect(p.vMs).toBeCloseTo((30000 - 10000) / Math.log(6000 / 230), 6);
    expect(p.gp).toBeCloseTo(10000 / p.vMs, 12);
    expect(p.utilities[0]).toBe(1);
    expect(p.utilities[9]).toBeCloseTo(u(6000), 12);
  });

  it('without the insufficient-buffer rule uses gp = gammaP - 1 and V from the max buffer (as BOLA-BASIC)', () => {
    const p = createBolaE({ insufficientBufferRule: false }).params(bbb({}));
    expect(p.gp).toBe(4);
    expect(p.vMs).toBeCloseTo(22000 / (u(6000) + 4), 9);
  });

  it('minBufferFor(q) is where BOLA starts preferring q: the steady buffer rule switches there', () => {
    const algo = steady();
    const ctx = bbb({});
    for (let q = 1; q < 10; q++) {
      const level = algo.minBufferFor(ctx, q);
      expect(level).toBeGreaterThan(algo.minBufferFor(ctx, q - 1));
      const a = steady();
      expect(
        a.choose(bbb({ bufferLevelMs: level + 1, throughputKbps: 1e6 })).renditionIndex,
        `above ${q}`,
      ).toBe(q);
      const b = steady();
      expect(
        b.choose(bbb({ bufferLevelMs: level - 1, throughputKbps: 1e6 })).renditionIndex,
        `below ${q}`,
      ).toBe(q - 1);
    }
  });

  it('startup: stays at the last rendition without a sample, then takes the throughput pick and a placeholder', () => {
    const algo = createBolaE();
    expect(algo.choose(bbb({ sampleCount: 0, bufferLevelMs: 0 })).renditionIndex).toBe(0);
    expect(algo.placeholder).toBe(0);
    // 1000 kbps fits 991 (2973 ms <= 3000 ms, no safety factor): 4; the placeholder lifts the 2 s buffer to the
    // level where BOLA prefers 4.
    const d = algo.choose(bbb({ bufferLevelMs: 2000, throughputKbps: 1000 }));
    expect(d.renditionIndex).toBe(4);
    expect(algo.placeholder).toBeCloseTo(algo.minBufferFor(bbb({}), 4) - 2000, 9);
    expect(algo.placeholder).toBeGreaterThan(10000);
  });

  it('insufficient-buffer rule caps the pick and the placeholder', () => {
    const algo = createBolaE();
    algo.choose(bbb({ bufferLevelMs: 2000, throughputKbps: 1000 })); // startup -> 4, placeholder to minBuffer(4)
    // 2.5 s buffered + placeholder puts BOLA at 4, but safe = 0.9 x 2500 x 1000 = 2.25e6 bits: 688 kbps
    // segments (2.064e6) fit, 991 (2.973e6) do not -> 3, and the placeholder drops to minBuffer(3) - 2500.
    const d = algo.choose(bbb({ bufferLevelMs: 2500, throughputKbps: 1000 }));
    expect(d.renditionIndex).toBe(3);
    expect(d.reason).toContain('insufficient buffer');
    expect(algo.placeholder).toBeCloseTo(algo.minBufferFor(bbb({}), 3) - 2500, 9);
  });

  it('limits a step up to max(last, throughput pick) + 1 and turns excess buffer into a delay', () => {
    // steady, empty placeholder, last rendition 0; 250 kbps fits 230 only (throughput pick 0).
    // 21 s buffered: BOLA says higher, limited to 0 + 1 = 1; above V (u_1 + gp) the rest is a delay.
    const algo = steady();
    const p = algo.params(bbb({}));
    const d = algo.choose(bbb({ bufferLevelMs: 21000, throughputKbps: 250 }));
    expect(d.renditionIndex).toBe(1);
    expect(d.delayMs).toBeCloseTo(21000 - p.vMs * (u(331) + p.gp), 6);
  });

  it('eats the placeholder before asking for a delay; onIdle grows it', () => {
    const algo = steady();
    algo.onIdle(5000);
    expect(algo.placeholder).toBe(5000);
    const p = algo.params(bbb({}));
    // 15 s + 5 s placeholder = 20 s, V (u_1 + gp) = 18.36 s: 1.64 s taken from the placeholder, no delay
    const d = algo.choose(bbb({ bufferLevelMs: 15000, throughputKbps: 250 }));
    expect(d.renditionIndex).toBe(1);
    expect(d.delayMs).toBeUndefined();
    expect(algo.placeholder).toBeCloseTo(5000 - (20000 - p.vMs * (u(331) + p.gp)), 6);
  });

  it('no delay at the top rendition', () => {
    const algo = steady();
    const d = algo.choose(bbb({ bufferLevelMs: 50000, throughputKbps: 1e6 }));
    expect(d.renditionIndex).toBe(9);
    expect(d.delayMs).toBeUndefined();
  });

  it('onDownloaded clamps the placeholder to V (u_q + gp) - (level + download time)', () => {
    const algo = createBolaE();
    algo.choose(bbb({ bufferLevelMs: 2000, throughputKbps: 1000 })); // -> 4, placeholder ~15.8 s
    // download of 1 s, 12 s buffered after it: at most maxBuffer(4) - 13 s = 12.1 s of placeholder
    algo.onDownloaded(
      { startMs: 0, firstByteMs: 100, endMs: 1000, sizeBytes: 1e5 },
      bbb({ bufferLevelMs: 12000 }),
    );
    expect(algo.placeholder).toBeCloseTo(algo.maxBufferFor(bbb({}), 4) - 13000, 9);
  });

  it('onDownloaded after an abandonment to 0 caps the placeholder to 10 s - level', () => {
    const algo = createBolaE();
    algo.choose(bbb({ bufferLevelMs: 2000, throughputKbps: 1000 }));
    algo.onDownloaded(
      { startMs: 0, firstByteMs: 100, endMs: 1000, sizeBytes: 1e5, aborted: true },
      bbb({ bufferLevelMs: 4000 }),
    );
    expect(algo.placeholder).toBe(6000);
  });

  describe('abandonment', () => {
    // downloading the 6000 kbps segment (18e6 bits), 1 s in with no latency: 1e6 bits in (1000 kbps).
    const progress = (loadedBits: number) =>
      makeProgress({ renditionIndex: 9, totalBytes: 18e6 / 8, loadedBytes: loadedBits / 8, elapsedMs: 1000 });

    it('abandons to the lower rendition with the best score per bit', () => {
      // 5 s buffered, no placeholder: score_9 = (V (gp + u_9) - 5000) / 17e6 ~ 0.0018; 230 kbps (6.9e5 bits):
      // (V (gp + 1) - 5000) / 6.9e5 ~ 0.016, the best of the lower ones (331: 0.0135, 477: 0.0110, ...) -> 0
      const algo = steady();
      expect(algo.shouldAbandon(progress(1e6), bbb({ bufferLevelMs: 5000 }))).toBe(0);
      // the download is reported aborted: the placeholder is capped to 10 s - level (0 here anyway)
      algo.onDownloaded(
        { startMs: 0, firstByteMs: 0, endMs: 1000, sizeBytes: 1e6 / 8, aborted: true },
        bbb({ bufferLevelMs: 4000 }),
      );
      expect(algo.placeholder).toBe(0);
    });

    it('keeps going when what remains is smaller than any lower segment, or when the buffer is high', () => {
      const algo = steady();
      // 0.6e6 bits left: smaller than the 230 kbps segment (6.9e5)
      expect(algo.shouldAbandon(progress(17.4e6), bbb({ bufferLevelMs: 5000 }))).toBeNull();
      // 30 s buffered: all scores negative, the current one (largest size) least so
      expect(algo.shouldAbandon(progress(1e6), bbb({ bufferLevelMs: 40000 }))).toBeNull();
    });

    it('does not check without a size or before the first sample', () => {
      const algo = steady();
      const p = makeProgress({ renditionIndex: 9, totalBytes: null, loadedBytes: 1e5, elapsedMs: 1000 });
      expect(algo.shouldAbandon(p, bbb({ bufferLevelMs: 5000 }))).toBeNull();
      expect(algo.shouldAbandon(progress(1e6), bbb({ bufferLevelMs: 5000, sampleCount: 0 }))).toBeNull();
    });
  });

  it('reset() returns to startup', () => {
    const algo = steady();
    algo.onIdle(3000);
    algo.reset();
    expect(algo.placeholder).toBe(0);
    expect(algo.choose(bbb({ bufferLevelMs: 2000, throughputKbps: 1000 })).renditionIndex).toBe(4);
  });
});
