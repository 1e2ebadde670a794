/**
 * Live sessions in the simulator (`simulateSession({ live })`): availability on the live clock, latency in
 * the records, catch-up, LoL+ QoE by default, refusals; VOD sessions keep their records exactly.
 */
import { describe, expect, it } from 'vitest';
import { isAbrkitError } from '../../src/core/errors.js';
import { simulateSession } from '../../src/sim/simulate.js';
import { generateTrace } from '../../src/traces/spec.js';
import type { VideoDescription } from '../../src/videos/model.js';

const video: VideoDescription = {
  name: 'live-test',
  segmentDurationMs: 2000,
  renditions: [300, 1000, 3000].map((bitrateKbps, index) => ({ index, bitrateKbps })),
  segmentSizesBytes: Array.from({ length: 60 }, () => [300, 1000, 3000].map((kbps) => kbps * 250)),
};

describe('simulateSession live', () => {
  it('never plays ahead of the edge, keeps the latency near the target on a steady link, and logs it', () => {
    const { records, summary } = simulateSession({
      video,
      trace: generateTrace('constant:8000'),
      algorithm: 'throughput',
      live: { targetLatencyMs: 4000 },
    });
    expect(records.length).toBe(60);
    for (const r of records) {
      expect(r.latencyMs!).toBeGreaterThanOrEqual(2000); // at least a segment behind the edge
      expect(r.latencyMs!).toBeLessThan(5000);
      expect(r.bufferMs).toBeLessThanOrEqual(4000 + 1e-9);
      expect(r.playbackRate!).toBeGreaterThanOrEqual(1);
      expect(r.playbackRate!).toBeLessThanOrEqual(1.1);
    }
    expect(summary.rebufferMs).toBe(0);
    // the session lasts about the video's duration: segments cannot come faster than the clock makes them
    expect(summary.downloadEndMs).toBeGreaterThan(60 * 2000 - 4000 - 1);
  });

  it('starts exactly the target behind the edge, mid-segment, as the player seeks (startAtTarget)', () => {
    // the edge 1.5 s into a segment: the player seeks to edge − target, 1.5 s into segment 0
    const run = (startAtTarget?: boolean) =>
      simulateSession({
        video,
        trace: generateTrace('constant:8000'),
        algorithm: 'throughput',
        live: {
          targetLatencyMs: 4000,
          edgeAtStartMs: 5500,
          ...(startAtTarget === undefined ? {} : { startAtTarget }),
        },
      }).records;
    const atTarget = run();
    // segment 0 adds only the 0.5 s after the start position; the latency is the target plus the first download
    expect(atTarget[0]!.bufferMs).toBeCloseTo(500, 6);
    for (const r of atTarget.slice(0, 10)) {
      expect(r.latencyMs!).toBeGreaterThanOrEqual(4000);
      expect(r.latencyMs!).toBeLessThan(4200);
    }
    const fromSegmentStart = run(false);
    expect(fromSegmentStart[0]!.bufferMs).toBeCloseTo(2000, 6);
    expect(fromSegmentStart[0]!.latencyMs!).toBeGreaterThan(5500);
    expect(run(true).map((r) => r.latencyMs)).toEqual(atTarget.map((r) => r.latencyMs));
  });

  it('shows algorithms a live stream without an end, as the player does, and a VOD one with its length', () => {
    const seen = (live: boolean): Set<number> => {
      const counts = new Set<number>();
      simulateSession({
        video,
        trace: generateTrace('constant:8000'),
        algorithm: {
          name: 'spy',
          choose: (ctx) => {
            counts.add(ctx.segmentCount);
            return { renditionIndex: 0, reason: 'spy' };
          },
        },
        ...(live ? { live: { targetLatencyMs: 4000 } } : {}),
      });
      return counts;
    };
    expect([...seen(true)]).toEqual([Number.POSITIVE_INFINITY]);
    expect([...seen(false)]).toEqual([60]);
  });

  it('scores with LoL+ by default, and lin when asked', () => {
    const trace = generateTrace('constant:8000');
    const lolp = simulateSession({ video, trace, algorithm: 'bba', live: { targetLatencyMs: 4000 } });
    const lin = simulateSession({
      video,
      trace,
      algorithm: 'bba',
      live: { targetLatencyMs: 4000 },
      qoe: 'lin',
    });
    expect(lolp.records.map((r) => r.rendition)).toEqual(lin.records.map((r) => r.rendition));
    // LoL+: 2 s · kbps, minus 0.1 · 3000 kbps per s of latency above 1.1 s, minus 300 · |1 − rate|
    for (const r of lolp.records.slice(0, 5)) {
      const previous = lolp.records[r.segment - 1];
      const expected =
        2 * r.bitrateKbps -
        (previous === undefined ? 0 : Math.abs(r.bitrateKbps - previous.bitrateKbps)) -
        (3000 * r.rebufferMs) / 1000 -
        (0.1 * 3000 * r.latencyMs!) / 1000 -
        300 * Math.abs(1 - r.playbackRate!);
      expect(r.qoe).toBeCloseTo(expected, 9);
    }
    expect(lin.records[0]!.qoe).toBeCloseTo(0.3, 12); // lin: Mbps
  });

  it('catches up after a drop: the rate goes above 1 and the latency comes back down', () => {
    const { records } = simulateSession({
      video,
      trace: generateTrace('step:8000x20s,200x10s,8000x600s'),
      algorithm: 'throughput',
      live: { targetLatencyMs: 3000 },
    });
    const latencies = records.map((r) => r.latencyMs!);
    const peakAt = latencies.indexOf(Math.max(...latencies));
    expect(latencies[peakAt]!).toBeGreaterThan(5000);
    expect(records.slice(peakAt).some((r) => r.playbackRate! > 1.01)).toBe(true);
    expect(latencies.at(-1)!).toBeLessThan(latencies[peakAt]! - 1500);
    const noCatchUp = simulateSession({
      video,
      trace: generateTrace('step:8000x20s,200x10s,8000x600s'),
      algorithm: 'throughput',
      live: { targetLatencyMs: 3000, catchUp: null },
    });
    expect(noCatchUp.records.at(-1)!.latencyMs!).toBeGreaterThan(latencies.at(-1)! + 1000);
  });

  it('refuses the offline optimum for live, and keeps VOD records free of live fields', () => {
    try {
      simulateSession({
        video,
        trace: generateTrace('constant:8000'),
        algorithm: 'optimal',
        live: { targetLatencyMs: 4000 },
      });
      expect.unreachable();
    } catch (e) {
      expect(isAbrkitError(e) && e.code === 'OPTIMAL_QOE').toBe(true);
    }
    const vod = simulateSession({ video, trace: generateTrace('constant:8000'), algorithm: 'bola' });
    expect(vod.records.every((r) => r.latencyMs === undefined && r.playbackRate === undefined)).toBe(true);
  });
});
