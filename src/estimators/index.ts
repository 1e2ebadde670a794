export * from './types.js';
export { Ewma } from './ewma.js';
export {
  EwmaEstimator,
  EWMA_PRESETS,
  resolveEwmaOptions,
  type EwmaEstimatorOptions,
  type EwmaPresetName,
  type ResolvedEwmaOptions,
} from './ewma-estimator.js';
export { SlidingHarmonicMeanEstimator, type HarmonicEstimatorOptions } from './harmonic.js';
export { SlidingMeanEstimator, type SlidingMeanEstimatorOptions } from './sliding-mean.js';
export {
  EwmaLatencyEstimator,
  createSabreLatencyEstimator,
  type EwmaLatencyEstimatorOptions,
  type LatencyWeighting,
} from './latency.js';
export { LiveEdgeEstimator, type LiveEdgeEstimatorOptions, type LiveEdgeSampleUse } from './live-edge.js';
export { sampleDurationMs, sampleThroughputKbps, type SampleTiming } from './options.js';
export {
  ESTIMATORS,
  createEstimator,
  estimatorNames,
  type EstimatorInfo,
  type EstimatorName,
} from './registry.js';
