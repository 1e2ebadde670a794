/**
 * scenario-mpc: abrkit's own algorithm. Model predictive control over throughput scenarios drawn from the
 * predictor's own recent errors, with a transmission-time model that uses each segment's size and latency,
 * and a value for the buffer left at the end of the horizon.
 *
 * Builds on:
 * - X. Yin, A. Jindal, V. Sekar, B. Sinopoli, "A Control-Theoretic Approach for Dynamic Adaptive Video
 *   Streaming over HTTP", ACM SIGCOMM 2015: MPC over a short horizon with exact segment sizes; robustMPC's
 *   discount by the largest recent error is what this replaces.
 * - F. Y. Yan et al., "Learning in situ: a randomized experiment in video streaming", USENIX NSDI 2020
 *   (Puffer / Fugu): predict each segment's *transmission time* from its size (here latency + size / transfer
 *   throughput) and plan over the predicted *distribution* rather than a point estimate (Fugu's stochastic
 *   MPC); here the distribution is the empirical quantiles of the recent observed/predicted ratios.
 * - K. Spiteri, R. Urgaonkar, R. Sitaraman, "BOLA", IEEE INFOCOM 2016: the value of buffer as a state to
 *   protect, here a capped terminal value of the buffer at the horizon's end.
 * - H. Mao, R. Netravali, M. Alizadeh, "Neural Adaptive Video Streaming with Pensieve", SIGCOMM 2017: the
 *   QoE_lin objective and the robustMPC baseline conventions (see ANCHORS.md).
 *
 * Per decision: K throughput scenarios = harmonic mean of the last transfer throughputs times the K
 * quantiles of recent `observed / predicted` ratios; download time of segment k at rendition r in scenario
 * s = latency + 8 · size(k, r) / throughput_s (exact sizes from `ctx.segmentSizeBytes`, else the nominal
 * bitrate). Where the runtime reports download progress, a download's transfer throughput is the rate of its
 * last `waitShare` of bytes and the rest of its time joins the latency (a wait paid once per request, not
 * per byte: on an on-off link a small segment mostly waits for a burst a bigger one would share). Plans
 * `(a, b, c, c, ...)` over `horizon` segments, more where they are shorter than `horizonMs` / `horizon`
 * (scenario-mpc-search.ts), scored by
 * QoE_lin-style utility − rebuffer − switch penalties + `v · min(buffer_end, cap)`, mixed as
 * `(1 − risk) · mean + risk · worst` over the scenarios. The buffer value `v` per second is
 * `bufferValue` times the rebuffer penalty (ladder-aware: a 4K ladder's stall second costs 35, so must its
 * insurance) times the square of the path's risk: the larger of its volatility x (median |log error| /
 * (`volatilityRef` + `headroomWeight` · the link's room over the top rendition in its worst scenario, in
 * log)) and its remembered worst drop (ln(predicted / observed) / `dropRef`, but no deeper than
 * to the session's floor once the link has come back to it `floorConfirm` times), each at most 1.
 * A volatile path (3G outages) or one that has already collapsed once banks buffer, a steady one spends
 * it on bitrate. How much buffer earns value is measured, not fixed: the session's *reserve* is the deepest
 * drain its downloads would have caused at the lowest rendition (Kadane's maximum run of wall time minus
 * the content those bits would have been), and buffer counts up to `reserveFactor` times it (at least
 * `minBufferValueCapShare` of the buffer target, at most `bufferValueCapMs`); `drainValue` adds value in
 * proportion to the share of download time spent slower than the lowest rendition. A 4K ladder on a
 * broadband link that dips below 1 Mbps thus banks deep buffer, while the same ladder on a link that never
 * falls below its bottom rendition spends it (issue 14: a fixed 45 s cap lost 27-30% to robust-mpc on
 * synthetic links). The value fades linearly over the last
 * `bufferValueTaperMs` of content after the horizon, since buffer left when the video ends is wasted. In
 * planning, switches cost the objective's penalty times `1 + switchCost · x` (capped at horizon − 1 so a
 * switch held over the horizon can still pay off): with a noisy predictor a switch is likely to be undone,
 * so the plan is charged for the switch back too (a hysteresis). `shouldAbandon` re-fetches lower when the
 * download in flight, at its recent rate (over a window that grows with the buffer), would outlast the
 * buffer, and the segment is not chosen that high again (without that cap, choose and abandon undid each
 * other every 350 ms: 110 s of stall on fcc-sd trace0190 with bbb4k under the Sabre model) (the emergency
 * rule of hls.js and of Sabre / dash.js's abandonment, K. Spiteri, R. Sitaraman, D. Sparacio, "From Theory
 * to Practice", ACM MMSys 2018).
 * Where the runtime cannot abandon (it never reports download progress, as in Pensieve's model), the
 * download decided now is also charged the expected stall of a drop as deep as the session's worst, times
 * how often such drops have come: a drop that comes once in twenty downloads is in none of the quantile
 * scenarios, yet it stalls a big segment for its whole download. And each plan is charged the expected stall
 * of the session's deepest drop ever striking the download after its horizon, for the buffer it leaves short
 * of that download's time at the dropped rate, times the deep drops expected in the rest of the video (at
 * most one), once no deep drop is left among the recent errors: so a link that fell once in three minutes
 * has the buffer for its next fall, which that window has long forgotten. While the link has no room over the
 * top rendition, a step up from a level it held counts as such a drop (`holdRises`): it can step back down.
 * Pure: state comes from `onDownloaded`, cleared by `reset`. Why and how well: docs/own-algorithm.md.
 */
import type { DownloadProgress, DownloadSample, Rendition } from '../core/types.js';
import {
  HORIZON_OPTION_DOC,
  QOE_OBJECTIVE_OPTION_DOC,
  SMOOTH_PENALTY_OPTION_DOC,
  qoeWeights,
} from './mpc.js';
import { qoeTable, type QoeModelName, type QoeTable } from '../qoe/objective.js';
import { bool, num, resolveOptions, str } from './options.js';
import { DEEP_DROP_LOG, TransmissionPredictor } from './scenario-mpc-predictor.js';
import { ScenarioPlanner } from './scenario-mpc-search.js';
import { SCENARIO_MPC_NAME, SCENARIO_MPC_OPTION_SPECS } from './scenario-mpc-options.js';
import type {
  AbrAlgorithm,
  AbrAlgorithmCore,
  AbrAlgorithmDocs,
  AbrContext,
  AbrDecision,
  AbrOptions,
} from './types.js';

export { SCENARIO_MPC_NAME, SCENARIO_MPC_OPTION_SPECS };

/** Transfer time before a download's own throughput is trusted for abandonment, ms. */
const MIN_ABANDON_TRANSFER_MS = 300;
/**
 * The download's current rate is measured over its last this-many ms of progress: the mean since the first
 * byte lags a collapse of the link by as long as the download has run (a 10 s download at 10 Mbps that then
 * falls to 300 kbps still averages several Mbps ten seconds later), so abandonment came far too late.
 */
const RECENT_RATE_WINDOW_MS = 1000;
/**
 * The recent rate is known once progress spans this share of its window; until then a download is not judged
 * at all. Judged on its mean since the first byte alone, a download that opened on one of an on-off link's
 * idle gaps (Puffer's traces: 2 s near 10 kbps between bursts) looked hopeless after 300 ms and was abandoned
 * at 20 s of buffer, the very dip the window was made to sit out.
 */
const RECENT_RATE_MIN_SPAN_SHARE = 0.25;
/** The longest window the recent rate is measured over (`abandonWindowShare`), ms. */
const MAX_RECENT_RATE_WINDOW_MS = 8000;
/** Progress points kept per download for the recent rate. */
const PROGRESS_POINTS = 256;
/**
 * Progress closer than this to the last kept point is not kept, so the points span the longest window
 * whatever the progress rate (the player reports every body chunk, ~10 ms apart behind a shaping server;
 * the simulator's presets every 50-100 ms), ms.
 */
const MIN_POINT_SPACING_MS = MAX_RECENT_RATE_WINDOW_MS / PROGRESS_POINTS;
/** Most segments a plan covers, whatever `horizonMs` asks for (the planner's work grows with it). */
const MAX_PLAN_SEGMENTS = 32;
/** Abandon to the lowest rendition when it stalls too but finishes in under this share of the rest, ratio. */
const ABANDON_GAIN = 0.5;

/**
 * Segment k's size at rendition r: the exact size when known, else the nominal bitrate's, bytes. With `peak`,
 * an unknown size is the peak bitrate's (HLS BANDWIDTH) where the ladder gives one: a VBR segment may be that
 * large, and the plan's first download in its worst scenario is where such a segment would stall (hls.js
 * sizes a download at the peak, `maxBitrate`, unless two segments are buffered).
 */
function segmentBytes(ctx: AbrContext, k: number, r: number, peak = false): number {
  const known = ctx.segmentSizeBytes(k, r);
  if (known !== null) return known;
  const rendition = ctx.renditions[r];
  const kbps = (peak ? rendition?.peakBitrateKbps : undefined) ?? rendition?.bitrateKbps ?? 0;
  return (kbps * ctx.segmentDurationMs) / 8;
}

/** Seconds segment k at rendition r takes at `rateKbps` after `latencyMs`: a drop's download time. */
function downloadS(ctx: AbrContext, k: number, r: number, latencyMs: number, rateKbps: number): number {
  return (latencyMs + (segmentBytes(ctx, k, r) * 8) / rateKbps) / 1000;
}

/** Resolved configuration of scenario-mpc. */
export interface ScenarioMpcConfig {
  readonly horizon: number;
  readonly window: number;
  readonly errorWindow: number;
  readonly longWindow: number;
  readonly expertWarmup: number;
  readonly errorScales: number;
  readonly scaleExperts: boolean;
  readonly scaleExpertMargin: number;
  readonly scaleExpertRecentWeight: number;
  /** At scales 2+, the steadiest expert within this share of the chosen one's score (0: off). */
  readonly smoothExpertTolerance: number;
  /** Level-shift bar, in units of the sample-to-sample noise, that restarts the mean experts (0: off). */
  readonly shiftSigmas: number;
  readonly abandonWindowShare: number;
  readonly scenarios: number;
  readonly riskAversion: number;
  readonly bufferValue: number;
  readonly drainValue: number;
  readonly dropRef: number;
  readonly bufferValueScaleMs: number;
  readonly bufferValueCapMs: number;
  readonly bufferValueTaperMs: number;
  readonly reserveFactor: number;
  readonly minBufferValueCapMs: number;
  readonly minBufferValueCapShare: number;
  readonly switchCost: number;
  readonly tailWeight: number;
  readonly holdDropWeight: number;
  readonly holdRises: boolean;
  readonly horizonMs: number;
  readonly waitShare: number;
  readonly floorConfirm: number;
  readonly floorMargin: number;
  readonly volatilityRef: number;
  readonly headroomWeight: number;
  readonly qoeModel: QoeModelName;
  /** Negative: the model's ladder-aware penalty (src/qoe/objective.ts). */
  readonly rebufferPenaltyPerS: number;
  readonly smoothPenalty: number;
}

/** Checks `options` (AbrkitError 'ABR_BAD_OPTION' when wrong) and fills in the defaults. */
export function resolveScenarioMpcConfig(options?: AbrOptions): ScenarioMpcConfig {
  const o = resolveOptions(SCENARIO_MPC_NAME, SCENARIO_MPC_OPTION_SPECS, options);
  const qoeModel = str(o, 'qoe') as QoeModelName;
  const rebuffer = num(o, 'rebufferPenalty');
  return {
    horizon: num(o, 'horizon'),
    window: num(o, 'window'),
    errorWindow: num(o, 'errorWindow'),
    longWindow: num(o, 'longWindow'),
    expertWarmup: num(o, 'expertWarmup'),
    errorScales: num(o, 'errorScales'),
    scaleExperts: bool(o, 'scaleExperts'),
    scaleExpertMargin: num(o, 'scaleExpertMargin'),
    scaleExpertRecentWeight: num(o, 'scaleExpertRecentWeight'),
    smoothExpertTolerance: num(o, 'smoothExpertTolerance'),
    shiftSigmas: num(o, 'shiftSigmas'),
    abandonWindowShare: num(o, 'abandonWindowShare'),
    scenarios: num(o, 'scenarios'),
    riskAversion: num(o, 'riskAversion'),
    bufferValue: num(o, 'bufferValue'),
    drainValue: num(o, 'drainValue'),
    dropRef: num(o, 'dropRef'),
    bufferValueScaleMs: num(o, 'bufferValueScaleMs'),
    bufferValueCapMs: num(o, 'bufferValueCapMs'),
    bufferValueTaperMs: num(o, 'bufferValueTaperMs'),
    reserveFactor: num(o, 'reserveFactor'),
    minBufferValueCapMs: num(o, 'minBufferValueCapMs'),
    minBufferValueCapShare: num(o, 'minBufferValueCapShare'),
    switchCost: num(o, 'switchCost'),
    tailWeight: num(o, 'tailWeight'),
    holdDropWeight: num(o, 'holdDropWeight'),
    holdRises: bool(o, 'holdRises'),
    horizonMs: num(o, 'horizonMs'),
    waitShare: num(o, 'waitShare'),
    floorConfirm: num(o, 'floorConfirm'),
    floorMargin: num(o, 'floorMargin'),
    volatilityRef: num(o, 'volatilityRef'),
    headroomWeight: num(o, 'headroomWeight'),
    qoeModel,
    rebufferPenaltyPerS: rebuffer,
    smoothPenalty: num(o, 'smoothPenalty'),
  };
}

/** The scenario-mpc algorithm; see the file header. */
export class ScenarioMpc implements AbrAlgorithm {
  readonly name = SCENARIO_MPC_NAME;
  readonly predictor: TransmissionPredictor;
  private readonly multipliers: Float64Array;
  /** Scenario multipliers per time scale: `scaleMultipliers[(scale - 1) * scenarios + s]`. */
  private readonly scaleMultipliers: Float64Array;
  /** `scaleViews[j]`: the slice of {@link scaleMultipliers} for scale j (made once, not per decision). */
  private readonly scaleViews: Float64Array[];
  /** Throughput level per time scale for the decision being made, kbps: `levelKbps[j]`, j in 1..errorScales. */
  private readonly levelKbps: Float64Array;
  private planner: ScenarioPlanner | null = null;
  /** After an abandonment: segment `capSegment` may not be chosen above `capRendition` again. */
  private capSegment = -1;
  private capRendition = 0;
  /** Progress of the download in flight (for its recent rate): which one, and a ring of (ms, bytes). */
  private trackedStartMs = Number.NaN;
  private trackedSegment = -1;
  private trackedRendition = -1;
  private readonly pointMs = new Float64Array(PROGRESS_POINTS);
  private readonly pointBytes = new Float64Array(PROGRESS_POINTS);
  private pointCount = 0;
  private table: QoeTable | null = null;
  /** The lowest rendition's bitrate at the last decision, kbps (NaN before the first). */
  private bottomKbps = Number.NaN;
  /** Buffer the current low-throughput run would have drained at the lowest rendition, s (Kadane's sum). */
  private drainS = 0;
  /** The deepest such drain of the session, s: the buffer its worst episode would have needed. */
  private reserveS = 0;
  /** Wall time of the session's downloads, and of those slower than the lowest rendition, s. */
  private downloadWallS = 0;
  private drainWallS = 0;
  private tableFor: readonly Rendition[] | null = null;
  /** Per-rendition expected stall cost of a deep drop during the download decided now (see tailCosts). */
  private tailCost: Float64Array | null = null;
  /** Per-rendition buffer the download after the horizon needs to survive the session's deepest drop, s. */
  private holdNeed: Float64Array | null = null;
  /** Whether the runtime has reported download progress this session (it can abandon a download). */
  private sawProgress = false;

  constructor(readonly config: ScenarioMpcConfig) {
    this.predictor = new TransmissionPredictor(
      config.window,
      config.errorWindow,
      config.longWindow,
      config.expertWarmup,
      config.errorScales,
      config.scaleExpertMargin,
      config.scaleExpertRecentWeight,
      config.floorMargin,
      config.smoothExpertTolerance,
      config.shiftSigmas,
    );
    this.multipliers = new Float64Array(config.scenarios);
    this.scaleMultipliers = new Float64Array(config.scenarios * config.errorScales);
    this.levelKbps = new Float64Array(config.errorScales + 1);
    this.scaleViews = Array.from({ length: config.errorScales + 1 }, (_, j) =>
      this.scaleMultipliers.subarray(
        Math.max(0, j - 1) * config.scenarios,
        Math.max(1, j) * config.scenarios,
      ),
    );
  }

  choose(ctx: AbrContext): AbrDecision {
    const n = ctx.renditions.length;
    const k = ctx.segmentIndex;
    this.bottomKbps = ctx.renditions[0]?.bitrateKbps ?? Number.NaN;
    // a segment just abandoned is not chosen at (or above) the rendition it was abandoned from again: the
    // choice and the abandonment rule would otherwise undo each other, a download at a time
    const cap = k === this.capSegment ? this.capRendition + 1 : n;
    const choices = Math.max(1, Math.min(n, cap, ctx.maxRenditionIndex + 1));
    const cfg = this.config;
    const left = ctx.segmentCount - k;
    // at least `horizonMs` of content: a count of segments alone looks 6 s ahead at 1 s segments
    const planH = Math.min(
      MAX_PLAN_SEGMENTS,
      Math.max(cfg.horizon, Math.ceil(cfg.horizonMs / Math.max(1, ctx.segmentDurationMs))),
    );
    const horizon = Math.max(1, Math.min(planH, Number.isFinite(left) ? left : planH));
    if (this.planner?.renditionCount !== n || this.planner.maxHorizon !== planH) {
      this.planner = new ScenarioPlanner(planH, n, cfg.scenarios);
    }
    if (this.tableFor !== ctx.renditions || this.table === null) {
      this.table = qoeTable(
        ctx.renditions,
        qoeWeights(cfg.qoeModel, cfg.rebufferPenaltyPerS, cfg.smoothPenalty),
      );
      this.tableFor = ctx.renditions;
    }
    const measured = this.predictor.throughputKbps();
    const throughputKbps = Math.max(1e-3, measured ?? ctx.throughput.throughputKbps);
    const latencyMs = this.predictor.latencyMs() ?? ctx.latencyMs ?? 0;
    this.predictor.scenarioMultipliers(this.multipliers);
    const scales = Math.min(cfg.errorScales, horizon);
    for (let j = 2; j <= scales; j++) this.predictor.scenarioMultipliersAt(j, this.scaleViews[j]!);
    // each scale's level: the expert best at that scale (the first expert's at scale 1), once per decision
    const levels = this.levelKbps;
    for (let j = 1; j <= scales; j++)
      levels[j] =
        j > 1 && cfg.scaleExperts
          ? Math.max(1e-3, this.predictor.expertKbps(this.predictor.expertAt(j)) ?? throughputKbps)
          : throughputKbps;
    const planner = this.planner;
    const maxH = planner.maxHorizon;
    for (let s = 0; s < cfg.scenarios; s++) {
      for (let pos = 0; pos < horizon; pos++) {
        // position pos is planned with the errors of the throughput over pos + 1 downloads
        const scale = Math.min(pos + 1, scales);
        const kbps =
          (levels[scale] ?? throughputKbps) *
          ((scale === 1 ? this.multipliers[s] : this.scaleMultipliers[(scale - 1) * cfg.scenarios + s]) ?? 1);
        const base = (s * maxH + pos) * n;
        // the worst scenario's first download (scenario 0 has the lowest multiplier) at the peak size
        const peak = s === 0 && pos === 0;
        for (let r = 0; r < choices; r++) {
          const size = segmentBytes(ctx, k + pos, r, peak);
          planner.downloadS[base + r] = (latencyMs + (size * 8) / kbps) / 1000;
        }
      }
    }
    const dropDepth = this.dropDepth(throughputKbps);
    const firstCost = this.tailCosts(ctx, choices, throughputKbps, latencyMs, dropDepth);
    // the link's room over the top rendition it may play, in its worst scenario (0 when it has none)
    const topKbps = ctx.renditions[Math.min(n, ctx.maxRenditionIndex + 1) - 1]?.bitrateKbps ?? 0;
    const headroomLog =
      topKbps > 0 ? Math.max(0, Math.log((throughputKbps * (this.multipliers[0] ?? 1)) / topKbps)) : 0;
    const volatility = this.volatility(headroomLog);
    // buffer is insurance: worth the more, the more volatile the path or the deeper the drops it has had
    const risk = Math.max(volatility, this.dropRisk(dropDepth));
    // content left after the horizon, s (Infinity for live): buffer beyond the video's end is wasted
    const afterS = Number.isFinite(left) ? ((left - horizon) * ctx.segmentDurationMs) / 1000 : Infinity;
    const taper = cfg.bufferValueTaperMs > 0 ? Math.min(1, (1000 * afterS) / cfg.bufferValueTaperMs) : 1;
    const bufferMaxS = Math.max(ctx.bufferTargetMs, ctx.segmentDurationMs) / 1000;
    const holdCostPerS = this.holdNeeds(
      ctx,
      choices,
      horizon,
      throughputKbps,
      latencyMs,
      afterS,
      bufferMaxS,
      headroomLog,
    );
    const best = planner.run({
      qoe: this.table,
      horizon,
      choices,
      scenarios: cfg.scenarios,
      bufferS: ctx.bufferLevelMs / 1000,
      segmentS: ctx.segmentDurationMs / 1000,
      lastRendition: ctx.lastRenditionIndex === null ? null : Math.min(ctx.lastRenditionIndex, n - 1),
      riskAversion: cfg.riskAversion,
      switchCostFactor: Math.max(1, Math.min(1 + cfg.switchCost * volatility, horizon - 1)),
      // buffer left when the video ends is worth nothing
      // a second of buffer is worth a share of a second of stall (ladder-aware, like the penalty itself)
      bufferValuePerS:
        afterS > 0
          ? this.table.rebufferPenaltyPerS *
            (cfg.bufferValue * risk * risk + cfg.drainValue * this.drainShare()) *
            taper
          : 0,
      bufferValueCapS: Math.min(this.bufferValueCapMs(bufferMaxS * 1000) / 1000, bufferMaxS),
      bufferValueScaleS:
        cfg.bufferValueScaleMs > 0 ? cfg.bufferValueScaleMs / 1000 : Number.POSITIVE_INFINITY,
      bufferMaxS,
      firstCost,
      holdNeedS: holdCostPerS > 0 ? this.holdNeed : null,
      holdNeedCostPerS: holdCostPerS,
    });
    return {
      renditionIndex: best,
      reason:
        `${this.name}: best of ${planner.planCount} plans x ${cfg.scenarios} scenarios over ${horizon} segments, ` +
        `throughput ${Math.round(throughputKbps)} kbps${measured === null ? ' (estimator default)' : ''}, ` +
        `scenario x${(this.multipliers[0] ?? 1).toFixed(2)}..x${(this.multipliers[cfg.scenarios - 1] ?? 1).toFixed(2)}, ` +
        `score ${planner.bestScore.toFixed(3)}`,
    };
  }

  /**
   * The expected stall cost, per rendition, of a drop as deep as the session's worst (the remembered
   * `ln(predicted / observed)`, no deeper than to a confirmed floor: {@link dropDepth}) striking the download
   * decided now: the rebuffer penalty times the stall such a download would cause (its time at the dropped
   * rate beyond the buffer) times how often drops at least half as deep as the worst (in log) have followed a
   * prediction recently, times `tailWeight`. The scenarios are
   * quantiles of the recent errors, so a drop that comes once in twenty downloads is in none of them, yet a
   * big segment caught by it stalls for its whole download when the runtime cannot abandon it. Null (no
   * cost) when the runtime has reported download progress this session: it offers abandonment, which cuts
   * such a download short (`shouldAbandon`), and charging the whole download there cost 2-20 points per set
   * on the Sabre model (docs/own-algorithm.md).
   */
  private tailCosts(
    ctx: AbrContext,
    choices: number,
    throughputKbps: number,
    latencyMs: number,
    dropDepth: number,
  ): Float64Array | null {
    const worstDrop = this.predictor.worstLogDrop();
    if (!(this.config.tailWeight > 0) || !(worstDrop > 0) || this.sawProgress || this.table === null)
      return null;
    const share = this.predictor.dropShare(worstDrop / 2);
    if (!(share > 0)) return null;
    const n = ctx.renditions.length;
    if (this.tailCost?.length !== n) this.tailCost = new Float64Array(n);
    const costs = this.tailCost;
    const droppedKbps = throughputKbps * Math.exp(-dropDepth);
    const bufferS = ctx.bufferLevelMs / 1000;
    const weight = this.config.tailWeight * share * this.table.rebufferPenaltyPerS;
    for (let r = 0; r < choices; r++)
      costs[r] = weight * Math.max(0, downloadS(ctx, ctx.segmentIndex, r, latencyMs, droppedKbps) - bufferS);
    return costs;
  }

  /**
   * The hold cost (scenario-search's `holdNeedS`), where the runtime cannot abandon a download: fills
   * `holdNeed[r]`, the time the download after the horizon would take at rendition r if the session's deepest
   * drop ever (`maxLogDrop`, no deeper than to a confirmed floor: {@link dropDepth}) struck it, at most the
   * buffer the session keeps; returns what each second of buffer the plan leaves short of it costs: the
   * rebuffer penalty times the deep drops expected in the rest of the video at the session's rate (at most 1)
   * times `holdDropWeight`. 0 (no cost) when off, when the runtime has reported download progress, before any
   * deep drop, while a deep drop is still among the recent errors (the scenarios and the tail cost price it
   * then: charged twice, the costs hoarded buffer on cellular links that fall often), or when nothing follows
   * the horizon. With `holdRises`, while the link has no room over the top rendition (`headroomLog` 0), a
   * confirmed level shift up counts as a drop as deep as the rise, at the rate of such rises if higher
   * ({@link TransmissionPredictor.maxLogRise}).
   *
   * The tail cost prices a drop for the download decided now, against the buffer there is now; it cannot ask
   * for buffer to be built, since one decision's share of a drop that comes once in ninety downloads is tiny.
   * The download after the horizon is where a plan that ends thin is exposed, and a link that fell once in
   * three minutes (fcc-sd's traces, looped: a minute near 300 kbps in three) falls again long after a window
   * of recent errors and the decayed worst drop have forgotten it: with a 2-20 Mbps ladder under Pensieve's
   * model the default held 12 Mbps at 3 s of buffer and stalled 20-50 s at every fall (bola-e 1-3 s).
   */
  private holdNeeds(
    ctx: AbrContext,
    choices: number,
    horizon: number,
    throughputKbps: number,
    latencyMs: number,
    afterS: number,
    bufferMaxS: number,
    headroomLog: number,
  ): number {
    const weight = this.config.holdDropWeight;
    if (!(weight > 0) || this.sawProgress || this.table === null || !(afterS > 0)) return 0;
    // a deep drop still in the window of recent errors is the scenarios' and the tail cost's to price
    if (this.predictor.dropShare(DEEP_DROP_LOG) > 0) return 0;
    const p = this.predictor;
    // a level the link stepped up from is one it can step back down to: with no room over the top rendition,
    // the step's rise counts as a drop (with room, the session runs ahead of its content and its buffer fills
    // at the top anyway)
    const rises = this.config.holdRises && !(headroomLog > 0);
    const rate = rises ? Math.max(p.deepDropRate(), p.deepRiseRate()) : p.deepDropRate();
    const depth = this.dropDepth(
      throughputKbps,
      rises ? Math.max(p.maxLogDrop(), p.maxLogRise()) : p.maxLogDrop(),
    );
    if (!(rate > 0) || !(depth > 0)) return 0;
    const n = ctx.renditions.length;
    if (this.holdNeed?.length !== n) this.holdNeed = new Float64Array(n);
    const needs = this.holdNeed;
    const droppedKbps = throughputKbps * Math.exp(-depth);
    const k = ctx.segmentIndex + horizon;
    for (let r = 0; r < choices; r++)
      needs[r] = Math.min(bufferMaxS, downloadS(ctx, k, r, latencyMs, droppedKbps));
    const expectedDrops = Math.min(1, (rate * afterS * 1000) / ctx.segmentDurationMs);
    return weight * expectedDrops * this.table.rebufferPenaltyPerS;
  }

  /**
   * The buffer that earns terminal value, ms: `reserveFactor` times the session's reserve, at least the floor
   * (`minBufferValueCapMs`, `minBufferValueCapShare` of the buffer the session keeps), at most
   * `bufferValueCapMs` (which alone applies when `reserveFactor` is 0).
   */
  private bufferValueCapMs(bufferMaxMs: number): number {
    const cfg = this.config;
    if (!(cfg.reserveFactor > 0)) return cfg.bufferValueCapMs;
    const floorMs = Math.max(cfg.minBufferValueCapMs, cfg.minBufferValueCapShare * bufferMaxMs);
    return Math.min(cfg.bufferValueCapMs, Math.max(floorMs, cfg.reserveFactor * this.reserveS * 1000));
  }

  /** The buffer the session's worst low-throughput run would have drained at the lowest rendition, ms. */
  reserveMs(): number {
    return this.reserveS * 1000;
  }

  /** Share of the session's download time spent slower than the lowest rendition (0 before any). */
  drainShare(): number {
    return this.downloadWallS > 0 ? this.drainWallS / this.downloadWallS : 0;
  }

  /** The drop risk of the buffer value, 0..1: `dropDepth` ({@link dropDepth}) over `dropRef`. */
  private dropRisk(dropDepth: number): number {
    const ref = this.config.dropRef;
    if (!(ref > 0)) return 1;
    return Math.min(1, dropDepth / ref);
  }

  /**
   * How deep, `ln(level / dropped)`, a drop from `levelKbps` is planned for: the session's worst drop (the
   * decayed one, or `worst` when given), but no deeper than to the session's floor plus `floorMargin` once the
   * link has come back to that floor `floorConfirm` times. On a fixed line that switches between levels (FCC's traces step between ~400 kbps
   * and ~8 Mbps), the drop that took it from the top to the floor cannot repeat from the floor: sat there, a
   * player that remembers the fall as a risk from any level banks buffer it never needs (at 850 kbps with
   * 24 s of buffer it held 800 kbps where robust-mpc spent the buffer on 2000 kbps), and one that stays
   * at the top with a thin buffer is charged the fall in full. A floor seen once (a random walk's low point)
   * bounds nothing: the link may go lower.
   */
  private dropDepth(levelKbps: number, worst = this.predictor.worstLogDrop()): number {
    const floorKbps = this.predictor.floorKbps(this.config.floorConfirm);
    if (floorKbps === null || !(levelKbps > 0)) return worst;
    return Math.min(worst, Math.max(0, Math.log(levelKbps / floorKbps)) + this.config.floorMargin);
  }

  /**
   * How volatile the path has been, 0..1: the median absolute log prediction error over `volatilityRef`
   * plus `headroomWeight` times `headroomLog` (1 when the ref is 0). The buffer value scales with its square,
   * so a steady path does not hoard buffer it will not need and a volatile one (outages) banks it; the
   * planning switch cost scales with it, so a noisy predictor does not make the plan flip back and forth.
   *
   * `headroomLog` is ln(worst scenario / top bitrate) where the link's worst scenario carries the top
   * rendition it may play, else 0: errors of a given size matter less the more room the link has over
   * everything the ladder asks. Without it a 4G-like link at 6-10 Mbps under a 4.3 Mbps ladder, whose
   * samples scatter by 10-30% (the cautious prior alone reads as fully volatile), started at 1850 kbps and
   * took four segments to reach the top, where robust-mpc, trusting its first sample, plays the top from
   * the second (-1.4% to -2.9% against it on generated fast links, docs/own-algorithm.md).
   */
  private volatility(headroomLog: number): number {
    const ref = this.config.volatilityRef;
    if (!(ref > 0)) return 1;
    return Math.min(1, this.predictor.medianAbsLogError() / (ref + this.config.headroomWeight * headroomLog));
  }

  /**
   * Emergency abandonment: when the download in flight, at the rate it is getting now (the lower of its mean
   * since the first byte and its rate over its last max(1 s, `abandonWindowShare` of the buffer), at most
   * 8 s), would finish after the buffer runs dry, re-fetch the segment at the highest lower rendition that
   * would arrive in time (or the lowest, if even that stalls but sooner). Never before the transfer has lasted
   * `MIN_ABANDON_TRANSFER_MS` and a quarter of that window (`RECENT_RATE_MIN_SPAN_SHARE`). The segment is then
   * not chosen above that rendition again.
   */
  shouldAbandon(progress: DownloadProgress, ctx: AbrContext): number | null {
    this.sawProgress = true;
    if (progress.firstByteMs === null) return null;
    const windowMs = Math.min(
      MAX_RECENT_RATE_WINDOW_MS,
      Math.max(RECENT_RATE_WINDOW_MS, this.config.abandonWindowShare * ctx.bufferLevelMs),
    );
    // tracked at every rendition: the points also split the finished download's time (waitMs)
    const recentKbps = this.trackProgress(progress, windowMs);
    const current = progress.renditionIndex;
    if (current <= 0 || progress.totalBytes === null) return null;
    const transferMs = progress.nowMs - progress.firstByteMs;
    if (transferMs < Math.max(MIN_ABANDON_TRANSFER_MS, RECENT_RATE_MIN_SPAN_SHARE * windowMs)) return null;
    const kbps = Math.max(Math.min((progress.loadedBytes * 8) / transferMs, recentKbps), 1e-3);
    const remainingMs = ((progress.totalBytes - progress.loadedBytes) * 8) / kbps;
    const bufferMs = ctx.bufferLevelMs;
    if (remainingMs <= bufferMs) return null;
    const latencyMs = this.predictor.latencyMs() ?? ctx.latencyMs ?? 0;
    const k = progress.segmentIndex;
    for (let r = Math.min(current, ctx.maxRenditionIndex + 1) - 1; r >= 0; r--) {
      // an emergency re-fetch of unknown size is planned at the peak, as the worst scenario's first download
      const size = segmentBytes(ctx, k, r, true);
      const ms = latencyMs + (size * 8) / kbps;
      if (ms < bufferMs || (r === 0 && ms < ABANDON_GAIN * remainingMs)) {
        this.capSegment = k;
        this.capRendition = r;
        return r;
      }
    }
    return null;
  }

  /** Records a progress point of the download in flight and returns its rate over the recent window, kbps. */
  private trackProgress(p: DownloadProgress, windowMs: number): number {
    if (
      p.startMs !== this.trackedStartMs ||
      p.segmentIndex !== this.trackedSegment ||
      p.renditionIndex !== this.trackedRendition
    ) {
      this.trackedStartMs = p.startMs;
      this.trackedSegment = p.segmentIndex;
      this.trackedRendition = p.renditionIndex;
      this.pointCount = 0;
    }
    const lastMs = this.pointMs[(this.pointCount - 1) % PROGRESS_POINTS] ?? Number.NEGATIVE_INFINITY;
    if (this.pointCount === 0 || p.nowMs - lastMs >= MIN_POINT_SPACING_MS) {
      const slot = this.pointCount % PROGRESS_POINTS;
      this.pointMs[slot] = p.nowMs;
      this.pointBytes[slot] = p.loadedBytes;
      this.pointCount++;
    }
    // the oldest kept point inside the window (or the oldest kept at all): points are in time order, so a
    // binary search over their ages (i = how many points back)
    const kept = Math.min(this.pointCount, PROGRESS_POINTS);
    let inside = 0;
    let outside = kept;
    while (outside - inside > 1) {
      const mid = (inside + outside) >> 1;
      const ms = this.pointMs[(this.pointCount - 1 - mid) % PROGRESS_POINTS] ?? p.nowMs;
      if (p.nowMs - ms > windowMs) outside = mid;
      else inside = mid;
    }
    const j = (this.pointCount - 1 - inside) % PROGRESS_POINTS;
    const fromMs = this.pointMs[j] ?? p.nowMs;
    const fromBytes = this.pointBytes[j] ?? p.loadedBytes;
    const spanMs = p.nowMs - fromMs;
    return spanMs >= RECENT_RATE_MIN_SPAN_SHARE * windowMs
      ? ((p.loadedBytes - fromBytes) * 8) / spanMs
      : Number.POSITIVE_INFINITY;
  }

  onDownloaded(sample: DownloadSample): void {
    const wallS = (sample.endMs - sample.startMs) / 1000;
    if (this.bottomKbps > 0 && wallS >= 0 && Number.isFinite(wallS) && sample.sizeBytes > 0) {
      // at the lowest rendition these bits would have been this much content; the rest of the wall time drains
      const contentS = (sample.sizeBytes * 8) / 1000 / this.bottomKbps;
      this.drainS = Math.max(0, this.drainS + wallS - contentS);
      this.downloadWallS += wallS;
      if (wallS > contentS) this.drainWallS += wallS;
      if (this.drainS > this.reserveS) this.reserveS = this.drainS;
    }
    const transferMs = sample.endMs - sample.firstByteMs;
    const waitMs = this.waitMs(sample, transferMs);
    this.predictor.addSample(
      sample.sizeBytes,
      sample.firstByteMs - sample.startMs + waitMs,
      transferMs - waitMs,
    );
  }

  /**
   * The part of a finished download's transfer its rate does not explain, ms: the transfer minus the time
   * the whole download would have taken at the rate of its last `waitShare` of bytes (from the progress
   * points `shouldAbandon` tracked). On an on-off link (Puffer's traces, 1 s periods from 10 kbps to several
   * Mbps) a small segment spends most of its time waiting for a burst and then arrives at once; as rate, that
   * wait says a segment eight times bigger takes eight times as long, where it shares the same wait (on
   * Puffer's traces with a 100-800 kbps ladder the 800 kbps segments took 1.25 times as long as the 100 kbps
   * ones, not 8). Counted with the time to first byte, it is paid once per request, as TTFB is (hls.js
   * #3563, #7133: small segments whose time is mostly TTFB keep the estimate low). 0 when off, when the
   * download was aborted or its progress was not tracked (Pensieve's model reports none), or when its last
   * bytes came no faster than the rest.
   */
  private waitMs(sample: DownloadSample, transferMs: number): number {
    const share = this.config.waitShare;
    if (!(share > 0) || !(transferMs > 0) || sample.aborted || sample.startMs !== this.trackedStartMs)
      return 0;
    const size = sample.sizeBytes;
    const fromBytes = size * (1 - share);
    const kept = Math.min(this.pointCount, PROGRESS_POINTS);
    // newest point first: the first at or below the tail's first byte, interpolated with the one after it
    let afterMs = sample.endMs;
    let afterBytes = size;
    for (let i = 0; i < kept; i++) {
      const j = (this.pointCount - 1 - i) % PROGRESS_POINTS;
      const ms = this.pointMs[j] ?? sample.endMs;
      const bytes = this.pointBytes[j] ?? size;
      if (bytes <= fromBytes) {
        const atMs =
          afterBytes > bytes ? ms + ((afterMs - ms) * (fromBytes - bytes)) / (afterBytes - bytes) : ms;
        const tailMs = sample.endMs - Math.max(atMs, sample.firstByteMs);
        return tailMs > 0 ? Math.max(0, transferMs - tailMs / share) : 0;
      }
      afterMs = ms;
      afterBytes = bytes;
    }
    return 0; // the tail's first byte came before the oldest point kept
  }

  reset(): void {
    this.predictor.reset();
    this.drainS = 0;
    this.reserveS = 0;
    this.downloadWallS = 0;
    this.drainWallS = 0;
    this.bottomKbps = Number.NaN;
    this.capSegment = -1;
    this.sawProgress = false;
    this.trackedSegment = -1;
    this.trackedStartMs = Number.NaN;
    this.pointCount = 0;
  }
}

/** Creates scenario-mpc. Options: {@link SCENARIO_MPC_OPTION_SPECS}; bad ones throw AbrkitError. */
export function createScenarioMpc(options?: AbrOptions): AbrAlgorithm {
  return new ScenarioMpc(resolveScenarioMpcConfig(options));
}

/** Registry entry for scenario-mpc (to be registered by src/abr/registry.ts). */
/** Runtime part (the player bundles this); the registry joins it with {@link scenarioMpcDocs}. */
export const scenarioMpcInfo: AbrAlgorithmCore = {
  name: SCENARIO_MPC_NAME,
  options: SCENARIO_MPC_OPTION_SPECS,
  create: createScenarioMpc,
};

/** What `abrkit algos`, the demo and docs show for scenario-mpc: not bundled by the player. */
export const scenarioMpcDocs: AbrAlgorithmDocs = {
  description:
    'abrkit’s own: MPC over throughput scenarios from the predictor’s recent error quantiles, size- and latency-aware transmission times, terminal buffer value.',
  citation:
    'Yin et al., "A Control-Theoretic Approach for Dynamic Adaptive Video Streaming over HTTP", SIGCOMM 2015; Yan et al., "Learning in situ: a randomized experiment in video streaming", NSDI 2020',
  options: {
    horizon: HORIZON_OPTION_DOC,
    qoe: QOE_OBJECTIVE_OPTION_DOC,
    smoothPenalty: SMOOTH_PENALTY_OPTION_DOC,
    window: 'Transfer-throughput samples in the harmonic mean (and latencies in their mean).',
    errorWindow: 'Recent prediction errors whose quantiles make the scenarios.',
    expertWarmup:
      'Prediction errors seen before the predictor may leave the harmonic mean for another expert (a few errors say little).',
    longWindow: 'Samples in the long-run (time-weighted) throughput expert.',
    abandonWindowShare:
      'Emergency abandonment judges the download by its rate over its last max(1 s, this share of the buffer) (at most 8 s), so a dip the buffer can absorb does not abandon it; 0: always the last second.',
    errorScales:
      'Time scales, in downloads, of the prediction errors: plan position p is planned with the quantiles of the errors of the throughput over p + 1 downloads (up to this many), so a path whose samples scatter but whose average holds is not planned as if its slowest sample lasted the whole horizon; 1: every position uses per-download errors.',
    scaleExperts:
      'Plan positions 2+ take their throughput level from the expert best at predicting the mean over that many downloads (its scenarios stay the first expert’s errors at that scale): on a path that scatters around a level that holds, the long-run mean; false: every position uses the first download’s expert.',
    scaleExpertMargin:
      'How much lower (a share) a time scale’s best expert score must be than the first expert’s for that scale to use it.',
    smoothExpertTolerance:
      'At time scales 2+, the steadiest expert (long-run mean, then harmonic mean, then last sample) whose score is within this share of the chosen expert’s is used instead: on a link that scatters around a level, experts about as accurate differ in how much their level moves per sample, and the steadier one switches less; 0: the best-scoring expert alone.',
    shiftSigmas:
      'A level shift restarts the harmonic and long-run means: two samples in a row beyond this many times the link’s sample-to-sample noise (the last-sample expert’s running |log error|, at least 5%) from the long-run mean on one side, or one sample twice as far (undone if the next sample is back at the old level: a one-download dropout is not a shift); a step of a fixed line then reaches the means at once; 0: never.',
    scaleExpertRecentWeight:
      'Weight, in a time scale’s expert score, of the expert’s error on the last downloads (a fast running mean): a long-run mean gone stale after a step loses at once, not a few downloads later.',
    scenarios: 'Throughput scenarios (quantiles of the error distribution) each plan is scored under.',
    riskAversion: 'Weight of the worst scenario against the mean of all scenarios.',
    bufferValue:
      'Value of a second of buffer left at the end of the horizon (up to the cap), as a share of the rebuffer penalty per second, on a fully volatile path.',
    drainValue:
      'Extra buffer value, as a share of the rebuffer penalty, times the share of download time the session has spent slower than the lowest rendition.',
    bufferValueScaleMs:
      'Concavity of the buffer value, ms: buffer b is worth v · s · (1 − e^(−b/s)), so a nearly full buffer earns little more; 0: linear.',
    dropRef:
      'ln(predicted / observed) of a remembered drop at which the full buffer value applies (1.4: a fall to a quarter); 0: always full.',
    bufferValueCapMs: 'Buffer beyond this earns no terminal value, ms (also capped by the buffer target).',
    reserveFactor:
      'Buffer earns terminal value only up to this multiple of the session’s reserve: the buffer its worst low-throughput run would have drained at the lowest rendition (at least minBufferValueCapMs, at most bufferValueCapMs); 0: the cap is bufferValueCapMs.',
    minBufferValueCapShare: 'The same floor as a share of the buffer target (the larger of the two applies).',
    minBufferValueCapMs:
      'The buffer value’s cap before the session has seen a drain, ms (with reserveFactor > 0).',
    bufferValueTaperMs:
      'The buffer value fades linearly over the last this-much content after the horizon (buffer left at the end is wasted), ms; 0: no fade.',
    switchCost:
      'Extra switch penalty in planning on a volatile path: the penalty is multiplied by 1 + switchCost · volatility (at most horizon − 1).',
    holdDropWeight:
      'Where the runtime never reports download progress (no abandonment): weight of the expected stall of the session’s deepest drop striking the download after the horizon, i.e. the buffer a plan leaves short of that download’s time at the dropped rate, times the rebuffer penalty, times the deep drops (falls to half the prediction or lower) expected in the rest of the video at the session’s rate, at most 1; charged once no deep drop is left among the recent errors; 0: off.',
    horizonMs:
      'The plan covers at least this much content: horizon segments, or more of them where segments are shorter (at most 32); 0: horizon segments whatever their duration.',
    holdRises:
      'With the hold cost: a confirmed level shift up (to twice the old level or more) counts as a fall back to the level the link stepped up from, while the link has no room over the top rendition in its worst scenario (a fixed line that steps between levels steps back down; with room, the session runs ahead of its content and the buffer fills at the top); false: falls only.',
    tailWeight:
      'Weight of the expected stall of a drop as deep as the session’s worst during the download decided now (times how often such drops have come), charged where the runtime never reports download progress (no abandonment); 0: off.',
    floorConfirm:
      'Transfer samples within floorMargin (in log) of the session’s lowest rate before that rate bounds how deep a drop is planned for (the buffer value’s drop risk and the tail cost): a level the link keeps returning to, not a transient low; 0: the worst drop seen, from any level.',
    floorMargin:
      'How much deeper than the session’s floor, in log, a drop may still go (0.35: a factor 1.4); also how close above the floor a sample counts as a return to it.',
    waitShare:
      'Where the runtime reports download progress: a download’s transfer rate is its rate over its last this-share of bytes, and the rest of its time beyond what that rate explains counts with its time to first byte, as a wait paid once per request (on an on-off link a small segment waits for a burst that a bigger one would share); 0: the rate over the whole transfer.',
    volatilityRef:
      'Median |ln(observed/predicted)| at which the full buffer value applies; steadier paths get less. 0: always full.',
    headroomWeight:
      'Room over the top rendition calms the volatility: where the worst throughput scenario exceeds the top bitrate it may play, volatilityRef grows by headroomWeight · ln(scenario / top), so a fast link with 10-30% errors neither hoards buffer nor holds back its climb; 0: off.',
    rebufferPenalty:
      'Penalty per second of rebuffering; -1: the QoE model’s ladder-aware one (lin: top Mbps, log: ln(top/bottom), hd: 8).',
  },
};
