/**
 * The head-to-head's network traces, all as long as the video (the shaping server loops them if a session
 * runs longer):
 *
 * - `step`: thirds of the video at 6000, 700 and 2500 kbps (1080p fits, then between 480p and 720p, then
 *   720p), 40 ms latency.
 * - `walk`: a seeded geometric random walk (seed 7, 300-8000 kbps, start 2500, σ 0.2 per 1 s period, 40 ms
 *   latency) with two outages (no byte moves) at 30-37 % and 65-70 % of the video length.
 * - `hsdpa-1`, `hsdpa-2`, `fcc-1`, `fcc-2` (when ../shared/data is there): real traces, the first two files
 *   in name order of traces/hsdpa-norway-3g and traces/fcc-sd that are at least as long as the video and
 *   whose mean bandwidth over its length is within [MIN_MEAN_KBPS, MAX_MEAN_KBPS] (so that the ladder
 *   matters: neither everything nor nothing fits), cut to the video length.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadTraceFile } from '../../src/sim/load-trace.js';
import { randomWalkTrace, stepTrace } from '../../src/traces/generators.js';
import { traceDurationMs, traceMeanBandwidthKbps, type NetworkTrace } from '../../src/traces/model.js';
import { hasSharedData, sharedData } from '../../test/support/shared-data.js';

export interface BenchTrace {
  readonly name: string;
  readonly trace: NetworkTrace;
  /** Fault spec for the shaping server (outages), if any. */
  readonly faults?: string;
  readonly description: string;
}

export const MIN_MEAN_KBPS = 600;
export const MAX_MEAN_KBPS = 4000;
const SYNTHETIC_LATENCY_MS = 40;

export const SYNTHETIC_TRACE_NAMES = ['step', 'walk'] as const;
export const REAL_TRACE_NAMES = ['hsdpa-1', 'hsdpa-2', 'fcc-1', 'fcc-2'] as const;

/** The first `durationMs` of `trace` (its last period cut), renamed. */
export function cutTrace(trace: NetworkTrace, durationMs: number, name: string): NetworkTrace {
  const periods: NetworkTrace['periods'][number][] = [];
  let t = 0;
  for (const p of trace.periods) {
    if (t >= durationMs) break;
    const d = Math.min(p.durationMs, durationMs - t);
    if (d > 0) periods.push({ ...p, durationMs: d });
    t += p.durationMs;
  }
  return { name, periods };
}

export function syntheticTraces(videoMs: number): BenchTrace[] {
  const third = Math.round(videoMs / 3);
  const step = stepTrace(
    [
      { bandwidthKbps: 6000, durationMs: third },
      { bandwidthKbps: 700, durationMs: third },
      { bandwidthKbps: 2500, durationMs: videoMs - 2 * third },
    ],
    { name: 'step', latencyMs: SYNTHETIC_LATENCY_MS },
  );
  const walk = randomWalkTrace({
    name: 'walk',
    seed: 7,
    durationMs: videoMs,
    periodMs: 1000,
    startKbps: 2500,
    minKbps: 300,
    maxKbps: 8000,
    stepSigma: 0.2,
    latencyMs: SYNTHETIC_LATENCY_MS,
  });
  const at = (f: number): number => Math.round(videoMs * f);
  return [
    {
      name: 'step',
      trace: step,
      description: `step 6000/700/2500 kbps, ${(third / 1000).toFixed(0)} s each, ${SYNTHETIC_LATENCY_MS} ms latency`,
    },
    {
      name: 'walk',
      trace: walk,
      faults: `outage=${at(0.3)}-${at(0.37)},outage=${at(0.65)}-${at(0.7)}`,
      description:
        `random walk seed 7 (300-8000 kbps, mean ${traceMeanBandwidthKbps(walk).toFixed(0)} kbps) with outages ` +
        `${at(0.3) / 1000}-${at(0.37) / 1000} s and ${at(0.65) / 1000}-${at(0.7) / 1000} s`,
    },
  ];
}

/** The real traces (empty without ../shared/data). */
export async function realTraces(videoMs: number): Promise<BenchTrace[]> {
  if (!hasSharedData) return [];
  const out: BenchTrace[] = [];
  for (const [prefix, folder] of [
    ['hsdpa', 'traces/hsdpa-norway-3g'],
    ['fcc', 'traces/fcc-sd'],
  ] as const) {
    const dir = sharedData(folder);
    const files = (await readdir(dir)).filter((f) => !f.startsWith('.') && !f.startsWith('README')).sort();
    let picked = 0;
    for (const file of files) {
      if (picked === 2) break;
      const full = await loadTraceFile(join(dir, file));
      if (traceDurationMs(full) < videoMs) continue;
      const name = `${prefix}-${picked + 1}`;
      const cut = cutTrace(full, videoMs, name);
      const meanKbps = traceMeanBandwidthKbps(cut);
      if (meanKbps < MIN_MEAN_KBPS || meanKbps > MAX_MEAN_KBPS) continue;
      out.push({
        name,
        trace: cut,
        description: `${folder}/${file}, first ${videoMs / 1000} s, mean ${meanKbps.toFixed(0)} kbps`,
      });
      picked++;
    }
  }
  return out;
}
