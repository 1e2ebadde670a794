/**
 * The planner of scenario-mpc (scenario-mpc.ts): scores rendition plans over a short horizon under several
 * throughput scenarios at once and returns the first rendition of the best plan.
 *
 * Plans are "two moves then hold": `(a, b, c, c, ..., c)`, R^3 plans instead of MPC's R^h (Yin et al.,
 * SIGCOMM 2015), so a 10-rendition ladder costs 1000 plans, not 100,000: the first segment is what is
 * decided now, the next two let the plan express a ramp, and the rest is the level the plan settles at.
 * Every plan is scored, but most are cut by an upper bound on their score before they are simulated
 * (`run`), without changing the choice: R^3 grows fast (a 30-rung ladder is 27,000 plans, 3.9 ms p99 in
 * chromium simulated whole; 70-160 µs with the bound, `bench/player-decision-time.ts`).
 * Each plan's score is a mix of its mean and its worst score over the scenarios (a CVaR-like risk
 * aversion), and each scenario's score adds a value for the buffer left at the end of the horizon, capped,
 * because a finite horizon otherwise spends buffer the next outage will need. Switches cost the objective's
 * penalty times `switchCostFactor` (hysteresis: with a noisy predictor a switch is likely to be undone).
 */
import type { QoeTable } from '../qoe/objective.js';

/**
 * A plan is cut when its bound is below the best score so far by more than this share of it: the bound and
 * the score add the same terms in a different order, so they may round apart by a few ulps.
 */
const BOUND_MARGIN = 1e-9;

/** Whether a plan (or a family of plans) whose score is at most `bound` can be skipped. */
function cut(bound: number, bestScore: number, mark: number): boolean {
  const bar = bestScore > mark ? bestScore : mark;
  return bound < bar - BOUND_MARGIN * (1 + Math.abs(bar));
}

/** The stall a download of `downloadS` causes from `bufferS` of buffer, s. */
function stallOf(bufferS: number, downloadS: number): number {
  return bufferS < downloadS ? downloadS - bufferS : 0;
}

/** The buffer after that download, with the segment it adds (at most `maxS`), s. */
function bufferAfter(bufferS: number, downloadS: number, segmentS: number, maxS: number): number {
  return Math.min(Math.max(0, bufferS - downloadS) + segmentS, maxS);
}

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
  /**
   * Per rendition c, the buffer the download after the horizon needs when the plan holds c, s, or null for
   * none: a plan holding c is charged `holdNeedCostPerS` per second its end buffer falls short of
   * `holdNeedS[c]` (scenario-mpc's expected stall of a deep drop during that download, where it cannot be
   * abandoned).
   */
  readonly holdNeedS?: Float64Array | null;
  /** QoE per second of that shortfall, >= 0. */
  readonly holdNeedCostPerS?: number;
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
  /** Of those, the plans simulated under every scenario (the rest were cut by a bound). */
  simulatedCount = 0;
  /** Per scenario and rendition: the time the hold positions' downloads take in all, s (scratch). */
  private readonly holdS: Float64Array;
  /** Per scenario: buffer and stall after the plan's first download, then after its second, s (scratch). */
  private readonly afterA: Float64Array;
  private readonly stallA: Float64Array;
  private readonly afterB: Float64Array;
  private readonly stallB: Float64Array;
  /** Per rendition: bounds on the utility-minus-switching of the plan's tail (scratch, see `run`). */
  private readonly tailFromB: Float64Array;
  private readonly tailFromA: Float64Array;
  /** The run in progress (set by `run`, read by the steps below). */
  private inputs: PlanInputs | null = null;
  private linearValue = true;

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
    this.holdS = new Float64Array(maxScenarios * renditionCount);
    this.afterA = new Float64Array(maxScenarios);
    this.stallA = new Float64Array(maxScenarios);
    this.afterB = new Float64Array(maxScenarios);
    this.stallB = new Float64Array(maxScenarios);
    this.tailFromB = new Float64Array(renditionCount);
    this.tailFromA = new Float64Array(renditionCount);
  }

  /** Index into {@link ScenarioPlanner.downloadS}. */
  slot(scenario: number, pos: number, r: number): number {
    return (scenario * this.maxHorizon + pos) * this.renditionCount + r;
  }

  /**
   * Returns the first rendition of the best plan (ties: the lower rendition, the cautious one).
   *
   * Every plan is scored, but not every plan is simulated. The plans that start `(a)` or `(a, b)` share their
   * first downloads, so those are simulated once per scenario and each plan simulates only its hold
   * positions, the same steps in the same order (so the same numbers). And a plan, or every plan that starts
   * `(a)` or `(a, b)`, is skipped when an upper bound on its score is below the best score so far: its
   * utility and switching as they are (or the best any rest of the plan could add), the terminal buffer
   * value at its most, and the stall the downloads simulated so far have caused, plus, for the hold, at
   * least `holdS − afterB − (horizon − 3) · segmentS` (the buffer gains at most a segment per download before
   * the last). The hold plan at the last rendition is scored first, to give the bound a mark from the start;
   * the choice is still the first best plan in (a, b, c) order, so the bound changes nothing but the time
   * (`bench/player-decision-time.ts`).
   */
  run(p: PlanInputs): number {
    const { horizon, choices } = p;
    if (horizon < 1 || horizon > this.maxHorizon)
      throw new TypeError(`horizon: must be in 1..${this.maxHorizon}, got ${horizon}`);
    if (choices < 1 || choices > this.renditionCount)
      throw new TypeError(`choices: must be in 1..${this.renditionCount}, got ${choices}`);
    if (p.scenarios < 1 || p.scenarios > this.maxScenarios)
      throw new TypeError(`scenarios: must be in 1..${this.maxScenarios}, got ${p.scenarios}`);
    this.inputs = p;
    const scale = p.bufferValueScaleS;
    this.linearValue = !(scale < Number.POSITIVE_INFINITY) || !(scale > 0);
    const u = p.qoe.utilityRaw;
    const div = p.qoe.utilityDivisor;
    const bCount = horizon >= 2 ? choices : 1;
    const cCount = horizon >= 3 ? choices : 1;
    const smoothWeight = p.qoe.smoothPenalty * p.switchCostFactor;
    const S = p.scenarios;
    const R = this.renditionCount;
    const firstCost = p.firstCost ?? null;
    const holdS = this.holdS;
    const afterB = this.afterB;
    const stallB = this.stallB;
    const rebufferPenalty = p.qoe.rebufferPenaltyPerS;
    const riskAversion = p.riskAversion;
    const capS = Math.min(p.bufferValueCapS, p.bufferMaxS);
    const valueMax = Math.max(0, this.terminalValue(capS));
    const gainS = Math.max(0, horizon - 3) * p.segmentS;
    const uPrevious = p.lastRendition === null ? null : (u[p.lastRendition] ?? 0);
    // the bounds hold for a penalty >= 0, a utility divisor > 0 and a risk weight in [0, 1] (the mix of mean
    // and worst is then at most the mix of the scenarios' bounds), and leave the hold cost out (it is >= 0)
    const bounded =
      rebufferPenalty >= 0 &&
      div > 0 &&
      riskAversion >= 0 &&
      riskAversion <= 1 &&
      !((p.holdNeedCostPerS ?? 0) < 0);
    if (bounded) this.prepareBounds(choices, smoothWeight);
    // the mark: the hold plan at the last rendition (the lowest before the first segment)
    let mark = Number.NEGATIVE_INFINITY;
    if (bounded) {
      const seed = Math.min(p.lastRendition ?? 0, choices - 1);
      const us = u[seed] ?? 0;
      this.firstDownload(seed);
      this.secondDownload(seed);
      const base =
        (us * horizon) / div -
        (smoothWeight * Math.abs(us - (uPrevious ?? us))) / div -
        (firstCost === null ? 0 : (firstCost[seed] ?? 0));
      mark = this.holdScore(seed, base);
    }
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    let plans = 0;
    let simulated = 0;
    for (let a = 0; a < choices; a++) {
      const ua = u[a] ?? 0;
      const costA = firstCost === null ? 0 : (firstCost[a] ?? 0);
      const uLast = uPrevious ?? ua;
      const switchA = smoothWeight * Math.abs(ua - uLast);
      this.firstDownload(a);
      if (
        bounded &&
        cut(
          (ua - switchA + (this.tailFromA[a] ?? 0)) / div -
            costA +
            valueMax -
            rebufferPenalty * this.stallMix(this.stallA),
          bestScore,
          mark,
        )
      ) {
        plans += bCount * cCount;
        continue;
      }
      for (let bi = 0; bi < bCount; bi++) {
        const b = horizon >= 2 ? bi : a;
        const ub = u[b] ?? 0;
        const switchB = horizon >= 2 ? smoothWeight * Math.abs(ub - ua) : 0;
        this.secondDownload(b);
        const headRaw = ua + (horizon >= 2 ? ub : 0) - switchA - switchB;
        if (
          bounded &&
          cut(
            (headRaw + (this.tailFromB[b] ?? 0)) / div -
              costA +
              valueMax -
              rebufferPenalty * this.stallMix(stallB),
            bestScore,
            mark,
          )
        ) {
          plans += cCount;
          continue;
        }
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
          if (bounded && horizon >= 3) {
            let boundSum = 0;
            let boundWorst = Number.POSITIVE_INFINITY;
            for (let s = 0; s < S; s++) {
              const stall =
                (stallB[s] ?? 0) + Math.max(0, (holdS[s * R + c] ?? 0) - (afterB[s] ?? 0) - gainS);
              const bound = base - rebufferPenalty * stall + valueMax;
              boundSum += bound;
              if (bound < boundWorst) boundWorst = bound;
            }
            if (cut((1 - riskAversion) * (boundSum / S) + riskAversion * boundWorst, bestScore, mark))
              continue;
          }
          simulated++;
          const planScore = this.holdScore(c, base);
          if (planScore > bestScore) {
            bestScore = planScore;
            best = a;
          }
        }
      }
    }
    this.bestScore = bestScore;
    this.planCount = plans;
    this.simulatedCount = simulated;
    this.inputs = null;
    return best;
  }

  /**
   * Fills what the bounds need for this run: `tailFromB[b]`, the most the hold at any c can add to utility
   * minus switching after b; `tailFromA[a]`, the most b and its hold can add after a (raw utility units); and
   * `holdS`, each scenario's total download time of the hold positions at each rendition.
   */
  private prepareBounds(choices: number, smoothWeight: number): void {
    const p = this.inputs as PlanInputs;
    const { horizon } = p;
    const u = p.qoe.utilityRaw;
    const R = this.renditionCount;
    const holdCount = Math.max(0, horizon - 2);
    for (let b = 0; b < choices; b++) {
      const ub = u[b] ?? 0;
      let most = horizon >= 3 ? Number.NEGATIVE_INFINITY : 0;
      if (horizon >= 3)
        for (let c = 0; c < choices; c++) {
          const uc = u[c] ?? 0;
          most = Math.max(most, uc * holdCount - smoothWeight * Math.abs(uc - ub));
        }
      this.tailFromB[b] = most;
    }
    for (let a = 0; a < choices; a++) {
      const ua = u[a] ?? 0;
      let most = horizon >= 2 ? Number.NEGATIVE_INFINITY : 0;
      if (horizon >= 2)
        for (let b = 0; b < choices; b++) {
          const ub = u[b] ?? 0;
          most = Math.max(most, ub - smoothWeight * Math.abs(ub - ua) + (this.tailFromB[b] ?? 0));
        }
      this.tailFromA[a] = most;
    }
    if (horizon >= 3)
      for (let s = 0; s < p.scenarios; s++)
        for (let c = 0; c < choices; c++) {
          let total = 0;
          for (let pos = 2; pos < horizon; pos++)
            total += this.downloadS[(s * this.maxHorizon + pos) * R + c] ?? 0;
          this.holdS[s * R + c] = total;
        }
  }

  /** Simulates the first download of plans starting `(a)` in every scenario into `afterA` / `stallA`. */
  private firstDownload(a: number): void {
    const p = this.inputs as PlanInputs;
    const R = this.renditionCount;
    const maxH = this.maxHorizon;
    for (let s = 0; s < p.scenarios; s++) {
      const d = this.downloadS[s * maxH * R + a] ?? 0;
      this.stallA[s] = stallOf(p.bufferS, d);
      this.afterA[s] = bufferAfter(p.bufferS, d, p.segmentS, p.bufferMaxS);
    }
  }

  /** Simulates the second download (at `b`, if the horizon has one) from `afterA` into `afterB` / `stallB`. */
  private secondDownload(b: number): void {
    const p = this.inputs as PlanInputs;
    const R = this.renditionCount;
    const maxH = this.maxHorizon;
    for (let s = 0; s < p.scenarios; s++) {
      const buffer = this.afterA[s] ?? 0;
      const rebuffer = this.stallA[s] ?? 0;
      if (p.horizon >= 2) {
        const d = this.downloadS[(s * maxH + 1) * R + b] ?? 0;
        this.stallB[s] = rebuffer + stallOf(buffer, d);
        this.afterB[s] = bufferAfter(buffer, d, p.segmentS, p.bufferMaxS);
      } else {
        this.stallB[s] = rebuffer;
        this.afterB[s] = buffer;
      }
    }
  }

  /**
   * The score of the plan whose first two downloads are in `afterB` / `stallB` and that holds `c` after them:
   * `base` (its utility, switching and first-download cost) less its stall, plus its terminal buffer value,
   * less its hold cost (`holdNeedS`), mixed over the scenarios.
   */
  private holdScore(c: number, base: number): number {
    const p = this.inputs as PlanInputs;
    const R = this.renditionCount;
    const maxH = this.maxHorizon;
    let sum = 0;
    let worst = Number.POSITIVE_INFINITY;
    const need = p.holdNeedS?.[c] ?? 0;
    const needCost = p.holdNeedS ? (p.holdNeedCostPerS ?? 0) : 0;
    for (let s = 0; s < p.scenarios; s++) {
      let buffer = this.afterB[s] ?? 0;
      let rebuffer = this.stallB[s] ?? 0;
      for (let pos = 2; pos < p.horizon; pos++) {
        const d = this.downloadS[(s * maxH + pos) * R + c] ?? 0;
        rebuffer += stallOf(buffer, d);
        buffer = bufferAfter(buffer, d, p.segmentS, p.bufferMaxS);
      }
      const score =
        base -
        p.qoe.rebufferPenaltyPerS * rebuffer +
        this.terminalValue(buffer) -
        needCost * stallOf(buffer, need);
      sum += score;
      if (score < worst) worst = score;
    }
    return (1 - p.riskAversion) * (sum / p.scenarios) + p.riskAversion * worst;
  }

  /** The value of `bufferS` left at the end of the horizon (capped; concave with a finite scale). */
  private terminalValue(bufferS: number): number {
    const p = this.inputs as PlanInputs;
    const scale = p.bufferValueScaleS;
    return (
      p.bufferValuePerS *
      (this.linearValue
        ? Math.min(bufferS, p.bufferValueCapS)
        : scale * (1 - Math.exp(-Math.min(bufferS, p.bufferValueCapS) / scale)))
    );
  }

  /** The risk mix of per-scenario stalls, `(1 − risk) · mean + risk · max`: the bound's stall term. */
  private stallMix(stalls: Float64Array): number {
    const p = this.inputs as PlanInputs;
    let sum = 0;
    let most = 0;
    for (let s = 0; s < p.scenarios; s++) {
      const v = stalls[s] ?? 0;
      sum += v;
      if (v > most) most = v;
    }
    return (1 - p.riskAversion) * (sum / p.scenarios) + p.riskAversion * most;
  }
}
