/**
 * Trace reader/writer and generator speed (run: `npx tsx bench/traces.ts`). For each folder of
 * ../shared/data/traces (skipped without it), the files are read into memory once, then parsed (format
 * detection included) and written back; synthetic generators and the mahimahi writer run on generated
 * traces so that part needs no data. Each figure is the median wall time (performance.now) of 5 rounds
 * after one warm-up round, on one core. Printed only, never asserted.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  cellularTrace,
  markovTrace,
  parseTrace,
  randomWalkTrace,
  writeMahimahiTrace,
  writeTrace,
  type NetworkTrace,
} from '../src/traces/index.js';

const DATA = process.env.ABRKIT_SHARED_DATA ?? join(import.meta.dirname, '..', '..', 'shared', 'data');

function medianMs(run: () => void, rounds = 5): number {
  run();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(rounds / 2)] ?? 0;
}

console.log('abrkit trace bench: median of 5 rounds after a warm-up, wall time on one core\n');

const tracesDir = join(DATA, 'traces');
if (existsSync(tracesDir)) {
  for (const folder of readdirSync(tracesDir).sort()) {
    const files = readdirSync(join(tracesDir, folder))
      .filter((n) => !n.startsWith('.'))
      .map((n) => ({ name: n, text: readFileSync(join(tracesDir, folder, n), 'utf8') }));
    const bytes = files.reduce((s, f) => s + f.text.length, 0);
    let traces: NetworkTrace[] = [];
    const parseMs = medianMs(() => {
      traces = files.map((f) => parseTrace(f.text, f.name));
    });
    const format = traces[0]?.sourceFormat ?? 'sabre';
    const writeMs = medianMs(() => {
      for (const t of traces) writeTrace(t, format);
    });
    console.log(
      `${folder.padEnd(24)} ${String(files.length).padStart(5)} files ${(bytes / 1e6).toFixed(2).padStart(6)} MB  ` +
        `parse ${parseMs.toFixed(1).padStart(7)} ms (${((bytes / 1e6 / parseMs) * 1000).toFixed(0)} MB/s)  ` +
        `write ${writeMs.toFixed(1).padStart(7)} ms`,
    );
  }
} else {
  console.log(`(no ${tracesDir}: reader figures skipped)`);
}

console.log('');
const hour = 3_600_000;
for (const [label, make] of [
  ['randomWalkTrace 1 h, 1 s periods', () => randomWalkTrace({ seed: 1, durationMs: hour })],
  ['markovTrace 1 h, 1 s periods', () => markovTrace({ seed: 1, durationMs: hour })],
  ['cellularTrace 1 h, 0.5 s periods', () => cellularTrace({ seed: 1, durationMs: hour })],
] as const) {
  console.log(`${label.padEnd(36)} ${medianMs(make).toFixed(2).padStart(8)} ms`);
}
const walk = randomWalkTrace({ seed: 1, durationMs: 600_000, minKbps: 500, maxKbps: 20_000 });
let lines = 0;
const mahimahiMs = medianMs(() => {
  lines = writeMahimahiTrace(walk).length;
});
console.log(
  `${'writeMahimahiTrace 10 min, 0.5-20 Mbps'.padEnd(36)} ${mahimahiMs.toFixed(2).padStart(8)} ms (${lines} chars)`,
);
