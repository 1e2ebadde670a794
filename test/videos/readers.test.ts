import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import {
  PENSIEVE_BITRATES_KBPS,
  parsePensieveVideoSizes,
  parseSabreMovie,
  playableSegments,
  validateVideo,
  writePensieveVideoSizes,
  writeSabreMovie,
} from '../../src/videos/index.js';

/** Runs `fn`, which must throw an AbrkitError; returns it. */
function abrkitError(fn: () => unknown): AbrkitError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AbrkitError) return error;
    throw error;
  }
  throw new Error('expected an AbrkitError');
}

const SABRE = JSON.stringify({
  segment_duration_ms: 3000,
  bitrates_kbps: [230, 331, 477],
  segment_sizes_bits: [
    [886361, 1180512, 1757888],
    [800000, 1000001, 1500000],
  ],
});

describe('parseSabreMovie', () => {
  it('reads duration, ladder and sizes, bits / 8 without rounding', () => {
    const video = parseSabreMovie(SABRE, 'movies/bbb.json');
    expect(video.name).toBe('bbb');
    expect(video.segmentDurationMs).toBe(3000);
    expect(video.renditions).toEqual([
      { index: 0, bitrateKbps: 230 },
      { index: 1, bitrateKbps: 331 },
      { index: 2, bitrateKbps: 477 },
    ]);
    expect(video.segmentSizesBytes[0]).toEqual([110795.125, 147564, 219736]);
    expect(video.segmentSizesBytes[1]?.[1]).toBe(125000.125);
    expect(playableSegments(video)).toBe(2);
  });

  it('writes back the same bits', () => {
    const video = parseSabreMovie(SABRE, 'bbb.json');
    const text = writeSabreMovie(video);
    expect(JSON.parse(text)).toEqual(JSON.parse(SABRE));
    expect(parseSabreMovie(text, 'again.json')).toEqual({ ...video, name: 'again' });
  });

  it.each([
    ['', 'VIDEO_EMPTY'],
    ['{"segment_duration_ms": 3000,', 'VIDEO_BAD_JSON'],
    ['[1, 2]', 'VIDEO_BAD_FIELD'],
    ['{"bitrates_kbps": [1], "segment_sizes_bits": [[8]]}', 'VIDEO_BAD_FIELD'],
    ['{"segment_duration_ms": 0, "bitrates_kbps": [1], "segment_sizes_bits": [[8]]}', 'VIDEO_BAD_DURATION'],
    [
      '{"segment_duration_ms": 1000, "bitrates_kbps": [300, 300], "segment_sizes_bits": [[8, 8]]}',
      'VIDEO_BITRATES_NOT_INCREASING',
    ],
    [
      '{"segment_duration_ms": 1000, "bitrates_kbps": [300, "x"], "segment_sizes_bits": [[8, 8]]}',
      'VIDEO_BAD_BITRATE',
    ],
    ['{"segment_duration_ms": 1000, "bitrates_kbps": [300], "segment_sizes_bits": []}', 'VIDEO_EMPTY'],
    ['{"segment_duration_ms": 1000, "bitrates_kbps": [300], "segment_sizes_bits": [[-8]]}', 'VIDEO_BAD_SIZE'],
  ])('rejects %s with %s naming the file', (text, code) => {
    const error = abrkitError(() => parseSabreMovie(text, 'bad.json'));
    expect(error.category).toBe('video');
    expect(error.code).toBe(code);
    expect(error.data.source).toBe('bad.json');
    expect(error.message).toMatch(/^bad\.json/);
  });

  it('names the segment of a ragged row', () => {
    const text =
      '{"segment_duration_ms": 1000, "bitrates_kbps": [300, 750], "segment_sizes_bits": [[8, 16], [8]]}';
    const error = abrkitError(() => parseSabreMovie(text, 'ragged.json'));
    expect(error.code).toBe('VIDEO_RAGGED_ROW');
    expect(error.data.segment).toBe(1);
  });

  it('gives the line of a JSON syntax error when the engine reports a position', () => {
    const error = abrkitError(() =>
      parseSabreMovie('{\n  "segment_duration_ms": 3000,\n  oops\n}', 'syntax.json'),
    );
    expect(error.code).toBe('VIDEO_BAD_JSON');
    expect(error.data.line).toBe(3); // V8 reports 'at position 17'
  });
});

const PENSIEVE_FILES = [
  { name: 'video_size_1', text: '300\n310\n320\n' },
  { name: 'video_size_0', text: '100\r\n110\r\n120' },
  { name: 'README', text: 'not a size file' },
];

describe('parsePensieveVideoSizes', () => {
  it('reads one column per video_size_N file, in index order', () => {
    const video = parsePensieveVideoSizes(PENSIEVE_FILES, { bitratesKbps: [300, 750] }, 'videos/mini/');
    expect(video.name).toBe('mini');
    expect(video.segmentDurationMs).toBe(4000);
    expect(video.renditions.map((r) => r.bitrateKbps)).toEqual([300, 750]);
    expect(video.segmentSizesBytes).toEqual([
      [100, 300],
      [110, 310],
      [120, 320],
    ]);
    expect(video.playableSegmentCount).toBeUndefined();
    expect(playableSegments(video)).toBe(3);
  });

  it('defaults to Pensieve’s ladder and takes playableSegmentCount and the duration from the caller', () => {
    const files = PENSIEVE_BITRATES_KBPS.map((_, i) => ({
      name: `dir/video_size_${i}`,
      text: `${1000 + i}\n${2000 + i}\n`,
    }));
    const video = parsePensieveVideoSizes(files, { playableSegmentCount: 1, segmentDurationMs: 2000 });
    expect(video.renditions.map((r) => r.bitrateKbps)).toEqual([300, 750, 1200, 1850, 2850, 4300]);
    expect(video.segmentSizesBytes[1]).toEqual([2000, 2001, 2002, 2003, 2004, 2005]);
    expect(playableSegments(video)).toBe(1);
    expect(video.segmentDurationMs).toBe(2000);
    expect(writePensieveVideoSizes(video)[5]).toEqual({ name: 'video_size_5', text: '1005\n2005\n' });
  });

  it('names the file and line of a missing size (files of unequal length)', () => {
    const files = [
      { name: 'video_size_0', text: '1\n2\n3\n' },
      { name: 'video_size_1', text: '4\n5\n' },
    ];
    const error = abrkitError(() => parsePensieveVideoSizes(files, { bitratesKbps: [1, 2] }, 'envivio'));
    expect(error.code).toBe('VIDEO_RAGGED_ROW');
    expect(error.data).toMatchObject({ source: 'envivio/video_size_1', line: 3, segment: 2, rendition: 1 });
  });

  it('names the file and line of a line that is not a size', () => {
    const files = [
      { name: 'video_size_0', text: '1\nabc\n3\n' },
      { name: 'video_size_1', text: '4\n5\n6\n' },
    ];
    const error = abrkitError(() => parsePensieveVideoSizes(files, { bitratesKbps: [1, 2] }, 'envivio'));
    expect(error.code).toBe('VIDEO_BAD_NUMBER');
    expect(error.message).toMatch(/^envivio\/video_size_0:2: /);
    const zero = abrkitError(() =>
      parsePensieveVideoSizes([{ name: 'video_size_0', text: '0\n' }], { bitratesKbps: [1] }, 'z'),
    );
    expect(zero.code).toBe('VIDEO_BAD_SIZE');
    expect(zero.data.line).toBe(1);
  });

  it('rejects missing indices, a ladder of another length, non-increasing bitrates, no file', () => {
    const gap = [
      { name: 'video_size_0', text: '1\n' },
      { name: 'video_size_2', text: '1\n' },
    ];
    expect(abrkitError(() => parsePensieveVideoSizes(gap, { bitratesKbps: [1, 2] }, 'g')).code).toBe(
      'VIDEO_RENDITION_MISMATCH',
    );
    expect(abrkitError(() => parsePensieveVideoSizes(PENSIEVE_FILES, {}, 'six')).code).toBe(
      'VIDEO_RENDITION_MISMATCH',
    );
    expect(
      abrkitError(() => parsePensieveVideoSizes(PENSIEVE_FILES, { bitratesKbps: [750, 300] }, 'd')).code,
    ).toBe('VIDEO_BITRATES_NOT_INCREASING');
    expect(abrkitError(() => parsePensieveVideoSizes([], {}, 'none')).code).toBe('VIDEO_EMPTY');
  });

  it('rejects bad options with a TypeError', () => {
    expect(() =>
      parsePensieveVideoSizes(PENSIEVE_FILES, { bitratesKbps: [1, 2], playableSegmentCount: 0 }),
    ).toThrow(/playableSegmentCount/);
    expect(() =>
      parsePensieveVideoSizes(PENSIEVE_FILES, { bitratesKbps: [1, 2], segmentDurationMs: -4 }),
    ).toThrow(/segmentDurationMs/);
    expect(
      abrkitError(() =>
        parsePensieveVideoSizes(PENSIEVE_FILES, { bitratesKbps: [1, 2], playableSegmentCount: 4 }),
      ).code,
    ).toBe('VIDEO_BAD_FIELD');
  });
});

describe('validateVideo', () => {
  it('checks rendition indices', () => {
    const video = {
      name: 'v',
      segmentDurationMs: 1000,
      renditions: [{ index: 1, bitrateKbps: 100 }],
      segmentSizesBytes: [[1]],
    };
    expect(abrkitError(() => validateVideo(video)).code).toBe('VIDEO_RENDITION_MISMATCH');
  });
});
