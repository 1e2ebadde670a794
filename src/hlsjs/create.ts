/**
 * `createHlsAbrController`: an abrkit algorithm (by name or factory) as the class hls.js takes in its
 * `abrController` config.
 *
 * ```ts
 * import Hls from 'hls.js';
 * import { createHlsAbrController } from 'abrkit/hlsjs';
 * const AbrkitAbr = createHlsAbrController('bola', { algorithmOptions: { bufferTargetMs: 30_000 } });
 * AbrkitAbr.decision$.subscribe((d) => console.log(d.segmentIndex, d.level, d.reason));
 * const hls = new Hls({ abrController: AbrkitAbr });
 * ```
 * hls.js is a peer dependency: nothing here imports it at run time, so the page bundles its own copy once.
 */
import type { AbrController } from 'hls.js';
import { Observable } from 'rxjs';
import { createAlgorithm } from '../abr/registry.js';
import type { AbrAlgorithm, AbrAlgorithmCore, AbrFactory, AbrOptions } from '../abr/types.js';
import type { Clock } from '../core/clock.js';
import { invalidArgument } from '../core/errors.js';
import { Emitter } from '../core/events.js';
import { createWallClock } from '../core/wall-clock.js';
import { EwmaEstimator } from '../estimators/ewma-estimator.js';
import { EwmaLatencyEstimator } from '../estimators/latency.js';
import { createEstimator } from '../estimators/registry.js';
import type { LatencyEstimator, ThroughputEstimator } from '../estimators/types.js';
import { AbrkitBandwidthEstimator } from './bw-estimator.js';
import { AbrkitHlsController, type ControllerSetup } from './controller.js';
import type { HlsAbrDecision, HlsAbrEvents } from './events.js';
import type { HlsLike } from './hls-shape.js';

export interface HlsAbrControllerOptions {
  /** Options of the algorithm when it is given by name (checked against its specs). */
  readonly algorithmOptions?: AbrOptions;
  /**
   * The throughput estimator: a name for `createEstimator` (src/estimators/registry.ts) with
   * `estimatorOptions`, or a factory. Default `EwmaEstimator.preset('hlsjs')` starting from
   * `hls.config.abrEwmaDefaultEstimate`.
   */
  readonly estimator?: string | (() => ThroughputEstimator);
  readonly estimatorOptions?: Readonly<Record<string, unknown>>;
  /** The time-to-first-byte estimator. Default `new EwmaLatencyEstimator()` (hls.js's weighting). */
  readonly latencyEstimator?: () => LatencyEstimator;
  /**
   * The buffer target the algorithm is told, ms. Default: what hls.js's stream controller fills to
   * (`maxBufferLength`, raised for low bitrates by `maxBufferSize`, capped by `maxMaxBufferLength`). If you
   * set it, set hls.js's `maxBufferLength` and `maxMaxBufferLength` to the same so both agree.
   */
  readonly bufferTargetMs?: number;
  /** Check `shouldAbandon` while a fragment loads. Default true. */
  readonly abandonment?: boolean;
  /** How often, ms. Default 100 (hls.js). */
  readonly abandonCheckIntervalMs?: number;
  /** Feed the bytes of abandoned or failed downloads to the estimators. Default true (hls.js does). */
  readonly sampleAbortedDownloads?: boolean;
  /** Time source; must share hls.js's time line (`performance.now()`). Default the page's clock. */
  readonly clock?: Clock;
}

/**
 * The class `createHlsAbrController` returns. It is typed as hls.js's own `AbrController` class as well, since
 * that is what the `abrController` config is declared as (ANCHORS.md: its private fields make a structural
 * class fail to type-check); the cast to it is in {@link createHlsAbrController} and nowhere else.
 */
export type HlsAbrControllerClass = typeof AbrController & {
  new (hls: HlsLike): AbrkitHlsController;
  /** Name of the algorithm (registry name or the factory's algorithm `name`). */
  readonly algorithmName: string;
  /** Events of every controller made from this class (one per `Hls` instance). */
  readonly events: Emitter<HlsAbrEvents>;
  /** Every decision of every controller of this class. */
  readonly decision$: Observable<HlsAbrDecision>;
};

const OPTION_NAMES = new Set([
  'algorithmOptions',
  'estimator',
  'estimatorOptions',
  'latencyEstimator',
  'bufferTargetMs',
  'abandonment',
  'abandonCheckIntervalMs',
  'sampleAbortedDownloads',
  'clock',
]);

/**
 * Builds the class to pass as `new Hls({ abrController })`. `algorithm` is a registered name
 * (`createAlgorithm`, src/abr/registry.ts: 'scenario-mpc', 'throughput', 'bola', 'bola-e', 'bba', ...), an
 * `AbrFactory` (`createRobustMpc`) or an algorithm's info (`scenarioMpcInfo`, or an `AbrAlgorithmInfo`). Each
 * `Hls` instance gets its own algorithm and estimators. Unknown names and bad algorithm options throw
 * `AbrkitError('config')` here, not in hls.js.
 */
export function createHlsAbrController(
  algorithm: string | AbrFactory | AbrAlgorithmCore,
  options: HlsAbrControllerOptions = {},
): HlsAbrControllerClass {
  if (options === null || typeof options !== 'object') throw invalidArgument('options', 'must be an object');
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) {
      throw invalidArgument(`options.${key}`, `unknown option (known: ${[...OPTION_NAMES].join(', ')})`);
    }
  }
  const make = resolveAlgorithm(algorithm, options.algorithmOptions);
  const algorithmName = make().name; // builds one now so that a bad name or option fails here
  const setup: ControllerSetup = {
    createAlgorithm: make,
    createEstimator: resolveEstimators(options),
    clock: options.clock ?? defaultClock(),
    bufferTargetMs: checkOptional('bufferTargetMs', options.bufferTargetMs, 0),
    abandonment: options.abandonment ?? true,
    abandonCheckIntervalMs: checkOptional('abandonCheckIntervalMs', options.abandonCheckIntervalMs, 1) ?? 100,
    sampleAbortedDownloads: options.sampleAbortedDownloads ?? true,
    classEvents: new Emitter<HlsAbrEvents>(),
  };
  const classEvents = setup.classEvents;
  class AbrkitAbrController extends AbrkitHlsController {
    static readonly algorithmName = algorithmName;
    static readonly events = classEvents;
    static readonly decision$ = new Observable<HlsAbrDecision>((subscriber) =>
      classEvents.on('decision', (d) => subscriber.next(d)),
    );
    constructor(hls: HlsLike) {
      super(hls, setup);
    }
  }
  // The one cast (see HlsAbrControllerClass): hls.js only uses the members AbrkitHlsController implements.
  return AbrkitAbrController as unknown as HlsAbrControllerClass;
}

/** The abrkit controller an `Hls` instance runs, or null when it runs another. */
export function abrkitControllerOf(hls: object): AbrkitHlsController | null {
  const controller = (hls as { abrController?: unknown }).abrController;
  return controller instanceof AbrkitHlsController ? controller : null;
}

function resolveAlgorithm(
  algorithm: string | AbrFactory | AbrAlgorithmCore,
  options: AbrOptions | undefined,
): () => AbrAlgorithm {
  if (typeof algorithm === 'string') return () => createAlgorithm(algorithm, options);
  if (typeof algorithm === 'function') return () => checkAlgorithm(algorithm(options));
  if (algorithm !== null && typeof algorithm === 'object' && typeof algorithm.create === 'function') {
    return () => checkAlgorithm(algorithm.create(options));
  }
  throw invalidArgument('algorithm', 'must be an algorithm name, an AbrFactory or an AbrAlgorithmInfo');
}

function checkAlgorithm(algorithm: AbrAlgorithm): AbrAlgorithm {
  if (algorithm === null || typeof algorithm !== 'object' || typeof algorithm.choose !== 'function') {
    throw invalidArgument('algorithm', 'the factory must return an AbrAlgorithm (with choose())');
  }
  return algorithm;
}

function resolveEstimators(options: HlsAbrControllerOptions): (hls: HlsLike) => AbrkitBandwidthEstimator {
  const { estimator, estimatorOptions = {}, latencyEstimator } = options;
  if (estimator !== undefined && typeof estimator !== 'string' && typeof estimator !== 'function') {
    throw invalidArgument('estimator', 'must be an estimator name or a factory');
  }
  if (typeof estimator === 'string') createEstimator(estimator, estimatorOptions); // fail early on bad names
  if (latencyEstimator !== undefined && typeof latencyEstimator !== 'function') {
    throw invalidArgument('latencyEstimator', 'must be a factory');
  }
  return (hls) => {
    let throughput: ThroughputEstimator;
    if (typeof estimator === 'string') throughput = createEstimator(estimator, estimatorOptions);
    else if (typeof estimator === 'function') throughput = estimator();
    else {
      const defaultBps = hls.config.abrEwmaDefaultEstimate;
      throughput = EwmaEstimator.preset(
        'hlsjs',
        defaultBps !== undefined && defaultBps > 0 ? { defaultEstimateKbps: defaultBps / 1000 } : {},
      );
    }
    const latency = latencyEstimator ? latencyEstimator() : new EwmaLatencyEstimator();
    return new AbrkitBandwidthEstimator(throughput, latency, throughput.estimate().throughputKbps * 1000);
  };
}

function checkOptional(name: string, value: number | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw invalidArgument(name, `must be a finite number >= ${min}, got ${String(value)}`);
  }
  return value;
}

function defaultClock(): Clock {
  return createWallClock(
    () => performance.now(),
    (cb, ms) => setTimeout(cb, ms),
    (handle) => clearTimeout(handle),
  );
}
