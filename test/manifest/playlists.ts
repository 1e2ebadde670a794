// Hand-written playlists shared by the manifest tests (unit, oracle, property). Each exercises one feature
// of RFC 8216; the oracle test reads all of them with hls.js too.

export const BASE = 'https://cdn.test/show/master.m3u8';

/** Peak bitrates only, out of order, relative URIs of every kind. */
export const MASTER_PLAIN = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720
720p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360
../360p/index.m3u8?token=abc
#EXT-X-STREAM-INF:BANDWIDTH=5000000,RESOLUTION=1920x1080
/root/1080p.m3u8
`;

/** AVERAGE-BANDWIDTH, CODECS, FRAME-RATE, audio groups, an absolute URI, CRLF line ends. */
export const MASTER_FULL = [
  '#EXTM3U',
  '#EXT-X-INDEPENDENT-SEGMENTS',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/en/index.m3u8"',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="Deutsch",LANGUAGE="de",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="6",URI="audio/de/index.m3u8"',
  '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",URI="subs/en.m3u8"',
  '# a comment line',
  '#EXT-X-STREAM-INF:BANDWIDTH=1500000,AVERAGE-BANDWIDTH=1200000,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=960x540,FRAME-RATE=29.970,AUDIO="aac",SUBTITLES="subs"',
  'v540/index.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=600000,AVERAGE-BANDWIDTH=450000,CODECS="avc1.42c01e,mp4a.40.2",RESOLUTION=480x270,FRAME-RATE=25,AUDIO="aac"',
  'v270/index.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=7800000,AVERAGE-BANDWIDTH=6000000,CODECS="avc1.640028,mp4a.40.2",RESOLUTION=1920x1080,FRAME-RATE=59.94,AUDIO="aac"',
  'https://other.test/v1080/index.m3u8',
  '',
].join('\r\n');

/** Same AVERAGE-BANDWIDTH twice (ties broken by peak), muxed audio without a URI. */
export const MASTER_TIES = `#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="muxed",NAME="Main",DEFAULT=YES
#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2000000,AUDIO="muxed"
b.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2500000,AVERAGE-BANDWIDTH=2000000,AUDIO="muxed"
a.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=900000,AUDIO="muxed"
c.m3u8
`;

export const MEDIA_BASE = 'https://cdn.test/show/v540/index.m3u8';

/** Plain VOD of TS segments with fractional durations. */
export const MEDIA_VOD = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:5
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:4.004,
seg0.ts
#EXTINF:4.004,title text
seg1.ts
#EXTINF:2.5
../other/seg2.ts?x=1
#EXT-X-ENDLIST
`;

/** fMP4 with one file and byte ranges (explicit then implicit offsets), EXT-X-MAP with a byte range. */
export const MEDIA_BYTERANGES = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-MAP:URI="main.mp4",BYTERANGE="720@0"
#EXTINF:4.0,
#EXT-X-BYTERANGE:100000@720
main.mp4
#EXTINF:4.0,
#EXT-X-BYTERANGE:120000
main.mp4
#EXTINF:3.2,
#EXT-X-BYTERANGE:90000
main.mp4
#EXT-X-ENDLIST
`;

/** Discontinuities with a new EXT-X-MAP, a discontinuity sequence, no ENDLIST and no type: live. */
export const MEDIA_LIVE = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:6
#EXT-X-MEDIA-SEQUENCE:1200
#EXT-X-DISCONTINUITY-SEQUENCE:7
#EXT-X-MAP:URI="init-a.mp4"
#EXTINF:6.000,
a/1200.m4s
#EXTINF:6.000,
a/1201.m4s
#EXT-X-DISCONTINUITY
#EXT-X-MAP:URI="init-b.mp4"
#EXTINF:5.500,
b/1202.m4s
#EXTINF:6.000,
b/1203.m4s
#EXT-X-DISCONTINUITY
#EXTINF:6.000,
b/1204.m4s
`;

/** An EVENT playlist that has not ended. */
export const MEDIA_EVENT = `#EXTM3U
#EXT-X-TARGETDURATION:10
#EXT-X-PLAYLIST-TYPE:EVENT
#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z
#EXTINF:9.97667,
fileSequence0.ts
#EXTINF:9.97667,
fileSequence1.ts
#EXT-X-KEY:METHOD=AES-128,URI="https://keys.test/k1",IV=0x00000000000000000000000000000001
#EXTINF:9.97667,
fileSequence2.ts
`;

/** Not typed, ENDLIST present: VOD by the rule in model.ts. */
export const MEDIA_UNTYPED_ENDED = `#EXTM3U
#EXT-X-TARGETDURATION:2
#EXTINF:2,
https://abs.test/a.ts
#EXTINF:2,
/root/b.ts
#EXT-X-ENDLIST
`;

export const MASTERS = { MASTER_PLAIN, MASTER_FULL, MASTER_TIES } as const;
export const MEDIAS = { MEDIA_VOD, MEDIA_BYTERANGES, MEDIA_LIVE, MEDIA_EVENT, MEDIA_UNTYPED_ENDED } as const;
