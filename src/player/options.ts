/**
 * The player's options, their documented defaults, and their validation: a bad option throws a `TypeError`
 * naming it (`invalidArgument`), before anything is fetched.
 */
import type { AbrFactory, AbrOptions } from '../abr/types.js';
import { invalidArgument } from '../core/errors.js';
import type { ThroughputEstimator } from '../estimators/types.js';
import type { RetryPolicy } from '../net/retry.js';
import { DEFAULT_PLAYLIST_RETRY_POLICY, DEFAULT_RETRY_POLICY, validateRetryPolicy } from '../net/retry.js';
import type { QoeModelName } from '../qoe/models.js';
import type { CmcdOptions, ResolvedCmcdOptions } from '../core/cmcd-options.js';
import { resolveCmcdOptions } from '../core/cmcd-options.js';

/** What `createPlayer` accepts. Every field but none is required; defaults are in {@link PLAYER_DEFAULTS}. */
export interface PlayerOptions {
  /**
   * `'scenario-mpc'` (abrkit's own, docs/own-algorithm.md), `'bola'` (BOLA, Spiteri et al. INFOCOM 2016, as in
   * Sabre), `'throughput'` (Sabre's throughput rule), or any algorithm as a factory (e.g. `createBolaE`,
   * `createDynamic` from `abrkit`). Default `'scenario-mpc'` (the registry's `DEFAULT_ALGORITHM`).
   */
  readonly abr?: string | AbrFactory;
  /** Options for the algorithm (checked by the registry when `abr` is a name). */
  readonly abrOptions?: AbrOptions;
  /** Media the player keeps ahead of the playhead (max buffer), ms. Default 30000 (hls.js `maxBufferLength`). */
  readonly bufferTargetMs?: number;
  /** Media kept behind the playhead; older media is evicted, ms. Default 30000. */
  readonly backBufferMs?: number;
  /** Fetch the first segment at this rendition (0 = lowest) instead of asking the algorithm. Default: ask it. */
  readonly startRendition?: number;
  /** Throughput assumed before any measurement, kbps (the estimator's default). Default 500 (hls.js). */
  readonly startEstimateKbps?: number;
  /** Highest rendition index allowed. Default: the top one. */
  readonly maxRendition?: number;
  /**
   * Cap renditions to the element's size (hls.js `capLevelToPlayerSize`, hls.js #4522): the lowest rendition
   * at least as large as the element in device pixels, and nothing above it. Default false.
   */
  readonly capToElementSize?: boolean;
  /**
   * Retries of a failed segment (src/net/retry.ts, src/player/fallback.ts): backoff with jitter from 1 s up to
   * 8 s (hls.js `fragLoadPolicy`), within 31 s per segment (`maxTotalMs`), then a fatal error.
   */
  readonly retry?: Partial<RetryPolicy>;
  /** Retries of the playlists `load()` fetches: 1 s up to 8 s (hls.js `manifestLoadPolicy`), within 120 s. */
  readonly playlistRetry?: Partial<RetryPolicy>;
  /**
   * A request that receives no byte for this long fails (and is retried), ms. Default 10000 (hls.js
   * `fragLoadPolicy.maxTimeToFirstByteMs`).
   */
  readonly requestTimeoutMs?: number;
  /**
   * Until playback starts, a request whose first byte takes longer than this fails and is retried at once, ms
   * (a latency spike must not hold up startup for `requestTimeoutMs`). Default 3000.
   */
  readonly startupTimeoutMs?: number;
  /** Throughput estimator by name (`'ewma'`, `'harmonic'`, `'robust-harmonic'`, `'mean'`) or a factory. Default `'ewma'`. */
  readonly estimator?: string | (() => ThroughputEstimator);
  /** Options for a named estimator (`startEstimateKbps` fills `defaultEstimateKbps` when absent). */
  readonly estimatorOptions?: Readonly<Record<string, unknown>>;
  /** The QoE model of `qoe$` and of the exported per-segment log. Default `'lin'` (Pensieve's QoE_lin). */
  readonly qoeModel?: QoeModelName;
  /** Random numbers in [0, 1) for the retry jitter (tests pass a seeded one). Default `Math.random`. */
  readonly random?: () => number;
  /**
   * Send Common Media Client Data (CTA-5004 v1) with each segment request, as a `CMCD=` query parameter or as
   * CMCD-* headers (src/player/cmcd.ts says which keys and how they are derived). Default: none.
   */
  readonly cmcd?: CmcdOptions;
  /**
   * Live: how far behind the live edge to start, and the latency kept, ms. Default: three target durations
   * (hls.js `liveSyncDurationCount: 3`).
   */
  readonly liveSyncDurationMs?: number;
  /**
   * Live: beyond this latency the player jumps back to `liveSyncDurationMs`, ms. Default: that plus three
   * target durations.
   */
  readonly liveMaxLatencyMs?: number;
  /** Live: the fastest `playbackRate` used to catch up with the latency target, in [1, 2]. Default 1.1. */
  readonly liveMaxPlaybackRate?: number;
  /** Live: no new segment in any playlist for this long is a fatal `LIVE_STREAM_STALLED`, ms. Default 30000. */
  readonly liveStallTimeoutMs?: number;
}

/** The options with every default filled in. */
export interface ResolvedPlayerOptions {
  readonly abr: string | AbrFactory;
  readonly abrOptions: AbrOptions;
  readonly bufferTargetMs: number;
  readonly backBufferMs: number;
  readonly startRendition: number | null;
  readonly startEstimateKbps: number;
  readonly maxRendition: number | null;
  readonly capToElementSize: boolean;
  readonly retry: RetryPolicy;
  readonly playlistRetry: RetryPolicy;
  readonly requestTimeoutMs: number;
  readonly startupTimeoutMs: number;
  readonly estimator: string | (() => ThroughputEstimator);
  readonly estimatorOptions: Readonly<Record<string, unknown>>;
  readonly qoeModel: QoeModelName;
  readonly random: () => number;
  /** The `cmcd` option, checked (no session id: a random one per load), or null. */
  readonly cmcd: ResolvedCmcdOptions | null;
  /** Null: three target durations of the stream. */
  readonly liveSyncDurationMs: number | null;
  /** Null: `liveSyncDurationMs` plus three target durations. */
  readonly liveMaxLatencyMs: number | null;
  readonly liveMaxPlaybackRate: number;
  readonly liveStallTimeoutMs: number;
}

/** The documented defaults. */
export const PLAYER_DEFAULTS = {
  abr: 'scenario-mpc',
  bufferTargetMs: 30_000,
  backBufferMs: 30_000,
  startEstimateKbps: 500,
  capToElementSize: false,
  retry: DEFAULT_RETRY_POLICY,
  playlistRetry: DEFAULT_PLAYLIST_RETRY_POLICY,
  requestTimeoutMs: 10_000,
  startupTimeoutMs: 3000,
  estimator: 'ewma',
  qoeModel: 'lin',
  liveMaxPlaybackRate: 1.1,
  liveStallTimeoutMs: 30_000,
} as const;

const KNOWN = new Set<string>([
  'abr',
  'abrOptions',
  'bufferTargetMs',
  'backBufferMs',
  'startRendition',
  'startEstimateKbps',
  'maxRendition',
  'capToElementSize',
  'retry',
  'playlistRetry',
  'requestTimeoutMs',
  'startupTimeoutMs',
  'estimator',
  'estimatorOptions',
  'qoeModel',
  'random',
  'cmcd',
  'liveSyncDurationMs',
  'liveMaxLatencyMs',
  'liveMaxPlaybackRate',
  'liveStallTimeoutMs',
]);

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidArgument(name, `must be a finite number > 0, got ${describe(value)}`);
  }
  return value;
}

function nonNegative(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw invalidArgument(name, `must be a number >= 0, got ${describe(value)}`);
  }
  return value;
}

function index(name: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalidArgument(name, `must be an integer >= 0, got ${describe(value)}`);
  }
  return value;
}

function plainObject(name: string, value: unknown): Readonly<Record<string, unknown>> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(name, `must be an object, got ${describe(value)}`);
  }
  return value as Readonly<Record<string, unknown>>;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return `a string (${JSON.stringify(value)})`;
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}

/** Checks `options` and fills in the defaults; throws a `TypeError` naming the first bad option. */
export function resolvePlayerOptions(options: PlayerOptions = {}): ResolvedPlayerOptions {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw invalidArgument(key, `unknown option (known: ${[...KNOWN].join(', ')})`);
  }
  const abr = options.abr ?? PLAYER_DEFAULTS.abr;
  if (typeof abr !== 'function' && (typeof abr !== 'string' || abr === '')) {
    throw invalidArgument('abr', `must be an algorithm name or a factory, got ${describe(abr)}`);
  }
  const estimator = options.estimator ?? PLAYER_DEFAULTS.estimator;
  if (typeof estimator !== 'function' && (typeof estimator !== 'string' || estimator === '')) {
    throw invalidArgument('estimator', `must be an estimator name or a factory, got ${describe(estimator)}`);
  }
  const qoeModel = options.qoeModel ?? PLAYER_DEFAULTS.qoeModel;
  if (qoeModel !== 'lin' && qoeModel !== 'log' && qoeModel !== 'hd') {
    throw invalidArgument('qoeModel', `must be 'lin', 'log' or 'hd', got ${describe(qoeModel)}`);
  }
  const capToElementSize = options.capToElementSize ?? PLAYER_DEFAULTS.capToElementSize;
  if (typeof capToElementSize !== 'boolean') {
    throw invalidArgument('capToElementSize', `must be a boolean, got ${describe(capToElementSize)}`);
  }
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw invalidArgument('random', 'must be a function');
  const retryGiven = plainObject('retry', options.retry);
  const retry = validateRetryPolicy({ ...PLAYER_DEFAULTS.retry, ...retryGiven }, 'retry');
  const playlistRetry = validateRetryPolicy(
    { ...PLAYER_DEFAULTS.playlistRetry, ...plainObject('playlistRetry', options.playlistRetry) },
    'playlistRetry',
  );
  const startRendition = index('startRendition', options.startRendition);
  const maxRendition = index('maxRendition', options.maxRendition);
  if (startRendition !== null && maxRendition !== null && startRendition > maxRendition) {
    throw invalidArgument(
      'startRendition',
      `must be <= maxRendition (${maxRendition}), got ${startRendition}`,
    );
  }
  const bufferTargetMs = positive('bufferTargetMs', options.bufferTargetMs, PLAYER_DEFAULTS.bufferTargetMs);
  const liveMaxPlaybackRate = positive(
    'liveMaxPlaybackRate',
    options.liveMaxPlaybackRate,
    PLAYER_DEFAULTS.liveMaxPlaybackRate,
  );
  if (liveMaxPlaybackRate < 1 || liveMaxPlaybackRate > 2)
    throw invalidArgument('liveMaxPlaybackRate', `must be in [1, 2], got ${liveMaxPlaybackRate}`);
  return {
    abr,
    abrOptions: plainObject('abrOptions', options.abrOptions),
    bufferTargetMs,
    backBufferMs: nonNegative('backBufferMs', options.backBufferMs, PLAYER_DEFAULTS.backBufferMs),
    startRendition,
    startEstimateKbps: positive(
      'startEstimateKbps',
      options.startEstimateKbps,
      PLAYER_DEFAULTS.startEstimateKbps,
    ),
    maxRendition,
    capToElementSize,
    retry,
    playlistRetry,
    requestTimeoutMs: positive(
      'requestTimeoutMs',
      options.requestTimeoutMs,
      PLAYER_DEFAULTS.requestTimeoutMs,
    ),
    startupTimeoutMs: positive(
      'startupTimeoutMs',
      options.startupTimeoutMs,
      PLAYER_DEFAULTS.startupTimeoutMs,
    ),
    estimator,
    estimatorOptions: plainObject('estimatorOptions', options.estimatorOptions),
    qoeModel,
    random,
    cmcd: resolveCmcdOptions(options.cmcd),
    liveSyncDurationMs: positive('liveSyncDurationMs', options.liveSyncDurationMs, 0) || null,
    liveMaxLatencyMs: positive('liveMaxLatencyMs', options.liveMaxLatencyMs, 0) || null,
    liveMaxPlaybackRate,
    liveStallTimeoutMs: positive(
      'liveStallTimeoutMs',
      options.liveStallTimeoutMs,
      PLAYER_DEFAULTS.liveStallTimeoutMs,
    ),
  };
}
