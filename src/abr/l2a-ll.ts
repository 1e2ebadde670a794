/**
 * L2A-LL, Learn2Adapt-LowLatency: T. Karagkioules, R. Mekuria, D. Griffioen, A. Wagenaar, "Online learning
 * for low-latency adaptive streaming", ACM MMSys 2020 (Grand Challenge on low-latency live streaming);
 * also in dash.js (src/streaming/rules/abr/L2ARule.js), read to learn the constants. Written from the
 * paper's formulation, not from dash.js's code.
 *
 * Bitrate choice as online convex optimisation: the decision is a probability vector w over the renditions
 * (a point of the simplex); the expected bitrate is r·w. A Lagrangian multiplier Q tracks the buffer
 * displacement (how much longer than a segment's duration downloads have been taking), and each step is a
 * projected gradient step whose size grows with Q, so the learner backs off fast when downloads outrun the
 * media they bring. With c the last segment's throughput (request to last byte, latency included, as the
 * paper measures it) and ρ the playback rate:
 *
 *   w'_i = w_i + s_i · (V / 2α) · (Q + V_L) · ρ·r_i / c,   s_i = −1 when ρ·r_i > c, else +1
 *   w    = the Euclidean projection of w' on the simplex (Wang and Carreira-Perpiñán, arXiv 1309.1541)
 *   Q    = max(0, Q − V + V·ρ·(r·w + r·(w − w_prev)) / c)
 *   pick = the rendition nearest r·w; up at most one step at a time, and only when that step fits in c
 *   if r_pick ≥ c: Q = REACT · max(V_L, Q)        (over-estimation: react next time)
 *
 * with V the segment duration in s, the horizon H = 4, V_L = H^0.99, α = max(H, V_L·√H), REACT = 2 (the
 * paper's and dash.js's constants). Start-up: the highest rendition within `safetyFactor` × the session's
 * throughput estimate, until the buffer reaches `startupBufferMs` (1.5 s, the paper's target buffer) or
 * `startupSegments` segments were downloaded (ours: with segments of 2 s and more at a target of 3 s, the
 * buffer at decision time may never hold 1.5 s, and the learner would never start); then w starts one-hot
 * at the current rendition with Q = V_L.
 *
 * Differences from dash.js's L2ARule, on purpose: one unit (kbps) for bitrates and throughput everywhere
 * (dash.js's Q update divides bits/s by kbit/s); the step up is refused when it does not fit in the
 * throughput (dash.js then keeps the learner's pick, which may be several steps up); the decision is
 * capped at `maxRenditionIndex`, the learner resized when the cap changes.
 *
 * Abandonment (ours; the paper has none, dash.js runs its generic AbandonRequestsRule beside L2A): once
 * `abandonGraceMs` passed since the first byte, if the rest of the download at its measured transfer rate
 * would outlast the buffer (a stall), restart at the highest lower rendition whose whole segment, at that
 * rate plus the time to first byte seen, arrives sooner than the rest would. At a latency target of a few
 * seconds the buffer is short, so a drop is otherwise noticed only after the segment (hls.js #4291).
 *
 * Live defaults: made for a buffer bounded by a latency target of a few seconds (`AbrContext.live`); it
 * plays VOD too, where it keeps a small buffer's caution.
 */
import type { DownloadProgress, DownloadSample } from '../core/types.js';
import { bool, num, resolveOptions } from './options.js';
import { capIndex } from './sabre-common.js';
import type {
  AbrAlgorithm,
  AbrAlgorithmCore,
  AbrAlgorithmDocs,
  AbrContext,
  AbrDecision,
  AbrOptionCore,
  AbrOptions,
} from './types.js';

/** The paper's constants. */
export const L2A_DEFAULTS = {
  horizon: 4,
  react: 2,
  startupBufferMs: 1500,
  startupSegments: 3,
  safetyFactor: 0.9,
  abandonGraceMs: 200,
} as const;

const OPTIONS: readonly AbrOptionCore[] = [
  { name: 'horizon', type: 'number', default: L2A_DEFAULTS.horizon, min: 1, max: 100 },
  { name: 'react', type: 'number', default: L2A_DEFAULTS.react, min: 1, max: 100 },
  { name: 'startupBufferMs', type: 'number', default: L2A_DEFAULTS.startupBufferMs, min: 0 },
  { name: 'startupSegments', type: 'integer', default: L2A_DEFAULTS.startupSegments, min: 1 },
  { name: 'safetyFactor', type: 'number', default: L2A_DEFAULTS.safetyFactor, min: 0.01, max: 1 },
  { name: 'abandonment', type: 'boolean', default: true },
  { name: 'abandonGraceMs', type: 'number', default: L2A_DEFAULTS.abandonGraceMs, min: 0 },
];

export interface L2aOptions {
  readonly horizon: number;
  readonly react: number;
  readonly startupBufferMs: number;
  readonly startupSegments: number;
  readonly safetyFactor: number;
  readonly abandonment?: boolean;
  readonly abandonGraceMs?: number;
}

/**
 * The Euclidean projection of `y` on the probability simplex {x ≥ 0, Σx = 1}: x_i = max(y_i − θ, 0) with
 * θ from the sorted values (Wang and Carreira-Perpiñán, "Projection onto the probability simplex", 2013).
 */
export function projectOnSimplex(y: readonly number[]): number[] {
  const sorted = [...y].sort((a, b) => b - a);
  let sum = 0;
  let theta = 0;
  for (let k = 0; k < sorted.length; k++) {
    sum += sorted[k]!;
    const t = (sum - 1) / (k + 1);
    if (sorted[k]! - t > 0) theta = t;
  }
  return y.map((v) => Math.max(v - theta, 0));
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export class L2aLl implements AbrAlgorithm {
  readonly name = 'l2a-ll';
  private readonly vL: number;
  private readonly alpha: number;
  private steady = false;
  private w: number[] = [];
  private q = 0;
  private lastThroughputKbps: number | null = null;
  private current: number | null = null;
  private downloads = 0;
  /** The last abandonment: `choose` for that segment again (Sabre's re-ask) stays at or below it. */
  private abandoned: { segmentIndex: number; renditionIndex: number } | null = null;

  constructor(private readonly options: L2aOptions) {
    this.vL = Math.pow(options.horizon, 0.99);
    this.alpha = Math.max(options.horizon, this.vL * Math.sqrt(options.horizon));
  }

  /** The learner's state, for tests and logs. */
  get state(): { readonly steady: boolean; readonly w: readonly number[]; readonly q: number } {
    return { steady: this.steady, w: this.w, q: this.q };
  }

  choose(ctx: AbrContext): AbrDecision {
    const cap = capIndex(ctx);
    const bitrates = ctx.renditions.slice(0, cap + 1).map((r) => r.bitrateKbps);
    if (cap === 0) return this.decide(0, 'one rendition allowed');
    if (!this.steady) {
      if (ctx.throughput.sampleCount === 0 && this.lastThroughputKbps === null)
        return this.decide(0, 'start-up: no throughput sample yet, lowest rendition');
      const safeKbps = ctx.throughput.throughputKbps * this.options.safetyFactor;
      let pick = 0;
      while (pick < cap && bitrates[pick + 1]! <= safeKbps) pick++;
      if (
        this.lastThroughputKbps !== null &&
        (ctx.bufferLevelMs >= this.options.startupBufferMs || this.downloads >= this.options.startupSegments)
      ) {
        this.steady = true;
        this.q = this.vL;
        this.w = bitrates.map((_, i) => (i === pick ? 1 : 0));
      }
      return this.decide(
        pick,
        `start-up: highest within ${this.options.safetyFactor} x ${Math.round(ctx.throughput.throughputKbps)} kbps`,
        ctx.segmentIndex,
      );
    }
    if (this.w.length !== bitrates.length) {
      // the cap changed: restart the learner at the current rendition, within the new cap
      const at = Math.min(this.current ?? 0, cap);
      this.w = bitrates.map((_, i) => (i === at ? 1 : 0));
    }
    const c = Math.max(1, this.lastThroughputKbps ?? ctx.throughput.throughputKbps);
    const rate = ctx.live?.playbackRate ?? ctx.playbackRate;
    const rateOk = rate > 0 && Number.isFinite(rate) ? rate : 1;
    const v = ctx.segmentDurationMs / 1000;
    const step = (v / (2 * this.alpha)) * (this.q + this.vL);
    const moved = bitrates.map((r, i) => {
      const load = (rateOk * r) / c;
      return this.w[i]! + (rateOk * r > c ? -1 : 1) * step * load;
    });
    const w = projectOnSimplex(moved);
    const diff = w.map((x, i) => x - this.w[i]!);
    this.w = w;
    this.q = Math.max(0, this.q - v + (v * rateOk * (dot(bitrates, w) + dot(bitrates, diff))) / c);
    const expectedKbps = dot(bitrates, w);
    let pick = 0;
    for (let i = 1; i < bitrates.length; i++)
      if (Math.abs(bitrates[i]! - expectedKbps) < Math.abs(bitrates[pick]! - expectedKbps)) pick = i;
    let reason = `learner: E[bitrate] ${Math.round(expectedKbps)} kbps, Q ${this.q.toFixed(2)}`;
    const current = Math.min(this.current ?? 0, cap);
    if (pick > current) {
      pick = bitrates[current + 1]! <= c ? current + 1 : current;
      reason += pick > current ? ', one step up' : `, up refused (${Math.round(c)} kbps)`;
    }
    if (bitrates[pick]! >= c) this.q = this.options.react * Math.max(this.vL, this.q);
    return this.decide(pick, reason, ctx.segmentIndex);
  }

  shouldAbandon(progress: DownloadProgress, ctx: AbrContext): number | null {
    if (this.options.abandonment === false || progress.firstByteMs === null) return null;
    const transferMs = progress.nowMs - progress.firstByteMs;
    const total = progress.totalBytes ?? ctx.segmentSizeBytes(progress.segmentIndex, progress.renditionIndex);
    if (transferMs < (this.options.abandonGraceMs ?? L2A_DEFAULTS.abandonGraceMs) || total === null)
      return null;
    if (!(progress.loadedBytes > 0) || progress.renditionIndex === 0) return null;
    const bytesPerMs = progress.loadedBytes / transferMs;
    const leftMs = (total - progress.loadedBytes) / bytesPerMs;
    if (!(leftMs > ctx.bufferLevelMs)) return null;
    const ttfbMs = progress.firstByteMs - progress.startMs;
    for (let q = Math.min(progress.renditionIndex, capIndex(ctx) + 1) - 1; q >= 0; q--) {
      const size =
        ctx.segmentSizeBytes(progress.segmentIndex, q) ??
        (total * ctx.renditions[q]!.bitrateKbps) / ctx.renditions[progress.renditionIndex]!.bitrateKbps;
      if (ttfbMs + size / bytesPerMs < leftMs) {
        this.abandoned = { segmentIndex: progress.segmentIndex, renditionIndex: q };
        return q;
      }
    }
    return null;
  }

  onDownloaded(sample: DownloadSample): void {
    const totalMs = sample.endMs - sample.startMs;
    if (sample.aborted === true || !(totalMs > 0) || !(sample.sizeBytes > 0)) return;
    this.lastThroughputKbps = (sample.sizeBytes * 8) / totalMs;
    this.downloads++;
  }

  reset(): void {
    this.steady = false;
    this.w = [];
    this.q = 0;
    this.lastThroughputKbps = null;
    this.current = null;
    this.downloads = 0;
    this.abandoned = null;
  }

  private decide(renditionIndex: number, reason: string, segmentIndex?: number): AbrDecision {
    const a = this.abandoned;
    if (a !== null && segmentIndex === a.segmentIndex && renditionIndex > a.renditionIndex) {
      renditionIndex = a.renditionIndex;
      reason += `; abandoned to ${a.renditionIndex} for this segment`;
    }
    this.current = renditionIndex;
    return { renditionIndex, reason };
  }
}

/** Creates L2A-LL; options as in {@link l2aLlInfo}. */
export function createL2aLl(options?: AbrOptions): L2aLl {
  const o = resolveOptions('l2a-ll', OPTIONS, options);
  return new L2aLl({
    horizon: num(o, 'horizon'),
    react: num(o, 'react'),
    startupBufferMs: num(o, 'startupBufferMs'),
    startupSegments: num(o, 'startupSegments'),
    safetyFactor: num(o, 'safetyFactor'),
    abandonment: bool(o, 'abandonment'),
    abandonGraceMs: num(o, 'abandonGraceMs'),
  });
}

/** Runtime part; the registry joins it with {@link l2aLlDocs}. */
export const l2aLlInfo: AbrAlgorithmCore = { name: 'l2a-ll', options: OPTIONS, create: createL2aLl };

export const l2aLlDocs: AbrAlgorithmDocs = {
  description:
    'Low-latency live: online learning (projected Lagrangian descent over a probability vector on the renditions) that keeps downloads within the segment duration, stepping up one rendition at a time; made for a buffer bounded by a latency target.',
  citation:
    'Karagkioules, Mekuria, Griffioen, Wagenaar, "Online learning for low-latency adaptive streaming", ACM MMSys 2020 (L2A-LL; dash.js L2ARule)',
  options: {
    horizon: 'Optimisation horizon H: V_L = H^0.99 and the step size follow from it (paper 4).',
    react: 'Factor on Q after a pick at or above the throughput (paper 2).',
    startupBufferMs: 'Buffer after which the learner takes over from the start-up rate rule (paper 1.5 s).',
    startupSegments:
      'Downloads after which the learner takes over anyway (a buffer bounded near one segment may never reach startupBufferMs).',
    safetyFactor: "Fraction of the throughput estimate the start-up rule may use (dash.js's 0.9).",
    abandonment:
      'Restart a download lower when its rest would outlast the buffer and a lower segment arrives sooner (ours, not the paper).',
    abandonGraceMs: 'Transfer time before the abandonment rule looks at a download, ms.',
  },
};
