/**
 * The bundled synthetic inputs of `abrkit demo-sim`: a video description shaped like Pensieve's envivio
 * (6 renditions 300-4300 kbps, 4 s segments, 48 segments) with VBR sizes from a seeded generator, and a set
 * of seeded synthetic traces from src/traces, so the demo needs no data files.
 */
import { AbrkitError } from '../core/errors.js';
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
  /** Ladder, ascending kbps. Default {@link DEMO_BITRATES_KBPS}. */
  readonly bitratesKbps?: readonly number[];
  readonly name?: string;
}

/**
 * A synthetic VBR video: each segment has a scene complexity (log-normal, sigma 0.25, mean 1) shared by
 * all renditions, plus a small per-rendition jitter (sigma 0.05); size = bitrate × duration × both.
 */
export function demoVideo(options: DemoVideoOptions = {}): VideoDescription {
  const rng = createRng(options.seed ?? 7);
  const segmentCount = options.segmentCount ?? 48;
  const segmentDurationMs = options.segmentDurationMs ?? 4000;
  const ladder = options.bitratesKbps ?? DEMO_BITRATES_KBPS;
  const renditions: Rendition[] = ladder.map((bitrateKbps, index) => ({ index, bitrateKbps }));
  const sigma = 0.25;
  const rows: number[][] = [];
  for (let s = 0; s < segmentCount; s++) {
    const complexity = Math.exp(sigma * rng.normal() - (sigma * sigma) / 2);
    rows.push(
      ladder.map((kbps) => {
        const jitter = Math.exp(0.05 * rng.normal() - 0.00125);
        return Math.max(1, Math.round(((kbps * segmentDurationMs) / 8) * complexity * jitter));
      }),
    );
  }
  return {
    name: options.name ?? `demo-vbr-${segmentCount}x${segmentDurationMs / 1000}s`,
    segmentDurationMs,
    renditions,
    segmentSizesBytes: rows,
  };
}

/** What `--video synthetic[:key=value,...]` accepts. */
export const VIDEO_SPEC_HELP =
  'synthetic[:seed=N,segments=N,segmentS=S,bitratesKbps=300/750/...]: a seeded VBR video (default: 48 × 4 s, 300-4300 kbps)';

function specError(spec: string, problem: string): AbrkitError {
  return new AbrkitError(
    'config',
    'VIDEO_SPEC_INVALID',
    `bad video spec ${JSON.stringify(spec)}: ${problem}`,
    {
      data: { source: '--video', spec },
    },
  );
}

/** Whether `text` is a video generator spec (`synthetic` or `synthetic:...`). */
export function isVideoSpec(text: string): boolean {
  return /^synthetic(?::|$)/.test(text.trim());
}

/**
 * `--video synthetic[:seed=7,segments=48,segmentS=4,bitratesKbps=300/750/1200]`: the demo's seeded VBR
 * video ({@link demoVideo}) with these settings. Bad keys or values throw `VIDEO_SPEC_INVALID`.
 */
export function videoFromSpec(spec: string): VideoDescription {
  const text = spec.trim();
  if (!isVideoSpec(text)) throw specError(spec, `expected ${VIDEO_SPEC_HELP}`);
  const args = text.includes(':')
    ? text
        .slice(text.indexOf(':') + 1)
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '')
    : [];
  const options: { -readonly [K in keyof DemoVideoOptions]: DemoVideoOptions[K] } = {};
  const positive = (key: string, value: string, integer: boolean): number => {
    const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
    if (!(n > 0) || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
      throw specError(
        spec,
        `${key}: expected a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value)}`,
      );
    return n;
  };
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq < 0) throw specError(spec, `expected key=value, got ${JSON.stringify(arg)}`);
    const key = arg.slice(0, eq).trim();
    const value = arg.slice(eq + 1).trim();
    if (key === 'seed') options.seed = positive(key, value, true);
    else if (key === 'segments') options.segmentCount = Math.min(positive(key, value, true), 100_000);
    else if (key === 'segmentS') options.segmentDurationMs = positive(key, value, false) * 1000;
    else if (key === 'segmentMs') options.segmentDurationMs = positive(key, value, false);
    else if (key === 'bitratesKbps') {
      const ladder = value.split('/').map((v) => positive(key, v, false));
      if (ladder.some((v, i) => i > 0 && v <= (ladder[i - 1] ?? 0)))
        throw specError(spec, 'bitratesKbps: expected ascending values, e.g. 300/750/1200');
      options.bitratesKbps = ladder;
    } else
      throw specError(
        spec,
        `unknown key ${JSON.stringify(key)}: expected seed, segments, segmentS, bitratesKbps`,
      );
  }
  return demoVideo({ ...options, name: text });
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
