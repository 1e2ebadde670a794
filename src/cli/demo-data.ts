/**
 * The bundled synthetic inputs of `abrkit demo-sim`: a video description shaped like Pensieve's envivio
 * (6 renditions 300-4300 kbps, 4 s segments, 48 segments) with VBR sizes from a seeded generator, and a set
 * of seeded synthetic traces from src/traces, so the demo needs no data files.
 */
import type { Rendition } from '../core/types.js';
import {
  cellularTrace,
  constantTrace,
  markovTrace,
  randomWalkTrace,
  stepTrace,
} from '../traces/generators.js';
import type { NetworkTrace } from '../traces/model.js';
import { createRng } from '../traces/random.js';
import type { VideoDescription } from '../videos/model.js';

/** Pensieve's ladder (ANCHORS.md), kbps. */
export const DEMO_BITRATES_KBPS = [300, 750, 1200, 1850, 2850, 4300] as const;

export interface DemoVideoOptions {
  readonly seed?: number;
  readonly segmentCount?: number;
  readonly segmentDurationMs?: number;
}

/**
 * A synthetic VBR video: each segment has a scene complexity (log-normal, sigma 0.25, mean 1) shared by
 * all renditions, plus a small per-rendition jitter (sigma 0.05); size = bitrate × duration × both.
 */
export function demoVideo(options: DemoVideoOptions = {}): VideoDescription {
  const rng = createRng(options.seed ?? 7);
  const segmentCount = options.segmentCount ?? 48;
  const segmentDurationMs = options.segmentDurationMs ?? 4000;
  const renditions: Rendition[] = DEMO_BITRATES_KBPS.map((bitrateKbps, index) => ({ index, bitrateKbps }));
  const sigma = 0.25;
  const rows: number[][] = [];
  for (let s = 0; s < segmentCount; s++) {
    const complexity = Math.exp(sigma * rng.normal() - (sigma * sigma) / 2);
    rows.push(
      DEMO_BITRATES_KBPS.map((kbps) => {
        const jitter = Math.exp(0.05 * rng.normal() - 0.00125);
        return Math.max(1, Math.round(((kbps * segmentDurationMs) / 8) * complexity * jitter));
      }),
    );
  }
  return { name: 'demo-vbr-48x4s', segmentDurationMs, renditions, segmentSizesBytes: rows };
}

/** Seeded synthetic traces covering steady, stepped, drifting, Markov-switching and cellular networks. */
export function demoTraces(seed = 1, perGenerator = 4): NetworkTrace[] {
  const traces: NetworkTrace[] = [
    constantTrace({ bandwidthKbps: 1500, durationMs: 300_000, latencyMs: 40 }),
    constantTrace({ bandwidthKbps: 5000, durationMs: 300_000, latencyMs: 40 }),
    stepTrace(
      [
        { durationMs: 60_000, bandwidthKbps: 4000 },
        { durationMs: 30_000, bandwidthKbps: 600 },
        { durationMs: 60_000, bandwidthKbps: 2500 },
        { durationMs: 20_000, bandwidthKbps: 300 },
        { durationMs: 60_000, bandwidthKbps: 5000 },
      ],
      { latencyMs: 60 },
    ),
  ];
  for (let i = 0; i < perGenerator; i++) {
    const s = seed * 1000 + i;
    traces.push(randomWalkTrace({ seed: s, latencyMs: 50 }));
    traces.push(markovTrace({ seed: s, latencyMs: 50 }));
    traces.push(cellularTrace({ seed: s, latencyMs: 80 }));
  }
  return traces;
}
