/**
 * MPC: model predictive control of the bitrate.
 *
 * Paper: X. Yin, A. Jindal, V. Sekar, B. Sinopoli, "A Control-Theoretic Approach for Dynamic Adaptive Video
 * Streaming over HTTP", ACM SIGCOMM 2015. Conventions as coded in Pensieve's `test/mpc.py` (Mao et al., SIGCOMM
 * 2017), see ANCHORS.md: before each segment, predict the throughput (harmonic mean of the last up-to-5
 * samples, each `size / (request-to-last-byte time)`, RTT included), then try every sequence of renditions over
 * the next `horizon` segments, simulate the buffer with the exact segment sizes, score each sequence with the
 * QoE objective and take the first rendition of the best one. robustMPC (robust-mpc.ts) divides the prediction
 * by 1 + the largest recent relative prediction error.
 *
 * This file holds what both share: the throughput predictor and the algorithm itself (`robust` off here); the
 * exact search is mpc-search.ts. The QoE objective (ladder-aware rebuffer penalty) is src/qoe/objective.ts.
 *
 * The search is a depth-first walk of the R^h sequences in lexicographic order with the buffer, rebuffer,
 * utility and smoothness sums carried down the tree (typed arrays, no allocation): it performs, per sequence,
 * exactly the floating-point operations of the plain nested loop, in the same order, so scores are
 * bit-identical to the exhaustive enumeration, and ties are broken like Pensieve's `>=` (the later sequence in
 * lexicographic order wins). Subtrees whose upper bound is strictly below a score a real plan reached are
 * skipped, so the decision and its score equal full enumeration's bit for bit (proof in docs/mpc-speed.md).
 */
import { AbrkitError } from '../core/errors.js';
import type { DownloadSample, Rendition } from '../core/types.js';
import { qoeTable, type QoeModelName, type QoeTable, type QoeWeights } from '../qoe/objective.js';
import type {
  AbrAlgorithm,
  AbrAlgorithmCore,
  AbrAlgorithmDocs,
  AbrContext,
  AbrDecision,
  AbrOptionCore,
  AbrOptions,
} from './types.js';
import { MpcSearch } from './mpc-search.js';
import { HORIZON_OPTION_SPEC, QOE_OBJECTIVE_OPTION_SPEC, SMOOTH_PENALTY_OPTION_SPEC } from './mpc-options.js';

export { HORIZON_OPTION_SPEC, QOE_OBJECTIVE_OPTION_SPEC, SMOOTH_PENALTY_OPTION_SPEC };

/** The search moved to mpc-search.ts; re-exported for existing importers. */
export { MpcSearch };

// ---------------------------------------------------------------------------------------------------------------
// Throughput predictor (harmonic mean, optional robust discount)
// ---------------------------------------------------------------------------------------------------------------

/**
 * Pensieve's robustMPC predictor, state per session. Samples are in MB/s = kB/ms, computed as
 * `sizeBytes / totalMs / 1000` exactly like `test/mpc.py`, so the floating-point results match.
 */
export class HarmonicPredictor {
  private readonly samples: Float64Array;
  private readonly errors: Float64Array;
  private sampleCount = 0;
  private errorCount = 0;
  private lastEstimateMBps = 0;
  private hasEstimate = false;
  private discountedMBps = 0;
  private maxErr = 0;

  /** `window`: samples in the harmonic mean and errors in the max (5 in the paper). */
  constructor(readonly window = 5) {
    if (!Number.isInteger(window) || window < 1)
      throw new TypeError(`window: must be an integer >= 1, got ${window}`);
    this.samples = new Float64Array(window);
    this.errors = new Float64Array(window);
  }

  /** Feeds one download: `sizeBytes` over `totalMs` (request to last byte). Ignores empty or zero-time ones. */
  addSample(sizeBytes: number, totalMs: number): void {
    if (!(sizeBytes > 0) || !(totalMs > 0) || !Number.isFinite(sizeBytes) || !Number.isFinite(totalMs))
      return;
    const mbps = sizeBytes / totalMs / 1000;
    const error = this.hasEstimate ? Math.abs(this.lastEstimateMBps - mbps) / mbps : 0;
    this.push(this.errors, this.errorCount++, error);
    this.push(this.samples, this.sampleCount++, mbps);
    // harmonic mean of the last up-to-window samples, oldest first (the order of Pensieve's sum)
    const k = Math.min(this.sampleCount, this.window);
    let inverseSum = 0;
    for (let i = this.sampleCount - k; i < this.sampleCount; i++)
      inverseSum += 1 / (this.samples[i % this.window] ?? 1);
    const harmonic = 1 / (inverseSum / k);
    let maxError = 0;
    const m = Math.min(this.errorCount, this.window);
    for (let i = this.errorCount - m; i < this.errorCount; i++)
      maxError = Math.max(maxError, this.errors[i % this.window] ?? 0);
    this.lastEstimateMBps = harmonic;
    this.hasEstimate = true;
    this.maxErr = maxError;
    this.discountedMBps = harmonic / (1 + maxError);
  }

  /** Samples seen since the last reset. */
  get count(): number {
    return this.sampleCount;
  }

  /** Harmonic mean of the last samples, MB/s; null before the first. */
  harmonicMBps(): number | null {
    return this.hasEstimate ? this.lastEstimateMBps : null;
  }

  /** Harmonic mean divided by (1 + max of the last relative errors), MB/s; null before the first sample. */
  robustMBps(): number | null {
    return this.hasEstimate ? this.discountedMBps : null;
  }

  /** Largest relative error over the window (0 before the second sample). */
  maxError(): number {
    return this.maxErr;
  }

  reset(): void {
    this.sampleCount = 0;
    this.errorCount = 0;
    this.hasEstimate = false;
    this.lastEstimateMBps = 0;
    this.discountedMBps = 0;
    this.maxErr = 0;
  }

  private push(ring: Float64Array, count: number, value: number): void {
    ring[count % this.window] = value;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The algorithm
// ---------------------------------------------------------------------------------------------------------------

/**
 * Descriptions of the option specs MPC shares with scenario-mpc (the specs themselves are in mpc-options.ts;
 * docs only: the registry joins them, the player never loads them).
 */
export const HORIZON_OPTION_DOC = 'Segments looked ahead.';
export const QOE_OBJECTIVE_OPTION_DOC = 'QoE objective (Pensieve Table 1); hd needs 6 renditions.';
export const SMOOTH_PENALTY_OPTION_DOC = 'Weight of |q(R) - q(R_prev)|.';

/** Options common to `mpc` and `robust-mpc`. */
export const MPC_OPTION_SPECS: readonly AbrOptionCore[] = [
  HORIZON_OPTION_SPEC,
  {
    name: 'window',
    type: 'integer',
    default: 5,
    min: 1,
    max: 50,
  },
  QOE_OBJECTIVE_OPTION_SPEC,
  {
    name: 'rebufferPenalty',
    type: 'number',
    default: -1,
    min: -1,
  },
  SMOOTH_PENALTY_OPTION_SPEC,
  {
    name: 'pensieveSizeOffset',
    type: 'boolean',
    default: false,
  },
  {
    name: 'firstRenditionIndex',
    type: 'integer',
    default: -1,
    min: -1,
  },
];

/** Descriptions of {@link MPC_OPTION_SPECS} (docs only), shared by mpc and robust-mpc. */
export const MPC_OPTION_DOCS: Readonly<Record<string, string>> = {
  horizon: HORIZON_OPTION_DOC,
  qoe: QOE_OBJECTIVE_OPTION_DOC,
  smoothPenalty: SMOOTH_PENALTY_OPTION_DOC,
  window: 'Throughput samples in the harmonic mean (and errors in the robust max).',
  rebufferPenalty:
    'Penalty per second of rebuffering; -1: the QoE model’s ladder-aware one (lin: top Mbps, log: ln(top/bottom), hd: 8).',
  pensieveSizeOffset:
    'Reproduce Pensieve’s test/mpc.py off-by-one: deciding segment k reads the sizes of k+1..k+h instead of k..k+h-1. ' +
    'Only to replay its published logs.',
  firstRenditionIndex: 'Rendition of segment 0 (Pensieve: 1); -1 = decide it from the estimator’s default.',
};

/** Resolved MPC configuration. */
export interface MpcConfig {
  readonly horizon: number;
  readonly window: number;
  readonly qoe: QoeWeights;
  readonly pensieveSizeOffset: boolean;
  readonly firstRenditionIndex: number | null;
  readonly robust: boolean;
}

function optionError(algo: string, name: string, problem: string): AbrkitError {
  return new AbrkitError('config', 'INVALID_OPTION', `${name}: ${problem}`, {
    data: { source: `${algo} options`, option: name },
  });
}

/** Reads and checks `options` against {@link MPC_OPTION_SPECS}; throws AbrkitError('config', 'INVALID_OPTION'). */
export function resolveMpcConfig(algo: string, options: AbrOptions | undefined, robust: boolean): MpcConfig {
  const o = options ?? {};
  for (const key of Object.keys(o)) {
    if (!MPC_OPTION_SPECS.some((s) => s.name === key)) throw optionError(algo, key, 'unknown option');
  }
  const int = (name: string, def: number, min: number, max: number): number => {
    const v = o[name] ?? def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      throw optionError(algo, name, `must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
    return v;
  };
  const num = (name: string, def: number, min = 0): number => {
    const v = o[name] ?? def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
      throw optionError(algo, name, `must be a finite number >= ${min}, got ${JSON.stringify(v)}`);
    return v;
  };
  const model = o['qoe'] ?? 'lin';
  if (model !== 'lin' && model !== 'log' && model !== 'hd')
    throw optionError(algo, 'qoe', `must be lin, log or hd, got ${JSON.stringify(model)}`);
  const sizeOffset = o['pensieveSizeOffset'] ?? false;
  if (typeof sizeOffset !== 'boolean') throw optionError(algo, 'pensieveSizeOffset', 'must be a boolean');
  const first = int('firstRenditionIndex', -1, -1, 1000);
  return {
    horizon: int('horizon', 5, 1, 8),
    window: int('window', 5, 1, 50),
    qoe: qoeWeights(model, num('rebufferPenalty', -1, -1), num('smoothPenalty', 1)),
    pensieveSizeOffset: sizeOffset,
    firstRenditionIndex: first < 0 ? null : first,
    robust,
  };
}

/** QoE weights from option values: a negative `rebufferPenalty` leaves the ladder-aware default. */
export function qoeWeights(model: QoeModelName, rebufferPenalty: number, smoothPenalty: number): QoeWeights {
  return rebufferPenalty < 0
    ? { model, smoothPenalty }
    : { model, rebufferPenaltyPerS: rebufferPenalty, smoothPenalty };
}

/** The MPC algorithm (`robust` in the config selects robustMPC's discounted prediction). */
export class MpcAlgorithm implements AbrAlgorithm {
  readonly name: string;
  readonly predictor: HarmonicPredictor;
  private search: MpcSearch | null = null;
  private table: QoeTable | null = null;
  private tableFor: readonly Rendition[] | null = null;

  constructor(readonly config: MpcConfig) {
    this.name = config.robust ? 'robust-mpc' : 'mpc';
    this.predictor = new HarmonicPredictor(config.window);
  }

  /** The prediction the next decision will use, MB/s (null before the first sample). */
  predictionMBps(): number | null {
    return this.config.robust ? this.predictor.robustMBps() : this.predictor.harmonicMBps();
  }

  choose(ctx: AbrContext): AbrDecision {
    const n = ctx.renditions.length;
    const choices = Math.max(1, Math.min(n, ctx.maxRenditionIndex + 1));
    const k = ctx.segmentIndex;
    if (k === 0 && this.config.firstRenditionIndex !== null) {
      const r = Math.min(this.config.firstRenditionIndex, choices - 1);
      return { renditionIndex: r, reason: `${this.name}: first segment at the configured rendition ${r}` };
    }
    const left = ctx.segmentCount - k;
    const horizon = Math.max(
      1,
      Math.min(this.config.horizon, Number.isFinite(left) ? left : this.config.horizon),
    );
    if (this.search?.renditionCount !== n || this.search.maxHorizon < this.config.horizon) {
      this.search = new MpcSearch(this.config.horizon, n);
    }
    if (this.tableFor !== ctx.renditions || this.table === null) {
      this.table = qoeTable(ctx.renditions, this.config.qoe);
      this.tableFor = ctx.renditions;
    }
    const measured = this.predictionMBps();
    const predictionMBps = measured ?? ctx.throughput.throughputKbps / 8000;
    const segmentS = ctx.segmentDurationMs / 1000;
    const offset = this.config.pensieveSizeOffset ? 1 : 0;
    const search = this.search;
    for (let pos = 0; pos < horizon; pos++) {
      const index = k + pos + offset;
      for (let r = 0; r < choices; r++) {
        const size =
          ctx.segmentSizeBytes(index, r) ??
          ((ctx.renditions[r]?.bitrateKbps ?? 0) * ctx.segmentDurationMs) / 8;
        search.setDownloadS(pos, r, size / 1000000 / predictionMBps);
      }
    }
    const bufferS = ctx.bufferLevelMs / 1000;
    const best = search.run(this.table, horizon, choices, bufferS, segmentS, ctx.lastRenditionIndex);
    const kbps = Math.round(predictionMBps * 8000);
    const why =
      measured === null
        ? `no sample yet, estimator default ${kbps} kbps`
        : this.config.robust
          ? `robust prediction ${kbps} kbps (harmonic / ${(1 + this.predictor.maxError()).toFixed(3)})`
          : `harmonic prediction ${kbps} kbps`;
    return {
      renditionIndex: best,
      reason: `${this.name}: best of ${search.sequenceCount} plans over ${horizon} segments, ${why}, score ${search.bestScore.toFixed(3)}`,
    };
  }

  onDownloaded(sample: DownloadSample): void {
    this.predictor.addSample(sample.sizeBytes, sample.endMs - sample.startMs);
  }

  reset(): void {
    this.predictor.reset();
  }
}

/** Creates plain MPC (harmonic-mean prediction, no error discount). Options: {@link MPC_OPTION_SPECS}. */
export function createMpc(options?: AbrOptions): AbrAlgorithm {
  return new MpcAlgorithm(resolveMpcConfig('mpc', options, false));
}

/** Runtime part (the player bundles this); the registry joins it with {@link mpcDocs}. */
export const mpcInfo: AbrAlgorithmCore = {
  name: 'mpc',
  options: MPC_OPTION_SPECS,
  create: createMpc,
};

/** What `abrkit algos`, the demo and docs show for mpc: not bundled by the player. */
export const mpcDocs: AbrAlgorithmDocs = {
  description:
    'Model predictive control: harmonic-mean throughput prediction, exhaustive search over the next 5 segments with exact sizes, QoE_lin objective.',
  citation:
    'X. Yin, A. Jindal, V. Sekar, B. Sinopoli, "A Control-Theoretic Approach for Dynamic Adaptive Video Streaming over HTTP", SIGCOMM 2015',
  options: MPC_OPTION_DOCS,
};
