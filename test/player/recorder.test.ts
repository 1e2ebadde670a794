import { describe, expect, it } from 'vitest';
import { SessionRecorder, traceFromSamples } from '../../src/player/recorder.js';
import { parseSabreTrace } from '../../src/traces/sabre.js';

describe('traceFromSamples', () => {
  it('makes one period per download, ending at its last byte, at its transfer throughput and latency', () => {
    const trace = traceFromSamples([
      // 250 kB moved in 1000 ms after 50 ms to first byte: 2000 kbps
      { startMs: 100, firstByteMs: 150, endMs: 1150, sizeBytes: 250_000 },
      // idle 850 ms, then 100 kB in 400 ms after 100 ms: 2000 kbps... at 800 bits/ms over 400 ms
      { startMs: 2000, firstByteMs: 2100, endMs: 2500, sizeBytes: 40_000 },
    ]);
    expect(trace.periods).toEqual([
      { durationMs: 1050, bandwidthKbps: 2000, latencyMs: 50 },
      { durationMs: 1350, bandwidthKbps: 800, latencyMs: 100 },
    ]);
  });

  it('ignores aborted-empty and zero-length samples and floors a zero transfer at 1 ms', () => {
    const trace = traceFromSamples([
      { startMs: 0, firstByteMs: 0, endMs: 0, sizeBytes: 0 },
      { startMs: 0, firstByteMs: 10, endMs: 10, sizeBytes: 1000 },
    ]);
    expect(trace.periods).toEqual([{ durationMs: 10, bandwidthKbps: 8000, latencyMs: 10 }]);
  });
});

describe('SessionRecorder', () => {
  const record = (segment: number, rendition: number, bitrateKbps: number, qoe: number) => ({
    segment,
    rendition,
    bitrateKbps,
    sizeBytes: 1000,
    downloadMs: 100,
    rebufferMs: 0,
    bufferMs: 2000,
    qoe,
  });

  it('keeps the running QoE and exports JSONL plus a Sabre trace that reads back the same', () => {
    const recorder = new SessionRecorder();
    recorder.addRecord(record(0, 0, 200, 0.2));
    recorder.addRecord(record(1, 2, 800, 0.2));
    recorder.addRecord(record(2, 2, 800, 0.8));
    recorder.addSample({ startMs: 0, firstByteMs: 20, endMs: 220, sizeBytes: 50_000 });
    recorder.addSample({ startMs: 300, firstByteMs: 310, endMs: 400, sizeBytes: 90_000, aborted: true });
    recorder.addSample({ startMs: 500, firstByteMs: 530, endMs: 730, sizeBytes: 100_000 });
    const qoe = recorder.qoe(1, 250, 900);
    expect(qoe).toEqual({
      segments: 3,
      avgBitrateKbps: 600,
      switches: 1,
      stallCount: 1,
      stallMs: 250,
      startupMs: 900,
      qoe: 1.2000000000000002,
    });
    const out = recorder.export(qoe, 'mine');
    expect(
      out.jsonl
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { segment: number }),
    ).toEqual(out.records);
    expect(out.trace.periods).toHaveLength(2);
    const back = parseSabreTrace(out.sabreTraceJson, 'mine.json');
    expect(back.periods).toEqual(out.trace.periods);
    expect(back.periods[1]).toEqual({ durationMs: 510, bandwidthKbps: 4000, latencyMs: 30 });
  });

  it('exports an empty session as an empty trace', () => {
    const out = new SessionRecorder().export(new SessionRecorder().qoe(0, 0, null));
    expect(out.records).toEqual([]);
    expect(out.jsonl).toBe('');
    expect(out.sabreTraceJson).toBe('[]\n');
  });
});
