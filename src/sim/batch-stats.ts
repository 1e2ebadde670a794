/**
 * Per-session metrics and their aggregation per algorithm for batch runs: means, medians, a 95% confidence
 * interval of the mean (Student's t distribution) and, when the offline optimum ran too, the fraction of the
 * optimal QoE each algorithm reached. No Node, no globals: the CLI and the HTML report both read it.
 */
import type { SegmentRecord } from '../core/types.js';

/** What one (trace, algorithm) session comes to. */
export interface SessionStats {
  /** Position of the session's job in the full (unsharded) job list: traceIndex * algos + algoIndex. */
  readonly job: number;
  readonly traceIndex: number;
  readonly algoIndex: number;
  readonly trace: string;
  readonly algo: string;
  readonly segments: number;
  /** Sum of the per-segment QoE terms (Pensieve's convention: the session's reward). */
  readonly qoe: number;
  /** Mean over segments of the fetched bitrate. */
  readonly bitrateKbpsMean: number;
  /** Total stall time, seconds. */
  readonly rebufferS: number;
  /** Number of rendition changes between consecutive segments. */
  readonly switches: number;
  /** Live sessions only: mean over segments of the latency when each arrived, ms. */
  readonly latencyMsMean?: number;
}

/**
 * One algorithm's line of the `--summary` JSON. Field order is the file's. An algorithm with no session (a
 * shard that holds none of its jobs) has `sessions: 0` and null statistics (NaN in JSON).
 */
export interface AlgoSummary {
  sessions: number;
  qoeMean: number;
  qoeMedian: number;
  bitrateKbpsMean: number;
  rebufferSMean: number;
  switchesMean: number;
  /** Live runs only: mean over sessions of the mean latency, ms. */
  latencyMsMean?: number;
  /**
   * The fraction of the offline optimum ({@link optimumFraction}), present when `optimal` ran. Only traces
   * where both sessions ran count (with `--shard`, the optimal session of a trace may sit in another shard).
   */
  optimalFraction?: number | null;
  /** Over which traces {@link AlgoSummary.optimalFraction} was taken (see {@link OptimumFraction}). */
  optimalFractionScope?: OptimumFractionScope;
}

/**
 * Which traces a fraction of the optimum is over: `all` of them, or only those the optimum scores > 0 on
 * (`positive`, when its mean over all is ≤ 0 and a ratio of means would have no meaning).
 */
export type OptimumFractionScope = 'all' | 'positive';

export interface OptimumFraction {
  readonly fraction: number;
  readonly scope: OptimumFractionScope;
}

/**
 * The fraction of the offline optimum an algorithm reached, the one definition the simulator's summaries and
 * the suite share: mean(QoE) / mean(the optimum's QoE) over the same traces (`qoe[i]` and `optimalQoe[i]` on
 * trace i), a ratio of means as in the issue that asked for it (robust-mpc at 48% on Puffer). A mean of
 * per-trace ratios would be dominated by traces the optimum barely scores on, and leaving out the traces the
 * optimum scores ≤ 0 on would leave out the sessions that stall most, flattering every algorithm (robust-mpc
 * 64% instead of 51% on 50 Puffer traces). Only when the optimum's own mean is ≤ 0 (outages no one rides out,
 * such as HSDPA's 950 s gap) does the ratio lose its meaning; it is then taken over the traces the optimum
 * scores > 0 on and says so (`scope: 'positive'`). Null when there are no traces, or none of those.
 */
export function optimumFraction(
  qoe: readonly number[],
  optimalQoe: readonly number[],
): OptimumFraction | null {
  if (qoe.length !== optimalQoe.length)
    throw new RangeError('optimumFraction: qoe and optimalQoe differ in length');
  let sum = 0;
  let best = 0;
  let positiveSum = 0;
  let positiveBest = 0;
  for (let i = 0; i < qoe.length; i++) {
    const q = qoe[i] as number;
    const o = optimalQoe[i] as number;
    sum += q;
    best += o;
    if (o > 0) {
      positiveSum += q;
      positiveBest += o;
    }
  }
  if (qoe.length === 0) return null;
  if (best > 0) return { fraction: sum / best, scope: 'all' };
  return positiveBest > 0 ? { fraction: positiveSum / positiveBest, scope: 'positive' } : null;
}

/** "62.2%", "31.6%*" for a fraction over the positive traces only, "-" for none. */
export function optimumFractionText(
  fraction: number | null | undefined,
  scope: OptimumFractionScope | null | undefined,
): string {
  if (fraction === null || fraction === undefined) return '-';
  return `${(fraction * 100).toFixed(1)}%${scope === 'positive' ? '*' : ''}`;
}

/** The footnote for {@link optimumFractionText}'s star. */
export const POSITIVE_SCOPE_NOTE =
  "*: the optimum's mean is ≤ 0 here, so over the traces it scores > 0 on only.";

/** The `--summary` file. */
export interface BatchSummary {
  algos: Record<string, AlgoSummary>;
}

/** Name under which the registry lists the offline optimum. */
export const OPTIMAL_ALGORITHM = 'optimal';

/** Metrics of one session from its per-segment log. */
export function sessionStats(
  records: readonly SegmentRecord[],
  job: { job: number; traceIndex: number; algoIndex: number; trace: string; algo: string },
): SessionStats {
  let qoe = 0;
  let bitrate = 0;
  let rebufferMs = 0;
  let switches = 0;
  let last: number | null = null;
  let latencyMs = 0;
  let latencies = 0;
  for (const r of records) {
    if (r.latencyMs !== undefined) {
      latencyMs += r.latencyMs;
      latencies++;
    }
    qoe += r.qoe;
    bitrate += r.bitrateKbps;
    rebufferMs += r.rebufferMs;
    if (last !== null && r.rendition !== last) switches++;
    last = r.rendition;
  }
  const n = records.length;
  return {
    ...job,
    segments: n,
    qoe,
    bitrateKbpsMean: n > 0 ? bitrate / n : 0,
    rebufferS: rebufferMs / 1000,
    switches,
    ...(latencies > 0 ? { latencyMsMean: latencyMs / latencies } : {}),
  };
}

/** Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
const Z975 = 1.959964;

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom: a table up to 30, then the Cornish-Fisher
 * expansion around the normal quantile (error below 1e-4 there).
 */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) return Number.NaN;
  const k = Math.floor(df);
  if (k <= T975.length) return T975[k - 1] ?? Number.NaN;
  const z = Z975;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * k) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * k ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * k ** 3)
  );
}

/** Half-width of the 95% confidence interval of the mean of `values` (t distribution); NaN below 2 values. */
export function ci95HalfWidth(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return (tQuantile975(n - 1) * sd) / Math.sqrt(n);
}

/** Median of `values` (mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const hi = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? Number.NaN) + hi) / 2;
}

/** Per-algorithm series kept for the summary and the report (numbers only: a few per session, no records). */
export interface AlgoSeries {
  readonly name: string;
  readonly qoe: number[];
  readonly bitrateKbpsMean: number[];
  readonly rebufferS: number[];
  readonly switches: number[];
  /** Live runs only: each session's mean latency, ms. */
  latencyMsMean?: number[];
  /** QoE by trace index, for the optimal fraction (filled only when the optimum is one of the algorithms). */
  readonly qoeByTrace: Map<number, number>;
}

/**
 * Collects session metrics as they arrive (in any order) and turns them into a {@link BatchSummary}.
 * Memory grows by four numbers per session (kept for exact medians and the report's distributions; plus
 * a map entry when the optimum runs, for the optimal fraction), never by segment records.
 */
export class SummaryAccumulator {
  readonly series: AlgoSeries[];
  /** Whether the optimum runs: only then is `qoeByTrace` kept (the largest per-session cost otherwise). */
  private readonly withOptimal: boolean;

  constructor(algos: readonly string[]) {
    this.withOptimal = algos.includes(OPTIMAL_ALGORITHM);
    this.series = algos.map((name) => ({
      name,
      qoe: [],
      bitrateKbpsMean: [],
      rebufferS: [],
      switches: [],
      qoeByTrace: new Map(),
    }));
  }

  add(stats: SessionStats): void {
    const s = this.series[stats.algoIndex];
    if (!s) throw new RangeError(`algoIndex ${stats.algoIndex} out of range`);
    s.qoe.push(stats.qoe);
    s.bitrateKbpsMean.push(stats.bitrateKbpsMean);
    s.rebufferS.push(stats.rebufferS);
    s.switches.push(stats.switches);
    if (stats.latencyMsMean !== undefined) (s.latencyMsMean ??= []).push(stats.latencyMsMean);
    if (this.withOptimal) s.qoeByTrace.set(stats.traceIndex, stats.qoe);
  }

  /** This series' fraction of the optimum over the traces both ran on (see {@link optimumFraction}). */
  optimalFraction(series: AlgoSeries): OptimumFraction | null | undefined {
    const optimal = this.series.find((s) => s.name === OPTIMAL_ALGORITHM);
    if (!optimal) return undefined;
    const qoe: number[] = [];
    const best: number[] = [];
    for (const [trace, q] of series.qoeByTrace) {
      const o = optimal.qoeByTrace.get(trace);
      if (o === undefined) continue;
      qoe.push(q);
      best.push(o);
    }
    return optimumFraction(qoe, best);
  }

  summary(): BatchSummary {
    const algos: Record<string, AlgoSummary> = {};
    for (const s of this.series) {
      const line: AlgoSummary = {
        sessions: s.qoe.length,
        qoeMean: mean(s.qoe),
        qoeMedian: median(s.qoe),
        bitrateKbpsMean: mean(s.bitrateKbpsMean),
        rebufferSMean: mean(s.rebufferS),
        switchesMean: mean(s.switches),
      };
      if (s.latencyMsMean !== undefined) line.latencyMsMean = mean(s.latencyMsMean);
      const fraction = this.optimalFraction(s);
      if (fraction !== undefined) {
        line.optimalFraction = fraction?.fraction ?? null;
        if (fraction !== null) line.optimalFractionScope = fraction.scope;
      }
      algos[s.name] = line;
    }
    return { algos };
  }
}

/** Arithmetic mean; NaN when empty. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
