import { afterEach, describe, expect, it, vi } from 'vitest';
import { isMasterPlaylist, parseMasterPlaylist, parseMediaPlaylist } from '../../src/manifest/index.js';
import { catchAbrkitError } from './helpers.js';
import { BASE, MASTER_FULL, MASTER_PLAIN, MASTER_TIES, MEDIA_BYTERANGES, MEDIA_VOD } from './playlists.js';

describe('parseMasterPlaylist', () => {
  it('sorts variants by bitrate, indexes them, and resolves their URIs', () => {
    const master = parseMasterPlaylist(MASTER_PLAIN, BASE);
    expect(master.uri).toBe(BASE);
    expect(master.renditions.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(master.renditions.map((r) => r.bitrateKbps)).toEqual([800, 2500, 5000]);
    // Without AVERAGE-BANDWIDTH the ABR bitrate is the peak.
    expect(master.renditions.map((r) => r.peakBitrateKbps)).toEqual([800, 2500, 5000]);
    expect(master.renditions.map((r) => r.uri)).toEqual([
      'https://cdn.test/360p/index.m3u8?token=abc',
      'https://cdn.test/show/720p/index.m3u8',
      'https://cdn.test/root/1080p.m3u8',
    ]);
    expect(master.renditions.map((r) => [r.widthPx, r.heightPx])).toEqual([
      [640, 360],
      [1280, 720],
      [1920, 1080],
    ]);
    // Lines of the #EXT-X-STREAM-INF tags: 5 (800k), 3 (2500k), 7 (5000k).
    expect(master.renditions.map((r) => r.line)).toEqual([5, 3, 7]);
    expect(master.audioRenditions).toEqual([]);
    expect(master.independentSegments).toBe(false);
  });

  it('reads AVERAGE-BANDWIDTH, CODECS, FRAME-RATE and audio groups', () => {
    const master = parseMasterPlaylist(MASTER_FULL, BASE);
    expect(master.independentSegments).toBe(true);
    expect(master.renditions.map((r) => [r.bitrateKbps, r.peakBitrateKbps])).toEqual([
      [450, 600],
      [1200, 1500],
      [6000, 7800],
    ]);
    const [low, mid, high] = master.renditions;
    expect(low).toMatchObject({
      codecs: 'avc1.42c01e,mp4a.40.2',
      frameRate: 25,
      widthPx: 480,
      heightPx: 270,
      audioGroupId: 'aac',
      uri: 'https://cdn.test/show/v270/index.m3u8',
    });
    expect(mid?.frameRate).toBeCloseTo(29.97, 9);
    expect(high?.uri).toBe('https://other.test/v1080/index.m3u8');
    // Subtitles are not audio renditions; both audio ones are kept in playlist order.
    expect(master.audioRenditions).toEqual([
      {
        groupId: 'aac',
        name: 'English',
        language: 'en',
        default: true,
        autoselect: true,
        channels: '2',
        uri: 'https://cdn.test/show/audio/en/index.m3u8',
      },
      {
        groupId: 'aac',
        name: 'Deutsch',
        language: 'de',
        default: false,
        autoselect: true,
        channels: '6',
        uri: 'https://cdn.test/show/audio/de/index.m3u8',
      },
    ]);
  });

  it('breaks equal average bitrates by peak, and keeps muxed audio without a URI', () => {
    const master = parseMasterPlaylist(MASTER_TIES, BASE);
    expect(master.renditions.map((r) => r.uri.split('/').pop())).toEqual(['c.m3u8', 'a.m3u8', 'b.m3u8']);
    // AUTOSELECT is read as written: absent means NO even with DEFAULT=YES (RFC 8216 §4.3.4.1).
    expect(master.audioRenditions[0]).toEqual({
      groupId: 'muxed',
      name: 'Main',
      default: true,
      autoselect: false,
    });
  });

  it('accepts a byte order mark, blank lines and CR line ends', () => {
    const text = '\uFEFF#EXTM3U\r\r#EXT-X-STREAM-INF:BANDWIDTH=1000\r\r  a.m3u8  \r';
    const master = parseMasterPlaylist(text, 'x/master.m3u8');
    expect(master.renditions).toHaveLength(1);
    expect(master.renditions[0]).toMatchObject({ uri: 'x/a.m3u8', line: 3, bitrateKbps: 1 });
  });

  describe('rejects malformed input with the URL, the line and a stable code', () => {
    const cases: [string, string, string, number | undefined][] = [
      ['no #EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n', 'MISSING_EXTM3U', 1],
      ['#EXTM3U not on line 1', '\n#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n', 'MISSING_EXTM3U', 1],
      ['no BANDWIDTH', '#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=640x360\na.m3u8\n', 'MISSING_BANDWIDTH', 2],
      ['empty BANDWIDTH', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=\na.m3u8\n', 'MISSING_BANDWIDTH', 2],
      ['non-numeric BANDWIDTH', '#EXTM3U\n\n#EXT-X-STREAM-INF:BANDWIDTH=fast\na.m3u8\n', 'BAD_BANDWIDTH', 3],
      ['zero BANDWIDTH', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=0\na.m3u8\n', 'BAD_BANDWIDTH', 2],
      [
        'bad AVERAGE-BANDWIDTH',
        '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=9,AVERAGE-BANDWIDTH=1.5\na.m3u8\n',
        'BAD_BANDWIDTH',
        2,
      ],
      [
        'bad RESOLUTION',
        '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=9,RESOLUTION=wide\na.m3u8\n',
        'BAD_RESOLUTION',
        2,
      ],
      [
        'bad FRAME-RATE',
        '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=9,FRAME-RATE=fast\na.m3u8\n',
        'BAD_FRAME_RATE',
        2,
      ],
      [
        'stream-inf then another',
        '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXT-X-STREAM-INF:BANDWIDTH=2\nb.m3u8\n',
        'MISSING_URI',
        2,
      ],
      [
        'stream-inf at the end',
        '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\n',
        'MISSING_URI',
        4,
      ],
      [
        'URI without stream-inf',
        '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\nb.m3u8\n',
        'UNEXPECTED_URI',
        4,
      ],
      ['no variants', '#EXTM3U\n#EXT-X-VERSION:3\n', 'EMPTY_PLAYLIST', undefined],
      ['empty text', '', 'MISSING_EXTM3U', 1],
      ['a media playlist', MEDIA_VOD, 'NOT_MASTER_PLAYLIST', 3],
      [
        'unparseable attribute list',
        '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,garbage\na.m3u8\n',
        'BAD_ATTRIBUTE_LIST',
        2,
      ],
      ['#EXT-X-MEDIA without NAME', '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a"\n', 'BAD_MEDIA_TAG', 2],
      [
        'unknown audio group',
        '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO="nope"\na.m3u8\n',
        'UNKNOWN_AUDIO_GROUP',
        2,
      ],
      ['binary data', '\u0000\u0001\u0002garbage', 'BINARY_DATA', 1],
      ['binary after text', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na\uFFFD.m3u8\n', 'BINARY_DATA', 3],
      [
        'huge tag line',
        `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,X="${'y'.repeat(10_000)}"\na.m3u8\n`,
        'LINE_TOO_LONG',
        2,
      ],
    ];
    it.each(cases)('%s', (_name, text, code, line) => {
      const error = catchAbrkitError(() => parseMasterPlaylist(text, 'https://cdn.test/bad/master.m3u8'));
      expect(error.category).toBe('manifest');
      expect(error.code).toBe(code);
      expect(error.data.source).toBe('https://cdn.test/bad/master.m3u8');
      expect(error.data.line).toBe(line);
      expect(error.message).toContain('https://cdn.test/bad/master.m3u8');
    });
  });

  it('throws a TypeError for arguments that are not strings', () => {
    expect(() => parseMasterPlaylist(42 as unknown as string, BASE)).toThrow(TypeError);
    expect(() => parseMasterPlaylist('#EXTM3U', undefined as unknown as string)).toThrow(TypeError);
  });
});

describe('isMasterPlaylist', () => {
  it('tells masters from media playlists and other text without throwing', () => {
    expect(isMasterPlaylist(MASTER_PLAIN)).toBe(true);
    expect(isMasterPlaylist(MASTER_FULL)).toBe(true);
    expect(isMasterPlaylist(MEDIA_VOD)).toBe(false);
    expect(isMasterPlaylist('')).toBe(false);
    expect(isMasterPlaylist('not a playlist #EXT-X-STREAM-INF:')).toBe(false);
    expect(isMasterPlaylist(undefined as unknown as string)).toBe(false);
  });
});

describe('runtime purity', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('parses without the URL, window, self, atob or Buffer globals (m3u8-parser Parser would need URL)', () => {
    for (const name of ['URL', 'window', 'self', 'atob', 'Buffer']) vi.stubGlobal(name, undefined);
    expect(parseMasterPlaylist(MASTER_FULL, BASE).renditions).toHaveLength(3);
    expect(parseMediaPlaylist(MEDIA_BYTERANGES, BASE).segments).toHaveLength(3);
  });
});
