import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import {
  detectTraceFormat,
  parseCsvTrace,
  parseMahimahiTrace,
  parsePensieveTrace,
  parseSabreTrace,
  parseTrace,
  writeCsvTrace,
  writeMahimahiTrace,
  writePensieveTrace,
  writeSabreTrace,
  type NetworkTrace,
  type TraceErrorCode,
} from '../../src/traces/index.js';

/** Runs `fn`, expecting an AbrkitError('trace', code) naming `source` and, if given, the line. */
function expectTraceError(
  fn: () => unknown,
  code: TraceErrorCode,
  source: string,
  line?: number,
): AbrkitError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a throw').toBeInstanceOf(AbrkitError);
  const error = caught as AbrkitError;
  expect(error.category).toBe('trace');
  expect(error.code).toBe(code);
  expect(error.data.source).toBe(source);
  expect(error.data.line).toBe(line);
  expect(error.message.startsWith(line === undefined ? `${source}: ` : `${source}:${line}: `)).toBe(true);
  return error;
}

describe('Sabre JSON errors', () => {
  const f = 'bad.json';
  const ok = '{"duration_ms": 1000, "bandwidth_kbps": 500, "latency_ms": 20}';
  it('empty content', () => {
    expectTraceError(() => parseSabreTrace('', f), 'TRACE_EMPTY', f);
    expectTraceError(() => parseSabreTrace(' \n\t\n', f), 'TRACE_EMPTY', f);
    expectTraceError(() => parseSabreTrace('[]', f), 'TRACE_EMPTY', f);
  });
  it('JSON syntax errors name the line', () => {
    expectTraceError(() => parseSabreTrace(`[\n${ok},\n{"duration_ms" 5}\n]`, f), 'TRACE_BAD_JSON', f, 3);
    expectTraceError(() => parseSabreTrace(`[\n${ok},\n`, f), 'TRACE_BAD_JSON', f, 2);
  });
  it('not an array of period objects: names the period index', () => {
    expectTraceError(() => parseSabreTrace(ok, f), 'TRACE_BAD_PERIOD', f);
    expectTraceError(() => parseSabreTrace('"text"', f), 'TRACE_BAD_PERIOD', f);
    const e = expectTraceError(() => parseSabreTrace(`[${ok}, [1, 2]]`, f), 'TRACE_BAD_PERIOD', f);
    expect(e.data.period).toBe(1);
    expect(e.message).toMatch(/period 1/);
    const missing = expectTraceError(
      () => parseSabreTrace(`[${ok}, ${ok}, {"duration_ms": 1, "bandwidth_kbps": 1}]`, f),
      'TRACE_BAD_PERIOD',
      f,
    );
    expect(missing.data.period).toBe(2);
    expect(missing.message).toMatch(/latency_ms/);
  });
  it('bad numbers, durations and values', () => {
    const period = (d: string, b: string, l: string): string =>
      `[${ok}, {"duration_ms": ${d}, "bandwidth_kbps": ${b}, "latency_ms": ${l}}]`;
    expect(
      expectTraceError(() => parseSabreTrace(period('"5"', '1', '1'), f), 'TRACE_BAD_NUMBER', f).data.period,
    ).toBe(1);
    expectTraceError(() => parseSabreTrace(period('1e999', '1', '1'), f), 'TRACE_BAD_NUMBER', f);
    expectTraceError(() => parseSabreTrace(period('1', 'null', '1'), f), 'TRACE_BAD_NUMBER', f);
    expectTraceError(() => parseSabreTrace(period('0', '1', '1'), f), 'TRACE_BAD_DURATION', f);
    expectTraceError(() => parseSabreTrace(period('-5', '1', '1'), f), 'TRACE_BAD_DURATION', f);
    expectTraceError(() => parseSabreTrace(period('1', '-1', '1'), f), 'TRACE_BAD_VALUE', f);
    expectTraceError(() => parseSabreTrace(period('1', '1', '-1'), f), 'TRACE_BAD_VALUE', f);
  });
  it('binary content names the line', () => {
    expectTraceError(() => parseSabreTrace(`[\n${ok},\n\u0000\u0001]`, f), 'TRACE_BINARY', f, 3);
    expectTraceError(() => parseSabreTrace(`[${ok}\uFFFD]`, f), 'TRACE_BINARY', f, 1);
  });
});

describe('Pensieve cooked errors', () => {
  const f = 'cooked/trace_1';
  it('each bad line is named', () => {
    expectTraceError(() => parsePensieveTrace('', f), 'TRACE_EMPTY', f);
    expectTraceError(() => parsePensieveTrace('0 1\n1 2 3\n', f), 'TRACE_BAD_COLUMNS', f, 2);
    expectTraceError(() => parsePensieveTrace('0 1\n\n5\n', f), 'TRACE_BAD_COLUMNS', f, 3);
    expectTraceError(() => parsePensieveTrace('0 1\n1 abc\n', f), 'TRACE_BAD_NUMBER', f, 2);
    expectTraceError(() => parsePensieveTrace('0 1\n1 NaN\n', f), 'TRACE_BAD_NUMBER', f, 2);
    expectTraceError(() => parsePensieveTrace('0 1\nInfinity 2\n', f), 'TRACE_BAD_NUMBER', f, 2);
    expectTraceError(() => parsePensieveTrace('0 1\n0x10 2\n', f), 'TRACE_BAD_NUMBER', f, 2);
    expectTraceError(() => parsePensieveTrace('0 1\n1 -2\n', f), 'TRACE_BAD_VALUE', f, 2);
    expectTraceError(() => parsePensieveTrace('0 1\n1 1e308\n', f), 'TRACE_BAD_VALUE', f, 2);
    expectTraceError(() => parsePensieveTrace('0 1\n2 1\n1 1\n', f), 'TRACE_NOT_INCREASING', f, 3);
    expectTraceError(() => parsePensieveTrace('0 1\n2 1\n2 1\n', f), 'TRACE_NOT_INCREASING', f, 3);
    expectTraceError(() => parsePensieveTrace('\n\n0 1\n', f), 'TRACE_ZERO_DURATION', f, 3);
    expectTraceError(() => parsePensieveTrace('0 1\n1e-12 1\n', f), 'TRACE_BAD_DURATION', f, 2);
    expectTraceError(() => parsePensieveTrace('0 1\r\n1 1\r\n2\u00001\r\n', f), 'TRACE_BINARY', f, 3);
    expectTraceError(() => parsePensieveTrace('0 1\r1 1\r2\uFFFD1\r', f), 'TRACE_BINARY', f, 3);
  });
});

describe('mahimahi errors', () => {
  const f = 'up.mahi';
  it('each bad line is named', () => {
    expectTraceError(() => parseMahimahiTrace('\n', f), 'TRACE_EMPTY', f);
    expectTraceError(() => parseMahimahiTrace('1\n1.5\n', f), 'TRACE_BAD_NUMBER', f, 2);
    expectTraceError(() => parseMahimahiTrace('1\n-3\n', f), 'TRACE_BAD_NUMBER', f, 2);
    expectTraceError(() => parseMahimahiTrace('1\nfoo\n', f), 'TRACE_BAD_NUMBER', f, 2);
    expectTraceError(() => parseMahimahiTrace('1\n2 3\n', f), 'TRACE_BAD_COLUMNS', f, 2);
    expectTraceError(() => parseMahimahiTrace('1\n99999999999999999999\n', f), 'TRACE_BAD_NUMBER', f, 2);
    expectTraceError(() => parseMahimahiTrace('5\n9\n7\n', f), 'TRACE_NOT_INCREASING', f, 3);
    expectTraceError(() => parseMahimahiTrace('0\n0\n', f), 'TRACE_ZERO_DURATION', f, 2);
  });
  it('rejects bad options with a TypeError', () => {
    expect(() => parseMahimahiTrace('1\n', f, { binMs: 0 })).toThrow(TypeError);
    expect(() => parseMahimahiTrace('1\n', f, { latencyMs: -1 })).toThrow(TypeError);
  });
});

describe('CSV errors', () => {
  const f = 'lab.csv';
  it('each bad line is named', () => {
    expectTraceError(() => parseCsvTrace('time_s,throughput_kbps\n', f), 'TRACE_EMPTY', f);
    expectTraceError(() => parseCsvTrace('0,1\n1,2,3,4\n', f), 'TRACE_BAD_COLUMNS', f, 2);
    expectTraceError(() => parseCsvTrace('0,1\n1\n2,3\n', f), 'TRACE_BAD_COLUMNS', f, 2);
    expectTraceError(() => parseCsvTrace('h,t\n0,1\nx,2\n', f), 'TRACE_BAD_NUMBER', f, 3);
    expectTraceError(() => parseCsvTrace('0,NaN\n1,2\n', f), 'TRACE_BAD_NUMBER', f, 1);
    expectTraceError(() => parseCsvTrace('0,1\n1,2,\n2,\n', f), 'TRACE_BAD_NUMBER', f, 2);
    expectTraceError(() => parseCsvTrace('0,1\n1,-2\n', f), 'TRACE_BAD_VALUE', f, 2);
    expectTraceError(() => parseCsvTrace('0,1\n1,2,-1\n', f), 'TRACE_BAD_VALUE', f, 2);
    expectTraceError(() => parseCsvTrace('0,1\n2,2\n1,3\n', f), 'TRACE_NOT_INCREASING', f, 3);
    expectTraceError(() => parseCsvTrace('0,1\n0,2\n', f), 'TRACE_NOT_INCREASING', f, 2);
    expectTraceError(() => parseCsvTrace('time_s,kbps\n0,100\n', f), 'TRACE_ZERO_DURATION', f, 2);
    expectTraceError(() => parseCsvTrace('0,1\n1,\u00002\n', f), 'TRACE_BINARY', f, 2);
  });
});

describe('detection errors', () => {
  it('names the file and the first line', () => {
    expectTraceError(() => detectTraceFormat('', 'x'), 'TRACE_EMPTY', 'x');
    expectTraceError(() => detectTraceFormat('\nhello world again\n', 'x'), 'TRACE_UNKNOWN_FORMAT', 'x', 2);
    expectTraceError(() => parseTrace('\u0000\u0001\u0002', 'x.bin'), 'TRACE_BINARY', 'x.bin', 1);
  });
});

// ---- Property tests: garbage in, AbrkitError('trace') out, never anything else. ----

const parsers: readonly [string, (text: string) => NetworkTrace][] = [
  ['sabre', (t) => parseSabreTrace(t, 'fuzz')],
  ['pensieve', (t) => parsePensieveTrace(t, 'fuzz')],
  ['mahimahi', (t) => parseMahimahiTrace(t, 'fuzz')],
  ['csv', (t) => parseCsvTrace(t, 'fuzz')],
  ['auto', (t) => parseTrace(t, 'fuzz')],
];

/** Either a valid trace or an AbrkitError('trace') naming the file; anything else fails the property. */
function checkOutcome(parse: (text: string) => NetworkTrace, text: string): void {
  let trace: NetworkTrace;
  try {
    trace = parse(text);
  } catch (e) {
    if (!(e instanceof AbrkitError) || e.category !== 'trace' || e.data.source !== 'fuzz') throw e;
    if (e.data.line !== undefined && !(Number.isInteger(e.data.line) && e.data.line >= 1)) throw e;
    return;
  }
  expect(trace.periods.length).toBeGreaterThan(0);
  let total = 0;
  for (const p of trace.periods) {
    expect(Number.isFinite(p.durationMs) && p.durationMs > 0).toBe(true);
    expect(Number.isFinite(p.bandwidthKbps) && p.bandwidthKbps >= 0).toBe(true);
    expect(Number.isFinite(p.latencyMs) && p.latencyMs >= 0).toBe(true);
    total += p.durationMs;
  }
  expect(total).toBeGreaterThan(0);
}

const VALID_SAMPLES: readonly string[] = [
  '[\n    {"duration_ms": 1013, "bandwidth_kbps": 1285, "latency_ms": 100},\n    {"duration_ms": 1008, "bandwidth_kbps": 1693, "latency_ms": 100}\n]\n',
  '0.0\t1.285\n1.013\t1.285\n2.021\t1.693\n3.032\t1.812\n',
  '1\n1\n5\n900\n1000\n1001\n2400\n',
  'time_s,throughput_kbps,latency_ms\n0,1000,50\n2.5,400,50\n4,0,10\n10,,\n',
];

/** Characters that matter to the readers: digits, signs, separators, JSON punctuation, junk. */
const NASTY = [...'0123456789.-+eE,; \t\n\r[]{}":xNaIfinty', '\u0000', '\uFFFD', '\uFEFF', '\u0007'];

const mutation = fc.oneof(
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.string({ unit: fc.constantFrom(...NASTY), maxLength: 4 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), text: fc.constantFrom(...NASTY) }),
);

function mutate(text: string, ops: readonly Mutation[]): string {
  let out = text;
  for (const m of ops) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.op === 'insert') out = out.slice(0, at) + m.text + out.slice(at);
    else if (m.op === 'delete') out = out.slice(0, at) + out.slice(at + m.length);
    else out = out.slice(0, at) + m.text + out.slice(at + 1);
  }
  return out;
}
type Mutation =
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'replace'; at: number; text: string };

describe('property: readers only ever throw AbrkitError', () => {
  it.each(parsers)('%s: arbitrary strings', (_name, parse) => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => checkOutcome(parse, text)),
      { numRuns: 300 },
    );
  });
  it.each(parsers)('%s: strings made of trace-like characters', (_name, parse) => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...NASTY), maxLength: 120 }), (text) =>
        checkOutcome(parse, text),
      ),
      { numRuns: 500 },
    );
  });
  it.each(parsers)('%s: mutated valid files', (_name, parse) => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VALID_SAMPLES),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (text, ops) => checkOutcome(parse, mutate(text, ops as Mutation[])),
      ),
      { numRuns: 600 },
    );
  });
  it.each(parsers)('%s: byte-ish strings (random bytes decoded as UTF-8 and Latin-1)', (_name, parse) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, utf8) => {
        const text = utf8 ? new TextDecoder('utf-8').decode(bytes) : String.fromCharCode(...bytes);
        checkOutcome(parse, text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('property: writers round-trip arbitrary valid traces', () => {
  const periods = fc
    .array(
      fc.record({
        durationMs: fc.integer({ min: 1, max: 600_000 }),
        // Within TRACE_LIMITS: 0 (an outage) or at least 1 kbps.
        bandwidthKbps: fc.oneof(
          fc.constant(0),
          fc.integer({ min: 1, max: 1_000_000 }),
          fc.double({ min: 1, max: 1e6, noNaN: true }),
        ),
        latencyMs: fc.integer({ min: 0, max: 2000 }),
      }),
      { minLength: 1, maxLength: 40 },
    )
    .filter((ps) => ps.some((p) => p.bandwidthKbps > 0));
  it('Sabre JSON and CSV give back the same periods; cooked the same durations and bandwidths', () => {
    fc.assert(
      fc.property(periods, (ps) => {
        const trace: NetworkTrace = { name: 't', periods: ps };
        expect(parseSabreTrace(writeSabreTrace(trace), 't').periods).toEqual(ps);
        expect(parseCsvTrace(writeCsvTrace(trace), 't').periods).toEqual(ps);
        const cooked = parsePensieveTrace(writePensieveTrace(trace), 't', { latencyMs: 0 });
        expect(cooked.periods).toEqual(ps.map((p) => ({ ...p, latencyMs: 0 })));
        // And a cooked trace written again keeps its samples exactly.
        expect(parsePensieveTrace(writePensieveTrace(cooked), 't').pensieve).toEqual(cooked.pensieve);
      }),
      { numRuns: 200 },
    );
  });
  it('mahimahi: read, write, read gives the same windows for arbitrary opportunity lists', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(1, 7, 100, 1000),
        (times, binMs) => {
          const sorted = [...times].sort((a, b) => a - b);
          if (sorted[sorted.length - 1] === 0) sorted.push(1);
          const trace = parseMahimahiTrace(sorted.join('\n'), 'm', { binMs });
          const rewritten = writeMahimahiTrace(trace);
          expect(rewritten.trim().split('\n').length).toBe(sorted.length);
          expect(parseMahimahiTrace(rewritten, 'm', { binMs }).periods).toEqual(trace.periods);
        },
      ),
      { numRuns: 200 },
    );
  });
});
