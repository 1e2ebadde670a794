import { describe, expect, it } from 'vitest';
import { parseMasterLite, parseMediaLite } from '../../src/media/hls-lite.js';

describe('parseMasterLite', () => {
  it('reads STREAM-INF attributes, quoted commas included, and EXT-X-MEDIA', () => {
    const master = parseMasterLite(
      [
        '#EXTM3U',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English",DEFAULT=YES,URI="audio/index.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=1384223,AVERAGE-BANDWIDTH=782956,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=854x480,FRAME-RATE=30.000,AUDIO="aac"',
        '480p/index.m3u8',
      ].join('\n'),
      'm.m3u8',
    );
    expect(master.variants).toEqual([
      {
        uri: '480p/index.m3u8',
        bandwidthBps: 1384223,
        averageBandwidthBps: 782956,
        codecs: 'avc1.64001f,mp4a.40.2',
        widthPx: 854,
        heightPx: 480,
        frameRate: 30,
        audioGroupId: 'aac',
        line: 3,
      },
    ]);
    expect(master.media).toEqual([
      { type: 'AUDIO', groupId: 'aac', name: 'English', uri: 'audio/index.m3u8', isDefault: true, line: 2 },
    ]);
  });

  it('names the file and line of a bad attribute', () => {
    expect(() => parseMasterLite('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=abc\nv.m3u8\n', 'm.m3u8')).toThrow(
      expect.objectContaining({ code: 'PLAYLIST_MALFORMED', data: { source: 'm.m3u8', line: 2 } }),
    );
    expect(() => parseMasterLite('not a playlist', 'm.m3u8')).toThrow(
      expect.objectContaining({ code: 'PLAYLIST_NOT_M3U8' }),
    );
    expect(() => parseMasterLite('#EXTM3U\n', 'm.m3u8')).toThrow(
      expect.objectContaining({ code: 'PLAYLIST_NO_VARIANTS' }),
    );
  });
});

describe('parseMediaLite', () => {
  it('reads target duration, map, durations and byte ranges (offsets continuing from the previous range)', () => {
    const playlist = parseMediaLite(
      [
        '#EXTM3U',
        '#EXT-X-TARGETDURATION:2',
        '#EXT-X-MAP:URI="all.mp4",BYTERANGE="800@0"',
        '#EXTINF:2.000000,',
        '#EXT-X-BYTERANGE:1000@800',
        'all.mp4',
        '#EXTINF:1.5,',
        '#EXT-X-BYTERANGE:500',
        'all.mp4',
        '#EXT-X-ENDLIST',
      ].join('\r\n'),
      'p.m3u8',
    );
    expect(playlist).toMatchObject({
      targetDurationMs: 2000,
      initUri: 'all.mp4',
      initByteRange: { offsetBytes: 0, lengthBytes: 800 },
      endList: true,
    });
    expect(playlist.segments).toEqual([
      { uri: 'all.mp4', durationMs: 2000, byteRange: { offsetBytes: 800, lengthBytes: 1000 }, line: 6 },
      { uri: 'all.mp4', durationMs: 1500, byteRange: { offsetBytes: 1800, lengthBytes: 500 }, line: 9 },
    ]);
  });

  it('names the line of a bad EXTINF and of a URI without one', () => {
    const bad = '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:two,\ns.m4s\n';
    expect(() => parseMediaLite(bad, 'p.m3u8')).toThrow(
      expect.objectContaining({ code: 'PLAYLIST_MALFORMED', data: { source: 'p.m3u8', line: 3 } }),
    );
    expect(() => parseMediaLite('#EXTM3U\n#EXT-X-TARGETDURATION:2\ns.m4s\n', 'p.m3u8')).toThrow(
      expect.objectContaining({ data: { source: 'p.m3u8', line: 3 } }),
    );
    expect(() => parseMediaLite('#EXTM3U\n#EXTINF:2,\ns.m4s\n', 'p.m3u8')).toThrow(/EXT-X-TARGETDURATION/);
  });
});
