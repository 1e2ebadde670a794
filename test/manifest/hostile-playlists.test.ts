/**
 * The HLS parsers against hostile playlists the other files do not pin: byte ranges that no Range header can
 * ask for, numbers too large to hold, playlists that point at themselves, and a long playlist read
 * whole.
 */
import { describe, expect, it } from 'vitest';
import {
  parseMasterPlaylist,
  parseMediaPlaylist,
  parseMpd,
  segmentsFromSidx,
} from '../../src/manifest/index.js';
import { catchAbrkitError } from './helpers.js';

const URL = 'https://cdn.test/v/media.m3u8?token=1';
const HEAD = '#EXTM3U\n#EXT-X-TARGETDURATION:4\n';

describe('byte ranges', () => {
  const cases: [string, string, number, string][] = [
    [
      'a zero-length EXT-X-BYTERANGE',
      `${HEAD}#EXTINF:4,\n#EXT-X-BYTERANGE:0@0\na.mp4\n`,
      4,
      'at least 1 byte',
    ],
    [
      'a zero-length implicit EXT-X-BYTERANGE',
      `${HEAD}#EXTINF:4,\n#EXT-X-BYTERANGE:10@0\na.mp4\n#EXTINF:4,\n#EXT-X-BYTERANGE:0\na.mp4\n`,
      7,
      'at least 1 byte',
    ],
    [
      'a zero-length EXT-X-MAP BYTERANGE',
      `${HEAD}#EXT-X-MAP:URI="i.mp4",BYTERANGE="0@0"\n#EXTINF:4,\na.mp4\n`,
      3,
      'at least 1 byte',
    ],
    [
      'a range ending past 2^53',
      `${HEAD}#EXTINF:4,\n#EXT-X-BYTERANGE:9007199254740991@9007199254740991\na.mp4\n`,
      4,
      '2^53',
    ],
    [
      'an implicit range starting past 2^53',
      `${HEAD}#EXTINF:4,\n#EXT-X-BYTERANGE:4503599627370496@4503599627370495\na.mp4\n` +
        `#EXTINF:4,\n#EXT-X-BYTERANGE:4503599627370496\na.mp4\n`,
      7,
      '2^53',
    ],
    [
      'a length too large to hold',
      `${HEAD}#EXTINF:4,\n#EXT-X-BYTERANGE:99999999999999999999@0\na.mp4\n`,
      4,
      '99999999999999999999@0',
    ],
  ];
  it.each(cases)('refuses %s with BAD_BYTE_RANGE at its line', (_name, text, line, words) => {
    const error = catchAbrkitError(() => parseMediaPlaylist(text, URL));
    expect(error).toMatchObject({
      category: 'manifest',
      code: 'BAD_BYTE_RANGE',
      data: { source: URL, line },
    });
    expect(error.message).toContain(words);
  });

  it('still reads ranges of one byte and ranges ending at 2^53 - 1', () => {
    const text = `${HEAD}#EXTINF:4,\n#EXT-X-BYTERANGE:1@9007199254740990\na.mp4\n`;
    expect(parseMediaPlaylist(text, URL).segments[0]!.byteRange).toEqual({
      offsetBytes: 9007199254740990,
      lengthBytes: 1,
    });
  });
});

describe('a DASH sidx', () => {
  it('with a reference of 0 bytes is refused as MPD_BAD_VALUE naming the media, not passed on as a 0-byte range', () => {
    const text =
      '<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" mediaPresentationDuration="PT4S"><Period>' +
      '<AdaptationSet contentType="video" mimeType="video/mp4"><Representation id="v" bandwidth="800000">' +
      '<BaseURL>v.mp4</BaseURL><SegmentBase indexRange="800-851" timescale="1000"/></Representation>' +
      '</AdaptationSet></Period></MPD>';
    const segments = parseMpd(text, 'https://cdn.test/vod/s.mpd').representations[0]!.segments;
    if (segments.kind !== 'index') throw new Error('expected a SegmentBase representation');
    const sidx = (referencedSizeBytes: number) => ({
      timescale: 1000,
      earliestPresentationTime: 0,
      firstOffsetBytes: 0,
      anchorOffsetBytes: 852,
      references: [
        { referenceType: 0, referencedSizeBytes: 1000, subsegmentDuration: 2000 },
        { referenceType: 0, referencedSizeBytes, subsegmentDuration: 2000 },
      ],
    });
    expect(segmentsFromSidx(segments, sidx(1)).segments[1]!.byteRange).toEqual({
      offsetBytes: 1852,
      lengthBytes: 1,
    });
    const error = catchAbrkitError(() => segmentsFromSidx(segments, sidx(0)));
    expect(error).toMatchObject({
      category: 'manifest',
      code: 'MPD_BAD_VALUE',
      data: { source: 'https://cdn.test/vod/v.mp4' },
    });
    expect(error.message).toContain('reference 1');
  });
});

describe('numbers too large to hold', () => {
  const digits = '9'.repeat(400);
  const media: [string, string, string, number][] = [
    ['#EXTINF', `${HEAD}#EXTINF:${digits},\na.ts\n`, 'BAD_DURATION', 3],
    [
      '#EXT-X-TARGETDURATION',
      `#EXTM3U\n#EXT-X-TARGETDURATION:${digits}\n#EXTINF:4,\na.ts\n`,
      'BAD_TARGET_DURATION',
      2,
    ],
    [
      '#EXT-X-MEDIA-SEQUENCE',
      `${HEAD}#EXT-X-MEDIA-SEQUENCE:${digits}\n#EXTINF:4,\na.ts\n`,
      'BAD_SEQUENCE_NUMBER',
      3,
    ],
  ];
  it.each(media)('%s is refused with its code at its line', (_tag, text, code, line) => {
    expect(catchAbrkitError(() => parseMediaPlaylist(text, URL))).toMatchObject({ code, data: { line } });
  });

  it('so is BANDWIDTH', () => {
    const text = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=99999999999999999999999\na.m3u8\n';
    expect(catchAbrkitError(() => parseMasterPlaylist(text, URL))).toMatchObject({
      code: 'BAD_BANDWIDTH',
      data: { line: 2 },
    });
  });
});

describe('playlists that name themselves', () => {
  it('a master whose variant is itself fails as a media playlist naming its own URL, once', () => {
    const master = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nmedia.m3u8?token=1\n';
    const parsed = parseMasterPlaylist(master, URL);
    expect(parsed.renditions[0]!.uri).toBe(URL);
    const error = catchAbrkitError(() => parseMediaPlaylist(master, parsed.renditions[0]!.uri));
    expect(error).toMatchObject({ code: 'NOT_MEDIA_PLAYLIST', data: { source: URL, line: 2 } });
  });
});

describe('a long playlist', () => {
  // a timing bound belongs in bench/, not here: this checks that a long playlist is read whole and right
  it('parses 200,000 segments, every one resolved, placed and numbered', () => {
    const parts = ['#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="init.mp4"\n'];
    for (let i = 0; i < 200_000; i++) parts.push(`#EXTINF:2.002,\nseg_${i}.m4s\n`);
    parts.push('#EXT-X-ENDLIST\n');
    const media = parseMediaPlaylist(parts.join(''), URL);
    expect(media.segments).toHaveLength(200_000);
    expect(media.segments[199_999]).toMatchObject({
      uri: 'https://cdn.test/v/seg_199999.m4s',
      startMs: 400_397_998,
      line: 400_003,
    });
    expect(media.totalDurationMs).toBe(400_400_000);
  }, 60_000);
});
