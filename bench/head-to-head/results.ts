/**
 * The head-to-head's summaries: a row per contender per trace and overall (means over runs), printed as
 * tables and drawn in an HTML report built by the simulator's `buildReportHtml` (src/sim/report.ts: the QoE
 * CDF, the bitrate/rebuffering scatter and an example session) with per-trace tables and bitrate timelines
 * of every contender added as extra sections.
 */
import type { SegmentRecord } from '../../src/core/types.js';
import type { AlgoSeries, BatchSummary } from '../../src/sim/batch-stats.js';
import { buildReportHtml } from '../../src/sim/report.js';
import {
  axes,
  domainOf,
  escapeHtml,
  legend,
  polyline,
  seriesColor,
  stepPoints,
  svg,
  type ChartFrame,
} from '../../src/sim/report-svg.js';
import type { RunMetrics } from './metrics.js';
import type { BenchTrace } from './traces.js';

export interface RunResult {
  readonly trace: string;
  readonly contender: string;
  readonly metrics: RunMetrics;
  readonly records: readonly SegmentRecord[];
  readonly timedOut: boolean;
  /** The video ended, or the playhead reached the end of the measured part (`--play-s`). */
  readonly completed: boolean;
  /** Video segment requests the server answered, and those of them cut short (abandoned by the player). */
  readonly segmentRequests: number;
  readonly abortedSegmentRequests: number;
  readonly errors: readonly string[];
  readonly decisions: number;
  readonly bandwidthEstimateKbps: number | null;
  /** Busy fraction of all cores of the machine during the run (other runs and processes included). */
  readonly cpuBusy: number;
  readonly loadAvg1: number;
  readonly wallMs: number;
}

export interface SummaryRow {
  readonly contender: string;
  readonly runs: number;
  readonly startupMs: number;
  readonly firstFrameMs: number;
  readonly bitrateKbps: number;
  readonly stallCount: number;
  readonly stallS: number;
  readonly switches: number;
  readonly qoeLin: number;
  readonly qoeLinWithStartup: number;
  /** Dropped / total frames, %. */
  readonly droppedPct: number;
  /** Bytes of segment downloads not played / all segment bytes, %. */
  readonly wastedPct: number;
  readonly failed: number;
}

export interface H2hSummary {
  readonly perTrace: Record<string, SummaryRow[]>;
  readonly overall: SummaryRow[];
}

function mean(xs: readonly (number | null)[]): number {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN;
}

function row(contender: string, runs: readonly RunResult[]): SummaryRow {
  const m = runs.map((r) => r.metrics);
  return {
    contender,
    runs: runs.length,
    startupMs: mean(m.map((x) => x.startupMs)),
    firstFrameMs: mean(m.map((x) => x.firstFrameMs)),
    bitrateKbps: mean(m.map((x) => x.bitrateKbpsMean)),
    stallCount: mean(m.map((x) => x.stallCount)),
    stallS: mean(m.map((x) => x.stallMs / 1000)),
    switches: mean(m.map((x) => x.switches)),
    qoeLin: mean(m.map((x) => x.qoeLin)),
    qoeLinWithStartup: mean(m.map((x) => x.qoeLinWithStartup)),
    droppedPct: mean(m.map((x) => (x.totalFrames ? ((x.droppedFrames ?? 0) / x.totalFrames) * 100 : null))),
    wastedPct: mean(m.map((x) => (x.mediaBytes > 0 ? (x.wastedBytes / x.mediaBytes) * 100 : null))),
    failed: runs.filter((r) => r.timedOut || r.errors.length > 0 || !r.completed).length,
  };
}

export function summarize(
  results: readonly RunResult[],
  traces: readonly string[],
  contenders: readonly string[],
): H2hSummary {
  const perTrace: Record<string, SummaryRow[]> = {};
  for (const t of traces) {
    perTrace[t] = contenders.map((c) =>
      row(
        c,
        results.filter((r) => r.trace === t && r.contender === c),
      ),
    );
  }
  const overall = contenders.map((c) =>
    row(
      c,
      results.filter((r) => r.contender === c),
    ),
  );
  return { perTrace, overall };
}

const COLUMNS: readonly [string, (r: SummaryRow) => string][] = [
  ['startup ms', (r) => fmt(r.startupMs, 0)],
  ['1st frame ms', (r) => fmt(r.firstFrameMs, 0)],
  ['bitrate kbps', (r) => fmt(r.bitrateKbps, 0)],
  ['stalls', (r) => fmt(r.stallCount, 1)],
  ['stall s', (r) => fmt(r.stallS, 2)],
  ['switches', (r) => fmt(r.switches, 1)],
  ['QoE_lin', (r) => fmt(r.qoeLin, 1)],
  ['QoE+startup', (r) => fmt(r.qoeLinWithStartup, 1)],
  ['dropped %', (r) => fmt(r.droppedPct, 1)],
  ['wasted %', (r) => fmt(r.wastedPct, 1)],
  ['failed', (r) => String(r.failed)],
];

function fmt(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}

/** A Markdown table (also readable as plain text). */
export function markdownTable(rows: readonly SummaryRow[]): string {
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

export function printTables(
  summary: H2hSummary,
  traces: readonly BenchTrace[],
  meta: Readonly<Record<string, string | number>>,
): void {
  console.log('');
  for (const [k, v] of Object.entries(meta)) console.log(`${k}: ${v}`);
  for (const t of traces) {
    console.log(`\n### ${t.name}: ${t.description}\n`);
    console.log(markdownTable(summary.perTrace[t.name] ?? []));
  }
  console.log(`\n### overall (mean over ${traces.length} trace(s))\n`);
  console.log(markdownTable(summary.overall));
}

function htmlTable(rows: readonly SummaryRow[], contenders: readonly string[]): string {
  const head = ['contender', ...COLUMNS.map((c) => c[0])];
  const body = rows
    .map((r) => {
      const i = contenders.indexOf(r.contender);
      return (
        `<tr><th scope="row"><i class="swatch" style="background:${seriesColor(i)}"></i>${escapeHtml(r.contender)}</th>` +
        COLUMNS.map((c) => `<td>${c[1](r)}</td>`).join('') +
        '</tr>'
      );
    })
    .join('');
  return `<table><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

function bitrateTimeline(trace: string, runs: readonly RunResult[], contenders: readonly string[]): string {
  const all = runs.flatMap((r) => r.records);
  const xEnd = Math.max(1, ...all.map((r) => r.segment + 1));
  const f: ChartFrame = {
    width: 1100,
    height: 260,
    left: 58,
    right: 16,
    top: 14,
    bottom: 42,
    x: [0, xEnd],
    y: domainOf([0, ...all.map((r) => r.bitrateKbps)], 0.05),
  };
  const lines = runs.map((r) =>
    polyline(
      f,
      stepPoints(
        r.records.map((s) => s.segment),
        r.records.map((s) => s.bitrateKbps),
        xEnd,
      ),
      `class="bitrate" data-algo="${escapeHtml(r.contender)}" stroke="${seriesColor(contenders.indexOf(r.contender))}" stroke-width="1.6" stroke-opacity="0.85"${r.contender.startsWith('abrkit-') ? ' stroke-dasharray="5 3"' : ''}`,
    ),
  );
  return svg(
    f,
    `played-${trace}`,
    `Played bitrate per segment on ${trace}, every contender (dashed: abrkit's player)`,
    axes(f, 'segment', 'bitrate (kbps)') + lines.join(''),
  );
}

/** The HTML report: the simulator report's layout and plots, plus per-trace tables and timelines. */
export function writeReport(
  summary: H2hSummary,
  results: readonly RunResult[],
  traces: readonly BenchTrace[],
  meta: Readonly<Record<string, string | number>>,
): string {
  const contenders = summary.overall.map((r) => r.contender);
  const batch: BatchSummary = { algos: {} };
  const series: AlgoSeries[] = contenders.map((name) => {
    const runs = results.filter((r) => r.contender === name);
    const qoe = runs.map((r) => r.metrics.qoeLin);
    const sorted = [...qoe].sort((a, b) => a - b);
    const o = summary.overall.find((r) => r.contender === name);
    batch.algos[name] = {
      sessions: runs.length,
      qoeMean: o?.qoeLin ?? Number.NaN,
      qoeMedian:
        sorted.length === 0
          ? Number.NaN
          : ((sorted[Math.floor((sorted.length - 1) / 2)] ?? 0) +
              (sorted[Math.ceil((sorted.length - 1) / 2)] ?? 0)) /
            2,
      bitrateKbpsMean: o?.bitrateKbps ?? Number.NaN,
      rebufferSMean: o?.stallS ?? Number.NaN,
      switchesMean: o?.switches ?? Number.NaN,
    };
    return {
      name,
      qoe,
      bitrateKbpsMean: runs.map((r) => r.metrics.bitrateKbpsMean),
      rebufferS: runs.map((r) => r.metrics.stallMs / 1000),
      switches: runs.map((r) => r.metrics.switches),
      qoeByTrace: new Map(runs.map((r) => [traces.findIndex((t) => t.name === r.trace), r.metrics.qoeLin])),
    };
  });
  const perTrace = traces
    .map(
      (t) =>
        `<h3>${escapeHtml(t.name)}</h3><p class="note">${escapeHtml(t.description)}</p>` +
        htmlTable(summary.perTrace[t.name] ?? [], contenders) +
        `<div class="charts">${bitrateTimeline(
          t.name,
          results.filter((r) => r.trace === t.name),
          contenders,
        )}</div>`,
    )
    .join('');
  const exampleRun = results.find((r) => r.contender === 'hlsjs-default') ?? results[0];
  const html = buildReportHtml({
    title: 'abrkit head-to-head: hls.js, hls.js + abrkit, abrkit player',
    meta,
    summary: batch,
    series,
    ...(exampleRun
      ? { example: { trace: exampleRun.trace, algo: exampleRun.contender, records: exampleRun.records } }
      : {}),
  });
  const sections =
    `<h2>Per trace</h2>${legend(contenders)}${perTrace}` +
    `<h2>Overall (mean over traces)</h2>${htmlTable(summary.overall, contenders)}` +
    '<p class="note">Definitions: bench/head-to-head/metrics.ts and docs/head-to-head.md. Each contender ran once per trace.</p>';
  // the simulator's report has no slot for extra sections: they go before its distributions
  return html.replace('<h2>Distributions</h2>', `${sections}\n<h2>Distributions</h2>`);
}
