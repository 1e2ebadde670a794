/**
 * Latency (time to first byte) estimators: EWMAs of `firstByteMs - startMs`.
 *
 * - hls.js weighting (default; hls.js `EwmaBandWidthEstimator.sampleTTFB`): one EWMA with half-life 9,
 *   each sample weighted by `sqrt(2) * exp(-ttfb_s^2 / 2)` (long waits, likely outliers, count less) and
 *   its value floored at 5 ms.
 * - unit weighting (Sabre's `Ewma`, Spiteri et al., MMSys 2018): every sample weighs 1, half-lives are
 *   counted in samples; with several half-lives the estimate is the highest (the conservative side).
 *   `createSabreLatencyEstimator(segmentDurationMs)` builds Sabre's: half-lives 3 s and 8 s of segments.
 */
import { invalidArgument } from '../core/errors.js';
import type { DownloadSample } from '../core/types.js';
import { Ewma } from './ewma.js';
import { checkNumber, rejectUnknownOptions } from './options.js';
import type { LatencyEstimator } from './types.js';

export type LatencyWeighting = 'hlsjs' | 'unit';

export interface EwmaLatencyEstimatorOptions {
  /** Half-lives, in weight units (see `weighting`). Default [9] (hls.js uses its slow half-life). */
  readonly halfLives?: readonly number[];
  /** 'hlsjs' (default): Gaussian weight of the TTFB in seconds; 'unit': every sample weighs 1. */
  readonly weighting?: LatencyWeighting;
  /** Samples are raised to at least this, ms. Default 5 (hls.js). */
  readonly minLatencyMs?: number;
  /** Total weight needed before the average is used. Default 0.001 (hls.js). */
  readonly minTotalWeight?: number;
  /**
   * Returned before enough samples instead of null. Default null (the `LatencyEstimator` contract);
   * hls.js uses 100 ms (`EWMA_PRESETS`-style: `{ defaultMs: 100 }`).
   */
  readonly defaultMs?: number | null;
}

const OPTION_NAMES = ['halfLives', 'weighting', 'minLatencyMs', 'minTotalWeight', 'defaultMs'] as const;

/** EWMA of the time to first byte; see the file comment. */
export class EwmaLatencyEstimator implements LatencyEstimator {
  readonly name = 'ewma-latency';
  readonly weighting: LatencyWeighting;
  readonly minLatencyMs: number;
  readonly minTotalWeight: number;
  readonly defaultMs: number | null;
  private readonly averages: Ewma[];
  private count = 0;

  constructor(options: EwmaLatencyEstimatorOptions = {}) {
    rejectUnknownOptions('EwmaLatencyEstimator', options, OPTION_NAMES);
    const halfLives = options.halfLives ?? [9];
    if (!Array.isArray(halfLives) || halfLives.length === 0) {
      throw invalidArgument('halfLives', 'must be a non-empty array of numbers > 0');
    }
    this.averages = halfLives.map((h, i) => {
      const halfLife = checkNumber(`halfLives[${i}]`, h ?? Number.NaN, 0, { min: 0, exclusiveMin: true });
      return new Ewma(halfLife);
    });
    const weighting = options.weighting ?? 'hlsjs';
    if (weighting !== 'hlsjs' && weighting !== 'unit') {
      throw invalidArgument('weighting', `must be 'hlsjs' or 'unit', got ${String(weighting)}`);
    }
    this.weighting = weighting;
    this.minLatencyMs = checkNumber('minLatencyMs', options.minLatencyMs, 5, { min: 0 });
    this.minTotalWeight = checkNumber('minTotalWeight', options.minTotalWeight, 0.001, { min: 0 });
    const defaultMs = options.defaultMs ?? null;
    this.defaultMs = defaultMs === null ? null : checkNumber('defaultMs', defaultMs, 0, { min: 0 });
  }

  /** Feeds one download's time to first byte; returns false when it was ignored (negative or not finite). */
  addSample(sample: DownloadSample): boolean {
    return this.addLatencyMs(sample.firstByteMs - sample.startMs);
  }

  /** Feeds a measured time to first byte directly, ms. */
  addLatencyMs(latencyMs: number): boolean {
    if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) return false;
    const weight = this.weighting === 'unit' ? 1 : Math.SQRT2 * Math.exp(-Math.pow(latencyMs / 1000, 2) / 2);
    const value = Math.max(latencyMs, this.minLatencyMs);
    for (const average of this.averages) average.sample(weight, value);
    this.count += 1;
    return true;
  }

  /** Samples taken so far. */
  get sampleCount(): number {
    return this.count;
  }

  estimateMs(): number | null {
    let highest: number | null = null;
    for (const average of this.averages) {
      if (average.totalWeight < this.minTotalWeight) return this.defaultMs;
      const value = average.estimate();
      if (value === null) return this.defaultMs;
      if (highest === null || value > highest) highest = value;
    }
    return highest ?? this.defaultMs;
  }

  reset(): void {
    for (const average of this.averages) average.reset();
    this.count = 0;
  }
}

/**
 * Sabre's latency estimate: two per-sample EWMAs whose half-lives are `halfLivesS` (default 3 s and 8 s)
 * expressed in segments of `segmentDurationMs`, the higher of the two.
 */
export function createSabreLatencyEstimator(
  segmentDurationMs: number,
  halfLivesS: readonly number[] = [3, 8],
): EwmaLatencyEstimator {
  if (!(segmentDurationMs > 0) || !Number.isFinite(segmentDurationMs)) {
    throw invalidArgument(
      'segmentDurationMs',
      `must be a finite number > 0, got ${String(segmentDurationMs)}`,
    );
  }
  return new EwmaLatencyEstimator({
    halfLives: halfLivesS.map((h) => (h * 1000) / segmentDurationMs),
    weighting: 'unit',
    minLatencyMs: 0,
    minTotalWeight: 0,
  });
}
