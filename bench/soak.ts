/**
 * Soak: `npx tsx bench/soak.ts [--minutes 60] [--sample-s 30] [--rate 1] [--seed 7]` (npm run bench:soak).
 *
 * abrkit/player plays a generated long VOD (fixtures/ladder looped with discontinuities, src/media/long-vod.ts)
 * in headless Debian chromium for N minutes of wall time, served by the shaping server (src/shaping) on
 * 127.0.0.1 under a looped Markov trace (300-2500 kbps, seeded) with seeded faults on the segments
 * (5xx, 404, resets, mid-body stalls, latency spikes). Every `--sample-s` seconds it records (see
 * e2e/support/soak-harness.ts): the SourceBuffers' buffered ranges, the JS heap after a forced GC
 * (DevTools `HeapProfiler.collectGarbage`, then `Performance.getMetrics`: JSHeapUsedSize, JSEventListeners,
 * Nodes, Documents), the page's open fetches / timers / listeners (the page is instrumented before the bundle
 * loads), the player's `pendingWork()` and its queues.
 *
 * Printed: the series, and the least-squares slope of the used heap (KB/min) over the samples taken once
 * the back buffer has filled (the first sample with `backBufferMs` behind the playhead, minus one sample)
 * — flat memory reads as a slope near 0. Written: out/soak/soak-<timestamp>.json. Measured on a shared
 * 2-core machine; wall-clock numbers are noisy, the heap slope much less so (forced GC before each sample).
 * What remains in the slope (a heap-snapshot diff, 100 segments apart): the player's per-segment logs kept for
 * `exportSession()` (the session's and the recorder's records and download samples, ~0.3 KB a segment) and
 * DevTools' own per-request records (blink NetworkResourcesData, ~0.6 KB a request: playwright enables the
 * Network domain), an artifact of the harness that a page without DevTools attached does not have.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { leastSquaresSlope, startSoak } from '../e2e/support/soak-harness.js';
import type { SoakSample } from '../e2e/support/soak-harness.js';
import { REPO_ROOT } from '../test/support/shared-data.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    'sample-s': { type: 'string', default: '30' },
    rate: { type: 'string', default: '1' },
    seed: { type: 'string', default: '7' },
  },
});
const minutes = Number(values.minutes);
const sampleEveryMs = Number(values['sample-s']) * 1000;
const rate = Number(values.rate);
const seed = Number(values.seed);
for (const [name, v] of [
  ['--minutes', minutes],
  ['--sample-s', sampleEveryMs],
  ['--rate', rate],
  ['--seed', seed],
] as const) {
  if (!Number.isFinite(v) || v < 0 || (name !== '--seed' && v === 0)) {
    console.error(`${name}: must be a positive number`);
    process.exit(2);
  }
}

const player = { abr: 'bola', bufferTargetMs: 30_000, backBufferMs: 30_000, requestTimeoutMs: 8_000 };
const trace = `markov:seed=${seed},durationS=900,periodS=4,statesKbps=300/700/1200/2500`;
const faults = '5xx=0.01,404=0.005,reset=0.01,stall=0.01:3000,spike=0.03:600,pattern=/seg_/';
// media needed: the run's wall time at `rate`, plus the buffer ahead, plus a lap of margin
const vodDurationMs = Math.ceil(minutes * 60_000 * rate + player.bufferTargetMs + 120_000);

console.log(
  `soak: ${minutes} min, sample every ${sampleEveryMs / 1000} s, rate ${rate}, trace ${trace} (looped), ` +
    `faults ${faults} seed ${seed}, player ${JSON.stringify(player)}`,
);
const run = await startSoak({ vodDurationMs, trace, faults, seed, player, playbackRate: rate });
console.log(
  `long VOD: ${run.vod.laps} laps of ${run.vod.lapDurationMs / 1000} s, ${run.vod.segmentCount} segments`,
);
const samples: SoakSample[] = [];
const endAt = Date.now() + minutes * 60_000;
let stop = false;
process.on('SIGINT', () => (stop = true));
const fmt = (s: SoakSample): string =>
  [
    `${(s.atMs / 60_000).toFixed(1).padStart(5)} min`,
    `pos ${s.positionS.toFixed(0).padStart(5)} s`,
    s.state.padEnd(8),
    `ahead ${(s.aheadMs / 1000).toFixed(1).padStart(5)} s`,
    `behind ${(s.behindMs / 1000).toFixed(1).padStart(5)} s`,
    `ranges v${s.videoRangesS.length}/a${s.audioRangesS.length}`,
    `heap ${(s.heap.jsHeapUsedBytes / 1024).toFixed(0).padStart(6)} KB`,
    `listeners ${s.heap.jsEventListeners}`,
    `nodes ${s.heap.nodes}`,
    `fetches ${s.page.fetchesOpen}`,
    `timeouts ${s.page.timeoutsActive}`,
    `pending ${s.pendingWork.timers}t/${s.pendingWork.requests}r`,
    `payloads ${s.queues.payloads ?? '?'}`,
    `q ${s.queues.videoQueue ?? '?'}/${s.queues.audioQueue ?? '?'}`,
    `segs ${s.segmentsPlayed}`,
    `stalls ${s.stallCount}`,
    `retries ${s.retries}`,
    `errors ${s.errors}`,
  ].join('  ');

try {
  while (!stop) {
    const s = await run.sample();
    samples.push(s);
    console.log(fmt(s));
    if (Date.now() >= endAt || stop) break;
    await new Promise((r) => setTimeout(r, Math.min(sampleEveryMs, Math.max(0, endAt - Date.now()))));
  }
} finally {
  const after = await run.destroyPlayer().catch((e: unknown) => ({ error: String(e) }));
  await run.close();
  const full = samples.findIndex((s) => s.behindMs >= player.backBufferMs - 2000);
  const from = full < 0 ? samples.length : Math.max(0, full - 1);
  const tail = samples.slice(from);
  const slopeKbPerMin = leastSquaresSlope(
    tail.map((s) => ({ x: s.atMs / 60_000, y: s.heap.jsHeapUsedBytes / 1024 })),
  );
  const listenerSlope = leastSquaresSlope(
    tail.map((s) => ({ x: s.atMs / 60_000, y: s.heap.jsEventListeners })),
  );
  const heaps = tail.map((s) => s.heap.jsHeapUsedBytes / 1024);
  const summary = {
    minutes,
    samples: samples.length,
    backBufferFullAtMin: full < 0 ? null : samples[full]!.atMs / 60_000,
    heapSlopeKbPerMin: slopeKbPerMin,
    heapKbMin: heaps.length ? Math.min(...heaps) : null,
    heapKbMax: heaps.length ? Math.max(...heaps) : null,
    listenerSlopePerMin: listenerSlope,
    maxAheadMs: Math.max(0, ...samples.map((s) => s.aheadMs)),
    maxBehindMs: Math.max(0, ...samples.map((s) => s.behindMs)),
    maxTotalBufferedMs: Math.max(0, ...samples.map((s) => s.totalBufferedMs)),
    stalls: samples.at(-1)?.stallCount ?? null,
    segments: samples.at(-1)?.segmentsPlayed ?? null,
    retries: samples.at(-1)?.retries ?? null,
    errors: samples.at(-1)?.errors ?? null,
    afterDestroy: after,
  };
  console.log(
    `\nheap slope after the back buffer filled (${tail.length} samples, least squares, forced GC before each): ` +
      `${slopeKbPerMin.toFixed(2)} KB/min; heap ${summary.heapKbMin?.toFixed(0)}-${summary.heapKbMax?.toFixed(0)} KB`,
  );
  console.log(`summary ${JSON.stringify(summary)}`);
  const dir = join(REPO_ROOT, 'out/soak');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(
    file,
    `${JSON.stringify({ options: { minutes, sampleEveryMs, rate, seed, trace, faults, player }, summary, samples }, null, 1)}\n`,
  );
  console.log(`wrote ${file}`);
}
