import type { DownloadSample } from '../core/types.js';

/** What an estimator says now. */
export interface ThroughputEstimate {
  /** The estimate the ABR logic should use, kbps. Equals the configured default until enough data arrived. */
  readonly throughputKbps: number;
  /** Samples taken into account so far. */
  readonly sampleCount: number;
}

/**
 * A throughput estimator: fed one `DownloadSample` per finished download (and optionally progress),
 * asked for an estimate before each decision. Pure: time only comes in through the samples.
 */
export interface ThroughputEstimator {
  readonly name: string;
  addSample(sample: DownloadSample): void;
  estimate(): ThroughputEstimate;
  reset(): void;
}

/** A latency (time to first byte) estimator. */
export interface LatencyEstimator {
  readonly name: string;
  addSample(sample: DownloadSample): void;
  /** null until the first sample. */
  estimateMs(): number | null;
  reset(): void;
}
