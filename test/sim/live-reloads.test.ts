/**
 * The player's playlist reloads in the simulator (src/sim/live-reloads.ts): their bytes take link time from
 * the segments, and a segment is known when the first reload after its production ends.
 */
import { describe, expect, it } from 'vitest';
import { listedAtMs, periodicReloads, withPlaylistTraffic } from '../../src/sim/live-reloads.js';
import { simulateSession } from '../../src/sim/simulate.js';
import type { NetworkTrace } from '../../src/traces/model.js';
import type { VideoDescription } from '../../src/videos/model.js';

// 1000 kbps = 125 bytes/ms
const FLAT: NetworkTrace = {
  name: 'flat',
  periods: [{ durationMs: 100_000, bandwidthKbps: 1000, latencyMs: 0 }],
};

describe('withPlaylistTraffic', () => {
  it('takes bytes / rate of link time from where the reload starts, the rest of the trace unchanged', () => {
    const { trace, reloads } = withPlaylistTraffic(FLAT, [{ atMs: 100, bytes: 1250 }]);
    expect(reloads).toEqual([{ atMs: 100, endMs: 110 }]);
    expect(trace.periods.slice(0, 3)).toEqual([
      { durationMs: 100, bandwidthKbps: 1000, latencyMs: 0 },
      { durationMs: 10, bandwidthKbps: 0, latencyMs: 0 },
      { durationMs: 99_890, bandwidthKbps: 1000, latencyMs: 0 },
    ]);
  });

  it("walks the periods' rates, waits the period's latency, and serves reloads one after the other", () => {
    const trace: NetworkTrace = {
      name: 'two',
      periods: [
        { durationMs: 100, bandwidthKbps: 1000, latencyMs: 0 },
        { durationMs: 1000, bandwidthKbps: 500, latencyMs: 20 },
      ],
    };
    // 5 ms at 1000 kbps (625 bytes), the other 625 bytes at 500 kbps: 10 ms
    expect(withPlaylistTraffic(trace, [{ atMs: 95, bytes: 1250 }]).reloads[0]!.endMs).toBeCloseTo(110, 9);
    // from 200: 20 ms of latency first, then 20 ms; the second reload (sent at 210) after the first
    const two = withPlaylistTraffic(trace, [
      { atMs: 210, bytes: 1250 },
      { atMs: 200, bytes: 1250 },
    ]);
    expect(two.reloads.map((r) => r.endMs)).toEqual([240, 260]);
    const cut = two.trace.periods.filter((p) => p.bandwidthKbps === 0);
    expect(cut.reduce((sum, p) => sum + p.durationMs, 0)).toBeCloseTo(40, 9);
  });

  it('groups the requests of one reload: it ends with the last of them', () => {
    const { reloads } = withPlaylistTraffic(FLAT, [
      { atMs: 100, bytes: 1250, reload: 0 },
      { atMs: 102, bytes: 1250, reload: 0 },
      { atMs: 300, bytes: 1250, reload: 0 },
      { atMs: 2100, bytes: 1250, reload: 1 },
    ]);
    expect(reloads).toEqual([
      { atMs: 100, endMs: 310 },
      { atMs: 2100, endMs: 2110 },
    ]);
  });

  it('places reloads past the trace on its loop', () => {
    const short: NetworkTrace = {
      name: 'short',
      periods: [{ durationMs: 1000, bandwidthKbps: 1000, latencyMs: 0 }],
    };
    const { trace, reloads } = withPlaylistTraffic(short, [{ atMs: 2500, bytes: 1250 }]);
    expect(reloads[0]!.endMs).toBeCloseTo(2510, 9);
    let t = 0;
    const zero = trace.periods.flatMap((p) => {
      const at = t;
      t += p.durationMs;
      return p.bandwidthKbps === 0 ? [at] : [];
    });
    expect(zero).toEqual([2500]);
  });

  it('refuses bad reloads and a trace without bandwidth', () => {
    expect(() => withPlaylistTraffic(FLAT, [{ atMs: -1, bytes: 10 }])).toThrow(/live\.reloads\[0\]/);
    expect(() => withPlaylistTraffic(FLAT, [{ atMs: 1, bytes: Number.NaN }])).toThrow(TypeError);
    const dead: NetworkTrace = {
      name: 'dead',
      periods: [{ durationMs: 10, bandwidthKbps: 0, latencyMs: 0 }],
    };
    expect(() => withPlaylistTraffic(dead, [])).toThrow(/dead/);
  });
});

describe('listedAtMs and periodicReloads', () => {
  it('a segment is known when the first reload reaching the server after it exists ends', () => {
    const traffic = withPlaylistTraffic(
      FLAT,
      periodicReloads({ firstAtMs: 500, intervalMs: 2000, bytes: 1250, untilMs: 6000 }),
    );
    expect(traffic.reloads.map((r) => r.atMs)).toEqual([500, 2500, 4500]);
    expect(listedAtMs(traffic, 400)).toBe(510);
    expect(listedAtMs(traffic, 500)).toBe(510);
    expect(listedAtMs(traffic, 501)).toBe(2510);
    expect(listedAtMs(traffic, 5000)).toBeNull();
    expect(() => periodicReloads({ firstAtMs: 0, intervalMs: 0, bytes: 1, untilMs: 1 })).toThrow(
      /intervalMs/,
    );
  });
});

describe('simulateSession live with reloads', () => {
  // one rendition of 1000 kbps, 2 s segments of 250 000 bytes: 2 s each at 1000 kbps
  const video: VideoDescription = {
    name: 'reloads',
    segmentDurationMs: 2000,
    renditions: [{ index: 0, bitrateKbps: 500 }],
    segmentSizesBytes: Array.from({ length: 6 }, () => [125_000]),
  };
  const downloads = (reloads?: { atMs: number; bytes: number }[]) => {
    const out: { segment: number; startMs: number; endMs: number }[] = [];
    simulateSession({
      video,
      trace: FLAT,
      algorithm: 'throughput',
      // the edge at the end of segment 0 (out at the start), target 6 s: segment 1 comes out at 2000 ms
      live: {
        targetLatencyMs: 6000,
        edgeAtStartMs: 2000,
        listingDelayMs: 5,
        ...(reloads ? { reloads } : {}),
      },
      onEvents: (events) =>
        events.on('download', (d) =>
          out.push({ segment: d.segmentIndex, startMs: d.sample.startMs, endMs: d.sample.endMs }),
        ),
    });
    return out;
  };

  it('requests a segment once a reload lists it, and a download overlapping a reload ends bytes / rate later', () => {
    const without = downloads();
    // segment 1: out at 2000 ms, requested listingDelayMs later; 1000 ms at 1000 kbps
    expect(without[1]).toEqual({ segment: 1, startMs: 2005, endMs: 3005 });
    const reloads = periodicReloads({ firstAtMs: 400, intervalMs: 2000, bytes: 5000, untilMs: 20_000 });
    const withReloads = downloads(reloads);
    // segment 0 existed at the start: fetched at once as before, but it shares the link with the reload at
    // 400 ms (5000 bytes: 40 ms at 1000 kbps)
    expect(withReloads[0]!.startMs).toBe(0);
    expect(withReloads[0]!.endMs).toBeCloseTo(1040, 9);
    // segment 1 comes out at 2000: the reload at 2400 lists it, its bytes end at 2440, the request 5 ms later
    expect(withReloads[1]!.startMs).toBeCloseTo(2445, 9);
    expect(withReloads[1]!.endMs).toBeCloseTo(3445, 9);
  });
});
