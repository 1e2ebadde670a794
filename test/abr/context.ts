/**
 * Test helper: builds `AbrContext`s and `DownloadProgress`es with sensible defaults, for the abr tests.
 */
import type { AbrContext } from '../../src/abr/types.js';
import type { DownloadProgress, Rendition } from '../../src/core/types.js';

/** A ladder from bitrates (kbps), ascending. */
export function ladder(...bitratesKbps: number[]): Rendition[] {
  return bitratesKbps.map((bitrateKbps, index) => ({ index, bitrateKbps }));
}

/** Sabre's bbb.json ladder (10 renditions). */
export const BBB_KBPS = [230, 331, 477, 688, 991, 1427, 2056, 2962, 5027, 6000];

/** Pensieve's envivio ladder (6 renditions). */
export const PENSIEVE_KBPS = [300, 750, 1200, 1850, 2850, 4300];

export interface ContextInput extends Partial<Omit<AbrContext, 'throughput' | 'segmentSizeBytes'>> {
  /** Shorthand for `throughput.throughputKbps`. */
  readonly throughputKbps?: number;
  /** Shorthand for `throughput.sampleCount` (default 1: past the first segment). */
  readonly sampleCount?: number;
  readonly bitratesKbps?: readonly number[];
  /** Segment sizes: default the nominal `bitrate * duration / 8`. */
  readonly segmentSizeBytes?: (segmentIndex: number, renditionIndex: number) => number | null;
}

/** An `AbrContext` with defaults: 3 renditions 300/750/1500 kbps, 2 s segments, 20 s target, 1 sample. */
export function makeContext(input: ContextInput = {}): AbrContext {
  const renditions = input.renditions ?? ladder(...(input.bitratesKbps ?? [300, 750, 1500]));
  const segmentDurationMs = input.segmentDurationMs ?? 2000;
  const sizes =
    input.segmentSizeBytes ??
    ((_s: number, r: number) => ((renditions[r]?.bitrateKbps ?? 0) * segmentDurationMs) / 8);
  return {
    nowMs: input.nowMs ?? 0,
    segmentIndex: input.segmentIndex ?? 1,
    segmentCount: input.segmentCount ?? 100,
    segmentDurationMs,
    renditions,
    segmentSizeBytes: sizes,
    lastRenditionIndex: input.lastRenditionIndex === undefined ? 0 : input.lastRenditionIndex,
    bufferLevelMs: input.bufferLevelMs ?? 0,
    bufferTargetMs: input.bufferTargetMs ?? 20000,
    playbackRate: input.playbackRate ?? 1,
    throughput: { throughputKbps: input.throughputKbps ?? 1000, sampleCount: input.sampleCount ?? 1 },
    latencyMs: input.latencyMs === undefined ? 0 : input.latencyMs,
    maxRenditionIndex: input.maxRenditionIndex ?? renditions.length - 1,
    startingUp: input.startingUp ?? false,
  };
}

/** A download in flight: `elapsedMs` since the request, first byte after `ttfbMs`, `loadedBytes` of `totalBytes`. */
export function makeProgress(input: {
  renditionIndex: number;
  totalBytes: number | null;
  loadedBytes: number;
  elapsedMs: number;
  ttfbMs?: number;
  segmentIndex?: number;
}): DownloadProgress {
  return {
    segmentIndex: input.segmentIndex ?? 1,
    renditionIndex: input.renditionIndex,
    startMs: 1000,
    firstByteMs: 1000 + (input.ttfbMs ?? 0),
    nowMs: 1000 + input.elapsedMs,
    loadedBytes: input.loadedBytes,
    totalBytes: input.totalBytes,
  };
}
