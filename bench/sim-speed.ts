/**
 * Simulator throughput (run: `npx tsx bench/sim-speed.ts`): sessions per second of `simulateSession` on one
 * core, per network model and algorithm, on a synthetic 48-segment video (Pensieve's ladder, 4 s) and a
 * synthetic 3G-like trace, so it runs without ../shared/data. Measured as wall time (performance.now) of
 * N back-to-back sessions after a warm-up of N/5; the median of 5 rounds is printed. Not asserted anywhere.
 */
import { createBba } from '../src/abr/bba.js';
import { createRobustMpc } from '../src/abr/robust-mpc.js';
import { createAlgorithm } from '../src/abr/registry.js';
import type { AbrAlgorithm } from '../src/abr/types.js';
import { simulateSession } from '../src/sim/simulate.js';
import type { NetworkModelName } from '../src/sim/network/types.js';
import type { NetworkTrace, TracePeriod } from '../src/traces/model.js';
import type { VideoDescription } from '../src/videos/model.js';

const bitrates = [300, 750, 1200, 1850, 2850, 4300];
const video: VideoDescription = {
  name: 'synthetic-envivio',
  segmentDurationMs: 4000,
  renditions: bitrates.map((bitrateKbps, index) => ({ index, bitrateKbps })),
  segmentSizesBytes: Array.from({ length: 49 }, (_, s) =>
    bitrates.map((b) => Math.round(((b * 4000) / 8) * (0.8 + (0.4 * ((s * 7919) % 13)) / 13))),
  ),
  playableSegmentCount: 48,
};

// deterministic pseudo-random 3G-like trace: 1 s periods, 200-4000 kbps, 80 ms latency
let x = 12345;
const rand = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
const periods: TracePeriod[] = Array.from({ length: 400 }, () => ({
  durationMs: 1000,
  bandwidthKbps: 200 + 3800 * rand(),
  latencyMs: 80,
}));
const trace: NetworkTrace = { name: 'synthetic-3g', periods };

function measure(
  label: string,
  network: NetworkModelName,
  make: () => AbrAlgorithm | string,
  n: number,
): void {
  const run = (count: number): number => {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) simulateSession({ video, trace, algorithm: make(), network });
    return performance.now() - t0;
  };
  run(Math.ceil(n / 5));
  const rounds = Array.from({ length: 5 }, () => run(n)).sort((a, b) => a - b);
  const ms = rounds[2]!;
  console.log(
    `${label.padEnd(28)} ${network.padEnd(9)} ${((1000 * n) / ms).toFixed(0).padStart(7)} sessions/s (${n} sessions x 48 segments, median of 5 rounds: ${ms.toFixed(0)} ms)`,
  );
}

console.log(`simulateSession speed, Node ${process.version}, one core, wall time`);
for (const network of ['pensieve', 'sabre', 'abrkit'] as const) {
  measure('bba', network, () => createBba(), 5000);
  measure('throughput (abandonment)', network, () => createAlgorithm('throughput'), 2000);
  measure('bola (abandonment)', network, () => createAlgorithm('bola'), 2000);
}
measure('robust-mpc', 'pensieve', () => createRobustMpc(), 200);
