/**
 * Agreement of abrkit's simulator with the published ones, on ../shared/data (run: `npx tsx bench/reproduce.ts`).
 * 1. Pensieve's network + BB on hsdpa-norway-3g-cooked with envivio (48 chunks) vs log_sim_bb_*: exact
 *    chunk bitrate matches and the max reward error (goal: all chunks, < 1e-6).
 * 2. The same with robustMPC vs log_sim_mpc_* (goal: >= 99% of chunks, mean QoE within 0.5%).
 * 3. Sabre's network + bola, bola-e, throughput, dynamic on hsdpa-norway-3g with bbb.json vs
 *    reference/sabre-hsdpa-3g-bbb.json: per-algorithm means of time-average bitrate and rebuffer ratio
 *    (goal: within 3%).
 * Also prints the sessions per second of each run (wall time of the whole loop, one core, tsx).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBba } from '../src/abr/bba.js';
import { PENSIEVE_ROBUST_MPC_OPTIONS, createRobustMpc } from '../src/abr/robust-mpc.js';
import { loadTraces } from '../src/sim/load-trace.js';
import { loadVideo } from '../src/sim/load-video.js';
import {
  type ChunkAgreement,
  readSabreReference,
  relativeError,
  reproducePensieve,
  reproduceSabre,
} from './reproduce-lib.js';

const DATA =
  process.env.ABRKIT_SHARED_DATA ??
  resolve(fileURLToPath(import.meta.url), '..', '..', '..', 'shared', 'data');

function report(label: string, rows: readonly ChunkAgreement[], ms: number): void {
  const chunks = rows.reduce((a, r) => a + r.chunks, 0);
  const matches = rows.reduce((a, r) => a + r.bitrateMatches, 0);
  const maxErr = rows.reduce((a, r) => Math.max(a, r.maxRewardError), 0);
  const sim = rows.reduce((a, r) => a + r.simQoe, 0) / rows.length;
  const ref = rows.reduce((a, r) => a + r.refQoe, 0) / rows.length;
  const exactTraces = rows.filter((r) => r.bitrateMatches === r.chunks).length;
  console.log(
    `${label}: ${rows.length} traces, ${matches}/${chunks} chunk bitrates match (${((100 * matches) / chunks).toFixed(2)}%), ` +
      `${exactTraces} traces exact; max reward error ${maxErr.toExponential(2)}`,
  );
  console.log(
    `  mean QoE per trace: abrkit ${sim.toFixed(4)} vs reference ${ref.toFixed(4)} (${(100 * relativeError(sim, ref)).toFixed(3)}% apart)`,
  );
  for (const r of rows.filter((x) => x.bitrateMatches !== x.chunks).slice(0, 5)) {
    console.log(`  differs: ${r.trace} from chunk ${r.firstMismatch} (${r.bitrateMatches}/${r.chunks})`);
  }
  console.log(
    `  ${rows.length} sessions in ${ms.toFixed(0)} ms (${((1000 * rows.length) / ms).toFixed(0)} sessions/s, wall time, one core)`,
  );
}

async function main(): Promise<void> {
  if (!existsSync(join(DATA, 'README.md'))) {
    console.log(`no shared data at ${DATA} (set ABRKIT_SHARED_DATA): nothing to reproduce`);
    return;
  }
  const refDir = join(DATA, 'reference', 'pensieve-sim-hsdpa-3g');
  const cooked = await loadTraces([join(DATA, 'traces', 'hsdpa-norway-3g-cooked')], 'pensieve');
  const envivio = await loadVideo(join(DATA, 'videos', 'pensieve-envivio'), { playableSegmentCount: 48 });

  let t0 = performance.now();
  const bb = reproducePensieve(cooked, envivio, refDir, 'bb', () => createBba());
  report('Pensieve BB', bb, performance.now() - t0);

  t0 = performance.now();
  const mpc = reproducePensieve(cooked, envivio, refDir, 'mpc', () =>
    createRobustMpc(PENSIEVE_ROBUST_MPC_OPTIONS),
  );
  report('Pensieve robustMPC', mpc, performance.now() - t0);

  const sabreTraces = await loadTraces([join(DATA, 'traces', 'hsdpa-norway-3g')], 'sabre');
  const bbb = await loadVideo(join(DATA, 'videos', 'bbb.json'));
  const reference = readSabreReference(join(DATA, 'reference', 'sabre-hsdpa-3g-bbb.json'));
  console.log(
    `Sabre (bbb.json, ${sabreTraces.length} traces, 25 s buffer): mean time-average bitrate and rebuffer ratio`,
  );
  for (const [ours, theirs] of [
    ['bola', 'bola'],
    ['bola-e', 'bolae'],
    ['throughput', 'throughput'],
    ['dynamic', 'dynamic'],
  ] as const) {
    const ref = reference.means[theirs];
    if (!ref) continue;
    t0 = performance.now();
    let result;
    try {
      result = reproduceSabre(sabreTraces, bbb, ours);
    } catch (error) {
      console.log(`  ${ours}: not available (${(error as Error).message})`);
      continue;
    }
    const ms = performance.now() - t0;
    const m = result.means;
    const eb = relativeError(m.avgBitrateKbps, ref.avgBitrateKbps);
    const er = relativeError(m.rebufferRatio, ref.rebufferRatio);
    console.log(
      `  ${ours.padEnd(10)} bitrate ${m.avgBitrateKbps.toFixed(1)} vs ${ref.avgBitrateKbps.toFixed(1)} kbps (${(100 * eb).toFixed(2)}%), ` +
        `rebuffer ratio ${m.rebufferRatio.toFixed(4)} vs ${ref.rebufferRatio.toFixed(4)} (${(100 * er).toFixed(2)}%), ` +
        `score ${m.score.toFixed(3)} vs ${ref.score.toFixed(3)}, events ${m.rebufferEvents.toFixed(2)} vs ${ref.rebufferEvents.toFixed(2)}; ` +
        `${((1000 * sabreTraces.length) / ms).toFixed(0)} sessions/s`,
    );
  }
}

await main();
