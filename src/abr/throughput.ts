/**
 * Throughput (rate-based) rule with a safety factor, as Sabre's `ThroughputRule` (`-a throughput`):
 * Spiteri, Sitaraman, Sparacio, "From Theory to Practice: Improving Bitrate Adaptation in the DASH Reference
 * Player", ACM MMSys 2018 (repo UMass-LIDS/sabre, src/sabre.py, class ThroughputRule).
 *
 * Code path followed (Sabre defaults, no `-noibr`, no `-noa`):
 * - choose: `quality_from_throughput(estimate * 0.9)`: the highest rendition with
 *   `latency + segmentDuration * bitrate / (0.9 * estimate) <= segmentDuration`, nominal bitrates.
 *   Then the insufficient-buffer rule: `safe = s * (bufferLevel - latency) * estimate` (bits), where the safety
 *   `s` starts at 0.9 and is multiplied by 0.9 after every decision down to 0.5 (it never grows back, as in
 *   Sabre); the first `q` below the pick whose next rendition's segment (`bitrate[q+1] * segmentDuration`)
 *   exceeds `safe` is taken. Never a delay.
 * - shouldAbandon (Sabre `check_abandon`): once `elapsed >= 500 ms` and some transfer time passed, with
 *   `tput = downloaded / (elapsed - ttfb)`: if `elapsed + remaining / tput > 1.8 * segmentDuration`, switch to
 *   `quality_from_throughput(0.9 * tput)` unless that is not lower or its (bitrate-scaled) size is not
 *   smaller than what remains.
 *
 * What the session must provide to reproduce Sabre:
 * - Segment 0: before any throughput sample (`ctx.throughput.sampleCount === 0`) `choose` returns index 0 and
 *   changes no state (Sabre's `get_first_quality()`; it never calls `get_quality_delay` for segment 0), and
 *   `shouldAbandon` returns null (Sabre does not check segment 0).
 * - `ctx.throughput` / `ctx.latencyMs` = Sabre's EWMA (lower throughput / higher latency of half-lives 3 s, 8 s).
 * - `ctx.bufferLevelMs` at `choose` = the level after the wait for buffer room; during a download (for
 *   `shouldAbandon`) = `max(0, level at request - elapsed)`.
 * - After an abandonment Sabre (because of a variable-name slip in its main loop) does NOT fetch at the
 *   returned index: it calls `get_quality_delay` again for the same segment. A session reproducing Sabre must
 *   call `choose` again after an abandonment instead of using the returned index.
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
  latencyOf,
  qualityFromThroughput,
  quietBeforeMs,
  toSabreProgress,
} from './sabre-common.js';
import { THROUGHPUT_DEFAULTS, THROUGHPUT_OPTIONS as OPTIONS } from './sabre-options.js';

export { THROUGHPUT_DEFAULTS } from './sabre-options.js';

export interface ThroughputRuleOptions {
  readonly safetyFactor: number;
  readonly insufficientBufferRule: boolean;
  readonly abandonment: boolean;
  readonly abandonMultiplier: number;
  readonly abandonGraceMs: number;
}

/** Sabre's ThroughputRule. Also used inside `dynamic` and `dynamic-dash`. */
export class ThroughputRule implements AbrAlgorithm {
  readonly name = 'throughput';
  private ibrSafety: number = THROUGHPUT_DEFAULTS.ibrSafetyInit;

  // what the last `pick` did, for its reason
  private pickFirst = false;
  private pickEstimateKbps = 0;
  private pickCappedTo = -1;
  private pickLevelMs = 0;
  private readonly reasonPrefix: string;

  constructor(private readonly options: ThroughputRuleOptions) {
    this.reasonPrefix = `highest rendition within ${options.safetyFactor} x `;
  }

  choose(ctx: AbrContext): AbrDecision {
    const quality = this.pick(ctx);
    return { renditionIndex: quality, reason: this.pickReason() };
  }

  /**
   * `choose` without building its reason (`dynamic` asks this rule every decision but shows its reason only
   * while it is active): the rendition (never a delay); the reason is `pickReason()`.
   */
  pick(ctx: AbrContext): number {
    this.pickCappedTo = -1;
    if (beforeFirstSample(ctx)) {
      this.pickFirst = true;
      return 0;
    }
    this.pickFirst = false;
    const estimate = ctx.throughput.throughputKbps;
    this.pickEstimateKbps = estimate;
    let quality = qualityFromThroughput(ctx, estimate * this.options.safetyFactor);
    if (this.options.insufficientBufferRule) {
      const safeSizeBits = this.ibrSafety * (ctx.bufferLevelMs - latencyOf(ctx)) * estimate;
      this.ibrSafety = Math.max(
        this.ibrSafety * THROUGHPUT_DEFAULTS.ibrSafetyInit,
        THROUGHPUT_DEFAULTS.ibrSafetyMin,
      );
      for (let q = 0; q < quality; q++) {
        if (bitrateKbps(ctx, q + 1) * ctx.segmentDurationMs > safeSizeBits) {
          quality = q;
          this.pickCappedTo = q;
          this.pickLevelMs = ctx.bufferLevelMs;
          break;
        }
      }
    }
    return quality;
  }

  /** The reason of the last `pick`. */
  pickReason(): string {
    if (this.pickFirst) return 'first segment: lowest rendition';
    if (this.pickCappedTo >= 0)
      return `insufficient buffer (${Math.round(this.pickLevelMs)} ms) caps to ${this.pickCappedTo}`;
    return `${this.reasonPrefix}${Math.round(this.pickEstimateKbps)} kbps`;
  }

  shouldAbandon(progress: DownloadProgress, ctx: AbrContext): number | null {
    if (!this.options.abandonment || beforeFirstSample(ctx)) return null;
    const p = toSabreProgress(progress);
    if (!p) return null;
    const transferMs = p.timeMs - p.timeToFirstBitMs;
    if (p.timeMs < this.options.abandonGraceMs || transferMs <= 0) return null;
    const tput = p.downloadedBits / transferMs;
    const sizeLeftBits = p.sizeBits - p.downloadedBits;
    const timeLeftMs = sizeLeftBits / tput;
    if (!(p.timeMs + timeLeftMs > this.options.abandonMultiplier * ctx.segmentDurationMs)) return null;
    const quality = qualityFromThroughput(ctx, tput * this.options.safetyFactor);
    if (quality >= p.quality) return null;
    const estimateSizeBits = (p.sizeBits * bitrateKbps(ctx, quality)) / bitrateKbps(ctx, p.quality);
    return estimateSizeBits >= sizeLeftBits ? null : quality;
  }

  /**
   * When `shouldAbandon` could first say anything but null (see `AbrAlgorithm.abandonQuietUntilMs`): never
   * at rendition 0, nor once no lower rendition's segment would be smaller than what is left; not before the
   * grace time; and, with `d` bits of `S` loaded now, not before
   * `elapsed > abandonMultiplier * segmentDuration * d / S`, because with at least `d` bits loaded later
   * the projected total `elapsed + (S - bits) * transferTime / bits` is at most `elapsed * S / d`.
   */
  abandonQuietUntilMs(progress: DownloadProgress, ctx: AbrContext): number {
    if (!this.options.abandonment || beforeFirstSample(ctx)) return Number.POSITIVE_INFINITY;
    const total = progress.totalBytes;
    if (total === null || progress.renditionIndex === 0) return Number.POSITIVE_INFINITY;
    // the smallest rendition it could switch to is not smaller than what is left: never again (the size
    // test below, with the same floating-point operations; the remainder only shrinks)
    const cur = progress.renditionIndex;
    let lowestKbps = bitrateKbps(ctx, 0);
    for (let q = 1; q < cur; q++) lowestKbps = Math.min(lowestKbps, bitrateKbps(ctx, q));
    const sizeBits = total * 8;
    if ((sizeBits * lowestKbps) / bitrateKbps(ctx, cur) >= sizeBits - progress.loadedBytes * 8)
      return Number.POSITIVE_INFINITY;
    let elapsedMs = this.options.abandonGraceMs;
    if (progress.loadedBytes > 0 && total > 0) {
      const projectedMs =
        (this.options.abandonMultiplier * ctx.segmentDurationMs * progress.loadedBytes) / total;
      if (projectedMs > elapsedMs) elapsedMs = projectedMs;
    }
    return quietBeforeMs(progress.startMs + elapsedMs);
  }

  /**
   * A download on pace to end `abandonMultiplier` segment durations after its request is never abandoned
   * (see `AbrAlgorithm.abandonQuietOnPaceMs`): with `f` the time to first byte, `e` the elapsed time and `b`
   * of `S` bits loaded, `b (K - f) >= S (e - f)` is `e + (S - b) (e - f) / b <= K`, the projected total of
   * `shouldAbandon`. K is shortened by 1e-5 of it + 1 µs, far more than the rounding of that test and of the
   * source's (the transfer time, at least 1 ms, is a difference of clock times: off by a few 1e-16 of them).
   */
  abandonQuietOnPaceMs(progress: DownloadProgress, ctx: AbrContext): number {
    if (!this.options.abandonment || beforeFirstSample(ctx) || progress.totalBytes === null)
      return Number.NaN;
    const totalMs = this.options.abandonMultiplier * ctx.segmentDurationMs;
    return progress.startMs + totalMs - (1e-5 * Math.abs(totalMs) + 1e-3);
  }

  reset(): void {
    this.ibrSafety = THROUGHPUT_DEFAULTS.ibrSafetyInit;
  }
}

/** Creates Sabre's throughput rule; options as in {@link throughputInfo}. */
export function createThroughput(options?: AbrOptions): ThroughputRule {
  const o = resolveOptions('throughput', OPTIONS, options);
  return new ThroughputRule({
    safetyFactor: num(o, 'safetyFactor'),
    insufficientBufferRule: bool(o, 'insufficientBufferRule'),
    abandonment: bool(o, 'abandonment'),
    abandonMultiplier: num(o, 'abandonMultiplier'),
    abandonGraceMs: num(o, 'abandonGraceMs'),
  });
}

/** Runtime part (the player bundles this); the registry joins it with {@link throughputDocs}. */
export const throughputInfo: AbrAlgorithmCore = {
  name: 'throughput',
  options: OPTIONS,
  create: createThroughput,
};

/** What `abrkit algos`, the demo and docs show for throughput: not bundled by the player. */
export const throughputDocs: AbrAlgorithmDocs = {
  description:
    "Rate-based: the highest rendition that downloads within a segment at 0.9 x the throughput estimate, with Sabre's insufficient-buffer rule and abandonment.",
  citation:
    'Spiteri, Sitaraman, Sparacio, "From Theory to Practice: Improving Bitrate Adaptation in the DASH Reference Player", ACM MMSys 2018 (Sabre ThroughputRule)',
  options: {
    safetyFactor: 'Fraction of the throughput estimate a rendition may use (Sabre 0.9).',
    insufficientBufferRule:
      "Cap the pick to what the buffer can cover (Sabre's insufficient-buffer rule; off = Sabre -noibr).",
    abandonment: 'Abandon a download that would take too long (Sabre check_abandon; off = Sabre -noa).',
    abandonMultiplier:
      'Abandon when the download would take more than this many segment durations (Sabre 1.8).',
    abandonGraceMs: 'No abandonment before this much time since the request (Sabre 500 ms).',
  },
};
