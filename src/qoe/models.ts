/**
 * Per-segment QoE models of Pensieve (Mao, Netravali, Alizadeh, SIGCOMM 2017, Table 1), after MPC
 * (Yin et al., SIGCOMM 2015). Each segment n scores
 *
 *   QoE_n = q(R_n) - mu * rebuffer_s(n) - |q(R_n) - q(R_{n-1})|
 *
 * with R in kbps, the rebuffering in seconds, and:
 * - `lin`: q(R) = R / 1000 (Mbps), mu = the top bitrate in Mbps (4.3 on Pensieve's ladder: test/mpc.py, fixed_env);
 * - `log`: q(R) = ln(R / R_min), R_min the lowest bitrate of the ladder (paper), mu = ln(top / R_min) to two
 *   decimals (2.66 on Pensieve's ladder). Pensieve's
 *   training script normalises by the highest bitrate instead: pass `logBaseKbps` = the top bitrate to get
 *   its numbers (the smoothness term does not change; each segment's score shifts by ln(R_min / R_max));
 * - `hd`: q = HD score of the rendition, [1, 2, 3, 12, 15, 20] by rendition index for Pensieve's 6-rung
 *   ladder, mu = 8. For a ladder of n != 6 rungs we map by bitrate rank: rendition i of n scores
 *   scores[round(i * 5 / (n - 1))] (lowest rung 1, highest 20; a single rung scores 1), or pass `hdScores`.
 * The smoothness weight is 1 in all three, as in Pensieve. The rebuffer penalty is ladder-aware (a stall second
 * costs the top rendition's utility, Pensieve's own rule): see objective.ts.
 */
import { invalidArgument } from '../core/errors.js';
import { PENSIEVE_HD_SCORES, defaultRebufferPenaltyPerS, type QoeModelName } from './objective.js';

export { PENSIEVE_HD_SCORES, type QoeModelName };

/** A QoE model by name with optional overrides of its constants. */
export interface QoeModelSpec {
  readonly name: QoeModelName;
  /** mu: penalty per second of rebuffering. Default ladder-aware: lin top Mbps, log ln(top/bottom), hd 8. */
  readonly rebufferPenalty?: number;
  /** Weight of |q(R) - q(R_prev)|. Default 1. */
  readonly smoothnessPenalty?: number;
  /** `log` only: R in ln(R / base). Default the lowest bitrate of the ladder. */
  readonly logBaseKbps?: number;
  /** `hd` only: score per rendition index (one per rung), or a table to map by rank. Default Pensieve's. */
  readonly hdScores?: readonly number[];
}

/** One segment as the QoE models see it. */
export interface QoeTermInput {
  readonly bitrateKbps: number;
  /** Bitrate of the previous segment (for the first: Pensieve uses rendition 1's bitrate). */
  readonly prevBitrateKbps: number;
  readonly rebufferMs: number;
  readonly renditionIndex: number;
  /** `hd` needs it; when absent it is looked up in the ladder from `prevBitrateKbps`. */
  readonly prevRenditionIndex?: number;
}

export interface QoeTermBreakdown {
  /** q(R). */
  readonly quality: number;
  /** mu * rebuffer_s. */
  readonly rebufferPenalty: number;
  /** weight * |q(R) - q(R_prev)|. */
  readonly smoothnessPenalty: number;
  /** quality - rebufferPenalty - smoothnessPenalty. */
  readonly total: number;
}

/** A QoE model bound to a bitrate ladder: call `term()` once per segment. */
export interface QoeModel {
  readonly name: QoeModelName;
  readonly rebufferPenalty: number;
  readonly smoothnessPenalty: number;
  /** q(R) for a segment at `renditionIndex` with `bitrateKbps`. */
  quality(bitrateKbps: number, renditionIndex: number): number;
  term(input: QoeTermInput): number;
  breakdown(input: QoeTermInput): QoeTermBreakdown;
}

/** Index of the highest rung of `ladderKbps` at or below `bitrateKbps` (0 when below them all). */
export function renditionIndexOf(bitrateKbps: number, ladderKbps: readonly number[]): number {
  let index = 0;
  for (let i = 0; i < ladderKbps.length; i++) if ((ladderKbps[i] as number) <= bitrateKbps) index = i;
  return index;
}

/** HD scores for a ladder of `rungs` renditions from `scores` (by index when the lengths match, else by rank). */
export function hdScoresForLadder(rungs: number, scores: readonly number[] = PENSIEVE_HD_SCORES): number[] {
  if (scores.length === rungs) return [...scores];
  const last = scores.length - 1;
  const out: number[] = [];
  for (let i = 0; i < rungs; i++)
    out.push(scores[rungs === 1 ? 0 : Math.round((i * last) / (rungs - 1))] as number);
  return out;
}

/** Binds a QoE model to a ladder (ascending bitrates, kbps). Bad arguments throw a TypeError naming them. */
export function createQoeModel(model: QoeModelName | QoeModelSpec, ladderKbps: readonly number[]): QoeModel {
  const spec: QoeModelSpec = typeof model === 'string' ? { name: model } : model;
  if (spec.name !== 'lin' && spec.name !== 'log' && spec.name !== 'hd') {
    throw invalidArgument('model', `must be 'lin', 'log' or 'hd', got ${String(spec.name)}`);
  }
  checkLadder(ladderKbps);
  const rebufferPenalty = nonNegative(
    'rebufferPenalty',
    spec.rebufferPenalty ?? defaultRebufferPenaltyPerS(spec.name, ladderKbps),
  );
  const smoothnessPenalty = nonNegative('smoothnessPenalty', spec.smoothnessPenalty ?? 1);
  let quality: (bitrateKbps: number, renditionIndex: number) => number;
  if (spec.name === 'lin') {
    quality = (bitrateKbps) => bitrateKbps / 1000;
  } else if (spec.name === 'log') {
    const base = spec.logBaseKbps ?? ladderKbps[0] ?? Number.NaN;
    if (!(base > 0) || !Number.isFinite(base))
      throw invalidArgument('logBaseKbps', `must be > 0, got ${base}`);
    quality = (bitrateKbps) => Math.log(bitrateKbps / base);
  } else {
    const table = spec.hdScores ?? PENSIEVE_HD_SCORES;
    if (table.length === 0 || table.some((s) => typeof s !== 'number' || !Number.isFinite(s))) {
      throw invalidArgument('hdScores', 'must be a non-empty array of finite numbers');
    }
    const scores = hdScoresForLadder(ladderKbps.length, table);
    quality = (_bitrateKbps, renditionIndex) => {
      const score = scores[renditionIndex];
      if (score === undefined) {
        throw invalidArgument('renditionIndex', `must be in 0..${scores.length - 1}, got ${renditionIndex}`);
      }
      return score;
    };
  }
  const breakdown = (input: QoeTermInput): QoeTermBreakdown => {
    const q = quality(input.bitrateKbps, input.renditionIndex);
    const prevIndex = input.prevRenditionIndex ?? renditionIndexOf(input.prevBitrateKbps, ladderKbps);
    const qPrev = quality(input.prevBitrateKbps, prevIndex);
    const rebuffer = (rebufferPenalty * input.rebufferMs) / 1000;
    const smoothness = smoothnessPenalty * Math.abs(q - qPrev);
    return {
      quality: q,
      rebufferPenalty: rebuffer,
      smoothnessPenalty: smoothness,
      total: q - rebuffer - smoothness,
    };
  };
  return {
    name: spec.name,
    rebufferPenalty,
    smoothnessPenalty,
    quality,
    breakdown,
    term: (input) => breakdown(input).total,
  };
}

/**
 * One segment's QoE under `model` for a ladder (ascending kbps). For many segments, bind once with
 * {@link createQoeModel} and call its `term()`.
 */
export function qoeTerm(
  model: QoeModelName | QoeModelSpec | QoeModel,
  input: QoeTermInput,
  ladderKbps: readonly number[],
): number {
  const bound = isBound(model) ? model : createQoeModel(model, ladderKbps);
  return bound.term(input);
}

function isBound(model: QoeModelName | QoeModelSpec | QoeModel): model is QoeModel {
  return typeof model === 'object' && typeof (model as Partial<QoeModel>).term === 'function';
}

function checkLadder(ladderKbps: readonly number[]): void {
  if (!Array.isArray(ladderKbps) || ladderKbps.length === 0) {
    throw invalidArgument('ladderKbps', 'must be a non-empty array of bitrates');
  }
  ladderKbps.forEach((b, i) => {
    if (typeof b !== 'number' || !(b > 0) || !Number.isFinite(b)) {
      throw invalidArgument('ladderKbps', `bitrate ${i} must be a finite number > 0, got ${String(b)}`);
    }
    if (i > 0 && b <= (ladderKbps[i - 1] as number))
      throw invalidArgument('ladderKbps', 'bitrates must increase');
  });
}

function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw invalidArgument(name, `must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}
