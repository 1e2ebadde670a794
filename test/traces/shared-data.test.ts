import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTraces } from '../../src/sim/load-trace.js';
import {
  parsePensieveTrace,
  parseSabreTrace,
  traceNameFromPath,
  writePensieveTrace,
  writeTrace,
  type NetworkTrace,
  type TracePeriod,
} from '../../src/traces/index.js';
import { hasSharedData, sharedData } from '../support/shared-data.js';

const FOLDERS = [
  { folder: 'hsdpa-norway-3g', format: 'sabre', files: 86 },
  { folder: 'hsdpa-norway-3g-cooked', format: 'pensieve', files: 86 },
  { folder: 'pensieve-train', format: 'pensieve', files: 127 },
  { folder: 'fcc-sd', format: 'sabre', files: 1000 },
] as const;

function expectSamePeriods(
  actual: readonly TracePeriod[],
  expected: readonly TracePeriod[],
  what: string,
): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    for (const key of ['durationMs', 'bandwidthKbps', 'latencyMs'] as const) {
      if (Math.abs(a[key] - e[key]) > 1e-9 * Math.abs(e[key])) {
        expect.fail(`${what} period ${i} ${key}: ${a[key]} != ${e[key]}`);
      }
    }
  }
}

describe.skipIf(!hasSharedData)('shared data traces', () => {
  const loaded = new Map<string, NetworkTrace[]>();
  /** Periods read as outages (slower than 1 kbps), by folder/trace. */
  const crawls = new Map<string, number>();
  const load = async (folder: string): Promise<NetworkTrace[]> => {
    let traces = loaded.get(folder);
    if (traces === undefined) {
      traces = await loadTraces([sharedData('traces', folder)], undefined, {
        onWarning: (w) => crawls.set(`${folder}/${traceNameFromPath(w.source)}`, w.count),
      });
      loaded.set(folder, traces);
    }
    return traces;
  };

  it.each(FOLDERS)(
    '$folder: every file loads as $format and round-trips through its writer',
    async (entry) => {
      const traces = await load(entry.folder);
      expect(traces.length).toBe(entry.files);
      const names = readdirSync(sharedData('traces', entry.folder)).sort();
      expect(traces.map((t) => t.name)).toEqual(names.map((n) => n.replace(/\.json$/, '')));
      for (const trace of traces) {
        expect(trace.sourceFormat).toBe(entry.format);
        expect(trace.periods.length).toBeGreaterThan(0);
        const written = writeTrace(trace, entry.format);
        const back =
          entry.format === 'sabre'
            ? parseSabreTrace(written, trace.name)
            : parsePensieveTrace(written, trace.name);
        expectSamePeriods(back.periods, trace.periods, trace.name);
        if (entry.format === 'pensieve') {
          // Same sample count, same values, line 0 included.
          expect(back.pensieve).toEqual(trace.pensieve);
          expect(trace.pensieve!.timesS.length).toBe(trace.periods.length + 1);
        }
      }
    },
  );

  it.each(FOLDERS)('$folder: every file is written back byte for byte by its own writer', async (entry) => {
    // A stronger check than the meaning: the published files are Python-written (Sabre's JSON layout,
    // repr() floats in cooked files) and our writers follow those conventions.
    for (const trace of await load(entry.folder)) {
      const file = entry.format === 'sabre' ? `${trace.name}.json` : trace.name;
      const original = readFileSync(sharedData('traces', entry.folder, file), 'utf8');
      const written = writeTrace(trace, entry.format);
      // Periods slower than 1 kbps are read as outages (0 kbps): exactly those lines differ.
      const crawled = crawls.get(`${entry.folder}/${trace.name}`) ?? 0;
      const before = original.split('\n');
      const after = written.split('\n');
      expect(after.length).toBe(before.length);
      const differing = after.filter((line, i) => line !== before[i]);
      if (differing.length !== crawled)
        expect.fail(
          `${entry.folder}/${file}: ${differing.length} lines differ when rewritten, ${crawled} crawls`,
        );
      for (const line of differing) expect(line).toMatch(/(\t0\.0|"bandwidth_kbps": 0,.*)$/);
    }
  });

  it('the Sabre JSON and cooked copies of each HSDPA trace agree, per data/README conversion', async () => {
    const json = await load('hsdpa-norway-3g');
    const cooked = new Map((await load('hsdpa-norway-3g-cooked')).map((t) => [t.name, t]));
    expect(cooked.size).toBe(json.length);
    for (const trace of json) {
      const other = cooked.get(trace.name);
      expect(other, trace.name).toBeDefined();
      // Same periods except latency (dropped by the conversion; Pensieve's 80 ms RTT on reading).
      expectSamePeriods(
        other!.periods,
        trace.periods.map((p) => ({ ...p, latencyMs: 80 })),
        trace.name,
      );
      // Line 0 = 0.0 and the first period's bandwidth.
      expect(other!.pensieve!.timesS[0]).toBe(0);
      expect(other!.pensieve!.throughputsMbps[0]).toBe(trace.periods[0]!.bandwidthKbps / 1000);
      // And converting the JSON ourselves gives the published file exactly.
      const published = readFileSync(sharedData('traces', 'hsdpa-norway-3g-cooked', trace.name), 'utf8');
      expect(writePensieveTrace(trace) === published, trace.name).toBe(true);
    }
  });
});
