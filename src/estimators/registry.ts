/**
 * Throughput estimators by name, for the CLI, batch runners and the player's configuration:
 * `createEstimator('robust-harmonic', { window: 5 })`. Unknown names are configuration errors
 * (`AbrkitError('config', 'ESTIMATOR_UNKNOWN')`); bad options throw a `TypeError` naming the option.
 */
import { AbrkitError, invalidArgument } from '../core/errors.js';
import { EWMA_PRESETS, EwmaEstimator, type EwmaPresetName } from './ewma-estimator.js';
import { SlidingHarmonicMeanEstimator, type HarmonicEstimatorOptions } from './harmonic.js';
import { SlidingMeanEstimator } from './sliding-mean.js';
import { LiveEdgeEstimator } from './live-edge.js';
import type { ThroughputEstimator } from './types.js';

export type EstimatorName = 'ewma' | 'harmonic' | 'robust-harmonic' | 'mean' | 'live-edge';

export interface EstimatorInfo {
  readonly name: EstimatorName;
  readonly description: string;
  /** Paper or source it follows. */
  readonly citation: string;
  /** Option names it accepts (see each class's options type for units and defaults). */
  readonly options: readonly string[];
  readonly create: (options?: Readonly<Record<string, unknown>>) => ThroughputEstimator;
}

const EWMA_OPTIONS = [
  'preset',
  'fastHalfLifeS',
  'slowHalfLifeS',
  'defaultEstimateKbps',
  'timing',
  'cacheHitMs',
  'minSampleBytes',
  'minDurationMs',
  'minTotalBytes',
  'minTotalWeightS',
];

function createEwma(options: Readonly<Record<string, unknown>> = {}): EwmaEstimator {
  const { preset, ...rest } = options;
  if (preset === undefined) return new EwmaEstimator(rest);
  if (typeof preset !== 'string' || !Object.hasOwn(EWMA_PRESETS, preset)) {
    throw invalidArgument(
      'preset',
      `must be one of ${Object.keys(EWMA_PRESETS).join(', ')}, got ${typeof preset === 'string' ? preset : typeof preset}`,
    );
  }
  return EwmaEstimator.preset(preset as EwmaPresetName, rest);
}

/** Every estimator `createEstimator` knows, in a stable order. */
export const ESTIMATORS: readonly EstimatorInfo[] = [
  {
    name: 'ewma',
    description:
      'Lower of a fast and a slow EWMA of throughput weighted by download time (presets: hlsjs, shaka, dashjs, sabre)',
    citation:
      'hls.js EwmaBandWidthEstimator; Shaka EwmaBandwidthEstimator; Spiteri et al., MMSys 2018 (Sabre)',
    options: EWMA_OPTIONS,
    create: createEwma,
  },
  {
    name: 'harmonic',
    description: 'Harmonic mean of the last 5 throughput samples (MPC)',
    citation:
      'Yin et al., "A Control-Theoretic Approach for Dynamic Adaptive Video Streaming over HTTP", SIGCOMM 2015',
    options: ['window', 'defaultEstimateKbps', 'timing'],
    create: (options = {}) => {
      rejectRobust(options);
      return new SlidingHarmonicMeanEstimator({ ...(options as HarmonicEstimatorOptions), robust: false });
    },
  },
  {
    name: 'robust-harmonic',
    description:
      'Harmonic mean discounted by 1 + the max relative prediction error of the last 5 samples (robustMPC)',
    citation: 'Yin et al., SIGCOMM 2015; as coded in Pensieve test/mpc.py (Mao et al., SIGCOMM 2017)',
    options: ['window', 'errorWindow', 'defaultEstimateKbps', 'timing'],
    create: (options = {}) => {
      rejectRobust(options);
      return new SlidingHarmonicMeanEstimator({ ...(options as HarmonicEstimatorOptions), robust: true });
    },
  },
  {
    name: 'mean',
    description: 'Arithmetic mean of the last 3 throughput samples (Sabre sliding window)',
    citation: 'Spiteri, Sitaraman, Sparacio, "From Theory to Practice", MMSys 2018 (Sabre)',
    options: ['window', 'defaultEstimateKbps', 'timing'],
    create: (options = {}) => new SlidingMeanEstimator(options),
  },
  {
    name: 'live-edge',
    description:
      'For live: throughput over transfer time only (TTFB estimated apart), samples under 16 kB or mostly idle (producer-limited) feed only the latency; lower of 2 s / 6 s EWMAs, the fast one once 3 samples in a row beat the slow',
    citation:
      'abrkit, after hls.js EwmaBandWidthEstimator and Shaka minBytes; hls.js #3563, #7133, #7948, Shaka #3422 (src/estimators/live-edge.ts)',
    options: [
      'fastHalfLifeS',
      'slowHalfLifeS',
      'defaultEstimateKbps',
      'minSampleBytes',
      'cacheHitMs',
      'maxIdleFraction',
      'recoverySamples',
      'latencyHalfLifeSamples',
    ],
    create: (options = {}) => new LiveEdgeEstimator(options),
  },
];

function rejectRobust(options: Readonly<Record<string, unknown>>): void {
  if ('robust' in options)
    throw invalidArgument('robust', "choose 'harmonic' or 'robust-harmonic' by name instead");
}

/** Names `createEstimator` accepts. */
export function estimatorNames(): EstimatorName[] {
  return ESTIMATORS.map((e) => e.name);
}

/** Builds the estimator called `name`; see {@link ESTIMATORS} for names and options. */
export function createEstimator(
  name: string,
  options: Readonly<Record<string, unknown>> = {},
): ThroughputEstimator {
  const info = ESTIMATORS.find((e) => e.name === name);
  if (!info) {
    throw new AbrkitError('config', 'ESTIMATOR_UNKNOWN', `unknown throughput estimator '${name}'`, {
      data: { name, known: estimatorNames() },
    });
  }
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'must be an object');
  return info.create(options);
}
