/**
 * BOLA: Spiteri, Urgaonkar, Sitaraman, "BOLA: Near-Optimal Bitrate Adaptation for Online Videos",
 * IEEE INFOCOM 2016 (arXiv 1601.06748), as Sabre codes it (`-a bola`; UMass-LIDS/sabre, src/sabre.py, class Bola).
 *
 * Utilities `u_q = ln(b_q / b_0)` (0 at the lowest rendition). Each decision picks the rendition that maximises
 * `(V * (u_q + gp) - bufferLevel) / b_q` (ties: the lower one), with
 * `V = (bufferSize - segmentDuration) / (u_top + gp)` and `gp` ("gamma p", Sabre's `-gp`, default 5; it is
 * added to a utility, so it has no unit). `bufferSize` is `ctx.bufferTargetMs` (Sabre's `-b`, 25 s there).
 *
 * Code path followed (Sabre defaults: no `-ab`, no `-ao`), option `basic` = Sabre's `-ab`:
 * - Not basic (default): before each decision, the buffer size used for V is
 *   `min(bufferSize, max(min(i - lastSeek, segmentCount - i) / 2, 3) * segmentDuration)` for segment `i`, so
 *   V grows over the first segments and shrinks towards the end. Basic: V from `bufferSize` alone.
 * - Upward moves are limited by throughput: if the buffer rule picks above the previous BOLA pick (BOLA's own
 *   `last_quality`, not necessarily the segment last downloaded) and above `quality_from_throughput(estimate)`
 *   (no safety factor), it keeps the previous pick if that is above the throughput pick, else takes
 *   throughput pick + 1. With `oscillationGuard` (Sabre `-ao`) it takes the throughput pick instead and
 *   asks for a delay `max(0, bufferLevel - V * (gp + u_q))` (0 at the top rendition), returned as
 *   `AbrDecision.delayMs`: the session waits that long (playing from the buffer, no download) before the
 *   request. Sabre's default never delays.
 * - Abandonment (not basic only): with `remaining` bits left, `score = (V * (gp + u_cur) - level) / remaining`;
 *   if it is negative, keep going; else abandon to the lower rendition with the best
 *   `(V * (gp + u_q) - level) / size_q` above `score`, among those whose bitrate-scaled size is below
 *   `remaining`; the abandonment target becomes BOLA's previous pick.
 * - Sabre's "delay when the buffer is above the max" is the session's wait for buffer room (below).
 *
 * What the session must provide to reproduce Sabre:
 * - Segment 0: with no throughput sample yet `choose` returns index 0 and changes no state (Sabre's
 *   `get_first_quality()`); `shouldAbandon` returns null then.
 * - Before each `choose`, wait until `bufferLevel + segmentDuration <= bufferTargetMs` (Sabre's full-buffer
 *   delay, which plays from the buffer and advances the network) and report it with `onIdle`; then
 *   `ctx.bufferLevelMs` is the level after that wait. The decision's own `delayMs` is NOT reported to `onIdle`.
 * - `ctx.segmentCount` = segments in the video (199 for bbb.json); `ctx.throughput` / `ctx.latencyMs` = Sabre's
 *   EWMA; during a download `ctx.bufferLevelMs = max(0, level at request - elapsed)`.
 * - After an abandonment Sabre calls `get_quality_delay` again for the same segment (its main loop never uses
 *   the returned index): call `choose` again.
 * - Segment 0 may be fetched without asking `choose` (a forced first rendition 0) and `reset()` may be called
 *   at session start: neither changes anything. Deviation: `i` in V's formula counts from segment 0 even
 *   after a seek (Sabre's `report_seek` would restart it at the seek point; Sabre's seek itself is a marked
 *   proof-of-concept, and `reset()` cannot tell a seek from a new session).
 */
import type { DownloadProgress } from '../core/types.js';
import type {
  AbrAlgorithm,
  AbrAlgorithmCore,
  AbrAlgorithmDocs,
  AbrContext,
  AbrDecision,
  AbrOptions,
} from './types.js';
import { bool, num, resolveOptions } from './options.js';
import {
  beforeFirstSample,
  bitrateKbps,
  capIndex,
  logUtilities,
  qualityFromThroughput,
  quietBeforeMs,
  toSabreProgress,
} from './sabre-common.js';
import { BOLA_OPTIONS as OPTIONS } from './sabre-options.js';

/** Description of {@link GAMMA_P_OPTION} (docs only; shared with bola-e and dynamic). */
export const GAMMA_P_DOC = "BOLA's gamma*p, weight of rebuffering against utility (Sabre -gp, default 5).";

/** Description of {@link OSCILLATION_GUARD_OPTION} (docs only; shared with bola-e). */
export const OSCILLATION_GUARD_DOC =
  'Step up only to the throughput pick and wait (delayMs) instead of overshooting it by one (Sabre -ao).';

export { DEFAULT_GAMMA_P, GAMMA_P_OPTION, OSCILLATION_GUARD_OPTION } from './sabre-options.js';

export interface BolaOptions {
  readonly gammaP: number;
  readonly basic: boolean;
  readonly oscillationGuard: boolean;
}

/** V for a buffer size, Sabre's `(buffer_size - segment_time) / (utilities[-1] + gp)`. */
export function bolaV(
  bufferSizeMs: number,
  segmentDurationMs: number,
  topUtility: number,
  gammaP: number,
): number {
  return (bufferSizeMs - segmentDurationMs) / (topUtility + gammaP);
}

/** What limited the last pick's step up (its reason's suffix). */
const STEP_NONE = 0;
const STEP_HELD = 1;
const STEP_PLUS_ONE = 2;
const STEP_GUARD = 3;

/** Sabre's BOLA (see the file header). Also used inside `dynamic`. */
export class Bola implements AbrAlgorithm {
  readonly name = 'bola';
  private lastQuality = 0;
  /** Sabre's `last_seek_index`: segments are counted from the session start. */
  private readonly lastSeekIndex = 0;
  /** V of the last decision (used by the abandonment rule); null before any. */
  private vMs: number | null = null;

  private utilitiesCache: { renditions: AbrContext['renditions']; utilities: number[] } | null = null;
  // what the last `pick` did, for its reason
  private pickFirst = false;
  private pickLevelMs = 0;
  private pickQualityT = 0;
  private pickStep = STEP_NONE;
  /** The delay the last `pick` asks for (0: none), ms. */
  pickDelayMs = 0;
  /** `vText` is `vTextOf.toFixed(1)` (V changes only with the segment index near the start and end). */
  private vTextOf = Number.NaN;
  private vText = '';

  constructor(private readonly options: BolaOptions) {}

  /** `ln(b_q / b_0)` for the ladder (cached per ladder array). */
  utilities(ctx: AbrContext): readonly number[] {
    if (this.utilitiesCache?.renditions !== ctx.renditions)
      this.utilitiesCache = { renditions: ctx.renditions, utilities: logUtilities(ctx, 0) };
    return this.utilitiesCache.utilities;
  }

  /** V for the segment `ctx` is about to fetch (Sabre recomputes it each decision unless basic). */
  bufferSizeFor(ctx: AbrContext): number {
    if (this.options.basic) return ctx.bufferTargetMs;
    const i = ctx.segmentIndex;
    let t = Math.min(i - this.lastSeekIndex, ctx.segmentCount - i);
    t = Math.max(t / 2, 3);
    t = t * ctx.segmentDurationMs;
    return Math.min(ctx.bufferTargetMs, t);
  }

  /** Sabre `Bola.quality_from_buffer`: argmax of `(V (u + gp) - level) / bitrate`, lower on ties. */
  qualityFromBuffer(ctx: AbrContext, utilities: readonly number[], vMs: number): number {
    const level = ctx.bufferLevelMs;
    let quality = 0;
    let score: number | null = null;
    for (let q = 0; q <= capIndex(ctx); q++) {
      const s = (vMs * ((utilities[q] ?? 0) + this.options.gammaP) - level) / bitrateKbps(ctx, q);
      if (score === null || s > score) {
        quality = q;
        score = s;
      }
    }
    return quality;
  }

  choose(ctx: AbrContext): AbrDecision {
    const quality = this.pick(ctx);
    const delayMs = this.pickDelayMs;
    const reason = this.pickReason();
    return delayMs > 0 ? { renditionIndex: quality, delayMs, reason } : { renditionIndex: quality, reason };
  }

  /**
   * `choose` without building its reason (`dynamic` asks BOLA every decision but shows its reason only
   * while BOLA is active): the rendition; the delay is `pickDelayMs`, the reason `pickReason()`.
   */
  pick(ctx: AbrContext): number {
    this.pickDelayMs = 0;
    this.pickStep = STEP_NONE;
    if (beforeFirstSample(ctx)) {
      this.pickFirst = true;
      return 0;
    }
    this.pickFirst = false;
    const utilities = this.utilities(ctx);
    const gp = this.options.gammaP;
    const vMs = bolaV(
      this.bufferSizeFor(ctx),
      ctx.segmentDurationMs,
      utilities[utilities.length - 1] ?? 0,
      gp,
    );
    this.vMs = vMs;
    this.pickLevelMs = ctx.bufferLevelMs;

    let quality = this.qualityFromBuffer(ctx, utilities, vMs);
    if (quality > this.lastQuality) {
      const qualityT = qualityFromThroughput(ctx, ctx.throughput.throughputKbps);
      this.pickQualityT = qualityT;
      if (quality <= qualityT) {
        // the throughput allows the step up
      } else if (this.lastQuality > qualityT) {
        quality = this.lastQuality;
        this.pickStep = STEP_HELD;
      } else if (!this.options.oscillationGuard) {
        quality = qualityT + 1;
        this.pickStep = STEP_PLUS_ONE;
      } else {
        quality = qualityT;
        const level = vMs * (gp + (utilities[quality] ?? 0));
        this.pickDelayMs = quality === capIndex(ctx) ? 0 : Math.max(0, ctx.bufferLevelMs - level);
        this.pickStep = STEP_GUARD;
      }
    }
    this.lastQuality = quality;
    return quality;
  }

  /** The reason of the last `pick`. */
  pickReason(): string {
    if (this.pickFirst) return 'first segment: lowest rendition';
    const vMs = this.vMs!;
    if (vMs !== this.vTextOf) {
      this.vTextOf = vMs;
      this.vText = vMs.toFixed(1);
    }
    const reason = `buffer ${Math.round(this.pickLevelMs)} ms, V ${this.vText} ms`;
    const qualityT = this.pickQualityT;
    switch (this.pickStep) {
      case STEP_HELD:
        return `${reason}; step up held at the previous ${this.lastQuality} (throughput allows ${qualityT})`;
      case STEP_PLUS_ONE:
        return `${reason}; step up limited to throughput pick ${qualityT} + 1`;
      case STEP_GUARD:
        return `${reason}; step up limited to throughput pick ${qualityT}, wait ${Math.round(this.pickDelayMs)} ms`;
      default:
        return reason;
    }
  }

  shouldAbandon(progress: DownloadProgress, ctx: AbrContext): number | null {
    if (this.options.basic || beforeFirstSample(ctx)) return null;
    const p = toSabreProgress(progress);
    if (!p) return null;
    const remain = p.sizeBits - p.downloadedBits;
    if (p.downloadedBits <= 0 || remain <= 0) return null;
    const utilities = this.utilities(ctx);
    const gp = this.options.gammaP;
    const vMs =
      this.vMs ??
      bolaV(this.bufferSizeFor(ctx), ctx.segmentDurationMs, utilities[utilities.length - 1] ?? 0, gp);
    const level = ctx.bufferLevelMs;
    let score = (vMs * (gp + (utilities[p.quality] ?? 0)) - level) / remain;
    if (score < 0) return null;
    let abandonTo: number | null = null;
    for (let q = 0; q < p.quality; q++) {
      const otherSize = (p.sizeBits * bitrateKbps(ctx, q)) / bitrateKbps(ctx, p.quality);
      const otherScore = (vMs * (gp + (utilities[q] ?? 0)) - level) / otherSize;
      if (otherSize < remain && otherScore > score) {
        score = otherScore;
        abandonTo = q;
      }
    }
    if (abandonTo !== null) this.lastQuality = abandonTo;
    return abandonTo;
  }

  /**
   * When `shouldAbandon` could first return a rendition (see `AbrAlgorithm.abandonQuietUntilMs`). With
   * `A_q = V (gp + u_q)`, `O_q` the bitrate-scaled size of rendition q and `R` the bits remaining (which only
   * shrink), a lower q wins only while `O_q < R` and `(A_q - level) / O_q > (A_cur - level) / R`; with R at
   * most its value now that needs `level < min(A_q, (R A_q - A_cur O_q) / (R - O_q))` (the score to beat is
   * >= 0, so `A_q - level > 0`, and then the left side grows with R).
   * So: no abandonment before the buffer, draining at the playback rate, falls below the highest such level.
   */
  abandonQuietUntilMs(progress: DownloadProgress, ctx: AbrContext): number {
    const cur = progress.renditionIndex;
    if (this.options.basic || beforeFirstSample(ctx) || progress.totalBytes === null || cur === 0)
      return Number.POSITIVE_INFINITY;
    const utilities = this.utilities(ctx);
    const gp = this.options.gammaP;
    const vMs =
      this.vMs ??
      bolaV(this.bufferSizeFor(ctx), ctx.segmentDurationMs, utilities[utilities.length - 1] ?? 0, gp);
    const sizeBits = progress.totalBytes * 8;
    const remain = sizeBits - progress.loadedBytes * 8;
    const aCur = vMs * (gp + (utilities[cur] ?? 0));
    // rounding margin on the level thresholds (the exact test runs at the points past it)
    const marginMs = 1e-6 * (Math.abs(aCur) + 1);
    let levelBelowMs = Number.NEGATIVE_INFINITY;
    for (let q = 0; q < cur; q++) {
      const aQ = vMs * (gp + (utilities[q] ?? 0));
      const otherSize = (sizeBits * bitrateKbps(ctx, q)) / bitrateKbps(ctx, cur);
      if (!(otherSize < remain)) continue; // and never again: the remainder only shrinks
      const threshold = Math.min(aQ, (remain * aQ - aCur * otherSize) / (remain - otherSize));
      if (threshold + marginMs > levelBelowMs) levelBelowMs = threshold + marginMs;
    }
    if (!(levelBelowMs > 0)) return Number.POSITIVE_INFINITY; // the level never goes below 0
    const level = ctx.bufferLevelMs;
    if (!(level > levelBelowMs)) return progress.nowMs;
    return quietBeforeMs(progress.nowMs + (level - levelBelowMs) / ctx.playbackRate);
  }

  reset(): void {
    this.lastQuality = 0;
    this.vMs = null;
  }
}

/** Creates Sabre's BOLA; options as in {@link bolaInfo}. */
export function createBola(options?: AbrOptions): Bola {
  const o = resolveOptions('bola', OPTIONS, options);
  return new Bola({
    gammaP: num(o, 'gammaP'),
    basic: bool(o, 'basic'),
    oscillationGuard: bool(o, 'oscillationGuard'),
  });
}

/** Runtime part (the player bundles this); the registry joins it with {@link bolaDocs}. */
export const bolaInfo: AbrAlgorithmCore = {
  name: 'bola',
  options: OPTIONS,
  create: createBola,
};

/** What `abrkit algos`, the demo and docs show for bola: not bundled by the player. */
export const bolaDocs: AbrAlgorithmDocs = {
  description:
    "BOLA (Lyapunov buffer-based utility maximisation, utility ln(b/b0)) as Sabre's `bola`, with throughput-limited step-ups and abandonment.",
  citation:
    'Spiteri, Urgaonkar, Sitaraman, "BOLA: Near-Optimal Bitrate Adaptation for Online Videos", IEEE INFOCOM 2016 (arXiv 1601.06748); as coded in Sabre (MMSys 2018)',
  options: {
    gammaP: GAMMA_P_DOC,
    oscillationGuard: OSCILLATION_GUARD_DOC,
    basic: 'BOLA-BASIC: V from the buffer target only, no abandonment (Sabre -ab). Off = Sabre default.',
  },
};
