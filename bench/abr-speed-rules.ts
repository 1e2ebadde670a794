/**
 * Speed of the rule-based algorithms (src/abr: throughput, bba, bola, bola-e, dynamic, dynamic-dash).
 * Run: npx tsx bench/abr-speed-rules.ts
 *
 * 1. Decisions alone: `choose()` on a fixed bbb-ladder context (buffer swept over 0-25 s), per algorithm.
 * 2. With ../shared/data: whole Sabre sessions (86 HSDPA traces x bbb.json, 199 segments, abandonment checked
 *    every 12000 bits / 50 ms as Sabre does) through test/abr/sabre-harness.ts, a minimal re-implementation of
 *    Sabre's loop: the time includes that harness, so it bounds the algorithms' cost from above.
 * Wall-clock times from performance.now() on this machine (shared, 2 cores): indicative only.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { join, resolve } from 'node:path';
import { createAlgorithm } from '../src/abr/registry.js';
import type { AbrContext } from '../src/abr/types.js';
import { runSabreSession } from '../test/abr/sabre-harness.js';
import type { SabreMovie, SabrePeriod } from '../test/abr/sabre-harness.js';

const NAMES = ['throughput', 'bba', 'bola', 'bola-e', 'dynamic', 'dynamic-dash'];
const BBB = [230, 331, 477, 688, 991, 1427, 2056, 2962, 5027, 6000];
const renditions = BBB.map((bitrateKbps, index) => ({ index, bitrateKbps }));

function context(i: number): AbrContext {
  return {
    nowMs: i * 3000,
    segmentIndex: 1 + (i % 190),
    segmentCount: 199,
    segmentDurationMs: 3000,
    renditions,
    segmentSizeBytes: () => null,
    lastRenditionIndex: i % 10,
    bufferLevelMs: (i * 997) % 25000,
    bufferTargetMs: 25000,
    playbackRate: 1,
    throughput: { throughputKbps: 500 + ((i * 131) % 4000), sampleCount: 1 + i },
    latencyMs: 100,
    maxRenditionIndex: 9,
    startingUp: false,
  };
}

console.log('1. choose() alone, 1e6 decisions per algorithm on varied bbb contexts (contexts prebuilt):');
const contexts = Array.from({ length: 1000 }, (_, i) => context(i));
for (const name of NAMES) {
  const algo = createAlgorithm(name);
  let sink = 0;
  for (let i = 0; i < 100000; i++) sink += algo.choose(contexts[i % 1000]!).renditionIndex; // warm-up
  const t0 = performance.now();
  for (let i = 0; i < 1_000_000; i++) sink += algo.choose(contexts[i % 1000]!).renditionIndex;
  const ms = performance.now() - t0; // total ms for 1e6 decisions = ns per decision
  console.log(`  ${name.padEnd(13)} ${ms.toFixed(0).padStart(6)} ns/decision  (checksum ${sink})`);
}

const data = process.env.ABRKIT_SHARED_DATA ?? resolve(import.meta.dirname, '..', '..', 'shared', 'data');
if (!existsSync(join(data, 'README.md'))) {
  console.log('2. skipped: no ../shared/data');
} else {
  console.log('2. whole Sabre sessions through test/abr/sabre-harness.ts (86 traces, bbb.json, -b 25):');
  const movie = JSON.parse(readFileSync(join(data, 'videos', 'bbb.json'), 'utf8')) as SabreMovie;
  const dir = join(data, 'traces', 'hsdpa-norway-3g');
  const traces = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as SabrePeriod[]);
  for (const name of NAMES) {
    if (name === 'bba') continue; // no Sabre reference for BBA
    for (const t of traces.slice(0, 30)) runSabreSession(createAlgorithm(name), movie, t); // warm-up
    const t0 = performance.now();
    for (const t of traces) runSabreSession(createAlgorithm(name), movie, t);
    const ms = performance.now() - t0;
    console.log(`  ${name.padEnd(13)} ${(ms / traces.length).toFixed(2).padStart(6)} ms/session`);
  }
}
