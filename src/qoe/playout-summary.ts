/**
 * A simulated or played session's summary from its per-segment log and the playout facts the buffer model
 * knows (stalls, startup, the end of playout): Pensieve-style totals (QoE, mean bitrate, rebuffer, switches, startup) and Sabre's
 * time-average metrics (src/sabre.py's output: played bitrate, bitrate change and score per segment time
 * of total play time, rebuffer ratio).
 */
import type { SegmentRecord } from '../core/types.js';

export interface PlayoutSummary {
  readonly segments: number;
  /** Sum of the per-segment QoE terms (Pensieve's session reward). */
  readonly totalQoe: number;
  /** Mean fetched bitrate over segments, kbps. */
  readonly meanBitrateKbps: number;
  /** Total stall time (per the network model's startup rule), ms. */
  readonly rebufferMs: number;
  /** Stalls (transitions from playing to starved). */
  readonly rebufferCount: number;
  /** Rendition changes between consecutive segments. */
  readonly switches: number;
  /** From the session start until playback started, ms (0 when the model starts playback at once). */
  readonly startupMs: number;
  /** Session clock when the last segment arrived, ms. */
  readonly downloadEndMs: number;
  /** Sabre's total play time: session start to the end of playout (startup and stalls included), ms. */
  readonly playTimeMs: number;
  /** Sabre's time-average played bitrate: Σ bitrate / (playTime / segmentDuration), kbps. */
  readonly timeAvgBitrateKbps: number;
  /** Sabre's time-average bitrate change: Σ |Δbitrate| / (playTime / segmentDuration), kbps. */
  readonly timeAvgBitrateChangeKbps: number;
  /** Sabre's rebuffer ratio: rebuffer / playTime. */
  readonly rebufferRatio: number;
  /** Sabre's time-average score: (Σ ln(b/b0) - gammaP_s · rebuffer / segmentDuration) / (playTime / segmentDuration). */
  readonly timeAvgScore: number;
}

export interface PlayoutSummaryInputs {
  readonly records: readonly SegmentRecord[];
  readonly segmentDurationMs: number;
  /** Lowest bitrate of the ladder (Sabre's utility origin b0). */
  readonly lowestBitrateKbps: number;
  readonly rebufferMs: number;
  readonly rebufferCount: number;
  readonly startupMs: number;
  readonly downloadEndMs: number;
  /** Buffer left when the last segment arrived, ms (played out after it). */
  readonly finalBufferMs: number;
  /** Sabre's gamma·p, seconds. Default 5. */
  readonly gammaPS?: number;
}

/** Computes a {@link PlayoutSummary}. */
export function summarize(inputs: PlayoutSummaryInputs): PlayoutSummary {
  const { records, segmentDurationMs: seg } = inputs;
  let qoe = 0;
  let bitrate = 0;
  let change = 0;
  let utility = 0;
  let switches = 0;
  let last: SegmentRecord | null = null;
  for (const r of records) {
    qoe += r.qoe;
    bitrate += r.bitrateKbps;
    utility += Math.log(r.bitrateKbps / inputs.lowestBitrateKbps);
    if (last) {
      if (r.rendition !== last.rendition) switches++;
      change += Math.abs(r.bitrateKbps - last.bitrateKbps);
    }
    last = r;
  }
  const n = records.length;
  const playTimeMs = inputs.downloadEndMs + inputs.finalBufferMs;
  const perSegment = playTimeMs > 0 ? seg / playTimeMs : 0;
  const gammaPS = inputs.gammaPS ?? 5;
  return {
    segments: n,
    totalQoe: qoe,
    meanBitrateKbps: n > 0 ? bitrate / n : 0,
    rebufferMs: inputs.rebufferMs,
    rebufferCount: inputs.rebufferCount,
    switches,
    startupMs: inputs.startupMs,
    downloadEndMs: inputs.downloadEndMs,
    playTimeMs,
    timeAvgBitrateKbps: bitrate * perSegment,
    timeAvgBitrateChangeKbps: change * perSegment,
    rebufferRatio: playTimeMs > 0 ? inputs.rebufferMs / playTimeMs : 0,
    timeAvgScore: (utility - (gammaPS * inputs.rebufferMs) / seg) * perSegment,
  };
}
