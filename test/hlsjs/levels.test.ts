import { describe, expect, it } from 'vitest';
import {
  buildLevelMap,
  bufferAheadMs,
  maxRenditionForLevels,
  sampleFromStats,
} from '../../src/hlsjs/index.js';
import { FakeMedia } from './fake-hls.js';

function media(currentTime: number, ranges: [number, number][]): FakeMedia {
  const m = new FakeMedia();
  m.currentTime = currentTime;
  m.ranges = ranges;
  return m;
}

describe('bufferAheadMs', () => {
  it('measures from the playhead to the end of its range', () => {
    expect(bufferAheadMs(media(2, [[0, 10]]))).toBe(8000);
    expect(bufferAheadMs(media(12, [[0, 10]]))).toBe(0);
    expect(bufferAheadMs(null)).toBe(0);
  });

  it('jumps holes under 0.1 s but stops at larger gaps, as hls.js', () => {
    expect(
      bufferAheadMs(
        media(1, [
          [0, 4],
          [4.05, 8],
        ]),
      ),
    ).toBeCloseTo(7000, 9);
    expect(
      bufferAheadMs(
        media(1, [
          [0, 4],
          [4.5, 8],
        ]),
      ),
    ).toBeCloseTo(3000, 9);
    // playhead just before a range that starts within the hole tolerance
    expect(bufferAheadMs(media(3.95, [[4, 6]]))).toBeCloseTo(2050, 9);
    // a range far ahead of the playhead is not buffer
    expect(bufferAheadMs(media(1, [[5, 9]]))).toBe(0);
  });
});

describe('buildLevelMap', () => {
  it('sorts by AVERAGE-BANDWIDTH when given, ties keep hls.js order', () => {
    const map = buildLevelMap([
      { bitrate: 900_000, averageBitrate: 500_000 },
      { bitrate: 600_000 },
      { bitrate: 500_000 },
      { bitrate: 100_000, averageBitrate: 80_000 },
    ]);
    expect(map.renditions.map((r) => r.bitrateKbps)).toEqual([80, 500, 500, 600]);
    expect(map.renditionToLevel).toEqual([3, 0, 2, 1]);
    expect(map.levelToRendition).toEqual([1, 3, 2, 0]);
    // levels 0..2 allowed: renditions 0 (L3) is not, so nothing above it counts either
    expect(maxRenditionForLevels(map, 2)).toBe(0);
    expect(maxRenditionForLevels(map, 3)).toBe(3);
  });
});

describe('sampleFromStats', () => {
  it('takes request, first byte and last byte from the loader stats', () => {
    const stats = { aborted: false, loaded: 1000, total: 1000, loading: { start: 10, first: 30, end: 80 } };
    expect(sampleFromStats(stats)).toEqual({ startMs: 10, firstByteMs: 30, endMs: 80, sizeBytes: 1000 });
    expect(sampleFromStats(stats, 50)).toEqual({ startMs: 10, firstByteMs: 30, endMs: 50, sizeBytes: 1000 });
  });

  it('is null when no byte arrived', () => {
    expect(
      sampleFromStats({ aborted: false, loaded: 0, total: 0, loading: { start: 10, first: 0, end: 0 } }),
    ).toBeNull();
    expect(
      sampleFromStats({ aborted: false, loaded: 5, total: 0, loading: { start: 10, first: 0, end: 20 } }),
    ).toBeNull();
  });
});
