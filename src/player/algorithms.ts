/**
 * The algorithms and estimators the player knows by name. Not the whole registry (src/abr/registry.ts),
 * which would bundle every algorithm and its docs into `abrkit/player` and break its 30 KB budget (measured by
 * bench/player-bundle.ts: the whole registry costs about 7 KB gzipped, BOLA-E alone 3.6 KB): the player names
 * scenario-mpc (the default), BOLA and the throughput rule. Only their option specs are bundled
 * (src/abr/scenario-mpc-options.ts, src/abr/sabre-options.ts), so `createPlayer` still checks `abrOptions`
 * at once; the algorithm itself is a lazy chunk whose import starts in `createPlayer` (beside the master
 * playlist's fetch) and is awaited by `load()` before the first decision. Any other algorithm or estimator is passed as a factory
 * (`createPlayer({ abr: createBolaE })`, `estimator: () => new SlidingHarmonicMeanEstimator()`), so only what
 * a page uses is bundled.
 */
import type { AbrAlgorithm, AbrFactory, AbrOptionCore, AbrOptions } from '../abr/types.js';
import { resolveOptions } from '../abr/options.js';
import { BOLA_OPTIONS, THROUGHPUT_OPTIONS } from '../abr/sabre-options.js';
import { SCENARIO_MPC_NAME, SCENARIO_MPC_OPTION_SPECS } from '../abr/scenario-mpc-options.js';
import { invalidArgument } from '../core/errors.js';
import { EWMA_PRESETS, EwmaEstimator } from '../estimators/ewma-estimator.js';
import type { EwmaPresetName } from '../estimators/ewma-estimator.js';
import type { ThroughputEstimator } from '../estimators/types.js';
import type { ResolvedPlayerOptions } from './options.js';

/** An algorithm the player knows by name: its option specs and its factory, at once or from a lazy chunk. */
export interface PlayerAlgorithm {
  readonly name: string;
  readonly options: readonly AbrOptionCore[];
  readonly factory: () => AbrFactory | Promise<AbrFactory>;
}

/** Algorithms `createPlayer({ abr: name })` accepts. */
export const PLAYER_ALGORITHMS: readonly PlayerAlgorithm[] = [
  {
    name: SCENARIO_MPC_NAME,
    options: SCENARIO_MPC_OPTION_SPECS,
    factory: async () => (await import('../abr/scenario-mpc.js')).createScenarioMpc,
  },
  { name: 'bola', options: BOLA_OPTIONS, factory: async () => (await import('../abr/bola.js')).createBola },
  {
    name: 'throughput',
    options: THROUGHPUT_OPTIONS,
    factory: async () => (await import('../abr/throughput.js')).createThroughput,
  },
];

/** Estimators `createPlayer({ estimator: name })` accepts. */
export const PLAYER_ESTIMATORS: readonly string[] = ['ewma'];

/**
 * Creates a named player algorithm: at once for the default, a promise for one loaded lazily. An unknown
 * name or a bad option is a `TypeError` naming `abr` / `abrOptions`, thrown at once either way.
 */
export function createPlayerAlgorithm(
  name: string,
  options: AbrOptions,
): AbrAlgorithm | Promise<AbrAlgorithm> {
  const info = PLAYER_ALGORITHMS.find((a) => a.name === name);
  if (!info) {
    throw invalidArgument(
      'abr',
      `unknown algorithm '${name}' (by name: ${PLAYER_ALGORITHMS.map((a) => a.name).join(', ')}; pass any other as a factory)`,
    );
  }
  try {
    resolveOptions(name, info.options, options);
  } catch (error) {
    throw invalidArgument('abrOptions', error instanceof Error ? error.message : String(error));
  }
  const factory = info.factory();
  if (!(factory instanceof Promise)) return factory(options);
  const algorithm = factory.then((create) => create(options));
  // load() awaits it and reports a failed chunk; a player never loaded must not leave an unhandled rejection
  algorithm.catch(() => undefined);
  return algorithm;
}

/**
 * Creates a named estimator: `'ewma'` with its options (`preset: 'hlsjs' | 'shaka' | 'dashjs' | 'sabre'` and
 * overrides, src/estimators/ewma-estimator.ts). Bad names or options are `TypeError`s naming the option.
 */
export function createPlayerEstimator(
  name: string,
  options: Readonly<Record<string, unknown>>,
): ThroughputEstimator {
  if (name !== 'ewma') {
    throw invalidArgument(
      'estimator',
      `unknown estimator '${name}' (by name: ewma; pass any other as a factory)`,
    );
  }
  const { preset, ...rest } = options;
  try {
    if (preset === undefined) return new EwmaEstimator(rest);
    if (typeof preset !== 'string' || !Object.hasOwn(EWMA_PRESETS, preset)) {
      throw invalidArgument('preset', `must be one of ${Object.keys(EWMA_PRESETS).join(', ')}`);
    }
    return EwmaEstimator.preset(preset as EwmaPresetName, rest);
  } catch (error) {
    throw invalidArgument('estimatorOptions', error instanceof Error ? error.message : String(error));
  }
}

/** The algorithm of the resolved options (a name or a factory); a promise for a lazily loaded name. */
export function makeAlgorithm(o: ResolvedPlayerOptions): AbrAlgorithm | Promise<AbrAlgorithm> {
  if (typeof o.abr === 'function') {
    const algorithm = o.abr(o.abrOptions);
    if (typeof algorithm !== 'object' || algorithm === null || typeof algorithm.choose !== 'function') {
      throw invalidArgument('abr', 'the factory must return an AbrAlgorithm (with choose())');
    }
    return algorithm;
  }
  return createPlayerAlgorithm(o.abr, o.abrOptions);
}

/** The throughput estimator of the resolved options (a name or a factory). */
export function makeEstimator(o: ResolvedPlayerOptions): ThroughputEstimator {
  if (typeof o.estimator === 'function') {
    const estimator = o.estimator();
    if (typeof estimator !== 'object' || estimator === null || typeof estimator.estimate !== 'function') {
      throw invalidArgument('estimator', 'the factory must return a ThroughputEstimator');
    }
    return estimator;
  }
  // The player fetches with `cache: 'no-store'`, so a transfer under a few ms is a fast link (loopback, LAN)
  // whose whole body came in one chunk, not an HTTP cache hit: the EWMA keeps it, its 50 ms floor bounds it.
  const guard = o.estimator === 'ewma' && !('preset' in o.estimatorOptions) ? { cacheHitMs: 0 } : {};
  const options = { defaultEstimateKbps: o.startEstimateKbps, ...guard, ...o.estimatorOptions };
  return createPlayerEstimator(o.estimator, options);
}

/**
 * The estimator as the session sees it: the loop resets its estimator at every start, but a seek (a new
 * session) should not forget what the network was doing, so only the first reset goes through.
 */
export function keepAcrossSessions(estimator: ThroughputEstimator): ThroughputEstimator {
  let resetOnce = false;
  return {
    name: estimator.name,
    addSample: (sample) => estimator.addSample(sample),
    estimate: () => estimator.estimate(),
    reset: () => {
      if (resetOnce) return;
      resetOnce = true;
      estimator.reset();
    },
  };
}
