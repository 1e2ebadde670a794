/**
 * What a suite's numbers come to: per set, one row per algorithm (mean and median session QoE, stalls,
 * switches, per-trace wins against the baseline, fraction of the offline optimum, stall difference against
 * bola-e), then the leave-one-family-out (LOFO) summary. Pure: no Node; the CLI, the JSON and the HTML report
 * all read it.
 *
 * Definitions (the tables' footers repeat them):
 * - a session's QoE is the sum of its segments' QoE terms;
 * - wins/ties/losses: per trace, the algorithm's session QoE against the baseline's on the same trace; a tie
 *   when they differ by at most 1e-9 · max(1, |baseline|);
 * - fraction of the optimum: mean(algorithm's QoE over the optimum's traces) / mean(optimum's QoE over them),
 *   `optimumFraction` in batch-stats.ts, the definition `abrkit sim` shares (over the traces the optimum
 *   scores > 0 on only where its own mean is ≤ 0, and marked so); null when the optimum did not run;
 * - relative gain on a set: (mean − baseline mean) / |baseline mean| (null when the baseline mean is 0);
 * - carried by one trace: leaving out the trace whose QoE differs most from the baseline's moves the relative
 *   gain by more than twice its standard error over the other traces (an outage that catches one algorithm's
 *   session and not the other's can outweigh hundreds of traces: the mean is then that trace's lottery);
 * - LOFO: for each family F, the candidate with the best mean relative gain over the sets not in F is chosen,
 *   and its relative gain on each set of F is reported. Beside it, the candidate with the best mean rank over
 *   those sets (rank 1 = the highest gain on a set, ties share their mean rank; J. Demšar, "Statistical
 *   Comparisons of Classifiers over Multiple Data Sets", JMLR 2006): relative gains on different sets are not
 *   commensurable, and one noisy set (Pensieve-train's ±20 points) can carry a mean of gains alone.
 */
import { mean, median, optimumFraction } from '../batch-stats.js';
import type { OptimumFraction, OptimumFractionScope } from '../batch-stats.js';

/** Per-trace numbers of one algorithm on one set, index-aligned with the set's traces. */
export interface TraceSeries {
  readonly qoe: readonly number[];
  readonly rebufferS: readonly number[];
  readonly switches: readonly number[];
  readonly bitrateKbpsMean: readonly number[];
}

/** The raw results of one set. */
export interface SetResults {
  readonly name: string;
  readonly family: string;
  /** Trace names, in run order. */
  readonly traces: readonly string[];
  /** By algorithm label, in table order. */
  readonly algorithms: Readonly<Record<string, TraceSeries>>;
  /** The offline optimum on a subset of the traces: indices into `traces` and its series on them. */
  readonly optimal?: { readonly traceIndices: readonly number[]; readonly series: TraceSeries };
}

export interface AlgorithmRow {
  readonly label: string;
  readonly sessions: number;
  readonly qoeMean: number;
  readonly qoeMedian: number;
  readonly rebufferSMean: number;
  readonly switchesMean: number;
  readonly bitrateKbpsMean: number;
  /** Per trace against the baseline (the baseline's own row: all ties). */
  readonly wins: number;
  readonly ties: number;
  readonly losses: number;
  /** (mean − baseline mean) / |baseline mean|; null when the baseline mean is 0. */
  readonly relativeGain: number | null;
  /**
   * Standard error of `relativeGain` over the set's traces (paired: the per-trace differences' standard
   * deviation / √n / |baseline mean|); null with fewer than 2 traces or a baseline mean of 0.
   */
  readonly relativeGainSe: number | null;
  /** Ratio of means over the optimum's traces (`optimumFraction`); null without the optimum. */
  readonly optimalFraction: number | null;
  /** Over which of the optimum's traces `optimalFraction` is; null with it. */
  readonly optimalFractionScope: OptimumFractionScope | null;
  /** Mean stall per session minus bola-e's, s; null when bola-e did not run. */
  readonly stallVsBolaES: number | null;
  /** The one trace the relative gain rests on ({@link singleTraceInfluence}); null when none does. */
  readonly carriedBy: TraceInfluence | null;
}

/** A trace without which a relative gain moves by more than twice its standard error over the others. */
export interface TraceInfluence {
  readonly trace: string;
  /** The relative gain over the other traces, and its standard error there. */
  readonly gainWithout: number;
  readonly gainWithoutSe: number;
}

export interface OptimalRow {
  readonly sessions: number;
  readonly qoeMean: number;
  readonly qoeMedian: number;
  readonly rebufferSMean: number;
  readonly switchesMean: number;
}

export interface SetAnalysis {
  readonly name: string;
  readonly family: string;
  readonly rows: readonly AlgorithmRow[];
  readonly optimal: OptimalRow | null;
}

/** A tie within this fraction of max(1, |baseline QoE|). */
export const TIE_TOLERANCE = 1e-9;

/** The algorithm to compare stalls with, when it ran. */
export const STALL_REFERENCE = 'bola-e';

/** Per-trace wins, ties and losses of `qoe` against `baseline` (same traces, same order). */
export function winsTiesLosses(
  qoe: readonly number[],
  baseline: readonly number[],
): { wins: number; ties: number; losses: number } {
  if (qoe.length !== baseline.length)
    throw new RangeError(`series of ${qoe.length} and ${baseline.length} traces cannot be compared`);
  let wins = 0;
  let ties = 0;
  let losses = 0;
  qoe.forEach((q, i) => {
    const b = baseline[i] as number;
    const d = q - b;
    if (Math.abs(d) <= TIE_TOLERANCE * Math.max(1, Math.abs(b))) ties++;
    else if (d > 0) wins++;
    else losses++;
  });
  return { wins, ties, losses };
}

/** (value − base) / |base|; null when base is 0 or either is not finite. */
export function relativeGain(value: number, base: number): number | null {
  if (!Number.isFinite(value) || !Number.isFinite(base) || base === 0) return null;
  return (value - base) / Math.abs(base);
}

/**
 * Standard error of the relative gain of `qoe` over `baseline` (same traces, same order): the per-trace
 * differences are paired, so trace-to-trace spread common to both does not count. Null with fewer than 2
 * traces, a baseline mean of 0 or a non-finite value.
 */
export function relativeGainStandardError(
  qoe: readonly number[],
  baseline: readonly number[],
): number | null {
  const n = qoe.length;
  if (n !== baseline.length)
    throw new RangeError(`series of ${n} and ${baseline.length} traces cannot be compared`);
  const baseMean = n > 0 ? mean(baseline) : 0;
  if (n < 2 || baseMean === 0 || !Number.isFinite(baseMean)) return null;
  const diffs = qoe.map((q, i) => q - (baseline[i] as number));
  const m = mean(diffs);
  const variance = diffs.reduce((acc, d) => acc + (d - m) * (d - m), 0) / (n - 1);
  const se = Math.sqrt(variance / n) / Math.abs(baseMean);
  return Number.isFinite(se) ? se : null;
}

/**
 * The trace whose QoE differs most from the baseline's (same traces, same order), when leaving it out moves
 * the relative gain by more than twice the gain's standard error over the other traces; null otherwise, with
 * fewer than 3 traces, or where a gain is not defined. With such a trace the set's mean gain says more about
 * that one session than about the algorithm; the gain without it, and the median, say the rest.
 */
export function singleTraceInfluence(
  qoe: readonly number[],
  baseline: readonly number[],
  traces: readonly string[],
): TraceInfluence | null {
  const n = qoe.length;
  if (n !== baseline.length || n !== traces.length)
    throw new RangeError(`series of ${n}, ${baseline.length} and ${traces.length} traces cannot be compared`);
  if (n < 3) return null;
  let top = 0;
  for (let i = 1; i < n; i++)
    if (Math.abs(qoe[i]! - baseline[i]!) > Math.abs(qoe[top]! - baseline[top]!)) top = i;
  const gain = relativeGain(mean(qoe), mean(baseline));
  const rest = (xs: readonly number[]): number[] => xs.filter((_, i) => i !== top);
  const restQoe = rest(qoe);
  const restBase = rest(baseline);
  const gainWithout = relativeGain(mean(restQoe), mean(restBase));
  const gainWithoutSe = relativeGainStandardError(restQoe, restBase);
  if (gain === null || gainWithout === null || gainWithoutSe === null) return null;
  if (!(Math.abs(gain - gainWithout) > 2 * gainWithoutSe)) return null;
  return { trace: traces[top]!, gainWithout, gainWithoutSe };
}

/** The fraction of the optimum of `qoe` (a whole set's series) on the optimum's traces `indices`. */
export function optimalFraction(
  qoe: readonly number[],
  indices: readonly number[],
  optimalQoe: readonly number[],
): OptimumFraction | null {
  if (indices.length !== optimalQoe.length) return null;
  return optimumFraction(
    indices.map((i) => qoe[i] as number),
    optimalQoe,
  );
}

function fractionFields(
  f: OptimumFraction | null,
): Pick<AlgorithmRow, 'optimalFraction' | 'optimalFractionScope'> {
  return { optimalFraction: f?.fraction ?? null, optimalFractionScope: f?.scope ?? null };
}

/** The table of one set; `baseline` must be one of its algorithms. */
export function analyzeSet(set: SetResults, baseline: string): SetAnalysis {
  const base = set.algorithms[baseline];
  if (!base) throw new RangeError(`set '${set.name}' has no results for the baseline '${baseline}'`);
  const baseMean = mean(base.qoe);
  const stallRef = set.algorithms[STALL_REFERENCE];
  const stallRefMean = stallRef ? mean(stallRef.rebufferS) : null;
  const rows = Object.entries(set.algorithms).map(([label, s]): AlgorithmRow => {
    const qoeMean = mean(s.qoe);
    const rebufferSMean = mean(s.rebufferS);
    return {
      label,
      sessions: s.qoe.length,
      qoeMean,
      qoeMedian: median(s.qoe),
      rebufferSMean,
      switchesMean: mean(s.switches),
      bitrateKbpsMean: mean(s.bitrateKbpsMean),
      ...winsTiesLosses(s.qoe, base.qoe),
      relativeGain: relativeGain(qoeMean, baseMean),
      relativeGainSe: label === baseline ? null : relativeGainStandardError(s.qoe, base.qoe),
      ...fractionFields(
        set.optimal ? optimalFraction(s.qoe, set.optimal.traceIndices, set.optimal.series.qoe) : null,
      ),
      stallVsBolaES: stallRefMean === null ? null : rebufferSMean - stallRefMean,
      carriedBy: label === baseline ? null : singleTraceInfluence(s.qoe, base.qoe, set.traces),
    };
  });
  const o = set.optimal?.series;
  return {
    name: set.name,
    family: set.family,
    rows,
    optimal:
      o && o.qoe.length > 0
        ? {
            sessions: o.qoe.length,
            qoeMean: mean(o.qoe),
            qoeMedian: median(o.qoe),
            rebufferSMean: mean(o.rebufferS),
            switchesMean: mean(o.switches),
          }
        : null,
  };
}

/** One held-out family of the LOFO summary. */
export interface LofoFold {
  readonly family: string;
  /** The candidate with the best mean relative gain on the other families' sets; null when none qualifies. */
  readonly chosen: string | null;
  /** That mean relative gain on the other sets (the training score). */
  readonly trainGain: number | null;
  /** The chosen candidate's relative gain on each set of the family. */
  readonly heldOut: readonly { readonly set: string; readonly gain: number | null }[];
  /** Mean of `heldOut` gains (nulls left out). */
  readonly heldOutMean: number | null;
  /** The same fold chosen by mean rank over the other families' sets instead of mean gain. */
  readonly byRank: {
    /** The candidate with the lowest mean rank (ties: the higher mean gain, then the earlier candidate). */
    readonly chosen: string | null;
    /** Its mean rank over the other sets, 1 = best on every one. */
    readonly meanRank: number | null;
    readonly heldOut: readonly { readonly set: string; readonly gain: number | null }[];
    readonly heldOutMean: number | null;
  };
}

export interface LofoSummary {
  readonly families: readonly string[];
  readonly folds: readonly LofoFold[];
  /** Every algorithm's mean relative gain per family (over the family's sets): label → family → gain. */
  readonly gainByFamily: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
}

function meanOfKnown(values: readonly (number | null | undefined)[]): number | null {
  const known = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return known.length > 0 ? mean(known) : null;
}

/**
 * Mean rank of each candidate over sets: `gains[set][candidate]`, rank 1 = the highest gain on a set, tied
 * candidates share the mean of their ranks, a candidate without a gain on a set ranks last there. Null for
 * every candidate when there are no sets.
 */
export function meanRanks(
  gains: readonly (readonly (number | null)[])[],
  candidateCount: number,
): (number | null)[] {
  if (gains.length === 0) return Array.from({ length: candidateCount }, () => null);
  const sums = new Array<number>(candidateCount).fill(0);
  for (const row of gains) {
    const known = (i: number): number | null => {
      const g = row[i];
      return typeof g === 'number' && Number.isFinite(g) ? g : null;
    };
    for (let i = 0; i < candidateCount; i++) {
      const g = known(i);
      let better = 0;
      let tied = 0;
      for (let j = 0; j < candidateCount; j++) {
        if (j === i) continue;
        const h = known(j);
        if (g === null) {
          if (h !== null) better++;
          else tied++;
        } else if (h !== null) {
          if (h > g) better++;
          else if (h === g) tied++;
        }
      }
      sums[i] = (sums[i] as number) + 1 + better + tied / 2;
    }
  }
  return sums.map((s) => s / gains.length);
}

/** The leave-one-family-out summary over analysed sets (see the file comment). */
export function leaveOneFamilyOut(sets: readonly SetAnalysis[], candidates: readonly string[]): LofoSummary {
  const families = [...new Set(sets.map((s) => s.family))];
  const gain = (set: SetAnalysis, label: string): number | null =>
    set.rows.find((r) => r.label === label)?.relativeGain ?? null;
  const folds = families.map((family): LofoFold => {
    const train = sets.filter((s) => s.family !== family);
    const test = sets.filter((s) => s.family === family);
    // gains[set][candidate] over the other families' sets, and each candidate's mean of them
    const gains = train.map((s) => candidates.map((c) => gain(s, c)));
    const meanGains = candidates.map((_, i) => meanOfKnown(gains.map((row) => row[i])));
    const ranks = meanRanks(gains, candidates.length);
    let best: number | null = null;
    let rankChosen: number | null = null;
    for (let i = 0; i < candidates.length; i++) {
      const g = meanGains[i] ?? null;
      if (g === null) continue;
      if (best === null || g > (meanGains[best] as number)) best = i;
      const r = ranks[i] ?? null;
      const top = rankChosen === null ? null : (ranks[rankChosen] as number);
      // ties in rank go to the higher mean gain, then to the earlier candidate
      if (
        r !== null &&
        (top === null || r < top || (r === top && g > (meanGains[rankChosen as number] as number)))
      )
        rankChosen = i;
    }
    const chosen = best === null ? null : (candidates[best] as string);
    const trainGain = best === null ? null : (meanGains[best] ?? null);
    const scoreOn = (c: string | null) => {
      const heldOut = test.map((s) => ({ set: s.name, gain: c === null ? null : gain(s, c) }));
      return { heldOut, heldOutMean: meanOfKnown(heldOut.map((h) => h.gain)) };
    };
    const byRankLabel = rankChosen === null ? null : (candidates[rankChosen] as string);
    return {
      family,
      chosen,
      trainGain,
      ...scoreOn(chosen),
      byRank: {
        chosen: byRankLabel,
        meanRank: rankChosen === null ? null : (ranks[rankChosen] ?? null),
        ...scoreOn(byRankLabel),
      },
    };
  });
  const labels = [...new Set(sets.flatMap((s) => s.rows.map((r) => r.label)))];
  const gainByFamily: Record<string, Record<string, number | null>> = {};
  for (const label of labels) {
    const byFamily: Record<string, number | null> = {};
    for (const family of families)
      byFamily[family] = meanOfKnown(sets.filter((s) => s.family === family).map((s) => gain(s, label)));
    gainByFamily[label] = byFamily;
  }
  return { families, folds, gainByFamily };
}
