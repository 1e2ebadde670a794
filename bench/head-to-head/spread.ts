/**
 * The spread of the head-to-head's repeated runs: per trace and contender, the median and the min–max over
 * runs of each metric, with the QoE ladder-aware (src/qoe/objective.ts: QoE_lin whose rebuffer penalty is the
 * top rendition's bitrate in Mbps, 4.30 on fixtures/large, instead of Pensieve's fixed 4.3), computed from each
 * run's played segments with the same helpers the planners use. Means hide what matters on a loaded machine
 * (one run with a long stall); medians with their range show it.
 */
import { QOE_LIN, qoeTable, segmentQoe } from '../../src/qoe/objective.js';
import type { LadderRung } from './metrics.js';
import type { RunResult } from './results.js';

/** Ladder-aware QoE_lin of a run: Σ per played segment of q(R) − μ·rebuffer s − |q(R) − q(R_prev)| (Mbps). */
export function ladderQoe(run: RunResult, ladder: readonly LadderRung[]): number {
  const table = qoeTable(ladder, QOE_LIN);
  let prev: number | null = null;
  let sum = 0;
  for (const r of run.records) {
    sum += segmentQoe(table, r.rendition, prev, r.rebufferMs / 1000);
    prev = r.rendition;
  }
  return sum;
}

/** The ladder-aware QoE with the startup time charged as rebuffering (as Pensieve's simulator does). */
export function ladderQoeWithStartup(run: RunResult, ladder: readonly LadderRung[]): number {
  const penalty = qoeTable(ladder, QOE_LIN).rebufferPenaltyPerS;
  return ladderQoe(run, ladder) - penalty * ((run.metrics.startupMs ?? 0) / 1000);
}

/** Median, min and max of the finite values (NaN for none). */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export function spreadOf(values: readonly (number | null)[]): Spread {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median, min: v[0]!, max: v[v.length - 1]!, n: v.length };
}

export interface SpreadRow {
  readonly trace: string;
  readonly contender: string;
  readonly runs: number;
  /** Runs that timed out, failed or did not reach the end. */
  readonly failed: number;
  readonly qoe: Spread;
  readonly qoeWithStartup: Spread;
  readonly startupMs: Spread;
  readonly stallCount: Spread;
  readonly stallS: Spread;
  readonly switches: Spread;
  readonly bitrateKbps: Spread;
  /** Bytes of segment downloads not played, kB. */
  readonly wastedKB: Spread;
  readonly wastedPct: Spread;
}

/** One row per (trace, contender) that has runs, in the given orders; trace `all` pools every trace's runs. */
export function spreadRows(
  results: readonly RunResult[],
  traces: readonly string[],
  contenders: readonly string[],
  ladder: readonly LadderRung[],
): SpreadRow[] {
  const rows: SpreadRow[] = [];
  for (const trace of [...traces, 'all']) {
    for (const contender of contenders) {
      const runs = results.filter((r) => r.contender === contender && (trace === 'all' || r.trace === trace));
      if (runs.length === 0) continue;
      const m = runs.map((r) => r.metrics);
      rows.push({
        trace,
        contender,
        runs: runs.length,
        failed: runs.filter((r) => r.timedOut || r.errors.length > 0 || !r.completed).length,
        qoe: spreadOf(runs.map((r) => ladderQoe(r, ladder))),
        qoeWithStartup: spreadOf(runs.map((r) => ladderQoeWithStartup(r, ladder))),
        startupMs: spreadOf(m.map((x) => x.startupMs)),
        stallCount: spreadOf(m.map((x) => x.stallCount)),
        stallS: spreadOf(m.map((x) => x.stallMs / 1000)),
        switches: spreadOf(m.map((x) => x.switches)),
        bitrateKbps: spreadOf(m.map((x) => x.bitrateKbpsMean)),
        wastedKB: spreadOf(m.map((x) => x.wastedBytes / 1000)),
        wastedPct: spreadOf(m.map((x) => (x.mediaBytes > 0 ? (x.wastedBytes / x.mediaBytes) * 100 : null))),
      });
    }
  }
  return rows;
}

/** `median [min–max]` with `digits` decimals; just the median when all runs agree. */
export function fmtSpread(s: Spread, digits: number): string {
  if (s.n === 0) return '–';
  const f = (x: number): string => x.toFixed(digits);
  return f(s.min) === f(s.max) ? f(s.median) : `${f(s.median)} [${f(s.min)}–${f(s.max)}]`;
}

const COLUMNS: readonly [string, (r: SpreadRow) => string][] = [
  ['runs', (r) => (r.failed > 0 ? `${r.runs} (${r.failed} failed)` : String(r.runs))],
  ['QoE', (r) => fmtSpread(r.qoe, 1)],
  ['QoE − startup', (r) => fmtSpread(r.qoeWithStartup, 1)],
  ['startup ms', (r) => fmtSpread(r.startupMs, 0)],
  ['stalls', (r) => fmtSpread(r.stallCount, 0)],
  ['stall s', (r) => fmtSpread(r.stallS, 1)],
  ['switches', (r) => fmtSpread(r.switches, 0)],
  ['bitrate kbps', (r) => fmtSpread(r.bitrateKbps, 0)],
  ['wasted kB', (r) => fmtSpread(r.wastedKB, 0)],
  ['wasted %', (r) => fmtSpread(r.wastedPct, 1)],
];

/** A Markdown table of the rows of one trace. */
export function spreadTable(rows: readonly SpreadRow[]): string {
  const head = ['contender', ...COLUMNS.map((c) => c[0])];
  const body = rows.map((r) => [r.contender, ...COLUMNS.map((c) => c[1](r))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

/** Every trace's table and the pooled one, as Markdown (what docs/head-to-head.md quotes). */
export function spreadMarkdown(
  rows: readonly SpreadRow[],
  traceDescriptions: ReadonlyMap<string, string>,
): string {
  const traces = [...new Set(rows.map((r) => r.trace))];
  return traces
    .map((t) => {
      const title = t === 'all' ? 'all traces pooled' : `${t}: ${traceDescriptions.get(t) ?? ''}`;
      return `#### ${title}\n\n${spreadTable(rows.filter((r) => r.trace === t))}\n`;
    })
    .join('\n');
}
