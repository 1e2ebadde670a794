/**
 * Fault injection: the spec's two forms and their errors, seeded decisions (same seed, same faults), and each
 * fault kind through a running server, as a client sees it and as the log records it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAbrkitError } from '../../src/core/errors.js';
import {
  checkFaultSpec,
  createFaultPlan,
  parseFaultSpec,
  type FaultSpec,
  type ShapingServer,
  type ShapingServerOptions,
} from '../../src/shaping/index.js';
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

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isAbrkitError(e) ? e.code : `not an AbrkitError: ${String(e)}`;
  }
  return undefined;
}

describe('fault specs', () => {
  it('parses the compact form', () => {
    const spec = parseFaultSpec(
      '5xx=0.05:503,404=0.01,reset=0.02,stall=0.01:5000,spike=0.05:800,outage=30000-40000,outage=50000-51000,pattern=seg_*.m4s|init.mp4',
    );
    expect(spec).toEqual<FaultSpec>({
      serverError: { probability: 0.05, status: 503 },
      notFound: { probability: 0.01 },
      reset: { probability: 0.02 },
      stall: { probability: 0.01, ms: 5000 },
      spike: { probability: 0.05, ms: 800 },
      outages: [
        { fromMs: 30000, toMs: 40000 },
        { fromMs: 50000, toMs: 51000 },
      ],
      pattern: 'seg_*.m4s|init.mp4',
    });
  });

  it('refuses bad specs with FAULT_SPEC_INVALID naming the source', () => {
    for (const bad of [
      '',
      '5xx',
      '5xx=2',
      '5xx=0.5,404=0.6',
      '5xx=0.1:404',
      'stall=0.1',
      'spike=0.1:-5',
      'outage=40-30',
      'outage=abc',
      'pattern=/(/',
      'pattern=/seg_,x/i',
      'pattern=/(a+)+$/',
      'pattern=seg_\\d+',
      'stall=0.1:1e300',
      'teapot=0.1',
    ]) {
      expect(
        codeOf(() => parseFaultSpec(bad, 'faults.txt')),
        bad,
      ).toBe('FAULT_SPEC_INVALID');
    }
    try {
      parseFaultSpec('nope=1', 'my-faults');
    } catch (e) {
      expect(isAbrkitError(e) && e.data.source).toBe('my-faults');
    }
    expect(codeOf(() => checkFaultSpec({ reset: { probability: 'x' } }))).toBe('FAULT_SPEC_INVALID');
    expect(codeOf(() => checkFaultSpec([]))).toBe('FAULT_SPEC_INVALID');
    expect(codeOf(() => checkFaultSpec({ resets: 1 }))).toBe('FAULT_SPEC_INVALID');
  });

  it('decides the same faults for the same seed, others for another seed, at the given rates', () => {
    const spec = parseFaultSpec('5xx=0.2,reset=0.1,spike=0.1:100');
    const draw = (seed: number): string[] => {
      const plan = createFaultPlan(spec, seed);
      const out: string[] = [];
      for (let i = 0; i < 2000; i++) out.push(JSON.stringify(plan.decide(`/seg_${i % 50}.m4s`, 1000)));
      return out;
    };
    const a = draw(7);
    expect(draw(7)).toEqual(a);
    expect(draw(8)).not.toEqual(a);
    const count = (kind: string): number => a.filter((d) => d.includes(`"kind":"${kind}"`)).length;
    // binomial(2000, p): 4 standard deviations either side
    expect(count('http')).toBeGreaterThan(400 - 72);
    expect(count('http')).toBeLessThan(400 + 72);
    expect(count('reset')).toBeGreaterThan(200 - 54);
    expect(count('reset')).toBeLessThan(200 + 54);
    expect(a.filter((d) => d === 'null').length).toBeGreaterThan(1200 - 88);
  });

  it('decides per URL and occurrence, whatever the order of other requests', () => {
    const spec = parseFaultSpec('5xx=0.5');
    const p1 = createFaultPlan(spec, 3);
    const p2 = createFaultPlan(spec, 3);
    const first = [p1.decide('/a', 10), p1.decide('/b', 10), p1.decide('/a', 10)];
    const b = p2.decide('/b', 10);
    const a1 = p2.decide('/a', 10);
    const a2 = p2.decide('/a', 10);
    expect([a1, b, a2]).toEqual(first);
  });

  it('applies probabilistic faults only to URLs matching the pattern', () => {
    const plan = createFaultPlan(parseFaultSpec('404=1,pattern=seg_??.m4s'), 1);
    expect(plan.decide('/v/seg_12.m4s', 10)).toEqual({ kind: 'http', status: 404 });
    expect(plan.decide('/v/seg_123.m4s', 10)).toBeNull();
    expect(plan.decide('/v/index.m3u8', 10)).toBeNull();
    const slashed = createFaultPlan(parseFaultSpec('404=1,pattern=/seg_/'), 1);
    expect(slashed.decide('/v/seg_1.m4s', 10)).not.toBeNull();
    expect(slashed.decide('/v/index.m3u8', 10)).toBeNull();
    const text = createFaultPlan(parseFaultSpec('404=1,pattern=.m3u8'), 1);
    expect(text.decide('/v/index.m3u8', 10)).not.toBeNull();
    expect(text.decide('/v/seg_1.m4s', 10)).toBeNull();
  });

  it('faults only the first N requests of each URL with first=N, keeping the draws of the others', () => {
    const plan = createFaultPlan(parseFaultSpec('404=1,first=2,pattern=/seg_/'), 1);
    const a = [1, 2, 3, 4].map(() => plan.decide('/v/seg_1.m4s', 10));
    expect(a).toEqual([{ kind: 'http', status: 404 }, { kind: 'http', status: 404 }, null, null]);
    expect(plan.decide('/v/seg_2.m4s', 10)).toEqual({ kind: 'http', status: 404 });
    expect(parseFaultSpec('5xx=0.5,first=1').firstRequests).toBe(1);
    // the first request of each URL draws as without the option
    const free = createFaultPlan(parseFaultSpec('5xx=0.5'), 9);
    const capped = createFaultPlan(parseFaultSpec('5xx=0.5,first=1'), 9);
    const urls = Array.from({ length: 40 }, (_, i) => `/seg_${i}`);
    expect(urls.map((u) => capped.decide(u, 10))).toEqual(urls.map((u) => free.decide(u, 10)));
    expect(urls.map((u) => capped.decide(u, 10)).every((d) => d === null)).toBe(true);
    for (const bad of ['404=1,first=0', '404=1,first=1.5', '404=1,first=x'])
      expect(() => parseFaultSpec(bad, '--faults')).toThrow(/first/);
  });

  it('merges touching outage windows', () => {
    const plan = createFaultPlan(parseFaultSpec('outage=2000-3000,outage=1000-2000'), 0);
    expect(plan.outageEndAt(500)).toBeNull();
    expect(plan.outageEndAt(1500)).toBe(3000);
    expect(plan.outageEndAt(3000)).toBeNull();
  });
});

describe('faults through the server', () => {
  it('answers injected 5xx and 404, and logs them', async () => {
    await withServer({ trace: 'constant:50000', faults: '5xx=1:503,pattern=/seg_a/' }, async (server) => {
      const r = await timedRequest(`${server.url}/seg_a.m4s`);
      expect(r.status).toBe(503);
      expect(r.body.toString()).toContain('503');
      expect((await timedRequest(`${server.url}/seg_b.m4s`)).status).toBe(200);
      expect(server.requests.find((e) => e.url === '/seg_a.m4s')?.fault).toEqual({
        kind: 'http',
        status: 503,
      });
      expect(server.requests.find((e) => e.url === '/seg_b.m4s')?.fault).toBeNull();
    });
    await withServer(
      { trace: 'constant:50000', faults: { notFound: { probability: 1 } } },
      async (server) => {
        expect((await timedRequest(`${server.url}/seg_a.m4s`)).status).toBe(404);
        expect(server.requests[0]?.fault).toEqual({ kind: 'http', status: 404 });
      },
    );
  });

  it('resets the connection mid-body', async () => {
    await withServer({ trace: 'constant:8000', faults: 'reset=1', seed: 5 }, async (server) => {
      const r = await timedRequest(`${server.url}/seg_a.m4s`);
      expect(r.status).toBe(200);
      expect(r.error).toBeDefined();
      expect(r.body.length).toBeLessThan(250_000);
      const entry = server.requests[0]!;
      expect(entry.fault?.kind).toBe('reset');
      expect(entry.aborted).toBe(true);
      const atByte = (entry.fault as { atByte: number }).atByte;
      expect(atByte).toBeGreaterThanOrEqual(25_000);
      expect(atByte).toBeLessThanOrEqual(225_000);
      expect(entry.bytes).toBe(atByte);
      expect(r.body.length).toBeLessThanOrEqual(atByte);
    });
  });

  it('stalls mid-body for the given time, then finishes', async () => {
    await withServer({ trace: 'constant:4000', faults: 'stall=1:700', seed: 1 }, async (server) => {
      const lag = watchLoopLag();
      const r = await timedRequest(`${server.url}/seg_a.m4s`);
      const lagMs = lag();
      expect(r.body.equals(folder.files.get('seg_a.m4s')!)).toBe(true);
      // 250 kB at 4 Mbps = 500 ms, plus the 700 ms stall
      const transferMs = r.endMs - r.headersMs;
      expect(transferMs).toBeGreaterThan(1200 * 0.95 - lagMs);
      expect(transferMs).toBeLessThan(1200 * 1.08 + lagMs);
      let longestGapMs = 0;
      for (let i = 1; i < r.progress.length; i++)
        longestGapMs = Math.max(longestGapMs, r.progress[i]!.atMs - r.progress[i - 1]!.atMs);
      expect(longestGapMs).toBeGreaterThan(650);
      expect(server.requests[0]?.fault).toMatchObject({ kind: 'stall', ms: 700 });
    });
  });

  it('adds a latency spike before the first byte', async () => {
    await withServer({ trace: 'constant:50000,latencyMs=20', faults: 'spike=1:400' }, async (server) => {
      const lag = watchLoopLag();
      const r = await timedRequest(`${server.url}/small.m4s`);
      const lagMs = lag();
      expect(r.headersMs - r.sentMs).toBeGreaterThanOrEqual(415);
      expect(r.headersMs - r.sentMs).toBeLessThan(420 + 150 + lagMs);
      expect(server.requests[0]?.fault).toEqual({ kind: 'spike', ms: 400 });
    });
  });

  it('moves no bytes during an outage and holds new requests until it ends', async () => {
    await withServer(
      { trace: 'constant:2000', faults: 'outage=300-800', originMs: performance.now() },
      async (server) => {
        // 250 kB at 2 Mbps = 1000 ms of transfer, with 500 ms of outage inside it
        const lag = watchLoopLag();
        const r = await timedRequest(`${server.url}/seg_a.m4s`);
        const lagMs = lag();
        const transferMs = r.endMs - r.headersMs;
        expect(transferMs).toBeGreaterThan(1500 * 0.95 - lagMs);
        expect(transferMs).toBeLessThan(1500 * 1.06 + lagMs);
        const during = r.progress.filter((p) => p.atMs - r.headersMs > 340 && p.atMs - r.headersMs < 760);
        expect(during).toEqual([]);
        const fault = server.requests[0]!.fault;
        expect(fault?.kind).toBe('outage');
        expect((fault as { heldMs: number }).heldMs).toBeGreaterThan(490);
        expect((fault as { heldMs: number }).heldMs).toBeLessThanOrEqual(500);
      },
    );
    await withServer(
      { trace: 'constant:50000', faults: 'outage=0-600', originMs: performance.now() },
      async (server) => {
        const r = await timedRequest(`${server.url}/small.m4s`);
        expect(r.status).toBe(200);
        expect(server.requests[0]!.firstByteMs).toBeGreaterThanOrEqual(600);
        expect(server.requests[0]!.fault?.kind).toBe('outage');
      },
    );
  });

  it('logs the outage of a request the client abandons while the outage holds it', async () => {
    await withServer(
      { trace: 'constant:50000', faults: 'outage=0-5000', originMs: performance.now() },
      async (server) => {
        const controller = new AbortController();
        const request = fetch(`${server.url}/small.m4s`, { signal: controller.signal }).catch(
          (error: unknown) => error,
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        controller.abort();
        await request;
        await expect.poll(() => server.requests.length).toBe(1);
        const entry = server.requests[0]!;
        expect(entry.firstByteMs).toBeNull();
        expect(entry.aborted).toBe(true);
        expect(entry.fault?.kind).toBe('outage');
        // held from the request until the client left, not until the outage's end
        const heldMs = (entry.fault as { heldMs: number }).heldMs;
        expect(heldMs).toBeGreaterThan(200);
        expect(heldMs).toBeLessThan(4000);
      },
    );
  });

  it('replays the same faults with the same seed', async () => {
    const run = async (seed: number): Promise<string[]> =>
      withServer({ trace: 'constant:100000', faults: '5xx=0.3,404=0.2', seed }, async (server) => {
        const statuses: string[] = [];
        for (let i = 0; i < 30; i++)
          statuses.push(String((await timedRequest(`${server.url}/small.m4s`)).status));
        return statuses;
      });
    const a = await run(11);
    expect(await run(11)).toEqual(a);
    expect(new Set(a)).toEqual(new Set(['200', '404', '500']));
    expect(await run(12)).not.toEqual(a);
  });
});
