/**
 * The transmission-time predictor of scenario-mpc (scenario-mpc.ts): a download of `s` bytes takes
 * `latency + 8 s / throughput`, as in Fugu (Yan et al., NSDI 2020), which predicts each chunk's transmission
 * time from its size rather than a throughput alone: small segments are dominated by latency, large ones by
 * the transfer rate. The transfer throughput (latency excluded) is the harmonic mean of the last few samples
 * (MPC, Yin et al., SIGCOMM 2015); instead of robustMPC's single discount by the largest recent error, the
 * predictor keeps the recent distribution of `ln(observed / predicted)` and hands out its quantiles as
 * throughput scenarios, so the planner can weigh a likely slowdown against an unlikely one.
 *
 * State is per session, fed by `addSample`, cleared by `reset`; pure, no globals.
 */

/** Prior log-errors used while fewer than `PRIOR_ERRORS.length` real ones are known (a cautious start). */
const PRIOR_ERRORS: readonly number[] = [Math.log(0.7), Math.log(0.85), Math.log(0.95), 0];

/** Transfers shorter than this are timed too coarsely to be a throughput sample (latency-only), ms. */
const MIN_TRANSFER_MS = 1;

export class TransmissionPredictor {
  private readonly samplesKbps: Float64Array;
  private readonly logErrors: Float64Array;
  private readonly sorted: Float64Array;
  private sampleCount = 0;
  private errorCount = 0;
  private harmonicKbps = 0;
  private latencySumMs = 0;
  private latencyCount = 0;
  private readonly latenciesMs: Float64Array;

  /**
   * `window`: samples in the harmonic mean; `errorWindow`: recent errors whose quantiles make the scenarios.
   */
  constructor(
    readonly window = 5,
    readonly errorWindow = 20,
  ) {
    if (!Number.isInteger(window) || window < 1)
      throw new TypeError(`window: must be an integer >= 1, got ${window}`);
    if (!Number.isInteger(errorWindow) || errorWindow < 1)
      throw new TypeError(`errorWindow: must be an integer >= 1, got ${errorWindow}`);
    this.samplesKbps = new Float64Array(window);
    this.logErrors = new Float64Array(errorWindow);
    this.sorted = new Float64Array(errorWindow + PRIOR_ERRORS.length);
    this.latenciesMs = new Float64Array(window);
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
    if (this.sampleCount > 0) {
      this.logErrors[this.errorCount % this.errorWindow] = Math.log(kbps / this.harmonicKbps);
      this.errorCount++;
    }
    this.samplesKbps[this.sampleCount % this.window] = kbps;
    this.sampleCount++;
    const k = Math.min(this.sampleCount, this.window);
    let inverseSum = 0;
    for (let i = 0; i < k; i++) inverseSum += 1 / (this.samplesKbps[i] ?? 1);
    this.harmonicKbps = k / inverseSum;
  }

  /** Throughput samples since the last reset. */
  get count(): number {
    return this.sampleCount;
  }

  /** Harmonic mean of the last transfer throughputs, kbps; null before the first sample. */
  throughputKbps(): number | null {
    return this.sampleCount > 0 ? this.harmonicKbps : null;
  }

  /** Mean of the last latencies, ms; null before the first. */
  latencyMs(): number | null {
    return this.latencyCount > 0 ? this.latencySumMs / Math.min(this.latencyCount, this.window) : null;
  }

  /**
   * Writes `out.length` throughput multipliers: the quantiles at levels `(i + 0.5) / n` of the recent
   * observed/predicted ratios (padded with a cautious prior while few are known), ascending.
   */
  scenarioMultipliers(out: Float64Array): void {
    const n = out.length;
    const have = Math.min(this.errorCount, this.errorWindow);
    let m = 0;
    for (let i = 0; i < have; i++) this.sorted[m++] = this.logErrors[i] ?? 0;
    for (let i = have; i < PRIOR_ERRORS.length; i++) this.sorted[m++] = PRIOR_ERRORS[i - have] ?? 0;
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
   * Median absolute `ln(observed / predicted)` over the recent errors (the prior counts while few are
   * known): how volatile the path is sample to sample. A median, so the rare step changes of an otherwise
   * steady path (a broadband link switching rate) do not count as volatility.
   */
  medianAbsLogError(): number {
    const have = Math.min(this.errorCount, this.errorWindow);
    let m = 0;
    for (let i = 0; i < have; i++) this.sorted[m++] = Math.abs(this.logErrors[i] ?? 0);
    for (let i = have; i < PRIOR_ERRORS.length; i++) this.sorted[m++] = Math.abs(PRIOR_ERRORS[i - have] ?? 0);
    const view = this.sorted.subarray(0, m);
    view.sort();
    return m % 2 === 1 ? (view[(m - 1) / 2] ?? 0) : ((view[m / 2 - 1] ?? 0) + (view[m / 2] ?? 0)) / 2;
  }

  reset(): void {
    this.sampleCount = 0;
    this.errorCount = 0;
    this.harmonicKbps = 0;
    this.latencyCount = 0;
    this.latencySumMs = 0;
  }
}
