/**
 * Arithmetic mean of the last N throughput samples: Sabre's `SlidingWindow` moving average
 * (Spiteri, Sitaraman, Sparacio, "From Theory to Practice: Improving Bitrate Adaptation in the DASH
 * Reference Player", MMSys 2018; `-ma sliding -ws 3`), over a single span of samples.
 */
import type { DownloadSample } from '../core/types.js';
import {
  checkNumber,
  checkTiming,
  rejectUnknownOptions,
  sampleThroughputKbps,
  type SampleTiming,
} from './options.js';
import type { ThroughputEstimate, ThroughputEstimator } from './types.js';

export interface SlidingMeanEstimatorOptions {
  /** Samples averaged. Default 3 (Sabre). */
  readonly window?: number;
  /** Estimate before the first sample, kbps. Default 500. */
  readonly defaultEstimateKbps?: number;
  /** Default 'transfer' (Sabre divides by the download time after the first byte). */
  readonly timing?: SampleTiming;
}

const OPTION_NAMES = ['window', 'defaultEstimateKbps', 'timing'] as const;

/** Mean of the last `window` samples' throughput, kbps. */
export class SlidingMeanEstimator implements ThroughputEstimator {
  readonly name = 'mean';
  readonly window: number;
  readonly defaultEstimateKbps: number;
  readonly timing: SampleTiming;
  private samples: number[] = [];
  private count = 0;

  constructor(options: SlidingMeanEstimatorOptions = {}) {
    rejectUnknownOptions('SlidingMeanEstimator', options, OPTION_NAMES);
    this.window = checkNumber('window', options.window, 3, { min: 1, integer: true });
    this.defaultEstimateKbps = checkNumber('defaultEstimateKbps', options.defaultEstimateKbps, 500, {
      min: 0,
      exclusiveMin: true,
    });
    this.timing = checkTiming('timing', options.timing, 'transfer');
  }

  /** Feeds one download; returns false when it was ignored (zero duration or no finite throughput). */
  addSample(sample: DownloadSample): boolean {
    const kbps = sampleThroughputKbps(sample, this.timing);
    if (kbps === null || !Number.isFinite(kbps)) return false;
    this.samples.push(kbps);
    if (this.samples.length > this.window) this.samples.shift();
    this.count += 1;
    return true;
  }

  estimate(): ThroughputEstimate {
    if (this.samples.length === 0) return { throughputKbps: this.defaultEstimateKbps, sampleCount: 0 };
    let sum = 0;
    for (const s of this.samples) sum += s;
    return { throughputKbps: sum / this.samples.length, sampleCount: this.count };
  }

  reset(): void {
    this.samples = [];
    this.count = 0;
  }
}
