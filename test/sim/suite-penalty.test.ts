/**
 * What the suite relies on in the simulator: a rebuffer-penalty override that reaches the measured QoE, the
 * planners' objectives and the offline optimum, and labelled variants of one algorithm in one batch.
 */
import { describe, expect, it } from 'vitest';
import { createAlgorithm } from '../../src/abr/registry.js';
import { runBatch } from '../../src/sim/batch.js';
import type { SessionStats } from '../../src/sim/batch-stats.js';
import { simulateSession } from '../../src/sim/simulate.js';
import { stepTrace } from '../../src/traces/generators.js';
import type { VideoDescription } from '../../src/videos/model.js';

const KBPS = [300, 1200, 4300];
const VIDEO: VideoDescription = {
  name: 'tiny',
  segmentDurationMs: 4000,
  renditions: KBPS.map((bitrateKbps, index) => ({ index, bitrateKbps })),
  segmentSizesBytes: Array.from({ length: 12 }, (_, i) =>
    KBPS.map((k) => Math.round((k * 4000) / 8) * (1 + (i % 3) * 0.1)),
  ),
};
// Fast, then a slump that makes any ambitious choice stall, then fast again.
const TRACE = stepTrace(
  [
    { bandwidthKbps: 5000, durationMs: 8000 },
    { bandwidthKbps: 250, durationMs: 20000 },
    { bandwidthKbps: 3000, durationMs: 30000 },
  ],
  { name: 'slump', latencyMs: 40 },
);

const rebufferS = (records: readonly { rebufferMs: number }[]): number =>
  records.reduce((s, r) => s + r.rebufferMs, 0) / 1000;
const renditions = (records: readonly { rendition: number }[]): number[] => records.map((r) => r.rendition);

describe('rebufferPenaltyPerS', () => {
  it('moves the measured QoE by exactly the penalty difference times the stall', () => {
    const run = (p?: number) =>
      simulateSession({
        video: VIDEO,
        trace: TRACE,
        algorithm: createAlgorithm('throughput'),
        network: 'sabre',
        ...(p !== undefined ? { rebufferPenaltyPerS: p } : {}),
      });
    const ladder = run();
    const low = run(1);
    const high = run(20);
    expect(renditions(high.records)).toEqual(renditions(low.records));
    const stall = rebufferS(low.records);
    expect(stall).toBeGreaterThan(0.5);
    expect(low.summary.totalQoe - high.summary.totalQoe).toBeCloseTo(19 * stall, 9);
    // the default is ladder-aware: the top bitrate in Mbps, 4.3 here
    expect(low.summary.totalQoe - ladder.summary.totalQoe).toBeCloseTo(3.3 * stall, 9);
  });

  it('reaches a named algorithm’s rebufferPenalty option unless the caller set it', () => {
    const base = { video: VIDEO, trace: TRACE, network: 'sabre' as const, algorithm: 'robust-mpc' };
    const injected = simulateSession({ ...base, rebufferPenaltyPerS: 0 });
    const explicit = simulateSession({
      ...base,
      rebufferPenaltyPerS: 0,
      algorithmOptions: { rebufferPenalty: 0 },
    });
    const unaware = simulateSession({ ...base, algorithmOptions: { rebufferPenalty: 0 } });
    expect(injected.records).toEqual(explicit.records);
    expect(renditions(injected.records)).toEqual(renditions(unaware.records));
    // a caller's own option wins over the injected one
    const own = simulateSession({
      ...base,
      rebufferPenaltyPerS: 0,
      algorithmOptions: { rebufferPenalty: 50 },
    });
    const ownOnly = simulateSession({ ...base, algorithmOptions: { rebufferPenalty: 50 } });
    expect(renditions(own.records)).toEqual(renditions(ownOnly.records));
    expect(renditions(own.records)).not.toEqual(renditions(injected.records));
    // an algorithm without the option runs as before
    const bola = simulateSession({ ...base, algorithm: 'bola-e', rebufferPenaltyPerS: 0 });
    expect(renditions(bola.records)).toEqual(
      renditions(simulateSession({ ...base, algorithm: 'bola-e' }).records),
    );
  });

  it('is what the offline optimum plans for', () => {
    const optimal = (p: number) =>
      simulateSession({
        video: VIDEO,
        trace: TRACE,
        network: 'sabre',
        algorithm: 'optimal',
        rebufferPenaltyPerS: p,
      });
    const free = optimal(0);
    const costly = optimal(50);
    expect(rebufferS(costly.records)).toBeLessThan(rebufferS(free.records));
    // the plan made for a 50/s penalty beats, under that penalty, the plan made for none and robust-mpc
    const under50 = (records: typeof free.records): number =>
      records.reduce((s, r) => s + r.qoe, 0) - 50 * rebufferS(records);
    expect(costly.summary.totalQoe).toBeGreaterThan(under50(free.records));
    const mpc = simulateSession({
      video: VIDEO,
      trace: TRACE,
      network: 'sabre',
      algorithm: 'robust-mpc',
      rebufferPenaltyPerS: 50,
    });
    expect(costly.summary.totalQoe).toBeGreaterThanOrEqual(mpc.summary.totalQoe - 1e-9);
  });

  it('rejects a negative penalty', () => {
    expect(() =>
      simulateSession({ video: VIDEO, trace: TRACE, algorithm: 'bba', rebufferPenaltyPerS: -1 }),
    ).toThrow(/rebufferPenaltyPerS/);
  });
});

describe('batch variants', () => {
  it('runs labelled option sets of one algorithm, each as simulateSession would', async () => {
    const traces = [TRACE, stepTrace([{ bandwidthKbps: 900, durationMs: 10000 }], { name: 'flat' })];
    const stats: SessionStats[] = [];
    await runBatch(
      {
        video: VIDEO,
        traces,
        algos: ['careful', 'eager', 'bba'],
        variants: {
          careful: { algo: 'bola-e', options: { minimumBufferMs: 20000 } },
          eager: { algo: 'bola-e' },
        },
        network: 'sabre',
      },
      { workers: 0, onResult: (r) => void stats.push(r.stats) },
    );
    expect(stats.map((s) => `${s.trace}/${s.algo}`)).toEqual([
      'slump/careful',
      'slump/eager',
      'slump/bba',
      'flat/careful',
      'flat/eager',
      'flat/bba',
    ]);
    const direct = (algorithm: string, options?: Record<string, unknown>) =>
      simulateSession({
        video: VIDEO,
        trace: TRACE,
        network: 'sabre',
        algorithm,
        ...(options ? { algorithmOptions: options } : {}),
      }).summary.totalQoe;
    expect(stats[0]?.qoe).toBeCloseTo(direct('bola-e', { minimumBufferMs: 20000 }), 9);
    expect(stats[1]?.qoe).toBeCloseTo(direct('bola-e'), 9);
    expect(stats[0]?.qoe).not.toBeCloseTo(stats[1]?.qoe ?? 0, 6);
  });
});
