import { describe, expect, it } from 'vitest';
import { createAlgorithm } from '../../src/abr/registry.js';
import { AbrkitError } from '../../src/core/errors.js';
import { EwmaEstimator } from '../../src/estimators/ewma-estimator.js';
import { isRetryable, nextRetryDelayMs } from '../../src/net/retry.js';
import { createFallbackHook, pickFallback } from '../../src/player/fallback.js';
import { BufferModel } from '../../src/session/buffer-model.js';
import { StreamingSession } from '../../src/session/session.js';
import type { LoadCallbacks, LoadHandle, SegmentRequest, SegmentSource } from '../../src/session/types.js';
import { LinkModel } from '../../src/sim/network/link.js';
import { TraceSource } from '../../src/sim/trace-source.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';

const POLICY = { maxRetries: Infinity, baseDelayMs: 100, maxDelayMs: 1000, maxTotalMs: 10_000 };
const RULES = { isRetryable, nextRetryDelayMs };
const http =
  (status: number, data: Record<string, unknown> = {}) =>
  (): AbrkitError =>
    new AbrkitError('network', `HTTP_${status}`, `HTTP ${status}`, {
      fatal: false,
      data: { source: 'x', status, ...data },
    });
const http404 = http(404);
const http503 = http(503);
const request = (renditionIndex: number, attempt: number, segmentIndex = 3): SegmentRequest => ({
  segmentIndex,
  renditionIndex,
  sizeBytes: null,
  durationMs: 2000,
  attempt,
});

function hookWith(renditionCount: number, clock = { t: 0 }) {
  const seen: { delayMs: number; renditionIndex: number }[] = [];
  const excludedSeen: number[] = [];
  const excluded = new Set<number>();
  const hook = createFallbackHook({
    policy: POLICY,
    rules: RULES,
    renditionCount,
    maxRendition: () => renditionCount - 1,
    random: () => 0.5,
    nowMs: () => clock.t,
    excluded,
    onExclude: (r) => excludedSeen.push(r),
    onRetry: (_e, _r, next) => seen.push(next),
  });
  return { hook, seen, excluded, excludedSeen, clock };
}

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
  it('retries a 5xx once at the same rendition, then lower, with a jittered backoff growing per segment', () => {
    const { hook, seen } = hookWith(2);
    // failure n of the segment waits uniform[0, min(max, base * 2^(n-1))): with random 0.5, half the cap
    expect(hook(http503(), request(1, 1))).toEqual({ delayMs: 50 });
    expect(hook(http503(), request(1, 2))).toEqual({ delayMs: 100, renditionIndex: 0 });
    expect(hook(http503(), request(0, 1))).toEqual({ delayMs: 200 });
    expect(seen.map((s) => s.renditionIndex)).toEqual([1, 0, 0]);
    // failures are counted per segment: another segment starts afresh
    expect(hook(http503(), request(1, 1, 4))).toEqual({ delayMs: 50 });
  });

  it('keeps trying every rendition while the time budget lasts, then gives up', () => {
    const { hook, clock } = hookWith(2);
    let attempt = 1;
    let rendition = 1;
    let gaveUpAtMs: number | null = null;
    for (let i = 0; i < 100 && gaveUpAtMs === null; i++) {
      const next = hook(http503(), request(rendition, attempt));
      if (next === null) {
        gaveUpAtMs = clock.t;
        break;
      }
      const to = next.renditionIndex ?? rendition;
      attempt = to === rendition ? attempt + 1 : 1;
      rendition = to;
      clock.t += next.delayMs + 100; // the delay, then a 100 ms attempt
    }
    // the delays grow to the 1 s cap (0.5 s with random 0.5): about 20 tries fit in 10 s
    expect(gaveUpAtMs).not.toBeNull();
    expect(gaveUpAtMs!).toBeGreaterThan(POLICY.maxTotalMs - 1000);
    expect(gaveUpAtMs!).toBeLessThanOrEqual(POLICY.maxTotalMs + 1000);
  });

  it('moves on at once from an error retrying cannot fix (404, a media error, an abort), and gives up when none is left', () => {
    const { hook } = hookWith(3);
    expect(hook(http404(), request(2, 1))).toEqual({ delayMs: 0, renditionIndex: 1 });
    const media = new AbrkitError('media', 'APPEND_FAILED', 'bad', { data: { source: 'x' } });
    expect(hook(media, request(1, 1))).toEqual({ delayMs: 0, renditionIndex: 0 });
    const aborted = new AbrkitError('network', 'ABORTED', 'aborted', { fatal: false });
    expect(hook(aborted, request(0, 1))).toBeNull();
  });

  it('fetches a corrupt segment again once, then at another rendition, then gives up', () => {
    const { hook } = hookWith(3);
    const corrupt = (): AbrkitError =>
      new AbrkitError('media', 'CORRUPT_SEGMENT', 'no MP4 box at byte 0', {
        fatal: false,
        data: { source: 'x' },
      });
    expect(hook(corrupt(), request(2, 1))).toEqual({ delayMs: 0 });
    expect(hook(corrupt(), request(2, 2))).toEqual({ delayMs: 0, renditionIndex: 1 });
    expect(hook(corrupt(), request(1, 1))).toBeNull();
  });

  it('excludes a rendition whose video init segment failed beyond its retries, once, and never falls back to it', () => {
    const { hook, excluded, excludedSeen } = hookWith(3);
    const initMissing = http(404, { init: 'video' });
    expect(hook(initMissing(), request(2, 1))).toEqual({ delayMs: 0, renditionIndex: 1 });
    expect([...excluded]).toEqual([2]);
    expect(excludedSeen).toEqual([2]);
    // a later segment failing at 1 falls back to 0, not up to the excluded 2
    expect(hook(http404(), request(1, 1, 5))).toEqual({ delayMs: 0, renditionIndex: 0 });
    expect(hook(http404(), request(0, 1, 5))).toBeNull();
    // a 5xx on an init is retried first; the second failure excludes the rendition
    const initBusy = http(503, { init: 'video' });
    expect(hook(initBusy(), request(1, 1, 6))).toEqual({ delayMs: 50 });
    expect(hook(initBusy(), request(1, 2, 6))).toEqual({ delayMs: 100, renditionIndex: 0 });
    expect(excludedSeen).toEqual([2, 1]);
    // an audio init failing says nothing about the video rendition
    expect(hook(http(404, { init: 'audio' })(), request(0, 1, 7))).toBeNull();
    expect(excludedSeen).toEqual([2, 1]);
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
        rules: RULES,
        renditionCount: 4,
        maxRendition: () => 3,
        random: () => 0.5,
        nowMs: () => clock.nowMs(),
        excluded: new Set(),
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
    // at 5 Mbps the throughput rule is at the top before segment 2: one try at 3, 2 and 1 each (a 404 is not retried)
    expect(session.records[1]?.rendition).toBe(3);
    expect(source.failures).toBe(3);
    expect(errors.every((e) => e.code === 'HTTP_404' && e.willRetry)).toBe(true);
    expect(session.records[3]?.rendition).toBe(3);
  });

  it('ends the session with the error when no rendition can deliver the segment', () => {
    const { session, source, errors } = run(0);
    expect(session.error?.code).toBe('HTTP_404');
    expect(session.records.map((r) => r.segment)).toEqual([0, 1]);
    expect(source.failures).toBe(4);
    expect(errors.at(-1)).toEqual({ code: 'HTTP_404', willRetry: false });
  });
});
