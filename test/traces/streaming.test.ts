import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PeriodTableBuilder,
  isPacked,
  packedTrace,
  pensieveColumns,
  periodCount,
  periodTable,
  traceFromWire,
  traceToWire,
} from '../../src/traces/columns.js';
import {
  createTraceReader,
  parseTrace,
  traceFromSamples,
  writeSabreTrace,
  writeTrace,
  type TraceWarning,
} from '../../src/traces/index.js';
import { formatSabrePeriods } from '../../src/traces/sabre-format.js';
import type { TraceFormat } from '../../src/traces/model.js';
import { checkWritableTrace } from '../../src/traces/validate.js';

const SAMPLES: readonly [TraceFormat, string][] = [
  [
    'sabre',
    '\uFEFF[\r\n  {"duration_ms": 1013, "bandwidth_kbps": 1285, "latency_ms": 100},\r\n' +
      '  {"latency_ms": 5, "bandwidth_kbps": 0.5, "duration_ms": 20, "note": {"x": [1, "]},"]}},\n' +
      '  {"duration_ms": 1008, "bandwidth_kbps": 1693.25, "latency_ms": 100}\n]\n',
  ],
  ['pensieve', '0.0\t1.285\r\n1.013 1.285\n2.021\t0.0005\r3.032\t1.812\n'],
  ['csv', 'time_s,throughput_kbps,latency_ms\r\n0,1000,50\n2.5,0.4,50\n4,0,10\n10,,\n'],
  ['mahimahi', '1\n1\n5\n900\n1000\n1001\n2400\n'],
];

/** Feeds `text` to a streaming reader in pieces of `size` characters. */
function readInPieces(
  text: string,
  format: TraceFormat | undefined,
  size: number,
  onWarning: (w: TraceWarning) => void = () => {},
) {
  const reader = createTraceReader('s', format, { onWarning });
  for (let at = 0; at < text.length; at += size) reader.push(text.slice(at, at + size));
  return reader.end();
}

describe('streaming readers (src/traces/lines.ts, createTraceReader)', () => {
  it.each(SAMPLES)(
    '%s: any chunking gives the trace of the whole text, warnings included',
    (format, text) => {
      const warnings: TraceWarning[] = [];
      const whole = parseTrace(text, 's', format, { onWarning: (w) => warnings.push(w) });
      for (const size of [1, 2, 3, 7, 64]) {
        for (const f of [format, undefined]) {
          const trace = readInPieces(text, f, size);
          expect(trace.periods).toEqual(whole.periods);
          expect(trace.pensieve).toEqual(whole.pensieve);
        }
        const seen: TraceWarning[] = [];
        const counted = readInPieces(text, format, size, (w) => seen.push(w));
        expect(counted.periods).toEqual(whole.periods);
        expect(seen).toEqual(warnings);
      }
    },
  );

  it('errors name the same line whatever the chunking', () => {
    const text = 'time_s,throughput_kbps\n0,1\n\r\n1,x\n2,\n';
    for (const size of [1, 2, 5, 100]) {
      expect(() => readInPieces(text, 'csv', size)).toThrow(/^s:4: throughput_kbps is not a finite number/);
    }
    const json = '[\n{"duration_ms": 1, "bandwidth_kbps": 1, "latency_ms": 1},\n{"duration_ms" 5}\n]';
    for (const size of [1, 3, 100])
      expect(() => readInPieces(json, 'sabre', size)).toThrow(/^s:3: not valid JSON/);
    for (const size of [1, 4]) {
      expect(() => readInPieces('0 1\n1 1\n2\u0000 1\n', 'pensieve', size)).toThrow(/^s:3: binary content/);
    }
  });
});

describe('crawling periods (above 0, below 1 kbps) are read as outages with a counted warning', () => {
  it('counts them, names the first, zeroes the raw Pensieve sample too', () => {
    const warnings: TraceWarning[] = [];
    const trace = parseTrace('0 1\n1 0.0009\n2 1\n3 0.0001\n', 'c.txt', 'pensieve', {
      onWarning: (w) => warnings.push(w),
    });
    expect(trace.periods.map((p) => p.bandwidthKbps)).toEqual([0, 1000, 0]);
    expect(trace.pensieve?.throughputsMbps).toEqual([1, 0, 1, 0]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'TRACE_CRAWL_AS_OUTAGE', source: 'c.txt', count: 2 });
    expect(warnings[0]?.message).toBe(
      '2 periods slower than 1 kbps read as outages (0 kbps): the slowest 0.1 kbps, the first at line 2',
    );
    // Exactly 1 kbps is a link; what is read is what a writer writes and a reader reads back unchanged.
    const edge = parseTrace('[{"duration_ms": 5, "bandwidth_kbps": 1, "latency_ms": 0}]', 'e', 'sabre');
    expect(edge.periods[0]?.bandwidthKbps).toBe(1);
    for (const format of ['sabre', 'csv', 'pensieve'] as const) {
      const again: TraceWarning[] = [];
      const back = parseTrace(writeTrace(trace, format), 'w', format, { onWarning: (w) => again.push(w) });
      expect(back.periods.map((p) => p.bandwidthKbps)).toEqual([0, 1000, 0]);
      expect(again).toEqual([]);
    }
  });

  it('a trace that is all crawls is refused as delivering nothing', () => {
    expect(() => parseTrace('0,0.5\n1,0.2\n2,\n', 'x.csv', 'csv')).toThrow(
      /^x\.csv: every one of its 2 periods has bandwidth 0 \(an outage, or slower than 1 kbps as read\)/,
    );
  });
});

describe('packed period columns (src/traces/columns.ts)', () => {
  const table = (() => {
    const b = new PeriodTableBuilder(2);
    for (let i = 0; i < 5000; i++) b.push(1 + i, i % 3 === 0 ? 0 : 100 + i, 20);
    return b.finish();
  })();

  it('keeps a constant latency as one number and builds period objects only when asked', () => {
    expect(table.latenciesMs).toBeNull();
    expect(table.constantLatencyMs).toBe(20);
    const trace = packedTrace({ name: 'p', table, sourceFormat: 'csv' });
    expect(isPacked(trace)).toBe(true);
    expect(periodCount(trace)).toBe(5000);
    expect(periodTable(trace)).toBe(table);
    expect(trace.periods[4999]).toEqual({ durationMs: 5000, bandwidthKbps: 5099, latencyMs: 20 });
    expect(trace.periods).toBe(trace.periods); // built once
    // A spread copy is an ordinary trace read from its own periods.
    const copy = { ...trace, periods: trace.periods.slice(0, 2) };
    expect(isPacked(copy)).toBe(false);
    expect(periodTable(copy).length).toBe(2);
    expect((JSON.parse(JSON.stringify(trace)) as { periods: unknown[] }).periods).toHaveLength(5000);
    expect(() => checkWritableTrace(trace)).not.toThrow();
  });

  it('varying latencies get a column; a packed trace crosses a structured clone as columns', () => {
    const b = new PeriodTableBuilder();
    b.push(10, 5, 0);
    b.push(10, 5, 7);
    const varied = b.finish();
    expect(Array.from(varied.latenciesMs ?? [])).toEqual([0, 7]);
    const trace = parseTrace('0 1\n1 2\n2 3\n', 'c', 'pensieve');
    const wire = structuredClone(traceToWire(trace));
    expect(wire.kind).toBe('packed');
    const back = traceFromWire(wire);
    expect(isPacked(back)).toBe(true);
    expect(back.periods).toEqual(trace.periods);
    expect(back.pensieve).toEqual(trace.pensieve);
    const plain = { name: 'x', periods: [{ durationMs: 1, bandwidthKbps: 1, latencyMs: 0 }] };
    expect(traceFromWire(structuredClone(traceToWire(plain)))).toEqual(plain);
  });
});

describe("the player's Sabre JSON (src/traces/sabre-format.ts)", () => {
  it('is what writeSabreTrace writes for a recorded trace, and reads back to its periods', () => {
    const trace = traceFromSamples([
      { startMs: 0, firstByteMs: 12.5, endMs: 900, sizeBytes: 250_000 },
      { startMs: 900, firstByteMs: 930, endMs: 4000.25, sizeBytes: 1_000_000 },
      { startMs: 4000.25, firstByteMs: 4001, endMs: 90_000, sizeBytes: 3 },
    ]);
    const text = formatSabrePeriods(trace.periods);
    expect(text).toBe(writeSabreTrace(trace));
    expect(parseTrace(text, 'r.json').periods).toEqual(trace.periods);
  });
});

describe("Pensieve's raw samples kept as what the periods do not say (columns.ts, PensieveDerived)", () => {
  /** The samples as a plain parse of each line gives them (crawls read as 0, as the reader does). */
  function naive(text: string): { timesS: number[]; throughputsMbps: number[] } {
    const rows = text
      .trim()
      .split('\n')
      .map((l) => l.split('\t').map(Number) as [number, number]);
    return {
      timesS: rows.map((r) => r[0]),
      throughputsMbps: rows.map((r) => (r[1] * 1000 < 1 ? 0 : r[1])),
    };
  }

  it("keeps every time as read when the derivation misses often (Puffer's 12-decimal times)", () => {
    const rows = ['0.0\t1.5'];
    for (let i = 1; i <= 3000; i++) rows.push(`${(i * 0.115000009537).toFixed(12)}\t2.25`);
    const trace = parseTrace(`${rows.join('\n')}\n`, 'p.txt', 'pensieve');
    const wire = traceToWire(trace);
    if (wire.kind !== 'packed' || wire.pensieve === undefined || !('firstTimeMs' in wire.pensieve))
      throw new Error('expected derived raw samples');
    expect(wire.pensieve.timesS).toHaveLength(3001);
    expect(Array.from(pensieveColumns(trace)!.timesS)).toEqual(rows.map((r) => Number(r.split('\t')[0])));
  });

  it('property: the samples built from the periods are bit for bit the parsed ones, also after a worker hop', () => {
    const decimalsOf = fc.integer({ min: 0, max: 9 });
    const line = fc.record({
      stepMs: fc.integer({ min: 1, max: 5_000_000 }),
      stepDecimals: decimalsOf,
      mbps: fc.double({ min: 0, max: 900_000, noNaN: true }),
      mbpsDecimals: decimalsOf,
    });
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.array(line, { minLength: 1, maxLength: 40 }),
        (start, lines) => {
          let t = start;
          const rows = [`${start.toFixed(3)}\t1.5`];
          for (const l of lines) {
            t += l.stepMs / 1000 + 0.000_000_001 * l.stepDecimals;
            const mbps = l.mbps < 0.001 ? 0 : l.mbps;
            rows.push(`${t.toFixed(l.stepDecimals)}\t${mbps.toFixed(l.mbpsDecimals)}`);
          }
          const text = `${rows.join('\n')}\n`;
          let trace;
          try {
            trace = parseTrace(text, 'p.txt', 'pensieve');
          } catch {
            return; // e.g. two times equal once rounded: refused, nothing to compare
          }
          const expected = naive(text);
          const raw = pensieveColumns(trace)!;
          expect(Array.from(raw.timesS)).toEqual(expected.timesS);
          expect(Array.from(raw.throughputsMbps)).toEqual(expected.throughputsMbps);
          const hopped = pensieveColumns(traceFromWire(structuredClone(traceToWire(trace))))!;
          expect(Array.from(hopped.timesS)).toEqual(expected.timesS);
          expect(Array.from(hopped.throughputsMbps)).toEqual(expected.throughputsMbps);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps no per-sample copy for timestamps of up to 3 decimals (the published traces, the 200 MB bench)', () => {
    const rows = ['0.0\t1.285'];
    for (let i = 1; i <= 2000; i++)
      rows.push(`${(i * 0.737).toFixed(3)}\t${((i * 7919) % 8000) / 1000 + 0.2}`);
    const trace = parseTrace(`${rows.join('\n')}\n`, 'p.txt', 'pensieve');
    const wire = traceToWire(trace);
    if (wire.kind !== 'packed' || wire.pensieve === undefined || !('firstTimeMs' in wire.pensieve))
      throw new Error('expected derived raw samples');
    const { timesS, timeMs, timeS, mbps, mbpsUlps } = wire.pensieve;
    expect(timesS).toBeNull();
    expect([timeMs.indices.length, timeS.indices.length, mbps.indices.length]).toEqual([0, 0, 0]);
    expect(mbpsUlps.some((u) => u !== 0)).toBe(true); // kbps / 1000 is often an ulp off: one byte each
    expect(Array.from(pensieveColumns(trace)!.throughputsMbps)).toEqual(
      rows.map((r) => Number(r.split('\t')[1])),
    );
    expect(pensieveColumns(trace)!.timesS[2000]).toBe(1474);
  });
});

describe('the period limit is enforced while reading', () => {
  it('a builder given its source throws TRACE_TOO_LARGE at the first period past the limit, naming it', () => {
    const builder = new PeriodTableBuilder(4, 'pipe.txt', 3);
    for (let i = 0; i < 3; i++) builder.push(1000, 2000, 0);
    expect(() => builder.push(1000, 2000, 0)).toThrow(
      expect.objectContaining({
        code: 'TRACE_TOO_LARGE',
        data: { source: 'pipe.txt' },
        message: 'pipe.txt: more than the limit of 3 periods (stopped reading there)',
      }),
    );
    // without a source (a trace built in code) the limit is validateTrace's, at the end
    const free = new PeriodTableBuilder(4, undefined, 3);
    for (let i = 0; i < 5; i++) free.push(1000, 2000, 0);
    expect(free.length).toBe(5);
  });
});
