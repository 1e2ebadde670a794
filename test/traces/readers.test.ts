import { describe, expect, it } from 'vitest';
import {
  CSV_HEADER,
  detectTraceFormat,
  parseCsvTrace,
  parseMahimahiTrace,
  parsePensieveTrace,
  parseSabreTrace,
  parseTrace,
  stepTrace,
  traceDurationMs,
  traceNameFromPath,
  writeCsvTrace,
  writeMahimahiTrace,
  writePensieveTrace,
  writeSabreTrace,
  writeTrace,
  type NetworkTrace,
  type TracePeriod,
} from '../../src/traces/index.js';

const p = (durationMs: number, bandwidthKbps: number, latencyMs: number): TracePeriod => ({
  durationMs,
  bandwidthKbps,
  latencyMs,
});

/** Periods equal within a relative tolerance (readers that take differences of times in seconds). */
function expectPeriodsClose(
  actual: readonly TracePeriod[],
  expected: readonly TracePeriod[],
  rel = 1e-9,
): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    for (const key of ['durationMs', 'bandwidthKbps', 'latencyMs'] as const) {
      expect(Math.abs(a[key] - e[key]), `period ${i} ${key}: ${a[key]} vs ${e[key]}`).toBeLessThanOrEqual(
        rel * Math.max(1, Math.abs(e[key])),
      );
    }
  });
}

describe('traceNameFromPath', () => {
  it('strips .json, .csv and .txt only, keeping other dots', () => {
    expect(traceNameFromPath('/data/hsdpa/report.2010-09-13_1003CEST.json')).toBe(
      'report.2010-09-13_1003CEST',
    );
    expect(traceNameFromPath('cooked/report.2010-09-13_1003CEST')).toBe('report.2010-09-13_1003CEST');
    expect(traceNameFromPath('bus.ljansbakken-oslo-report.2010-09-28_1407CEST.log')).toBe(
      'bus.ljansbakken-oslo-report.2010-09-28_1407CEST.log',
    );
    expect(traceNameFromPath('C:\\traces\\lab.CSV')).toBe('lab');
    expect(traceNameFromPath('a/b/trace.txt')).toBe('trace');
    expect(traceNameFromPath('up.mahi')).toBe('up.mahi');
    expect(traceNameFromPath('.json')).toBe('.json');
  });
});

describe('Sabre JSON', () => {
  const text = `[
    {"duration_ms": 1013, "bandwidth_kbps": 1285, "latency_ms": 100},
    {"duration_ms": 500.5, "bandwidth_kbps": 0, "latency_ms": 20, "note": "outage"}
]
`;
  it('reads the periods as they are', () => {
    const trace = parseSabreTrace(text, 'traces/x.json');
    expect(trace.name).toBe('x');
    expect(trace.sourceFormat).toBe('sabre');
    expect(trace.periods).toEqual([p(1013, 1285, 100), p(500.5, 0, 20)]);
    expect(trace.pensieve).toBeUndefined();
  });
  it('writes what it reads, in the layout of Sabre examples', () => {
    const trace = parseSabreTrace(text, 'x.json');
    const written = writeSabreTrace(trace);
    expect(written.split('\n')[1]).toBe(
      '    {"duration_ms": 1013, "bandwidth_kbps": 1285, "latency_ms": 100},',
    );
    expect(parseSabreTrace(written, 'x.json').periods).toEqual(trace.periods);
  });
});

describe('Pensieve cooked', () => {
  // Line i's throughput holds over (time[i-1], time[i]]; line 0's throughput is never delivered.
  const text = '0.0\t9.9\n1.013\t1.285\n2.021  1.693\n\n3.5 0\n';
  it('turns line i into period i-1 at line i throughput, 80 ms latency, and keeps the raw samples', () => {
    const trace = parsePensieveTrace(text, 'cooked/report.2010-09-13_1003CEST');
    expect(trace.name).toBe('report.2010-09-13_1003CEST');
    expect(trace.sourceFormat).toBe('pensieve');
    // Durations are rounded to whole ns, so they come out exact despite 2.021 - 1.013 in floating point.
    expect(trace.periods).toEqual([p(1013, 1285, 80), p(1008, 1693, 80), p(1479, 0, 80)]);
    expect(trace.pensieve).toEqual({
      timesS: [0, 1.013, 2.021, 3.5],
      throughputsMbps: [9.9, 1.285, 1.693, 0],
    });
  });
  it('takes a latency option', () => {
    expect(parsePensieveTrace(text, 'x', { latencyMs: 0 }).periods[0]!.latencyMs).toBe(0);
  });
  it('keeps a start time other than 0 in the raw samples only', () => {
    const trace = parsePensieveTrace('10 1\n12 2\n13 3\n', 'x');
    expect(trace.periods).toEqual([p(2000, 2000, 80), p(1000, 3000, 80)]);
    expect(trace.pensieve!.timesS[0]).toBe(10);
  });
  it('writes the raw samples back: same count, same values', () => {
    const trace = parsePensieveTrace(text, 'x');
    const written = writePensieveTrace(trace);
    expect(written).toBe('0.0\t9.9\n1.013\t1.285\n2.021\t1.693\n3.5\t0.0\n');
    expect(parsePensieveTrace(written, 'x').pensieve).toEqual(trace.pensieve);
  });
  it('writes periods per data/README: line 0 = 0.0 b0, line i = end of period i-1 and its bandwidth', () => {
    const trace: NetworkTrace = {
      name: 't',
      periods: [p(1013, 1285, 100), p(1008, 1693, 100), p(250, 40, 100)],
    };
    expect(writePensieveTrace(trace)).toBe('0.0\t1.285\n1.013\t1.285\n2.021\t1.693\n2.271\t0.04\n');
    // And back: the same periods (latency becomes Pensieve's 80 ms).
    expect(parsePensieveTrace(writePensieveTrace(trace), 't').periods).toEqual(
      trace.periods.map((q) => ({ ...q, latencyMs: 80 })),
    );
  });
});

describe('mahimahi', () => {
  it('bins opportunities into (k*bin, (k+1)*bin] windows with exact bytes, the last window ending at the last line', () => {
    // Window (0,1000]: 0, 1, 500, 1000 -> 4 packets. (1000,2000]: 1001, 1001 -> 2. (2000,2500]: 2500 -> 1.
    const text = '0\n1\n500\n1000\n1001\n1001\n2500\n';
    const trace = parseMahimahiTrace(text, 'links/up.mahi');
    expect(trace.name).toBe('up.mahi');
    expect(trace.sourceFormat).toBe('mahimahi');
    expect(trace.periods).toEqual([
      p(1000, (4 * 12000) / 1000, 0),
      p(1000, (2 * 12000) / 1000, 0),
      p(500, 12000 / 500, 0),
    ]);
    const bits = trace.periods.reduce((s, q) => s + q.bandwidthKbps * q.durationMs, 0);
    expect(bits).toBe(7 * 1500 * 8);
  });
  it('merges a run of empty windows into one zero-bandwidth period, and takes binMs and latencyMs', () => {
    // (0,100]: 1 packet; (100,300] empty; (300,350]: 1 packet in a 50 ms last window.
    const trace = parseMahimahiTrace('100\n350\n', 'x', { binMs: 100, latencyMs: 30 });
    expect(trace.periods).toEqual([p(100, 120, 30), p(200, 0, 30), p(50, 12000 / 50, 30)]);
    // A gap of days costs one period, not one per window.
    const long = parseMahimahiTrace('5\n500000000\n', 'x');
    expect(long.periods).toEqual([p(1000, 12, 0), p(499_998_000, 0, 0), p(1000, 12, 0)]);
    // A first packet late in the trace starts with a zero period.
    expect(parseMahimahiTrace('2500\n', 'x').periods).toEqual([p(2000, 0, 0), p(500, 24, 0)]);
  });
  it('writes the right count per window, the last line at the trace end', () => {
    // 12 Mbps for 1 s = 1000 packets; 1.2 Mbps for 1 s = 100; 0 for 0.5 s; 24 kbps for 0.5 s = 1.
    const trace = stepTrace([
      { durationMs: 1000, bandwidthKbps: 12000 },
      { durationMs: 1000, bandwidthKbps: 1200 },
      { durationMs: 500, bandwidthKbps: 0 },
      { durationMs: 500, bandwidthKbps: 24 },
    ]);
    const times = writeMahimahiTrace(trace).trim().split('\n').map(Number);
    expect(times.length).toBe(1101);
    expect(times.filter((t) => t <= 1000).length).toBe(1000);
    expect(times.filter((t) => t > 1000 && t <= 2000).length).toBe(100);
    expect(times.filter((t) => t > 2000 && t <= 2500).length).toBe(0);
    expect(times[times.length - 1]).toBe(3000);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
  it('accumulates fractional packets across periods instead of rounding each', () => {
    // 30 periods of 100 ms at 60 kbps: 0.5 packet each. Rounding per period would give 0 or 30; exact is 15.
    const trace = stepTrace(Array.from({ length: 30 }, () => ({ durationMs: 100, bandwidthKbps: 60 })));
    const times = writeMahimahiTrace(trace).trim().split('\n').map(Number);
    expect(times.length).toBe(15);
    expect(times).toEqual(Array.from({ length: 15 }, (_, i) => 200 * (i + 1)));
  });
  it('round-trips: read, write, read gives the same periods', () => {
    const text = ['3', '3', '7', '999', '1000', '1001', '1500', '2222', '2222', '2222', '4100'].join('\n');
    const trace = parseMahimahiTrace(text, 'x');
    expect(parseMahimahiTrace(writeMahimahiTrace(trace), 'x').periods).toEqual(trace.periods);
  });
});

describe('CSV', () => {
  it('reads rows as period starts, with header, default and explicit latency and an end row', () => {
    const text = 'time_s,throughput_kbps,latency_ms\r\n0,1000,50\r\n2.5, 400\r\n4,0,10\r\n10\r\n';
    const trace = parseCsvTrace(text, 'lab/drop.csv', { latencyMs: 70 });
    expect(trace.name).toBe('drop');
    expect(trace.sourceFormat).toBe('csv');
    expect(trace.periods).toEqual([p(2500, 1000, 50), p(1500, 400, 70), p(6000, 0, 10)]);
  });
  it('without an end row, the last period lasts as long as the one before', () => {
    expect(parseCsvTrace('0,100\n1,200\n3,300\n', 'x').periods).toEqual([
      p(1000, 100, 0),
      p(2000, 200, 0),
      p(2000, 300, 0),
    ]);
  });
  it('drops a start offset', () => {
    expect(parseCsvTrace('5,100\n6,200\n7,\n', 'x').periods).toEqual([p(1000, 100, 0), p(1000, 200, 0)]);
  });
  it('writes header, rows and an end row, and reads back the same periods', () => {
    const trace: NetworkTrace = {
      name: 't',
      periods: [p(2500, 1000, 50), p(1.25, 1.5, 0), p(60000, 0, 20)],
    };
    const written = writeCsvTrace(trace);
    expect(written.split('\n')[0]).toBe(CSV_HEADER);
    expect(written.trim().split('\n').slice(1)).toEqual([
      '0,1000,50',
      '2.5,1.5,0',
      '2.50125,0,20',
      '62.50125,,',
    ]);
    expectPeriodsClose(parseCsvTrace(written, 't').periods, trace.periods);
  });
});

describe('detectTraceFormat and parseTrace', () => {
  it('detects each format from content', () => {
    expect(detectTraceFormat('\n  [{"duration_ms": 1, "bandwidth_kbps": 1, "latency_ms": 1}]', 'a')).toBe(
      'sabre',
    );
    expect(detectTraceFormat('{"x": 1}', 'a')).toBe('sabre'); // then rejected by the reader
    expect(detectTraceFormat('time_s,throughput_kbps\n0,1\n', 'a')).toBe('csv');
    expect(detectTraceFormat('0,1\n', 'a')).toBe('csv');
    expect(detectTraceFormat('1\n1\n2\n30\n', 'a')).toBe('mahimahi');
    expect(detectTraceFormat('0.0\t1.2\n1.0\t3\n', 'a')).toBe('pensieve');
    expect(detectTraceFormat('0 1\n1 2\n', 'a')).toBe('pensieve');
    // One integer a line but decreasing: not mahimahi.
    expect(() => detectTraceFormat('5\n3\n', 'a')).toThrow(/unknown trace format/);
  });
  it('dispatches to the detected or the forced reader', () => {
    expect(parseTrace('0 1\n2 3\n', 'x').periods).toEqual([p(2000, 3000, 80)]);
    expect(parseTrace('0 1\n2 3\n', 'x', 'pensieve', { latencyMs: 5 }).periods).toEqual([p(2000, 3000, 5)]);
    expect(parseTrace('1000\n2000\n', 'x').sourceFormat).toBe('mahimahi');
    expect(() => parseTrace('1000\n2000\n', 'x', 'csv')).toThrow(/columns/);
    expect(() => parseTrace('0 1', 'x', 'nope' as never)).toThrow(TypeError);
  });
  it('every writer reads back through detection to the same periods', () => {
    const trace: NetworkTrace = { name: 't', periods: [p(1000, 1200, 80), p(2000, 2400, 80), p(500, 0, 80)] };
    for (const format of ['sabre', 'pensieve', 'csv', 'mahimahi'] as const) {
      const back = parseTrace(writeTrace(trace, format), 'x', undefined, { latencyMs: 80, binMs: 500 });
      expect(back.sourceFormat).toBe(format);
      expect(traceDurationMs(back)).toBe(3500);
      const bits = (t: NetworkTrace): number =>
        t.periods.reduce((s, q) => s + q.bandwidthKbps * q.durationMs, 0);
      expect(bits(back)).toBeCloseTo(bits(trace), 6);
      if (format !== 'mahimahi') expect(back.periods).toEqual(trace.periods);
    }
  });
  it('writers reject malformed traces with a TypeError', () => {
    for (const format of ['sabre', 'pensieve', 'csv', 'mahimahi'] as const) {
      expect(() => writeTrace({ name: 'x', periods: [] }, format)).toThrow(TypeError);
      expect(() => writeTrace({ name: 'x', periods: [p(0, 1, 1)] }, format)).toThrow(TypeError);
      expect(() => writeTrace({ name: 'x', periods: [p(1, Number.NaN, 1)] }, format)).toThrow(TypeError);
    }
  });
});
