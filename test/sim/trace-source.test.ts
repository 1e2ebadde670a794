/**
 * TraceSource's browser-side options (src/sim/trace-source.ts): a per-request overhead before the request
 * reaches the link, an init segment and a playlist downloaded before the first segment of each rendition, and
 * (through simulateSession) the playback start delay.
 * Link: 8000 kbps = 1000 bytes/ms, 100 ms latency, so a download of B bytes put on the link at t ends at
 * t + 100 + B / 1000.
 */
import { describe, expect, it } from 'vitest';
import type { AbrAlgorithm } from '../../src/abr/types.js';
import type { DownloadSample } from '../../src/core/types.js';
import type { LoadProgress } from '../../src/session/types.js';
import { LinkModel } from '../../src/sim/network/link.js';
import { simulateSession } from '../../src/sim/simulate.js';
import { TraceSource, type TraceSourceOptions } from '../../src/sim/trace-source.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { FixedAlgorithm, constantTrace, flatVideo } from '../session/helpers.js';

function setup(options: TraceSourceOptions) {
  const clock = new VirtualClock();
  const link = new LinkModel({
    name: 'c',
    periods: [{ durationMs: 100_000, bandwidthKbps: 8000, latencyMs: 100 }],
  });
  const source = new TraceSource(clock, link, options);
  const samples: DownloadSample[] = [];
  const progress: LoadProgress[] = [];
  const load = (renditionIndex: number, sizeBytes: number, wantProgress = false) =>
    source.load(
      { segmentIndex: samples.length, renditionIndex, sizeBytes, durationMs: 2000, attempt: 1 },
      { onProgress: (p) => progress.push(p), onComplete: (s) => samples.push(s), onError: () => {} },
      wantProgress,
    );
  return { clock, source, samples, progress, load };
}

describe('TraceSource request overhead', () => {
  it('puts the request on the link later and counts the overhead in the download time', () => {
    const { clock, samples, progress, load } = setup({ requestOverheadMs: 20, progressMinMs: 50 });
    load(0, 200_000, true);
    clock.run();
    expect(samples).toHaveLength(1);
    const s = samples[0]!;
    expect(s.startMs).toBe(0);
    expect(s.firstByteMs).toBeCloseTo(120, 9);
    expect(s.endMs).toBeCloseTo(320, 9);
    // progress: >= 50 ms after the request and >= 1500 B, which arrive 1.5 ms after the first byte
    expect(progress[0]!.nowMs).toBeCloseTo(121.5, 9);
    expect(progress[0]!.loadedBytes).toBeCloseTo(1500, 6);
    expect(progress.every((p) => p.nowMs < s.endMs)).toBe(true);
  });

  it('is 0 by default (the link starts at the request)', () => {
    const { clock, samples, load } = setup({});
    load(0, 200_000);
    clock.run();
    expect(samples[0]!.firstByteMs).toBeCloseTo(100, 9);
    expect(samples[0]!.endMs).toBeCloseTo(300, 9);
  });

  it('rejects a negative or non-finite overhead and bad init sizes', () => {
    const clock = new VirtualClock();
    const link = new LinkModel({
      name: 'c',
      periods: [{ durationMs: 1000, bandwidthKbps: 8000, latencyMs: 0 }],
    });
    expect(() => new TraceSource(clock, link, { requestOverheadMs: -1 })).toThrow(/requestOverheadMs/);
    expect(() => new TraceSource(clock, link, { requestOverheadMs: Number.NaN })).toThrow(
      /requestOverheadMs/,
    );
    expect(() => new TraceSource(clock, link, { initSegmentBytes: [800, -5] })).toThrow(
      /initSegmentBytes\[1\]/,
    );
  });
});

describe('TraceSource init segments', () => {
  it('downloads a rendition’s init segment before its first segment only, outside the sample', () => {
    const { clock, samples, load } = setup({ requestOverheadMs: 20, initSegmentBytes: [1000, 2000] });
    load(1, 200_000);
    clock.run();
    // init: link at 20, ends 20 + 100 + 2 = 122; the segment's request at 122, on the link at 142
    expect(samples[0]!.startMs).toBeCloseTo(122, 9);
    expect(samples[0]!.firstByteMs).toBeCloseTo(242, 9);
    expect(samples[0]!.endMs).toBeCloseTo(442, 9);
    expect(samples[0]!.sizeBytes).toBe(200_000);
    load(1, 200_000); // init kept: no second init download
    clock.run();
    expect(samples[1]!.startMs).toBeCloseTo(442, 9);
    expect(samples[1]!.endMs).toBeCloseTo(762, 9);
    load(0, 100_000); // a new rendition: its init (1000 B) first
    clock.run();
    expect(samples[2]!.startMs).toBeCloseTo(762 + 20 + 100 + 1, 9);
    expect(samples[2]!.endMs - samples[2]!.startMs).toBeCloseTo(20 + 100 + 100, 9);
  });

  it('initWithMedia: the init segment goes with the first segment, in one transfer and in the sample', () => {
    const { clock, samples, progress, load } = setup({
      requestOverheadMs: 20,
      initSegmentBytes: [1000, 2000],
      initWithMedia: true,
      progressMinMs: 50,
    });
    load(1, 200_000, true);
    clock.run();
    // request at 0, on the link at 20, first byte 120, 202,000 bytes by 322
    expect(samples[0]!.startMs).toBe(0);
    expect(samples[0]!.firstByteMs).toBeCloseTo(120, 9);
    expect(samples[0]!.endMs).toBeCloseTo(322, 9);
    expect(samples[0]!.sizeBytes).toBe(202_000);
    expect(progress.every((p) => p.totalBytes === 202_000)).toBe(true);
    load(1, 200_000); // init kept
    clock.run();
    expect(samples[1]!.sizeBytes).toBe(200_000);
    expect(samples[1]!.endMs - samples[1]!.startMs).toBeCloseTo(320, 9);
  });

  it('reports no progress during the init segment', () => {
    const { clock, samples, progress, load } = setup({ initSegmentBytes: [50_000], progressMinMs: 10 });
    load(0, 100_000, true);
    clock.run();
    const start = samples[0]!.startMs;
    expect(start).toBeCloseTo(150, 9);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.nowMs > start)).toBe(true);
  });

  it('an abort during the init segment returns an empty sample and keeps no init', () => {
    const { clock, samples, load } = setup({ initSegmentBytes: [50_000] });
    const handle = load(0, 100_000);
    clock.run(60);
    const aborted = handle.abort();
    expect(aborted).toMatchObject({ startMs: 0, sizeBytes: 0, aborted: true });
    expect(aborted.endMs).toBeCloseTo(60, 9);
    load(0, 100_000);
    clock.run();
    // the init is downloaded again: 60 + 100 + 50 = 210, then the segment
    expect(samples[0]!.startMs).toBeCloseTo(210, 9);
  });
});

describe('TraceSource playlists', () => {
  it('downloads a rendition’s playlist before its first request only (before its init), outside the sample', () => {
    const { clock, samples, load } = setup({
      requestOverheadMs: 20,
      playlistBytes: [0, 3000],
      initSegmentBytes: [1000, 2000],
      initWithMedia: true,
    });
    load(1, 200_000);
    clock.run();
    // playlist: link at 20, ends 20 + 100 + 3 = 123; then init + segment requested together at 123
    expect(samples[0]!.startMs).toBeCloseTo(123, 9);
    expect(samples[0]!.firstByteMs).toBeCloseTo(243, 9);
    expect(samples[0]!.endMs).toBeCloseTo(243 + 202, 9);
    expect(samples[0]!.sizeBytes).toBe(202_000);
    load(1, 200_000); // playlist and init kept
    clock.run();
    expect(samples[1]!.startMs).toBeCloseTo(445, 9);
    expect(samples[1]!.endMs - samples[1]!.startMs).toBeCloseTo(320, 9);
    load(0, 100_000); // playlist entry 0: loaded at startup; its init goes with the segment
    clock.run();
    expect(samples[2]!.startMs).toBeCloseTo(765, 9);
    expect(samples[2]!.sizeBytes).toBe(101_000);
  });

  it('playlist, then init, then the segment, each its own request, when the init goes before', () => {
    const { clock, samples, progress, load } = setup({
      playlistBytes: [4000],
      initSegmentBytes: [1000],
      progressMinMs: 10,
    });
    load(0, 100_000, true);
    clock.run();
    // playlist ends 104, init 104 + 101 = 205, segment requested then
    expect(samples[0]!.startMs).toBeCloseTo(205, 9);
    expect(samples[0]!.endMs).toBeCloseTo(405, 9);
    expect(progress.every((p) => p.nowMs > 205)).toBe(true);
  });

  it('rejects bad playlist sizes', () => {
    const clock = new VirtualClock();
    const link = new LinkModel({
      name: 'c',
      periods: [{ durationMs: 1000, bandwidthKbps: 8000, latencyMs: 0 }],
    });
    expect(() => new TraceSource(clock, link, { playlistBytes: [Number.POSITIVE_INFINITY] })).toThrow(
      /playlistBytes\[0\]/,
    );
  });
});

describe('simulateSession with the browser-side options', () => {
  it('progress: overrides the preset’s 100 ms progress tick (abandonment checked every 10 ms once bytes flow)', () => {
    const video = flatVideo(2, 2000, [500, 1000], [50_000, 100_000]);
    const trace = constantTrace(800, 40); // 100 bytes/ms: 1 s per 100 kB segment
    const times = (progress?: { minMs: number; minBytes: number }) => {
      const seen: number[] = [];
      const algorithm = new FixedAlgorithm(1) as FixedAlgorithm & AbrAlgorithm;
      algorithm.shouldAbandon = (p) => {
        if (p.segmentIndex === 1) seen.push(p.nowMs - p.startMs);
        return null;
      };
      simulateSession({ video, trace, algorithm, network: 'abrkit', ...(progress ? { progress } : {}) });
      return seen;
    };
    const preset = times();
    expect(preset.slice(0, 3).map((t) => Math.round(t))).toEqual([100, 200, 300]);
    const fine = times({ minMs: 10, minBytes: 1 });
    // the first byte at 40 ms: the first point once a byte has arrived, then every 10 ms
    expect(fine[0]).toBeGreaterThan(40);
    expect(fine[0]).toBeLessThan(41);
    expect(Math.round(fine[1]! - fine[0]!)).toBe(10);
    expect(fine.length).toBeGreaterThan(90);
  });

  it('playbackStartDelayMs: the buffer stays whole that long after the first append', () => {
    const video = flatVideo(4, 2000, [500, 1000], [50_000, 100_000]);
    const trace = constantTrace(8000, 40);
    const levels = (delayMs?: number) => {
      const out: number[] = [];
      const result = simulateSession({
        video,
        trace,
        algorithm: new FixedAlgorithm(1),
        network: 'abrkit',
        ...(delayMs === undefined ? {} : { playbackStartDelayMs: delayMs }),
        onEvents: (events) => events.on('decision', (d) => out.push(d.bufferLevelMs)),
      });
      return { out, result };
    };
    const base = levels();
    const delayed = levels(60);
    // the same downloads (the buffer never fills)
    expect(delayed.out).toHaveLength(base.out.length);
    // the decision for segment 1 comes at the first append: the same level; every later one 60 ms more
    expect(delayed.out.slice(0, 2)).toEqual(base.out.slice(0, 2));
    for (let i = 2; i < base.out.length; i++) expect(delayed.out[i]! - base.out[i]!).toBeCloseTo(60, 6);
    expect(delayed.result.summary.startupMs - base.result.summary.startupMs).toBeCloseTo(60, 6);
    expect(() => levels(-1)).toThrow(/startDelayMs/);
  });

  it('adds the overhead to each download and an init download at each new rendition', () => {
    const video = flatVideo(4, 2000, [500, 1000], [50_000, 100_000]);
    const trace = constantTrace(8000, 40);
    const base = simulateSession({ video, trace, algorithm: new FixedAlgorithm(1), network: 'abrkit' });
    const slower = simulateSession({
      video,
      trace,
      algorithm: new FixedAlgorithm(1),
      network: 'abrkit',
      requestOverheadMs: 15,
      initSegmentBytes: [800, 800],
    });
    expect(slower.records).toHaveLength(base.records.length);
    slower.records.forEach((r, i) => {
      expect(r.downloadMs).toBeCloseTo(base.records[i]!.downloadMs + 15, 6);
    });
    // one init segment (rendition 1): 15 + 40 + 0.8 ms more before the first segment's request
    expect(slower.summary.startupMs - base.summary.startupMs).toBeCloseTo(15 + (15 + 40 + 0.8), 6);
  });
});
