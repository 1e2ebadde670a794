/**
 * Simulator memory over a long sweep: `npx tsx bench/sim-memory.ts [--sessions 100000] [--workers 2]`
 * (npm run bench:sim-memory).
 *
 * Runs `--sessions` simulated sessions (5 rule-based algorithms × sessions/5 seeded random-walk traces of 40 s
 * on a 20 s, 3-rendition synthetic video, so a session takes well under a millisecond) through the same path as
 * `abrkit sim --jsonl --summary`: `runBatch` (src/sim/batch.ts) delivering results in order, each session's
 * JSONL written to a file with back-pressure, its metrics added to the `SummaryAccumulator`, the summary
 * written at the end. Every `--sessions/40` sessions it forces a GC (`--expose-gc` set through node:v8) and
 * samples `process.memoryUsage()` of the main thread (heapUsed, rss: rss includes the worker threads).
 *
 * Printed: the series, and the least-squares slopes of heapUsed and rss in KB per 10,000 sessions over the
 * second half of the run (after warm-up). The trace list itself is built before the run (it is the caller's
 * input, as `abrkit sim` loads its trace files up front) and is not part of the slope. Expected: the JSONL and
 * per-segment records are not held (slope near 0 from them); the accumulator keeps 4 numbers and a map entry
 * per session (for exact medians, the optimal fraction and the report's CDF), a few tens of bytes a session.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SummaryAccumulator } from '../src/sim/batch-stats.js';
import type { BatchSpec } from '../src/sim/batch-session.js';
import { runBatch } from '../src/sim/batch.js';
import { randomWalkTrace } from '../src/traces/generators.js';
import type { VideoDescription } from '../src/videos/model.js';
import { leastSquaresSlope } from '../e2e/support/soak-harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100000' },
    workers: { type: 'string', default: '2' },
  },
});
const algos = ['bola', 'throughput', 'bba', 'bola-e', 'dynamic'];
const sessions = Number(values.sessions);
const workers = Number(values.workers);
if (
  !(Number.isInteger(sessions) && sessions >= algos.length) ||
  !(Number.isInteger(workers) && workers >= 0)
) {
  console.error('--sessions: an integer ≥ 5; --workers: an integer ≥ 0');
  process.exit(2);
}

const video: VideoDescription = {
  name: 'synthetic-20s',
  segmentDurationMs: 2000,
  renditions: [300, 750, 1500].map((bitrateKbps, index) => ({ index, bitrateKbps })),
  segmentSizesBytes: Array.from({ length: 10 }, (_, i) =>
    [300, 750, 1500].map((kbps) => Math.round(((kbps * 2000) / 8) * (0.8 + (0.4 * ((i * 7) % 10)) / 10))),
  ),
};
const traceCount = Math.ceil(sessions / algos.length);
const traces = Array.from({ length: traceCount }, (_, i) =>
  randomWalkTrace({ seed: i + 1, durationMs: 40_000, periodMs: 2000, minKbps: 200, maxKbps: 4000 }),
);
const spec: BatchSpec = { video, traces, algos, seed: 1 };
const total = traceCount * algos.length;

const dir = await mkdtemp(join(tmpdir(), 'abrkit-sim-memory-'));
const jsonlPath = join(dir, 'log.jsonl');
const stream = createWriteStream(jsonlPath);
const acc = new SummaryAccumulator(algos);
const sampleEvery = Math.max(1, Math.floor(total / 40));
interface Sample {
  sessions: number;
  seconds: number;
  heapUsedKb: number;
  rssKb: number;
}
const series: Sample[] = [];
const t0 = performance.now();
const sample = (done: number): void => {
  gc();
  const m = process.memoryUsage();
  const s = {
    sessions: done,
    seconds: (performance.now() - t0) / 1000,
    heapUsedKb: m.heapUsed / 1024,
    rssKb: m.rss / 1024,
  };
  series.push(s);
  console.log(
    `${String(done).padStart(7)} sessions  ${s.seconds.toFixed(1).padStart(6)} s  heapUsed ${(s.heapUsedKb / 1024).toFixed(1).padStart(6)} MB  rss ${(s.rssKb / 1024).toFixed(1).padStart(6)} MB`,
  );
};
console.log(
  `${total} sessions (${traceCount} traces × ${algos.join(', ')}), workers ${workers}, JSONL → ${jsonlPath}`,
);
sample(0);
try {
  await runBatch(spec, {
    workers,
    jsonl: true,
    examplePosition: null,
    onResult: async (r) => {
      acc.add(r.stats);
      if (r.jsonl && !stream.write(r.jsonl)) await once(stream, 'drain');
    },
    onProgress: (done) => {
      if (done % sampleEvery === 0 || done === total) sample(done);
    },
  });
  await new Promise<void>((res, rej) => stream.end((e?: Error | null) => (e ? rej(e) : res())));
  await writeFile(join(dir, 'summary.json'), JSON.stringify(acc.summary(), null, 2));
  const second = series.filter((s) => s.sessions >= total / 2);
  const per10k = (key: 'heapUsedKb' | 'rssKb'): number =>
    leastSquaresSlope(second.map((s) => ({ x: s.sessions / 10_000, y: s[key] })));
  const bytes = (await stat(jsonlPath)).size;
  console.log(
    `\n${total} sessions in ${series.at(-1)!.seconds.toFixed(1)} s; JSONL ${(bytes / 1e6).toFixed(0)} MB written`,
  );
  console.log(
    `slope over the second half (least squares, GC before each sample): heapUsed ${per10k('heapUsedKb').toFixed(1)} KB / 10k sessions, ` +
      `rss ${per10k('rssKb').toFixed(1)} KB / 10k sessions`,
  );
} finally {
  stream.destroy();
  await rm(dir, { recursive: true, force: true });
}
