import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { qoeTable, segmentQoe } from '../../src/qoe/objective.js';
import {
  cappedWait,
  createOptimal,
  createOptimalPlanner,
  optimalInfo,
  planOptimal,
  simulatePlan,
  steppedWait,
  type DownloadOracle,
  type OptimalProblem,
} from '../../src/abr/optimal.js';
import type { AbrContext } from '../../src/abr/types.js';
import { AbrkitError } from '../../src/core/errors.js';
import { loadTracesSync } from '../../src/sim/load-trace.js';
import { loadVideo } from '../../src/sim/load-video.js';
import { PensieveModel } from '../../src/sim/network/pensieve.js';
import type { NetworkTrace } from '../../src/traces/model.js';
import type { VideoDescription } from '../../src/videos/model.js';
import { hasSharedData, sharedData } from '../support/shared-data.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Period {
  durationMs: number;
  kbps: number;
}

/**
 * A piecewise-constant, looping trace: a download started at `startMs` first waits `latencyMs`, then moves its
 * bits at the current period's kbps (= bits per ms) across periods. `integral`: the result is rounded up to a
 * whole ms (still FIFO: a later start never finishes earlier).
 */
function traceOracle(periods: Period[], latencyMs: number, integral: boolean): DownloadOracle {
  const total = periods.reduce((a, p) => a + p.durationMs, 0);
  return (startMs, sizeBytes) => {
    let t = (startMs + latencyMs) % total;
    let i = 0;
    while (t >= periods[i]!.durationMs) t -= periods[i++]!.durationMs;
    let bits = sizeBytes * 8;
    let elapsed = latencyMs;
    for (;;) {
      const p = periods[i]!;
      const can = (p.durationMs - t) * p.kbps;
      if (can >= bits) {
        elapsed += bits / p.kbps;
        break;
      }
      bits -= can;
      elapsed += p.durationMs - t;
      t = 0;
      i = (i + 1) % periods.length;
    }
    return integral ? Math.ceil(elapsed) : elapsed;
  };
}

function randomCase(
  rand: () => number,
  segments: number,
  integral: boolean,
): { video: VideoDescription; oracle: DownloadOracle } {
  const kbps = [300, 750, 1200];
  const segmentDurationMs = 2000;
  const video: VideoDescription = {
    name: 'synthetic',
    segmentDurationMs,
    renditions: kbps.map((bitrateKbps, index) => ({ index, bitrateKbps })),
    segmentSizesBytes: Array.from({ length: segments }, () =>
      kbps.map((b) => Math.round(((b * segmentDurationMs) / 8) * (0.7 + 0.6 * rand()))),
    ),
  };
  const periods = Array.from({ length: 2 + Math.floor(rand() * 6) }, () => ({
    durationMs: integral ? 200 + Math.floor(rand() * 3000) : 200 + rand() * 3000,
    kbps: rand() < 0.15 ? 40 : integral ? 100 + Math.floor(rand() * 1500) : 100 + rand() * 1500,
  }));
  return { video, oracle: traceOracle(periods, integral ? 40 : 33.3, integral) };
}

/** Best QoE over every rendition sequence, each simulated exactly (the brute force the DP must match). */
function bruteForce(
  problem: OptimalProblem,
  segments: number,
  renditions: number,
): { qoe: number; plan: number[] } {
  let best = Number.NEGATIVE_INFINITY;
  let bestPlan: number[] = [];
  const first = problem.firstRenditionIndex ?? null;
  for (let code = 0; code < renditions ** segments; code++) {
    const plan: number[] = [];
    let c = code;
    for (let k = 0; k < segments; k++) {
      plan.push(c % renditions);
      c = Math.floor(c / renditions);
    }
    if (first !== null && plan[0] !== first) continue;
    const q = simulatePlan(problem, plan).qoe;
    if (q > best) {
      best = q;
      bestPlan = plan;
    }
  }
  return { qoe: best, plan: bestPlan };
}

describe('planOptimal', () => {
  it('equals the brute-force optimum exactly on integral-ms oracles at 1 ms resolution (capped wait, dominance on)', () => {
    const rand = rng(2024);
    for (let trial = 0; trial < 25; trial++) {
      const segments = 3 + (trial % 5); // 3..7
      const { video, oracle } = randomCase(rand, segments, true);
      const problem: OptimalProblem = {
        video,
        downloadMs: oracle,
        waitMs: cappedWait(4000 + 1000 * (trial % 3)),
        resolutionMs: 1,
        firstRenditionIndex: trial % 4 === 0 ? 1 : null,
        startupCountsAsRebuffer: trial % 2 === 0,
      };
      const dp = planOptimal(problem);
      const brute = bruteForce(problem, segments, 3);
      expect(dp.qoe, `trial ${trial}`).toBe(brute.qoe);
      expect(simulatePlan(problem, dp.plan).qoe).toBe(dp.qoe);
      if (problem.firstRenditionIndex === 1) expect(dp.plan[0]).toBe(1);
    }
  });

  it('equals the brute force exactly with Pensieve’s stepped wait when dominance is off (lossless cells)', () => {
    const rand = rng(99);
    for (let trial = 0; trial < 12; trial++) {
      const segments = 4 + (trial % 4); // 4..7
      const { video, oracle } = randomCase(rand, segments, true);
      const problem: OptimalProblem = {
        video,
        downloadMs: oracle,
        waitMs: steppedWait(5000, 500),
        resolutionMs: 1,
        dominance: false,
      };
      expect(planOptimal(problem).qoe, `trial ${trial}`).toBe(bruteForce(problem, segments, 3).qoe);
    }
  });

  it('never beats the brute force, and stays close to it, at a coarse resolution on non-integral oracles', () => {
    const rand = rng(7);
    let worstGap = 0;
    for (let trial = 0; trial < 20; trial++) {
      const segments = 5 + (trial % 3);
      const { video, oracle } = randomCase(rand, segments, false);
      const problem: OptimalProblem = {
        video,
        downloadMs: oracle,
        waitMs: cappedWait(6000),
        resolutionMs: 100,
      };
      const dp = planOptimal(problem);
      const brute = bruteForce(problem, segments, 3);
      // the plan is a real sequence whose QoE is computed exactly, so it cannot beat the true optimum
      expect(dp.qoe).toBeLessThanOrEqual(brute.qoe + 1e-9);
      expect(simulatePlan(problem, dp.plan).qoe).toBe(dp.qoe);
      worstGap = Math.max(worstGap, brute.qoe - dp.qoe);
    }
    // merging states 100 ms apart shifts start times by < 100 ms: at most ~0.1 s of extra rebuffering per merge
    // chain here, i.e. a few tenths of QoE_lin at 4.3 per s; in practice most cases are exact
    expect(worstGap).toBeLessThan(0.5);
  });

  it('computes QoE_lin with Pensieve’s conventions: startup as rebuffer, no switch penalty on segment 0', () => {
    const video: VideoDescription = {
      name: 'two',
      segmentDurationMs: 4000,
      renditions: [
        { index: 0, bitrateKbps: 300 },
        { index: 1, bitrateKbps: 750 },
      ],
      segmentSizesBytes: [
        [150_000, 375_000],
        [150_000, 375_000],
      ],
    };
    // 1000 kbps, no latency: 375000 B = 3e6 bits -> 3000 ms
    const downloadMs: DownloadOracle = (_t, size) => (size * 8) / 1000;
    const problem: OptimalProblem = { video, downloadMs, firstRenditionIndex: 1 };
    const sim = simulatePlan(problem, [1, 1]);
    // a stall second costs the top rendition's utility (0.75: ladder-aware QoE_lin)
    // segment 0: 0.75 - 0.75 * 3 ; segment 1: buffer 4 s > 3 s download, no stall: 0.75
    expect(sim.perSegmentQoe[0]).toBeCloseTo(0.75 - 0.75 * 3, 12);
    expect(sim.perSegmentQoe[1]).toBeCloseTo(0.75, 12);
    expect(sim.rebufferMs).toBe(3000);
    expect(simulatePlan({ ...problem, startupCountsAsRebuffer: false }, [1, 1]).rebufferMs).toBe(0);
    // switching down costs |0.3 - 0.75| = 0.45 on top of the lower utility
    const down = simulatePlan(problem, [1, 0]);
    expect(down.perSegmentQoe[1]).toBeCloseTo(0.3 - 0.45, 12);
    const best = planOptimal(problem);
    expect(best.plan).toEqual([1, 1]);
    expect(best.qoe).toBeCloseTo(0.75 - 0.75 * 3 + 0.75, 12);
    const table = qoeTable(video.renditions);
    expect(segmentQoe(table, 1, 0, 0)).toBeCloseTo(0.75 - 0.45, 12);
  });

  it('uses the wait policy: a capped buffer idles and advances time', () => {
    expect(steppedWait(60000, 500)(60001)).toBe(500);
    expect(steppedWait(60000, 500)(60000)).toBe(0);
    expect(steppedWait(60000, 500)(61200)).toBe(1500);
    expect(cappedWait(10000)(12500)).toBe(2500);
    const video: VideoDescription = {
      name: 'idle',
      segmentDurationMs: 4000,
      renditions: [{ index: 0, bitrateKbps: 100 }],
      segmentSizesBytes: [[100], [100], [100]],
    };
    const sim = simulatePlan({ video, downloadMs: () => 10, waitMs: cappedWait(5000) }, [0, 0, 0]);
    // after segment 1 the buffer would be 3990 + 4000 - 10 > 5000: idles back to 5000
    expect(sim.bufferMs[1]).toBe(5000);
    // it idled 2990 ms before segment 2 (the 10 ms downloads start back to back otherwise)
    expect(sim.endMs[2]! - sim.endMs[1]!).toBe(10 + 2990);
  });

  it('plans the envivio-sized problem (48 x 6) with a feasible plan and reports its cost', () => {
    const rand = rng(5);
    const kbps = [300, 750, 1200, 1850, 2850, 4300];
    const video: VideoDescription = {
      name: 'envivio-like',
      segmentDurationMs: 4000,
      renditions: kbps.map((bitrateKbps, index) => ({ index, bitrateKbps })),
      segmentSizesBytes: Array.from({ length: 48 }, () =>
        kbps.map((b) => Math.round(b * 500 * (0.8 + 0.4 * rand()))),
      ),
    };
    const periods = Array.from({ length: 60 }, () => ({ durationMs: 1000, kbps: 500 + rand() * 3000 }));
    const problem: OptimalProblem = {
      video,
      downloadMs: traceOracle(periods, 80, false),
      firstRenditionIndex: 1,
    };
    const planner = createOptimalPlanner(problem);
    const result = planner.plan(problem.downloadMs);
    expect(result.plan).toHaveLength(48);
    expect(result.cells).toBeGreaterThan(48);
    expect(planner.simulate(problem.downloadMs, result.plan).qoe).toBe(result.qoe);
    // no constant rendition beats it
    for (let r = 0; r < 6; r++) {
      const constant = Array.from({ length: 48 }, (_, k) => (k === 0 ? 1 : r));
      expect(result.qoe).toBeGreaterThanOrEqual(planner.simulate(problem.downloadMs, constant).qoe);
    }
  });

  it('rejects bad arguments', () => {
    const video: VideoDescription = {
      name: 'v',
      segmentDurationMs: 1000,
      renditions: [{ index: 0, bitrateKbps: 100 }],
      segmentSizesBytes: [[100]],
    };
    expect(() => planOptimal({ video, downloadMs: () => 1, resolutionMs: 0 })).toThrow(TypeError);
    expect(() => planOptimal({ video, downloadMs: () => Number.NaN })).toThrow(/downloadMs/);
    expect(() => planOptimal({ video, downloadMs: () => 1, firstRenditionIndex: 3 })).toThrow(
      /firstRenditionIndex/,
    );
    expect(() =>
      planOptimal({ video: { ...video, segmentSizesBytes: [[-1]] }, downloadMs: () => 1 }),
    ).toThrow(AbrkitError);
  });
});

describe('optimal (replay algorithm)', () => {
  const ctx = (segmentIndex: number, maxRenditionIndex = 5): AbrContext => ({
    nowMs: 0,
    segmentIndex,
    segmentCount: 3,
    segmentDurationMs: 4000,
    renditions: [0, 1, 2, 3, 4, 5].map((index) => ({ index, bitrateKbps: 100 * (index + 1) })),
    segmentSizeBytes: () => null,
    lastRenditionIndex: null,
    bufferLevelMs: 0,
    bufferTargetMs: 60000,
    playbackRate: 1,
    throughput: { throughputKbps: 1000, sampleCount: 0 },
    latencyMs: null,
    maxRenditionIndex,
    startingUp: segmentIndex === 0,
  });

  it('replays the plan, capped by maxRenditionIndex, and is marked offline', () => {
    const algo = optimalInfo.create({ plan: [1, 5, 2] });
    expect(optimalInfo.offline).toBe(true);
    expect(algo.choose(ctx(0)).renditionIndex).toBe(1);
    expect(algo.choose(ctx(1)).renditionIndex).toBe(5);
    expect(algo.choose(ctx(1, 3)).renditionIndex).toBe(3);
    expect(algo.choose(ctx(2)).renditionIndex).toBe(2);
    expect(() => algo.choose(ctx(3))).toThrow(/no planned rendition/);
  });

  it('rejects a missing or malformed plan', () => {
    expect(() => createOptimal()).toThrow(AbrkitError);
    expect(() => createOptimal({ plan: [1, -1] })).toThrow(/plan/);
    expect(() => createOptimal({ plan: 'x' })).toThrow(/plan/);
  });
});

/**
 * The simulator's Pensieve network model (src/sim/network/pensieve.ts, test/fixed_env.py) as the planner's
 * oracle. Its oracle runs on the trace clock, which lags the session clock by the 80 ms RTT of each earlier
 * download (the RTT does not advance the trace), so segment k starting at session time t starts at trace time
 * t - 80 k (the binding src/sim/optimal-plan.ts makes for `simulateSession({ algorithm: 'optimal' })`).
 */
function pensieveOracle(trace: NetworkTrace): DownloadOracle {
  const oracle = new PensieveModel(trace).oracle();
  return (startMs, sizeBytes, k) => oracle.downloadMs(startMs - oracle.nonAdvancingMs * k, sizeBytes);
}

describe.skipIf(!hasSharedData)('optimal on Pensieve’s setting (../shared/data)', () => {
  it('replays robustMPC’s reference decisions to its logged rewards and beats them', async () => {
    const video = await loadVideo(sharedData('videos', 'pensieve-envivio'), { playableSegmentCount: 48 });
    const kbps = video.renditions.map((r) => r.bitrateKbps);
    expect(kbps).toEqual([300, 750, 1200, 1850, 2850, 4300]);
    const traces = loadTracesSync([sharedData('traces', 'hsdpa-norway-3g-cooked')], 'pensieve').slice(0, 3);
    expect(traces).toHaveLength(3);
    for (const trace of traces) {
      const problem: OptimalProblem = {
        video,
        downloadMs: pensieveOracle(trace),
        waitMs: steppedWait(60000, 500),
        firstRenditionIndex: 1,
        previousRenditionIndex: 1,
      };
      const log = readFileSync(
        sharedData('reference', 'pensieve-sim-hsdpa-3g', `log_sim_mpc_${basename(trace.name)}`),
        'utf8',
      )
        .trim()
        .split('\n')
        .map((l) => l.split('\t').map(Number));
      expect(log).toHaveLength(48);
      const mpcPlan = log.map((row) => kbps.indexOf(row[1]!));
      const replay = simulatePlan(problem, mpcPlan);
      for (let k = 0; k < 48; k++) expect(replay.perSegmentQoe[k]!).toBeCloseTo(log[k]![6]!, 6);
      const best = planOptimal(problem);
      expect(best.plan[0]).toBe(1);
      expect(best.qoe).toBeGreaterThanOrEqual(replay.qoe);
    }
    // three exact optima: ~5 s in CI, 14 s and once past the 20 s default with busy loops beside the suite
  }, 60_000);
});
