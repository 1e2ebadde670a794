/**
 * The suite's self-contained HTML report: a chart of each algorithm's relative gain over the baseline per
 * family, the leave-one-family-out table, and one table per set with its per-trace QoE distribution. Plain
 * string building with the simulator report's SVG helpers (src/sim/report-svg.ts): opens offline anywhere.
 */
import { DEFAULT_ALGORITHM } from '../../abr/registry.js';
import {
  axes,
  domainOf,
  escapeHtml,
  legend,
  niceTicks,
  px,
  py,
  seriesColor,
  svg,
  type ChartFrame,
} from '../report-svg.js';
import { STALL_REFERENCE, type SetAnalysis } from './analysis.js';
import { carriedByNote, fixed, gainWithError, percent, setHeading } from './format.js';
import type { SuiteAnalysis } from './output.js';
import type { SuiteRun, SuiteSetRun } from './run.js';
import { optimumFractionText, POSITIVE_SCOPE_NOTE } from '../batch-stats.js';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1180px;padding:0 16px;color:#1b1b1b}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:15px;margin:22px 0 4px}
table{border-collapse:collapse;margin:8px 0}th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}
td:first-child,th:first-child{text-align:left}thead th{border-bottom:2px solid #888}
.legend i{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}.legend span{margin-right:14px}
.chart .grid{stroke:#eee}.chart .axis{stroke:#666}.chart text{font-size:11px;fill:#444}.chart .title{font-size:12px;fill:#222}
.note{color:#666;font-size:12px}.neg{color:#b00020}.pos{color:#006b3c}
`;

function gainCell(v: number | null, se: number | null = null): string {
  const cls = v === null ? '' : v < 0 ? ' class="neg"' : v > 0 ? ' class="pos"' : '';
  return `<td${cls}>${gainWithError(v, se)}</td>`;
}

/** Grouped bars: per family, one bar per algorithm, its mean relative gain over the baseline. */
function familyGainChart(analysis: SuiteAnalysis, labels: readonly string[]): string {
  const families = analysis.lofo.families;
  const values = labels.flatMap((l) => families.map((f) => analysis.lofo.gainByFamily[l]?.[f] ?? 0));
  const [lo, hi] = domainOf([0, ...values.map((v) => v * 100)], 0.08);
  const width = Math.max(560, 90 * families.length + 80);
  const f: ChartFrame = {
    width,
    height: 280,
    left: 56,
    right: 12,
    top: 12,
    bottom: 38,
    x: [0, families.length],
    y: [lo, hi],
  };
  const slot = 1 / (labels.length + 1);
  const bars: string[] = [];
  families.forEach((family, fi) => {
    labels.forEach((label, li) => {
      const g = analysis.lofo.gainByFamily[label]?.[family];
      if (g === null || g === undefined) return;
      const x0 = px(f, fi + slot * (li + 0.5));
      const x1 = px(f, fi + slot * (li + 1.5));
      const y0 = py(f, 0);
      const y1 = py(f, g * 100);
      bars.push(
        `<rect x="${x0.toFixed(1)}" y="${Math.min(y0, y1).toFixed(1)}" width="${(x1 - x0).toFixed(1)}" ` +
          `height="${Math.abs(y1 - y0).toFixed(1)}" fill="${seriesColor(li)}"><title>${escapeHtml(label)} on ${escapeHtml(family)}: ${percent(g, 1, true)}</title></rect>`,
      );
    });
    bars.push(
      `<text x="${px(f, fi + 0.5).toFixed(1)}" y="${f.height - f.bottom + 14}" text-anchor="middle">${escapeHtml(family)}</text>`,
    );
  });
  const ticks = niceTicks(f.y[0], f.y[1], 5)
    .map((t) => {
      const y = py(f, t).toFixed(1);
      return (
        `<line class="grid" x1="${f.left}" x2="${f.width - f.right}" y1="${y}" y2="${y}"/>` +
        `<text x="${f.left - 5}" y="${y}" dy="0.32em" text-anchor="end">${t}</text>`
      );
    })
    .join('');
  const zero = py(f, 0).toFixed(1);
  const axesOnlyY =
    ticks +
    `<line class="axis" x1="${f.left}" x2="${f.width - f.right}" y1="${zero}" y2="${zero}"/>` +
    `<line class="axis" x1="${f.left}" x2="${f.left}" y1="${f.top}" y2="${f.height - f.bottom}"/>` +
    `<text class="title" transform="translate(12 ${(f.height / 2).toFixed(0)}) rotate(-90)" text-anchor="middle">gain over baseline (%)</text>`;
  return svg(f, 'family-gain', 'Relative gain over the baseline per family', axesOnlyY + bars.join(''));
}

function setTable(a: SetAnalysis, baseline: string): string {
  const hasStall = a.rows.some((r) => r.stallVsBolaES !== null);
  const head = [
    'algorithm',
    'QoE mean',
    'QoE median',
    `vs ${baseline}`,
    'rebuffer s',
    'switches',
    'wins/ties/losses',
    'of optimum',
    ...(hasStall ? [`stall vs ${STALL_REFERENCE} (s)`] : []),
  ];
  const rows = a.rows.map(
    (r) =>
      `<tr><td>${escapeHtml(r.label)}</td><td>${fixed(r.qoeMean, 2)}</td><td>${fixed(r.qoeMedian, 2)}</td>` +
      (r.label === baseline ? '<td>baseline</td>' : gainCell(r.relativeGain, r.relativeGainSe)) +
      `<td>${fixed(r.rebufferSMean, 2)}</td><td>${fixed(r.switchesMean, 1)}</td>` +
      `<td>${r.label === baseline ? '-' : `${r.wins}/${r.ties}/${r.losses}`}</td><td>${optimumFractionText(r.optimalFraction, r.optimalFractionScope)}</td>` +
      (hasStall ? `<td>${r.label === STALL_REFERENCE ? '-' : fixed(r.stallVsBolaES, 2)}</td>` : '') +
      '</tr>',
  );
  if (a.optimal) {
    rows.push(
      `<tr><td>optimal (${a.optimal.sessions} traces)</td><td>${fixed(a.optimal.qoeMean, 2)}</td><td>${fixed(a.optimal.qoeMedian, 2)}</td><td></td>` +
        `<td>${fixed(a.optimal.rebufferSMean, 2)}</td><td>${fixed(a.optimal.switchesMean, 1)}</td><td></td><td>100.0%</td>${hasStall ? '<td></td>' : ''}</tr>`,
    );
  }
  const notes = a.rows.flatMap((r) =>
    r.carriedBy ? [`<p class="note">${escapeHtml(carriedByNote(r, r.carriedBy))}</p>`] : [],
  );
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>${notes.join('')}`;
}

/** Per-trace QoE gain over the baseline, sorted, one line per algorithm (how wins and losses are spread). */
function perTraceChart(set: SuiteSetRun, baseline: string, labels: readonly string[], id: string): string {
  const base = set.results.algorithms[baseline];
  if (!base || base.qoe.length < 2) return '';
  const lines: { label: string; diffs: number[]; i: number }[] = [];
  labels.forEach((label, i) => {
    const s = set.results.algorithms[label];
    if (!s || label === baseline) return;
    lines.push({ label, diffs: s.qoe.map((q, t) => q - (base.qoe[t] ?? 0)).sort((a, b) => a - b), i });
  });
  if (lines.length === 0) return '';
  const n = base.qoe.length;
  const f: ChartFrame = {
    width: 560,
    height: 220,
    left: 56,
    right: 12,
    top: 12,
    bottom: 36,
    x: [0, 100],
    y: domainOf([0, ...lines.flatMap((l) => l.diffs)], 0.05),
  };
  const paths = lines.map(
    (l) =>
      `<polyline fill="none" stroke="${seriesColor(l.i)}" stroke-width="1.6" points="${l.diffs
        .map((d, k) => `${px(f, (100 * (k + 0.5)) / n).toFixed(1)},${py(f, d).toFixed(1)}`)
        .join(' ')}"><title>${escapeHtml(l.label)}</title></polyline>`,
  );
  return svg(
    f,
    id,
    `Per-trace QoE minus ${baseline}'s, sorted`,
    axes(f, 'traces (%), sorted by difference', `QoE − ${baseline}`) + paths.join(''),
  );
}

/** The report's HTML document. */
export function buildSuiteReportHtml(run: SuiteRun, analysis: SuiteAnalysis): string {
  const baseline = run.spec.baseline;
  const labels = run.spec.algorithms.map((a) => a.label);
  const lofoRows = analysis.lofo.folds
    .map(
      (f) =>
        `<tr><td>${escapeHtml(f.family)}</td><td>${escapeHtml(f.chosen ?? '-')}</td>${gainCell(f.trainGain)}${gainCell(f.heldOutMean)}` +
        `<td>${f.heldOut.map((h) => `${escapeHtml(h.set)} ${percent(h.gain, 1, true)}`).join(', ')}</td>` +
        `<td>${escapeHtml(f.byRank.chosen ?? '-')}</td><td>${fixed(f.byRank.meanRank, 2)}</td>${gainCell(f.byRank.heldOutMean)}</tr>`,
    )
    .join('');
  const familyRows = Object.entries(analysis.lofo.gainByFamily)
    .map(
      ([l, g]) =>
        `<tr><td>${escapeHtml(l)}</td>${analysis.lofo.families.map((f) => gainCell(g[f] ?? null)).join('')}</tr>`,
    )
    .join('');
  const sets = analysis.sets
    .map(
      ({ run: s, analysis: a }, i) =>
        `<h3>${escapeHtml(s.spec.name)}</h3><p class="note">${escapeHtml(setHeading(a, s.meta).replace(/^== /, ''))}</p>` +
        setTable(a, baseline) +
        perTraceChart(s, baseline, labels, `per-trace-${i}`),
    )
    .join('\n');
  const skipped = run.skipped.length
    ? `<h2>Skipped sets</h2><ul>${run.skipped.map((s) => `<li>${escapeHtml(s.set)}: ${escapeHtml(s.reason)}</li>`).join('')}</ul>`
    : '';
  const title = `abrkit suite ${run.spec.name}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="note">Baseline ${escapeHtml(baseline)}; default = ${escapeHtml(DEFAULT_ALGORITHM)}; ${run.sets.length} sets in ${(run.wallMs / 1000).toFixed(1)} s.</p>
<h2>Relative gain over ${escapeHtml(baseline)} per family</h2>
${legend(labels)}
${run.sets.length > 0 ? familyGainChart(analysis, labels) : ''}
<table><thead><tr><th>algorithm</th>${analysis.lofo.families.map((f) => `<th>${escapeHtml(f)}</th>`).join('')}</tr></thead><tbody>${familyRows}</tbody></table>
<p class="note">Relative gain on a set: (mean QoE − ${escapeHtml(baseline)}'s mean) / |${escapeHtml(baseline)}'s mean|; per family, the mean over its sets.</p>
<h2>Leave one family out</h2>
<table><thead><tr><th>held-out family</th><th>chosen</th><th>gain on the others</th><th>gain held out</th><th>per held-out set</th><th>by mean rank</th><th>its rank</th><th>its gain held out</th></tr></thead><tbody>${lofoRows}</tbody></table>
<p class="note">For each family, the candidate (${run.spec.candidates.map(escapeHtml).join(', ')}) with the best mean relative gain over the other families' sets is chosen, then scored on the held-out family; by mean rank: the candidate ranked best on average over those sets (1 = the highest gain on every one; Demšar, JMLR 2006), which one noisy set cannot carry alone.</p>
<h2>Sets</h2>
<p class="note">QoE per session, summed over segments; rebuffer s and switches: mean per session; wins/ties/losses per trace against ${escapeHtml(baseline)}; of optimum: mean QoE over the traces the offline optimum ran on / its mean there; ${escapeHtml(POSITIVE_SCOPE_NOTE)}</p>
${sets}
${skipped}
</body></html>
`;
}
