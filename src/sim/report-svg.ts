/**
 * Small inline-SVG chart builders for the HTML report (src/sim/report.ts): linear scales with round ticks,
 * axes, polylines, step lines and points. Plain string building: no DOM, no Node, no dependencies, so the
 * report opens offline in any browser.
 */

/** Escapes text for HTML and SVG content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A colour per series, 12 distinct ones: Okabe-Ito's colour-blind-safe set without its yellow (too pale on
 * white), then five darker hues from Paul Tol's palettes. Every pair differs by at least 26 in CIELAB ΔE76
 * (test/cli/report.test.ts checks 20); past 12 the colours repeat and {@link seriesDash} tells them apart.
 */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#882255',
  '#999933',
  '#661100',
  '#332288',
  '#8C564B',
];

export function seriesColor(i: number): string {
  return PALETTE[i % PALETTE.length] ?? '#000000';
}

/** Dash pattern of series `i`'s lines: solid for the first 12, then dashed, then dotted. */
export function seriesDash(i: number): string | null {
  const lap = Math.floor(i / PALETTE.length) % 3;
  return lap === 0 ? null : lap === 1 ? '7 3' : '2 3';
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const span = max - min;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A numeric domain padded so that a single value or a flat series still gets a visible range. */
export function domainOf(values: Iterable<number>, padFraction = 0.05): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Number.POSITIVE_INFINITY) return [0, 1];
  if (lo === hi) return lo === 0 ? [0, 1] : [lo - Math.abs(lo) * 0.1, hi + Math.abs(hi) * 0.1];
  const pad = (hi - lo) * padFraction;
  return [lo - pad, hi + pad];
}

export interface ChartFrame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly x: [number, number];
  readonly y: [number, number];
}

/** Pixel position of a data x value. */
export function px(frame: ChartFrame, x: number): number {
  const [a, b] = frame.x;
  return frame.left + ((x - a) / (b - a)) * (frame.width - frame.left - frame.right);
}

/** Pixel position of a data y value. */
export function py(frame: ChartFrame, y: number): number {
  const [a, b] = frame.y;
  return frame.height - frame.bottom - ((y - a) / (b - a)) * (frame.height - frame.top - frame.bottom);
}

function fmt(v: number): string {
  return Number(v.toFixed(2)).toString();
}

function label(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return Number(v.toPrecision(4)).toString();
}

/** Axes, grid lines, tick labels and axis titles of a chart. */
export function axes(
  frame: ChartFrame,
  xTitle: string,
  yTitle: string,
  options: { readonly xTicksFrom?: number } = {},
): string {
  const parts: string[] = [];
  const x0 = frame.left;
  const x1 = frame.width - frame.right;
  const y0 = frame.height - frame.bottom;
  const y1 = frame.top;
  for (const t of niceTicks(Math.max(frame.x[0], options.xTicksFrom ?? frame.x[0]), frame.x[1], 6)) {
    const x = fmt(px(frame, t));
    parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${y1}" y2="${y0}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${y0 + 14}" text-anchor="middle">${label(t)}</text>`);
  }
  for (const t of niceTicks(frame.y[0], frame.y[1], 5)) {
    const y = fmt(py(frame, t));
    parts.push(`<line class="grid" x1="${x0}" x2="${x1}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="tick" x="${x0 - 5}" y="${y}" dy="0.32em" text-anchor="end">${label(t)}</text>`);
  }
  parts.push(`<line class="axis" x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}"/>`);
  parts.push(`<line class="axis" x1="${x0}" x2="${x0}" y1="${y1}" y2="${y0}"/>`);
  parts.push(
    `<text class="title" x="${fmt((x0 + x1) / 2)}" y="${frame.height - 4}" text-anchor="middle">${escapeHtml(xTitle)}</text>`,
  );
  parts.push(
    `<text class="title" transform="translate(12 ${fmt((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(yTitle)}</text>`,
  );
  return parts.join('');
}

/** A polyline through (x, y) points, in data units. */
export function polyline(
  frame: ChartFrame,
  points: readonly (readonly [number, number])[],
  attrs: string,
): string {
  const d = points
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
    .map(([x, y]) => `${fmt(px(frame, x))},${fmt(py(frame, y))}`)
    .join(' ');
  return `<polyline fill="none" ${attrs} points="${d}"/>`;
}

/** Points of a step function holding y[i] over [x[i], x[i+1]). */
export function stepPoints(xs: readonly number[], ys: readonly number[], xEnd: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] ?? 0;
    const y = ys[i] ?? 0;
    const next = i + 1 < xs.length ? (xs[i + 1] ?? xEnd) : xEnd;
    out.push([x, y], [next, y]);
  }
  return out;
}

/**
 * A deterministic pseudo-random number in [0, 1) for `(a, b)`: the report's jitter must be the same in every
 * run (and in a merge of shards), so it comes from the point's identity, not from Math.random.
 */
export function hashUnit(a: number, b: number): number {
  let h = (Math.imul(a + 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** An `<svg>` element wrapping chart content, with an accessible label. */
export function svg(frame: ChartFrame, id: string, title: string, content: string): string {
  return (
    `<svg id="${escapeHtml(id)}" class="chart" role="img" aria-label="${escapeHtml(title)}" ` +
    `viewBox="0 0 ${frame.width} ${frame.height}" width="${frame.width}" height="${frame.height}" ` +
    `xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(title)}</title>${content}</svg>`
  );
}

/** A legend as HTML (color swatch + name per series). */
export function legend(names: readonly string[]): string {
  return (
    '<div class="legend">' +
    names
      .map((n, i) => `<span><i style="background:${seriesColor(i)}"></i>${escapeHtml(n)}</span>`)
      .join('') +
    '</div>'
  );
}
