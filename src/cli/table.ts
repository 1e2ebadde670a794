/**
 * The comparison table the CLI prints: one row per algorithm with sessions, mean QoE and its 95% confidence
 * interval (Student's t over sessions), median QoE, mean bitrate, mean rebuffering, mean switches and, when
 * the optimum ran, the fraction of it reached.
 */
import type { AlgoSeries, BatchSummary } from '../sim/batch-stats.js';
import { ci95HalfWidth, optimumFractionText } from '../sim/batch-stats.js';

/** Half-width of the 95% CI of each algorithm's mean session QoE. */
export function qoeCi95(series: readonly AlgoSeries[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of series) out[s.name] = ci95HalfWidth(s.qoe);
  return out;
}

function fixed(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

/** Plain-text table; the first `leftAligned` columns are left-aligned, the rest (numbers) right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  leftAligned = 1,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i < leftAligned ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n') + '\n';
}

/** The algorithm comparison as printed on stdout. */
export function comparisonTable(summary: BatchSummary, ci95: Readonly<Record<string, number>>): string {
  const entries = Object.entries(summary.algos);
  const hasOptimal = entries.some(([, a]) => a.optimalFraction !== undefined);
  const hasLatency = entries.some(([, a]) => a.latencyMsMean !== undefined);
  const header = [
    'algorithm',
    'sessions',
    'QoE mean',
    '± 95% CI',
    'QoE median',
    'bitrate kbps',
    'rebuffer s',
    'switches',
    ...(hasLatency ? ['latency s'] : []),
    ...(hasOptimal ? ['of optimal'] : []),
  ];
  const rows = entries.map(([name, a]) => [
    name,
    String(a.sessions),
    fixed(a.qoeMean, 2),
    fixed(ci95[name], 2),
    fixed(a.qoeMedian, 2),
    fixed(a.bitrateKbpsMean, 0),
    fixed(a.rebufferSMean, 2),
    fixed(a.switchesMean, 1),
    ...(hasLatency ? [fixed(a.latencyMsMean === undefined ? undefined : a.latencyMsMean / 1000, 2)] : []),
    ...(hasOptimal ? [optimumFractionText(a.optimalFraction, a.optimalFractionScope)] : []),
  ]);
  return formatTable(header, rows);
}
