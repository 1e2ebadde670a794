/**
 * Live sessions in the simulator (issue 16 item 3), per online algorithm: mean latency, stalls, bitrate and
 * LoL+ QoE at two latency targets, next to the same algorithm's VOD session, and the simulator's speed in
 * live mode against VOD. Run: `npx tsx bench/live-sim.ts`; env ROUNDS (3). Nothing is asserted.
 *
 * Setting: the fixture ladder's real segment sizes (fixtures/ladder, 4 renditions, 2 s segments) repeated to
 * 90 segments (3 minutes, the length of the live e2e run), on the bundled sample traces (fixtures/traces)
 * plus `step:4000x20s,500x20s` (the issue's step) and `cellular:seed=1..3`, under the `abrkit` network model.
 * Live: `simulateSession({ live: { targetLatencyMs } })`, joining at the target, catch-up 1.0-1.1; VOD: the
 * preset's 30 s buffer. QoE is LoL+'s five terms in both (src/qoe/lolp.ts; VOD has no latency or speed
 * term). Speed: sessions per second over all traces (single thread, performance.now(), median of ROUNDS).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { listAlgorithms } from '../src/abr/registry.js';
import { loadTracesSync } from '../src/sim/load-trace.js';
import { loadVideo } from '../src/sim/load-video.js';
import { simulateSession, type SimLiveOptions } from '../src/sim/simulate.js';
import { generateTrace } from '../src/traces/spec.js';
import type { NetworkTrace } from '../src/traces/model.js';
import type { VideoDescription } from '../src/videos/model.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const SEGMENTS = 90;

const ladder = await loadVideo('fixtures/ladder');
const video: VideoDescription = {
  ...ladder,
  name: `${ladder.name} x${SEGMENTS}`,
  segmentSizesBytes: Array.from(
    { length: SEGMENTS },
    (_, i) => ladder.segmentSizesBytes[i % ladder.segmentSizesBytes.length]!,
  ),
  playableSegmentCount: SEGMENTS,
};
const traces: NetworkTrace[] = [
  ...loadTracesSync(
    readdirSync('fixtures/traces')
      .filter((f) => f !== 'README.md')
      .map((f) => join('fixtures/traces', f)),
  ),
  generateTrace('step:4000x20s,500x20s'),
  ...[1, 2, 3].map((seed) => generateTrace(`cellular:seed=${seed}`)),
];
const algorithms = listAlgorithms()
  .filter((i) => !i.offline)
  .map((i) => i.name);

interface Row {
  bitrateKbps: number;
  stallS: number;
  latencyS: number | null;
  qoe: number;
}

function run(algorithm: string, live: SimLiveOptions | undefined): Row {
  let bitrate = 0;
  let stallMs = 0;
  let latency = 0;
  let latencies = 0;
  let qoe = 0;
  for (const trace of traces) {
    const { records, summary } = simulateSession({
      video,
      trace,
      algorithm,
      qoe: 'lolp',
      ...(live === undefined ? {} : { live }),
    });
    bitrate += summary.meanBitrateKbps;
    stallMs += summary.rebufferMs;
    qoe += summary.totalQoe;
    for (const r of records)
      if (r.latencyMs !== undefined) {
        latency += r.latencyMs;
        latencies++;
      }
  }
  const n = traces.length;
  return {
    bitrateKbps: bitrate / n,
    stallS: stallMs / 1000 / n,
    latencyS: latencies === 0 ? null : latency / latencies / 1000,
    qoe: qoe / n,
  };
}

function sessionsPerSecond(algorithm: string, live: SimLiveOptions | undefined): number {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    for (const trace of traces)
      simulateSession({ video, trace, algorithm, ...(live === undefined ? {} : { live }) });
    rates.push(traces.length / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[rates.length >> 1]!;
}

const fmt = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));
console.log(
  `live-sim: ${video.name}, ${traces.length} traces (${traces.map((t) => t.name).join(', ')}), network abrkit, QoE lolp`,
);
console.log('algorithm      mode        bitrate kbps  stall s/session  latency s  QoE/session  sessions/s');
for (const algorithm of algorithms) {
  for (const [mode, live] of [
    ['vod', undefined],
    ['live 3 s', { targetLatencyMs: 3000 }],
    ['live 6 s', { targetLatencyMs: 6000 }],
  ] as const) {
    const row = run(algorithm, live);
    const speed = sessionsPerSecond(algorithm, live);
    console.log(
      `${algorithm.padEnd(14)} ${mode.padEnd(10)} ${fmt(row.bitrateKbps, 0).padStart(13)}  ${fmt(row.stallS, 2).padStart(15)}  ${fmt(row.latencyS, 2).padStart(9)}  ${fmt(row.qoe, 0).padStart(11)}  ${fmt(speed, 0).padStart(10)}`,
    );
  }
}
