/**
 * A batch run must not hold what it has delivered: per-segment records and JSONL go to the caller (and on to
 * the JSONL file) and are dropped, the summary keeps a few numbers per session. Checked with WeakRefs and a
 * forced GC: a result (or a runner's record array) still alive after the run means something kept it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/cli/run-sim.js';
import type { SegmentRecord } from '../../src/core/types.js';
import { SummaryAccumulator, sessionStats } from '../../src/sim/batch-stats.js';
import type { BatchSpec, SessionResult, SessionRunner } from '../../src/sim/batch-session.js';
import { runBatch } from '../../src/sim/batch.js';
import { randomWalkTrace } from '../../src/traces/generators.js';
import { flatVideo } from '../session/helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** GC after the current job ended (a WeakRef keeps its target alive until then). */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}

const alive = (refs: readonly WeakRef<object>[]): number =>
  refs.filter((r) => r.deref() !== undefined).length;

const SESSIONS_PER_ALGO = 60;
const video = flatVideo(15, 2000, [300, 750, 1200], [75_000, 187_500, 300_000]);
const spec: BatchSpec = {
  video,
  traces: Array.from({ length: SESSIONS_PER_ALGO }, (_, i) =>
    randomWalkTrace({ seed: i + 1, durationMs: 60_000, periodMs: 1000, minKbps: 200, maxKbps: 3000 }),
  ),
  algos: ['bola', 'throughput'],
};
const total = SESSIONS_PER_ALGO * spec.algos.length;

/** A runner whose record arrays are watched: each is big (so keeping them would matter) and tracked. */
function watchedRunner(refs: WeakRef<object>[]): SessionRunner {
  return (s, job) => {
    const records: SegmentRecord[] = Array.from({ length: 200 }, (_, segment) => ({
      segment,
      rendition: (segment + job.traceIndex) % 3,
      bitrateKbps: s.video.renditions[(segment + job.traceIndex) % 3]!.bitrateKbps,
      sizeBytes: 100_000,
      downloadMs: 500,
      rebufferMs: 0,
      bufferMs: 10_000,
      qoe: 1,
    }));
    refs.push(new WeakRef(records));
    return records;
  };
}

describe('runBatch does not hold delivered results', () => {
  it('in process: results and the runner’s records are garbage once delivered', async () => {
    const results: WeakRef<SessionResult>[] = [];
    const records: WeakRef<object>[] = [];
    let delivered = 0;
    await runBatch(spec, {
      workers: 0,
      jsonl: true,
      examplePosition: null,
      runner: watchedRunner(records),
      onResult: (r) => {
        expect(r.jsonl?.split('\n').length).toBe(201); // 200 lines + the final newline
        results.push(new WeakRef(r));
        delivered++;
      },
    });
    await collect();
    expect(delivered).toBe(total);
    expect(records).toHaveLength(total);
    // a runner that kept every result would leave all `total` alive; allow the last one or two
    expect(alive(results)).toBeLessThanOrEqual(2);
    expect(alive(records)).toBeLessThanOrEqual(2);
  });

  it('in worker threads: delivered results are garbage, order and count are kept', async () => {
    const results: WeakRef<SessionResult>[] = [];
    const positions: number[] = [];
    await runBatch(spec, {
      workers: 2,
      jsonl: true,
      examplePosition: null,
      chunkSize: 4,
      onResult: async (r) => {
        results.push(new WeakRef(r));
        positions.push(r.position);
        if (r.position % 16 === 0) await new Promise((resolve) => setTimeout(resolve, 1)); // back-pressure
      },
    });
    await collect();
    expect(positions).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(alive(results)).toBeLessThanOrEqual(2);
  }, 60_000);
});

describe('abrkit sim (runSimulation) streams to its files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'abrkit-batch-memory-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every record to the JSONL file and keeps none of the runner’s record arrays', async () => {
    const records: WeakRef<object>[] = [];
    let out = '';
    const result = await runSimulation({
      spec,
      io: {
        stdout: { write: (t: string) => (out += t) },
        stderr: { write: () => true },
        isTTY: false,
        cwd: dir,
      },
      workers: 0,
      jsonlPath: 'log.jsonl',
      summaryPath: 'summary.json',
      runner: watchedRunner(records),
    });
    await collect();
    expect(result.sessions).toBe(total);
    const lines = (await readFile(join(dir, 'log.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(total * 200);
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as {
      algos: Record<string, { sessions: number }>;
    };
    expect(summary.algos.bola?.sessions).toBe(SESSIONS_PER_ALGO);
    expect(out).toContain('per-segment log:');
    expect(alive(records)).toBeLessThanOrEqual(2);
  });
});

describe('SummaryAccumulator', () => {
  it('keeps numbers, not the session stats objects or their records', async () => {
    const acc = new SummaryAccumulator(['a', 'b']);
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 200; i++) {
      const log: SegmentRecord[] = [
        {
          segment: 0,
          rendition: 0,
          bitrateKbps: 300,
          sizeBytes: 1,
          downloadMs: 1,
          rebufferMs: 0,
          bufferMs: 0,
          qoe: i,
        },
      ];
      const stats = sessionStats(log, {
        job: i,
        traceIndex: i >> 1,
        algoIndex: i % 2,
        trace: `t${i >> 1}`,
        algo: 'x',
      });
      refs.push(new WeakRef(stats), new WeakRef(log));
      acc.add(stats);
    }
    await collect();
    // the loop's last `stats` and `log` may still sit in a register; keeping them all would leave 400
    expect(alive(refs)).toBeLessThanOrEqual(2);
    expect(acc.summary().algos.a?.sessions).toBe(100);
    expect(acc.summary().algos.b?.qoeMean).toBeCloseTo(100, 9); // mean of 1, 3, ..., 199
  });
});
