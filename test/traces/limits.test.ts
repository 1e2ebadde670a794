import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import { loadTraceFile, loadTraceFileSync } from '../../src/sim/load-trace.js';
import {
  TRACE_LIMITS,
  checkWritableTrace,
  generateTrace,
  parseCsvTrace,
  parseHarTrace,
  parseMahimahiTrace,
  parsePensieveTrace,
  parseSabreTrace,
  traceFromSamples,
  validateTrace,
  writeTrace,
  TRACE_FORMATS,
  type NetworkTrace,
  type TracePeriod,
} from '../../src/traces/index.js';
import { harEntry } from './har-fixture.js';

function caught(fn: () => unknown): AbrkitError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AbrkitError);
    return e as AbrkitError;
  }
  throw new Error('expected a throw');
}

const period = (durationMs: number, bandwidthKbps: number, latencyMs = 0): TracePeriod => ({
  durationMs,
  bandwidthKbps,
  latencyMs,
});

describe('physical limits of a trace (src/traces/validate.ts)', () => {
  it('refuses (in a trace built in code) a bandwidth between 0 and 1 kbps, a period under 1 ms, an unbounded latency', () => {
    const ok = period(1000, 500, 20);
    for (const [bad, field] of [
      [period(1000, 0.5), 'bandwidthKbps'],
      [period(1000, 0.999), 'bandwidthKbps'],
      [period(1000, 1e-6), 'bandwidthKbps'],
      [period(1000, 1e-300), 'bandwidthKbps'],
      [period(1000, 2e9), 'bandwidthKbps'],
      [period(1e-9, 500), 'durationMs'],
      [period(0.5, 500), 'durationMs'],
      [period(1000, 500, 600_001), 'latencyMs'],
      [period(1000, 500, Number.POSITIVE_INFINITY), 'latencyMs'],
    ] as const) {
      const e = caught(() => validateTrace({ name: 'n', periods: [ok, bad] }, 'dir/n.json'));
      expect(e.code).toBe('TRACE_OUT_OF_LIMITS');
      expect(e.data).toMatchObject({ source: 'dir/n.json', period: 1, field });
      expect(e.message).toContain(`${field} ${String(bad[field])}`);
      expect(() => checkWritableTrace({ name: 'n', periods: [ok, bad] })).toThrow(
        new RegExp(`periods\\[1\\]\\.${field}: .*got ${String(bad[field]).replace('+', '\\+')}`),
      );
    }
    // 0 is an outage; the limits themselves are accepted.
    expect(() =>
      validateTrace({
        name: 'n',
        periods: [
          period(1, 0),
          period(TRACE_LIMITS.minPeriodMs, TRACE_LIMITS.minBandwidthKbps, TRACE_LIMITS.maxLatencyMs),
        ],
      }),
    ).not.toThrow();
  });

  it('refuses an all-zero trace', () => {
    const e = caught(() => validateTrace({ name: 'z', periods: [period(1000, 0), period(5, 0)] }, 'a/b/z'));
    expect(e.code).toBe('TRACE_NO_BANDWIDTH');
    expect(e.message).toMatch(/^a\/b\/z: every one of its 2 periods has bandwidth 0/);
    expect(() => checkWritableTrace({ name: 'z', periods: [period(1000, 0)] })).toThrow(
      /"z" has no period with bandwidth > 0/,
    );
  });
});

describe('readers name the file, the line or period and the value as written', () => {
  it('Sabre JSON', () => {
    const row = (d: string, b: string, l = '20') =>
      `[{"duration_ms": 1000, "bandwidth_kbps": 100, "latency_ms": 1}, {"duration_ms": ${d}, "bandwidth_kbps": ${b}, "latency_ms": ${l}}]`;
    let e = caught(() => parseSabreTrace(row('1000', '2e9'), 't.json'));
    expect(e.message).toMatch(/^t\.json: period 1: bandwidth_kbps 2000000000 is above 1000000000 kbps/);
    expect(e.data.period).toBe(1);
    e = caught(() => parseSabreTrace(row('1e-9', '100'), 't.json'));
    expect(e.message).toMatch(/period 1: duration_ms 1e-9 is below 1 ms/);
    e = caught(() => parseSabreTrace(row('1000', '100', '1e300'), 't.json'));
    expect(e.message).toMatch(/latency_ms 1e\+300 is above 600000 ms/);
  });

  it('Pensieve cooked: the throughput in Mbps as written, the slot, a negative start', () => {
    let e = caught(() => parsePensieveTrace('0 1\n1 2000000\n2 1\n', 'cooked'));
    expect(e.message).toMatch(
      /^cooked:2: throughput_Mbps 2000000 \(2000000000 kbps\) is above 1000000000 kbps/,
    );
    e = caught(() => parsePensieveTrace('0 1\n0.0000001 1\n', 'cooked'));
    expect(e.message).toMatch(
      /^cooked:2: slot from 0 s to 0\.0000001 s lasts 0\.0001 ms, which is below 1 ms/,
    );
    e = caught(() => parsePensieveTrace('0 1\n1 -0.5\n', 'cooked'));
    expect(e.message).toMatch(/throughput_Mbps must be a finite number >= 0, got -0\.5$/);
    e = caught(() => parsePensieveTrace('-5 1\n1 1\n', 'cooked'));
    expect(e.message).toMatch(/^cooked:1: time_s -5 must be >= 0/);
    expect(() => parsePensieveTrace('0 1\n1 1\n', 'c', { latencyMs: 1e9 })).toThrow(TypeError);
  });

  it('CSV and mahimahi', () => {
    let e = caught(() => parseCsvTrace('0,100\n1,2e9\n2,\n', 'x.csv'));
    expect(e.message).toMatch(/^x\.csv:2: throughput_kbps 2e9 is above 1000000000 kbps/);
    e = caught(() => parseCsvTrace('0,100\n0.0005,100\n2,\n', 'x.csv'));
    expect(e.message).toMatch(/^x\.csv:1: the period starting at 0 s lasts 0\.5 ms, which is below 1 ms/);
    e = caught(() => parseCsvTrace('0,100,1e7\n2,\n', 'x.csv'));
    expect(e.message).toMatch(/latency_ms 1e7 is above 600000 ms/);
    expect(() => parseMahimahiTrace('1\n2\n', 'm', { binMs: 0.5 })).toThrow(TypeError);
    // One packet in an hour-long window is slower than 1 kbps: an outage, and then nothing ever arrives.
    e = caught(() => parseMahimahiTrace('3600000\n', 'm', { binMs: 3_600_000 }));
    expect(e.code).toBe('TRACE_NO_BANDWIDTH');
    expect(e.message).toMatch(
      /^m: every one of its 1 periods has bandwidth 0 \(an outage, or slower than 1 kbps/,
    );
  });

  describe('an all-zero file is refused naming its full path', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'abrkit-limits-'));
      await mkdir(join(dir, 'deep', 'er'), { recursive: true });
      await writeFile(join(dir, 'deep', 'er', 'zero.txt'), '0 0\n1 0\n2 0\n');
    });
    afterAll(async () => rm(dir, { recursive: true, force: true }));
    it('refuses /dev/zero at its first chunk and a 10 GB file from its size', async () => {
      const zero = await loadTraceFile('/dev/zero').then(
        () => null,
        (err: unknown) => err as AbrkitError,
      );
      expect(zero?.code).toBe('TRACE_BINARY');
      const sparse = join(dir, 'sparse.txt');
      await writeFile(sparse, '');
      await truncate(sparse, 10 * 1024 ** 3);
      const big = await loadTraceFile(sparse).then(
        () => null,
        (err: unknown) => err as AbrkitError,
      );
      expect(big?.code).toBe('TRACE_TOO_LARGE');
      expect(big?.message).toMatch(/larger than the 512 MiB a trace may be \(10737418240 bytes\)/);
      expect(() => loadTraceFileSync(sparse)).toThrow(/larger than the 512 MiB/);
    });
    it('names the path, not the base name', async () => {
      const path = join(dir, 'deep', 'er', 'zero.txt');
      const e = await loadTraceFile(path).then(
        () => null,
        (err: unknown) => err as AbrkitError,
      );
      expect(e?.code).toBe('TRACE_NO_BANDWIDTH');
      expect(e?.message.startsWith(`${path}: `)).toBe(true);
    });
  });
});

describe('writers and generators make only what the readers accept', () => {
  it('refuses to write a trace out of limits (the reader would refuse it)', () => {
    for (const format of TRACE_FORMATS) {
      expect(() => writeTrace({ name: 't', periods: [period(1000, 1e-6)] }, format)).toThrow(TypeError);
      expect(() => writeTrace({ name: 't', periods: [period(1000, 0)] }, format)).toThrow(
        /no period with bandwidth > 0/,
      );
    }
  });

  it('generators refuse sub-floor bandwidths and sub-ms periods as spec errors, and raise low draws', () => {
    for (const spec of ['constant:0.000001', 'step:1000x1s,1e-300x1s', 'step:1000x0.0001ms', 'constant:0']) {
      const e = caught(() => generateTrace(spec));
      expect(e.code).toBe('TRACE_SPEC_INVALID');
    }
    expect(() => generateTrace('random-walk:periodMs=0.001')).toThrow(/periodMs/);
    // A cellular trace around 2 kbps draws below 1 kbps: those are outages, as a reader reads them.
    const low = generateTrace('cellular:meanKbps=2,sigma=3,outageKbps=0,outagesPerMinute=0,durationS=600');
    expect(() => validateTrace(low)).not.toThrow();
    expect(low.periods.some((p) => p.bandwidthKbps === 0)).toBe(true);
    expect(low.periods.every((p) => p.bandwidthKbps === 0 || p.bandwidthKbps >= 1)).toBe(true);
    // A last sliver shorter than 1 ms joins the period before it.
    const sliver = generateTrace('markov:durationMs=3000.5,periodMs=1000');
    expect(sliver.periods.map((p) => p.durationMs)).toEqual([1000, 1000, 1000.5]);
  });

  it('traceFromSamples (the player recording, from-session) merges sub-ms periods and reads crawls as outages', () => {
    const trace = traceFromSamples([
      { startMs: 0, firstByteMs: 10, endMs: 100, sizeBytes: 10_000 },
      { startMs: 100, firstByteMs: 100, endMs: 100.4, sizeBytes: 100 },
      { startMs: 100.4, firstByteMs: 100.5, endMs: 1_000_000, sizeBytes: 1 },
    ]);
    expect(() => validateTrace(trace)).not.toThrow();
    expect(trace.periods.length).toBe(2);
    expect(trace.periods[1]?.bandwidthKbps).toBe(0);
    // The bits of the 0.4 ms download are kept in the merged period.
    const bits = trace.periods[0]!.bandwidthKbps * trace.periods[0]!.durationMs;
    expect(bits).toBeGreaterThan(10_000 * 8);
  });
});

describe('HAR reader (from-har): outliers, huge sizes, progress', () => {
  const base = (i: number, overrides: Record<string, unknown> = {}) =>
    harEntry(
      { url: `https://x/seg${i}.m4s`, startMs: i * 1000, latencyMs: 20, sizeBytes: 50_000, kbps: 2000 },
      overrides,
    );
  const har = (entries: unknown[]) => JSON.stringify({ log: { entries } });

  it('skips entries dated decades away with a warning, so the trace keeps its length', () => {
    const entries = [
      base(0),
      base(1),
      base(2, { startedDateTime: '1970-01-01T00:00:00.000Z' }),
      base(3),
      base(4, { startedDateTime: '2999-01-01T00:00:00.000Z' }),
    ];
    const result = parseHarTrace(har(entries), 'rec.har');
    expect(result.downloads.map((d) => d.entry)).toEqual([0, 1, 3]);
    expect(result.skipped.map((s) => s.entry).sort()).toEqual([2, 4]);
    expect(result.warnings.join(' ')).toMatch(/2 media entries \(2, 4\) dated more than 24 h/);
    const totalMs = result.trace.periods.reduce((t, p) => t + p.durationMs, 0);
    expect(totalMs).toBeLessThan(10_000);
  });

  it('names the entry of a body size that cannot be (1e308 bytes)', () => {
    const e = caught(() =>
      parseHarTrace(har([base(0), base(1, { response: { bodySize: 1e308 } })]), 'rec.har'),
    );
    expect(e.data).toMatchObject({ source: 'rec.har', entry: 1 });
    expect(e.message).toMatch(/^rec\.har: entry 1: 1e\+308 body bytes/);
  });

  it('names the entry of a latency above the limit', () => {
    const entry = base(1);
    (entry.timings as Record<string, number>).wait = 1e9;
    const e = caught(() => parseHarTrace(har([base(0), entry]), 'rec.har'));
    expect(e.data.entry).toBe(1);
    expect(e.message).toMatch(/above the 600000 ms limit/);
  });

  it('reports progress and makes a valid trace from many entries', () => {
    const count = 25_000;
    const entries = Array.from({ length: count }, (_, i) => base(i));
    const calls: [number, number][] = [];
    const result = parseHarTrace(har(entries), 'big.har', { onProgress: (d, t) => calls.push([d, t]) });
    expect(calls).toEqual([
      [10_000, count],
      [20_000, count],
      [count, count],
    ]);
    expect(result.downloads.length).toBe(count);
    expect(() => validateTrace(result.trace)).not.toThrow();
  });

  it('merges sub-ms stretches of overlapping downloads into valid periods', () => {
    const a = harEntry({ url: 'https://x/a.m4s', startMs: 0, latencyMs: 10, sizeBytes: 40_000, kbps: 1000 });
    const b = harEntry({
      url: 'https://x/b.m4s',
      startMs: 0.3,
      latencyMs: 10,
      sizeBytes: 40_000,
      kbps: 1000,
    });
    const result = parseHarTrace(har([a, b]), 'overlap.har');
    for (const p of result.trace.periods) expect(p.durationMs).toBeGreaterThanOrEqual(1);
    const written: NetworkTrace = result.trace;
    expect(parseSabreTrace(writeTrace(written, 'sabre'), 'w').periods).toEqual(written.periods);
  });
});
