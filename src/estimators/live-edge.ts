/**
 * A throughput and latency estimator for the live edge, where segments are small, requests wait for
 * segments to exist, and the time to first byte is a large part of each download. It keeps three things
 * apart that the VOD estimators mix:
 *
 * 1. Time to first byte vs transfer. Throughput is bytes / transfer time (first to last byte, minus idle
 *    time, 3.), never request to last byte, so that small segments whose download is mostly TTFB do not
 *    pull the estimate down (hls.js #3563, #7133; Shaka #3422). The TTFB is estimated on its own, as the
 *    latency (`estimateMs()`, so this object is also a `LatencyEstimator`).
 * 2. Too few bytes to tell. A sample with fewer than `minSampleBytes` (16 kB, Shaka's `minBytes`) or a
 *    transfer under `cacheHitMs` measures connection start-up or a cache, not the link: it feeds the latency
 *    only.
 * 3. Idle and producer-limited time. A live segment fetched while it is being produced (chunked transfer)
 *    arrives at the encoder's rate, not the link's: the time its bytes waited for the producer is not
 *    capacity. A source that can see it reports it as `DownloadSample.idleMs` (gaps between chunks); it is
 *    taken out of the transfer time, and a sample that was idle for more than `maxIdleFraction` of its
 *    transfer measures the producer, not the link, and feeds the latency only. Time spent waiting for a
 *    segment to become available is never in a sample (the request starts when it exists).
 *
 * The estimate is the lower of a fast and a slow EWMA of the kept samples (weighted by transfer seconds, as
 * hls.js), so it follows drops at once; but once `recoverySamples` kept samples in a row came in above the
 * slow average, the fast one is used, so the estimate recovers with the network instead of trailing it by
 * the slow half-life (hls.js #7948).
 */
import type { DownloadSample } from '../core/types.js';
import { Ewma } from './ewma.js';
import { checkNumber, rejectUnknownOptions } from './options.js';
import type { LatencyEstimator, ThroughputEstimate, ThroughputEstimator } from './types.js';

export interface LiveEdgeEstimatorOptions {
  /** Half-life of the fast throughput average, seconds of transfer. Default 2. */
  readonly fastHalfLifeS?: number;
  /** Half-life of the slow throughput average, seconds of transfer. Default 6. */
  readonly slowHalfLifeS?: number;
  /** Estimate before the first kept sample, kbps. Default 500 (hls.js). */
  readonly defaultEstimateKbps?: number;
  /** Samples with fewer bytes feed only the latency, bytes. Default 16000 (Shaka's minBytes). */
  readonly minSampleBytes?: number;
  /** Transfers shorter than this are cache hits and feed only the latency, ms. Default 5 (Shaka). */
  readonly cacheHitMs?: number;
  /** A sample idle for more than this fraction of its transfer feeds only the latency. Default 0.5. */
  readonly maxIdleFraction?: number;
  /** Kept samples in a row above the slow average after which the fast one is the estimate. Default 3. */
  readonly recoverySamples?: number;
  /** Half-life of the time-to-first-byte average, samples. Default 4. */
  readonly latencyHalfLifeSamples?: number;
}

const OPTION_NAMES = [
  'fastHalfLifeS',
  'slowHalfLifeS',
  'defaultEstimateKbps',
  'minSampleBytes',
  'cacheHitMs',
  'maxIdleFraction',
  'recoverySamples',
  'latencyHalfLifeSamples',
] as const;

/** What the estimator did with a sample (for tests and logs). */
export type LiveEdgeSampleUse = 'throughput' | 'latency-only' | 'ignored';

/** See the file comment. */
export class LiveEdgeEstimator implements ThroughputEstimator, LatencyEstimator {
  readonly name = 'live-edge';
  private readonly fast: Ewma;
  private readonly slow: Ewma;
  private readonly ttfb: Ewma;
  private readonly o: Required<LiveEdgeEstimatorOptions>;
  private kept = 0;
  private aboveSlowInARow = 0;

  constructor(options: LiveEdgeEstimatorOptions = {}) {
    rejectUnknownOptions('LiveEdgeEstimator', options, OPTION_NAMES);
    const positive = { min: 0, exclusiveMin: true };
    const nonNegative = { min: 0 };
    this.o = {
      fastHalfLifeS: checkNumber('fastHalfLifeS', options.fastHalfLifeS, 2, positive),
      slowHalfLifeS: checkNumber('slowHalfLifeS', options.slowHalfLifeS, 6, positive),
      defaultEstimateKbps: checkNumber('defaultEstimateKbps', options.defaultEstimateKbps, 500, positive),
      minSampleBytes: checkNumber('minSampleBytes', options.minSampleBytes, 16_000, nonNegative),
      cacheHitMs: checkNumber('cacheHitMs', options.cacheHitMs, 5, nonNegative),
      maxIdleFraction: checkNumber('maxIdleFraction', options.maxIdleFraction, 0.5, nonNegative),
      recoverySamples: checkNumber('recoverySamples', options.recoverySamples, 3, { min: 1, integer: true }),
      latencyHalfLifeSamples: checkNumber(
        'latencyHalfLifeSamples',
        options.latencyHalfLifeSamples,
        4,
        positive,
      ),
    };
    this.fast = new Ewma(this.o.fastHalfLifeS);
    this.slow = new Ewma(this.o.slowHalfLifeS);
    this.ttfb = new Ewma(this.o.latencyHalfLifeSamples);
  }

  addSample(sample: DownloadSample): void {
    this.use(sample);
  }

  /** Adds a sample and says how it was used. */
  use(sample: DownloadSample): LiveEdgeSampleUse {
    const ttfbMs = sample.firstByteMs - sample.startMs;
    if (!(ttfbMs >= 0) || !Number.isFinite(ttfbMs)) return 'ignored';
    this.ttfb.sample(1, ttfbMs);
    if (sample.aborted === true) return 'latency-only';
    const idleMs = Math.max(0, sample.idleMs ?? 0);
    const transferMs = sample.endMs - sample.firstByteMs;
    const busyMs = transferMs - idleMs;
    if (sample.sizeBytes < this.o.minSampleBytes || !(busyMs >= this.o.cacheHitMs)) return 'latency-only';
    if (transferMs > 0 && idleMs / transferMs > this.o.maxIdleFraction) return 'latency-only';
    const kbps = (sample.sizeBytes * 8) / busyMs;
    const slowBefore = this.slow.estimate();
    this.aboveSlowInARow = slowBefore !== null && kbps > slowBefore ? this.aboveSlowInARow + 1 : 0;
    const weightS = busyMs / 1000;
    this.fast.sample(weightS, kbps);
    this.slow.sample(weightS, kbps);
    this.kept++;
    return 'throughput';
  }

  estimate(): ThroughputEstimate {
    const fast = this.fast.estimate();
    const slow = this.slow.estimate();
    if (fast === null || slow === null) return { throughputKbps: this.o.defaultEstimateKbps, sampleCount: 0 };
    const recovering = this.aboveSlowInARow >= this.o.recoverySamples;
    return { throughputKbps: recovering ? fast : Math.min(fast, slow), sampleCount: this.kept };
  }

  /** The time-to-first-byte estimate, ms; null before any sample. */
  estimateMs(): number | null {
    return this.ttfb.estimate();
  }

  reset(): void {
    this.fast.reset();
    this.slow.reset();
    this.ttfb.reset();
    this.kept = 0;
    this.aboveSlowInARow = 0;
  }
}
