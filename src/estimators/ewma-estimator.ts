/**
 * Dual half-life EWMA throughput estimator: a fast and a slow exponentially-weighted moving average of
 * throughput, each sample weighted by its duration in seconds; the estimate is the lower of the two, so it
 * follows drops quickly and rises slowly. After hls.js `src/utils/ewma-bandwidth-estimator.ts`, Shaka
 * `lib/abr/ewma_bandwidth_estimator.js`, dash.js `ThroughputModel` and Sabre's `Ewma` (Spiteri et al.,
 * MMSys 2018), which all share this formula and differ in half-lives and guards (see the presets).
 *
 * Guards, applied in this order to each sample:
 * 1. cache hit: a sample whose transfer (first to last byte) took less than `cacheHitMs` is ignored
 *    (Shaka 5 ms, dash.js 10 ms): it measures a cache, not the network (hls.js #5826, shaka #6623);
 * 2. tiny sample: fewer than `minSampleBytes` bytes is ignored (Shaka's `minBytes`, 16 kB there): such
 *    downloads are dominated by connection start-up;
 * 3. the duration is raised to at least `minDurationMs` (hls.js's `minDelayMs_`, 50 ms), which both lowers
 *    the throughput of a suspiciously fast download and keeps its weight (= duration) small.
 * Until `minTotalBytes` bytes (Shaka 128 kB) and `minTotalWeightS` seconds (hls.js 0.001 s) were sampled,
 * the estimate is `defaultEstimateKbps`.
 *
 * Our defaults follow hls.js (3 s / 9 s, 500 kbps, 50 ms floor, no byte minimum) plus the 5 ms cache-hit
 * guard; the presets reproduce each player.
 */
import type { DownloadSample } from '../core/types.js';
import { Ewma } from './ewma.js';
import {
  checkNumber,
  checkTiming,
  rejectUnknownOptions,
  sampleDurationMs,
  type SampleTiming,
} from './options.js';
import type { ThroughputEstimate, ThroughputEstimator } from './types.js';

export interface EwmaEstimatorOptions {
  /** Half-life of the fast average, seconds of download time. Default 3 (hls.js). */
  readonly fastHalfLifeS?: number;
  /** Half-life of the slow average, seconds of download time. Default 9 (hls.js). */
  readonly slowHalfLifeS?: number;
  /** Estimate before enough data, kbps. Default 500 (hls.js `abrEwmaDefaultEstimate`). */
  readonly defaultEstimateKbps?: number;
  /** 'transfer' (default): latency excluded; 'total': request to last byte (Pensieve's and Shaka's convention). */
  readonly timing?: SampleTiming;
  /** Samples whose transfer took less than this are cache hits and ignored, ms. Default 5 (Shaka); 0 disables. */
  readonly cacheHitMs?: number;
  /** Samples smaller than this are ignored, bytes. Default 0 (hls.js); Shaka 16000. */
  readonly minSampleBytes?: number;
  /** Sample durations are raised to at least this, ms. Default 50 (hls.js); 0 disables. */
  readonly minDurationMs?: number;
  /** Bytes to sample before the estimate is trusted. Default 0 (hls.js); Shaka 128000. */
  readonly minTotalBytes?: number;
  /** Seconds of samples before the estimate is trusted. Default 0.001 (hls.js `minWeight_`). */
  readonly minTotalWeightS?: number;
}

const OPTION_NAMES = [
  'fastHalfLifeS',
  'slowHalfLifeS',
  'defaultEstimateKbps',
  'timing',
  'cacheHitMs',
  'minSampleBytes',
  'minDurationMs',
  'minTotalBytes',
  'minTotalWeightS',
] as const;

/** The options with every default filled in. */
export type ResolvedEwmaOptions = {
  readonly [K in keyof EwmaEstimatorOptions]-?: NonNullable<EwmaEstimatorOptions[K]>;
};

/** Checks `options` (a TypeError names the bad one) and fills in the defaults. */
export function resolveEwmaOptions(options: EwmaEstimatorOptions = {}): ResolvedEwmaOptions {
  rejectUnknownOptions('EwmaEstimator', options, OPTION_NAMES);
  const positive = { min: 0, exclusiveMin: true };
  const nonNegative = { min: 0 };
  return {
    fastHalfLifeS: checkNumber('fastHalfLifeS', options.fastHalfLifeS, 3, positive),
    slowHalfLifeS: checkNumber('slowHalfLifeS', options.slowHalfLifeS, 9, positive),
    defaultEstimateKbps: checkNumber('defaultEstimateKbps', options.defaultEstimateKbps, 500, positive),
    timing: checkTiming('timing', options.timing, 'transfer'),
    cacheHitMs: checkNumber('cacheHitMs', options.cacheHitMs, 5, nonNegative),
    minSampleBytes: checkNumber('minSampleBytes', options.minSampleBytes, 0, nonNegative),
    minDurationMs: checkNumber('minDurationMs', options.minDurationMs, 50, nonNegative),
    minTotalBytes: checkNumber('minTotalBytes', options.minTotalBytes, 0, nonNegative),
    minTotalWeightS: checkNumber('minTotalWeightS', options.minTotalWeightS, 0.001, nonNegative),
  };
}

/** Options reproducing known players and simulators (see ANCHORS.md). */
export const EWMA_PRESETS = {
  /**
   * hls.js 1.x: 3 s / 9 s, 500 kbps, durations floored at 50 ms, no cache-hit guard. hls.js takes
   * min(measured TTFB, TTFB estimate) out of the load time; 'transfer' takes out the measured TTFB.
   */
  hlsjs: {
    fastHalfLifeS: 3,
    slowHalfLifeS: 9,
    defaultEstimateKbps: 500,
    timing: 'transfer',
    cacheHitMs: 0,
    minSampleBytes: 0,
    minDurationMs: 50,
    minTotalBytes: 0,
    minTotalWeightS: 0.001,
  },
  /** Shaka Player: 2 s / 5 s, 1 Mbps, 16 kB per sample, 128 kB before trusting, latency included, 5 ms cache hits. */
  shaka: {
    fastHalfLifeS: 2,
    slowHalfLifeS: 5,
    defaultEstimateKbps: 1000,
    timing: 'total',
    cacheHitMs: 5,
    minSampleBytes: 16_000,
    minDurationMs: 0,
    minTotalBytes: 128_000,
    minTotalWeightS: 0,
  },
  /** dash.js 5 (VoD): 3 s / 8 s, responses under 10 ms treated as cache hits. */
  dashjs: {
    fastHalfLifeS: 3,
    slowHalfLifeS: 8,
    defaultEstimateKbps: 500,
    timing: 'transfer',
    cacheHitMs: 10,
    minSampleBytes: 0,
    minDurationMs: 0,
    minTotalBytes: 0,
    minTotalWeightS: 0,
  },
  /**
   * Sabre (`-ma ewma`, default `-hl 3 8`): weight = download time excluding latency, no guard. Its latency
   * estimate is `createSabreLatencyEstimator(segmentDurationMs)` (src/estimators/latency.ts).
   */
  sabre: {
    fastHalfLifeS: 3,
    slowHalfLifeS: 8,
    defaultEstimateKbps: 500,
    timing: 'transfer',
    cacheHitMs: 0,
    minSampleBytes: 0,
    minDurationMs: 0,
    minTotalBytes: 0,
    minTotalWeightS: 0,
  },
} as const satisfies Record<string, ResolvedEwmaOptions>;

export type EwmaPresetName = keyof typeof EWMA_PRESETS;

/** Dual half-life EWMA throughput estimator; see the file comment for the formula and guards. */
export class EwmaEstimator implements ThroughputEstimator {
  readonly name = 'ewma';
  readonly options: ResolvedEwmaOptions;
  private readonly fast: Ewma;
  private readonly slow: Ewma;
  private bytesSampled = 0;
  private samples = 0;
  private defaultKbps: number;

  constructor(options: EwmaEstimatorOptions = {}) {
    this.options = resolveEwmaOptions(options);
    this.defaultKbps = this.options.defaultEstimateKbps;
    // Weights in ms (half-lives converted once): the exponent `durationMs / halfLifeMs` is then computed
    // exactly as Sabre computes it, so the `sabre` preset matches sabre.py to the last bit.
    this.fast = new Ewma(this.options.fastHalfLifeS * 1000);
    this.slow = new Ewma(this.options.slowHalfLifeS * 1000);
  }

  /** An estimator configured as `preset`, with `overrides` on top. */
  static preset(preset: EwmaPresetName, overrides: EwmaEstimatorOptions = {}): EwmaEstimator {
    return new EwmaEstimator({ ...EWMA_PRESETS[preset], ...overrides });
  }

  /** Feeds one download; returns false when a guard rejected it. */
  addSample(sample: DownloadSample): boolean {
    const o = this.options;
    if (o.cacheHitMs > 0 && sample.endMs - sample.firstByteMs < o.cacheHitMs) return false;
    if (!(sample.sizeBytes > 0) || sample.sizeBytes < o.minSampleBytes) return false;
    const measuredMs = sampleDurationMs(sample, o.timing);
    const durationMs = Math.max(measuredMs, o.minDurationMs);
    if (!(durationMs > 0) || !Number.isFinite(durationMs)) return false;
    const kbps = (sample.sizeBytes * 8) / durationMs;
    this.fast.sample(durationMs, kbps);
    this.slow.sample(durationMs, kbps);
    this.bytesSampled += sample.sizeBytes;
    this.samples += 1;
    return true;
  }

  /** True once enough bytes and time were sampled to trust the averages over the default. */
  hasGoodEstimate(): boolean {
    return (
      this.samples > 0 &&
      this.bytesSampled >= this.options.minTotalBytes &&
      this.fast.totalWeight >= this.options.minTotalWeightS * 1000
    );
  }

  /** The fast average, kbps (null before any sample). */
  fastEstimateKbps(): number | null {
    return this.fast.estimate();
  }

  /** The slow average, kbps (null before any sample). */
  slowEstimateKbps(): number | null {
    return this.slow.estimate();
  }

  estimate(): ThroughputEstimate {
    const fast = this.fast.estimate();
    const slow = this.slow.estimate();
    const throughputKbps =
      this.hasGoodEstimate() && fast !== null && slow !== null ? Math.min(fast, slow) : this.defaultKbps;
    return { throughputKbps, sampleCount: this.samples };
  }

  /**
   * Forgets every sample. With `defaultEstimateKbps`, that becomes the estimate until new data arrives:
   * hls.js's `resetEstimator(bw)`, and the way to reuse an estimate saved from a previous load (shaka #1366).
   */
  reset(defaultEstimateKbps?: number): void {
    if (defaultEstimateKbps !== undefined) {
      this.defaultKbps = checkNumber('defaultEstimateKbps', defaultEstimateKbps, 0, {
        min: 0,
        exclusiveMin: true,
      });
    }
    this.fast.reset();
    this.slow.reset();
    this.bytesSampled = 0;
    this.samples = 0;
  }
}
