/**
 * The transmission-time predictor of scenario-mpc (scenario-mpc.ts): a download of `s` bytes takes
 * `latency + 8 s / throughput`, as in Fugu (Yan et al., NSDI 2020), which predicts each chunk's transmission
 * time from its size rather than a throughput alone: small segments are dominated by latency, large ones by
 * the transfer rate.
 *
 * Which throughput to expect depends on the network, and no single rule fits every family: on a 3G commute
 * the last download is the best guess (throughput persists, then steps), on a broadband or Wi-Fi session
 * whose samples scatter around a stable level (Puffer, Oboe) the long-run mean is, and MPC's harmonic mean
 * of the last five (Yin et al., SIGCOMM 2015) sits between. So the predictor runs three experts side by side
 * (last sample, harmonic mean of the last `window`, time-weighted mean over the last `longWindow` samples),
 * scores each by an exponentially weighted mean of its absolute log error on the samples that followed, and
 * predicts with the best-scoring one: the regime is chosen on what the session measures (in the spirit of
 * Oboe, Akhtar et al., SIGCOMM 2018, which picks parameters per detected network state), not tuned per
 * family. Instead of robustMPC's single discount by the largest recent error, the predictor keeps the
 * recent distribution of the chosen expert's `ln(observed / predicted)` and hands out its quantiles as
 * throughput scenarios, so the planner can weigh a likely slowdown against an unlikely one.
 *
 * The expert best at predicting the next download is not always the best at predicting the mean over the next
 * few: on a cellular link whose samples scatter around a level that holds, the last sample wins download by
 * download while the long-run mean predicts the next three far better. So each expert is also scored at every
 * longer time scale it is measured at, and plan position p takes its throughput level from the expert best at
 * scale p + 1 ({@link expertAt}), while its scenarios stay the spread of the first expert's errors at that
 * scale. A scale's score lags by the scale's downloads, so after a step the long-run mean would still look
 * right for a few decisions; the score therefore adds a share of each expert's error on the last downloads
 * (a fast running mean), which a stale mean cannot hide.
 *
 * Experts about as accurate are not equally good to plan with: on a link that scatters around a level, the last
 * sample and the long-run mean err about as much over three downloads, but a plan that follows the last sample
 * switches up after every burst and down after every dip. So at scales 2+ the steadiest expert whose score is
 * within `smoothTolerance` of the chosen one's is used, and a long memory is kept honest by restarting the two
 * means at a *level shift*: samples beyond `shiftSigmas` times the link's own sample-to-sample noise from the
 * long-run mean (a fixed line's step, not a cellular link's scatter; {@link TransmissionPredictor.detectShift}).
 *
 * The predictor also keeps the session's *floor*: its lowest transfer rate, and how many samples have come
 * within `floorBandLog` (in log) above it. A floor the link has returned to several times is a level it has
 * (a fixed-line link switching between a slow and a fast rate), not a transient low
 * ({@link TransmissionPredictor.floorKbps}).
 *
 * State is per session, fed by `addSample`, cleared by `reset`; pure, no globals.
 */

/** Prior log-errors used while fewer than `PRIOR_ERRORS.length` real ones are known (a cautious start). */
const PRIOR_ERRORS: readonly number[] = [Math.log(0.7), Math.log(0.85), Math.log(0.95), 0];

/** Transfers shorter than this are timed too coarsely to be a throughput sample (latency-only), ms. */
const MIN_TRANSFER_MS = 1;

/** Experts: 0 = last sample, 1 = harmonic mean of the last `window`, 2 = time-weighted long-run mean. */
export const EXPERT_NAMES = ['last', 'harmonic', 'long-run'] as const;
const EXPERTS = EXPERT_NAMES.length;

/** The least sample-to-sample noise, |log error|, a level shift is measured against (5%). */
const MIN_NOISE_LOG = 0.05;
/** Weight of a new error in an expert's running score (an EWMA over about 1 / weight samples). */
const SCORE_WEIGHT = 0.15;
/** Weight of a new error in the fast running score that catches a stale expert (about the last two). */
const RECENT_SCORE_WEIGHT = 0.5;
/** An exponentially weighted running mean: `value` itself when it is the `first`. */
function runningMean(previous: number, value: number, weight: number, first: boolean): number {
  return first ? value : (1 - weight) * previous + weight * value;
}

/** Per-sample decay of the remembered worst drop: its half-life is about 35 samples (minutes of video). */
const DROP_DECAY = 0.98;
/** A sample this far below its prediction, `ln(predicted / observed)`, is a deep drop: a fall to half or lower. */
export const DEEP_DROP_LOG = Math.log(2);

export class TransmissionPredictor {
  private readonly samplesKbps: Float64Array;
  private readonly longBytes: Float64Array;
  private readonly longMs: Float64Array;
  /** Recent log errors of each expert, `errors[e * errorWindow + i]`. */
  private readonly errors: Float64Array;
  private readonly sorted: Float64Array;
  private readonly scores = new Float64Array(EXPERTS);
  /** Fast running mean absolute log error of each expert on the last downloads ({@link RECENT_SCORE_WEIGHT}). */
  private readonly recentScores = new Float64Array(EXPERTS);
  /** Running mean absolute log error of each expert at scale j >= 2: `scaleScores[j * EXPERTS + e]`. */
  private readonly scaleScores: Float64Array;
  private readonly predictions = new Float64Array(EXPERTS);
  private sampleCount = 0;
  /** The first sample the mean experts average over: a level shift ({@link shiftSigmas}) restarts them. */
  private meanStart = 0;
  /** Side of the last sample's deviation beyond the shift bar from the long-run mean (+1, -1, 0: within). */
  private shiftSide = 0;
  /** The long-run mean when the first sample beyond the bar on `shiftSide` came, kbps. */
  private shiftLevelKbps = 0;
  /**
   * After a restart on one sample: the start it replaced and the level before it, so that a sample back at
   * that level undoes it (a one-download dropout is not a shift); -1: none pending.
   */
  private undoStart = -1;
  private undoLevelKbps = 0;
  private errorCount = 0;
  private worstDrop = 0;
  /** The session's deepest drop, never decayed, and how many samples were deep drops. */
  private maxDrop = 0;
  private deepDrops = 0;
  /**
   * The session's deepest confirmed level shift up, `ln(new level / old level)`, and how many were deep (to
   * twice the old level or more): a fixed line that stepped up from a level it held can step back down.
   */
  private maxRise = 0;
  private deepRises = 0;
  /**
   * A shift up restarted on one sample counts at once, and is taken back if the next sample undoes the restart:
   * the rise it added and the deepest rise before it (-1: none pending).
   */
  private pendingRise = -1;
  private riseBefore = 0;
  private floorRateKbps = Number.POSITIVE_INFINITY;
  /** Samples within `floorBandLog` above the floor (the floor's own included). */
  private floorSamples = 0;
  /** `e^floorBandLog`: a sample at most this many times the floor counts as a return to it. */
  private readonly floorBand: number;
  private latencyCount = 0;
  private latencySumMs = 0;
  private readonly latenciesMs: Float64Array;
  /**
   * Errors at longer time scales (`scales` > 1): `scaleErrors[(e * (scales - 1) + j - 2) * errorWindow + i]`
   * is expert e's `ln(observed / predicted)` for the throughput over j consecutive downloads (bytes over
   * transfer time), against the prediction made before the first of them.
   */
  private readonly scaleErrors: Float64Array;
  private readonly scaleErrorCounts: Float64Array;
  /** The last `scales` predictions of each expert, `predictionHistory[e * scales + (sample % scales)]`. */
  private readonly predictionHistory: Float64Array;
  /** Bytes and transfer ms of the last `scales` samples, by `sample % scales`. */
  private readonly recentBytes: Float64Array;
  private readonly recentMs: Float64Array;

  /**
   * `window`: samples in the harmonic mean (and latencies in their mean); `errorWindow`: recent errors whose
   * quantiles make the scenarios; `longWindow`: samples in the time-weighted long-run mean; `scales`: time
   * scales, in downloads, at which errors are also measured ({@link scenarioMultipliersAt});
   * `scaleExpertMargin`: how much lower (a share) a scale's own best score must be than the first expert's
   * for {@link expertAt} to leave the first expert; `scaleExpertRecentWeight`: weight of the fast recent score
   * in a scale's score; `floorBandLog`: how far above the floor, in log, a sample counts as a return to it;
   * `smoothTolerance`: at scales 2+, the steadiest expert whose score is within this share of the best is
   * used ({@link expertAt}; 0: the best alone); `shiftSigmas`: how far from the long-run mean, in units of the
   * link's sample-to-sample noise, two samples in a row must fall on one side (one sample twice as far) to
   * count as a level shift that restarts the mean experts' windows (0: never).
   */
  constructor(
    readonly window = 5,
    readonly errorWindow = 20,
    readonly longWindow = 20,
    readonly expertWarmup = 0,
    readonly scales = 1,
    readonly scaleExpertMargin = 0.05,
    readonly scaleExpertRecentWeight = 0.05,
    readonly floorBandLog = 0.35,
    readonly smoothTolerance = 0,
    readonly shiftSigmas = 0,
  ) {
    for (const [name, v] of [
      ['window', window],
      ['errorWindow', errorWindow],
      ['longWindow', longWindow],
      ['scales', scales],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new TypeError(`${name}: must be an integer >= 1, got ${v}`);
    }
    if (!(scaleExpertMargin >= 0 && scaleExpertMargin <= 1))
      throw new TypeError(`scaleExpertMargin: must be in [0, 1], got ${scaleExpertMargin}`);
    if (!(scaleExpertRecentWeight >= 0 && Number.isFinite(scaleExpertRecentWeight)))
      throw new TypeError(
        `scaleExpertRecentWeight: must be a finite number >= 0, got ${scaleExpertRecentWeight}`,
      );
    if (!(floorBandLog >= 0 && Number.isFinite(floorBandLog)))
      throw new TypeError(`floorBandLog: must be a finite number >= 0, got ${floorBandLog}`);
    if (!(smoothTolerance >= 0 && Number.isFinite(smoothTolerance)))
      throw new TypeError(`smoothTolerance: must be a finite number >= 0, got ${smoothTolerance}`);
    if (!(shiftSigmas >= 0 && Number.isFinite(shiftSigmas)))
      throw new TypeError(`shiftSigmas: must be a finite number >= 0, got ${shiftSigmas}`);
    this.floorBand = Math.exp(floorBandLog);
    this.samplesKbps = new Float64Array(window);
    this.longBytes = new Float64Array(longWindow);
    this.longMs = new Float64Array(longWindow);
    this.errors = new Float64Array(EXPERTS * errorWindow);
    this.sorted = new Float64Array(errorWindow + PRIOR_ERRORS.length);
    this.latenciesMs = new Float64Array(window);
    this.scaleErrors = new Float64Array(EXPERTS * (scales - 1) * errorWindow);
    this.scaleErrorCounts = new Float64Array(scales + 1);
    this.scaleScores = new Float64Array(EXPERTS * (scales + 1));
    this.predictionHistory = new Float64Array(EXPERTS * scales);
    this.recentBytes = new Float64Array(scales);
    this.recentMs = new Float64Array(scales);
  }

  /** Feeds one download: `sizeBytes` whose first byte came `latencyMs` after the request, then `transferMs`. */
  addSample(sizeBytes: number, latencyMs: number, transferMs: number): void {
    if (!(sizeBytes > 0) || !Number.isFinite(sizeBytes) || !Number.isFinite(transferMs)) return;
    if (Number.isFinite(latencyMs) && latencyMs >= 0) {
      this.latenciesMs[this.latencyCount % this.window] = latencyMs;
      this.latencyCount++;
      this.latencySumMs = 0;
      const m = Math.min(this.latencyCount, this.window);
      for (let i = 0; i < m; i++) this.latencySumMs += this.latenciesMs[i] ?? 0;
    }
    if (!(transferMs >= MIN_TRANSFER_MS)) return;
    const kbps = (sizeBytes * 8) / transferMs;
    // the link's sample-to-sample noise as known before this sample: the last-sample expert's running error
    const noiseLog = Math.max(MIN_NOISE_LOG, this.scores[0] ?? 0);
    this.addFloorSample(kbps);
    if (this.sampleCount > 0) {
      const used = this.expert();
      const drop = Math.log((this.predictions[used] ?? kbps) / kbps);
      this.worstDrop = Math.max(drop, this.worstDrop * DROP_DECAY);
      if (drop > this.maxDrop) this.maxDrop = drop;
      if (drop >= DEEP_DROP_LOG) this.deepDrops++;
      const slot = this.errorCount % this.errorWindow;
      for (let e = 0; e < EXPERTS; e++) {
        const err = Math.log(kbps / (this.predictions[e] ?? kbps));
        this.errors[e * this.errorWindow + slot] = err;
        const abs = Math.abs(err);
        const first = this.errorCount === 0;
        this.scores[e] = runningMean(this.scores[e] ?? 0, abs, SCORE_WEIGHT, first);
        this.recentScores[e] = runningMean(this.recentScores[e] ?? 0, abs, RECENT_SCORE_WEIGHT, first);
      }
      this.errorCount++;
    }
    if (this.scales > 1) this.addScaleErrors(sizeBytes, transferMs);
    const i = this.sampleCount;
    if (i > 0) this.detectShift(kbps, this.predictions[2] ?? kbps, noiseLog, i);
    this.samplesKbps[i % this.window] = kbps;
    this.longBytes[i % this.longWindow] = sizeBytes;
    this.longMs[i % this.longWindow] = transferMs;
    this.sampleCount++;
    const since = this.sampleCount - this.meanStart;
    const k = Math.min(since, this.window);
    let inverseSum = 0;
    for (let j = this.sampleCount - k; j < this.sampleCount; j++)
      inverseSum += 1 / (this.samplesKbps[j % this.window] ?? 1);
    const l = Math.min(since, this.longWindow);
    let bytes = 0;
    let ms = 0;
    for (let j = this.sampleCount - l; j < this.sampleCount; j++) {
      bytes += this.longBytes[j % this.longWindow] ?? 0;
      ms += this.longMs[j % this.longWindow] ?? 0;
    }
    this.predictions[0] = kbps;
    this.predictions[1] = k / inverseSum;
    this.predictions[2] = (bytes * 8) / ms;
    if (this.scales > 1) {
      const slot = i % this.scales;
      for (let e = 0; e < EXPERTS; e++)
        this.predictionHistory[e * this.scales + slot] = this.predictions[e] ?? 0;
    }
  }

  /**
   * Level-shift detection for sample `i` (`kbps`, not yet counted) against the long-run mean `levelKbps`: a
   * sample beyond 2 · `shiftSigmas` · `noiseLog` (in log) from the mean, or the second in a row beyond
   * `shiftSigmas` · `noiseLog` on the same side, restarts the harmonic and long-run means from it (from the
   * first of the two). A restart on one sample is undone if the next one is back within the bar of the old
   * level: a one-download dropout is not a shift. The bar is in units of the sample-to-sample noise, not of
   * the long-run mean's own error, which a stale mean inflates exactly when the level has moved. A step of a
   * fixed line (FCC: ~300 kbps to ~8 Mbps) is far beyond its noise and restarts the means at once; a cellular
   * link's scatter around a level that holds stays within its own noise and keeps the long memory.
   */
  private detectShift(kbps: number, levelKbps: number, noiseLog: number, i: number): void {
    if (!(this.shiftSigmas > 0)) return;
    const bar = this.shiftSigmas * noiseLog;
    const pendingRise = this.pendingRise;
    this.pendingRise = -1;
    if (this.undoStart >= 0) {
      const replaced = this.undoStart;
      this.undoStart = -1;
      if (Math.abs(Math.log(kbps / this.undoLevelKbps)) <= bar) {
        this.meanStart = replaced;
        this.shiftSide = 0;
        if (pendingRise >= 0) {
          this.maxRise = this.riseBefore;
          if (pendingRise >= DEEP_DROP_LOG) this.deepRises--;
        }
        return;
      }
    }
    const deviationLog = Math.log(kbps / levelKbps);
    if (Math.abs(deviationLog) > 2 * bar) {
      this.undoStart = this.meanStart;
      this.undoLevelKbps = levelKbps;
      this.meanStart = i;
      this.shiftSide = 0;
      if (deviationLog > 0) {
        this.riseBefore = this.maxRise;
        this.pendingRise = deviationLog;
        this.addRise(deviationLog);
      }
      return;
    }
    const side = deviationLog > bar ? 1 : deviationLog < -bar ? -1 : 0;
    if (side !== 0 && side === this.shiftSide) {
      this.meanStart = Math.max(this.meanStart, i - 1);
      this.shiftSide = 0;
      // the rise from the level before the first of the two
      this.addRise(Math.max(0, Math.log(kbps / this.shiftLevelKbps)));
    } else {
      this.shiftSide = side;
      this.shiftLevelKbps = levelKbps;
    }
  }

  /** Records a confirmed level shift up of `riseLog` (0: none). */
  private addRise(riseLog: number): void {
    if (riseLog > this.maxRise) this.maxRise = riseLog;
    if (riseLog >= DEEP_DROP_LOG) this.deepRises++;
  }

  /**
   * Records sample n (`this.sampleCount`, not yet counted) and, for every scale j in 2..scales with j
   * samples known, each expert's error for the throughput over samples n - j + 1..n against its prediction
   * made after sample n - j.
   */
  private addScaleErrors(sizeBytes: number, transferMs: number): void {
    const n = this.sampleCount;
    const scales = this.scales;
    this.recentBytes[n % scales] = sizeBytes;
    this.recentMs[n % scales] = transferMs;
    let bytes = sizeBytes;
    let ms = transferMs;
    for (let j = 2; j <= scales && j <= n; j++) {
      const k = (n - j + 1) % scales;
      bytes += this.recentBytes[k] ?? 0;
      ms += this.recentMs[k] ?? 0;
      const observedKbps = (bytes * 8) / ms;
      const from = (n - j) % scales;
      const count = this.scaleErrorCounts[j] ?? 0;
      const slot = count % this.errorWindow;
      for (let e = 0; e < EXPERTS; e++) {
        const predicted = this.predictionHistory[e * scales + from] ?? observedKbps;
        const err = Math.log(observedKbps / predicted);
        this.scaleErrors[(e * (scales - 1) + j - 2) * this.errorWindow + slot] = err;
        const at = j * EXPERTS + e;
        this.scaleScores[at] = runningMean(
          this.scaleScores[at] ?? 0,
          Math.abs(err),
          SCORE_WEIGHT,
          count === 0,
        );
      }
      this.scaleErrorCounts[j] = count + 1;
    }
  }

  /**
   * Moves the floor to a new lowest rate: a sample within the band below the floor joins its count (the level
   * is a little lower than thought), a deeper one starts a new count.
   */
  private addFloorSample(kbps: number): void {
    const band = this.floorBand;
    if (kbps < this.floorRateKbps) {
      this.floorSamples = kbps * band >= this.floorRateKbps ? this.floorSamples + 1 : 1;
      this.floorRateKbps = kbps;
    } else if (kbps <= this.floorRateKbps * band) this.floorSamples++;
  }

  /**
   * The session's lowest transfer rate, kbps, once at least `confirm` samples have come within the band above
   * it (a level the link has held or returned to); null before, or when `confirm` < 1.
   */
  floorKbps(confirm: number): number | null {
    return confirm >= 1 && this.floorSamples >= confirm ? this.floorRateKbps : null;
  }

  /** Throughput samples since the last reset. */
  get count(): number {
    return this.sampleCount;
  }

  /** The expert in use: the one with the lowest running error (the harmonic mean until errors are known). */
  expert(): number {
    if (this.errorCount === 0 || this.errorCount < this.expertWarmup) return 1;
    let best = 1;
    for (let e = 0; e < EXPERTS; e++) if ((this.scores[e] ?? 0) < (this.scores[best] ?? 0)) best = e;
    return best;
  }

  /**
   * The expert whose prediction sets the throughput level over the next `scale` downloads: {@link expert}
   * at scale 1, and at scale j >= 2 once j has the prior's count of errors, the expert with the lowest
   * scale-j score plus `scaleExpertRecentWeight` times its recent score, if that is at least
   * `scaleExpertMargin` lower than the first expert's (else the first expert).
   */
  expertAt(scale: number): number {
    const first = this.expert();
    const j = Math.min(Math.floor(scale), this.scales);
    if (j <= 1 || (this.scaleErrorCounts[j] ?? 0) < PRIOR_ERRORS.length) return first;
    let best = first;
    let bestScore = this.scaleScore(j, first);
    const enough = (1 - this.scaleExpertMargin) * bestScore;
    for (let e = 0; e < EXPERTS; e++) {
      const score = this.scaleScore(j, e);
      if (score < bestScore) {
        best = e;
        bestScore = score;
      }
    }
    const chosen = bestScore < enough ? best : first;
    if (this.smoothTolerance > 0) {
      // the experts are ordered from the most reactive (the last sample) to the steadiest (the long-run
      // mean): among those about as good as the choice, the steadiest one's level moves least per sample
      const bar = (1 + this.smoothTolerance) * this.scaleScore(j, chosen);
      for (let e = EXPERTS - 1; e > chosen; e--) if (this.scaleScore(j, e) <= bar) return e;
    }
    return chosen;
  }

  private scaleScore(j: number, e: number): number {
    return (
      (this.scaleScores[j * EXPERTS + e] ?? 0) + this.scaleExpertRecentWeight * (this.recentScores[e] ?? 0)
    );
  }

  /** Running mean absolute log error of expert `e` (0 before the second sample). */
  score(e: number): number {
    return this.scores[e] ?? 0;
  }

  /** The chosen expert's throughput prediction, kbps; null before the first sample. */
  throughputKbps(): number | null {
    return this.sampleCount > 0 ? (this.predictions[this.expert()] ?? null) : null;
  }

  /** Expert `e`'s prediction, kbps; null before the first sample. */
  expertKbps(e: number): number | null {
    return this.sampleCount > 0 ? (this.predictions[e] ?? null) : null;
  }

  /**
   * The worst drop the session has seen, `ln(predicted / observed)` of the expert in use, remembered with a
   * slow decay: a path that fell to a tenth of its prediction a minute ago may do it again, however steady it
   * looks now (0 before the second sample).
   */
  worstLogDrop(): number {
    return this.worstDrop;
  }

  /**
   * The deepest drop of the session, `ln(predicted / observed)` of the expert in use, never forgotten (0 before
   * the second sample): what a download that cannot be abandoned must survive, however long ago it came.
   */
  maxLogDrop(): number {
    return this.maxDrop;
  }

  /**
   * The deepest confirmed level shift up of the session, `ln(new level / old level)` ({@link detectShift}; a
   * one-sample restart counts at once and is taken back if the next sample undoes it), never forgotten: a
   * fixed line that stepped up from a level it held may step back down as far (0: none, or level shifts off).
   */
  maxLogRise(): number {
    return this.maxRise;
  }

  /** Deep confirmed level shifts up (to twice the old level or more) per prediction over the session. */
  deepRiseRate(): number {
    return this.errorCount > 0 ? this.deepRises / this.errorCount : 0;
  }

  /**
   * Deep drops (a sample at half its prediction or lower) per prediction over the whole session, 0 before any:
   * how often the path has fallen, counted since the start, as a link that falls every few minutes falls too
   * seldom for a window of recent errors to remember.
   */
  deepDropRate(): number {
    return this.errorCount > 0 ? this.deepDrops / this.errorCount : 0;
  }

  /**
   * Share of the chosen expert's recent errors (the prior left out) with `ln(observed / predicted)` below
   * `-thresholdLog`: how often, per download, the path has fallen that far below the prediction (0 before
   * any error).
   */
  dropShare(thresholdLog: number): number {
    const have = Math.min(this.errorCount, this.errorWindow);
    if (have === 0) return 0;
    const base = this.expert() * this.errorWindow;
    let n = 0;
    for (let i = 0; i < have; i++) if ((this.errors[base + i] ?? 0) < -thresholdLog) n++;
    return n / have;
  }

  /** Mean of the last latencies, ms; null before the first. */
  latencyMs(): number | null {
    return this.latencyCount > 0 ? this.latencySumMs / Math.min(this.latencyCount, this.window) : null;
  }

  /**
   * Writes `out.length` throughput multipliers: the quantiles at levels `(i + 0.5) / n` of the chosen expert's
   * recent observed/predicted ratios (padded with a cautious prior while few are known), ascending.
   */
  scenarioMultipliers(out: Float64Array): void {
    this.scenarioMultipliersAt(1, out);
  }

  /**
   * {@link scenarioMultipliers} at time scale `scale` (1..`scales`): the quantiles of the errors of the
   * throughput over `scale` consecutive downloads. On a path whose samples scatter independently the spread
   * narrows as the scale grows (a slow download is followed by a fast one); on one whose drops persist
   * (outages, steps) it does not. Until a scale has as many errors as the prior, the longest scale below it
   * that has them stands in (scale 1 always does, prior-padded).
   */
  scenarioMultipliersAt(scale: number, out: Float64Array): void {
    const n = out.length;
    let j = Math.max(1, Math.min(Math.floor(scale), this.scales));
    while (j > 1 && (this.scaleErrorCounts[j] ?? 0) < PRIOR_ERRORS.length) j--;
    const m = j === 1 ? this.collect(this.expert(), false) : this.collectScale(this.expert(), j);
    const view = this.sorted.subarray(0, m);
    view.sort();
    for (let i = 0; i < n; i++) {
      const pos = ((i + 0.5) / n) * m - 0.5;
      const lo = Math.max(0, Math.min(m - 1, Math.floor(pos)));
      const hi = Math.min(m - 1, lo + 1);
      const frac = Math.min(1, Math.max(0, pos - lo));
      const logErr = (view[lo] ?? 0) * (1 - frac) + (view[hi] ?? 0) * frac;
      out[i] = Math.exp(logErr);
    }
  }

  /**
   * Median absolute `ln(observed / predicted)` of the chosen expert over the recent errors (the prior counts
   * while few are known): how unpredictable the path is sample to sample. A median, so the rare step changes
   * of an otherwise steady path (a broadband link switching rate) do not count as volatility.
   */
  medianAbsLogError(): number {
    const m = this.collect(this.expert(), true);
    const view = this.sorted.subarray(0, m);
    view.sort();
    return m % 2 === 1 ? (view[(m - 1) / 2] ?? 0) : ((view[m / 2 - 1] ?? 0) + (view[m / 2] ?? 0)) / 2;
  }

  reset(): void {
    this.sampleCount = 0;
    this.meanStart = 0;
    this.shiftSide = 0;
    this.undoStart = -1;
    this.errorCount = 0;
    this.latencyCount = 0;
    this.latencySumMs = 0;
    this.worstDrop = 0;
    this.maxDrop = 0;
    this.deepDrops = 0;
    this.maxRise = 0;
    this.deepRises = 0;
    this.pendingRise = -1;
    this.riseBefore = 0;
    this.floorRateKbps = Number.POSITIVE_INFINITY;
    this.floorSamples = 0;
    this.scores.fill(0);
    this.recentScores.fill(0);
    this.scaleScores.fill(0);
    this.predictions.fill(0);
    this.scaleErrorCounts.fill(0);
  }

  /** Copies expert `e`'s recent errors at scale j >= 2 into `sorted` (at least the prior's count known). */
  private collectScale(e: number, j: number): number {
    const have = Math.min(this.scaleErrorCounts[j] ?? 0, this.errorWindow);
    const base = (e * (this.scales - 1) + j - 2) * this.errorWindow;
    for (let i = 0; i < have; i++) this.sorted[i] = this.scaleErrors[base + i] ?? 0;
    return have;
  }

  /** Copies expert `e`'s recent errors (absolute with `abs`), padded with the prior, into `sorted`. */
  private collect(e: number, abs: boolean): number {
    const have = Math.min(this.errorCount, this.errorWindow);
    let m = 0;
    for (let i = 0; i < have; i++) {
      const err = this.errors[e * this.errorWindow + i] ?? 0;
      this.sorted[m++] = abs ? Math.abs(err) : err;
    }
    for (let i = have; i < PRIOR_ERRORS.length; i++) {
      const err = PRIOR_ERRORS[i - have] ?? 0;
      this.sorted[m++] = abs ? Math.abs(err) : err;
    }
    return m;
  }
}
