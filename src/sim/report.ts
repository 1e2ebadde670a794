/**
 * The batch run's HTML report: ONE self-contained file (inline CSS and SVG, no script, no external asset)
 * that reads offline. A summary table per algorithm, the distribution of session QoE per algorithm as
 * empirical CDFs (drawn as steps), mean bitrate against rebuffering per session as a scatter plot (sessions
 * without rebuffering spread by a deterministic jitter over a strip at 0 s, so they do not hide each other),
 * and one example session's bitrate and buffer over its segments. Colours stay distinct for 12 algorithms
 * (src/sim/report-svg.ts). Node-free string building, deterministic (a merge of shards gives the same
 * bytes); the CLI writes the file.
 */
import type { SegmentRecord } from '../core/types.js';
import type { AlgoSeries, BatchSummary } from './batch-stats.js';
import { optimumFractionText, POSITIVE_SCOPE_NOTE } from './batch-stats.js';
import type { ChartFrame } from './report-svg.js';
import {
  axes,
  domainOf,
  escapeHtml,
  legend,
  polyline,
  px,
  py,
  hashUnit,
  seriesColor,
  seriesDash,
  stepPoints,
  svg,
} from './report-svg.js';

/** Points drawn per CDF curve at most (quantiles of the sorted values). */
const CDF_MAX_POINTS = 400;
/** Sessions drawn per algorithm in the scatter plot at most (an even stride over job order). */
const SCATTER_MAX_POINTS = 1500;

export interface ReportInput {
  readonly title?: string;
  /** Lines describing the run (video, traces, network model, QoE model, ...), shown as a list. */
  readonly meta?: Readonly<Record<string, string | number>>;
  readonly summary: BatchSummary;
  /** Half-width of the 95% confidence interval of each algorithm's mean QoE. */
  readonly qoeCi95?: Readonly<Record<string, number>>;
  /** Per-session metrics per algorithm, for the distributions. */
  readonly series: readonly AlgoSeries[];
  /** One session's log, for the timeline. */
  readonly example?: {
    readonly trace: string;
    readonly algo: string;
    readonly records: readonly SegmentRecord[];
  };
}

function num(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

function summaryTable(input: ReportInput): string {
  const hasOptimal = Object.values(input.summary.algos).some((a) => a.optimalFraction !== undefined);
  const head = [
    'algorithm',
    'sessions',
    'QoE mean ± 95% CI',
    'QoE median',
    'bitrate (kbps)',
    'rebuffer (s)',
    'switches',
    ...(hasOptimal ? ['of optimal'] : []),
  ];
  const rows = input.series.map((s, i) => {
    const a = input.summary.algos[s.name];
    if (!a) return '';
    const ci = input.qoeCi95?.[s.name];
    const cells = [
      `<i class="swatch" style="background:${seriesColor(i)}"></i>${escapeHtml(s.name)}`,
      String(a.sessions),
      `${num(a.qoeMean)}${ci !== undefined && Number.isFinite(ci) ? ` ± ${num(ci)}` : ''}`,
      num(a.qoeMedian),
      num(a.bitrateKbpsMean, 0),
      num(a.rebufferSMean),
      num(a.switchesMean, 1),
      ...(hasOptimal ? [optimumFractionText(a.optimalFraction, a.optimalFractionScope)] : []),
    ];
    return `<tr>${cells.map((c, j) => (j === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`;
  });
  return (
    `<table id="summary-table"><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

/** (value, cumulative fraction) points of the empirical CDF, thinned to at most `maxPoints`. */
export function cdfPoints(values: readonly number[], maxPoints = CDF_MAX_POINTS): [number, number][] {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return [];
  const out: [number, number][] = [[sorted[0] ?? 0, 0]];
  const step = Math.max(1, Math.ceil(n / maxPoints));
  for (let i = step - 1; i < n; i += step) out.push([sorted[i] ?? 0, (i + 1) / n]);
  if ((out[out.length - 1]?.[1] ?? 0) < 1) out.push([sorted[n - 1] ?? 0, 1]);
  return out;
}

/**
 * The empirical CDF as the corners of its step function: from (first value, 0), up at each (thinned) value
 * to its cumulative fraction, then across to the next value. At most about `2 × maxPoints` corners.
 */
export function cdfStepPoints(values: readonly number[], maxPoints = CDF_MAX_POINTS): [number, number][] {
  const pts = cdfPoints(values, maxPoints);
  const out: [number, number][] = [];
  let prevY = 0;
  for (const [i, [x, y]] of pts.entries()) {
    if (i === 0) {
      out.push([x, y]);
      prevY = y;
      continue;
    }
    out.push([x, prevY], [x, y]);
    prevY = y;
  }
  return out;
}

function frame(x: [number, number], y: [number, number], width = 560, height = 320): ChartFrame {
  return { width, height, left: 58, right: 16, top: 14, bottom: 42, x, y };
}

function qoeCdfChart(series: readonly AlgoSeries[]): string {
  const curves = series.map((s) => cdfStepPoints(s.qoe));
  const f = frame(
    domainOf(
      curves.flatMap((c) => c.map((p) => p[0])),
      0.02,
    ),
    [0, 1],
  );
  const lines = curves.map((c, i) =>
    polyline(
      f,
      c,
      `class="cdf" data-algo="${escapeHtml(series[i]?.name ?? '')}" stroke="${seriesColor(i)}" stroke-width="2"` +
        (seriesDash(i) ? ` stroke-dasharray="${seriesDash(i) ?? ''}"` : ''),
    ),
  );
  return svg(
    f,
    'qoe-cdf',
    'CDF of session QoE per algorithm',
    axes(f, 'session QoE', 'fraction of sessions ≤ x') + lines.join(''),
  );
}

/** Width of the strip at 0 s rebuffering over which sessions without a stall are spread, px. */
const ZERO_STRIP_PX = 14;

function scatterChart(series: readonly AlgoSeries[]): string {
  const picked = series.map((s) => {
    const n = s.qoe.length;
    const step = Math.max(1, Math.ceil(n / SCATTER_MAX_POINTS));
    const pts: { x: number; y: number; k: number }[] = [];
    for (let i = 0; i < n; i += step)
      pts.push({ x: s.rebufferS[i] ?? 0, y: s.bitrateKbpsMean[i] ?? 0, k: i });
    return pts;
  });
  const all = picked.flat();
  const xDomain = domainOf(all.map((p) => p.x).concat([0]), 0.04);
  const f0 = frame(
    xDomain,
    domainOf(
      all.map((p) => p.y),
      0.06,
    ),
  );
  // Leave room left of x = 0 for the strip of sessions without rebuffering.
  const plotWidth = f0.width - f0.left - f0.right;
  const perPx = (xDomain[1] - xDomain[0]) / plotWidth;
  const f = frame([Math.min(xDomain[0], -(ZERO_STRIP_PX + 4) * perPx), xDomain[1]], f0.y);
  const anyZero = all.some((p) => p.x === 0);
  const strip = anyZero
    ? `<rect class="zero-strip" x="${(px(f, 0) - ZERO_STRIP_PX).toFixed(1)}" y="${f.top}" width="${ZERO_STRIP_PX}" ` +
      `height="${f.height - f.top - f.bottom}" fill="#888" fill-opacity="0.08"><title>sessions without rebuffering, spread over this strip</title></rect>`
    : '';
  const dots = picked.map((pts, i) => {
    const color = seriesColor(i);
    const name = escapeHtml(series[i]?.name ?? '');
    return (
      `<g class="points" data-algo="${name}" fill="${color}" fill-opacity="0.55">` +
      pts
        .map(({ x, y, k }) => {
          // Zero rebuffering: a jitter left of the axis that depends only on (series, session).
          const cx = x === 0 ? px(f, 0) - ZERO_STRIP_PX * hashUnit(i, k) : px(f, x);
          return `<circle cx="${cx.toFixed(1)}" cy="${py(f, y).toFixed(1)}" r="3"/>`;
        })
        .join('') +
      '</g>'
    );
  });
  return svg(
    f,
    'bitrate-rebuffer',
    'Mean bitrate against total rebuffering, one point per session',
    axes(f, 'rebuffering per session (s)', 'mean bitrate (kbps)', { xTicksFrom: 0 }) + strip + dots.join(''),
  );
}

function timelineCharts(example: NonNullable<ReportInput['example']>): string {
  const recs = example.records;
  const xs = recs.map((r) => r.segment);
  const xEnd = (xs[xs.length - 1] ?? 0) + 1;
  const fb = frame([0, xEnd], domainOf([0, ...recs.map((r) => r.bitrateKbps)], 0.05), 560, 220);
  const bitrate =
    polyline(
      fb,
      stepPoints(
        xs,
        recs.map((r) => r.bitrateKbps),
        xEnd,
      ),
      'class="bitrate" stroke="#0072B2" stroke-width="2"',
    ) +
    recs
      .filter((r) => r.rebufferMs > 0)
      .map(
        (r) =>
          `<rect class="stall" x="${px(fb, r.segment).toFixed(1)}" y="${fb.top}" width="${(px(fb, r.segment + 1) - px(fb, r.segment)).toFixed(1)}" ` +
          `height="${fb.height - fb.top - fb.bottom}" fill="#D55E00" fill-opacity="0.18"><title>segment ${r.segment}: ${(r.rebufferMs / 1000).toFixed(2)} s stall</title></rect>`,
      )
      .join('');
  const fs = frame([0, xEnd], domainOf([0, ...recs.map((r) => r.bufferMs / 1000)], 0.05), 560, 220);
  const buffer = polyline(
    fs,
    recs.map((r) => [r.segment + 1, r.bufferMs / 1000] as [number, number]),
    'class="buffer" stroke="#009E73" stroke-width="2"',
  );
  return (
    svg(
      fb,
      'timeline-bitrate',
      `Bitrate per segment, ${example.algo} on ${example.trace}`,
      axes(fb, 'segment', 'bitrate (kbps)') + bitrate,
    ) +
    svg(
      fs,
      'timeline-buffer',
      `Buffer after each segment, ${example.algo} on ${example.trace}`,
      axes(fs, 'segment', 'buffer (s)') + buffer,
    )
  );
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1180px;padding:0 16px;color:#1b1b1b}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
table{border-collapse:collapse;margin:8px 0}th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}
th[scope=row],thead th:first-child{text-align:left}thead th{border-bottom:2px solid #888}
.swatch,.legend i{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
.legend span{margin-right:14px}.charts{display:flex;flex-wrap:wrap;gap:18px}
.chart .grid{stroke:#eee}.chart .axis{stroke:#666}.chart text{font-size:11px;fill:#444}.chart .title{font-size:12px;fill:#222}
.meta{color:#555;margin:0;padding-left:18px}.note{color:#666;font-size:12px}
`;

/** Builds the report's HTML document. */
export function buildReportHtml(input: ReportInput): string {
  const title = input.title ?? 'abrkit simulation report';
  const names = input.series.map((s) => s.name);
  const meta = Object.entries(input.meta ?? {})
    .map(([k, v]) => `<li><b>${escapeHtml(k)}</b>: ${escapeHtml(String(v))}</li>`)
    .join('');
  const example = input.example && input.example.records.length > 0 ? input.example : undefined;
  const hasOptimal = Object.values(input.summary.algos).some((a) => a.optimalFraction !== undefined);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
${meta ? `<ul class="meta">${meta}</ul>` : ''}
<h2>Algorithms</h2>
${summaryTable(input)}
<p class="note">QoE is the sum of the per-segment QoE terms of a session. The 95% confidence interval of the mean uses Student's t distribution over sessions.${hasOptimal ? ` "of optimal" is the mean QoE over the traces the offline optimum ran on / the optimum's mean there. ${escapeHtml(POSITIVE_SCOPE_NOTE)}` : ''}</p>
<h2>Distributions</h2>
${legend(names)}
<div class="charts">
${qoeCdfChart(input.series)}
${scatterChart(input.series)}
</div>
<p class="note">QoE distributions are empirical CDFs (steps). In the scatter plot, sessions without rebuffering are spread over the shaded strip left of 0 s so that they do not hide each other.</p>
<h2>Example session${example ? `: ${escapeHtml(example.algo)} on ${escapeHtml(example.trace)}` : ''}</h2>
${example ? `<div class="charts">${timelineCharts(example)}</div><p class="note">Shaded: segments whose download stalled playback.</p>` : '<p class="note">No session to show.</p>'}
</body></html>
`;
}
