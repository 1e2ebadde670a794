import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import { createNetworkModel } from '../../src/sim/network/index.js';
import { LinkModel } from '../../src/sim/network/link.js';
import { PensieveModel, pensieveSamples } from '../../src/sim/network/pensieve.js';
import { TraceSource } from '../../src/sim/trace-source.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import type { NetworkTrace } from '../../src/traces/model.js';

function cooked(timesS: number[], throughputsMbps: number[]): NetworkTrace {
  return {
    name: 'cooked',
    periods: [{ durationMs: 1, bandwidthKbps: 1, latencyMs: 80 }],
    pensieve: { timesS, throughputsMbps },
  };
}

// 8 Mbps delivers 8e6 / 8 * 0.95 = 950,000 bytes/s; 4 Mbps 475,000 bytes/s
describe('Pensieve network model (fixed_env.py)', () => {
  const trace = cooked([0, 1, 2], [8, 8, 4]);

  it('walks slots, the last one fractionally, then adds the 80 ms RTT', () => {
    const model = new PensieveModel(trace);
    // 950,000 B in slot 1 (1 s) + 237,500 B of slot 2 (0.5 s) = 1.5 s + 80 ms
    const plan = model.begin(0, 1_187_500);
    expect(plan.firstByteMs).toBe(80);
    expect(plan.endMs).toBeCloseTo(1580, 9);
    model.end(plan, plan.endMs);
  });

  it('wraps to line 1 with the clock at 0, and the RTT does not move the trace clock', () => {
    const model = new PensieveModel(trace);
    const first = model.begin(0, 1_187_500);
    model.end(first, first.endMs);
    // trace clock at 1.5 s: 0.5 s of slot 2 (237,500 B), wrap, 0.5 s of slot 1 (475,000 B)
    const second = model.begin(first.endMs, 712_500);
    expect(second.endMs - second.startMs).toBeCloseTo(1080, 9);
  });

  it('idle time (sleep) moves the trace clock across slots and the wrap', () => {
    const model = new PensieveModel(trace);
    const first = model.begin(0, 1_187_500);
    model.end(first, first.endMs);
    // sleep 700 ms: 0.5 s to the end of slot 2, wrap, 0.2 s into slot 1; then 95,000 B = 0.1 s at 8 Mbps
    const after = model.begin(first.endMs + 700, 95_000);
    expect(after.endMs - after.startMs).toBeCloseTo(180, 9);
  });

  it('starts at time[0] but later loops start at 0 (a first line at t > 0 makes slot 1 longer after the wrap)', () => {
    const model = new PensieveModel(cooked([10, 11, 12], [0, 8, 8]));
    const first = model.begin(0, 1_900_000); // (10, 11] and (11, 12] exactly
    expect(first.endMs).toBeCloseTo(2080, 9);
    model.end(first, first.endMs);
    // after the wrap slot 1 spans (0, 11]: 4,750,000 B take 5 s of it
    const second = model.begin(first.endMs, 4_750_000);
    expect(second.endMs - second.startMs).toBeCloseTo(5080, 9);
    const oracle = model.oracle();
    expect(oracle.nonAdvancingMs).toBe(80);
    expect(oracle.downloadMs(0, 1_900_000)).toBeCloseTo(2080, 9);
    expect(oracle.downloadMs(2000, 4_750_000)).toBeCloseTo(5080, 9);
  });

  it('the oracle agrees with the sequential walk on the trace clock', () => {
    const model = new PensieveModel(trace);
    const oracle = model.oracle();
    expect(oracle.downloadMs(0, 1_187_500)).toBeCloseTo(1580, 9);
    expect(oracle.downloadMs(1500, 712_500)).toBeCloseTo(1080, 9);
    expect(oracle.downloadMs(2200, 95_000)).toBeCloseTo(180, 9);
  });

  it('reports progress bytes and the time of a byte count', () => {
    const model = new PensieveModel(trace);
    const plan = model.begin(0, 1_187_500);
    expect(plan.loadedBytesAt(80)).toBe(0);
    expect(plan.loadedBytesAt(580)).toBeCloseTo(475_000, 6);
    expect(plan.loadedBytesAt(1330)).toBeCloseTo(950_000 + 118_750, 6);
    expect(plan.timeAtBytes(950_000)).toBeCloseTo(1080, 9);
    expect(plan.loadedBytesAt(5000)).toBe(1_187_500);
  });

  it('converts period traces like the shared cooked copies', () => {
    const samples = pensieveSamples({
      name: 'p',
      periods: [
        { durationMs: 1013, bandwidthKbps: 1285, latencyMs: 100 },
        { durationMs: 1008, bandwidthKbps: 1693, latencyMs: 100 },
      ],
    });
    expect(Array.from(samples.timesS)).toEqual([0, 1.013, 2.021]);
    expect(Array.from(samples.throughputsMbps)).toEqual([1.285, 1.285, 1.693]);
  });

  it('rejects a trace that never delivers', () => {
    expect(() => new PensieveModel(cooked([0, 1], [5, 0]))).toThrow(AbrkitError);
  });
});

describe('Sabre link model', () => {
  const trace: NetworkTrace = {
    name: 'two',
    periods: [
      { durationMs: 1000, bandwidthKbps: 8000, latencyMs: 100 },
      { durationMs: 1000, bandwidthKbps: 4000, latencyMs: 0 },
    ],
  };

  it('pays the latency then moves bits across periods', () => {
    const link = new LinkModel(trace);
    // first byte at 100; 900 ms x 8000 = 7.2e6 bits, the other 1.6e6 bits at 4000 kbps take 400 ms
    const plan = link.begin(0, 1_100_000);
    expect(plan.firstByteMs).toBe(100);
    expect(plan.endMs).toBeCloseTo(1400, 9);
    expect(plan.loadedBytesAt(500)).toBeCloseTo(400_000, 6);
    expect(plan.timeAtBytes(900_000)).toBeCloseTo(1000, 9);
    expect(link.downloadMs(0, 1_100_000)).toBeCloseTo(1400, 9);
  });

  it('loops the trace', () => {
    const link = new LinkModel(trace);
    expect(link.downloadMs(2000, 1_100_000)).toBeCloseTo(1400, 9);
    expect(link.downloadMs(40_000, 1_100_000)).toBeCloseTo(1400, 9);
    // from 1500 (period 1, latency 0): 500 ms x 4000 = 2e6 bits, then the other 2e6 bits at 8000 kbps in
    // the next loop (the latency is paid once, at the request, not again when the trace loops)
    expect(link.downloadMs(1500, 500_000)).toBeCloseTo(500 + 250, 9);
  });

  it('walks a latency longer than its period in latency units (do_latency_delay)', () => {
    const link = new LinkModel({
      name: 'lat',
      periods: [
        { durationMs: 100, bandwidthKbps: 8000, latencyMs: 200 },
        { durationMs: 1000, bandwidthKbps: 8000, latencyMs: 50 },
      ],
    });
    // 100 ms pay half the 200 ms latency; the other half unit costs 25 ms at 50 ms
    expect(link.firstByteMs(0)).toBeCloseTo(125, 9);
  });

  it('rejects a trace without bandwidth', () => {
    expect(
      () => new LinkModel({ name: 'dead', periods: [{ durationMs: 1000, bandwidthKbps: 0, latencyMs: 0 }] }),
    ).toThrow(AbrkitError);
  });

  it('is chosen by name', () => {
    expect(createNetworkModel('sabre', trace).name).toBe('sabre');
    expect(createNetworkModel('abrkit', trace).name).toBe('abrkit');
    expect(createNetworkModel('pensieve', trace).name).toBe('pensieve');
    expect(() => createNetworkModel('nope' as never, trace)).toThrow(TypeError);
  });
});

describe('TraceSource', () => {
  it('reports progress every 50 ms and 12000 bits (Sabre), then completes', () => {
    const clock = new VirtualClock();
    const source = new TraceSource(
      clock,
      new LinkModel({ name: 'c', periods: [{ durationMs: 10_000, bandwidthKbps: 8000, latencyMs: 100 }] }),
    );
    const progress: { nowMs: number; loadedBytes: number; firstByteMs: number | null }[] = [];
    let endMs = -1;
    source.load(
      { segmentIndex: 0, renditionIndex: 0, sizeBytes: 200_000, durationMs: 1000, attempt: 1 },
      {
        onProgress: (p) =>
          progress.push({ nowMs: p.nowMs, loadedBytes: p.loadedBytes, firstByteMs: p.firstByteMs }),
        onComplete: (s) => (endMs = s.endMs),
        onError: () => {},
      },
      true,
    );
    clock.run();
    // first report: >= 50 ms after the request and >= 1500 B: 1500 B arrive at 101.5 ms
    expect(progress[0]!.nowMs).toBeCloseTo(101.5, 9);
    expect(progress[0]!.loadedBytes).toBeCloseTo(1500, 6);
    expect(progress[0]!.firstByteMs).toBe(100);
    expect(progress[1]!.nowMs).toBeCloseTo(151.5, 9);
    expect(progress[1]!.loadedBytes).toBeCloseTo(51_500, 6);
    expect(endMs).toBeCloseTo(300, 9);
    expect(progress.every((p) => p.nowMs < endMs)).toBe(true);
  });

  it('aborts with what arrived and needs known sizes', () => {
    const clock = new VirtualClock();
    const source = new TraceSource(
      clock,
      new LinkModel({ name: 'c', periods: [{ durationMs: 10_000, bandwidthKbps: 8000, latencyMs: 0 }] }),
    );
    let completed = false;
    const cb = { onProgress: () => {}, onComplete: () => (completed = true), onError: () => {} };
    const handle = source.load(
      { segmentIndex: 0, renditionIndex: 0, sizeBytes: 200_000, durationMs: 1000, attempt: 1 },
      cb,
      false,
    );
    clock.run(120);
    expect(handle.abort()).toEqual({
      startMs: 0,
      firstByteMs: 0,
      endMs: 120,
      sizeBytes: 120_000,
      aborted: true,
    });
    clock.run();
    expect(completed).toBe(false);
    expect(() =>
      source.load(
        { segmentIndex: 3, renditionIndex: 1, sizeBytes: null, durationMs: 1000, attempt: 1 },
        cb,
        false,
      ),
    ).toThrow(AbrkitError);
  });
});
