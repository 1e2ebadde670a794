/**
 * The planner of scenario-mpc (scenario-mpc.ts): scores rendition plans over a short horizon under several
 * throughput scenarios at once and returns the first rendition of the best plan.
 *
 * Plans are "two moves then hold": `(a, b, c, c, ..., c)`, R^3 plans instead of MPC's R^h (Yin et al.,
 * SIGCOMM 2015), so a 10-rendition ladder costs 1000 plans, not 100,000: the first segment is what is
 * decided now, the next two let the plan express a ramp, and the rest is the level the plan settles at.
 * Each plan's score is a mix of its mean and its worst score over the scenarios (a CVaR-like risk
 * aversion), and each scenario's score adds a value for the buffer left at the end of the horizon, capped,
 * because a finite horizon otherwise spends buffer the next outage will need. Switches cost the objective's
 * penalty times `switchCostFactor` (hysteresis: with a noisy predictor a switch is likely to be undone).
 */
import type { QoeTable } from '../qoe/objective.js';

/** What one run of the planner needs besides the download-time table. */
export interface PlanInputs {
  readonly qoe: QoeTable;
  readonly horizon: number;
  /** Renditions allowed, 0..choices-1. */
  readonly choices: number;
  readonly scenarios: number;
  readonly bufferS: number;
  readonly segmentS: number;
  /** Rendition switches are counted from; null: the first segment pays no switch. */
  readonly lastRendition: number | null;
  /**
   * Multiplies the objective's switch penalty in planning, >= 1 (1: the objective's own). Keep it below
   * `horizon`: a switch up held for the whole horizon must be able to pay for itself.
   */
  readonly switchCostFactor: number;
  /** Weight of the worst scenario against the mean, 0..1. */
  readonly riskAversion: number;
  /** QoE per second of buffer at the end of the horizon, up to `bufferValueCapS`. */
  readonly bufferValuePerS: number;
  readonly bufferValueCapS: number;
  /**
   * Scale of the value's concavity, s: buffer b is worth `bufferValuePerS · scale · (1 − e^(−b / scale))`, so
   * the first seconds are worth `bufferValuePerS` each and a nearly full buffer little more (a second of
   * buffer only saves a second of stall if an outage outlasts all the buffer before it). Infinity: linear.
   */
  readonly bufferValueScaleS: number;
  /**
   * Cost subtracted from every plan whose first rendition is r, `firstCost[r]` (scenario-mpc's expected stall
   * of a deep drop during the download decided now), or null for none.
   */
  readonly firstCost?: Float64Array | null;
  /** Buffer the session keeps at most, s: a plan cannot bank more. */
  readonly bufferMaxS: number;
}

/** Scores plans; fill {@link ScenarioPlanner.downloadS} first. Allocation-free after construction. */
export class ScenarioPlanner {
  /** `downloadS[(s * maxHorizon + pos) * renditionCount + r]`, seconds. */
  readonly downloadS: Float64Array;
  /** Score of the plan chosen by the last run. */
  bestScore = Number.NEGATIVE_INFINITY;
  /** Plans scored by the last run. */
  planCount = 0;

  constructor(
    readonly maxHorizon: number,
    readonly renditionCount: number,
    readonly maxScenarios: number,
  ) {
    if (!Number.isInteger(maxHorizon) || maxHorizon < 1)
      throw new TypeError(`maxHorizon: must be an integer >= 1, got ${maxHorizon}`);
    if (!Number.isInteger(renditionCount) || renditionCount < 1)
      throw new TypeError(`renditionCount: must be an integer >= 1, got ${renditionCount}`);
    if (!Number.isInteger(maxScenarios) || maxScenarios < 1)
      throw new TypeError(`maxScenarios: must be an integer >= 1, got ${maxScenarios}`);
    this.downloadS = new Float64Array(maxScenarios * maxHorizon * renditionCount);
  }

  /** Index into {@link ScenarioPlanner.downloadS}. */
  slot(scenario: number, pos: number, r: number): number {
    return (scenario * this.maxHorizon + pos) * this.renditionCount + r;
  }

  /** Returns the first rendition of the best plan (ties: the lower rendition, the cautious one). */
  run(p: PlanInputs): number {
    const { horizon, choices } = p;
    if (horizon < 1 || horizon > this.maxHorizon)
      throw new TypeError(`horizon: must be in 1..${this.maxHorizon}, got ${horizon}`);
    if (choices < 1 || choices > this.renditionCount)
      throw new TypeError(`choices: must be in 1..${this.renditionCount}, got ${choices}`);
    if (p.scenarios < 1 || p.scenarios > this.maxScenarios)
      throw new TypeError(`scenarios: must be in 1..${this.maxScenarios}, got ${p.scenarios}`);
    const u = p.qoe.utilityRaw;
    const div = p.qoe.utilityDivisor;
    const bCount = horizon >= 2 ? choices : 1;
    const cCount = horizon >= 3 ? choices : 1;
    const smoothWeight = p.qoe.smoothPenalty * p.switchCostFactor;
    const scale = p.bufferValueScaleS;
    const linear = !(scale < Number.POSITIVE_INFINITY) || !(scale > 0);
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    let plans = 0;
    const firstCost = p.firstCost ?? null;
    for (let a = 0; a < choices; a++) {
      const ua = u[a] ?? 0;
      const costA = firstCost === null ? 0 : (firstCost[a] ?? 0);
      const uLast = p.lastRendition === null ? ua : (u[p.lastRendition] ?? 0);
      for (let bi = 0; bi < bCount; bi++) {
        const b = horizon >= 2 ? bi : a;
        const ub = u[b] ?? 0;
        for (let ci = 0; ci < cCount; ci++) {
          const c = horizon >= 3 ? ci : b;
          const uc = u[c] ?? 0;
          plans++;
          // utility and smoothness do not depend on the scenario
          let sumRaw = ua;
          let smoothRaw = Math.abs(ua - uLast);
          if (horizon >= 2) {
            sumRaw += ub;
            smoothRaw += Math.abs(ub - ua);
          }
          if (horizon >= 3) {
            sumRaw += uc * (horizon - 2);
            smoothRaw += Math.abs(uc - ub);
          }
          const base = sumRaw / div - (smoothWeight * smoothRaw) / div - costA;
          let sum = 0;
          let worst = Number.POSITIVE_INFINITY;
          for (let s = 0; s < p.scenarios; s++) {
            let buffer = p.bufferS;
            let rebuffer = 0;
            for (let pos = 0; pos < horizon; pos++) {
              const r = pos === 0 ? a : pos === 1 ? b : c;
              const d = this.downloadS[(s * this.maxHorizon + pos) * this.renditionCount + r] ?? 0;
              if (buffer < d) {
                rebuffer += d - buffer;
                buffer = 0;
              } else buffer -= d;
              buffer = Math.min(buffer + p.segmentS, p.bufferMaxS);
            }
            const score =
              base -
              p.qoe.rebufferPenaltyPerS * rebuffer +
              p.bufferValuePerS *
                (linear
                  ? Math.min(buffer, p.bufferValueCapS)
                  : scale * (1 - Math.exp(-Math.min(buffer, p.bufferValueCapS) / scale)));
            sum += score;
            if (score < worst) worst = score;
          }
          const planScore = (1 - p.riskAversion) * (sum / p.scenarios) + p.riskAversion * worst;
          if (planScore > bestScore) {
            bestScore = planScore;
            best = a;
          }
        }
      }
    }
    this.bestScore = bestScore;
    this.planCount = plans;
    return best;
  }
}
