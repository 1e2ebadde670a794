import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import {
  audioSegmentAt,
  buildLadder,
  capForElementSize,
  segmentAt,
  splitCodecs,
} from '../../src/player/ladder.js';
import { BASE_URL, fixturePresentation } from './fixture-ladder.js';

describe('buildLadder on fixtures/ladder', () => {
  const presentation = fixturePresentation();

  it('keeps the four video renditions with their video-only MIME types and the demuxed AAC audio', () => {
    const ladder = buildLadder(presentation, () => true);
    expect(ladder.renditions.map((r) => r.heightPx)).toEqual([144, 240, 360, 480]);
    expect(ladder.renditions.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(ladder.renditions[0]?.mimeType).toBe('video/mp4; codecs="avc1.4d400c"');
    expect(ladder.renditions[3]?.mimeType).toBe('video/mp4; codecs="avc1.64001f"');
    expect(ladder.audio?.mimeType).toBe('audio/mp4; codecs="mp4a.40.2"');
    expect(ladder.audio?.playlist.segments).toHaveLength(21);
    expect(ladder.segmentCount).toBe(20);
    expect(ladder.segmentDurationMs).toBe(2000);
    expect(ladder.durationMs).toBe(40_000);
    expect(ladder.renditions[1]?.playlist.segments[0]?.initSegment?.uri).toBe(
      `${BASE_URL}/ladder/240p/init.mp4`,
    );
  });

  it('leaves out renditions the browser cannot decode and re-indexes the rest', () => {
    const ladder = buildLadder(
      presentation,
      (mime) => !mime.includes('avc1.64001f') && !mime.includes('avc1.4d4015'),
    );
    expect(ladder.renditions.map((r) => [r.index, r.presentationIndex, r.heightPx])).toEqual([
      [0, 0, 144],
      [1, 2, 360],
    ]);
  });

  it('throws a typed error naming the master playlist when nothing can play', () => {
    let error: unknown;
    try {
      buildLadder(presentation, () => false);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AbrkitError);
    expect(error).toMatchObject({
      category: 'media',
      code: 'UNSUPPORTED_CODEC',
      data: { source: `${BASE_URL}/ladder/master.m3u8` },
    });
  });

  it('finds the segment at a position and the audio that goes with it', () => {
    const ladder = buildLadder(presentation, () => true);
    expect(segmentAt(ladder, 0)).toBe(0);
    expect(segmentAt(ladder, 1999)).toBe(0);
    expect(segmentAt(ladder, 2000)).toBe(1);
    expect(segmentAt(ladder, 31_000)).toBe(15);
    expect(segmentAt(ladder, 99_000)).toBe(19);
    const audio = ladder.audio!;
    // audio segments last 2005.333 ms: the one playing at 30 s is index 14 (28074.7-30080 ms)
    expect(audioSegmentAt(audio, 30_000)).toBe(14);
    expect(audioSegmentAt(audio, 0)).toBe(0);
    expect(audioSegmentAt(audio, 50_000)).toBe(21);
  });
});

describe('splitCodecs', () => {
  it('separates video and audio codecs', () => {
    expect(splitCodecs('avc1.4d400c, mp4a.40.2')).toEqual({ video: ['avc1.4d400c'], audio: ['mp4a.40.2'] });
    expect(splitCodecs('hvc1.1.6.L93.B0,ec-3')).toEqual({ video: ['hvc1.1.6.L93.B0'], audio: ['ec-3'] });
    expect(splitCodecs(undefined)).toEqual({ video: [], audio: [] });
  });
});

describe('capForElementSize', () => {
  const renditions = [
    { index: 0, bitrateKbps: 160, widthPx: 256, heightPx: 144 },
    { index: 1, bitrateKbps: 250, widthPx: 426, heightPx: 240 },
    { index: 2, bitrateKbps: 430, widthPx: 640, heightPx: 360 },
    { index: 3, bitrateKbps: 760, widthPx: 854, heightPx: 480 },
  ];
  it('caps at the lowest rendition at least as large as the element in device pixels', () => {
    expect(capForElementSize(renditions, 320, 180)).toBe(1);
    expect(capForElementSize(renditions, 256, 144)).toBe(0);
    expect(capForElementSize(renditions, 320, 180, 2)).toBe(2);
    expect(capForElementSize(renditions, 641, 360)).toBe(3);
    expect(capForElementSize(renditions, 1920, 1080)).toBe(3);
  });
  it('does not cap an element without a size yet', () => {
    expect(capForElementSize(renditions, 0, 0)).toBeNull();
  });
});
