import { describe, expect, it } from 'vitest';
import {
  buildPresentation,
  parseMasterPlaylist,
  parseMediaPlaylist,
  presentationFromMediaPlaylist,
  segmentRefs,
} from '../../src/manifest/index.js';
import type { MediaPlaylist } from '../../src/manifest/index.js';
import { BASE, MASTER_FULL, MEDIA_BASE, MEDIA_BYTERANGES, MEDIA_LIVE, MEDIA_VOD } from './playlists.js';

describe('buildPresentation', () => {
  const master = parseMasterPlaylist(MASTER_FULL, BASE);
  const [low, mid] = master.renditions;
  if (!low || !mid) throw new Error('fixture has 3 renditions');
  const lowMedia = parseMediaPlaylist(MEDIA_BYTERANGES, low.uri);
  const midMedia = parseMediaPlaylist(MEDIA_VOD, mid.uri);
  const audioUri = master.audioRenditions[0]?.uri ?? '';
  const audioMedia = parseMediaPlaylist(MEDIA_VOD, audioUri);

  it('attaches media playlists by resolved URI (Map or record), leaving the others unloaded', () => {
    const byMap = buildPresentation(
      master,
      new Map([
        [low.uri, lowMedia],
        [mid.uri, midMedia],
        [audioUri, audioMedia],
      ]),
    );
    const byRecord = buildPresentation(master, {
      [low.uri]: lowMedia,
      [mid.uri]: midMedia,
      [audioUri]: audioMedia,
    });
    expect(byRecord).toEqual(byMap);
    expect(byMap.uri).toBe(BASE);
    expect(byMap.renditions.map((r) => r.playlist)).toEqual([lowMedia, midMedia, undefined]);
    expect(byMap.audioRenditions.map((a) => a.playlist)).toEqual([audioMedia, undefined]);
    // Master fields are kept.
    expect(byMap.renditions.map((r) => r.bitrateKbps)).toEqual([450, 1200, 6000]);
    expect(byMap.type).toBe('vod');
    expect(byMap.durationMs).toBe(lowMedia.totalDurationMs);
  });

  it('takes type and duration from the lowest rendition that has a playlist', () => {
    const onlyMid = buildPresentation(master, new Map([[mid.uri, midMedia]]));
    expect(onlyMid.durationMs).toBe(10_508);
    const none = buildPresentation(master);
    expect(none.type).toBeUndefined();
    expect(none.durationMs).toBeUndefined();
    expect(none.renditions.every((r) => r.playlist === undefined)).toBe(true);
  });

  it('does not pick up a playlist through the prototype of a record', () => {
    const sneaky = Object.create({ [low.uri]: lowMedia }) as Record<string, MediaPlaylist>;
    expect(buildPresentation(master, sneaky).renditions[0]?.playlist).toBeUndefined();
  });

  it('throws a TypeError for a master that is not one', () => {
    expect(() => buildPresentation({} as never)).toThrow(TypeError);
  });
});

describe('segmentRefs', () => {
  const master = parseMasterPlaylist(MASTER_FULL, BASE);
  const low = master.renditions[0];
  if (!low) throw new Error('fixture has renditions');
  const presentation = buildPresentation(
    master,
    new Map([[low.uri, parseMediaPlaylist(MEDIA_BYTERANGES, low.uri)]]),
  );

  it('gives core SegmentRefs with sizes from byte ranges', () => {
    expect(segmentRefs(presentation, 0)).toEqual([
      {
        index: 0,
        renditionIndex: 0,
        startMs: 0,
        durationMs: 4000,
        uri: 'https://cdn.test/show/v270/main.mp4',
        sizeBytes: 100_000,
      },
      {
        index: 1,
        renditionIndex: 0,
        startMs: 4000,
        durationMs: 4000,
        uri: 'https://cdn.test/show/v270/main.mp4',
        sizeBytes: 120_000,
      },
      {
        index: 2,
        renditionIndex: 0,
        startMs: 8000,
        durationMs: 3200,
        uri: 'https://cdn.test/show/v270/main.mp4',
        sizeBytes: 90_000,
      },
    ]);
  });

  it('is empty for an unloaded rendition and rejects an index out of range', () => {
    expect(segmentRefs(presentation, 2)).toEqual([]);
    expect(() => segmentRefs(presentation, 3)).toThrow(TypeError);
    expect(() => segmentRefs(presentation, 0.5)).toThrow(TypeError);
  });
});

describe('presentationFromMediaPlaylist', () => {
  it('estimates the bitrate from byte ranges: total bits over total duration', () => {
    const media = parseMediaPlaylist(MEDIA_BYTERANGES, MEDIA_BASE);
    const presentation = presentationFromMediaPlaylist(media);
    // (100000 + 120000 + 90000) bytes * 8 bits / 11200 ms = 221.43 kbps.
    expect(presentation.renditions[0]?.bitrateKbps).toBeCloseTo((310_000 * 8) / 11_200, 9);
    expect(presentation).toMatchObject({
      uri: MEDIA_BASE,
      type: 'vod',
      durationMs: 11_200,
      audioRenditions: [],
    });
    expect(segmentRefs(presentation, 0).map((s) => s.sizeBytes)).toEqual([100_000, 120_000, 90_000]);
  });

  it('takes a given bitrate, and needs one when there are no byte ranges', () => {
    const media = parseMediaPlaylist(MEDIA_LIVE, MEDIA_BASE);
    expect(presentationFromMediaPlaylist(media, 1500).renditions[0]).toMatchObject({
      index: 0,
      bitrateKbps: 1500,
      uri: MEDIA_BASE,
    });
    expect(presentationFromMediaPlaylist(media, 1500).type).toBe('live');
    expect(() => presentationFromMediaPlaylist(media)).toThrow(TypeError);
    expect(() => presentationFromMediaPlaylist(media, 0)).toThrow(TypeError);
  });
});
