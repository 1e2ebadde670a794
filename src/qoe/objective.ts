/**
 * The QoE objective in the form planners use (MPC, scenario search, the offline optimum): a per-rendition
 * utility table bound to one ladder, and the ladder-aware rebuffer penalty every QoE in abrkit defaults to.
 *
 * Pensieve (Mao, Netravali, Alizadeh, SIGCOMM 2017, Table 1) weighs a second of rebuffering as much as one
 * second-long segment at the top rendition: mu = 4.3 for QoE_lin because 4.3 Mbps is the top of its ladder, and
 * 2.66 = ln(4300 / 300) for QoE_log. A fixed 4.3 on a 35 Mbps ladder makes stalling rational (a stall second
 * costs an eighth of a top-rung segment), so the penalty follows the ladder:
 * - lin: the top bitrate in Mbps (4.3 on Pensieve's envivio ladder, bit for bit: 4300 / 1000 === 4.3);
 * - log: ln(top / bottom), rounded to two decimals as Pensieve rounds it (2.66 on envivio);
 * - hd: Pensieve's 8, since its score table is only defined for Pensieve's six renditions.
 */
import { invalidArgument } from '../core/errors.js';

/** The QoE models of Pensieve's Table 1: lin (R/1000), log (ln(R/R_min)), hd (scores 1,2,3,12,15,20). */
export type QoeModelName = 'lin' | 'log' | 'hd';

export const QOE_MODEL_NAMES: readonly QoeModelName[] = ['lin', 'log', 'hd'];

/** Pensieve's HD scores by rendition index (its 6-rung ladder). */
export const PENSIEVE_HD_SCORES: readonly number[] = [1, 2, 3, 12, 15, 20];

/** QoE_hd's rebuffer penalty per second (Pensieve, Table 1). */
export const HD_REBUFFER_PENALTY_PER_S = 8;

/**
 * The ladder-aware rebuffer penalty per second of `model` for a ladder (ascending kbps): the utility of the
 * top rendition (see the file header). Throws a TypeError naming `ladderKbps` for an empty or bad ladder.
 */
export function defaultRebufferPenaltyPerS(model: QoeModelName, ladderKbps: readonly number[]): number {
  if (model === 'hd') return HD_REBUFFER_PENALTY_PER_S;
  const bottom = ladderKbps[0];
  const top = ladderKbps[ladderKbps.length - 1];
  if (bottom === undefined || top === undefined || !(bottom > 0) || !Number.isFinite(top)) {
    throw invalidArgument('ladderKbps', 'must be a non-empty array of finite bitrates > 0');
  }
  if (model === 'lin') return top / 1000;
  // a one-rung ladder has no utility range: keep a stall as costly as a 1 Mbps-wide ladder's would be
  if (top <= bottom) return Math.round(Math.log(1000) * 100) / 100;
  return Math.round(Math.log(top / bottom) * 100) / 100;
}

/**
 * The per-segment objective `q(R) - rebufferPenaltyPerS * rebuffer_s - smoothPenalty * |q(R) - q(R_prev)|`.
 * `rebufferPenaltyPerS` absent: {@link defaultRebufferPenaltyPerS} of the ladder it is bound to.
 */
export interface QoeWeights {
  readonly model: QoeModelName;
  readonly rebufferPenaltyPerS?: number;
  readonly smoothPenalty: number;
}

/** QoE_lin with the ladder-aware rebuffer penalty and smoothness weight 1. */
export const QOE_LIN: QoeWeights = { model: 'lin', smoothPenalty: 1 };

/**
 * A QoE objective resolved for one ladder. `q(r) = utilityRaw[r] / utilityDivisor`: lin keeps kbps and divides
 * by 1000 at the end of a sum, like Pensieve, so sums of integer bitrates stay exact.
 */
export interface QoeTable {
  readonly utilityRaw: Float64Array;
  readonly utilityDivisor: number;
  readonly rebufferPenaltyPerS: number;
  readonly smoothPenalty: number;
}

/**
 * Resolves `weights` for `renditions` (ascending bitrates). Throws a TypeError when the model does not fit the
 * ladder (hd needs exactly Pensieve's 6 renditions).
 */
export function qoeTable(
  renditions: readonly { readonly bitrateKbps: number }[],
  weights: QoeWeights = QOE_LIN,
): QoeTable {
  const n = renditions.length;
  if (n === 0) throw new TypeError('renditions: must not be empty');
  const utilityRaw = new Float64Array(n);
  const lowestKbps = renditions[0]?.bitrateKbps ?? 1;
  for (let r = 0; r < n; r++) {
    const kbps = renditions[r]?.bitrateKbps ?? 0;
    if (weights.model === 'lin') utilityRaw[r] = kbps;
    else if (weights.model === 'log') utilityRaw[r] = Math.log(kbps / lowestKbps);
    else {
      if (n !== PENSIEVE_HD_SCORES.length) throw new TypeError(`qoe: model hd needs 6 renditions, got ${n}`);
      utilityRaw[r] = PENSIEVE_HD_SCORES[r] ?? 0;
    }
  }
  const rebufferPenaltyPerS =
    weights.rebufferPenaltyPerS ??
    defaultRebufferPenaltyPerS(
      weights.model,
      renditions.map((r) => r.bitrateKbps),
    );
  return {
    utilityRaw,
    utilityDivisor: weights.model === 'lin' ? 1000 : 1,
    rebufferPenaltyPerS,
    smoothPenalty: weights.smoothPenalty,
  };
}

/** One segment's QoE term (seconds of rebuffering); `prev` null for no switch penalty. */
export function segmentQoe(table: QoeTable, r: number, prev: number | null, rebufferS: number): number {
  const u = table.utilityRaw[r] ?? 0;
  const p = prev === null ? u : (table.utilityRaw[prev] ?? 0);
  return (
    u / table.utilityDivisor -
    table.rebufferPenaltyPerS * rebufferS -
    table.smoothPenalty * (Math.abs(u - p) / table.utilityDivisor)
  );
}
