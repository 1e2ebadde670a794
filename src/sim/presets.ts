/**
 * The session around each network model: buffer target, wait policy, when playback starts, the first
 * rendition, abandonment progress and re-fetch, and the estimators. `pensieve` and `sabre` follow their
 * simulators (Pensieve: test/fixed_env.py; Sabre: src/sabre.py); `abrkit` is our model of a browser behind
 * the shaping server (hls.js-like: 30 s buffer, EWMA 3 s / 9 s, abandonment checked every 100 ms).
 */
import { createEstimator } from '../estimators/registry.js';
import { EwmaEstimator } from '../estimators/ewma-estimator.js';
import { EwmaLatencyEstimator, createSabreLatencyEstimator } from '../estimators/latency.js';
import type { LatencyEstimator, ThroughputEstimator } from '../estimators/types.js';
import type { AbandonRefetch, WaitPolicyName } from '../session/types.js';
import type { NetworkModelName } from './network/types.js';

export interface NetworkPreset {
  readonly network: NetworkModelName;
  readonly bufferTargetMs: number;
  readonly waitPolicy: WaitPolicyName;
  readonly startPlayback: 'first-append' | 'immediately';
  /** Rendition of segment 0 without asking the algorithm (clamped to the ladder), or null to ask. */
  readonly forcedFirstRendition: number | null;
  readonly abandonRefetch: AbandonRefetch;
  /** Whether the model lets algorithms abandon downloads (Pensieve's fixed_env.py does not). */
  readonly abandonment: boolean;
  readonly progressMinMs: number;
  readonly progressMinBytes: number;
  createThroughputEstimator(): ThroughputEstimator;
  createLatencyEstimator(segmentDurationMs: number): LatencyEstimator | undefined;
}

export const NETWORK_PRESETS: Readonly<Record<NetworkModelName, NetworkPreset>> = {
  /**
   * Pensieve: 60 s threshold with 500 ms sleeps after downloads; playback "starts" at t = 0 with an
   * empty buffer (the first chunk's delay is rebuffer); chunk 0 at index 1 (DEFAULT_QUALITY). The
   * estimator is the harmonic mean of request-to-last-byte throughput (MPC's); its algorithms keep their own.
   */
  pensieve: {
    network: 'pensieve',
    bufferTargetMs: 60_000,
    waitPolicy: 'pensieve',
    startPlayback: 'immediately',
    forcedFirstRendition: 1,
    abandonRefetch: 'returned',
    abandonment: false,
    progressMinMs: 50,
    progressMinBytes: 1500,
    createThroughputEstimator: () => createEstimator('harmonic', { timing: 'total' }),
    createLatencyEstimator: () => undefined,
  },
  /**
   * Sabre: 25 s max buffer, wait before choosing; segment 0 at `get_first_quality()` = 0 and its download
   * is startup, not rebuffer; progress every 12000 bits and 50 ms; after an abandonment the algorithm is
   * asked again (what sabre.py does); EWMA 3 s / 8 s (lower throughput, higher latency); aborted downloads
   * are not sampled.
   */
  sabre: {
    network: 'sabre',
    bufferTargetMs: 25_000,
    waitPolicy: 'sabre',
    startPlayback: 'first-append',
    forcedFirstRendition: 0,
    abandonRefetch: 'choose',
    abandonment: true,
    progressMinMs: 50,
    progressMinBytes: 1500,
    createThroughputEstimator: () => EwmaEstimator.preset('sabre'),
    createLatencyEstimator: (segmentDurationMs) => createSabreLatencyEstimator(segmentDurationMs),
  },
  /**
   * abrkit: a browser behind the shaping server. 30 s buffer target (wait before choosing), playback
   * starts with the first segment, the algorithm picks every segment, abandonment checked every 100 ms
   * (hls.js's tick) and re-fetched at the rendition the algorithm names; hls.js's estimators.
   */
  abrkit: {
    network: 'abrkit',
    bufferTargetMs: 30_000,
    waitPolicy: 'sabre',
    startPlayback: 'first-append',
    forcedFirstRendition: null,
    abandonRefetch: 'returned',
    abandonment: true,
    progressMinMs: 100,
    progressMinBytes: 0,
    createThroughputEstimator: () => EwmaEstimator.preset('hlsjs'),
    createLatencyEstimator: () => new EwmaLatencyEstimator(),
  },
};
