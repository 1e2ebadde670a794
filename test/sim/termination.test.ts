import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import { LINK_WALK_STEPS, LinkModel } from '../../src/sim/network/link.js';
import { PENSIEVE_WALK_STEPS, PensieveModel } from '../../src/sim/network/pensieve.js';
import { NETWORK_MODEL_NAMES } from '../../src/sim/network/index.js';
import { simulateSession } from '../../src/sim/simulate.js';
import { SIM_EXTRA_VIRTUAL_MS } from '../../src/sim/trace-source.js';
import type { NetworkTrace } from '../../src/traces/model.js';
import type { VideoDescription } from '../../src/videos/model.js';

const p = (durationMs: number, bandwidthKbps: number, latencyMs = 0) => ({
  durationMs,
  bandwidthKbps,
  latencyMs,
});

describe('the link walks end in bounded steps (closed form over whole loops)', () => {
  it('a 1 Gbit segment on a 1 ms, 1 kbps loop takes 1e9 ms, computed at once', () => {
    const link = new LinkModel({ name: 'slow', periods: [p(1, 1)] });
    expect(link.timeAfterBits(0, 1e9)).toBeCloseTo(1e9, 3);
    expect(link.timeAfterBits(0.5, 1e9)).toBeCloseTo(1e9 + 0.5, 3);
    expect(link.bitsBetween(0, 1e9)).toBeCloseTo(1e9, 3);
  });

  it('whole loops skip trailing outages exactly: the last bit lands in a period with bandwidth', () => {
    // A loop of 3 ms: 1 ms outage, then 2 ms at 3 kbps (6 bits a loop).
    const link = new LinkModel({ name: 'gappy', periods: [p(1, 0), p(2, 3)] });
    const loops = 1_000_000;
    expect(link.timeAfterBits(0, loops * 6 + 1)).toBeCloseTo(loops * 3 + 1 + 1 / 3, 4);
    // Exactly a whole number of loops ends at the end of the last loop's bandwidth, not later.
    expect(link.timeAfterBits(0, loops * 6)).toBeCloseTo(loops * 3, 4);
    // Short walks are the period-by-period arithmetic, unchanged.
    expect(link.timeAfterBits(0, 7)).toBe(3 + 1 + 1 / 3);
  });

  it('a transfer reports progress across many loops in agreement with its end', () => {
    const link = new LinkModel({ name: 'gappy', periods: [p(1, 0), p(2, 3)] });
    const bytes = 3_000_000 / 8; // 1e6 loops of 6 bits = 3e6 ms... of 3 ms
    const plan = link.begin(0, bytes);
    const half = plan.timeAtBytes(bytes / 2);
    expect(half).toBeGreaterThan(LINK_WALK_STEPS);
    expect(plan.loadedBytesAt(half)).toBeCloseTo(bytes / 2, 3);
    expect(plan.loadedBytesAt((plan.endMs * 3) / 4)).toBeCloseTo((bytes * 3) / 4, 0);
    expect(plan.timeAtBytes(bytes)).toBe(plan.endMs);
  });

  it('a latency longer than many loops is paid in latency units over whole loops', () => {
    // 1 ms periods with a 600 000 ms latency: each pays 1/600000 of it.
    const link = new LinkModel({ name: 'laggy', periods: [p(1, 100, 600_000), p(1, 100, 600_000)] });
    expect(link.firstByteMs(0)).toBeCloseTo(600_000, 6);
  });

  it('the Pensieve model: a 1 Gbit download on a 1 ms slot of 1 kbps', () => {
    const trace: NetworkTrace = {
      name: 'slow-cooked',
      periods: [p(1, 1, 80)],
      pensieve: { timesS: [0, 0.001], throughputsMbps: [0.001, 0.001] },
    };
    const model = new PensieveModel(trace);
    const plan = model.begin(0, 1e9 / 8);
    expect(plan.endMs).toBeCloseTo(1e9 / 0.95 + 80, 0);
    const halfMs = plan.timeAtBytes(1e9 / 16);
    expect(halfMs - 80).toBeGreaterThan(PENSIEVE_WALK_STEPS);
    expect(plan.loadedBytesAt(halfMs)).toBeCloseTo(1e9 / 16, 0);
    model.end(plan, plan.endMs);
    // Idle across millions of loops, then another download: the clock goes on from the right slot.
    const next = model.begin(plan.endMs + 1e9, 1000 / 8);
    expect(next.endMs - next.startMs).toBeCloseTo(1000 / 0.95 + 80, 3);
  });
});

describe('a session has a virtual-time limit', () => {
  const video = (bits: number, segments = 3): VideoDescription => ({
    name: 'big',
    segmentDurationMs: 4000,
    renditions: [
      { index: 0, bitrateKbps: 300 },
      { index: 1, bitrateKbps: 750 },
    ],
    segmentSizesBytes: Array.from({ length: segments }, () => [bits / 8, bits / 4]),
  });
  const slow: NetworkTrace = { name: 'crawl-1kbps', periods: [p(1, 1, 20)] };

  it.each(NETWORK_MODEL_NAMES)(
    '%s: a 1 Gbit segment at 1 kbps ends with SIM_TIME_LIMIT naming the trace and segment',
    (network) => {
      let error: unknown;
      try {
        simulateSession({ video: video(1e9), trace: slow, algorithm: 'bba', network });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AbrkitError);
      const e = error as AbrkitError;
      expect(e.code).toBe('SIM_TIME_LIMIT');
      expect(e.data).toMatchObject({
        source: 'crawl-1kbps',
        segment: 0,
        limitMs: 3 * 4000 + SIM_EXTRA_VIRTUAL_MS,
      });
      expect(e.message).toMatch(
        /^crawl-1kbps: the session on the \w+ network did not finish within its limit/,
      );
      expect(e.message).toMatch(/segment 0 at rendition \d/);
      // either may be the cause (a trace at the 10 min latency limit ends the same way), so both are named
      expect(e.message).toMatch(/the trace's bandwidth or latency is too poor for this video$/);
    },
    20_000,
  );

  it('virtualTimeLimitMs: a session that fits finishes as before; one cut short says where', () => {
    const trace: NetworkTrace = { name: 'ok', periods: [p(10_000, 2000, 20)] };
    const small = video(200_000, 5);
    const whole = simulateSession({ video: small, trace, algorithm: 'bba', network: 'sabre' });
    expect(whole.records).toHaveLength(5);
    const limited = simulateSession({
      video: small,
      trace,
      algorithm: 'bba',
      network: 'sabre',
      virtualTimeLimitMs: 1e7,
    });
    expect(limited.records).toEqual(whole.records);
    let error: unknown;
    try {
      simulateSession({ video: small, trace, algorithm: 'bba', network: 'sabre', virtualTimeLimitMs: 300 });
    } catch (e) {
      error = e;
    }
    expect((error as AbrkitError).code).toBe('SIM_TIME_LIMIT');
    expect((error as AbrkitError).data.source).toBe('ok');
  });
});
