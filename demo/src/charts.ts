/**
 * The live charts (uPlot): buffer level, throughput (trace / measured / estimated), the chosen bitrate per
 * segment and, for a live stream, the latency with its target and the playback rate, with stalls drawn as
 * red bands on each and the decision's reason shown on hover.
 * `update()` redraws from a `LiveSession`; the charts follow their container's width.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LiveSession, Stall } from './state.js';

const STALL_FILL = 'rgba(220, 38, 38, 0.18)';
const CHART_HEIGHT_PX = 220;
/** The x axis spans at least this much at the start of a session, s. */
const MIN_SPAN_S = 5;

/** Non-null points per chart series, for the test hook. */
export interface ChartPointCounts {
  readonly buffer: number;
  readonly throughputTrace: number;
  readonly throughputMeasured: number;
  readonly throughputEstimate: number;
  readonly bitrate: number;
  readonly latency: number;
  readonly latencyTarget: number;
  readonly playbackRate: number;
}

function stallBands(getStalls: () => readonly Stall[], getNowS: () => number): (u: uPlot) => void {
  return (u) => {
    const stalls = getStalls();
    if (stalls.length === 0) return;
    const { ctx } = u;
    ctx.save();
    ctx.fillStyle = STALL_FILL;
    for (const stall of stalls) {
      const x0 = u.valToPos(stall.startS, 'x', true);
      const x1 = u.valToPos(stall.endS ?? getNowS(), 'x', true);
      const left = Math.max(u.bbox.left, Math.min(x0, x1));
      const right = Math.min(u.bbox.left + u.bbox.width, Math.max(x0, x1, x0 + 2));
      if (right > left) ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
    }
    ctx.restore();
  };
}

/**
 * A legend value: rounded to `digits`, with its unit; empty (not uPlot's `--`) when there is none, e.g.
 * before the cursor hovers the chart.
 */
function legendValue(digits: number, unit: string): (u: uPlot, value: number | null) => string {
  return (_u, value) => (value === null || value === undefined ? '' : `${value.toFixed(digits)} ${unit}`);
}

/** Tick labels that stay narrow: `12k` for 12000 (an unshaped local download measures in Gbps). */
function compactValues(_u: uPlot, splits: number[]): string[] {
  return splits.map((v) =>
    Math.abs(v) >= 1e6
      ? `${+(v / 1e6).toPrecision(3)}M`
      : Math.abs(v) >= 1e4
        ? `${+(v / 1e3).toPrecision(3)}k`
        : String(+v.toPrecision(6)),
  );
}

function axes(yLabel: string): uPlot.Axis[] {
  return [
    { label: 'time since start (s)', labelSize: 20 },
    { label: yLabel, labelSize: 20, size: 55, values: compactValues },
  ];
}

function countNonNull(values: ArrayLike<number | null | undefined> | undefined): number {
  let n = 0;
  for (let i = 0; i < (values?.length ?? 0); i++) if (typeof values?.[i] === 'number') n++;
  return n;
}

export class LiveCharts {
  private readonly buffer: uPlot;
  private readonly throughput: uPlot;
  private readonly bitrate: uPlot;
  private readonly latency: uPlot;
  private session: LiveSession | null = null;
  private nowS = 0;
  private readonly observer: ResizeObserver;

  constructor(
    containers: { buffer: HTMLElement; throughput: HTMLElement; bitrate: HTMLElement; latency: HTMLElement },
    private readonly onHoverDecision: (text: string | null) => void,
  ) {
    const stalls = (): readonly Stall[] => this.session?.stalls ?? [];
    const now = (): number => this.nowS;
    const drawStalls = stallBands(stalls, now);
    // every chart's x axis runs from the session's start to now, so the charts line up
    const x: uPlot.Scale = { time: false, range: () => [0, Math.max(MIN_SPAN_S, this.nowS)] };
    const base = (el: HTMLElement): Pick<uPlot.Options, 'width' | 'height'> => ({
      width: Math.max(200, el.clientWidth),
      height: CHART_HEIGHT_PX,
    });
    const stepped = uPlot.paths.stepped?.({ align: 1 });

    this.buffer = new uPlot(
      {
        ...base(containers.buffer),
        scales: { x, y: { range: (_u, _min, max) => [0, Math.max(4, max * 1.1)] } },
        series: [
          { label: 't', value: legendValue(1, 's') },
          {
            label: 'buffer',
            value: legendValue(1, 's'),
            stroke: '#2563eb',
            width: 2,
            fill: 'rgba(37, 99, 235, 0.08)',
          },
        ],
        axes: axes('buffer (s)'),
        hooks: { drawAxes: [drawStalls] },
      },
      [[], []],
      containers.buffer,
    );

    this.throughput = new uPlot(
      {
        ...base(containers.throughput),
        scales: { x, y: { range: (_u, _min, max) => [0, Math.max(500, max * 1.1)] } },
        series: [
          { label: 't', value: legendValue(1, 's') },
          {
            label: 'trace',
            value: legendValue(0, 'kbps'),
            stroke: '#6b7280',
            width: 2,
            dash: [6, 4],
            spanGaps: true,
            ...(stepped ? { paths: stepped } : {}),
            points: { show: false },
          },
          {
            label: 'measured',
            value: legendValue(0, 'kbps'),
            stroke: '#16a34a',
            width: 0,
            paths: () => null,
            points: { show: true, size: 7, fill: '#16a34a' },
          },
          {
            label: 'estimate',
            value: legendValue(0, 'kbps'),
            stroke: '#2563eb',
            width: 2,
            spanGaps: true,
          },
        ],
        axes: axes('throughput (kbps)'),
        hooks: { drawAxes: [drawStalls] },
      },
      [[], [], [], []],
      containers.throughput,
    );

    this.bitrate = new uPlot(
      {
        ...base(containers.bitrate),
        scales: { x, y: { range: (_u, _min, max) => [0, Math.max(200, max * 1.15)] } },
        series: [
          { label: 't', value: legendValue(1, 's') },
          {
            label: 'bitrate',
            value: legendValue(0, 'kbps'),
            stroke: '#9333ea',
            width: 2,
            ...(stepped ? { paths: stepped } : {}),
            points: { show: true, size: 6, fill: '#9333ea' },
          },
        ],
        axes: axes('bitrate (kbps)'),
        hooks: {
          drawAxes: [drawStalls],
          setCursor: [
            (u) => {
              const idx = u.cursor.idx;
              const d = idx === null || idx === undefined ? undefined : this.session?.decisions[idx];
              this.onHoverDecision(
                d
                  ? `Segment ${d.segmentIndex} at ${Math.round(d.bitrateKbps)} kbps (t = ${d.tS.toFixed(1)} s, buffer ${(d.bufferLevelMs / 1000).toFixed(1)} s, estimate ${Math.round(d.estimateKbps)} kbps): ${d.reason}`
                  : null,
              );
            },
          ],
        },
      },
      [[], []],
      containers.bitrate,
    );

    this.latency = new uPlot(
      {
        ...base(containers.latency),
        scales: {
          x,
          y: { range: (_u, _min, max) => [0, Math.max(4, max * 1.15)] },
          rate: { range: [0.9, 1.2] },
        },
        series: [
          { label: 't', value: legendValue(1, 's') },
          {
            label: 'latency',
            value: legendValue(2, 's'),
            stroke: '#ea580c',
            width: 2,
            spanGaps: true,
          },
          {
            label: 'target',
            value: legendValue(1, 's'),
            stroke: '#6b7280',
            width: 2,
            dash: [6, 4],
            spanGaps: true,
            points: { show: false },
          },
          {
            label: 'playback rate',
            value: legendValue(2, '×'),
            stroke: '#0d9488',
            width: 1,
            scale: 'rate',
            spanGaps: true,
            ...(stepped ? { paths: stepped } : {}),
            points: { show: false },
          },
        ],
        axes: [
          ...axes('latency (s)'),
          { scale: 'rate', side: 1, label: 'playback rate', labelSize: 20, size: 50, grid: { show: false } },
        ],
        hooks: { drawAxes: [drawStalls] },
      },
      [[], [], [], []],
      containers.latency,
    );

    const pairs: [uPlot, HTMLElement][] = [
      [this.buffer, containers.buffer],
      [this.throughput, containers.throughput],
      [this.bitrate, containers.bitrate],
      [this.latency, containers.latency],
    ];
    this.observer = new ResizeObserver(() => {
      for (const [chart, el] of pairs) {
        const width = Math.max(200, el.clientWidth);
        if (width !== chart.width) chart.setSize({ width, height: CHART_HEIGHT_PX });
      }
    });
    for (const [, el] of pairs) this.observer.observe(el);
  }

  /** Redraws every chart from `session` as of `nowS` (seconds since its start). */
  update(session: LiveSession | null, nowS: number): void {
    this.session = session;
    this.nowS = nowS;
    if (!session) {
      this.buffer.setData([[], []]);
      this.throughput.setData([[], [], [], []]);
      this.bitrate.setData([[], []]);
      this.latency.setData([[], [], [], []]);
      return;
    }
    this.buffer.setData([session.bufferTS, session.bufferLevelS]);
    const trace = session.traceSteps(Math.max(nowS, 1));
    const estimateTS = session.decisions.map((d) => d.tS);
    const estimateKbps = session.decisions.map((d) => d.estimateKbps);
    this.throughput.setData(
      uPlot.join([
        [trace.tS, trace.kbps],
        [session.measuredTS, session.measuredKbps],
        [estimateTS, estimateKbps],
      ]),
    );
    this.bitrate.setData([estimateTS, session.decisions.map((d) => d.bitrateKbps)]);
    this.latency.setData([session.latencyTS, session.latencyS, session.latencyTargetS, session.playbackRate]);
  }

  pointCounts(): ChartPointCounts {
    const t = this.throughput.data;
    return {
      buffer: countNonNull(this.buffer.data[1]),
      throughputTrace: countNonNull(t[1]),
      throughputMeasured: countNonNull(t[2]),
      throughputEstimate: countNonNull(t[3]),
      bitrate: countNonNull(this.bitrate.data[1]),
      latency: countNonNull(this.latency.data[1]),
      latencyTarget: countNonNull(this.latency.data[2]),
      playbackRate: countNonNull(this.latency.data[3]),
    };
  }

  /** The bitrate series as drawn, kbps. */
  bitrateSeries(): number[] {
    return Array.from(this.bitrate.data[1] ?? ([] as number[])).filter(
      (v): v is number => typeof v === 'number',
    );
  }

  destroy(): void {
    this.observer.disconnect();
    this.buffer.destroy();
    this.throughput.destroy();
    this.bitrate.destroy();
    this.latency.destroy();
  }
}
