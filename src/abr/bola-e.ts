/**
 * BOLA-E: Spiteri, Sitaraman, Sparacio, "From Theory to Practice: Improving Bitrate Adaptation in the DASH
 * Reference Player", ACM MMSys 2018, on BOLA (Spiteri, Urgaonkar, Sitaraman, INFOCOM 2016, arXiv 1601.06748),
 * as Sabre codes it (`-a bolae`, Sabre's default; UMass-LIDS/sabre, src/sabre.py, class BolaEnh).
 *
 * Utilities `u_q = ln(b_q / b_0) + 1`. With the insufficient-buffer rule (default), the target buffer is
 * `B = max(10 s + 2 s * renditionCount, bufferTargetMs)`, `gp = (u_top - 1) / (B / 10 s - 1)` and
 * `V = 10 s / gp`; without it (Sabre `-noibr`) `gp = gammaP - 1` and `V = (bufferTargetMs - segment) / (u_top + gp)`.
 * The buffer rule scores `(V (u_q + gp) - level) / b_q` at `level = bufferLevel + placeholder`.
 *
 * Code path followed (Sabre defaults):
 * - Startup: until the first decision with a throughput sample, return the last downloaded rendition (0).
 *   The first decision with a sample picks `quality_from_throughput(estimate)` (no safety factor) and sets
 *   the placeholder to `max(0, minBufferFor(pick) - level)` (a virtual buffer so BOLA keeps that pick).
 * - Steady: pick from the buffer rule at `level + placeholder`; a step above both the last downloaded
 *   rendition and the throughput pick is limited to `max(last, throughput pick) + 1` (`oscillationGuard`,
 *   Sabre `-ao`: without the + 1). Then `delay = level + placeholder - V (u_q + gp)`: eaten from the
 *   placeholder first, any rest returned as `AbrDecision.delayMs` (0 at the top rendition).
 * - Insufficient-buffer rule: `safe = s * (level - latency) * estimate` bits, `s` from 0.9, times 0.9 per
 *   decision down to 0.5; the first `q` below the pick whose next rendition's nominal segment exceeds `safe`
 *   is taken (delay 0, placeholder capped to `max(0, minBufferFor(q) - level)`).
 * - onDownloaded (Sabre `report_download`), with `level` = the buffer after the download:
 *   completed: placeholder clamped to `[minBufferFor(q) - (level + time), max(0, V (u_q + gp) - (level + time))]`
 *   (the lower bound only when `level > 0`); abandoned to `t`: placeholder capped to
 *   `max(0, want - level)` with `want = minBufferFor(t)` (10 s when `t = 0`). The last rendition becomes
 *   the downloaded (or abandoned) one.
 * - onIdle (Sabre `report_delay`): the placeholder grows by the idle time.
 * - shouldAbandon: `bl = max(0, level + placeholder - ttfb)`, `tp = downloaded / (elapsed - ttfb)`,
 *   `sz = remaining - ttfb * tp`; abandon to the lower rendition with the best `(V (gp + u_q) - bl) / size_q`
 *   above the current `(V (gp + u_cur) - bl) / sz`, among those with a bitrate-scaled size below `sz`.
 *
 * What the session must provide to reproduce Sabre:
 * - Segment 0: `choose` returns 0 with no sample yet (Sabre's `get_first_quality()`), no abandonment check.
 *   Sabre does not call `report_download` for segment 0; calling `onDownloaded` for it is harmless here
 *   (the placeholder is 0 and stays 0, the last rendition is 0).
 * - `onIdle(ms)` for every wait for buffer room (Sabre's full-buffer delay, before `choose`), NOT for the
 *   decision's own `delayMs` (the placeholder already accounted for it).
 * - `onDownloaded(sample, ctx)` after every download with `ctx.bufferLevelMs` = the level after the
 *   download time was played out and (unless aborted) the segment was added; `sample.aborted` for abandoned
 *   ones. The rendition of the download is the one `choose` returned (or the one `shouldAbandon` returned,
 *   if the session fetches that without asking `choose` again).
 * - After an abandonment Sabre calls `get_quality_delay` again for the same segment: call `choose` again.
 * - `reset()` (seek, new session) returns to startup.
 */
import type { DownloadProgress, DownloadSample } from '../core/types.js';
import type {
  AbrAlgorithm,
  AbrAlgorithmCore,
  AbrAlgorithmDocs,
  AbrContext,
  AbrDecision,
  AbrOptionCore,
  AbrOptions,
} from './types.js';
import { bool, num, resolveOptions } from './options.js';
import {
  beforeFirstSample,
  bitrateKbps,
  capIndex,
  latencyOf,
  logUtilities,
  qualityFromThroughput,
  quietBeforeMs,
  toSabreProgress,
} from './sabre-common.js';
import { GAMMA_P_OPTION, OSCILLATION_GUARD_DOC, OSCILLATION_GUARD_OPTION } from './bola.js';

/** Sabre's BolaEnh constants. */
export const BOLA_E_DEFAULTS = {
  minimumBufferMs: 10000,
  minimumBufferPerLevelMs: 2000,
  ibrSafetyInit: 0.9,
  ibrSafetyMin: 0.5,
} as const;

const OPTIONS: readonly AbrOptionCore[] = [
  {
    name: 'insufficientBufferRule',
    type: 'boolean',
    default: true,
  },
  {
    ...GAMMA_P_OPTION,
    min: 1.01,
  },
  OSCILLATION_GUARD_OPTION,
  {
    name: 'minimumBufferMs',
    type: 'number',
    default: BOLA_E_DEFAULTS.minimumBufferMs,
    min: 1,
  },
  {
    name: 'minimumBufferPerLevelMs',
    type: 'number',
    default: BOLA_E_DEFAULTS.minimumBufferPerLevelMs,
    min: 0,
  },
];

export interface BolaEOptions {
  readonly insufficientBufferRule: boolean;
  readonly gammaP: number;
  readonly oscillationGuard: boolean;
  readonly minimumBufferMs: number;
  readonly minimumBufferPerLevelMs: number;
}

/** BOLA-E's parameters for one ladder: utilities, gp and V (ms). */
export interface BolaEParams {
  readonly utilities: readonly number[];
  readonly gp: number;
  readonly vMs: number;
}

/** Sabre's BolaEnh (see the file header). Also used inside `dynamic-dash`. */
export class BolaE implements AbrAlgorithm {
  readonly name = 'bola-e';
  private startingUp = true;
  private placeholderMs = 0;
  private lastQuality = 0;
  private ibrSafety: number = BOLA_E_DEFAULTS.ibrSafetyInit;
  /** Rendition of the download in flight (what `choose` or `shouldAbandon` last said). */
  private inFlight = 0;
  private abandonedTo: number | null = null;
  private cache: {
    renditions: AbrContext['renditions'];
    bufferTargetMs: number;
    segmentDurationMs: number;
    params: BolaEParams;
  } | null = null;

  constructor(private readonly options: BolaEOptions) {}

  /** The placeholder (virtual buffer), ms. */
  get placeholder(): number {
    return this.placeholderMs;
  }

  /** utilities, gp and V for this ladder and buffer target (cached: they only change with the ladder). */
  params(ctx: AbrContext): BolaEParams {
    const c = this.cache;
    if (
      c !== null &&
      c.renditions === ctx.renditions &&
      c.bufferTargetMs === ctx.bufferTargetMs &&
      c.segmentDurationMs === ctx.segmentDurationMs
    )
      return c.params;
    const utilities = logUtilities(ctx, 1);
    const top = utilities[utilities.length - 1] ?? 1;
    let gp: number;
    let vMs: number;
    if (!this.options.insufficientBufferRule) {
      gp = this.options.gammaP - 1; // to match BOLA-BASIC
      vMs = (ctx.bufferTargetMs - ctx.segmentDurationMs) / (top + gp);
    } else {
      const min = this.options.minimumBufferMs;
      let buffer = min;
      buffer += this.options.minimumBufferPerLevelMs * ctx.renditions.length;
      buffer = Math.max(buffer, ctx.bufferTargetMs);
      gp = (top - 1) / (buffer / min - 1);
      vMs = min / gp;
    }
    const params = { utilities, gp, vMs };
    this.cache = {
      renditions: ctx.renditions,
      bufferTargetMs: ctx.bufferTargetMs,
      segmentDurationMs: ctx.segmentDurationMs,
      params,
    };
    return params;
  }

  private qualityFromBuffer(ctx: AbrContext, p: BolaEParams, levelMs: number): number {
    let quality = 0;
    let score: number | null = null;
    for (let q = 0; q <= capIndex(ctx); q++) {
      const s = (p.vMs * ((p.utilities[q] ?? 0) + p.gp) - levelMs) / bitrateKbps(ctx, q);
      if (score === null || s > score) {
        quality = q;
        score = s;
      }
    }
    return quality;
  }

  /** Sabre `min_buffer_for_quality`: the level above which BOLA prefers `quality` to every lower one. */
  minBufferFor(ctx: AbrContext, quality: number): number {
    const p = this.params(ctx);
    const bitrate = bitrateKbps(ctx, quality);
    const utility = p.utilities[quality] ?? 0;
    let level = 0;
    for (let q = 0; q < quality; q++) {
      const u = p.utilities[q] ?? 0;
      if (u < utility) {
        const b = bitrateKbps(ctx, q);
        const l = p.vMs * (p.gp + (bitrate * u - b * utility) / (bitrate - b));
        level = Math.max(level, l);
      }
    }
    return level;
  }

  /** Sabre `max_buffer_for_quality`: `V (u_q + gp)`. */
  maxBufferFor(ctx: AbrContext, quality: number): number {
    const p = this.params(ctx);
    return p.vMs * ((p.utilities[quality] ?? 0) + p.gp);
  }

  choose(ctx: AbrContext): AbrDecision {
    const decision = this.decide(ctx);
    this.inFlight = decision.renditionIndex;
    this.abandonedTo = null;
    return decision;
  }

  private decide(ctx: AbrContext): AbrDecision {
    const level = ctx.bufferLevelMs;
    if (this.startingUp) {
      if (beforeFirstSample(ctx))
        return {
          renditionIndex: Math.min(this.lastQuality, capIndex(ctx)),
          reason: 'startup: no throughput sample yet',
        };
      this.startingUp = false;
      this.ibrSafety = BOLA_E_DEFAULTS.ibrSafetyInit;
      const quality = qualityFromThroughput(ctx, ctx.throughput.throughputKbps);
      this.placeholderMs = Math.max(0, this.minBufferFor(ctx, quality) - level);
      return {
        renditionIndex: quality,
        reason: `startup: throughput pick, placeholder ${Math.round(this.placeholderMs)} ms`,
      };
    }

    const p = this.params(ctx);
    let quality = this.qualityFromBuffer(ctx, p, level + this.placeholderMs);
    let reason = `buffer ${Math.round(level)} + placeholder ${Math.round(this.placeholderMs)} ms`;
    const qualityT = qualityFromThroughput(ctx, ctx.throughput.throughputKbps);
    if (quality > this.lastQuality && quality > qualityT) {
      quality = Math.max(this.lastQuality, qualityT);
      if (!this.options.oscillationGuard) quality += 1;
      reason += `; step up limited by throughput pick ${qualityT}`;
    }

    const maxLevel = this.maxBufferFor(ctx, quality);
    let delayMs = level + this.placeholderMs - maxLevel;
    if (delayMs > 0) {
      if (delayMs <= this.placeholderMs) {
        this.placeholderMs -= delayMs;
        delayMs = 0;
      } else {
        delayMs -= this.placeholderMs;
        this.placeholderMs = 0;
      }
    } else {
      delayMs = 0;
    }
    if (quality === capIndex(ctx)) delayMs = 0;

    if (this.options.insufficientBufferRule) {
      const safeSizeBits = this.ibrSafety * (level - latencyOf(ctx)) * ctx.throughput.throughputKbps;
      this.ibrSafety = Math.max(this.ibrSafety * BOLA_E_DEFAULTS.ibrSafetyInit, BOLA_E_DEFAULTS.ibrSafetyMin);
      for (let q = 0; q < quality; q++) {
        if (bitrateKbps(ctx, q + 1) * ctx.segmentDurationMs > safeSizeBits) {
          quality = q;
          delayMs = 0;
          const maxPlaceholder = Math.max(0, this.minBufferFor(ctx, q) - level);
          this.placeholderMs = Math.min(maxPlaceholder, this.placeholderMs);
          reason += `; insufficient buffer caps to ${q}`;
          break;
        }
      }
    }
    return delayMs > 0 ? { renditionIndex: quality, delayMs, reason } : { renditionIndex: quality, reason };
  }

  /**
   * Tells BOLA-E the rendition of the next download when another rule chose it (`dynamic-dash`), so that
   * `onDownloaded` learns the right last rendition, as Sabre's `report_download(metrics)` does.
   */
  noteChosen(renditionIndex: number): void {
    this.inFlight = renditionIndex;
    this.abandonedTo = null;
  }

  /** Tells BOLA-E that another rule abandoned the download of `fromIndex` for `toIndex` (`dynamic-dash`). */
  noteAbandoned(fromIndex: number, toIndex: number): void {
    this.inFlight = fromIndex;
    this.abandonedTo = toIndex;
  }

  onIdle(durationMs: number): void {
    this.placeholderMs += durationMs;
  }

  onDownloaded(sample: DownloadSample, ctx: AbrContext): void {
    const level = ctx.bufferLevelMs;
    if (!sample.aborted) {
      const quality = this.inFlight;
      this.lastQuality = quality;
      const levelWas = level + (sample.endMs - sample.startMs);
      const maxPlaceholder = Math.max(0, this.maxBufferFor(ctx, quality) - levelWas);
      this.placeholderMs = Math.min(this.placeholderMs, maxPlaceholder);
      if (level > 0) {
        // not when rebuffering: an empty buffer is handled by the rule itself
        const minPlaceholder = this.minBufferFor(ctx, quality) - levelWas;
        this.placeholderMs = Math.max(this.placeholderMs, minPlaceholder);
      }
    } else {
      this.lastQuality = this.inFlight;
      const target = this.abandonedTo ?? 0;
      const wantLevel = target > 0 ? this.minBufferFor(ctx, target) : this.options.minimumBufferMs;
      const maxPlaceholder = Math.max(0, wantLevel - level);
      this.placeholderMs = Math.min(this.placeholderMs, maxPlaceholder);
      // a session that fetches the abandonment target without asking choose() again downloads it next
      this.inFlight = target;
      this.abandonedTo = null;
    }
  }

  shouldAbandon(progress: DownloadProgress, ctx: AbrContext): number | null {
    if (beforeFirstSample(ctx)) return null;
    const pr = toSabreProgress(progress);
    if (!pr) return null;
    const remain = pr.sizeBits - pr.downloadedBits;
    if (pr.downloadedBits <= 0 || remain <= 0) return null;
    const p = this.params(ctx);
    // an abandonment costs a new latency: estimate the state after it
    const bl = Math.max(0, ctx.bufferLevelMs + this.placeholderMs - pr.timeToFirstBitMs);
    const tp = pr.downloadedBits / (pr.timeMs - pr.timeToFirstBitMs);
    const sz = remain - pr.timeToFirstBitMs * tp;
    if (!(sz > 0)) return null;
    let score = (p.vMs * (p.gp + (p.utilities[pr.quality] ?? 0)) - bl) / sz;
    let abandonTo: number | null = null;
    for (let q = 0; q < pr.quality; q++) {
      const otherSize = (pr.sizeBits * bitrateKbps(ctx, q)) / bitrateKbps(ctx, pr.quality);
      const otherScore = (p.vMs * (p.gp + (p.utilities[q] ?? 0)) - bl) / otherSize;
      // both checks matter: a smaller remainder is not worth a new request even at a better score
      if (otherSize < sz && otherScore > score) {
        score = otherScore;
        abandonTo = q;
      }
    }
    if (abandonTo !== null) {
      this.inFlight = pr.quality;
      this.abandonedTo = abandonTo;
    }
    return abandonTo;
  }

  /**
   * When `shouldAbandon` could first return a rendition (see `AbrAlgorithm.abandonQuietUntilMs`), as for
   * BOLA: with `A_q = V (gp + u_q)`, `O_q` the bitrate-scaled size and `sz` at most the bits remaining now
   * (R), a lower q wins only while `O_q < sz` and `(A_q - bl) / O_q > (A_cur - bl) / sz`, which needs
   * `bl < min(A_q, (R A_q - A_cur O_q) / (R - O_q))`; `bl = level + placeholder - ttfb` falls only as the
   * buffer drains (placeholder and time to first byte are fixed once the first byte arrived).
   */
  abandonQuietUntilMs(progress: DownloadProgress, ctx: AbrContext): number {
    const cur = progress.renditionIndex;
    if (beforeFirstSample(ctx) || progress.totalBytes === null || cur === 0) return Number.POSITIVE_INFINITY;
    const noFirstByte = progress.firstByteMs === null;
    if (noFirstByte && progress.loadedBytes > 0) return progress.nowMs; // not a source this bound covers
    const p = this.params(ctx);
    const sizeBits = progress.totalBytes * 8;
    const remain = sizeBits - progress.loadedBytes * 8;
    const aCur = p.vMs * (p.gp + (p.utilities[cur] ?? 0));
    const marginMs = 1e-6 * (Math.abs(aCur) + 1);
    let blBelowMs = Number.NEGATIVE_INFINITY;
    for (let q = 0; q < cur; q++) {
      const aQ = p.vMs * (p.gp + (p.utilities[q] ?? 0));
      if (!(aQ <= aCur)) return progress.nowMs; // not a ladder this bound covers
      const otherSize = (sizeBits * bitrateKbps(ctx, q)) / bitrateKbps(ctx, cur);
      if (!(otherSize < remain)) continue; // and never again: sz <= the remainder, which only shrinks
      const threshold = Math.min(aQ, (remain * aQ - aCur * otherSize) / (remain - otherSize));
      if (threshold + marginMs > blBelowMs) blBelowMs = threshold + marginMs;
    }
    if (!(blBelowMs > 0)) return Number.POSITIVE_INFINITY; // bl never goes below 0
    const level = ctx.bufferLevelMs;
    const rate = ctx.playbackRate;
    if (noFirstByte) {
      // nothing loaded until the first byte (shouldAbandon says null); after it, at a point t past the
      // first byte, ttfb <= t - start, so bl >= level - (t - now) rate + placeholder - (t - start): below
      // blBelow only once t (rate + 1) > now rate + level + placeholder + start - blBelow
      const fromMs =
        (progress.nowMs * rate + level + this.placeholderMs + progress.startMs - blBelowMs) / (rate + 1);
      return fromMs > progress.nowMs ? quietBeforeMs(fromMs) : progress.nowMs;
    }
    const ttfbMs = progress.firstByteMs - progress.startMs;
    const levelBelowMs = blBelowMs - this.placeholderMs + ttfbMs;
    if (!(level > levelBelowMs)) return progress.nowMs;
    return quietBeforeMs(progress.nowMs + (level - levelBelowMs) / rate);
  }

  reset(): void {
    this.startingUp = true;
    this.placeholderMs = 0;
    this.lastQuality = 0;
    this.ibrSafety = BOLA_E_DEFAULTS.ibrSafetyInit;
    this.inFlight = 0;
    this.abandonedTo = null;
  }
}

/** Creates Sabre's BOLA-E; options as in {@link bolaEInfo}. */
export function createBolaE(options?: AbrOptions): BolaE {
  const o = resolveOptions('bola-e', OPTIONS, options);
  return new BolaE({
    insufficientBufferRule: bool(o, 'insufficientBufferRule'),
    gammaP: num(o, 'gammaP'),
    oscillationGuard: bool(o, 'oscillationGuard'),
    minimumBufferMs: num(o, 'minimumBufferMs'),
    minimumBufferPerLevelMs: num(o, 'minimumBufferPerLevelMs'),
  });
}

/** Runtime part (the player bundles this); the registry joins it with {@link bolaEDocs}. */
export const bolaEInfo: AbrAlgorithmCore = {
  name: 'bola-e',
  options: OPTIONS,
  create: createBolaE,
};

/** What `abrkit algos`, the demo and docs show for bola-e: not bundled by the player. */
export const bolaEDocs: AbrAlgorithmDocs = {
  description:
    "BOLA-E as Sabre's `bolae`: BOLA with a placeholder buffer, throughput-based startup, the insufficient-buffer rule and abandonment.",
  citation:
    'Spiteri, Sitaraman, Sparacio, "From Theory to Practice: Improving Bitrate Adaptation in the DASH Reference Player", ACM MMSys 2018 (Sabre BolaEnh); BOLA: Spiteri, Urgaonkar, Sitaraman, IEEE INFOCOM 2016 (arXiv 1601.06748)',
  options: {
    insufficientBufferRule:
      "Sabre's insufficient-buffer rule and target-buffer V/gp (off = Sabre -noibr, V/gp as BOLA-BASIC).",
    gammaP: 'gamma*p, used only when insufficientBufferRule is off (Sabre -gp; gp = gammaP - 1 there).',
    oscillationGuard: OSCILLATION_GUARD_DOC,
    minimumBufferMs: 'Buffer at which the lowest rendition stops being preferred (Sabre 10 s).',
    minimumBufferPerLevelMs: 'Extra target buffer per rendition (Sabre 2 s).',
  },
};
