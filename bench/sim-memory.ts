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
 *
 * `--trace-mb 200 [--formats pensieve,sabre,mahimahi,csv] [--networks sabre,pensieve,abrkit]` measures the
 * other end instead (issue 18: "a 200 MB trace under 500 MB RSS"): for each format it writes one synthetic
 * trace of about that size (Pensieve cooked `12345.678\t3.141593`, 0.5-1.5 s apart; Sabre JSON periods of
 * 70 bytes; mahimahi packet timestamps 0-4 ms apart; CSV `time_s,throughput_kbps,latency_ms` with varying
 * latency), then runs the real command line on it, `abrkit sim --video synthetic --traces <file> --algo bba
 * --network <n> --summary <tmp>` (bin/abrkit.js, from the TypeScript sources through tsx), in a fresh child
 * process per network model, and prints the child's peak RSS (`process.resourceUsage().maxRSS` at exit,
 * worker threads included) and wall time. An empty run of the same child (a 3-period trace) is printed first
 * as the baseline.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
    'trace-mb': { type: 'string' },
    formats: { type: 'string', default: 'pensieve,sabre,mahimahi,csv' },
    networks: { type: 'string', default: 'sabre,pensieve,abrkit' },
  },
});

if (values['trace-mb'] !== undefined) {
  await largeTraces(Number(values['trace-mb']), values.formats.split(','), values.networks.split(','));
  process.exit(0);
}

/** Writes a synthetic trace of about `targetBytes` in `format` (see the file comment). */
async function writeLargeTrace(path: string, format: string, targetBytes: number): Promise<void> {
  const out = createWriteStream(path);
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  let written = 0;
  let timeMs = 0;
  let packetMs = 0;
  let first = true;
  const head = format === 'sabre' ? '[\n' : format === 'csv' ? 'time_s,throughput_kbps,latency_ms\n' : '';
  out.write(head);
  written += head.length;
  while (written < targetBytes) {
    const rows: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const stepMs = 500 + Math.floor(random() * 1000);
      const mbps = (0.2 + random() * 8).toFixed(6);
      const kbps = (Number(mbps) * 1000).toFixed(3);
      if (format === 'sabre') {
        rows.push(
          `${first ? '' : ',\n'}  {"duration_ms": ${stepMs}, "bandwidth_kbps": ${kbps}, "latency_ms": 20}`,
        );
      } else if (format === 'pensieve') rows.push(`${(timeMs / 1000).toFixed(3)}\t${mbps}\n`);
      else if (format === 'csv') {
        rows.push(`${(timeMs / 1000).toFixed(3)},${kbps},${20 + Math.floor(random() * 60)}\n`);
      } else if (format === 'mahimahi') {
        packetMs += Math.floor(random() * 5);
        rows.push(`${packetMs}\n`);
      } else throw new Error(`unknown format ${format}`);
      first = false;
      timeMs += stepMs;
    }
    const chunk = rows.join('');
    written += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.write(format === 'sabre' ? '\n]\n' : format === 'mahimahi' ? `${packetMs + 1}\n` : '');
  out.end();
  await once(out, 'finish');
}

/** Runs `abrkit sim` with `args` in a fresh process; its peak RSS (MB) and wall time (s). */
function cliPeak(args: readonly string[]): {
  peakMb: number;
  seconds: number;
  status: number | null;
  err: string;
} {
  const bin = pathToFileURL(fileURLToPath(new URL('../bin/abrkit.js', import.meta.url))).href;
  // bin/abrkit.js reads process.argv.slice(2): a placeholder stands for the script name.
  const wrapper =
    `process.on('exit', () => process.stderr.write('\\nMAXRSS_KB ' + process.resourceUsage().maxRSS + '\\n'));` +
    `process.argv.splice(1, 0, 'abrkit'); await import(${JSON.stringify(bin)});`;
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', wrapper, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  const kb = /MAXRSS_KB (\d+)/.exec(child.stderr)?.[1];
  return { peakMb: Number(kb ?? Number.NaN) / 1024, seconds, status: child.status, err: child.stderr };
}

async function largeTraces(
  mb: number,
  formats: readonly string[],
  networks: readonly string[],
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'abrkit-large-trace-'));
  try {
    const run = (trace: string, network: string) =>
      cliPeak([
        'sim',
        '--video',
        'synthetic',
        '--traces',
        trace,
        '--algo',
        'bba',
        '--network',
        network,
        '--workers',
        '0',
        '--quiet',
        '--force',
        '--summary',
        join(dir, 'summary.json'),
      ]);
    const tiny = join(dir, 'tiny.txt');
    await writeFile(tiny, '0.0\t2.0\n1.0\t3.0\n2.0\t1.5\n');
    const base = run(tiny, 'sabre');
    console.log(
      `abrkit sim in a fresh child (${process.execPath} ${process.version}, bin/abrkit.js through tsx); ` +
        `peak RSS = process.resourceUsage().maxRSS at exit. Baseline (a 3-line trace): ${base.peakMb.toFixed(0)} MB`,
    );
    for (const format of formats) {
      const path = join(
        dir,
        `big-${format}${format === 'sabre' ? '.json' : format === 'csv' ? '.csv' : '.txt'}`,
      );
      await writeLargeTrace(path, format, mb * 1024 * 1024);
      const size = (await stat(path)).size;
      for (const network of networks) {
        const r = run(path, network);
        const status =
          r.status === 0 ? '' : `  (exit ${String(r.status)}: ${r.err.trim().split('\n')[0] ?? ''})`;
        console.log(
          `${format.padEnd(8)} ${(size / 1e6).toFixed(0)} MB  --network ${network.padEnd(8)} peak RSS ${r.peakMb.toFixed(0).padStart(4)} MB  ${r.seconds.toFixed(1).padStart(5)} s${status}`,
        );
      }
      await rm(path);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
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
