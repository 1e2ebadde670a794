import { describe, expect, it } from 'vitest';
import { HarmonicPredictor, MpcAlgorithm, MpcSearch, createMpc, mpcInfo } from '../../src/abr/mpc.js';
import { qoeTable, type QoeTable } from '../../src/qoe/objective.js';
import { PENSIEVE_ROBUST_MPC_OPTIONS, createRobustMpc, robustMpcInfo } from '../../src/abr/robust-mpc.js';
import type { AbrContext } from '../../src/abr/types.js';
import { AbrkitError } from '../../src/core/errors.js';
import type { Rendition } from '../../src/core/types.js';
import { loadTracesSync } from '../../src/sim/load-trace.js';
import { loadVideo } from '../../src/sim/load-video.js';
import { reproducePensieve } from '../../bench/reproduce-lib.js';
import { hasSharedData, sharedData } from '../support/shared-data.js';

/** mulberry32: a small seeded PRNG so the random cases are the same on every run. */
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

const PENSIEVE_KBPS = [300, 750, 1200, 1850, 2850, 4300];
const ladder = (kbps: readonly number[]): Rendition[] =>
  kbps.map((bitrateKbps, index) => ({ index, bitrateKbps }));

/**
 * The plain exhaustive search, written like Pensieve's loop: every sequence in lexicographic order, simulated
 * from scratch, `>=` keeps the later one on a tie.
 */
function naiveMpc(
  q: QoeTable,
  downloadS: number[][], // [position][rendition]
  choices: number,
  bufferS: number,
  segmentS: number,
  last: number | null,
): { first: number; score: number } {
  const h = downloadS.length;
  let best = Number.NEGATIVE_INFINITY;
  let first = 0;
  const total = choices ** h;
  for (let code = 0; code < total; code++) {
    const seq: number[] = [];
    let c = code;
    for (let i = 0; i < h; i++) {
      seq.unshift(c % choices);
      c = Math.floor(c / choices);
    }
    let buffer = bufferS;
    let rebuffer = 0;
    let sum = 0;
    let smooth = 0;
    let prev = last ?? seq[0]!;
    for (let pos = 0; pos < h; pos++) {
      const r = seq[pos]!;
      const d = downloadS[pos]![r]!;
      if (buffer < d) {
        rebuffer += d - buffer;
        buffer = 0;
      } else buffer -= d;
      buffer += segmentS;
      sum += q.utilityRaw[r]!;
      smooth += Math.abs(q.utilityRaw[r]! - q.utilityRaw[prev]!);
      prev = r;
    }
    const score =
      sum / q.utilityDivisor -
      q.rebufferPenaltyPerS * rebuffer -
      q.smoothPenalty * (smooth / q.utilityDivisor);
    if (score >= best) {
      best = score;
      first = seq[0]!;
    }
  }
  return { first, score: best };
}

function context(over: Partial<AbrContext> & Pick<AbrContext, 'renditions'>): AbrContext {
  return {
    nowMs: 0,
    segmentIndex: 0,
    segmentCount: 48,
    segmentDurationMs: 4000,
    segmentSizeBytes: () => null,
    lastRenditionIndex: null,
    bufferLevelMs: 0,
    bufferTargetMs: 60000,
    playbackRate: 1,
    throughput: { throughputKbps: 1000, sampleCount: 0 },
    latencyMs: null,
    maxRenditionIndex: over.renditions.length - 1,
    startingUp: false,
    ...over,
  };
}

describe('MpcSearch', () => {
  it('makes the same decisions, with bit-identical scores, as the plain exhaustive enumeration', () => {
    const rand = rng(12345);
    let ties = 0;
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rand() * 5);
      const kbps = Array.from({ length: n }, (_, i) => 200 * (i + 1) + Math.floor(rand() * 150));
      const model = (['lin', 'log', 'lin'] as const)[trial % 3]!;
      const q = qoeTable(ladder(kbps), {
        model,
        rebufferPenaltyPerS: rand() < 0.5 ? 4.3 : rand() * 10,
        smoothPenalty: rand() < 0.5 ? 1 : rand() * 2,
      });
      const h = 1 + Math.floor(rand() * 4);
      const choices = 1 + Math.floor(rand() * n);
      // coarse download times on some trials create exact ties between sequences
      const coarse = trial % 4 === 0;
      const downloadS = Array.from({ length: h }, () =>
        Array.from({ length: n }, (_, r) => (coarse ? Math.floor(rand() * 3) : rand() * 8 * (r + 1))),
      );
      const bufferS = coarse ? Math.floor(rand() * 4) : rand() * 20;
      const last = rand() < 0.2 ? null : Math.floor(rand() * n);
      const search = new MpcSearch(5, n);
      for (let pos = 0; pos < h; pos++)
        for (let r = 0; r < n; r++) search.setDownloadS(pos, r, downloadS[pos]![r]!);
      const got = search.run(q, h, choices, bufferS, coarse ? 1 : 4, last);
      const want = naiveMpc(q, downloadS, choices, bufferS, coarse ? 1 : 4, last);
      expect(got, `trial ${trial}`).toBe(want.first);
      expect(search.bestScore).toBe(want.score);
      expect(search.sequenceCount).toBe(choices ** h);
      if (coarse) ties++;
    }
    expect(ties).toBeGreaterThan(50);
  });

  it('breaks ties towards the later sequence in lexicographic order', () => {
    // every rendition has the same utility and nothing rebuffers: all 3^3 sequences score 0, the last (2,2,2) wins
    const flat: QoeTable = {
      utilityRaw: new Float64Array([1, 1, 1]),
      utilityDivisor: 1,
      rebufferPenaltyPerS: 4.3,
      smoothPenalty: 1,
    };
    const search = new MpcSearch(5, 3);
    expect(search.run(flat, 3, 3, 100, 4, 0)).toBe(2);
    expect(search.bestScore).toBe(3);
    // now rendition 2 rebuffers at the first position: the best sequences start with 0 or 1, 1 wins the tie
    search.setDownloadS(0, 2, 200);
    expect(search.run(flat, 3, 3, 100, 4, 0)).toBe(1);
    // limiting the choices (maxRenditionIndex) never picks above the limit
    expect(search.run(flat, 3, 2, 100, 4, 0)).toBe(1);
    expect(search.run(flat, 3, 1, 100, 4, 0)).toBe(0);
  });
});

describe('HarmonicPredictor', () => {
  it('computes the harmonic mean of the last 5 samples and the max relative error like test/mpc.py', () => {
    const p = new HarmonicPredictor();
    expect(p.harmonicMBps()).toBeNull();
    // 1 MB in 1000 ms = 1 MB/s; no previous prediction, error 0
    p.addSample(1_000_000, 1000);
    expect(p.harmonicMBps()).toBe(1);
    expect(p.maxError()).toBe(0);
    expect(p.robustMBps()).toBe(1);
    // 2 MB/s: error |1 - 2| / 2 = 0.5; harmonic of (1, 2) = 2 / (1 + 0.5) = 4/3; robust = 4/3 / 1.5
    p.addSample(1_000_000, 500);
    expect(p.harmonicMBps()).toBeCloseTo(4 / 3, 15);
    expect(p.maxError()).toBe(0.5);
    expect(p.robustMBps()).toBeCloseTo(4 / 3 / 1.5, 15);
    // 4/3 MB/s exactly as predicted: error 0 but the max over the last 5 errors keeps 0.5
    p.addSample(4_000_000, 3000);
    expect(p.maxError()).toBe(0.5);
    // harmonic of (1, 2, 4/3) = 3 / (1 + 0.5 + 0.75) = 4/3
    expect(p.harmonicMBps()).toBeCloseTo(4 / 3, 14);
    expect(p.robustMBps()).toBeCloseTo(4 / 3 / 1.5, 14);
  });

  it('forgets errors and samples older than the window, and everything on reset', () => {
    const p = new HarmonicPredictor(2);
    p.addSample(1_000_000, 1000); // 1, err 0
    p.addSample(1_000_000, 250); // 4, err |1-4|/4 = 0.75, harmonic(1,4) = 1.6
    expect(p.maxError()).toBe(0.75);
    expect(p.harmonicMBps()).toBeCloseTo(1.6, 15);
    p.addSample(1_600_000, 1000); // 1.6, err 0 ; window 2: harmonic(4, 1.6) = 2/(0.25+0.625)
    expect(p.harmonicMBps()).toBeCloseTo(2 / 0.875, 14);
    expect(p.maxError()).toBe(0.75); // errors window still holds 0.75
    p.addSample(2_000_000, 875); // 2/0.875 MB/s, exactly the prediction: err ~0; window now (0, ~0)
    expect(p.maxError()).toBeLessThan(1e-12);
    p.reset();
    expect(p.harmonicMBps()).toBeNull();
    expect(p.count).toBe(0);
    p.addSample(1_000_000, 100); // first after reset: error 0 again, not relative to the old prediction
    expect(p.maxError()).toBe(0);
    expect(p.harmonicMBps()).toBe(10);
  });

  it('ignores empty and zero-time samples', () => {
    const p = new HarmonicPredictor();
    p.addSample(0, 100);
    p.addSample(100, 0);
    expect(p.count).toBe(0);
  });
});

describe('MpcAlgorithm', () => {
  const renditions = ladder(PENSIEVE_KBPS);

  it('chooses like the plain enumeration fed with the same prediction, exact sizes and horizon', () => {
    const rand = rng(777);
    for (let trial = 0; trial < 60; trial++) {
      const algo = new MpcAlgorithm({
        horizon: 5,
        window: 5,
        qoe: { model: 'lin', rebufferPenaltyPerS: 4.3, smoothPenalty: 1 },
        pensieveSizeOffset: trial % 2 === 0,
        firstRenditionIndex: null,
        robust: trial % 3 !== 0,
      });
      const sizes = Array.from({ length: 49 }, () =>
        PENSIEVE_KBPS.map((b) => Math.round(b * 500 * (0.6 + 0.8 * rand()))),
      );
      for (let i = 0; i < 1 + Math.floor(rand() * 7); i++) {
        algo.onDownloaded({
          startMs: 0,
          firstByteMs: 80,
          endMs: 500 + rand() * 6000,
          sizeBytes: 100_000 + rand() * 2e6,
        });
      }
      const k = Math.floor(rand() * 48);
      const ctx = context({
        renditions,
        segmentIndex: k,
        segmentSizeBytes: (i, r) => sizes[i]?.[r] ?? null,
        lastRenditionIndex: Math.floor(rand() * 6),
        bufferLevelMs: rand() * 30000,
        maxRenditionIndex: rand() < 0.2 ? 3 : 5,
      });
      const pred = algo.predictionMBps()!;
      const h = Math.min(5, 48 - k);
      const off = trial % 2 === 0 ? 1 : 0;
      const downloadS = Array.from({ length: h }, (_, pos) =>
        PENSIEVE_KBPS.map((b, r) => (sizes[k + pos + off]?.[r] ?? (b * 4000) / 8) / 1000000 / pred),
      );
      const want = naiveMpc(
        qoeTable(renditions),
        downloadS,
        ctx.maxRenditionIndex + 1,
        ctx.bufferLevelMs / 1000,
        4,
        ctx.lastRenditionIndex,
      );
      expect(algo.choose(ctx).renditionIndex, `trial ${trial}`).toBe(want.first);
    }
  });

  it('reads the sizes of k..k+h-1 by default and k+1..k+h with pensieveSizeOffset, horizon min(5, left)', () => {
    for (const [options, expected] of [
      [{}, [45, 46, 47]],
      [{ pensieveSizeOffset: true }, [46, 47, 48]],
    ] as const) {
      const read = new Set<number>();
      const algo = createRobustMpc(options);
      algo.onDownloaded?.(
        { startMs: 0, firstByteMs: 80, endMs: 1000, sizeBytes: 500_000 },
        context({ renditions }),
      );
      algo.choose(
        context({
          renditions,
          segmentIndex: 45,
          segmentSizeBytes: (i) => {
            read.add(i);
            return 100_000;
          },
        }),
      );
      expect([...read].sort((a, b) => a - b)).toEqual(expected);
    }
  });

  it('falls back to bitrate x duration without sizes and to the estimator before any sample', () => {
    const algo = createMpc();
    // no sample: 100 kbps estimate; a 300 kbps segment takes 12 s > 8 s of buffer, so it stays at 0 even with room
    const d = algo.choose(
      context({ renditions, bufferLevelMs: 8000, throughput: { throughputKbps: 100, sampleCount: 0 } }),
    );
    expect(d.renditionIndex).toBe(0);
    expect(d.reason).toMatch(/no sample yet/);
    // a huge estimate and a deep buffer: the top rendition
    const top = algo.choose(
      context({
        renditions,
        bufferLevelMs: 30000,
        lastRenditionIndex: 5,
        throughput: { throughputKbps: 1e6, sampleCount: 0 },
      }),
    );
    expect(top.renditionIndex).toBe(5);
  });

  it('uses firstRenditionIndex for segment 0 only, and reset() forgets the history', () => {
    const algo = createRobustMpc(PENSIEVE_ROBUST_MPC_OPTIONS);
    expect(algo.choose(context({ renditions })).renditionIndex).toBe(1);
    const ctx1 = context({ renditions, segmentIndex: 1, lastRenditionIndex: 1, bufferLevelMs: 4000 });
    algo.onDownloaded?.({ startMs: 0, firstByteMs: 80, endMs: 200, sizeBytes: 2_000_000 }, ctx1); // 10 MB/s
    algo.onDownloaded?.({ startMs: 0, firstByteMs: 80, endMs: 20000, sizeBytes: 200_000 }, ctx1); // 0.01 MB/s
    const slow = (algo as MpcAlgorithm).predictionMBps()!;
    // harmonic(10, 0.01) = 2 / 100.1; error |10-0.01|/0.01 = 999
    expect(slow).toBeCloseTo(2 / 100.1 / 1000, 12);
    expect(algo.choose(ctx1).renditionIndex).toBe(0);
    algo.reset?.();
    expect((algo as MpcAlgorithm).predictionMBps()).toBeNull();
    algo.onDownloaded?.({ startMs: 0, firstByteMs: 80, endMs: 200, sizeBytes: 2_000_000 }, ctx1);
    expect((algo as MpcAlgorithm).predictionMBps()).toBe(10);
    expect(algo.choose(ctx1).renditionIndex).toBeGreaterThan(0);
  });

  it('rejects bad options with a config AbrkitError naming the option', () => {
    expect(() => createMpc({ horizon: 0 })).toThrow(AbrkitError);
    expect(() => createMpc({ qoe: 'nope' })).toThrow(/qoe/);
    expect(() => createRobustMpc({ bogus: 1 })).toThrow(/bogus: unknown option/);
    try {
      createMpc({ rebufferPenalty: -1 });
    } catch (e) {
      expect((e as AbrkitError).category).toBe('config');
      expect((e as AbrkitError).data.option).toBe('rebufferPenalty');
    }
    expect(mpcInfo.create({}).name).toBe('mpc');
    expect(robustMpcInfo.create().name).toBe('robust-mpc');
  });
});

/**
 * The full reproduction through the real simulator on all 86 traces (test/sim/reproduce.test.ts checks a
 * handful of them, BB included): every chunk's bitrate and reward of Pensieve's own robustMPC logs.
 */
describe.skipIf(!hasSharedData)('robust-mpc against Pensieve’s reference logs (../shared/data)', () => {
  it('reproduces every chunk’s bitrate and reward of log_sim_mpc_* on the 86 hsdpa traces', async () => {
    const video = await loadVideo(sharedData('videos', 'pensieve-envivio'), { playableSegmentCount: 48 });
    const traces = loadTracesSync([sharedData('traces', 'hsdpa-norway-3g-cooked')], 'pensieve');
    const rows = reproducePensieve(
      traces,
      video,
      sharedData('reference', 'pensieve-sim-hsdpa-3g'),
      'mpc',
      () => createRobustMpc(PENSIEVE_ROBUST_MPC_OPTIONS),
    );
    expect(rows).toHaveLength(86);
    let mismatches = 0;
    let maxRewardError = 0;
    for (const row of rows) {
      expect(row.chunks, row.trace).toBe(48);
      mismatches += row.chunks - row.bitrateMatches;
      maxRewardError = Math.max(maxRewardError, row.maxRewardError);
    }
    expect(mismatches).toBe(0);
    expect(maxRewardError).toBeLessThan(1e-6);
  });
});
