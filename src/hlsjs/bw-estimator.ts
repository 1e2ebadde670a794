/**
 * What hls.js reads from `abrController.bwEstimator` (`hls.bandwidthEstimate`, `hls.ttfbEstimate`,
 * `hls.abrEwmaDefaultEstimate`), answered from abrkit's estimators. hls.js speaks bits per second and
 * milliseconds; abrkit's estimators kbps and ms.
 */
import type { DownloadSample } from '../core/types.js';
import type { LatencyEstimator, ThroughputEstimator } from '../estimators/types.js';

/** hls.js's TTFB estimate before any sample (`EwmaBandWidthEstimator` `defaultTTFB`), ms. */
export const HLSJS_DEFAULT_TTFB_MS = 100;

/** hls.js `EwmaBandWidthEstimator`'s public surface, backed by an abrkit throughput and latency estimator. */
export class AbrkitBandwidthEstimator {
  constructor(
    /** The throughput estimator the algorithm decides with. */
    readonly throughput: ThroughputEstimator,
    /** The time-to-first-byte estimator. */
    readonly latency: LatencyEstimator,
    private defaultBps: number,
  ) {}

  /** Feeds one finished (or aborted) download to both estimators. */
  addSample(sample: DownloadSample): void {
    this.throughput.addSample(sample);
    this.latency.addSample(sample);
  }

  /** The throughput estimate, bits per second (the estimator's default until it has data). */
  getEstimate(): number {
    return this.throughput.estimate().throughputKbps * 1000;
  }

  /** The time-to-first-byte estimate, ms (100 ms before any sample, as hls.js). */
  getEstimateTTFB(): number {
    return this.latency.estimateMs() ?? HLSJS_DEFAULT_TTFB_MS;
  }

  /** True once a throughput sample was taken (hls.js: enough weight to trust the average). */
  canEstimate(): boolean {
    return this.throughput.estimate().sampleCount > 0;
  }

  /** The estimate before any sample, bits per second (`hls.abrEwmaDefaultEstimate`). */
  get defaultEstimate(): number {
    return this.defaultBps;
  }

  /**
   * Forgets every sample; with `defaultBps`, that becomes the estimate until new data arrives (when the
   * estimator supports a new default, as `EwmaEstimator.reset(kbps)` does).
   */
  reset(defaultBps?: number): void {
    if (defaultBps !== undefined && defaultBps > 0) {
      this.defaultBps = defaultBps;
      // EwmaEstimator.reset(defaultKbps) takes the new default; other estimators ignore the argument.
      const throughput = this.throughput as { reset(defaultKbps?: number): void };
      throughput.reset(defaultBps / 1000);
    } else {
      this.throughput.reset();
    }
    this.latency.reset();
  }

  /** hls.js calls these on its own estimator only; kept so code written for hls.js's estimator still runs. */
  update(): void {}
  destroy(): void {}
}
