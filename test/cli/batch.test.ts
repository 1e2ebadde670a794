import { describe, expect, it } from 'vitest';
import type { SegmentRecord } from '../../src/core/types.js';
import { parseShard, planJobs, sessionSeed, shardSize } from '../../src/sim/batch-plan.js';
import type { BatchSpec, SessionResult, SessionRunner } from '../../src/sim/batch-session.js';
import { recordToJsonLine } from '../../src/sim/batch-session.js';
import {
  SummaryAccumulator,
  ci95HalfWidth,
  median,
  sessionStats,
  tQuantile975,
} from '../../src/sim/batch-stats.js';
import type { SessionStats } from '../../src/sim/batch-stats.js';
import { runBatch } from '../../src/sim/batch.js';
import { deserializeError, serializeError } from '../../src/sim/batch-errors.js';
import { AbrkitError } from '../../src/core/errors.js';
import { constantTrace } from '../../src/traces/generators.js';
import { demoVideo } from '../../src/cli/demo-data.js';

function rec(segment: number, rendition: number, qoe: number, rebufferMs = 0): SegmentRecord {
  return {
    segment,
    rendition,
    bitrateKbps: [300, 750, 1200][rendition] ?? 0,
    sizeBytes: 1,
    downloadMs: 1,
    rebufferMs,
    bufferMs: 4000,
    qoe,
  };
}

describe('job plan and shards', () => {
  it('parses i/n and rejects anything else', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '1/2/3', '-1/2', '1.5/3'])
      expect(() => parseShard(bad)).toThrow(/--shard/);
  });

  it('orders jobs trace-major and splits them into contiguous blocks that partition the run in order', () => {
    const all = [...planJobs(5, 3)];
    expect(all.map((j) => [j.traceIndex, j.algoIndex])).toEqual(
      Array.from({ length: 15 }, (_, k) => [Math.floor(k / 3), k % 3]),
    );
    for (const n of [1, 2, 4, 7, 20]) {
      const seen: number[] = [];
      for (let i = 1; i <= n; i++) {
        const part = [...planJobs(5, 3, { index: i, count: n })];
        expect(part.length).toBe(shardSize(15, { index: i, count: n }));
        // balanced: sizes differ by at most one
        expect(Math.abs(part.length - 15 / n)).toBeLessThan(1);
        seen.push(...part.map((j) => j.job));
      }
      // concatenation in shard order is the whole plan, in order
      expect(seen).toEqual(all.map((j) => j.job));
    }
  });

  it('gives every algorithm on a trace the same seed and different traces different seeds', () => {
    expect(sessionSeed(1, 0)).toBe(sessionSeed(1, 0));
    expect(new Set(Array.from({ length: 100 }, (_, t) => sessionSeed(1, t))).size).toBe(100);
    expect(sessionSeed(2, 0)).not.toBe(sessionSeed(1, 0));
  });
});

describe('statistics', () => {
  it('Student t quantiles match tables, and approach the normal 1.96', () => {
    expect(tQuantile975(1)).toBeCloseTo(12.706, 3);
    expect(tQuantile975(10)).toBeCloseTo(2.228, 3);
    expect(tQuantile975(40)).toBeCloseTo(2.021, 3);
    expect(tQuantile975(120)).toBeCloseTo(1.98, 3);
    expect(tQuantile975(1e6)).toBeCloseTo(1.96, 3);
  });

  it('computes the 95% CI half-width as t * sd / sqrt(n)', () => {
    // 1..5: mean 3, sample sd sqrt(2.5), t(4) = 2.776.
    expect(ci95HalfWidth([1, 2, 3, 4, 5])).toBeCloseTo((2.776 * Math.sqrt(2.5)) / Math.sqrt(5), 6);
    expect(ci95HalfWidth([7, 7, 7])).toBe(0);
    expect(ci95HalfWidth([1])).toBeNaN();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('counts switches, sums QoE and rebuffering per session', () => {
    const s = sessionStats([rec(0, 1, 0.5, 2000), rec(1, 1, 1), rec(2, 2, 0.2, 500), rec(3, 0, -1)], {
      job: 0,
      traceIndex: 0,
      algoIndex: 0,
      trace: 't',
      algo: 'a',
    });
    expect(s.switches).toBe(2);
    expect(s.qoe).toBeCloseTo(0.7, 12);
    expect(s.rebufferS).toBe(2.5);
    expect(s.bitrateKbpsMean).toBe((750 + 750 + 1200 + 300) / 4);
  });

  it('reports the fraction of the optimum as a ratio of means, over the positive traces only where its mean is <= 0', () => {
    const acc = new SummaryAccumulator(['bba', 'optimal']);
    const add = (traceIndex: number, algoIndex: number, qoe: number): void =>
      acc.add({
        job: traceIndex * 2 + algoIndex,
        traceIndex,
        algoIndex,
        trace: `t${traceIndex}`,
        algo: algoIndex === 0 ? 'bba' : 'optimal',
        segments: 1,
        qoe,
        bitrateKbpsMean: 1,
        rebufferS: 0,
        switches: 0,
      } satisfies SessionStats);
    add(0, 0, 5);
    add(0, 1, 10); // 0.5
    add(1, 0, 9);
    add(1, 1, 10); // 0.9
    add(2, 0, -30);
    add(2, 1, -8); // the optimum's mean stays > 0: the trace counts
    let summary = acc.summary();
    expect(summary.algos['bba']?.optimalFraction).toBeCloseTo((5 + 9 - 30) / (10 + 10 - 8), 12);
    expect(summary.algos['bba']?.optimalFractionScope).toBe('all');
    expect(summary.algos['optimal']?.optimalFraction).toBe(1);
    add(3, 0, -50);
    add(3, 1, -40); // now its mean is <= 0: over traces 0 and 1 only, marked
    summary = acc.summary();
    expect(summary.algos['bba']?.optimalFraction).toBeCloseTo((5 + 9) / (10 + 10), 12);
    expect(summary.algos['bba']?.optimalFractionScope).toBe('positive');
    expect(new SummaryAccumulator(['bba']).summary().algos['bba']).not.toHaveProperty('optimalFraction');
  });
});

describe('runBatch', () => {
  const video = demoVideo({ segmentCount: 4 });
  const traces = Array.from({ length: 7 }, (_, i) =>
    constantTrace({ bandwidthKbps: 500 + 300 * i, name: `c${i}` }),
  );
  const spec: BatchSpec = { video, traces, algos: ['x', 'y', 'z'] };
  // A stand-in simulator: rendition from the trace and algorithm indices, deterministic.
  const runner: SessionRunner = (_spec, job) =>
    Array.from({ length: 4 }, (_, s) =>
      rec(s, (job.traceIndex + job.algoIndex + s) % 3, job.traceIndex - job.algoIndex),
    );

  it('delivers results in job order with JSONL lines and the example session records', async () => {
    const got: SessionResult[] = [];
    const progress: number[] = [];
    await runBatch(spec, {
      runner,
      jsonl: true,
      examplePosition: 4,
      onResult: (r) => void got.push(r),
      onProgress: (d) => progress.push(d),
    });
    expect(got.map((r) => r.stats.job)).toEqual(Array.from({ length: 21 }, (_, k) => k));
    expect(progress).toEqual(Array.from({ length: 21 }, (_, k) => k + 1));
    expect(got[4]?.records).toHaveLength(4);
    expect(got.filter((r) => r.records).length).toBe(1);
    const first = got[0]?.jsonl?.split('\n')[0] ?? '';
    expect(first).toBe(recordToJsonLine(rec(0, 0, 0), 'c0', 'x'));
  });

  it('a shard with the stand-in runner holds exactly its jobs, in order', async () => {
    const got: number[] = [];
    await runBatch(spec, {
      runner,
      shard: { index: 2, count: 4 },
      onResult: (r) => void got.push(r.stats.job),
    });
    // 21 jobs (7 traces x 3 algos) in 4 shards: shard 2 holds [floor(21/4), floor(42/4)) = jobs 5..9
    expect(got).toEqual([5, 6, 7, 8, 9]);
  });

  it('in worker threads (real simulator), matches the in-process run with any chunk size, and survives a slow consumer', async () => {
    const real: BatchSpec = { video, traces, algos: ['bba', 'throughput'] };
    const collect = async (workers: number, chunkSize?: number, slow = false): Promise<string> => {
      let out = '';
      await runBatch(real, {
        workers,
        ...(chunkSize ? { chunkSize } : {}),
        jsonl: true,
        onResult: async (r) => {
          if (slow) await new Promise((res) => setTimeout(res, 2));
          out += r.jsonl ?? '';
        },
      });
      return out;
    };
    const inProcess = await collect(0);
    expect(inProcess.split('\n').length - 1).toBe(7 * 2 * 4);
    expect(await collect(2, 1)).toBe(inProcess);
    expect(await collect(2, 3, true)).toBe(inProcess);
  }, 60_000);

  it('brings a worker error back as the same AbrkitError', async () => {
    const bad: BatchSpec = { video, traces, algos: ['bba', 'no-such-algo'] };
    await expect(runBatch(bad, { workers: 2, onResult: () => undefined })).rejects.toMatchObject({
      name: 'AbrkitError',
      category: 'config',
    });
    const e = deserializeError(
      serializeError(new AbrkitError('trace', 'X', 'broken', { data: { source: 'f.json', line: 3 } })),
    );
    expect(e).toBeInstanceOf(AbrkitError);
    expect(e.message).toBe('f.json:3: broken');
  }, 60_000);
});
