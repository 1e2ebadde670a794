/**
 * Sliding-window harmonic mean throughput predictor, plain and robust, as in MPC and robustMPC:
 * Yin, Jindal, Sekar, Sinopoli, "A Control-Theoretic Approach for Dynamic Adaptive Video Streaming over
 * HTTP", SIGCOMM 2015; semantics exactly as Pensieve's `test/mpc.py` (Mao et al., SIGCOMM 2017), see
 * ANCHORS.md (robustMPC):
 *
 * - prediction = harmonic mean of the last `window` (5) throughput samples;
 * - when a sample s arrives, its relative error is |previous prediction - s| / s, where the previous
 *   prediction is the (undiscounted) harmonic mean computed after the sample before (0 for the first sample);
 * - robust prediction = harmonic mean / (1 + max of the last `errorWindow` (5) errors, the newest included).
 *
 * Samples that are not > 0 (an aborted download with no byte) are ignored, as Pensieve skips its zero
 * padding. Relative errors are unit-free, so working in kbps gives Pensieve's decisions exactly.
 */
import { invalidArgument } from '../core/errors.js';
import type { DownloadSample } from '../core/types.js';
import {
  checkNumber,
  checkTiming,
  rejectUnknownOptions,
  sampleThroughputKbps,
  type SampleTiming,
} from './options.js';
import type { ThroughputEstimate, ThroughputEstimator } from './types.js';

export interface HarmonicEstimatorOptions {
  /** Samples in the harmonic mean. Default 5. */
  readonly window?: number;
  /** Divide by (1 + max recent relative error): robustMPC. Default false. */
  readonly robust?: boolean;
  /** Errors the robust discount looks at. Default = `window`. */
  readonly errorWindow?: number;
  /** Estimate before the first sample, kbps. Default 500. */
  readonly defaultEstimateKbps?: number;
  /** Default 'total' (request to last byte, latency included): Pensieve's `size / delay`. */
  readonly timing?: SampleTiming;
}

const OPTION_NAMES = ['window', 'robust', 'errorWindow', 'defaultEstimateKbps', 'timing'] as const;

/** Harmonic mean of the last samples, optionally discounted by the recent prediction error (robustMPC). */
export class SlidingHarmonicMeanEstimator implements ThroughputEstimator {
  readonly name: string;
  readonly window: number;
  readonly errorWindow: number;
  readonly robust: boolean;
  readonly defaultEstimateKbps: number;
  readonly timing: SampleTiming;
  private samples: number[] = [];
  private errors: number[] = [];
  private lastPredictionKbps: number | null = null;
  private count = 0;

  constructor(options: HarmonicEstimatorOptions = {}) {
    rejectUnknownOptions('SlidingHarmonicMeanEstimator', options, OPTION_NAMES);
    this.window = checkNumber('window', options.window, 5, { min: 1, integer: true });
    this.errorWindow = checkNumber('errorWindow', options.errorWindow, this.window, {
      min: 1,
      integer: true,
    });
    if (options.robust !== undefined && typeof options.robust !== 'boolean') {
      throw invalidArgument('robust', `must be a boolean, got ${String(options.robust)}`);
    }
    this.robust = options.robust ?? false;
    this.defaultEstimateKbps = checkNumber('defaultEstimateKbps', options.defaultEstimateKbps, 500, {
      min: 0,
      exclusiveMin: true,
    });
    this.timing = checkTiming('timing', options.timing, 'total');
    this.name = this.robust ? 'robust-harmonic' : 'harmonic';
  }

  /** Feeds one download; returns false when it was ignored (no positive, finite throughput). */
  addSample(sample: DownloadSample): boolean {
    const kbps = sampleThroughputKbps(sample, this.timing);
    if (kbps === null || !(kbps > 0) || !Number.isFinite(kbps)) return false;
    this.addThroughputKbps(kbps);
    return true;
  }

  /** Feeds a throughput value directly (kbps, > 0), for callers that measure it themselves. */
  addThroughputKbps(kbps: number): void {
    if (!(kbps > 0) || !Number.isFinite(kbps))
      throw invalidArgument('kbps', `must be a finite number > 0, got ${kbps}`);
    const error = this.lastPredictionKbps === null ? 0 : Math.abs(this.lastPredictionKbps - kbps) / kbps;
    push(this.errors, error, this.errorWindow);
    push(this.samples, kbps, this.window);
    this.count += 1;
    this.lastPredictionKbps = this.harmonicMeanKbps();
  }

  /** Harmonic mean of the last `window` samples, kbps; null before any sample. */
  harmonicMeanKbps(): number | null {
    if (this.samples.length === 0) return null;
    let inverseSum = 0;
    for (const s of this.samples) inverseSum += 1 / s;
    return this.samples.length / inverseSum;
  }

  /** Largest relative prediction error among the last `errorWindow` samples (0 before any). */
  maxErrorFraction(): number {
    let max = 0;
    for (const e of this.errors) if (e > max) max = e;
    return max;
  }

  estimate(): ThroughputEstimate {
    const mean = this.harmonicMeanKbps();
    if (mean === null) return { throughputKbps: this.defaultEstimateKbps, sampleCount: 0 };
    const throughputKbps = this.robust ? mean / (1 + this.maxErrorFraction()) : mean;
    return { throughputKbps, sampleCount: this.count };
  }

  reset(): void {
    this.samples = [];
    this.errors = [];
    this.lastPredictionKbps = null;
    this.count = 0;
  }
}

function push(list: number[], value: number, max: number): void {
  list.push(value);
  if (list.length > max) list.shift();
}
