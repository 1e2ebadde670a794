import { describe, expect, it } from 'vitest';
import { bolaV, createBola } from '../../src/abr/bola.js';
import { BBB_KBPS, makeContext, makeProgress } from './context.js';
import type { ContextInput } from './context.js';

const GP = 5;
const bbb = (input: ContextInput) =>
  makeContext({
    bitratesKbps: BBB_KBPS,
    segmentDurationMs: 3000,
    bufferTargetMs: 25000,
    segmentCount: 199,
    ...input,
  });
const utility = (kbps: number) => Math.log(kbps / BBB_KBPS[0]!);

/** The level at which BOLA's scores of q and q+1 are equal (from (V(u+gp) - Q)/b equal for both). */
function switchLevel(vMs: number, q: number): number {
  const b0 = BBB_KBPS[q]!;
  const b1 = BBB_KBPS[q + 1]!;
  return vMs * (GP + (b1 * utility(b0) - b0 * utility(b1)) / (b1 - b0));
}

describe('bola', () => {
  it('V = (buffer - segment) / (ln(b_top / b_0) + gp)', () => {
    expect(bolaV(25000, 3000, utility(6000), GP)).toBeCloseTo(22000 / (Math.log(6000 / 230) + 5), 9);
  });

  it('(not basic) sizes V from min(target, max(min(i - seek, count - i) / 2, 3) segments), as Sabre', () => {
    const bola = createBola();
    expect(bola.bufferSizeFor(bbb({ segmentIndex: 1 }))).toBe(9000); // max(0.5, 3) x 3 s
    expect(bola.bufferSizeFor(bbb({ segmentIndex: 12 }))).toBe(18000); // 6 x 3 s
    expect(bola.bufferSizeFor(bbb({ segmentIndex: 100 }))).toBe(25000); // capped at the target
    expect(bola.bufferSizeFor(bbb({ segmentIndex: 190 }))).toBe(13500); // (199 - 190) / 2 = 4.5 segments
    expect(createBola({ basic: true }).bufferSizeFor(bbb({ segmentIndex: 1 }))).toBe(25000);
  });

  it('counts segments from the session start, whether or not segment 0 was asked for, and after reset()', () => {
    const asked = createBola();
    asked.choose(bbb({ segmentIndex: 0, sampleCount: 0 }));
    const forced = createBola();
    forced.reset();
    for (const bola of [asked, forced]) {
      expect(bola.bufferSizeFor(bbb({ segmentIndex: 2 }))).toBe(9000);
      expect(bola.bufferSizeFor(bbb({ segmentIndex: 10 }))).toBe(15000);
    }
  });

  it('buffer rule: switches from q to q+1 exactly where their scores cross', () => {
    const v = bolaV(25000, 3000, utility(6000), GP);
    const levels = BBB_KBPS.slice(0, -1).map((_, q) => switchLevel(v, q));
    for (let q = 1; q < levels.length; q++) expect(levels[q]!).toBeGreaterThan(levels[q - 1]!);
    const pick = (bufferLevelMs: number) =>
      createBola({ basic: true }).choose(bbb({ bufferLevelMs, throughputKbps: 1e6 })).renditionIndex;
    expect(pick(0)).toBe(0);
    for (let q = 0; q < levels.length; q++) {
      expect(pick(levels[q]! - 1), `below switch ${q}`).toBe(q);
      expect(pick(levels[q]! + 1), `above switch ${q}`).toBe(q + 1);
    }
    expect(pick(30000)).toBe(9);
  });

  it('limits a step up to the (no-safety) throughput pick + 1, or holds the previous pick above it', () => {
    const bola = createBola({ basic: true });
    // 25 s of buffer: the buffer rule says top (9). 1000 kbps fits 991 kbps (2973 ms <= 3000): pick 4 -> 5.
    const first = bola.choose(bbb({ bufferLevelMs: 22000, throughputKbps: 1000 }));
    expect(first.renditionIndex).toBe(5);
    expect(first.delayMs).toBeUndefined();
    // 500 kbps fits 477 (pick 2): the previous pick 5 is above it, so BOLA holds 5.
    expect(bola.choose(bbb({ bufferLevelMs: 22000, throughputKbps: 500 })).renditionIndex).toBe(5);
    // a lower buffer-rule pick is never limited
    expect(bola.choose(bbb({ bufferLevelMs: 0, throughputKbps: 500 })).renditionIndex).toBe(0);
  });

  it('oscillationGuard (Sabre -ao): steps up to the throughput pick only and waits for the buffer to drain', () => {
    const bola = createBola({ basic: true, oscillationGuard: true });
    const v = bolaV(25000, 3000, utility(6000), GP);
    const d = bola.choose(bbb({ bufferLevelMs: 22000, throughputKbps: 1000 }));
    expect(d.renditionIndex).toBe(4);
    // wait until the buffer is down to V (u_4 + gp), where 4 is BOLA's own choice
    expect(d.delayMs).toBeCloseTo(22000 - v * (utility(991) + GP), 6);
  });

  it('returns the lowest rendition before any throughput sample', () => {
    expect(
      createBola().choose(bbb({ bufferLevelMs: 20000, sampleCount: 0, segmentIndex: 0 })).renditionIndex,
    ).toBe(0);
  });

  describe('abandonment (not basic)', () => {
    // ladder 300 / 750 / 1500, 2 s segments, target 20 s, segment 50 of 100: V = 18000 / (ln 5 + 5) = 2723.4 ms.
    // Downloading the 1500 kbps segment (3e6 bits):
    const ctx = (bufferLevelMs: number) =>
      makeContext({ segmentIndex: 50, bufferLevelMs, throughputKbps: 1000 });
    const progress = (loadedBytes: number) =>
      makeProgress({ renditionIndex: 2, totalBytes: 375000, loadedBytes, elapsedMs: 1000 });

    it('abandons to the lower rendition with the best score per remaining bit', () => {
      // 2.7e6 bits left, 1 s buffered: score_2 = (V (ln 5 + 5) - 1000) / 2.7e6 = 0.0063; 300 kbps (6e5 bits):
      // (5 V - 1000) / 6e5 = 0.0210; 750 (1.5e6 bits): (V (ln 2.5 + 5) - 1000) / 1.5e6 = 0.0101 -> 0.
      const bola = createBola();
      const high = (throughputKbps: number) =>
        makeContext({ segmentIndex: 50, bufferLevelMs: 20000, throughputKbps });
      expect(bola.choose(high(1e6)).renditionIndex).toBe(2);
      expect(bola.shouldAbandon(progress(37500), ctx(1000))).toBe(0);
      // the abandonment target becomes BOLA's previous pick: at 500 kbps (no-safety throughput pick 0) the
      // buffer rule's 2 is now limited to 0 + 1 = 1; had BOLA kept 2 as its previous pick, it would hold 2.
      expect(bola.choose(high(500)).renditionIndex).toBe(1);
      const kept = createBola();
      kept.choose(high(1e6));
      expect(kept.choose(high(500)).renditionIndex).toBe(2);
    });

    it('keeps going when the remainder is smaller than any lower segment', () => {
      const bola = createBola();
      bola.choose(ctx(1000));
      // 5e5 bits left: the 300 kbps segment (6e5) is larger
      expect(bola.shouldAbandon(progress(312500), ctx(1000))).toBeNull();
    });

    it('keeps going when the buffer is above V (u + gp) (negative score)', () => {
      const bola = createBola();
      bola.choose(ctx(19000));
      expect(bola.shouldAbandon(progress(37500), ctx(19000))).toBeNull();
    });

    it('never abandons in basic mode', () => {
      const bola = createBola({ basic: true });
      bola.choose(ctx(1000));
      expect(bola.shouldAbandon(progress(37500), ctx(1000))).toBeNull();
    });
  });
});
