/**
 * The shaping server's link, measured by a client on 127.0.0.1: the rate of a constant trace, equal sharing
 * between concurrent downloads, a rate change at a step, latency before the first byte. Expected times are
 * the trace integral worked out by hand for each case; tolerances absorb timer jitter on a busy machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ShapingServer, type ShapingServerOptions } from '../../src/shaping/index.js';
import { TraceTimeline } from '../../src/shaping/timeline.js';
import { generateTrace } from '../../src/traces/spec.js';
import {
  makeServedFolder,
  timedRequest,
  watchLoopLag,
  withShapingServer,
  type ServedFolder,
} from './helpers.js';

let folder: ServedFolder;
beforeAll(() => {
  folder = makeServedFolder();
});
afterAll(() => folder.cleanup());

function withServer<T>(
  options: Omit<ShapingServerOptions, 'root'>,
  run: (server: ShapingServer) => Promise<T>,
): Promise<T> {
  return withShapingServer(folder, options, run);
}

describe('TraceTimeline', () => {
  it('integrates bandwidth over periods, holding the last period unless looping', () => {
    const trace = generateTrace('step:4000x1s,1000x1s');
    const hold = new TraceTimeline(trace);
    // kbps = bits per ms: 500 ms at 4000 + 1000 ms at 1000 + 1000 ms held at 1000
    expect(hold.bitsBetween(500, 3000)).toBeCloseTo(2_000_000 + 1_000_000 + 1_000_000, 3);
    expect(hold.bandwidthKbpsAt(10_000)).toBe(1000);
    const loop = new TraceTimeline(trace, 'sabre', true);
    // [2000, 3000) is the first period again
    expect(loop.bitsBetween(500, 3000)).toBeCloseTo(2_000_000 + 1_000_000 + 4_000_000, 3);
    expect(loop.bandwidthKbpsAt(2500)).toBe(4000);
  });

  it('applies the Pensieve payload portion and RTT', () => {
    const t = new TraceTimeline(generateTrace('constant:2000,latencyMs=20'), 'pensieve');
    expect(t.bandwidthKbpsAt(0)).toBeCloseTo(1900, 9);
    expect(t.latencyMsAt(0)).toBe(80);
  });
});

describe('pacing', () => {
  it('sends a 500 kB body at 2 Mbps in about 2 s', async () => {
    await withServer({ trace: 'constant:2000' }, async (server) => {
      const lag = watchLoopLag();
      const r = await timedRequest(`${server.url}/seg_big.m4s`);
      const lagMs = lag();
      expect(r.status).toBe(200);
      expect(r.body.equals(folder.files.get('seg_big.m4s')!)).toBe(true);
      const transferMs = r.endMs - r.headersMs;
      // 500 000 B × 8 / 2000 kbps = 2000 ms
      expect(transferMs).toBeGreaterThan(2000 * 0.95 - lagMs);
      expect(transferMs).toBeLessThan(2000 * 1.05 + lagMs);
      const entry = server.requests[0]!;
      expect(entry.bytes).toBe(500_000);
      expect(entry.endMs - entry.firstByteMs!).toBeGreaterThan(1900);
    });
  });

  it('shares the link equally between two concurrent downloads', async () => {
    await withServer({ trace: 'constant:2000' }, async (server) => {
      const lag = watchLoopLag();
      const [a, b] = await Promise.all([
        timedRequest(`${server.url}/seg_a.m4s`),
        timedRequest(`${server.url}/seg_b.m4s`),
      ]);
      const lagMs = lag();
      // together 500 kB over a 2 Mbps link: each gets 1 Mbps, both end near 2 s
      for (const r of [a, b]) {
        const transferMs = r.endMs - r.headersMs;
        const expectedMs = (r.body.length * 8) / 1000;
        expect(transferMs).toBeGreaterThan(expectedMs / 1.07 - lagMs);
        expect(transferMs).toBeLessThan(expectedMs / 0.93 + lagMs);
      }
      const spanMs = Math.max(a.endMs, b.endMs) - Math.min(a.headersMs, b.headersMs);
      expect(spanMs).toBeGreaterThan(2000 * 0.95 - lagMs);
      expect(spanMs).toBeLessThan(2000 * 1.05 + lagMs);
    });
  });

  it('gives the whole link back when one of two downloads ends (work-conserving)', async () => {
    await withServer({ trace: 'constant:4000' }, async (server) => {
      const lag = watchLoopLag();
      const [big, small] = await Promise.all([
        timedRequest(`${server.url}/seg_big.m4s`),
        timedRequest(`${server.url}/small.m4s`),
      ]);
      const lagMs = lag();
      // 520 kB in all at 4 Mbps: the link never idles, so the big one ends near 1040 ms
      expect(small.endMs).toBeLessThan(big.endMs);
      const spanMs = big.endMs - Math.min(big.headersMs, small.headersMs);
      expect(spanMs).toBeGreaterThan(1040 * 0.95 - lagMs);
      expect(spanMs).toBeLessThan(1040 * 1.06 + lagMs);
    });
  });

  it('changes the rate at a step of the trace', async () => {
    await withServer({ trace: 'step:4000x0.5s,1000x10s' }, async (server) => {
      const lag = watchLoopLag();
      const r = await timedRequest(`${server.url}/seg_big.m4s`);
      const lagMs = lag();
      // From a first byte at trace time 0: 0.5 s at 4 Mbps = 250 kB, then 250 kB at 1 Mbps = 2 s, 2.5 s in all.
      // The first byte leaves at fb ms (the file read, on a busy machine): (500 − fb) ms at 500 B/ms, the rest
      // at 125 B/ms, so the transfer takes 2500 + 3·fb ms.
      const fb = server.requests[0]!.firstByteMs!;
      expect(fb).toBeLessThan(200);
      const expectedMs = 2500 + 3 * fb;
      const transferMs = r.endMs - r.headersMs;
      expect(transferMs).toBeGreaterThan(expectedMs * 0.95 - lagMs);
      expect(transferMs).toBeLessThan(expectedMs * 1.05 + lagMs);
      const at = (ms: number): number => {
        let bytes = 0;
        for (const p of r.progress) if (p.atMs - r.headersMs <= ms) bytes = p.bytes;
        return bytes;
      };
      // before the step: ~4 Mbps (400 ms → 200 kB); after it: ~1 Mbps (1 s → 125 kB)
      expect(at(400)).toBeGreaterThan(170_000);
      expect(at(400)).toBeLessThan(230_000);
      const afterStep = at(2000) - at(1000);
      expect(afterStep).toBeGreaterThan(125_000 * 0.85);
      expect(afterStep).toBeLessThan(125_000 * 1.15);
    });
  });

  it('waits the period latency before the headers and the first byte', async () => {
    await withServer({ trace: 'constant:8000,latencyMs=300' }, async (server) => {
      const lag = watchLoopLag();
      const r = await timedRequest(`${server.url}/small.m4s`);
      const lagMs = lag();
      const ttfbMs = r.headersMs - r.sentMs;
      expect(ttfbMs).toBeGreaterThanOrEqual(295);
      expect(ttfbMs).toBeLessThan(300 + 150 + lagMs);
      const entry = server.requests[0]!;
      expect(entry.firstByteMs! - entry.startMs).toBeGreaterThanOrEqual(299);
    });
  });

  it('uses 95% of the bandwidth and an 80 ms RTT with the pensieve network', async () => {
    await withServer({ trace: 'constant:2000,latencyMs=500', network: 'pensieve' }, async (server) => {
      const lag = watchLoopLag();
      const r = await timedRequest(`${server.url}/seg_a.m4s`);
      const lagMs = lag();
      expect(r.headersMs - r.sentMs).toBeLessThan(80 + 150 + lagMs);
      // 250 000 B × 8 / 1900 kbps ≈ 1053 ms
      const transferMs = r.endMs - r.headersMs;
      expect(transferMs).toBeGreaterThan(1053 * 0.95 - lagMs);
      expect(transferMs).toBeLessThan(1053 * 1.05 + lagMs);
    });
  });
});
