import { describe, expect, it } from 'vitest';
import { simulateSession } from '../../src/sim/simulate.js';
import { summarize } from '../../src/qoe/playout-summary.js';
import { NETWORK_PRESETS } from '../../src/sim/presets.js';
import { planOptimalSession } from '../../src/sim/optimal-plan.js';
import { qoeTermFunction } from '../../src/sim/qoe-terms.js';
import type { NetworkTrace } from '../../src/traces/model.js';
import type { SessionEvents } from '../../src/session/types.js';
import { FixedAlgorithm, constantTrace, flatVideo } from '../session/helpers.js';

const pensieveLadder = [300, 750, 1200, 1850, 2850, 4300];

describe('simulateSession presets', () => {
  it("'pensieve': chunk 0 at index 1 unasked, its whole delay is rebuffer, QoE_lin per chunk", () => {
    // cooked 8 Mbps: 950,000 B/s. index 1 = 950,000 B (1 s + 80 ms), index 0 = 475,000 B (0.5 s + 80 ms)
    const trace: NetworkTrace = {
      name: 'flat8',
      periods: [{ durationMs: 100_000, bandwidthKbps: 8000, latencyMs: 80 }],
      pensieve: { timesS: [0, 100], throughputsMbps: [8, 8] },
    };
    const video = flatVideo(3, 4000, pensieveLadder, [475_000, 950_000, 1e6, 1e6, 1e6, 1e6]);
    const algorithm = new FixedAlgorithm(0);
    const { records, summary } = simulateSession({ video, trace, algorithm, network: 'pensieve' });
    expect(algorithm.contexts.map((c) => c.segmentIndex)).toEqual([1, 2]);
    expect(records.map((r) => r.rendition)).toEqual([1, 0, 0]);
    expect(records[0]!.downloadMs).toBeCloseTo(1080, 9);
    expect(records[0]!.rebufferMs).toBeCloseTo(1080, 9);
    expect(records[0]!.qoe).toBeCloseTo(0.75 - 4.3 * 1.08, 12);
    expect(records[1]!.rebufferMs).toBe(0);
    expect(records[1]!.qoe).toBeCloseTo(0.3 - 0.45, 12);
    expect(records[1]!.bufferMs).toBeCloseTo(4000 - 580 + 4000, 9);
    expect(summary.startupMs).toBe(0);
    expect(summary.rebufferMs).toBeCloseTo(1080, 9);
    expect(summary.totalQoe).toBeCloseTo(
      records.reduce((a, r) => a + r.qoe, 0),
      12,
    );
  });

  it("'sabre': segment 0 at rendition 0 unasked, its download is startup, Sabre's time averages", () => {
    const video = flatVideo(3, 4000, [1000, 2000], [500_000, 1_000_000]);
    const algorithm = new FixedAlgorithm(0);
    const { records, summary } = simulateSession({
      video,
      trace: constantTrace(8000),
      algorithm,
      network: 'sabre',
    });
    expect(algorithm.contexts.map((c) => c.segmentIndex)).toEqual([1, 2]);
    expect(records.map((r) => r.rebufferMs)).toEqual([0, 0, 0]);
    expect(summary.startupMs).toBe(500);
    // downloads end at 1500 with 11 s buffered: play time 12.5 s, 3 segments of 1000 kbps per 3.125 segment times
    expect(summary.playTimeMs).toBe(12_500);
    expect(summary.timeAvgBitrateKbps).toBeCloseTo(960, 9);
    expect(summary.rebufferRatio).toBe(0);
    expect(summary.timeAvgScore).toBe(0);
    // Sabre's EWMA and latency estimators are wired in
    expect(algorithm.contexts[0]!.throughput.sampleCount).toBe(1);
    expect(algorithm.contexts[0]!.latencyMs).toBe(0);
  });

  it("'abrkit' (default): the algorithm picks segment 0, 30 s target", () => {
    const video = flatVideo(3, 4000, [1000, 2000], [500_000, 1_000_000]);
    const algorithm = new FixedAlgorithm(1);
    const { records } = simulateSession({ video, trace: constantTrace(8000, 50), algorithm });
    expect(algorithm.contexts.map((c) => c.segmentIndex)).toEqual([0, 1, 2]);
    expect(algorithm.contexts[0]!.bufferTargetMs).toBe(30_000);
    expect(algorithm.contexts[0]!.startingUp).toBe(true);
    expect(records.map((r) => r.rendition)).toEqual([1, 1, 1]);
    expect(records[0]!.downloadMs).toBeCloseTo(1050, 9);
  });

  it('takes overrides, algorithm names and QoE names, and passes events out', () => {
    const video = flatVideo(4, 4000, pensieveLadder, [1e5, 2e5, 3e5, 4e5, 5e5, 6e5]);
    const decisions: string[] = [];
    const { records } = simulateSession({
      video,
      trace: constantTrace(8000),
      algorithm: 'bba',
      network: 'pensieve',
      qoe: 'hd',
      bufferTargetMs: 8000,
      forcedFirstRendition: null,
      onEvents: (events) => events.on('decision', (d: SessionEvents['decision']) => decisions.push(d.reason)),
    });
    expect(decisions).toHaveLength(4);
    expect(records[0]!.rendition).toBe(0); // BBA at an empty buffer
    expect(() =>
      simulateSession({ video, trace: constantTrace(8000), algorithm: 'bba', network: 'nope' as never }),
    ).toThrow(TypeError);
    expect(() => simulateSession({ video, trace: constantTrace(8000), algorithm: 'no-such-algo' })).toThrow();
  });
});

describe("simulateSession: the offline optimum ('optimal')", () => {
  const trace: NetworkTrace = {
    name: 'steps',
    periods: [
      { durationMs: 3000, bandwidthKbps: 3000, latencyMs: 40 },
      { durationMs: 2000, bandwidthKbps: 600, latencyMs: 80 },
      { durationMs: 4000, bandwidthKbps: 5000, latencyMs: 20 },
    ],
  };
  const video = {
    ...flatVideo(6, 4000, pensieveLadder, [150_000, 375_000, 600_000, 925_000, 1_425_000, 2_150_000]),
    segmentSizesBytes: Array.from({ length: 6 }, (_, k) =>
      pensieveLadder.map((b) => (b * 4000) / 8 + k * 7 + 1),
    ),
  };

  for (const network of ['pensieve', 'sabre', 'abrkit'] as const) {
    it(`${network}: plans, replays through the loop, and beats every fixed rendition`, () => {
      const { summary } = simulateSession({
        video,
        trace,
        algorithm: 'optimal',
        network,
        algorithmOptions: { resolutionMs: 1 },
      });
      const preset = NETWORK_PRESETS[network];
      const planned = planOptimalSession({
        video,
        trace,
        network,
        qoe: 'lin',
        bufferTargetMs: preset.bufferTargetMs,
        forcedFirstRendition: preset.forcedFirstRendition,
        resolutionMs: 1,
      });
      // the planner's own forward simulation and the session loop agree on the plan's QoE
      expect(summary.totalQoe).toBeCloseTo(planned.qoe, 9);
      for (let r = 0; r < pensieveLadder.length; r++) {
        const fixed = simulateSession({ video, trace, algorithm: new FixedAlgorithm(r), network });
        expect(summary.totalQoe).toBeGreaterThanOrEqual(fixed.summary.totalQoe - 1e-9);
      }
      const bba = simulateSession({ video, trace, algorithm: 'bba', network });
      expect(summary.totalQoe).toBeGreaterThanOrEqual(bba.summary.totalQoe - 1e-9);
    });
  }

  it('replays a given plan', () => {
    const { records } = simulateSession({
      video,
      trace,
      algorithm: 'optimal',
      algorithmOptions: { plan: [0, 1, 2, 3, 4, 5] },
    });
    expect(records.map((r) => r.rendition)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('QoE terms and summary', () => {
  const renditions = pensieveLadder.map((bitrateKbps, index) => ({ index, bitrateKbps }));
  const info = {
    segmentIndex: 3,
    renditionIndex: 4,
    bitrateKbps: 2850,
    lastRenditionIndex: 1,
    lastBitrateKbps: 750,
    rebufferMs: 500,
    renditions,
  };

  it('computes Pensieve’s lin, log and hd terms', () => {
    expect(qoeTermFunction('lin')(info)).toBeCloseTo(2.85 - 4.3 * 0.5 - 2.1, 12);
    expect(qoeTermFunction('log')(info)).toBeCloseTo(
      Math.log(2850 / 300) - 2.66 * 0.5 - Math.abs(Math.log(2850 / 300) - Math.log(750 / 300)),
      12,
    );
    expect(qoeTermFunction('hd')(info)).toBeCloseTo(15 - 8 * 0.5 - 13, 12);
    expect(
      qoeTermFunction('lin')({ ...info, lastRenditionIndex: null, lastBitrateKbps: null, rebufferMs: 0 }),
    ).toBeCloseTo(2.85, 12);
    expect(() => qoeTermFunction('nope' as never)).toThrow();
  });

  it("summarizes switches, means and Sabre's time averages", () => {
    const rec = (segment: number, rendition: number, bitrateKbps: number, qoe: number) => ({
      segment,
      rendition,
      bitrateKbps,
      sizeBytes: 1,
      downloadMs: 1,
      rebufferMs: 0,
      bufferMs: 0,
      qoe,
    });
    const s = summarize({
      records: [rec(0, 0, 300, 1), rec(1, 1, 600, 2), rec(2, 1, 600, 3), rec(3, 0, 300, 4)],
      segmentDurationMs: 1000,
      lowestBitrateKbps: 300,
      rebufferMs: 1000,
      rebufferCount: 1,
      startupMs: 200,
      downloadEndMs: 3000,
      finalBufferMs: 2000,
    });
    expect(s.totalQoe).toBe(10);
    expect(s.meanBitrateKbps).toBe(450);
    expect(s.switches).toBe(2);
    expect(s.playTimeMs).toBe(5000);
    expect(s.timeAvgBitrateKbps).toBeCloseTo(1800 / 5, 12);
    expect(s.timeAvgBitrateChangeKbps).toBeCloseTo(600 / 5, 12);
    expect(s.rebufferRatio).toBeCloseTo(0.2, 12);
    expect(s.timeAvgScore).toBeCloseTo((2 * Math.log(2) - 5 * 1) / 5, 12);
  });
});
