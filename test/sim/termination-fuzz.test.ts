/**
 * Fuzzing of the input surfaces of issue 18 (short runs: the whole file stays within a few seconds):
 * - every reader (trace formats, HAR, exported session, Sabre and Pensieve videos), the mp4 box walker, the
 *   fault and trace specs either accept or throw a typed AbrkitError, never another error;
 * - the property that matters: every trace and video a reader accepts lets `simulateSession` finish, under
 *   all three network models, within its virtual-time limit (it returns, or ends with SIM_TIME_LIMIT), in
 *   bounded wall time (the test's timeout).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import { listTopLevelBoxes } from '../../src/media/boxes.js';
import { parseFaultSpec } from '../../src/shaping/faults.js';
import { NETWORK_MODEL_NAMES } from '../../src/sim/network/index.js';
import { simulateSession } from '../../src/sim/simulate.js';
import { parseHarTrace } from '../../src/traces/har.js';
import { parseTrace } from '../../src/traces/detect.js';
import { parseSessionExport } from '../../src/traces/session-export.js';
import { generateTrace } from '../../src/traces/spec.js';
import { validateTrace } from '../../src/traces/validate.js';
import type { NetworkTrace } from '../../src/traces/model.js';
import { parsePensieveVideoSizes } from '../../src/videos/pensieve.js';
import { parseSabreMovie } from '../../src/videos/sabre.js';
import type { VideoDescription } from '../../src/videos/model.js';
import { harEntry } from '../traces/har-fixture.js';

/** Runs `fn`; anything thrown must be an AbrkitError. Returns the value, or null when it threw. */
function typedOrValue<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof AbrkitError)) throw e;
    return null;
  }
}

// Numbers near and past every limit, written as a careless or hostile user would.
const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, 1e-300, 1e-9, 1e-6, 0.05, 0.1, 0.5, 1, 999, 1e9, 2e9, 1e12, 1e300, -1, -100),
  fc.double({ min: -10, max: 1e7, noNaN: true }),
  fc.integer({ min: 0, max: 100_000 }),
);
const numberText = fc.oneof(
  hostileNumber.map((n) => String(n)),
  fc.constantFrom('NaN', 'Infinity', '1e400', '0x10', '', '-0'),
);

const sabreTraceText = fc
  .array(fc.tuple(hostileNumber, hostileNumber, hostileNumber), { minLength: 1, maxLength: 6 })
  .map(
    (rows) =>
      `[${rows.map(([d, b, l]) => `{"duration_ms": ${JSON.stringify(d)}, "bandwidth_kbps": ${JSON.stringify(b)}, "latency_ms": ${JSON.stringify(l)}}`).join(',')}]`,
  );
const pensieveText = fc
  .array(fc.tuple(numberText, numberText), { minLength: 1, maxLength: 6 })
  .map((rows) => rows.map(([t, b]) => `${t}\t${b}`).join('\n'));
const csvText = fc
  .array(fc.tuple(numberText, numberText, numberText), { minLength: 1, maxLength: 6 })
  .map((rows) => rows.map((r) => r.join(',')).join('\n'));
const mahimahiText = fc
  .array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 20 })
  .map((xs) => xs.sort((a, b) => a - b).join('\n'));
const traceText = fc.oneof(sabreTraceText, pensieveText, csvText, mahimahiText);

const sabreMovieText = fc
  .tuple(
    hostileNumber,
    fc.array(fc.array(hostileNumber, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 4 }),
  )
  .map(
    ([duration, rows]) =>
      `{"segment_duration_ms": ${JSON.stringify(duration)}, "bitrates_kbps": [300, 1200], "segment_sizes_bits": ${JSON.stringify(rows)}}`,
  );

describe('fuzz: readers accept or throw AbrkitError', () => {
  it('trace readers (all four formats, detected)', () => {
    fc.assert(
      fc.property(traceText, (text) => {
        const trace = typedOrValue(() => parseTrace(text, 'fuzz.txt'));
        // What a reader accepts is within the shared limits.
        if (trace !== null) expect(() => validateTrace(trace)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('HAR reader: hostile sizes, timings and dates', () => {
    const entry = fc.record({
      startMs: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(-1.7e12, 3e13)),
      wait: hostileNumber,
      receive: hostileNumber,
      bodySize: fc.oneof(hostileNumber, fc.constantFrom(1e308, -1, null)),
      status: fc.constantFrom(200, 206, 304, 0, 500),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 0, maxLength: 8 }), (es) => {
        const entries = es.map((e, i) =>
          harEntry(
            { url: `https://x/s${i}.m4s`, startMs: 0, latencyMs: 10, sizeBytes: 1000, kbps: 1000 },
            {
              startedDateTime: new Date(1.77e12 + e.startMs).toISOString(),
              timings: { blocked: -1, dns: -1, connect: -1, send: 0, wait: e.wait, receive: e.receive },
              response: { status: e.status, bodySize: e.bodySize },
            },
          ),
        );
        const result = typedOrValue(() => parseHarTrace(JSON.stringify({ log: { entries } }), 'f.har'));
        if (result !== null) expect(() => validateTrace(result.trace)).not.toThrow();
      }),
      { numRuns: 200 },
    );
    for (const text of ['', '{', '[]', '{"log": 5}', '{"log": {"entries": [5]}}', 'null']) {
      expect(() => parseHarTrace(text, 'f.har')).toThrow(AbrkitError);
    }
  });

  it('exported-session reader', () => {
    const period = fc.record({
      durationMs: hostileNumber,
      bandwidthKbps: hostileNumber,
      latencyMs: hostileNumber,
    });
    const record = fc.record({ sizeBytes: hostileNumber, downloadMs: hostileNumber });
    const session = fc.oneof(
      fc.record({ trace: fc.record({ periods: fc.array(period, { maxLength: 5 }) }) }),
      fc.record({ records: fc.array(record, { maxLength: 5 }) }),
      fc.anything(),
    );
    fc.assert(
      fc.property(session, (value) => {
        typedOrValue(() => parseSessionExport(JSON.stringify(value) ?? '', 's.json'));
      }),
      { numRuns: 200 },
    );
  });

  it('video readers (Sabre movie, Pensieve video_size_N)', () => {
    fc.assert(
      fc.property(sabreMovieText, (text) => {
        typedOrValue(() => parseSabreMovie(text, 'm.json'));
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(numberText, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
        (files) => {
          const named = files.map((lines, i) => ({ name: `video_size_${i}`, text: lines.join('\n') }));
          typedOrValue(() =>
            parsePensieveVideoSizes(named, { bitratesKbps: files.map((_, i) => 300 * (i + 1)) }, 'v'),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('mp4 box walker (src/media/boxes.ts)', () => {
    const box = fc.tuple(
      fc.integer({ min: 0, max: 40 }),
      fc.constantFrom('moov', 'moof', 'mdat', 'ftyp', '\0\0\0\0'),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.array(box, { maxLength: 5 }).map(boxesBytes)),
        (bytes) => {
          const boxes = typedOrValue(() => listTopLevelBoxes(bytes, 'seg.m4s'));
          if (boxes !== null) {
            expect(boxes.reduce((n, b) => n + b.sizeBytes, 0)).toBe(bytes.byteLength);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fault and trace specs', () => {
    const item = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc
        .tuple(
          fc.constantFrom('5xx', '404', 'reset', 'stall', 'spike', 'outage', 'pattern', 'first', 'x'),
          numberText,
        )
        .map(([k, v]) => `${k}=${v}`),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 4 }), (items) => {
        typedOrValue(() => parseFaultSpec(items.join(','), 'faults'));
      }),
      { numRuns: 200 },
    );
    const kind = fc.constantFrom('constant', 'step', 'random-walk', 'markov', 'cellular', 'nope');
    const arg = fc.oneof(
      numberText,
      fc.tuple(numberText, numberText).map(([b, d]) => `${b}x${d}s`),
      fc
        .tuple(
          fc.constantFrom('periodMs', 'durationS', 'minKbps', 'meanKbps', 'latencyMs', 'seed'),
          numberText,
        )
        .map(([k, v]) => `${k}=${v}`),
    );
    fc.assert(
      fc.property(kind, fc.array(arg, { maxLength: 3 }), (k, args) => {
        const trace = typedOrValue(() => generateTrace(`${k}:${args.join(',')}`));
        if (trace !== null) expect(() => validateTrace(trace)).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });
});

function boxesBytes(boxes: readonly (readonly [number, string])[]): Uint8Array {
  const parts = boxes.map(([size, type]) => {
    const b = new Uint8Array(Math.max(8, Math.min(size, 40)));
    new DataView(b.buffer).setUint32(0, size);
    for (let i = 0; i < 4; i++) b[4 + i] = type.charCodeAt(i);
    return b;
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

// Inputs at the edges of the limits (mostly accepted), to reach the simulator often.
const edgeTraceText = fc
  .array(
    fc.tuple(
      fc.constantFrom(1, 1.5, 7, 1000, 5000),
      fc.constantFrom(0, 0.1, 1, 1000, 50_000, 1e9),
      fc.constantFrom(0, 20, 5000, 600_000),
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map(
    (rows) =>
      `[${rows.map(([d, b, l]) => `{"duration_ms": ${d}, "bandwidth_kbps": ${b}, "latency_ms": ${l}}`).join(',')}]`,
  );
const edgeMovieText = fc
  .tuple(
    fc.constantFrom(1, 1000, 4000, 3_600_000),
    fc.array(fc.tuple(fc.constantFrom(1, 8, 1e6, 1e9), fc.constantFrom(8, 1e7, 1e9)), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(
    ([duration, rows]) =>
      `{"segment_duration_ms": ${duration}, "bitrates_kbps": [300, 1200], "segment_sizes_bits": ${JSON.stringify(rows)}}`,
  );

describe('property: whatever the readers accept, a session ends within its bound', () => {
  it('every accepted trace and video finishes (or hits SIM_TIME_LIMIT) under all three network models', () => {
    let simulated = 0;
    fc.assert(
      fc.property(
        fc.oneof(traceText, edgeTraceText),
        fc.oneof(sabreMovieText, edgeMovieText),
        (traceSource, movieSource) => {
          const trace: NetworkTrace | null = typedOrValue(() => parseTrace(traceSource, 'fuzz-trace'));
          const video: VideoDescription | null = typedOrValue(() =>
            parseSabreMovie(movieSource, 'fuzz.json'),
          );
          if (trace === null || video === null) return;
          for (const network of NETWORK_MODEL_NAMES) {
            simulated++;
            try {
              const { records } = simulateSession({ video, trace, algorithm: 'bba', network });
              expect(records).toHaveLength(video.segmentSizesBytes.length);
            } catch (e) {
              expect(e).toBeInstanceOf(AbrkitError);
              expect((e as AbrkitError).code).toBe('SIM_TIME_LIMIT');
              expect((e as AbrkitError).data.source).toBe(trace.name);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
    // The generators must reach the simulator often enough for the property to mean something.
    expect(simulated).toBeGreaterThan(30);
  }, 20_000);
});
