/**
 * Live streams in the session loop (src/session/live.ts and `SessionOptions.live`): the catch-up policy,
 * the clock schedule, waiting for availability, the buffer bounded by the latency target, the latency in
 * contexts and records, and catch-up through the sink's playback rate. All on a virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { BufferModel } from '../../src/session/buffer-model.js';
import {
  DEFAULT_CATCH_UP,
  catchUpOptions,
  catchUpPlaybackRate,
  clockLiveSchedule,
  shouldSeekToLive,
  type SessionLive,
} from '../../src/session/live.js';
import { StreamingSession, mediaFromVideo } from '../../src/session/session.js';
import type { MediaSink } from '../../src/session/types.js';
import { LinkModel } from '../../src/sim/network/link.js';
import { TraceSource } from '../../src/sim/trace-source.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import type { NetworkTrace } from '../../src/traces/model.js';
import { CountingEstimator, FixedAlgorithm, constantTrace, flatVideo, simpleQoe } from './helpers.js';

describe('catchUpPlaybackRate', () => {
  const at = (latencyMs: number, bufferLevelMs = 2000, o = DEFAULT_CATCH_UP): number =>
    catchUpPlaybackRate({ latencyMs, targetLatencyMs: 3000, bufferLevelMs }, o);

  it('is 1 within the dead band and never slows down by default', () => {
    expect([2900, 3000, 3100, 500, 2000].map((l) => at(l))).toEqual([1, 1, 1, 1, 1]);
  });

  it('speeds up smoothly with the deviation, bounded by maxRate', () => {
    const rates = [3200, 3500, 4000, 5000, 8000, 60_000].map((l) => at(l, 100_000));
    for (let i = 1; i < rates.length; i++) expect(rates[i]!).toBeGreaterThan(rates[i - 1]!);
    expect(rates[0]!).toBeGreaterThan(1);
    expect(rates.at(-1)!).toBeLessThanOrEqual(1.1);
    expect(rates.at(-1)!).toBeGreaterThan(1.099);
    // tanh(5 · 0.5 / 2) = 0.848...: half a second behind gives 1 + 0.1 · 0.848
    expect(at(3500)).toBeCloseTo(1 + 0.1 * Math.tanh(1.25), 12);
    expect(at(3500, 1000)).toBe(at(3500)); // 500 ms of buffer above the 500 ms floor: all of it catchable
  });

  it('catches up only the latency the buffer holds above its floor, and slows down only when allowed', () => {
    expect(at(6000, 499)).toBe(1);
    expect(at(6000, 600)).toBe(1); // 100 ms above the floor: within the dead band
    // 3 s behind with 1.2 s of buffer: only 700 ms of it can be played out faster
    expect(at(6000, 1200)).toBeCloseTo(1 + 0.1 * Math.tanh((5 * 0.7) / 2), 12);
    expect(at(6000, 1200)).toBe(at(3700, 100_000));
    // the session keeps a segment's duration out of it
    const withSafe = (bufferLevelMs: number): number =>
      catchUpPlaybackRate({ latencyMs: 6000, targetLatencyMs: 3000, bufferLevelMs, safeBufferMs: 2000 });
    expect(withSafe(2000)).toBe(1);
    expect(withSafe(2700)).toBe(at(3700, 100_000));
    const slow = catchUpOptions({ minRate: 0.9 });
    expect(at(1000, 2000, slow)).toBeLessThan(1);
    expect(at(1000, 2000, slow)).toBeGreaterThanOrEqual(0.9);
    expect(at(-1e9, 2000, slow)).toBeCloseTo(0.9, 12);
  });

  it('says when to seek instead, and refuses bad options by name', () => {
    expect(shouldSeekToLive(9000, 3000)).toBe(false);
    expect(shouldSeekToLive(9001, 3000)).toBe(true);
    expect(() => catchUpOptions({ maxRate: 0.9 })).toThrow(/catchUp\.maxRate/);
    expect(() => catchUpOptions({ minRate: 0 })).toThrow(/catchUp\.minRate/);
    expect(() => catchUpOptions({ toleranceMs: Number.NaN })).toThrow(/catchUp\.toleranceMs/);
  });
});

describe('clockLiveSchedule', () => {
  it('makes segment i available when its end reaches the edge, and moves the edge with the clock', () => {
    const clock = new VirtualClock(0);
    const live = clockLiveSchedule({ clock, segmentDurationMs: 2000, targetLatencyMs: 3000 });
    expect(live.liveEdgeMs(0)).toBe(3000);
    expect(live.liveEdgeMs(1500)).toBe(4500);
    const readyAt: number[] = [];
    for (const i of [0, 1, 2]) live.whenAvailable(i, () => readyAt.push(clock.nowMs()));
    expect(readyAt).toEqual([0]); // segment 0 ([0, 2000)) is already out: synchronously
    const cancel = live.whenAvailable(3, () => readyAt.push(-1));
    cancel();
    clock.run();
    expect(readyAt).toEqual([0, 1000, 3000]);
  });
});

interface LiveRun {
  readonly trace: NetworkTrace;
  readonly segments?: number;
  readonly targetLatencyMs?: number;
  readonly sink?: (clock: VirtualClock) => MediaSink;
  readonly live?: (clock: VirtualClock) => SessionLive;
}

/** 2 s segments of 100 kB / 300 kB; a FixedAlgorithm at rendition 0. */
function runLive(setup: LiveRun) {
  const clock = new VirtualClock(0);
  const video = flatVideo(setup.segments ?? 10, 2000, [400, 1200], [100_000, 300_000]);
  const sink = setup.sink?.(clock) ?? new BufferModel(clock);
  const algorithm = new FixedAlgorithm(0);
  const rates: number[] = [];
  const session = new StreamingSession({
    clock,
    source: new TraceSource(clock, new LinkModel(setup.trace), { progressMinMs: 50, progressMinBytes: 0 }),
    sink,
    algorithm,
    media: mediaFromVideo(video),
    throughputEstimator: new CountingEstimator(),
    qoeTerm: simpleQoe,
    bufferTargetMs: 30_000,
    live:
      setup.live?.(clock) ??
      clockLiveSchedule({ clock, segmentDurationMs: 2000, targetLatencyMs: setup.targetLatencyMs ?? 3000 }),
  });
  const idles: number[] = [];
  session.events.on('idle', (e) => idles.push(e.durationMs));
  session.start();
  const step = (): void => {
    rates.push(sink.playbackRate());
    if (!session.ended) clock.setTimer(step, 100);
  };
  step();
  clock.run();
  return { session, algorithm, sink, idles, rates, clock };
}

describe('StreamingSession live', () => {
  it('fetches each segment once available, bounds the buffer by the latency target, and logs the latency', () => {
    // 8000 kbps: a 100 kB segment takes 100 ms
    const { session, algorithm, idles } = runLive({ trace: constantTrace(8000) });
    // segment i is available at (i + 1) · 2000 − 3000; no fetch starts above 3000 ms of buffer (the
    // buffer target becomes 3000 + 2000)
    expect(algorithm.contexts.map((c) => c.nowMs)).toEqual([
      0, 1000, 3000, 5000, 7000, 9000, 11_000, 13_000, 15_000, 17_000,
    ]);
    expect(algorithm.contexts.every((c) => c.bufferTargetMs === 5000)).toBe(true);
    expect(algorithm.contexts.every((c) => c.bufferLevelMs <= 3000)).toBe(true);
    // playback starts at 100 ms with segment 0 at media time 0, while the edge was at 3000 + 100
    expect(session.records.map((r) => r.latencyMs)).toEqual(Array(10).fill(3100));
    expect(session.records.every((r) => r.playbackRate === 1)).toBe(true);
    const ctx = algorithm.contexts[3]!;
    expect(ctx.live).toEqual({ latencyMs: 3100, liveEdgeMs: 8000, targetLatencyMs: 3000, playbackRate: 1 });
    // idle: waiting for each segment to become available (the buffer, 3000 ms after each append, leaves room)
    expect(idles.slice(0, 6)).toEqual([900, 1900, 1900, 1900, 1900, 1900]);
    expect(session.error).toBeNull();
  });

  it('never asks for a segment before the edge has passed its end, whatever the latency target', () => {
    for (const targetLatencyMs of [2000, 3000, 5000, 7000, 12_000]) {
      const { algorithm, session } = runLive({ trace: constantTrace(3000), targetLatencyMs, segments: 15 });
      for (const ctx of algorithm.contexts) {
        expect((ctx.segmentIndex + 1) * 2000).toBeLessThanOrEqual(ctx.live!.liveEdgeMs + 1e-9);
        expect(ctx.bufferTargetMs).toBe(targetLatencyMs + 2000);
        expect(ctx.bufferLevelMs).toBeLessThanOrEqual(targetLatencyMs + 1e-9);
      }
      expect(session.records.length).toBe(15);
      for (const r of session.records) expect(r.bufferMs).toBeLessThanOrEqual(targetLatencyMs + 2000 + 1e-9);
    }
  });

  it('catches up after a stall with a bounded playback rate, and stops once back at the target', () => {
    // 4 s at 150 kbps from 4 s: segment 3 stalls, the latency grows by the stall
    const trace: NetworkTrace = {
      name: 'dip',
      periods: [
        { durationMs: 4000, bandwidthKbps: 8000, latencyMs: 0 },
        { durationMs: 4000, bandwidthKbps: 150, latencyMs: 0 },
        { durationMs: 600_000, bandwidthKbps: 8000, latencyMs: 0 }, // the link model loops the trace
      ],
    };
    const { session, rates, sink, algorithm } = runLive({ trace, segments: 40 });
    // behind the target, the extra latency does not turn into buffer: no fetch starts above 3 s of it
    expect(algorithm.contexts.every((c) => c.bufferLevelMs <= 3000 + 1e-9)).toBe(true);
    const latencies = session.records.map((r) => r.latencyMs!);
    const peak = Math.max(...latencies);
    expect(peak).toBeGreaterThan(4000);
    expect((sink as BufferModel).stallMs()).toBeGreaterThan(0);
    expect(Math.max(...rates)).toBeGreaterThan(1);
    expect(Math.max(...rates)).toBeLessThanOrEqual(1.1);
    expect(Math.min(...rates)).toBe(1);
    // back within the dead band (3000 ± 100, plus the 100 ms start offset) by the end
    expect(latencies.at(-1)!).toBeLessThan(3200 + 1e-9);
    expect(rates.at(-1)).toBe(1);
  });

  it('leaves the rate alone without catch-up or without a sink that can change it', () => {
    const trace: NetworkTrace = {
      name: 'dip',
      periods: [
        { durationMs: 4000, bandwidthKbps: 8000, latencyMs: 0 },
        { durationMs: 4000, bandwidthKbps: 150, latencyMs: 0 },
        { durationMs: 600_000, bandwidthKbps: 8000, latencyMs: 0 }, // the link model loops the trace
      ],
    };
    const off = runLive({
      trace,
      segments: 20,
      live: (clock) =>
        clockLiveSchedule({ clock, segmentDurationMs: 2000, targetLatencyMs: 3000, catchUp: null }),
    });
    expect(new Set(off.rates)).toEqual(new Set([1]));
    const fixedRate = runLive({
      trace,
      segments: 20,
      sink: (clock) => {
        const model = new BufferModel(clock);
        return {
          bufferLevelMs: () => model.bufferLevelMs(),
          append: (s) => model.append(s),
          stallMs: () => model.stallMs(),
          stallCount: () => model.stallCount(),
          started: () => model.started(),
          playbackRate: () => model.playbackRate(),
          endOfStream: () => model.endOfStream(),
        };
      },
    });
    expect(new Set(fixedRate.rates)).toEqual(new Set([1]));
    // without catch-up the latency keeps the stall
    expect(off.session.records.at(-1)!.latencyMs!).toBeGreaterThan(4000);
  });

  it('refuses a bad latency target, and stop() cancels a wait for availability', () => {
    const clock = new VirtualClock(0);
    const make = (live: SessionLive): StreamingSession =>
      new StreamingSession({
        clock,
        source: new TraceSource(clock, new LinkModel(constantTrace(8000))),
        sink: new BufferModel(clock),
        algorithm: new FixedAlgorithm(0),
        media: mediaFromVideo(flatVideo(5, 2000, [400], [100_000])),
        throughputEstimator: new CountingEstimator(),
        qoeTerm: simpleQoe,
        bufferTargetMs: 30_000,
        live,
      });
    const never: SessionLive = { targetLatencyMs: 3000, liveEdgeMs: () => 0, whenAvailable: () => () => {} };
    expect(() => make({ ...never, targetLatencyMs: 0 })).toThrow(/live\.targetLatencyMs/);
    let cancelled = 0;
    const session = make({ ...never, whenAvailable: () => () => void cancelled++ });
    session.start();
    expect(session.ended).toBe(false);
    session.stop();
    expect(cancelled).toBe(1);
    expect(session.ended).toBe(true);
  });

  it('gives VOD contexts no live field', () => {
    const clock = new VirtualClock(0);
    const algorithm = new FixedAlgorithm(0);
    const session = new StreamingSession({
      clock,
      source: new TraceSource(clock, new LinkModel(constantTrace(8000))),
      sink: new BufferModel(clock),
      algorithm,
      media: mediaFromVideo(flatVideo(2, 2000, [400], [100_000])),
      throughputEstimator: new CountingEstimator(),
      qoeTerm: simpleQoe,
      bufferTargetMs: 30_000,
    });
    session.start();
    clock.run();
    expect(algorithm.contexts.every((c) => !('live' in c))).toBe(true);
    expect(session.records.every((r) => !('latencyMs' in r))).toBe(true);
    expect(session.liveState()).toBeNull();
  });
});
