import { describe, expect, it } from 'vitest';
import { DYNAMIC_DASH_PRESETS, createDynamic, createDynamicDash } from '../../src/abr/dynamic.js';
import { makeContext, makeProgress } from './context.js';

// Default ladder 300 / 750 / 1500 kbps, 2 s segments, target 20 s, BOLA-BASIC inside (so BOLA's V uses the
// whole 20 s): V = 18000 / (ln 5 + 5) = 2723.4 ms; BOLA says 0 below 11953 ms, 1 up to 14225 ms, 2 above.
// Throughput rule at 1000 kbps: 0.9 x 1000 fits 750 -> 1; at 5000 -> 2; at 200 -> 0.
const at = (bufferLevelMs: number, throughputKbps: number) =>
  makeContext({ segmentIndex: 50, bufferLevelMs, throughputKbps });

describe('dynamic', () => {
  it('starts on the throughput rule and hands over to BOLA above 10 s when BOLA picks at least as high', () => {
    const algo = createDynamic({ basic: true });
    expect(algo.choose(at(9000, 5000)).renditionIndex).toBe(2); // throughput (BOLA would say 0)
    expect(algo.usingBola).toBe(false);
    expect(algo.choose(at(10000, 200)).renditionIndex).toBe(0); // BOLA 0 >= throughput 0, but not > 10 s
    expect(algo.usingBola).toBe(false);
    expect(algo.choose(at(11000, 1000)).renditionIndex).toBe(1); // BOLA 0 < throughput 1: stays
    expect(algo.usingBola).toBe(false);
    const d = algo.choose(at(12000, 1000)); // BOLA 1 >= throughput 1, > 10 s: BOLA
    expect(algo.usingBola).toBe(true);
    expect(d.renditionIndex).toBe(1);
    expect(d.reason).toMatch(/^BOLA/);
  });

  it('hands back to throughput below 10 s when BOLA picks lower, and stays with BOLA otherwise', () => {
    const algo = createDynamic({ basic: true });
    algo.choose(at(12000, 1000));
    expect(algo.usingBola).toBe(true);
    expect(algo.choose(at(10500, 1000)).renditionIndex).toBe(0); // BOLA 0 < 1 but buffer >= 10 s: BOLA's 0
    expect(algo.usingBola).toBe(true);
    expect(algo.choose(at(9000, 200)).renditionIndex).toBe(0); // below 10 s but BOLA 0 = throughput 0
    expect(algo.usingBola).toBe(true);
    expect(algo.choose(at(9000, 1000)).renditionIndex).toBe(1); // BOLA 0 < 1: throughput's 1
    expect(algo.usingBola).toBe(false);
  });

  it("abandons with the throughput rule's test even while BOLA decides", () => {
    const algo = createDynamic({ basic: true });
    algo.choose(at(12000, 1000));
    expect(algo.usingBola).toBe(true);
    // see throughput.test.ts: 1 s for 5e5 of 3e6 bits -> abandon to 0 (BOLA-BASIC never abandons, and BOLA's
    // own rule would keep going at 19 s of buffer, where its score is negative).
    const p = makeProgress({ renditionIndex: 2, totalBytes: 375000, loadedBytes: 62500, elapsedMs: 1000 });
    expect(algo.shouldAbandon(p, at(19000, 1000))).toBe(0);
  });

  it('reset() returns to the throughput rule', () => {
    const algo = createDynamic({ basic: true });
    algo.choose(at(12000, 1000));
    algo.reset();
    expect(algo.usingBola).toBe(false);
  });
});

describe('dynamic-dash', () => {
  it('Sabre preset: to BOLA-E above 10 s, back below 5 s (buffer only)', () => {
    const algo = createDynamicDash();
    expect([algo.lowBufferMs, algo.highBufferMs]).toEqual([5000, 10000]);
    algo.choose(at(10000, 1000));
    expect(algo.usingBola).toBe(false);
    const d = algo.choose(at(10001, 1000));
    expect(algo.usingBola).toBe(true);
    expect(d.reason).toMatch(/^BOLA-E: startup/); // BOLA-E starts up the first time it is asked
    algo.choose(at(5000, 1000));
    expect(algo.usingBola).toBe(true);
    algo.choose(at(4999, 1000));
    expect(algo.usingBola).toBe(false);
  });

  it('dashjs preset: 12 s / 6 s; explicit thresholds override the preset', () => {
    const dash = createDynamicDash({ preset: 'dashjs' });
    expect([dash.lowBufferMs, dash.highBufferMs]).toEqual([6000, 12000]);
    expect(DYNAMIC_DASH_PRESETS.dashjs).toEqual({ lowBufferMs: 6000, highBufferMs: 12000 });
    dash.choose(at(11000, 1000));
    expect(dash.usingBola).toBe(false);
    dash.choose(at(12500, 1000));
    expect(dash.usingBola).toBe(true);
    dash.choose(at(5999, 1000));
    expect(dash.usingBola).toBe(false);
    const custom = createDynamicDash({ preset: 'dashjs', highBufferMs: 8000 });
    expect([custom.lowBufferMs, custom.highBufferMs]).toEqual([6000, 8000]);
  });

  it('returns the lowest rendition before any sample', () => {
    expect(
      createDynamicDash().choose(makeContext({ sampleCount: 0, bufferLevelMs: 20000 })).renditionIndex,
    ).toBe(0);
    expect(createDynamic().choose(makeContext({ sampleCount: 0, bufferLevelMs: 20000 })).renditionIndex).toBe(
      0,
    );
  });
});
