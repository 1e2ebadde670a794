import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import type { DownloadSample } from '../../src/core/types.js';
import { parseHarTrace, RECORDING_ERROR_CODES } from '../../src/traces/har.js';
import { traceDurationMs } from '../../src/traces/model.js';
import { traceFromSamples } from '../../src/traces/samples.js';
import { DEMO_SESSION_KIND, parseSessionExport } from '../../src/traces/session-export.js';
import { RECORDING_KIND, buildRecording } from '../../demo/src/recording.js';
import { harEntry, makeHar, type HarDownloadSpec } from './har-fixture.js';

function thrown(f: () => unknown): AbrkitError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AbrkitError);
    return e as AbrkitError;
  }
  throw new Error('expected an AbrkitError');
}

/** Three sequential downloads on a link of 2000, then 500, then 4000 kbps. */
const SEQUENTIAL: HarDownloadSpec[] = [
  {
    url: 'https://cdn.example/v/480p/seg_00000.m4s',
    startMs: 0,
    latencyMs: 40,
    sizeBytes: 250_000,
    kbps: 2000,
  },
  {
    url: 'https://cdn.example/v/480p/seg_00001.m4s',
    startMs: 1500,
    latencyMs: 60,
    sizeBytes: 62_500,
    kbps: 500,
  },
  {
    url: 'https://cdn.example/v/480p/seg_00002.m4s',
    startMs: 3000,
    latencyMs: 30,
    sizeBytes: 500_000,
    kbps: 4000,
  },
];

describe('parseHarTrace', () => {
  it('recovers bandwidth and latency of sequential downloads, idle time taking the next download’s', () => {
    const { trace, downloads, otherEntries } = parseHarTrace(
      JSON.stringify(makeHar(SEQUENTIAL, { extras: true })),
      '/tmp/session.har',
    );
    expect(trace.name).toBe('session');
    expect(downloads).toHaveLength(3);
    expect(otherEntries).toBe(2); // the playlist and the page script
    const p = trace.periods;
    // stretches with the same bandwidth and latency merge: latency + transfer of the first download, then
    // the idle time and transfer of the second (idle 1040 → 1560 ms), ...
    expect(p).toEqual([
      { durationMs: 1040, bandwidthKbps: 2000, latencyMs: 40 },
      { durationMs: 1560 - 1040 + 1000, bandwidthKbps: 500, latencyMs: 60 },
      { durationMs: 3030 - 2560 + 1000, bandwidthKbps: 4000, latencyMs: 30 },
    ]);
    // the trace ends with the last byte: 3000 + 30 + 1000
    expect(traceDurationMs(trace)).toBeCloseTo(4030, 6);
    expect(p.at(-1)?.bandwidthKbps).toBe(4000);
  });

  it('adds the rates of overlapping downloads: they share one link', () => {
    // video and audio receive at the same time, each at half of a 3000 kbps link
    const { trace } = parseHarTrace(
      JSON.stringify(
        makeHar([
          { url: 'https://c/v/seg_1.m4s', startMs: 0, latencyMs: 0, sizeBytes: 187_500, kbps: 1500 },
          { url: 'https://c/a/seg_1.m4s', startMs: 0, latencyMs: 0, sizeBytes: 93_750, kbps: 1500 },
        ]),
      ),
      'x.har',
    );
    expect(trace.periods[0]).toEqual({ durationMs: 500, bandwidthKbps: 3000, latencyMs: 0 });
    expect(trace.periods[1]).toEqual({ durationMs: 500, bandwidthKbps: 1500, latencyMs: 0 });
  });

  it('skips failed, cached and empty entries and counts them', () => {
    const har = makeHar(SEQUENTIAL);
    const entries = har.log.entries as Record<string, unknown>[];
    entries.push(harEntry({ ...SEQUENTIAL[0]!, startMs: 5000 }, { response: { status: 404 } }));
    entries.push(harEntry({ ...SEQUENTIAL[0]!, startMs: 5000 }, { _fromCache: 'memory' }));
    entries.push(harEntry({ ...SEQUENTIAL[0]!, startMs: 5000, sizeBytes: 0 }));
    const { downloads, skipped, trace } = parseHarTrace(JSON.stringify(har), 'x.har');
    expect(downloads).toHaveLength(3);
    expect(skipped.map((s) => s.entry)).toEqual([3, 4, 5]);
    expect(traceDurationMs(trace)).toBeCloseTo(4030, 6);
  });

  it('reads body bytes from bodySize, else _transferSize minus headers, else content.size', () => {
    const base = SEQUENTIAL[0]!;
    const mk = (response: Record<string, unknown>) =>
      JSON.stringify({ log: { entries: [harEntry(base, { response })] } });
    const kbps = (text: string) => parseHarTrace(text, 'x.har').trace.periods.at(-1)?.bandwidthKbps;
    expect(kbps(mk({ bodySize: -1, _transferSize: 125_400, headersSize: 400, content: { size: 1 } }))).toBe(
      1000,
    );
    expect(kbps(mk({ bodySize: -1, _transferSize: -1, content: { size: 62_500 } }))).toBe(500);
  });

  it('uses --match to choose the media entries', () => {
    const { downloads } = parseHarTrace(JSON.stringify(makeHar(SEQUENTIAL, { extras: true })), 'x.har', {
      match: /seg_0000[12]/,
    });
    expect(downloads.map((d) => d.entry)).toEqual([2, 3]);
  });

  it('rejects garbage with a typed error naming the file and entry', () => {
    expect(thrown(() => parseHarTrace('{"log": ', 'a.har')).code).toBe(RECORDING_ERROR_CODES.badJson);
    const shape = thrown(() => parseHarTrace('[1, 2]', 'a.har'));
    expect(shape.code).toBe(RECORDING_ERROR_CODES.badShape);
    expect(shape.message).toMatch(/^a\.har: not a HAR file/);
    const har = makeHar(SEQUENTIAL);
    (har.log.entries[1] as { timings: Record<string, number> }).timings.receive = -5;
    const negative = thrown(() => parseHarTrace(JSON.stringify(har), 'a.har'));
    expect(negative.code).toBe(RECORDING_ERROR_CODES.badValue);
    expect(negative.data.entry).toBe(1);
    expect(negative.message).toContain('entry 1: timings.receive');
    const date = makeHar(SEQUENTIAL);
    (date.log.entries[2] as { startedDateTime: string }).startedDateTime = 'yesterday';
    expect(thrown(() => parseHarTrace(JSON.stringify(date), 'a.har')).data.entry).toBe(2);
    const none = thrown(() => parseHarTrace(JSON.stringify(makeHar([], { extras: true })), 'a.har'));
    expect(none.code).toBe(RECORDING_ERROR_CODES.noMedia);
  });
});

describe('parseSessionExport', () => {
  const samples: DownloadSample[] = [
    { startMs: 100, firstByteMs: 150, endMs: 1150, sizeBytes: 250_000 },
    { startMs: 2000, firstByteMs: 2020, endMs: 2520, sizeBytes: 62_500 },
  ];
  const trace = traceFromSamples(samples);
  const records = [
    {
      segment: 0,
      rendition: 2,
      bitrateKbps: 1000,
      sizeBytes: 250_000,
      downloadMs: 1050,
      rebufferMs: 0,
      bufferMs: 2000,
      qoe: 1,
    },
    {
      segment: 1,
      rendition: 0,
      bitrateKbps: 300,
      sizeBytes: 62_500,
      downloadMs: 520,
      rebufferMs: 0,
      bufferMs: 3500,
      qoe: 0.3,
    },
  ];

  it('uses the export’s trace as is (the player’s traceFromSamples)', () => {
    const r = parseSessionExport(JSON.stringify({ records, trace, qoe: {} }), '/x/run-7.json');
    expect(r.from).toBe('trace');
    expect(r.trace.name).toBe('run-7');
    expect(r.trace.periods).toEqual(trace.periods);
  });

  it('unwraps the demo page’s session file: the observed trace, not the input trace it was shaped to', () => {
    const input = {
      name: 'step-down',
      periods: [{ durationMs: 300_000, bandwidthKbps: 4000, latencyMs: 40 }],
    };
    const playerExport = {
      records,
      jsonl: '',
      trace,
      sabreTraceJson: '[]',
      qoe: { segments: 2 },
    } as unknown as Parameters<typeof buildRecording>[2];
    const file = buildRecording(
      {
        fixture: 'ladder',
        url: null,
        algorithm: 'bba',
        algorithmOptions: {},
        bufferTargetMs: 10_000,
        faults: null,
        traceId: 'step-down',
      },
      input,
      playerExport,
    );
    expect(DEMO_SESSION_KIND).toBe(RECORDING_KIND);
    const r = parseSessionExport(JSON.stringify(file), '/x/abrkit-session-bba.json');
    expect(r.container).toBe('demo-session');
    expect(r.from).toBe('trace');
    expect(r.records).toBe(2);
    expect(r.trace.periods).toEqual(trace.periods);
    expect(r.inputTrace).toEqual({ name: 'step-down', periods: 1 });
    // a bare export says so
    expect(parseSessionExport(JSON.stringify(playerExport), 'p.json')).toMatchObject({
      container: 'player-export',
      inputTrace: null,
    });
    // a demo file without the player's export is refused, not read as its input trace
    const { session: _dropped, ...noSession } = file;
    const e = thrown(() => parseSessionExport(JSON.stringify(noSession), 'd.json'));
    expect(e.code).toBe(RECORDING_ERROR_CODES.badShape);
    expect(e.message).toMatch(/^d\.json: .*"session"/);
  });

  it('falls back to the records, back to back, when the export has no trace', () => {
    const r = parseSessionExport(JSON.stringify({ records }), 's.json', { name: 'n' });
    expect(r.from).toBe('records');
    expect(r.trace.name).toBe('n');
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    expect(r.trace.periods).toEqual([
      { durationMs: 1050, bandwidthKbps: r3((250_000 * 8) / 1050), latencyMs: 0 },
      { durationMs: 520, bandwidthKbps: r3((62_500 * 8) / 520), latencyMs: 0 },
    ]);
  });

  it('rejects garbage with a typed error naming the file and index', () => {
    expect(thrown(() => parseSessionExport('nope', 's.json')).code).toBe(RECORDING_ERROR_CODES.badJson);
    expect(thrown(() => parseSessionExport('[]', 's.json')).code).toBe(RECORDING_ERROR_CODES.badShape);
    expect(thrown(() => parseSessionExport('{"qoe": {}}', 's.json')).code).toBe(
      RECORDING_ERROR_CODES.badShape,
    );
    const bad = { trace: { periods: [{ durationMs: 5, bandwidthKbps: -1, latencyMs: 0 }] } };
    const e = thrown(() => parseSessionExport(JSON.stringify(bad), 's.json'));
    expect(e.code).toBe(RECORDING_ERROR_CODES.badValue);
    expect(e.data.period).toBe(0);
    expect(e.message).toMatch(/^s\.json: trace period 0: bandwidthKbps/);
    const rec = thrown(() =>
      parseSessionExport(
        JSON.stringify({ records: [records[0], { ...records[1], downloadMs: -3 }] }),
        's.json',
      ),
    );
    expect(rec.data.record).toBe(1);
    const empty = thrown(() =>
      parseSessionExport(JSON.stringify({ records: [], trace: { periods: [] } }), 's.json'),
    );
    expect(empty.code).toBe(RECORDING_ERROR_CODES.noMedia);
  });
});
