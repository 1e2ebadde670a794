/** Test-local fixtures for the session loop: tiny algorithms, a counting estimator, constant traces. */
import type { AbrAlgorithm, AbrContext, AbrDecision } from '../../src/abr/types.js';
import type { DownloadProgress, DownloadSample } from '../../src/core/types.js';
import type { ThroughputEstimate, ThroughputEstimator } from '../../src/estimators/types.js';
import type { QoeTermFunction } from '../../src/session/types.js';
import type { NetworkTrace } from '../../src/traces/model.js';
import type { VideoDescription } from '../../src/videos/model.js';

/** Always picks `rendition`; records every context it saw. */
export class FixedAlgorithm implements AbrAlgorithm {
  readonly name = 'fixed';
  readonly contexts: AbrContext[] = [];
  readonly downloaded: DownloadSample[] = [];
  readonly idles: number[] = [];
  resets = 0;
  constructor(
    private readonly rendition: number,
    private readonly delayMs = 0,
  ) {}
  choose(ctx: AbrContext): AbrDecision {
    this.contexts.push(ctx);
    return { renditionIndex: this.rendition, delayMs: this.delayMs, reason: 'fixed' };
  }
  onDownloaded(sample: DownloadSample): void {
    this.downloaded.push(sample);
  }
  onIdle(durationMs: number): void {
    this.idles.push(durationMs);
  }
  reset(): void {
    this.resets++;
  }
}

/** Picks `rendition`, abandons to `to` as soon as a progress report of a higher rendition arrives. */
export class AbandoningAlgorithm extends FixedAlgorithm {
  readonly progress: DownloadProgress[] = [];
  constructor(
    rendition: number,
    private readonly to: number,
  ) {
    super(rendition);
  }
  shouldAbandon(progress: DownloadProgress): number | null {
    this.progress.push(progress);
    return progress.renditionIndex > this.to && progress.loadedBytes > 0 ? this.to : null;
  }
}

/** Mean of transfer throughputs; counts samples. */
export class CountingEstimator implements ThroughputEstimator {
  readonly name = 'counting';
  samples: DownloadSample[] = [];
  addSample(sample: DownloadSample): void {
    this.samples.push(sample);
  }
  estimate(): ThroughputEstimate {
    return { throughputKbps: 1000, sampleCount: this.samples.length };
  }
  reset(): void {
    this.samples = [];
  }
}

/** A bitrate/1000 - rebuffer_s term (QoE_lin without the switch term). */
export const simpleQoe: QoeTermFunction = (i) => i.bitrateKbps / 1000 - i.rebufferMs / 1000;

/** One period repeating forever. */
export function constantTrace(bandwidthKbps: number, latencyMs = 0): NetworkTrace {
  return { name: `const-${bandwidthKbps}`, periods: [{ durationMs: 1000, bandwidthKbps, latencyMs }] };
}

/** `count` segments of `durationMs`, every segment `sizesBytes[r]` at rendition r. */
export function flatVideo(
  count: number,
  durationMs: number,
  bitratesKbps: number[],
  sizesBytes: number[],
): VideoDescription {
  return {
    name: 'flat',
    segmentDurationMs: durationMs,
    renditions: bitratesKbps.map((bitrateKbps, index) => ({ index, bitrateKbps })),
    segmentSizesBytes: Array.from({ length: count }, () => sizesBytes),
  };
}
