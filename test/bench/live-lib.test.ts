/**
 * The arithmetic of `npm run bench:live` (bench/live-lib.ts) on hand-made server logs: msn parsing, where
 * the simulator's session and live edge start, the overhead and listing delay, the looped video, agreement.
 */
import { describe, expect, it } from 'vitest';
import {
  afterListingMs,
  agreement,
  edgeAtStartMs,
  listingDelayMs,
  loopedVideo,
  measureOverheadMs,
  msnOf,
  playlistReloads,
  sessionStartMs,
  skipTrace,
  withEndlessStream,
  withoutSizeTable,
} from '../../bench/live-lib.js';
import type { AbrAlgorithm, AbrContext } from '../../src/abr/types.js';
import type { VideoDescription } from '../../src/videos/model.js';

const req = (url: string, startMs: number, endMs: number, status = 200) => ({ url, startMs, endMs, status });

describe('bench:live arithmetic', () => {
  it('reads media sequence numbers of segment URLs only', () => {
    expect(msnOf('/480p/seg_00003.m4s?msn=33')).toBe(33);
    expect(msnOf('/audio/seg_00003.m4s?x=1&msn=7')).toBe(7);
    expect(msnOf('/480p/index.m3u8')).toBeNull();
    expect(msnOf('/480p/init.mp4')).toBeNull();
  });

  it('starts the session at the first video init or segment, and the edge from the server timeline', () => {
    const log = [
      req('/master.m3u8', 0, 5),
      req('/144p/index.m3u8', 6, 20),
      req('/audio/init.mp4', 25, 30),
      req('/144p/init.mp4', 31, 40),
      req('/144p/seg_00001.m4s?msn=41', 41, 90),
    ];
    expect(sessionStartMs(log)).toBe(31);
    expect(() => sessionStartMs(log.slice(0, 3))).toThrow(/no video segment/);
    // stream origin at epoch 1000; the session starts at epoch 1000 + 90 000: the edge is 90 s of media,
    // segment 41 starts at 82 s: 8 s behind
    expect(edgeAtStartMs(91_000, 1000, 41, 2000)).toBe(8000);
  });

  it('measures the overhead only where the next segment was long out, and the listing delay', () => {
    const log = [
      req('/144p/seg_00001.m4s?msn=1', 0, 500),
      req('/144p/seg_00002.m4s?msn=2', 600, 900),
      req('/144p/seg_00003.m4s?msn=3', 2300, 2600),
      req('/144p/seg_00004.m4s?msn=4', 2700, 2800, 404),
    ];
    // segment msn out at (msn + 1) · 1000 (trace time) in this made-up timeline
    const out = (msn: number): number => (msn + 1) * 1000 - 5000;
    expect(measureOverheadMs(log)).toBe((100 + 1400) / 2);
    // only msn 1 -> 2 qualifies when 2 must be out 2.5 s before 1 ends: 2 is out at -2000
    expect(measureOverheadMs(log, out, 2500)).toBe(100);
    expect(measureOverheadMs(log, () => Infinity, 0)).toBeNull();
    // out at (msn + 1) · 1000 − 2000: waited 0 (msn 1), asked early (2: -400, 4: -300, not counted), 300 (3)
    expect(listingDelayMs(log, (msn) => (msn + 1) * 1000 - 2000)).toBe(300);
    expect(listingDelayMs(log, () => -10_000)).toBeNull();
  });

  it('loops the ladder from an msn with the audio bytes, and compares per msn without the first', () => {
    const ladder: VideoDescription = {
      name: 'l',
      segmentDurationMs: 2000,
      renditions: [
        { index: 0, bitrateKbps: 100 },
        { index: 1, bitrateKbps: 200 },
      ],
      segmentSizesBytes: [
        [10, 20],
        [11, 21],
        [12, 22],
      ],
    };
    const v = loopedVideo(ladder, 4, 4, (i) => i * 100, 5);
    expect(v.segmentSizesBytes).toEqual([
      [11 + 100 + 5, 21 + 100 + 5],
      [12 + 200, 22 + 200],
      [10, 20],
      [11 + 100, 21 + 100],
    ]);
    expect(v.playableSegmentCount).toBe(4);
    const a = agreement(
      new Map([
        [4, 0],
        [5, 1],
        [6, 1],
        [7, 0],
      ]),
      new Map([
        [4, 1],
        [5, 1],
        [6, 0],
      ]),
      4,
    );
    expect(a).toEqual({ same: 1, compared: 2, fraction: 0.5 });
    expect(agreement(new Map(), new Map(), 0).fraction).toBeNull();
  });

  it('skips the start of a trace', () => {
    const t = skipTrace(
      {
        name: 't',
        periods: [
          { durationMs: 1000, bandwidthKbps: 1, latencyMs: 0 },
          { durationMs: 1000, bandwidthKbps: 2, latencyMs: 0 },
        ],
      },
      1500,
    );
    expect(t.periods).toEqual([{ durationMs: 500, bandwidthKbps: 2, latencyMs: 0 }]);
  });
  it('reads the playlist reloads from the log: grouped, from the session start on, with their bytes', () => {
    const pl = (path: string, startMs: number, endMs: number, bytes: number) => ({
      ...req(path, startMs, endMs),
      bytes,
    });
    const log = [
      pl('/144p/index.m3u8', 10, 20, 900),
      { ...req('/144p/seg_00001.m4s?msn=41', 41, 300), bytes: 30_000 },
      pl('/144p/index.m3u8', 2000, 2030, 870),
      pl('/audio/index.m3u8', 2001, 2035, 900),
      pl('/240p/index.m3u8', 2130, 2160, 870), // held back by the browser: the same reload
      pl('/144p/index.m3u8', 4000, 4020, 870),
    ];
    expect(playlistReloads(log, 41)).toEqual([
      { atMs: 1959, bytes: 870, reload: 0 },
      { atMs: 1960, bytes: 900, reload: 0 },
      { atMs: 2089, bytes: 870, reload: 0 },
      { atMs: 3959, bytes: 870, reload: 1 },
    ]);
    // segment 42 out at 1990: listed by the reload at 2000, which ends at 2160; requested at 2172
    const withSegments = [...log, { ...req('/240p/seg_00002.m4s?msn=42', 2172, 2500), bytes: 40_000 }];
    expect(afterListingMs(withSegments, (msn) => (msn === 42 ? 1990 : 50))).toBe(12);
    // (segment 41 was requested before its reload: not counted); no reload after a segment: nothing
    expect(afterListingMs(log, () => 5000)).toBeNull();
  });
  it("runs the simulator's algorithm on the live player's context: no end of stream, no size table", () => {
    const seen: { count: number; size: number | null; index: number }[] = [];
    const inner: AbrAlgorithm = {
      name: 'spy',
      choose: (ctx) => {
        seen.push({ count: ctx.segmentCount, size: ctx.segmentSizeBytes(0, 0), index: ctx.segmentIndex });
        return { renditionIndex: 0, reason: 'spy' };
      },
    };
    const ctx = { segmentCount: 32, segmentIndex: 5, segmentSizeBytes: () => 1000 } as unknown as AbrContext;
    withEndlessStream(withoutSizeTable(inner)).choose(ctx);
    inner.choose(ctx);
    expect(seen).toEqual([
      { count: Number.POSITIVE_INFINITY, size: null, index: 5 },
      { count: 32, size: 1000, index: 5 },
    ]);
  });
});
