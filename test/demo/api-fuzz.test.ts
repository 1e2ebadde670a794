/**
 * Fuzzing the demo API's `POST /api/sessions` bodies (issue 18 item 11), with fast-check and fixed seeds:
 * - `parseSessionRequest` on any JSON value and on near-valid bodies: it accepts or answers a 400
 *   `ApiError`, nothing else;
 * - what it accepts cannot hang anything: the trace passes the shaping server's own check, the three
 *   network models finish a session on it (or end it with a typed error) within the test's time, the
 *   shaping timeline integrates it, and the fault plan decides on a 10k-character URL;
 * - over HTTP, random bodies get 201, 400, 404 or 415, never a 500.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoApi, type DemoApi } from '../../demo/server/api.js';
import { ApiError } from '../../demo/server/http.js';
import { parseSessionRequest } from '../../demo/server/sessions.js';
import { isAbrkitError } from '../../src/core/errors.js';
import { checkShapingTrace, createFaultPlan } from '../../src/shaping/index.js';
import { TraceTimeline } from '../../src/shaping/timeline.js';
import { simulateSession } from '../../src/sim/simulate.js';
import { FixedAlgorithm, flatVideo } from '../session/helpers.js';
import { REPO_ROOT } from '../support/shared-data.js';

const number = fc.oneof(
  fc.double(),
  fc.constantFrom(0, 1, 1000, 1e-9, 1e-6, 0.1, 1e300, -5, 600_000, 600_001, Number.MAX_VALUE),
  fc.integer({ min: 1, max: 100_000 }),
);
const period = fc.record(
  {
    durationMs: fc.oneof(number, fc.string({ maxLength: 4 })),
    bandwidthKbps: fc.oneof(number, fc.constant(null)),
    latencyMs: number,
  },
  { requiredKeys: ['durationMs', 'bandwidthKbps'] },
);
const faultItem = fc.constantFrom(
  '5xx=0.1',
  '5xx=0.2:503',
  '404=1',
  'reset=0.5',
  'stall=0.1:100',
  'stall=0.1:1e300',
  'spike=1:50',
  'outage=0-1e9',
  'outage=5-1',
  'pattern=seg_*',
  'pattern=seg_*.m4s|master.m3u8',
  'pattern=/(a+)+$/',
  'pattern=/seg_/',
  'first=2',
  'first=0',
  'teapot=1',
);
const faults = fc.oneof(
  fc.array(faultItem, { minLength: 1, maxLength: 4 }).map((items) => items.join(',')),
  fc.string({ maxLength: 30 }),
);
const body = fc.record(
  {
    fixture: fc.oneof(fc.constant('ladder'), fc.string({ maxLength: 8 }), fc.integer()),
    traceId: fc.oneof(fc.constant('step-down'), fc.string({ maxLength: 8 })),
    trace: fc.oneof(
      fc.record(
        {
          name: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
          periods: fc.array(period, { maxLength: 4 }),
        },
        { requiredKeys: ['periods'] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    faults,
    seed: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 3 })),
    loop: fc.oneof(fc.boolean(), fc.constant('yes')),
    extra: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);

/** Bodies close to valid: one fixture, an inline trace of mostly plausible periods, faults, seed, loop. */
const plausible = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 100_000 }) },
  { weight: 1, arbitrary: number },
);
const nearValidBody = fc.record(
  {
    fixture: fc.constant('ladder'),
    trace: fc.record({
      name: fc.string({ maxLength: 10 }),
      periods: fc.array(
        fc.record({ durationMs: plausible, bandwidthKbps: plausible, latencyMs: plausible }),
        { minLength: 1, maxLength: 4 },
      ),
    }),
    faults,
    seed: fc.integer(),
    loop: fc.boolean(),
  },
  { requiredKeys: ['fixture', 'trace'] },
);

/** parseSessionRequest's verdict: the request, or the refusal (a 400 ApiError; anything else fails). */
function verdict(value: unknown): ReturnType<typeof parseSessionRequest> | ApiError {
  try {
    return parseSessionRequest(value);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(400);
    return e as ApiError;
  }
}

describe('parseSessionRequest', () => {
  it('accepts or refuses with a 400 any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => {
        verdict(value);
      }),
      { numRuns: 500, seed: 18 },
    );
  });

  it('accepts only bodies whose trace and faults cannot hang a simulation or the server', () => {
    let accepted = 0;
    let withTrace = 0;
    let withFaults = 0;
    const video = flatVideo(3, 2000, [300, 750], [7_500, 18_750]);
    const longUrl = `/${'a'.repeat(10_000)}`;
    fc.assert(
      fc.property(fc.oneof(body, nearValidBody), (value) => {
        const request = verdict(value);
        if (request instanceof ApiError) return;
        accepted++;
        if (request.trace !== undefined) {
          withTrace++;
          const trace = request.trace;
          expect(checkShapingTrace(trace)).toBe(trace);
          for (const network of ['sabre', 'pensieve', 'abrkit'] as const) {
            try {
              const { records } = simulateSession({
                video,
                trace,
                algorithm: new FixedAlgorithm(0),
                network,
              });
              expect(records).toHaveLength(3);
            } catch (e) {
              // a session the virtual-time limit ends is fine; an untyped failure is not
              expect(isAbrkitError(e), String(e)).toBe(true);
            }
          }
          const timeline = new TraceTimeline(trace, 'sabre', request.loop ?? false);
          expect(Number.isFinite(timeline.bitsBetween(0, 60_000))).toBe(true);
        }
        if (request.faults !== undefined) {
          withFaults++;
          const plan = createFaultPlan(request.faults, request.seed ?? 0);
          plan.decide(longUrl, 1000);
          plan.decide('/seg_00001.m4s', 1000);
        }
      }),
      { numRuns: 400, seed: 2026 },
    );
    // the generator reached the interesting cases
    expect(accepted).toBeGreaterThan(5);
    expect(withTrace).toBeGreaterThan(0);
    expect(withFaults).toBeGreaterThan(0);
  }, 20_000);
});

describe('POST /api/sessions with random bodies', () => {
  let api: DemoApi;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    api = createDemoApi({
      sharedDataDir: null,
      fixturesRoot: join(REPO_ROOT, 'fixtures'),
      onError: () => {},
    });
    server = createServer((req, res) => api.handle(req, res, () => res.writeHead(418).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await api.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers 201, 400, 404 or 415, never a 500', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          body.map((b) => JSON.stringify(b)),
          nearValidBody.map((b) => JSON.stringify(b)),
          fc.string({ maxLength: 40 }),
        ),
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain'),
        async (text, contentType) => {
          const response = await fetch(`${base}/api/sessions`, {
            method: 'POST',
            headers: { 'content-type': contentType },
            body: text,
          });
          statuses.add(response.status);
          expect([201, 400, 404, 415]).toContain(response.status);
          const payload = (await response.json()) as {
            id?: string;
            error?: { code: string; message: string };
          };
          if (response.status === 201) {
            expect(payload.id).toMatch(/^[0-9a-f]{16}$/);
            await api.sessions.delete(payload.id ?? '');
          } else {
            expect(payload.error?.code).toMatch(/^[A-Z_]+$/);
            expect(payload.error?.message).not.toBe('');
          }
        },
      ),
      { numRuns: 120, seed: 9 },
    );
    for (const status of [201, 400, 415]) expect(statuses).toContain(status);
  }, 20_000);
});
