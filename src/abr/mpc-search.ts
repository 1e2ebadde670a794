/**
 * The exact MPC search (Yin et al., SIGCOMM 2015, as coded in Pensieve's `test/mpc.py`): the first rendition of
 * the best of the R^h rendition sequences over the next h segments, ties to the later sequence in lexicographic
 * order (Pensieve's `>=`). Used by mpc and robust-mpc (mpc.ts).
 *
 * Same answer as the plain enumeration, bit for bit, for a fraction of the work (issue 19):
 * - The walk is depth-first in lexicographic order with the buffer, rebuffer, utility and smoothness sums
 *   carried down the tree, so every sequence it scores gets exactly the floating-point operations of the plain
 *   loop, in the same order (bit-identical score), and `>=` keeps the later of equal scores.
 * - Branch and bound: before expanding a prefix it bounds the best score any completion can reach and skips
 *   the subtree when that bound is STRICTLY below the score to beat (so a sequence that would tie the winner,
 *   and win the tie by coming later, is never skipped). The score to beat starts at the best of the R constant
 *   plans, scored with the very same operations (so it is the exact score of a real sequence).
 *
 * The bound (proved in docs/mpc-speed.md, "Why the pruning is exact"): from a prefix's state (buffer b,
 * rebuffer, sums, previous rendition p), with m segments left and C = b + (m - 1) * segment, the rebuffering
 * still to come is at least D - C (D: the remaining download times; the buffer gains one segment per download
 * and ends holding at least one). For every lambda in [0, 1], `max(0, D - C) >= lambda (D - C)`, so any
 * completion scores at most `partial + W_lambda(position, p) + lambda P C`, where W_lambda is the best
 * completion of the relaxed objective sum_j (q(r_j) - lambda P d_j(r_j) - S |q(r_j) - q(r_j-1)|), found
 * exactly by a DP over (position, rendition), smoothness included, for each lambda of a 17-point grid on first
 * use. The bound is convex in lambda, so a binary search over the grid finds its smallest value in a few
 * lookups (every lambda gives a valid bound: the grid and rounding cost tightness, never exactness).
 * That is a bound on the real-number score of the completions from the prefix's floating-point state; the
 * floating-point score of a sequence differs from it by far less than {@link PRUNE_MARGIN} times the
 * magnitudes involved, so a subtree is skipped only when bound + margin < score to beat. Non-finite inputs,
 * negative penalties or a non-positive divisor turn the pruning off (plain enumeration).
 */

import type { QoeTable } from '../qoe/objective.js';

/** Weights of the rebuffer relaxation the bound takes the minimum over (0: utility only, 1: fluid). */
const LAMBDAS: readonly number[] = Array.from({ length: 17 }, (_, i) => i / 16);

/**
 * Relative slack added to every bound: 2^-30, against a floating-point error of at most about 2^-45 of the
 * magnitudes of a score (8 segments, a few dozen rounded operations; see docs/mpc-speed.md).
 */
export const PRUNE_MARGIN = 2 ** -30;

/** Options of {@link MpcSearch}. */
export interface MpcSearchOptions {
  /** Score every sequence (no pruning): the reference the fast search is checked and benchmarked against. */
  readonly exhaustive?: boolean;
}

/**
 * Exact MPC search over R^h rendition sequences, depth-first with branch and bound, allocation-free. Fill
 * `downloadS` (position × rendition, seconds) with {@link MpcSearch.setDownloadS}, then {@link MpcSearch.run}.
 */
export class MpcSearch {
  /** `downloadS[pos * stride + r]`: predicted download time of the segment at horizon position `pos`. */
  readonly downloadS: Float64Array;
  readonly stride: number;
  readonly exhaustive: boolean;
  /** Score of the sequence chosen by the last run. */
  bestScore = Number.NEGATIVE_INFINITY;
  /** Sequences the last run chose among (choices^horizon), scored or proved worse. */
  sequenceCount = 0;
  /** Sequences the last run actually scored (the rest were in pruned subtrees). */
  scoredCount = 0;

  private utility: Float64Array = new Float64Array(0);
  private divisor = 1;
  private rebufferPenalty = 0;
  private smoothPenalty = 0;
  private segmentS = 0;
  private horizon = 0;
  private choices = 0;
  private bestFirst = 0;
  /** Whether this run prunes (finite inputs, non-negative penalties, positive divisor). */
  private pruning = false;
  /** max(bestScore, score of the best constant plan): subtrees bounded strictly below it are skipped. */
  private threshold = Number.NEGATIVE_INFINITY;
  private incumbent = Number.NEGATIVE_INFINITY;
  private margin = 0;
  /**
   * `future[(l * (maxHorizon + 1) + pos) * stride + prev]`: the most the segments from `pos` on can add to the
   * score for the multiplier lambda_l (see {@link MpcSearch.fillFuture}), after rendition `prev`.
   */
  private readonly future: Float64Array;
  /** lambda_l times the rebuffer penalty, this run. */
  private readonly lambdaP: Float64Array;
  /** `futureRun[l] === runId` when `future[l]` is filled for this run (filled on first use). */
  private readonly futureRun: Int32Array;
  private runId = 0;
  /** q(r) = utility / divisor of this run, for the bounds only. */
  private readonly quality: Float64Array;
  /** Prefixes whose bound the last run checked (internal nodes reached). */
  boundedCount = 0;

  constructor(
    readonly maxHorizon: number,
    readonly renditionCount: number,
    options: MpcSearchOptions = {},
  ) {
    if (!Number.isInteger(maxHorizon) || maxHorizon < 1)
      throw new TypeError(`maxHorizon: must be >= 1, got ${maxHorizon}`);
    if (!Number.isInteger(renditionCount) || renditionCount < 1)
      throw new TypeError(`renditionCount: must be >= 1, got ${renditionCount}`);
    this.stride = renditionCount;
    this.exhaustive = options.exhaustive ?? false;
    this.downloadS = new Float64Array(maxHorizon * renditionCount);
    this.future = new Float64Array(LAMBDAS.length * (maxHorizon + 1) * renditionCount);
    this.lambdaP = new Float64Array(LAMBDAS.length);
    this.futureRun = new Int32Array(LAMBDAS.length);
    this.quality = new Float64Array(renditionCount);
  }

  /** Sets the predicted download time, in s, of horizon position `pos` at rendition `r`. */
  setDownloadS(pos: number, r: number, seconds: number): void {
    this.downloadS[pos * this.stride + r] = seconds;
  }

  /**
   * Returns the first rendition of the best sequence of renditions `0..choices-1` over `horizon` positions from
   * `bufferS` (ties: the later in lexicographic order), exactly as scoring every sequence would.
   * `lastRendition` is the rendition switches are counted from (null: none, the first position pays no switch).
   */
  run(
    qoe: QoeTable,
    horizon: number,
    choices: number,
    bufferS: number,
    segmentS: number,
    lastRendition: number | null,
  ): number {
    if (horizon < 1 || horizon > this.maxHorizon)
      throw new TypeError(`horizon: must be in 1..${this.maxHorizon}, got ${horizon}`);
    if (choices < 1 || choices > this.renditionCount)
      throw new TypeError(`choices: must be in 1..${this.renditionCount}, got ${choices}`);
    this.utility = qoe.utilityRaw;
    this.divisor = qoe.utilityDivisor;
    this.rebufferPenalty = qoe.rebufferPenaltyPerS;
    this.smoothPenalty = qoe.smoothPenalty;
    this.segmentS = segmentS;
    this.horizon = horizon;
    this.choices = choices;
    this.bestScore = Number.NEGATIVE_INFINITY;
    this.bestFirst = 0;
    this.sequenceCount = choices ** horizon;
    this.scoredCount = 0;
    this.boundedCount = 0;
    this.pruning = !this.exhaustive && horizon > 1 && this.prepareBounds(bufferS, lastRendition);
    this.threshold = this.pruning ? this.incumbent : Number.POSITIVE_INFINITY;
    const u = this.utility;
    const dl = this.downloadS;
    for (let r = 0; r < choices; r++) {
      // the root: with no previous rendition each first choice is its own reference (first switch costs 0)
      const prev = lastRendition ?? r;
      if (horizon === 1) {
        this.leaves(0, bufferS, 0, 0, 0, prev, r, r, r + 1);
        continue;
      }
      const d = dl[r] ?? 0;
      let buf = bufferS;
      let rebuf = 0;
      if (buf < d) {
        rebuf += d - buf;
        buf = 0;
      } else buf -= d;
      buf += segmentS;
      const ur = u[r] ?? 0;
      this.visit(1, buf, rebuf, 0 + ur, 0 + Math.abs(ur - (u[prev] ?? 0)), r, r);
    }
    return this.bestFirst;
  }

  /** Scores the leaves `from..to-1` at the last position, after the prefix state given. */
  private leaves(
    depth: number,
    bufferS: number,
    rebufferS: number,
    sumRaw: number,
    smoothRaw: number,
    prev: number,
    first: number,
    from: number,
    to: number,
  ): void {
    const u = this.utility;
    const dl = this.downloadS;
    const base = depth * this.stride;
    const uPrev = u[prev] ?? 0;
    this.scoredCount += to - from;
    for (let r = from; r < to; r++) {
      const d = dl[base + r] ?? 0;
      let rebuf = rebufferS;
      if (bufferS < d) rebuf += d - bufferS;
      const ur = u[r] ?? 0;
      const score =
        (sumRaw + ur) / this.divisor -
        this.rebufferPenalty * rebuf -
        this.smoothPenalty * ((smoothRaw + Math.abs(ur - uPrev)) / this.divisor);
      if (score >= this.bestScore) {
        this.bestScore = score;
        this.bestFirst = first;
        if (this.pruning && score > this.threshold) this.threshold = score;
      }
    }
  }

  /** Extends a prefix ending at `depth - 1` (state given) by every rendition at `depth`, unless bounded out. */
  private visit(
    depth: number,
    bufferS: number,
    rebufferS: number,
    sumRaw: number,
    smoothRaw: number,
    prev: number,
    first: number,
  ): void {
    if (this.pruning) {
      this.boundedCount++;
      const partial =
        sumRaw / this.divisor -
        this.rebufferPenalty * rebufferS -
        this.smoothPenalty * (smoothRaw / this.divisor);
      const room = this.threshold - this.margin - partial;
      const capacity = bufferS + (this.horizon - depth - 1) * this.segmentS;
      // the bound is convex in lambda: binary search for its minimum over the grid, stop once one prunes
      let lo = 0;
      let hi = LAMBDAS.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const a = this.futureBound(mid, depth, prev, capacity);
        if (a < room) return;
        const b = this.futureBound(mid + 1, depth, prev, capacity);
        if (b < room) return;
        if (a <= b) hi = mid;
        else lo = mid + 1;
      }
      if (this.futureBound(lo, depth, prev, capacity) < room) return;
    }
    if (depth === this.horizon - 1) {
      this.leaves(depth, bufferS, rebufferS, sumRaw, smoothRaw, prev, first, 0, this.choices);
      return;
    }
    const u = this.utility;
    const dl = this.downloadS;
    const base = depth * this.stride;
    const uPrev = u[prev] ?? 0;
    const next = depth + 1;
    for (let r = 0; r < this.choices; r++) {
      const d = dl[base + r] ?? 0;
      let buf = bufferS;
      let rebuf = rebufferS;
      if (buf < d) {
        rebuf += d - buf;
        buf = 0;
      } else buf -= d;
      buf += this.segmentS;
      const ur = u[r] ?? 0;
      this.visit(next, buf, rebuf, sumRaw + ur, smoothRaw + Math.abs(ur - uPrev), r, first);
    }
  }

  /**
   * Sets the margin, q(r) and lambda P for this run, invalidates the DP tables and finds the incumbent (the
   * best constant plan); false when pruning is off
   * (non-finite download times or buffer, negative penalties, a non-positive divisor: plain enumeration).
   */
  private prepareBounds(bufferS: number, lastRendition: number | null): boolean {
    const u = this.utility;
    const dl = this.downloadS;
    const div = this.divisor;
    const penalty = this.rebufferPenalty;
    const smooth = this.smoothPenalty;
    const h = this.horizon;
    const n = this.choices;
    if (!(div > 0) || !(penalty >= 0) || !(smooth >= 0) || !Number.isFinite(div)) return false;
    if (!Number.isFinite(penalty) || !Number.isFinite(smooth)) return false;
    if (!Number.isFinite(bufferS) || !Number.isFinite(this.segmentS) || this.segmentS < 0) return false;
    let utilityAbs = 0;
    for (let r = 0; r < this.renditionCount; r++) {
      const ur = u[r] ?? 0;
      if (!Number.isFinite(ur)) return false;
      utilityAbs = Math.max(utilityAbs, Math.abs(ur));
    }
    let downloadAbs = 0;
    for (let pos = 0; pos < h; pos++) {
      let rowMax = 0;
      for (let r = 0; r < n; r++) {
        const d = dl[pos * this.stride + r] ?? 0;
        if (!Number.isFinite(d)) return false;
        rowMax = Math.max(rowMax, Math.abs(d));
      }
      downloadAbs += rowMax;
    }
    // every magnitude a score or a bound is made of, bounded once per run (see PRUNE_MARGIN)
    const scale =
      1 +
      (h * utilityAbs * (2 + 4 * smooth)) / div +
      penalty * (Math.abs(bufferS) + h * this.segmentS + 4 * downloadAbs);
    this.margin = scale * PRUNE_MARGIN;
    for (let r = 0; r < this.renditionCount; r++) this.quality[r] = (u[r] ?? 0) / div;
    for (let l = 0; l < LAMBDAS.length; l++) this.lambdaP[l] = (LAMBDAS[l] ?? 0) * penalty;
    // future[l] is filled on first use: a run usually needs a few of the multipliers
    this.runId = (this.runId + 1) | 0;
    this.incumbent = this.bestConstantPlan(bufferS, lastRendition);
    return true;
  }

  /** `future[l][pos][prev] + lambda_l P capacity`, filling `future[l]` first if this run has not. */
  private futureBound(l: number, pos: number, prev: number, capacity: number): number {
    if (this.futureRun[l] !== this.runId) this.fillFuture(l);
    const at = (l * (this.maxHorizon + 1) + pos) * this.stride + prev;
    return (this.future[at] ?? 0) + (this.lambdaP[l] ?? 0) * capacity;
  }

  /**
   * The Lagrangian relaxation of the rebuffering for multiplier lambda_l, solved exactly by a DP over
   * (position, rendition): `future[l][h][r] = 0` and
   * `future[l][pos][prev] = max_r (q(r) - lambda_l P d_pos(r) - S |q(r) - q(prev)| + future[l][pos + 1][r])`.
   */
  private fillFuture(l: number): void {
    const q = this.quality;
    const dl = this.downloadS;
    const n = this.choices;
    const smooth = this.smoothPenalty;
    const lp = this.lambdaP[l] ?? 0;
    const stride = this.stride;
    const table = this.future;
    const layer = l * (this.maxHorizon + 1);
    const h = this.horizon;
    for (let r = 0; r < n; r++) table[(layer + h) * stride + r] = 0;
    // position 0 is never bounded (the root's children start at 1)
    for (let pos = h - 1; pos >= 1; pos--) {
      const here = (layer + pos) * stride;
      const next = here + stride;
      for (let prev = 0; prev < n; prev++) {
        const qPrev = q[prev] ?? 0;
        let best = Number.NEGATIVE_INFINITY;
        for (let r = 0; r < n; r++) {
          const qr = q[r] ?? 0;
          const v =
            qr - lp * (dl[pos * stride + r] ?? 0) - smooth * Math.abs(qr - qPrev) + (table[next + r] ?? 0);
          if (v > best) best = v;
        }
        table[here + prev] = best;
      }
    }
    this.futureRun[l] = this.runId;
  }

  /** The best score of the constant plans (r, r, ..., r), each scored with the operations of the walk. */
  private bestConstantPlan(bufferS: number, lastRendition: number | null): number {
    const u = this.utility;
    const dl = this.downloadS;
    let best = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < this.choices; r++) {
      const ur = u[r] ?? 0;
      let uPrev = u[lastRendition ?? r] ?? 0;
      let buf = bufferS;
      let rebuf = 0;
      let sumRaw = 0;
      let smoothRaw = 0;
      for (let pos = 0; pos < this.horizon - 1; pos++) {
        const d = dl[pos * this.stride + r] ?? 0;
        if (buf < d) {
          rebuf += d - buf;
          buf = 0;
        } else buf -= d;
        buf += this.segmentS;
        sumRaw = sumRaw + ur;
        smoothRaw = smoothRaw + Math.abs(ur - uPrev);
        uPrev = ur;
      }
      const d = dl[(this.horizon - 1) * this.stride + r] ?? 0;
      if (buf < d) rebuf += d - buf;
      const score =
        (sumRaw + ur) / this.divisor -
        this.rebufferPenalty * rebuf -
        this.smoothPenalty * ((smoothRaw + Math.abs(ur - uPrev)) / this.divisor);
      if (score > best) best = score;
    }
    return best;
  }
}
