import { describe, expect, it } from 'vitest';
import { createAlgorithm } from '../../src/abr/registry.js';
import { AbrkitError } from '../../src/core/errors.js';
import { EwmaEstimator } from '../../src/estimators/ewma-estimator.js';
import { createFallbackHook, pickFallback } from '../../src/player/fallback.js';
import { BufferModel } from '../../src/session/buffer-model.js';
import { StreamingSession } from '../../src/session/session.js';
import type { LoadCallbacks, LoadHandle, SegmentRequest, SegmentSource } from '../../src/session/types.js';
import { LinkModel } from '../../src/sim/network/link.js';
import { TraceSource } from '../../src/sim/trace-source.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';

const POLICY = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1000 };
const http404 = (): AbrkitError =>
  new AbrkitError('network', 'HTTP_404', 'HTTP 404', { fatal: false, data: { source: 'x', status: 404 } });
const request = (renditionIndex: number, attempt: number, segmentIndex = 3): SegmentRequest => ({
  segmentIndex,
  renditionIndex,
  sizeBytes: null,
  durationMs: 2000,
  attempt,
});

describe('pickFallback', () => {
  it('goes to the highest lower rendition not failed, then up to the cap, then gives up', () => {
    expect(pickFallback(3, 3, new Set([3]))).toBe(2);
    expect(pickFallback(3, 3, new Set([3, 2]))).toBe(1);
    expect(pickFallback(0, 3, new Set([0]))).toBe(1);
    expect(pickFallback(0, 3, new Set([0, 1, 2]))).toBe(3);
    expect(pickFallback(1, 1, new Set([0, 1]))).toBeNull();
    // never above the cap: the session would clamp it back onto a failed rendition
    expect(pickFallback(2, 2, new Set([0, 1, 2]))).toBeNull();
  });
});

describe('createFallbackHook', () => {
  it('retries at the same rendition with a jittered backoff, then falls back lower, then gives up', () => {
    const seen: { delayMs: number; renditionIndex: number }[] = [];
    const hook = createFallbackHook({
      policy: POLICY,
      renditionCount: 2,
      maxRendition: () => 1,
      random: () => 0.5,
      onRetry: (_e, _r, next) => seen.push(next),
    });
    // attempt n waits uniform[0, min(max, base * 2^(n-1))): with random 0.5, half the cap
    expect(hook(http404(), request(1, 1))).toEqual({ delayMs: 50 });
    expect(hook(http404(), request(1, 2))).toEqual({ delayMs: 100 });
    expect(hook(http404(), request(1, 3))).toEqual({ delayMs: 50, renditionIndex: 0 });
    expect(hook(http404(), request(0, 1))).toEqual({ delayMs: 50 });
    expect(hook(http404(), request(0, 2))).toEqual({ delayMs: 100 });
    expect(hook(http404(), request(0, 3))).toBeNull();
    expect(seen.map((s) => s.renditionIndex)).toEqual([1, 1, 0, 0, 0]);
    // failures are remembered per segment: another segment starts afresh
    expect(hook(http404(), request(1, 3, 4))).toEqual({ delayMs: 50, renditionIndex: 0 });
  });

  it('does not retry an error that retrying cannot fix (a media error, an abort): it falls back at once', () => {
    const hook = createFallbackHook({
      policy: POLICY,
      renditionCount: 3,
      maxRendition: () => 2,
      random: () => 0,
    });
    const media = new AbrkitError('media', 'APPEND_FAILED', 'bad', { data: { source: 'x' } });
    expect(hook(media, request(2, 1))).toEqual({ delayMs: 0, renditionIndex: 1 });
    const aborted = new AbrkitError('network', 'ABORTED', 'aborted', { fatal: false });
    expect(hook(aborted, request(1, 1))).toEqual({ delayMs: 0, renditionIndex: 0 });
  });
});

/** The simulator's trace source, failing every download of `failSegment` at renditions >= `failFrom`. */
class FailingSource implements SegmentSource {
  failures = 0;
  constructor(
    private readonly inner: SegmentSource,
    private readonly clock: VirtualClock,
    private readonly failSegment: number,
    private readonly failFrom: number,
  ) {}
  load(request: SegmentRequest, callbacks: LoadCallbacks, wantProgress: boolean): LoadHandle {
    if (request.segmentIndex !== this.failSegment || request.renditionIndex < this.failFrom) {
      return this.inner.load(request, callbacks, wantProgress);
    }
    const startMs = this.clock.nowMs();
    const cancel = this.clock.setTimer(() => {
      this.failures++;
      callbacks.onError(http404());
    }, 30);
    return {
      abort: () => {
        cancel();
        const nowMs = this.clock.nowMs();
        return { startMs, firstByteMs: nowMs, endMs: nowMs, sizeBytes: 0, aborted: true };
      },
    };
  }
}

describe('the fallback hook in the session loop (simulator network and buffer models as fakes)', () => {
  function run(failFrom: number) {
    const clock = new VirtualClock();
    const trace = { name: 'flat', periods: [{ durationMs: 1000, bandwidthKbps: 5000, latencyMs: 20 }] };
    const source = new FailingSource(new TraceSource(clock, new LinkModel(trace)), clock, 2, failFrom);
    const bitrates = [200, 400, 800, 1600];
    const errors: { code: string; willRetry: boolean }[] = [];
    const session = new StreamingSession({
      clock,
      source,
      sink: new BufferModel(clock),
      algorithm: createAlgorithm('throughput'),
      media: {
        segmentDurationMs: 2000,
        renditions: bitrates.map((bitrateKbps, index) => ({ index, bitrateKbps })),
        segmentCount: 6,
        segmentSizeBytes: (_s, r) => ((bitrates[r] ?? 0) * 2000) / 8,
      },
      throughputEstimator: new EwmaEstimator(),
      qoeTerm: () => 0,
      bufferTargetMs: 10_000,
      onError: createFallbackHook({
        policy: POLICY,
        renditionCount: 4,
        maxRendition: () => 3,
        random: () => 0.5,
      }),
    });
    session.events.on('error', (e) => errors.push({ code: e.error.code, willRetry: e.willRetry }));
    session.start();
    clock.run();
    return { session, source, errors };
  }

  it('plays on at a lower rendition when one segment keeps failing above it', () => {
    const { session, source, errors } = run(1);
    expect(session.error).toBeNull();
    expect(session.records.map((r) => r.segment)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(session.records[2]?.rendition).toBe(0);
    // at 5 Mbps the throughput rule is at the top before segment 2: 3 tries at 3, 2 and 1 each
    expect(session.records[1]?.rendition).toBe(3);
    expect(source.failures).toBe(9);
    expect(errors.every((e) => e.code === 'HTTP_404' && e.willRetry)).toBe(true);
    expect(session.records[3]?.rendition).toBe(3);
  });

  it('ends the session with the error when no rendition can deliver the segment', () => {
    const { session, source, errors } = run(0);
    expect(session.error?.code).toBe('HTTP_404');
    expect(session.records.map((r) => r.segment)).toEqual([0, 1]);
    expect(source.failures).toBe(12);
    expect(errors.at(-1)).toEqual({ code: 'HTTP_404', willRetry: false });
  });
});
