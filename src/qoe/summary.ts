/**
 * Session metrics from the per-segment log (`SegmentRecord[]`, src/core/types.ts): Pensieve's QoE totals
 * (see models.ts), average bitrate, rebuffering, startup delay, switches, and Sabre's time averages
 * (Spiteri, Sitaraman, Sparacio, MMSys 2018; `src/sabre.py` end of run).
 */
import { invalidArgument } from '../core/errors.js';
import type { SegmentRecord } from '../core/types.js';
import {
  createQoeModel,
  renditionIndexOf,
  type QoeModel,
  type QoeModelName,
  type QoeModelSpec,
} from './models.js';

export interface SessionSummaryOptions {
  /** Segment duration of the video, ms. */
  readonly segmentDurationMs: number;
  /** The video's bitrates, ascending, kbps (R_min for QoE_log, HD ranks, Sabre's b0 = the lowest). */
  readonly ladderKbps: readonly number[];
  /** R_prev of the first segment's smoothness term. Default: the first segment's own bitrate (no penalty). Pensieve: rendition 1's. */
  readonly initialBitrateKbps?: number;
  /** Startup delay when the caller measured it, ms (request of the first segment to playback start). */
  readonly startupDelayMs?: number;
  /**
   * Treat segment 0's `rebufferMs` as the startup delay rather than a stall (Pensieve's simulator logs the
   * whole first download as rebuffering): it is then left out of `rebufferMs`, `rebufferCount` and the
   * rebuffer ratio, and is the startup delay unless `startupDelayMs` is given. The QoE totals always use
   * every record's `rebufferMs` as logged, as Pensieve's reward does. Default false.
   */
  readonly excludeStartupRebuffer?: boolean;
  /** Overrides of the QoE models' constants, per model. */
  readonly qoe?: Partial<Record<QoeModelName, Omit<QoeModelSpec, 'name'>>>;
  /** Sabre's gamma*p, seconds. Default 5. */
  readonly gammaPS?: number;
}

export interface QoeTotals {
  /** Sum of the per-segment terms. */
  readonly total: number;
  /** total / segments (0 for an empty log). */
  readonly meanPerSegment: number;
}

export interface SabreMetrics {
  /** Σ bitrate of played segments / (playTimeMs / segmentDurationMs), kbps. */
  readonly timeAvgBitrateKbps: number;
  /** Σ |Δ bitrate| between consecutive segments / (playTimeMs / segmentDurationMs), kbps. */
  readonly timeAvgBitrateChangeKbps: number;
  /** (Σ ln(b / b0) - gammaP_s * rebuffer_ms / segment_ms) / (playTimeMs / segmentDurationMs). */
  readonly timeAvgScore: number;
}

export interface SessionSummary {
  readonly segmentCount: number;
  /** QoE_lin, QoE_log, QoE_hd recomputed from the log (not from the records' `qoe` field). */
  readonly qoe: Readonly<Record<QoeModelName, QoeTotals>>;
  /** Σ of the records' own `qoe` field (the model the session ran with). */
  readonly recordedQoeTotal: number;
  /** Arithmetic mean of the segments' bitrates, kbps. */
  readonly avgBitrateKbps: number;
  /** Total stall time, ms (startup excluded when `excludeStartupRebuffer`). */
  readonly rebufferMs: number;
  /** Segments whose `rebufferMs` > 0 (segment 0 excluded when `excludeStartupRebuffer`). */
  readonly rebufferCount: number;
  /** Startup delay, ms; null when neither given nor taken from segment 0. */
  readonly startupDelayMs: number | null;
  /** Consecutive segments at different bitrates. */
  readonly switchCount: number;
  /** Mean |Δ bitrate| over the switches, kbps (0 without switches). */
  readonly meanSwitchMagnitudeKbps: number;
  /** segments * segmentDurationMs + rebufferMs + startup delay (Sabre's total play time), ms. */
  readonly playTimeMs: number;
  /** rebufferMs / playTimeMs (0 when nothing played). */
  readonly rebufferRatio: number;
  readonly sabre: SabreMetrics;
}

const MODEL_NAMES: readonly QoeModelName[] = ['lin', 'log', 'hd'];

/** Summarises one session's per-segment log; every metric's formula is in its field's doc comment. */
export function summarizeSession(
  records: readonly SegmentRecord[],
  options: SessionSummaryOptions,
): SessionSummary {
  const { segmentDurationMs, ladderKbps } = options;
  if (!(segmentDurationMs > 0) || !Number.isFinite(segmentDurationMs)) {
    throw invalidArgument(
      'segmentDurationMs',
      `must be a finite number > 0, got ${String(segmentDurationMs)}`,
    );
  }
  const gammaPS = options.gammaPS ?? 5;
  if (!(gammaPS >= 0) || !Number.isFinite(gammaPS))
    throw invalidArgument('gammaPS', `must be >= 0, got ${gammaPS}`);
  const models = MODEL_NAMES.map((name) => createQoeModel({ ...options.qoe?.[name], name }, ladderKbps));
  const b0 = ladderKbps[0] as number;
  const excludeStartup = options.excludeStartupRebuffer ?? false;
  const first = records[0];

  const qoeSums = [0, 0, 0];
  let recordedQoeTotal = 0;
  let bitrateSum = 0;
  let utilitySum = 0;
  let rebufferMs = 0;
  let rebufferCount = 0;
  let switchCount = 0;
  let switchSumKbps = 0;
  let prevBitrate = options.initialBitrateKbps ?? first?.bitrateKbps ?? 0;
  let prevIndex =
    options.initialBitrateKbps === undefined
      ? (first?.rendition ?? 0)
      : renditionIndexOf(options.initialBitrateKbps, ladderKbps);

  records.forEach((record, i) => {
    const input = {
      bitrateKbps: record.bitrateKbps,
      prevBitrateKbps: prevBitrate,
      rebufferMs: record.rebufferMs,
      renditionIndex: record.rendition,
      prevRenditionIndex: prevIndex,
    };
    models.forEach((model: QoeModel, m) => {
      qoeSums[m] = (qoeSums[m] as number) + model.term(input);
    });
    recordedQoeTotal += record.qoe;
    bitrateSum += record.bitrateKbps;
    utilitySum += Math.log(record.bitrateKbps / b0);
    if (!(excludeStartup && i === 0)) {
      rebufferMs += record.rebufferMs;
      if (record.rebufferMs > 0) rebufferCount += 1;
    }
    if (i > 0 && record.bitrateKbps !== prevBitrate) {
      switchCount += 1;
      switchSumKbps += Math.abs(record.bitrateKbps - prevBitrate);
    }
    prevBitrate = record.bitrateKbps;
    prevIndex = record.rendition;
  });

  const n = records.length;
  const startupDelayMs = options.startupDelayMs ?? (excludeStartup && first ? first.rebufferMs : null);
  const playTimeMs = n === 0 ? 0 : n * segmentDurationMs + rebufferMs + (startupDelayMs ?? 0);
  const playSegments = playTimeMs / segmentDurationMs;
  const perPlayed = (x: number): number => (playSegments > 0 ? x / playSegments : 0);
  const qoe = {} as Record<QoeModelName, QoeTotals>;
  MODEL_NAMES.forEach((name, m) => {
    const total = qoeSums[m] as number;
    qoe[name] = { total, meanPerSegment: n > 0 ? total / n : 0 };
  });

  return {
    segmentCount: n,
    qoe,
    recordedQoeTotal,
    avgBitrateKbps: n > 0 ? bitrateSum / n : 0,
    rebufferMs,
    rebufferCount,
    startupDelayMs,
    switchCount,
    meanSwitchMagnitudeKbps: switchCount > 0 ? switchSumKbps / switchCount : 0,
    playTimeMs,
    rebufferRatio: playTimeMs > 0 ? rebufferMs / playTimeMs : 0,
    sabre: {
      timeAvgBitrateKbps: perPlayed(bitrateSum),
      timeAvgBitrateChangeKbps: perPlayed(switchSumKbps),
      timeAvgScore: perPlayed(utilitySum - (gammaPS * rebufferMs) / segmentDurationMs),
    },
  };
}
