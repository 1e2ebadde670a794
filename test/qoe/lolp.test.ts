/**
 * LoL+'s five-term QoE (src/qoe/lolp.ts): dash.js's weights for a ladder, each term by hand, the latency
 * threshold, the session term function (VOD reduces to three terms), and refusals.
 */
import { describe, expect, it } from 'vitest';
import { createLolpQoeTermFunction, lolpQoeBreakdown, lolpQoeWeights } from '../../src/qoe/index.js';

const LADDER = [200, 600, 1000];
const renditions = LADDER.map((bitrateKbps, index) => ({ index, bitrateKbps }));

describe('LoL+ QoE', () => {
  it("takes dash.js's weights from the ladder and the segment duration", () => {
    expect(lolpQoeWeights(LADDER, 500)).toEqual({
      bitrateReward: 0.5,
      switchPenalty: 1,
      rebufferPenaltyPerS: 1000,
      latencyPenaltyLowPerS: 10,
      latencyPenaltyHighPerS: 100,
      latencyThresholdS: 1.1,
      playbackSpeedPenalty: 200,
    });
    expect(lolpQoeWeights(LADDER).bitrateReward).toBe(1);
    expect(() => lolpQoeWeights([])).toThrow(/ladderKbps/);
    expect(() => lolpQoeWeights(LADDER, 0)).toThrow(/segmentDurationMs/);
  });

  it('scores the five terms, with the latency weight switching above 1.1 s', () => {
    const w = lolpQoeWeights(LADDER, 2000);
    const low = lolpQoeBreakdown(
      { bitrateKbps: 600, prevBitrateKbps: 1000, rebufferMs: 250, latencyMs: 1000, playbackRate: 1.05 },
      w,
    );
    expect(low.bitrateReward).toBe(1200); // 2 s · 600 kbps
    expect(low.switchPenalty).toBe(400);
    expect(low.rebufferPenalty).toBe(250); // 1000 · 0.25 s
    expect(low.latencyPenalty).toBeCloseTo(10, 12); // 0.05 · 200 · 1 s
    expect(low.playbackSpeedPenalty).toBeCloseTo(10, 12); // 200 · 0.05
    expect(low.total).toBeCloseTo(1200 - 400 - 250 - 10 - 10, 9);
    const at = (latencyMs: number): number =>
      lolpQoeBreakdown(
        { bitrateKbps: 600, prevBitrateKbps: null, rebufferMs: 0, latencyMs, playbackRate: 1 },
        w,
      ).latencyPenalty;
    expect(at(1100)).toBeCloseTo(11, 12);
    expect(at(1101)).toBeCloseTo(110.1, 9); // 0.1 · 1000 · 1.101 s
    expect(at(0)).toBe(0);
  });

  it('is a session term function: no switch term first, VOD facts give three terms, duration from the facts', () => {
    const term = createLolpQoeTermFunction({ segmentDurationMs: 4000 });
    const first = term({ bitrateKbps: 1000, lastBitrateKbps: null, rebufferMs: 0, renditions });
    expect(first).toBe(4000);
    const vod = term({ bitrateKbps: 200, lastBitrateKbps: 1000, rebufferMs: 1000, renditions });
    expect(vod).toBe(800 - 800 - 1000);
    const live = term({
      bitrateKbps: 200,
      lastBitrateKbps: 200,
      rebufferMs: 0,
      renditions,
      latencyMs: 3000,
      playbackRate: 1.1,
      durationMs: 2000,
    });
    expect(live).toBeCloseTo(400 - 100 * 3 - 200 * 0.1, 9);
    const heavier = createLolpQoeTermFunction({ weights: { rebufferPenaltyPerS: 5000 } });
    expect(heavier({ bitrateKbps: 200, lastBitrateKbps: null, rebufferMs: 1000, renditions })).toBe(
      200 - 5000,
    );
  });
});
