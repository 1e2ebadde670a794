/**
 * The exact MPC search (Yin et al., SIGCOMM 2015, as coded in Pensieve's `test/mpc.py`): the first rendition of
 * the best of the R^h rendition sequences over the next h segments, ties to the later sequence in lexicographic
 * order (Pensieve's `>=`). Used by mpc and robust-mpc (mpc.ts).
 */

/** What the search reads of the QoE objective: the shape of src/qoe's `QoeTable`. */
export interface MpcObjective {
  readonly utilityRaw: Float64Array;
  readonly utilityDivisor: number;
  readonly rebufferPenaltyPerS: number;
  readonly smoothPenalty: number;
}

/**
 * Exhaustive MPC search over R^h rendition sequences, depth-first, allocation-free. Fill `downloadS` (position
 * × rendition, seconds) with {@link MpcSearch.setDownloadS}, then {@link MpcSearch.run}.
 */
export class MpcSearch {
  /** `downloadS[pos * stride + r]`: predicted download time of the segment at horizon position `pos`. */
  readonly downloadS: Float64Array;
  readonly stride: number;
  /** Score of the sequence chosen by the last run. */
  bestScore = Number.NEGATIVE_INFINITY;
  /** Sequences scored by the last run. */
  sequenceCount = 0;

  private utility: Float64Array = new Float64Array(0);
  private divisor = 1;
  private rebufferPenalty = 0;
  private smoothPenalty = 0;
  private segmentS = 0;
  private horizon = 0;
  private choices = 0;
  private bestFirst = 0;

  constructor(
    readonly maxHorizon: number,
    readonly renditionCount: number,
  ) {
    if (!Number.isInteger(maxHorizon) || maxHorizon < 1)
      throw new TypeError(`maxHorizon: must be >= 1, got ${maxHorizon}`);
    if (!Number.isInteger(renditionCount) || renditionCount < 1)
      throw new TypeError(`renditionCount: must be >= 1, got ${renditionCount}`);
    this.stride = renditionCount;
    this.downloadS = new Float64Array(maxHorizon * renditionCount);
  }

  /** Sets the predicted download time, in s, of horizon position `pos` at rendition `r`. */
  setDownloadS(pos: number, r: number, seconds: number): void {
    this.downloadS[pos * this.stride + r] = seconds;
  }

  /**
   * Scores every sequence of renditions `0..choices-1` over `horizon` positions from `bufferS` and returns the
   * first rendition of the best one (ties: the later in lexicographic order). `lastRendition` is the rendition
   * switches are counted from (null: none, the first position pays no switch).
   */
  run(
    qoe: MpcObjective,
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
    if (lastRendition === null) {
      // no previous rendition: each first choice is its own reference, so the first switch costs 0
      for (let r = 0; r < choices; r++) this.visit(0, bufferS, 0, 0, 0, r, r, true);
    } else {
      for (let r = 0; r < choices; r++) this.visit(0, bufferS, 0, 0, 0, lastRendition, r, true);
    }
    return this.bestFirst;
  }

  /**
   * Extends a prefix (buffer, rebuffer, sums, previous rendition, first rendition) by rendition `r` at `depth`.
   * `only`: try just `r` at this depth (used for the root so that a null last rendition works per branch).
   */
  private visit(
    depth: number,
    bufferS: number,
    rebufferS: number,
    sumRaw: number,
    smoothRaw: number,
    prev: number,
    first: number,
    only: boolean,
  ): void {
    const u = this.utility;
    const dl = this.downloadS;
    const base = depth * this.stride;
    const from = only ? first : 0;
    const to = only ? first + 1 : this.choices;
    const uPrev = u[prev] ?? 0;
    if (depth === this.horizon - 1) {
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
        }
      }
      return;
    }
    const next = depth + 1;
    for (let r = from; r < to; r++) {
      const d = dl[base + r] ?? 0;
      let buf = bufferS;
      let rebuf = rebufferS;
      if (buf < d) {
        rebuf += d - buf;
        buf = 0;
      } else buf -= d;
      buf += this.segmentS;
      const ur = u[r] ?? 0;
      const nextSum = sumRaw + ur;
      const nextSmooth = smoothRaw + Math.abs(ur - uPrev);
      this.visit(next, buf, rebuf, nextSum, nextSmooth, r, first, false);
    }
  }
}
