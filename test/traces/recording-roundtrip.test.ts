/**
 * Issue 18, "a writer never writes what a reader would refuse", for the recordings (`abrkit trace
 * from-session` / `from-har`): whatever the session-export and HAR readers accept, hostile numbers included,
 * is written by the Sabre, CSV and Pensieve writers and read back by their readers without an error, and
 * lets a simulated session end (or stop with SIM_TIME_LIMIT) under all three network models. (Mahimahi is
 * left out: its file holds one line per 1500-byte delivery, so its size grows with the bits of the trace.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { videoFromSpec } from '../../src/cli/demo-data.js';
import { AbrkitError } from '../../src/core/errors.js';
import { NETWORK_MODEL_NAMES } from '../../src/sim/network/index.js';
import { simulateSession } from '../../src/sim/simulate.js';
import { parseTrace, writeTrace } from '../../src/traces/detect.js';
import { parseHarTrace } from '../../src/traces/har.js';
import type { NetworkTrace, TraceFormat } from '../../src/traces/model.js';
import { parseSessionExport } from '../../src/traces/session-export.js';
import { harEntry } from './har-fixture.js';

const VIDEO = videoFromSpec('synthetic:segments=5,segmentS=2');
const FORMATS: readonly TraceFormat[] = ['sabre', 'csv', 'pensieve'];

/** Runs `fn`; anything thrown must be an AbrkitError. Returns the value, or null when it threw. */
function accepted<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof AbrkitError)) throw e;
    return null;
  }
}

/** Every writer's text reads back, and a session on the trace ends within its bound. */
function checkUsable(trace: NetworkTrace): void {
  for (const format of FORMATS) {
    const text = writeTrace(trace, format);
    expect(() => parseTrace(text, `back.${format}`, format), format).not.toThrow();
  }
  for (const network of NETWORK_MODEL_NAMES) {
    try {
      const { records } = simulateSession({ video: VIDEO, trace, algorithm: 'bba', network });
      expect(records).toHaveLength(VIDEO.segmentSizesBytes.length);
    } catch (e) {
      expect(e).toBeInstanceOf(AbrkitError);
      expect((e as AbrkitError).code).toBe('SIM_TIME_LIMIT');
    }
  }
}

// Near and past every limit: crawls (0 < kbps < 1), sub-ms periods, huge and negative values.
const hostile = fc.oneof(
  fc.constantFrom(0, 1e-300, 1e-9, 1e-4, 0.0005, 0.4, 0.9994, 0.9995, 1, 1.0004, 999, 1e9, 1e12, 1e300, -1),
  fc.double({ min: 0, max: 1e6, noNaN: true }),
);

describe('recordings: what the readers accept, the writers write and the simulator finishes', () => {
  it('exported sessions (a trace, or records only)', () => {
    let usable = 0;
    const period = fc.record({
      durationMs: fc.oneof(hostile, fc.constantFrom(1, 250, 1000, 4000)),
      bandwidthKbps: hostile,
      latencyMs: fc.oneof(hostile, fc.constantFrom(0, 40)),
    });
    const record = fc.record({ sizeBytes: hostile, downloadMs: hostile });
    const session = fc.oneof(
      fc.record({ trace: fc.record({ periods: fc.array(period, { minLength: 1, maxLength: 5 }) }) }),
      fc.record({ records: fc.array(record, { minLength: 1, maxLength: 6 }) }),
    );
    fc.assert(
      fc.property(session, (value) => {
        const result = accepted(() => parseSessionExport(JSON.stringify(value), 's.json'));
        if (result === null) return;
        usable++;
        checkUsable(result.trace);
        // a crawl read as an outage is always said
        const crawled = result.trace.periods.some((p) => p.bandwidthKbps === 0);
        if (!crawled) expect(result.warnings).toEqual([]);
      }),
      { numRuns: 200 },
    );
    expect(usable).toBeGreaterThan(10);
  }, 30_000);

  it('HAR files', () => {
    let usable = 0;
    const entry = fc.record({
      startMs: fc.integer({ min: 0, max: 60_000 }),
      wait: fc.oneof(hostile, fc.constantFrom(0, 30)),
      receive: fc.oneof(hostile, fc.constantFrom(1, 100, 2000)),
      bodySize: fc.oneof(hostile, fc.constantFrom(1, 100, 200_000)),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (es) => {
        const entries = es.map((e, i) =>
          harEntry(
            { url: `https://x/s${i}.m4s`, startMs: e.startMs, latencyMs: 10, sizeBytes: 1000, kbps: 1000 },
            {
              timings: { blocked: -1, dns: -1, connect: -1, send: 0, wait: e.wait, receive: e.receive },
              response: { status: 200, bodySize: e.bodySize },
            },
          ),
        );
        const result = accepted(() => parseHarTrace(JSON.stringify({ log: { entries } }), 'f.har'));
        if (result === null) return;
        usable++;
        checkUsable(result.trace);
      }),
      { numRuns: 150 },
    );
    expect(usable).toBeGreaterThan(20);
  }, 30_000);

  it('a HAR whose downloads last under 1 µs in all is refused naming the file, not turned into an empty trace', () => {
    const entry = harEntry(
      { url: 'https://x/s0.m4s', startMs: 0, latencyMs: 0, sizeBytes: 1000, kbps: 1000 },
      { timings: { blocked: -1, dns: -1, connect: -1, send: 0, wait: 0, receive: 0.0001 } },
    );
    let error: unknown;
    try {
      parseHarTrace(JSON.stringify({ log: { entries: [entry] } }), '/x/tiny.har');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AbrkitError);
    expect((error as AbrkitError).code).toBe('TRACE_NO_MEDIA');
    expect((error as AbrkitError).data.source).toBe('/x/tiny.har');
    expect((error as AbrkitError).message).toMatch(/less than 1 µs in all/);
  });
});
