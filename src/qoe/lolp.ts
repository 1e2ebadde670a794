/**
 * LoL+'s five-term QoE for low-latency live streaming: A. Bentaleb, M. N. Akcay, M. Lim, A. C. Begen,
 * R. Zimmermann, "Catching the Moment with LoL+ in Twitch-like Low-Latency Live Streaming Platforms",
 * IEEE Transactions on Multimedia 24 (2022), and its implementation in dash.js
 * (src/streaming/rules/abr/lolp/LoLpQoEEvaluator.js, weights "last updated 30 Mar 2020"). Per segment n:
 *
 *   QoE_n = w_b·R_n − w_s·|R_n − R_{n−1}| − w_r·rebuffer_n − w_l(L_n)·L_n − w_p·|1 − speed_n|
 *
 * with R in kbps, rebuffer and latency L in seconds, and dash.js's weights for a ladder [R_min .. R_max]:
 * w_b = the segment duration in s (1 when unknown), w_s = 1, w_r = R_max, w_l = 0.05·R_min while L ≤ 1.1 s
 * and 0.1·R_max above, w_p = R_min. The first segment has no switch term (dash.js: no previous bitrate).
 * A session's QoE is the sum. Without a latency and a playback rate (VOD) the last two terms are 0.
 */
import type { Rendition } from '../core/types.js';
import { invalidArgument } from '../core/errors.js';

export interface LolpQoeWeights {
  /** w_b: reward per kbps of a segment (its duration in s). */
  readonly bitrateReward: number;
  /** w_s: per kbps of bitrate change. */
  readonly switchPenalty: number;
  /** w_r: per second of rebuffering. */
  readonly rebufferPenaltyPerS: number;
  /** w_l: per second of latency while the latency is at most `latencyThresholdS` ... */
  readonly latencyPenaltyLowPerS: number;
  /** ... and above it. */
  readonly latencyPenaltyHighPerS: number;
  readonly latencyThresholdS: number;
  /** w_p: per unit of |1 − playback rate|. */
  readonly playbackSpeedPenalty: number;
}

/** dash.js's weights for a ladder (ascending kbps) and a segment duration. */
export function lolpQoeWeights(ladderKbps: readonly number[], segmentDurationMs?: number): LolpQoeWeights {
  const min = ladderKbps[0];
  const max = ladderKbps[ladderKbps.length - 1];
  if (min === undefined || max === undefined || !(min > 0) || !(max >= min) || !Number.isFinite(max))
    throw invalidArgument('ladderKbps', 'must be a non-empty ascending list of bitrates > 0');
  if (segmentDurationMs !== undefined && !(segmentDurationMs > 0 && Number.isFinite(segmentDurationMs)))
    throw invalidArgument('segmentDurationMs', `must be > 0, got ${segmentDurationMs}`);
  return {
    bitrateReward: segmentDurationMs === undefined ? 1 : segmentDurationMs / 1000,
    switchPenalty: 1,
    rebufferPenaltyPerS: max,
    latencyPenaltyLowPerS: min * 0.05,
    latencyPenaltyHighPerS: max * 0.1,
    latencyThresholdS: 1.1,
    playbackSpeedPenalty: min,
  };
}

export interface LolpSegmentInput {
  readonly bitrateKbps: number;
  /** null for the first segment. */
  readonly prevBitrateKbps: number | null;
  readonly rebufferMs: number;
  /** 0 for VOD. */
  readonly latencyMs: number;
  /** 1 for VOD. */
  readonly playbackRate: number;
}

export interface LolpQoeBreakdown {
  readonly bitrateReward: number;
  readonly switchPenalty: number;
  readonly rebufferPenalty: number;
  readonly latencyPenalty: number;
  readonly playbackSpeedPenalty: number;
  /** bitrateReward − the four penalties. */
  readonly total: number;
}

/** One segment's five terms. */
export function lolpQoeBreakdown(input: LolpSegmentInput, w: LolpQoeWeights): LolpQoeBreakdown {
  const latencyS = input.latencyMs / 1000;
  const latencyWeight = latencyS <= w.latencyThresholdS ? w.latencyPenaltyLowPerS : w.latencyPenaltyHighPerS;
  const bitrateReward = w.bitrateReward * input.bitrateKbps;
  const switchPenalty =
    input.prevBitrateKbps === null
      ? 0
      : w.switchPenalty * Math.abs(input.bitrateKbps - input.prevBitrateKbps);
  const rebufferPenalty = (w.rebufferPenaltyPerS * input.rebufferMs) / 1000;
  const latencyPenalty = latencyWeight * latencyS;
  const playbackSpeedPenalty = w.playbackSpeedPenalty * Math.abs(1 - input.playbackRate);
  return {
    bitrateReward,
    switchPenalty,
    rebufferPenalty,
    latencyPenalty,
    playbackSpeedPenalty,
    total: bitrateReward - switchPenalty - rebufferPenalty - latencyPenalty - playbackSpeedPenalty,
  };
}

/** What the session passes a QoE term function (QoeSegmentInfo of src/session, matched structurally). */
export interface LolpSegmentFacts {
  readonly bitrateKbps: number;
  readonly lastBitrateKbps: number | null;
  readonly rebufferMs: number;
  readonly renditions: readonly Rendition[];
  readonly latencyMs?: number;
  readonly playbackRate?: number;
  readonly durationMs?: number;
}

/**
 * The LoL+ QoE as a session term function. The weights follow the ladder of each session (cached per
 * `renditions` array) and the segment duration (`durationMs` of the facts, else `segmentDurationMs`, else 1 s).
 */
export function createLolpQoeTermFunction(
  options: { readonly segmentDurationMs?: number; readonly weights?: Partial<LolpQoeWeights> } = {},
): (facts: LolpSegmentFacts) => number {
  const cache = new WeakMap<readonly Rendition[], Map<number | undefined, LolpQoeWeights>>();
  return (facts) => {
    let byDuration = cache.get(facts.renditions);
    if (byDuration === undefined) {
      byDuration = new Map<number | undefined, LolpQoeWeights>();
      cache.set(facts.renditions, byDuration);
    }
    const durationMs = facts.durationMs ?? options.segmentDurationMs;
    let w = byDuration.get(durationMs);
    if (w === undefined) {
      w = {
        ...lolpQoeWeights(
          facts.renditions.map((r) => r.bitrateKbps),
          durationMs,
        ),
        ...options.weights,
      };
      byDuration.set(durationMs, w);
    }
    return lolpQoeBreakdown(
      {
        bitrateKbps: facts.bitrateKbps,
        prevBitrateKbps: facts.lastBitrateKbps,
        rebufferMs: facts.rebufferMs,
        latencyMs: facts.latencyMs ?? 0,
        playbackRate: facts.playbackRate ?? 1,
      },
      w,
    ).total;
  };
}
