/**
 * Makes fixtures/traces: a few small seeded synthetic network traces, one per trace format abrkit reads
 * (Sabre JSON, Pensieve cooked text, mahimahi, CSV), with bandwidths around the bundled fixtures/ladder
 * (144p-480p, about 100-750 kbps), so that `abrkit sim --video fixtures/ladder --traces fixtures/traces`
 * works from a fresh clone. Generated from src/traces/generators.ts, never copied from research data.
 *
 *   npx tsx scripts/make-sample-traces.ts            # rewrites fixtures/traces
 *   npx tsx scripts/make-sample-traces.ts --check    # exits 1 when the committed files differ
 *
 * Deterministic: the same sources write the same bytes.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeTrace } from '../src/traces/detect.js';
import {
  cellularTrace,
  constantTrace,
  markovTrace,
  randomWalkTrace,
  stepTrace,
} from '../src/traces/generators.js';
import type { NetworkTrace, TraceFormat } from '../src/traces/model.js';

const OUT_DIR = resolve(import.meta.dirname, '..', 'fixtures', 'traces');

interface SampleTrace {
  readonly file: string;
  readonly format: TraceFormat;
  readonly trace: NetworkTrace;
  readonly what: string;
}

/** The sample set: file name, format, trace, and a line for the folder's README. */
export function sampleTraces(): SampleTrace[] {
  return [
    {
      file: 'step-drop.json',
      format: 'sabre',
      what: 'steps 1200 → 300 → 800 → 150 → 1500 kbps, 40 ms latency (Sabre network JSON)',
      trace: stepTrace(
        [
          { durationMs: 20_000, bandwidthKbps: 1200 },
          { durationMs: 15_000, bandwidthKbps: 300 },
          { durationMs: 20_000, bandwidthKbps: 800 },
          { durationMs: 10_000, bandwidthKbps: 150 },
          { durationMs: 55_000, bandwidthKbps: 1500 },
        ],
        { name: 'step-drop', latencyMs: 40 },
      ),
    },
    {
      file: 'random-walk.csv',
      format: 'csv',
      what: 'a seeded random walk between 100 and 2000 kbps, 1 s periods, 50 ms latency (CSV)',
      trace: randomWalkTrace({
        name: 'random-walk',
        seed: 1,
        durationMs: 120_000,
        startKbps: 800,
        minKbps: 100,
        maxKbps: 2000,
        latencyMs: 50,
      }),
    },
    {
      file: 'markov.json',
      format: 'sabre',
      what: 'a seeded Markov-modulated link over 150-1500 kbps states (Sabre network JSON)',
      trace: markovTrace({
        name: 'markov',
        seed: 2,
        durationMs: 120_000,
        statesKbps: [150, 300, 600, 900, 1500],
        latencyMs: 50,
      }),
    },
    {
      file: 'cellular.log',
      format: 'pensieve',
      what: 'a seeded cellular-like link, mean 700 kbps with short outages (Pensieve cooked text)',
      trace: cellularTrace({ name: 'cellular', seed: 3, durationMs: 120_000, meanKbps: 700 }),
    },
    {
      file: 'constant-600.down',
      format: 'mahimahi',
      what: 'a constant 600 kbps link for 60 s (mahimahi packet-delivery times)',
      trace: constantTrace({ name: 'constant-600', bandwidthKbps: 600, durationMs: 60_000 }),
    },
  ];
}

function readme(traces: readonly SampleTrace[]): string {
  return [
    '# Sample traces',
    '',
    'Small seeded synthetic traces, one per format abrkit reads, sized for `fixtures/ladder`. Written by',
    '`npx tsx scripts/make-sample-traces.ts` (do not edit by hand; `--check` compares). `abrkit sim` skips',
    'this README when it reads the folder.',
    '',
    ...traces.map((t) => `- \`${t.file}\`: ${t.what}`),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const traces = sampleTraces();
  const files = new Map<string, string>(traces.map((t) => [t.file, writeTrace(t.trace, t.format)]));
  files.set('README.md', readme(traces));
  if (values.check) {
    const stale: string[] = [];
    for (const [name, text] of files) {
      const current = await readFile(join(OUT_DIR, name), 'utf8').catch(() => null);
      if (current !== text) stale.push(name);
    }
    if (stale.length > 0) {
      process.stderr.write(`fixtures/traces differs from the script: ${stale.join(', ')}\n`);
      process.exitCode = 1;
    }
    return;
  }
  await mkdir(OUT_DIR, { recursive: true });
  for (const [name, text] of files) await writeFile(join(OUT_DIR, name), text);
  process.stdout.write(`wrote ${files.size} files to ${OUT_DIR}\n`);
}

await main();
