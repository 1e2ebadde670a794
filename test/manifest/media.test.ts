import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist } from '../../src/manifest/index.js';
import { catchAbrkitError } from './helpers.js';
import {
  MASTER_PLAIN,
  MEDIA_BASE,
  MEDIA_BYTERANGES,
  MEDIA_EVENT,
  MEDIA_LIVE,
  MEDIA_UNTYPED_ENDED,
  MEDIA_VOD,
} from './playlists.js';

describe('parseMediaPlaylist', () => {
  it('reads a VOD playlist: durations in exact ms, starts, resolved URIs', () => {
    const media = parseMediaPlaylist(MEDIA_VOD, MEDIA_BASE);
    expect(media).toMatchObject({
      uri: MEDIA_BASE,
      targetDurationMs: 5000,
      type: 'vod',
      mediaSequence: 0,
      discontinuitySequence: 0,
      endList: true,
      version: 3,
      totalDurationMs: 10_508,
    });
    expect(media.segments.map((s) => [s.index, s.sequenceNumber, s.startMs, s.durationMs, s.line])).toEqual([
      [0, 0, 0, 4004, 6],
      [1, 1, 4004, 4004, 8],
      [2, 2, 8008, 2500, 10],
    ]);
    expect(media.segments.map((s) => s.uri)).toEqual([
      'https://cdn.test/show/v540/seg0.ts',
      'https://cdn.test/show/v540/seg1.ts',
      'https://cdn.test/show/other/seg2.ts?x=1',
    ]);
    for (const segment of media.segments) {
      expect(segment.byteRange).toBeUndefined();
      expect(segment.initSegment).toBeUndefined();
      expect(segment.discontinuity).toBe(false);
    }
  });

  it('reads byte ranges, filling implicit offsets from the previous range, and EXT-X-MAP', () => {
    const media = parseMediaPlaylist(MEDIA_BYTERANGES, MEDIA_BASE);
    expect(media.segments.map((s) => s.byteRange)).toEqual([
      { offsetBytes: 720, lengthBytes: 100_000 },
      { offsetBytes: 100_720, lengthBytes: 120_000 },
      { offsetBytes: 220_720, lengthBytes: 90_000 },
    ]);
    for (const segment of media.segments) {
      expect(segment.uri).toBe('https://cdn.test/show/v540/main.mp4');
      expect(segment.initSegment).toEqual({
        uri: 'https://cdn.test/show/v540/main.mp4',
        byteRange: { offsetBytes: 0, lengthBytes: 720 },
      });
    }
    expect(media.totalDurationMs).toBe(11_200);
  });

  it('counts discontinuities from EXT-X-DISCONTINUITY-SEQUENCE and switches EXT-X-MAP; no ENDLIST is live', () => {
    const media = parseMediaPlaylist(MEDIA_LIVE, MEDIA_BASE);
    expect(media).toMatchObject({
      type: 'live',
      endList: false,
      mediaSequence: 1200,
      discontinuitySequence: 7,
    });
    expect(media.segments.map((s) => s.sequenceNumber)).toEqual([1200, 1201, 1202, 1203, 1204]);
    expect(media.segments.map((s) => s.discontinuity)).toEqual([false, false, true, false, true]);
    expect(media.segments.map((s) => s.discontinuitySequence)).toEqual([7, 7, 8, 8, 9]);
    expect(media.segments.map((s) => s.initSegment?.uri.split('/').pop())).toEqual([
      'init-a.mp4',
      'init-a.mp4',
      'init-b.mp4',
      'init-b.mp4',
      'init-b.mp4',
    ]);
    expect(media.segments.map((s) => s.startMs)).toEqual([0, 6000, 12_000, 17_500, 23_500]);
  });

  it('reads EXT-X-PROGRAM-DATE-TIME in epoch ms, carried on by duration until the next tag', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-TARGETDURATION:4',
      '#EXT-X-MEDIA-SEQUENCE:30',
      '#EXTINF:4,',
      'before.m4s',
      '#EXT-X-PROGRAM-DATE-TIME:2026-12-05T12:00:00.000Z',
      '#EXTINF:4,',
      'a.m4s',
      '#EXTINF:3.5,',
      'b.m4s',
      '#EXTINF:4,',
      'c.m4s',
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-PROGRAM-DATE-TIME:2026-12-05T14:00:30.250+02:00',
      '#EXTINF:4,',
      'd.m4s',
      '#EXT-X-PROGRAM-DATE-TIME:not a date',
      '#EXTINF:4,',
      'e.m4s',
      '',
    ].join('\n');
    const media = parseMediaPlaylist(text, MEDIA_BASE);
    const noon = Date.UTC(2026, 11, 5, 12, 0, 0);
    expect(media.segments.map((s) => s.programDateTimeMs)).toEqual([
      undefined,
      noon,
      noon + 4000,
      noon + 7500,
      noon + 30_250,
      // an unreadable date is ignored: the previous one carries on
      noon + 34_250,
    ]);
    expect(media).toMatchObject({ type: 'live', endList: false, mediaSequence: 30 });
    expect(parseMediaPlaylist(MEDIA_VOD, MEDIA_BASE).segments.every((s) => !('programDateTimeMs' in s))).toBe(
      true,
    );
  });

  it('types playlists: EVENT stays event, untyped with ENDLIST is vod', () => {
    const event = parseMediaPlaylist(MEDIA_EVENT, MEDIA_BASE);
    expect(event).toMatchObject({ type: 'event', endList: false, targetDurationMs: 10_000 });
    // 9.97667 s is 9976.67 ms, and three of them add up without float drift.
    expect(event.segments.map((s) => s.startMs)).toEqual([0, 9976.67, 19_953.34]);
    expect(event.totalDurationMs).toBe(29_930.01);
    const ended = parseMediaPlaylist(`${MEDIA_EVENT}#EXT-X-ENDLIST\n`, MEDIA_BASE);
    expect(ended).toMatchObject({ type: 'event', endList: true });
    const untyped = parseMediaPlaylist(MEDIA_UNTYPED_ENDED, MEDIA_BASE);
    expect(untyped.type).toBe('vod');
    expect(untyped.segments.map((s) => s.uri)).toEqual([
      'https://abs.test/a.ts',
      'https://cdn.test/root/b.ts',
    ]);
  });

  describe('rejects malformed input with the URL, the line and a stable code', () => {
    const head = '#EXTM3U\n#EXT-X-TARGETDURATION:4\n';
    const cases: [string, string, string, number | undefined][] = [
      ['no #EXTM3U', '#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n', 'MISSING_EXTM3U', 1],
      ['segment without #EXTINF', `${head}#EXTINF:4,\na.ts\nb.ts\n`, 'MISSING_EXTINF', 5],
      ['#EXTINF without a URI', `${head}#EXTINF:4,\n#EXTINF:4,\na.ts\n`, 'MISSING_URI', 3],
      ['#EXTINF at the end', `${head}#EXTINF:4,\na.ts\n#EXTINF:4,\n`, 'MISSING_URI', 5],
      ['non-numeric duration', `${head}#EXTINF:four,\na.ts\n`, 'BAD_DURATION', 3],
      ['negative duration', `${head}#EXTINF:-4,\na.ts\n`, 'BAD_DURATION', 3],
      ['empty duration', `${head}#EXTINF:,\na.ts\n`, 'BAD_DURATION', 3],
      ['double dot duration', `${head}#EXTINF:4.0.1,\na.ts\n`, 'BAD_DURATION', 3],
      ['no segments', `${head}#EXT-X-ENDLIST\n`, 'EMPTY_PLAYLIST', undefined],
      ['no target duration', '#EXTM3U\n#EXTINF:4,\na.ts\n', 'MISSING_TARGET_DURATION', undefined],
      [
        'bad target duration',
        '#EXTM3U\n#EXT-X-TARGETDURATION:abc\n#EXTINF:4,\na.ts\n',
        'BAD_TARGET_DURATION',
        2,
      ],
      ['bad media sequence', `${head}#EXT-X-MEDIA-SEQUENCE:-1\n#EXTINF:4,\na.ts\n`, 'BAD_SEQUENCE_NUMBER', 3],
      [
        'media sequence after a segment',
        `${head}#EXTINF:4,\na.ts\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:4,\nb.ts\n`,
        'BAD_SEQUENCE_NUMBER',
        5,
      ],
      [
        'discontinuity sequence after a segment',
        `${head}#EXTINF:4,\na.ts\n#EXT-X-DISCONTINUITY-SEQUENCE:2\n#EXTINF:4,\nb.ts\n`,
        'BAD_SEQUENCE_NUMBER',
        5,
      ],
      ['bad playlist type', `${head}#EXT-X-PLAYLIST-TYPE:LIVE\n#EXTINF:4,\na.ts\n`, 'BAD_PLAYLIST_TYPE', 3],
      ['bad byte range', `${head}#EXTINF:4,\n#EXT-X-BYTERANGE:12@x\na.ts\n`, 'BAD_BYTE_RANGE', 4],
      [
        'byte range offset past 2^53',
        `${head}#EXTINF:4,\n#EXT-X-BYTERANGE:12@99999999999999999999\na.ts\n`,
        'BAD_BYTE_RANGE',
        4,
      ],
      [
        'first byte range without offset',
        `${head}#EXTINF:4,\n#EXT-X-BYTERANGE:12\na.ts\n`,
        'BAD_BYTE_RANGE',
        4,
      ],
      [
        'implicit offset after a segment without a range',
        `${head}#EXTINF:4,\na.ts\n#EXTINF:4,\n#EXT-X-BYTERANGE:12\na.ts\n`,
        'BAD_BYTE_RANGE',
        6,
      ],
      [
        'implicit offset in another resource',
        `${head}#EXTINF:4,\n#EXT-X-BYTERANGE:12@0\na.ts\n#EXTINF:4,\n#EXT-X-BYTERANGE:12\nb.ts\n`,
        'BAD_BYTE_RANGE',
        7,
      ],
      ['map without URI', `${head}#EXT-X-MAP:BYTERANGE="1@0"\n#EXTINF:4,\na.ts\n`, 'BAD_MAP', 3],
      [
        'map with a bad byte range',
        `${head}#EXT-X-MAP:URI="i.mp4",BYTERANGE="x"\n#EXTINF:4,\na.ts\n`,
        'BAD_BYTE_RANGE',
        3,
      ],
      ['a master playlist', MASTER_PLAIN, 'NOT_MEDIA_PLAYLIST', 3],
      ['binary data read as latin1', '\u0089PNG\r\n\u001a\n\u0000\u0000', 'BINARY_DATA', 1],
      ['a control character after text', `${head}#EXTINF:4,\na\u001a.ts\n`, 'BINARY_DATA', 4],
    ];
    it.each(cases)('%s', (_name, text, code, line) => {
      const error = catchAbrkitError(() => parseMediaPlaylist(text, 'bad/media.m3u8'));
      expect(error.category).toBe('manifest');
      expect(error.code).toBe(code);
      expect(error.data).toEqual(
        line === undefined ? { source: 'bad/media.m3u8' } : { source: 'bad/media.m3u8', line },
      );
    });
  });
});
