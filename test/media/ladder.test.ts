import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serveStatic } from '../../e2e/support/static-server.js';
import type { StaticServer } from '../../e2e/support/static-server.js';
import { BROKEN_SEGMENT_INDEX } from '../../scripts/media-fixtures/broken.js';
import { AbrkitError } from '../../src/core/errors.js';
import {
  inspectMediaPlaylist,
  ladderToVideo,
  readHlsLadder,
  scanHlsLadder,
  scanMediaPlaylist,
  toSabreMovieJson,
  writeSabreMovieJson,
} from '../../src/media/ladder.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { BROKEN_DIR, LADDER_DIR, VIDEO_RENDITIONS } from './fixtures.js';

const MASTER = join(LADDER_DIR, 'master.m3u8');

/** The master's STREAM-INF attributes read with plain regexes, independent of src/media. */
function masterAttributes(): { uri: string; bandwidth: number; average: number }[] {
  const lines = readFileSync(MASTER, 'utf8').split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.startsWith('#EXT-X-STREAM-INF:')) continue;
    out.push({
      uri: lines[i + 1] ?? '',
      bandwidth: Number(/[:,]BANDWIDTH=(\d+)/.exec(line)?.[1]),
      average: Number(/AVERAGE-BANDWIDTH=(\d+)/.exec(line)?.[1]),
    });
  }
  return out;
}

/** Sizes and EXTINF durations of a rendition folder's segments, read directly. */
function folderSegments(rendition: string): { sizeBytes: number; durationS: number }[] {
  const text = readFileSync(join(LADDER_DIR, rendition, 'index.m3u8'), 'utf8');
  return [...text.matchAll(/#EXTINF:([\d.]+),\n(\S+)/g)].map((m) => ({
    durationS: Number(m[1]),
    sizeBytes: statSync(join(LADDER_DIR, rendition, m[2] ?? '')).size,
  }));
}

async function rejection(promise: Promise<unknown>): Promise<AbrkitError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(AbrkitError);
    return e as AbrkitError;
  }
  throw new Error('expected a rejection');
}

describe('readHlsLadder(fixtures/ladder)', () => {
  it('gives the ladder in ascending bit rate with the real segment sizes', async () => {
    const video = await readHlsLadder(MASTER);
    expect(video.name).toBe('ladder');
    expect(video.segmentDurationMs).toBe(2000);
    expect(video.renditions.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(video.renditions.map((r) => [r.widthPx, r.heightPx])).toEqual(
      VIDEO_RENDITIONS.map((r) => [r.widthPx, r.heightPx]),
    );
    const attrs = masterAttributes();
    video.renditions.forEach((r, i) => {
      expect(r.bitrateKbps).toBe((attrs[i]?.average ?? 0) / 1000);
      expect(r.peakBitrateKbps).toBe((attrs[i]?.bandwidth ?? 0) / 1000);
      expect(r.frameRate).toBe(30);
      expect(r.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
      if (i > 0) expect(r.bitrateKbps).toBeGreaterThan(video.renditions[i - 1]?.bitrateKbps ?? Infinity);
    });
    expect(video.segmentSizesBytes.length).toBe(20);
    VIDEO_RENDITIONS.forEach(({ name }, r) => {
      const sizes = folderSegments(name).map((s) => s.sizeBytes);
      expect(video.segmentSizesBytes.map((row) => row[r])).toEqual(sizes);
    });
  });

  it('accepts the folder instead of the master path', async () => {
    expect(await readHlsLadder(LADDER_DIR)).toEqual(await readHlsLadder(MASTER));
  });

  it('master BANDWIDTH and AVERAGE-BANDWIDTH agree with the files (video + audio)', () => {
    const audio = folderSegments('audio');
    const rate = (s: { sizeBytes: number; durationS: number }) => (s.sizeBytes * 8) / s.durationS;
    const average = (segs: { sizeBytes: number; durationS: number }[]) =>
      (segs.reduce((a, s) => a + s.sizeBytes, 0) * 8) / segs.reduce((a, s) => a + s.durationS, 0);
    // Every audio segment but the short last one lasts ~2 s: the peak is the largest of them.
    const audioPeak = Math.max(...audio.slice(0, -1).map(rate));
    masterAttributes().forEach(({ uri, bandwidth, average: avg }) => {
      const video = folderSegments(uri.split('/')[0] ?? '');
      expect(bandwidth).toBeGreaterThanOrEqual(avg);
      // Each video segment lasts exactly the 2 s target duration, so single segments are the runs that count.
      expect(Math.abs(bandwidth - (Math.max(...video.map(rate)) + audioPeak))).toBeLessThanOrEqual(2);
      expect(Math.abs(avg - (average(video) + average(audio)))).toBeLessThanOrEqual(2);
    });
  });

  it('lists one audio rendition and no audio-only variant', async () => {
    const ladder = await scanHlsLadder(MASTER);
    expect(ladder.audio).toHaveLength(1);
    expect(
      ladder.variants.every((v) => v.variant.widthPx !== undefined && v.variant.audioGroupId === 'aac'),
    ).toBe(true);
  });

  it('writes Sabre movie JSON (sizes in bits)', async () => {
    const video = await readHlsLadder(MASTER);
    const movie = toSabreMovieJson(video);
    expect(movie.segment_duration_ms).toBe(2000);
    expect(movie.bitrates_kbps).toEqual(video.renditions.map((r) => Math.round(r.bitrateKbps)));
    expect(movie.segment_sizes_bits[3]).toEqual(video.segmentSizesBytes[3]?.map((b) => b * 8));
    const dir = mkdtempSync(join(tmpdir(), 'abrkit-ladder-'));
    try {
      const path = join(dir, 'movie.json');
      await writeSabreMovieJson(video, path);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(movie);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sizes byte-range segments by their range, not their file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'abrkit-ladder-'));
    try {
      // two real segments in one file, each named by its byte range
      const first = readFileSync(join(LADDER_DIR, '144p', 'seg_00000.m4s'));
      const second = readFileSync(join(LADDER_DIR, '144p', 'seg_00001.m4s'));
      const seg = join(dir, 'both.m4s');
      writeFileSync(seg, Buffer.concat([first, second]));
      const playlist = [
        '#EXTM3U',
        '#EXT-X-TARGETDURATION:2',
        '#EXTINF:2,',
        `#EXT-X-BYTERANGE:${first.length}@0`,
        seg,
        '#EXTINF:2,',
        `#EXT-X-BYTERANGE:${second.length}`,
        seg,
        '#EXT-X-ENDLIST',
      ];
      writeFileSync(join(dir, 'p.m3u8'), playlist.join('\n'));
      const scanned = await scanMediaPlaylist(join(dir, 'p.m3u8'));
      expect(scanned.segments.map((s) => [s.sizeBytes, s.byteRange?.offsetBytes])).toEqual([
        [first.length, 0],
        [second.length, first.length],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readHlsLadder errors', () => {
  it('rejects renditions with different segment counts (LADDER_MISMATCH) and a missing master', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'abrkit-ladder-'));
    try {
      const seg = join(LADDER_DIR, '144p', 'seg_00000.m4s');
      const media = (n: number) =>
        [
          '#EXTM3U',
          '#EXT-X-TARGETDURATION:2',
          ...Array.from({ length: n }, () => `#EXTINF:2,\n${seg}`),
          '#EXT-X-ENDLIST',
        ].join('\n');
      writeFileSync(join(dir, 'a.m3u8'), media(2));
      writeFileSync(join(dir, 'b.m3u8'), media(3));
      writeFileSync(
        join(dir, 'master.m3u8'),
        '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\na.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2000\nb.m3u8\n',
      );
      const e = await rejection(readHlsLadder(dir));
      expect(e).toMatchObject({
        category: 'video',
        code: 'LADDER_MISMATCH',
        data: { source: join(dir, 'b.m3u8') },
      });
      const missing = await rejection(readHlsLadder(join(dir, 'nope.m3u8')));
      expect(missing).toMatchObject({ code: 'RESOURCE_NOT_FOUND', data: { source: join(dir, 'nope.m3u8') } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readHlsLadder over http', () => {
  let server: StaticServer;
  beforeAll(async () => {
    server = await serveStatic(join(REPO_ROOT, 'fixtures'));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('gives the same description as from the files', async () => {
    expect(await readHlsLadder(`${server.url}/ladder/master.m3u8`)).toEqual(await readHlsLadder(MASTER));
    // each segment is read to check it holds a moof and an mdat
    expect(server.requests.some((r) => r.method === 'GET' && r.path === '/ladder/480p/seg_00019.m4s')).toBe(
      true,
    );
  });

  it('reports a missing segment as RESOURCE_NOT_FOUND with the URL', async () => {
    const e = await rejection(readHlsLadder(`${server.url}/broken/missing-segment/master.m3u8`));
    expect(e).toMatchObject({
      category: 'network',
      code: 'RESOURCE_NOT_FOUND',
      data: { source: `${server.url}/broken/missing-segment/seg_00002.m4s`, status: 404 },
    });
  });
});

describe('the broken fixtures give their documented errors (fixtures/README.md)', () => {
  it('missing-segment: RESOURCE_NOT_FOUND naming the file', async () => {
    const e = await rejection(readHlsLadder(join(BROKEN_DIR, 'missing-segment')));
    expect(e).toMatchObject({
      category: 'network',
      code: 'RESOURCE_NOT_FOUND',
      data: { source: join(BROKEN_DIR, 'missing-segment', `seg_0000${BROKEN_SEGMENT_INDEX}.m4s`) },
    });
  });

  it('malformed-playlist: BAD_DURATION naming the media playlist and the bad EXTINF line', async () => {
    const e = await rejection(readHlsLadder(join(BROKEN_DIR, 'malformed-playlist', 'master.m3u8')));
    // 6 header lines, then an EXTINF + URI pair per segment.
    expect(e).toMatchObject({
      category: 'manifest',
      code: 'BAD_DURATION',
      data: {
        source: join(BROKEN_DIR, 'malformed-playlist', 'index.m3u8'),
        line: 7 + 2 * BROKEN_SEGMENT_INDEX,
      },
    });
    expect(e.message).toContain(
      `${join(BROKEN_DIR, 'malformed-playlist', 'index.m3u8')}:${7 + 2 * BROKEN_SEGMENT_INDEX}:`,
    );
  });

  it('truncated-segment: the scan refuses it with SEGMENT_TRUNCATED naming the file and playlist line', async () => {
    const e = await rejection(scanHlsLadder(join(BROKEN_DIR, 'truncated-segment')));
    const segment = join(BROKEN_DIR, 'truncated-segment', `seg_0000${BROKEN_SEGMENT_INDEX}.m4s`);
    expect(e).toMatchObject({ category: 'media', code: 'SEGMENT_TRUNCATED', data: { source: segment } });
    const playlist = join(BROKEN_DIR, 'truncated-segment', 'index.m3u8');
    expect(e.message).toContain(`(named at ${playlist}:${8 + 2 * BROKEN_SEGMENT_INDEX})`);
    expect(e.message).toMatch(/box 'mdat' at offset \d+ declares \d+ bytes but only \d+ remain/);
  });

  it('truncated-segment: with checkMedia off, sizes read fine and inspection gives SEGMENT_TRUNCATED', async () => {
    const ladder = await scanHlsLadder(join(BROKEN_DIR, 'truncated-segment'), { checkMedia: false });
    const playlist = ladder.variants[0]?.playlist;
    if (!playlist) throw new Error('no variant');
    const whole = statSync(join(LADDER_DIR, '144p', `seg_0000${BROKEN_SEGMENT_INDEX}.m4s`)).size;
    expect(playlist.segments[BROKEN_SEGMENT_INDEX]?.sizeBytes).toBe(Math.floor(whole / 2));
    const e = await rejection(inspectMediaPlaylist(playlist));
    expect(e).toMatchObject({
      code: 'SEGMENT_TRUNCATED',
      data: { source: playlist.segments[BROKEN_SEGMENT_INDEX]?.location },
    });
  });

  it('wrong-codec: inspection gives UNSUPPORTED_CODEC for the init segment', async () => {
    const ladder = await scanHlsLadder(join(BROKEN_DIR, 'wrong-codec'));
    const playlist = ladder.variants[0]?.playlist;
    if (!playlist) throw new Error('no variant');
    const e = await rejection(inspectMediaPlaylist(playlist));
    expect(e).toMatchObject({
      category: 'media',
      code: 'UNSUPPORTED_CODEC',
      data: { source: join(BROKEN_DIR, 'wrong-codec', 'init.mp4') },
    });
  });
});

describe('playlists read through src/manifest', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'abrkit-ladder-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** A media playlist of `count` 2 s segments, each the 144p fixture segment `i` named by `uri(i)`. */
  function mediaPlaylist(count: number, uri: (i: number) => string): string {
    const lines = ['#EXTM3U', '#EXT-X-TARGETDURATION:2'];
    for (let i = 0; i < count; i++) lines.push('#EXTINF:2,', uri(i));
    return `${lines.join('\n')}\n#EXT-X-ENDLIST\n`;
  }
  const fixtureSegment = (i: number) => join(LADDER_DIR, '144p', `seg_0000${i}.m4s`);

  it('resolves variant, audio, init and segment URIs against the playlist that names them', async () => {
    const ladder = await scanHlsLadder(MASTER);
    expect(ladder.variants.map((v) => v.playlist.location)).toEqual(
      masterAttributes().map((a) => join(LADDER_DIR, a.uri)),
    );
    expect(ladder.variants.map((v) => v.variant.uri)).toEqual(
      ladder.variants.map((v) => v.playlist.location),
    );
    expect(ladder.audio.map((a) => a.location)).toEqual([join(LADDER_DIR, 'audio', 'index.m3u8')]);
    const low = ladder.variants[0]?.playlist;
    expect(low?.initLocation).toBe(join(LADDER_DIR, '144p', 'init.mp4'));
    expect(low?.segments[3]?.location).toBe(join(LADDER_DIR, '144p', 'seg_00003.m4s'));
    expect(low?.targetDurationMs).toBe(2000);
  });

  it('keeps a relative master path relative, reading the same ladder', async () => {
    const relativeMaster = relative(process.cwd(), MASTER);
    const ladder = await scanHlsLadder(relativeMaster);
    expect(ladder.location).toBe(relativeMaster);
    expect(ladder.variants[0]?.playlist.location).toBe(
      join(relative(process.cwd(), LADDER_DIR), '144p/index.m3u8'),
    );
    expect(await readHlsLadder(relativeMaster)).toEqual(await readHlsLadder(MASTER));
  });

  it('lists variants in master order, ranked by bit rate in `variant.index`, and describes them ascending', async () => {
    writeFileSync(join(dir, 'a.m3u8'), mediaPlaylist(2, fixtureSegment));
    writeFileSync(
      join(dir, 'b.m3u8'),
      mediaPlaylist(2, (i) => fixtureSegment(i + 2)),
    );
    writeFileSync(
      join(dir, 'master.m3u8'),
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=500000\nb.m3u8\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=300000\na.m3u8\n',
    );
    const ladder = await scanHlsLadder(dir);
    expect(ladder.variants.map((v) => [v.playlist.location, v.variant.index, v.variant.line])).toEqual([
      [join(dir, 'b.m3u8'), 1, 2],
      [join(dir, 'a.m3u8'), 0, 4],
    ]);
    const video = ladderToVideo(ladder, 'two');
    expect(video.renditions.map((r) => [r.bitrateKbps, r.peakBitrateKbps])).toEqual([
      [300, 300],
      [500, 900],
    ]);
    // Row i: [size of a's segment i, size of b's segment i].
    expect(video.segmentSizesBytes).toEqual(
      [0, 1].map((i) => [statSync(fixtureSegment(i)).size, statSync(fixtureSegment(i + 2)).size]),
    );
  });

  it('reads the init segment byte range of EXT-X-MAP', async () => {
    // the init segment and a media segment in one file
    const initBytes = readFileSync(join(LADDER_DIR, '144p', 'init.mp4'));
    const segBytes = readFileSync(fixtureSegment(0));
    const both = join(dir, 'both.mp4');
    writeFileSync(both, Buffer.concat([initBytes, segBytes]));
    writeFileSync(
      join(dir, 'p.m3u8'),
      `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="${both}",BYTERANGE="${initBytes.length}@0"\n` +
        `#EXTINF:2,\n#EXT-X-BYTERANGE:${segBytes.length}@${initBytes.length}\n${both}\n#EXT-X-ENDLIST\n`,
    );
    const scanned = await scanMediaPlaylist(join(dir, 'p.m3u8'));
    expect(scanned.initLocation).toBe(both);
    expect(scanned.initByteRange).toEqual({ offsetBytes: 0, lengthBytes: initBytes.length });
    expect(scanned.segments[0]?.sizeBytes).toBe(segBytes.length);
  });

  it('names the master playlist and line of its errors', async () => {
    const master = join(dir, 'master.m3u8');
    const cases: [string, string, number | undefined][] = [
      ['not a playlist\n', 'MISSING_EXTM3U', 1],
      ['#EXTM3U\n#EXT-X-VERSION:7\n', 'EMPTY_PLAYLIST', undefined],
      ['#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=abc\na.m3u8\n', 'BAD_BANDWIDTH', 2],
      ['#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\ns.m4s\n', 'NOT_MASTER_PLAYLIST', 2],
    ];
    for (const [text, code, line] of cases) {
      writeFileSync(master, text);
      const e = await rejection(readHlsLadder(master));
      expect(e).toMatchObject({ category: 'manifest', code, data: { source: master } });
      expect(e.data.line).toBe(line);
    }
  });

  it('reads a ladder whose folder name holds `#` and `?`, and names that path in errors', async () => {
    const odd = join(dir, 'take #2?final');
    mkdirSync(join(odd, 'v'), { recursive: true });
    // A segment next to the playlist, one a level up, one by absolute path.
    writeFileSync(join(odd, 'v', 's0.m4s'), readFileSync(fixtureSegment(0)));
    writeFileSync(join(odd, 's1.m4s'), readFileSync(fixtureSegment(1)));
    writeFileSync(
      join(odd, 'v', 'index.m3u8'),
      mediaPlaylist(3, (i) => ['s0.m4s', '../s1.m4s', fixtureSegment(2)][i] ?? ''),
    );
    writeFileSync(join(odd, 'master.m3u8'), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nv/index.m3u8\n');
    const ladder = await scanHlsLadder(odd);
    expect(ladder.variants[0]?.variant.uri).toBe(join(odd, 'v', 'index.m3u8'));
    expect(ladder.variants[0]?.playlist.segments.map((s) => [s.location, s.sizeBytes])).toEqual([
      [join(odd, 'v', 's0.m4s'), statSync(fixtureSegment(0)).size],
      [join(odd, 's1.m4s'), statSync(fixtureSegment(1)).size],
      [fixtureSegment(2), statSync(fixtureSegment(2)).size],
    ]);

    writeFileSync(join(odd, 'v', 'index.m3u8'), '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:two,\ns0.m4s\n');
    const e = await rejection(readHlsLadder(odd));
    expect(e).toMatchObject({
      code: 'BAD_DURATION',
      data: { source: join(odd, 'v', 'index.m3u8'), line: 3 },
    });
    expect(e.message).toBe(
      `${join(odd, 'v', 'index.m3u8')}:3: #EXTINF duration must be a non-negative number, got "two"`,
    );
  });
});

describe('measures only what it can validate (issue 18)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'abrkit-ladder-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const init144 = join(LADDER_DIR, '144p', 'init.mp4');
  const seg144 = (i: number) => join(LADDER_DIR, '144p', `seg_0000${i}.m4s`);

  /** Writes `p.m3u8` in `dir` from its lines (ENDLIST appended unless `live`); returns its path. */
  function playlist(lines: string[], live = false): string {
    const path = join(dir, 'p.m3u8');
    writeFileSync(
      path,
      ['#EXTM3U', '#EXT-X-TARGETDURATION:2', ...lines, ...(live ? [] : ['#EXT-X-ENDLIST'])].join('\n'),
    );
    return path;
  }

  it('refuses a 0-byte segment, naming it and the playlist line', async () => {
    writeFileSync(join(dir, 'empty.m4s'), '');
    const path = playlist(['#EXTINF:2,', seg144(0), '#EXTINF:2,', 'empty.m4s']);
    const e = await rejection(scanMediaPlaylist(path));
    expect(e).toMatchObject({
      category: 'media',
      code: 'SEGMENT_EMPTY',
      data: { source: join(dir, 'empty.m4s') },
    });
    expect(e.message).toContain(`named at ${path}:6`);
    // refused whether or not the boxes are read
    expect((await rejection(scanMediaPlaylist(path, { checkMedia: false }))).code).toBe('SEGMENT_EMPTY');
  });

  it('refuses an #EXT-X-BYTERANGE past the end of its file, quoting it as written', async () => {
    const size = statSync(seg144(0)).size;
    const path = playlist(['#EXTINF:2,', '#EXT-X-BYTERANGE:100000000@0', seg144(0)]);
    for (const checkMedia of [true, false]) {
      const e = await rejection(scanMediaPlaylist(path, { checkMedia }));
      expect(e).toMatchObject({
        category: 'media',
        code: 'BYTERANGE_OUT_OF_FILE',
        data: { source: seg144(0), fileSizeBytes: size },
      });
      expect(e.message).toContain(`ends at byte 100000000 but the file has ${size} bytes`);
      expect(e.message).toContain(`named at ${path}:4 #EXT-X-BYTERANGE:100000000@0`);
    }
  });

  it('refuses garbage bytes and an init segment given as a media segment', async () => {
    writeFileSync(join(dir, 'garbage.m4s'), 'this is not a media segment at all, just text\n'.repeat(50));
    const garbage = await rejection(scanMediaPlaylist(playlist(['#EXTINF:2,', 'garbage.m4s'])));
    expect(garbage).toMatchObject({ category: 'media', data: { source: join(dir, 'garbage.m4s') } });
    expect(['SEGMENT_TRUNCATED', 'MEDIA_MALFORMED']).toContain(garbage.code);

    const notSegment = await rejection(scanMediaPlaylist(playlist(['#EXTINF:2,', init144])));
    expect(notSegment).toMatchObject({ code: 'MEDIA_MALFORMED', data: { source: init144 } });
    expect(notSegment.message).toContain('top-level boxes [ftyp, moov]');
    expect(notSegment.message).toContain('needs a moof and an mdat');

    // without the media check, sizes are all it reads
    const sized = await scanMediaPlaylist(playlist(['#EXTINF:2,', 'garbage.m4s']), { checkMedia: false });
    expect(sized.segments[0]?.sizeBytes).toBe(statSync(join(dir, 'garbage.m4s')).size);
  });

  it('refuses an init segment without a moov, and a missing init segment naming it and its EXT-X-MAP', async () => {
    const asInit = await rejection(
      scanMediaPlaylist(playlist([`#EXT-X-MAP:URI="${seg144(1)}"`, '#EXTINF:2,', seg144(0)])),
    );
    expect(asInit).toMatchObject({
      category: 'media',
      code: 'INIT_MISSING_MOOV',
      data: { source: seg144(1) },
    });

    const path = playlist(['#EXT-X-MAP:URI="init.mp4"', '#EXTINF:2,', seg144(0)]);
    const missing = await rejection(scanMediaPlaylist(path, { checkMedia: false }));
    expect(missing).toMatchObject({
      category: 'media',
      code: 'INIT_MISSING',
      data: { source: join(dir, 'init.mp4') },
    });
    expect(missing.message).toContain(`named at ${path}:3 #EXT-X-MAP:URI="init.mp4"`);
  });

  it('refuses a live playlist given as VOD, with a hint', async () => {
    const path = playlist(['#EXTINF:2,', seg144(0)], true);
    const e = await rejection(scanMediaPlaylist(path));
    expect(e).toMatchObject({ category: 'manifest', code: 'LIVE_PLAYLIST', data: { source: path } });
    expect(e.message).toContain('#EXT-X-ENDLIST');
    // a declared VOD playlist is finished even without the tag
    const vod = playlist(['#EXT-X-PLAYLIST-TYPE:VOD', '#EXTINF:2,', seg144(0)], true);
    expect((await scanMediaPlaylist(vod)).segments).toHaveLength(1);
  });

  it('refuses #EXTINF:0 naming the playlist, the line and the tag as written', async () => {
    const path = playlist(['#EXTINF:2,', seg144(0), '#EXTINF:0,', seg144(1)]);
    const e = await rejection(scanMediaPlaylist(path));
    expect(e).toMatchObject({ category: 'manifest', code: 'BAD_DURATION', data: { source: path, line: 5 } });
    expect(e.message).toBe(`${path}:5: #EXTINF:0,: segment 1 (${seg144(1)}) must last more than 0 s`);
  });

  it('accepts an MPEG-TS segment (sync byte every 188 bytes) without boxes', async () => {
    const ts = Buffer.alloc(188 * 3);
    for (let i = 0; i < ts.length; i += 188) ts[i] = 0x47;
    writeFileSync(join(dir, 's.ts'), ts);
    const scanned = await scanMediaPlaylist(playlist(['#EXTINF:2,', 's.ts']));
    expect(scanned.segments[0]?.sizeBytes).toBe(188 * 3);
  });

  describe('over http', () => {
    let server: StaticServer;
    beforeEach(async () => {
      server = await serveStatic(dir);
    });
    afterEach(async () => {
      await server.close();
    });

    it('refuses a byte range past the end and garbage bytes, naming the URL', async () => {
      writeFileSync(join(dir, 'seg.m4s'), readFileSync(seg144(0)));
      writeFileSync(join(dir, 'garbage.m4s'), 'x'.repeat(500));
      playlist(['#EXTINF:2,', '#EXT-X-BYTERANGE:100000000@0', 'seg.m4s']);
      const range = await rejection(scanMediaPlaylist(`${server.url}/p.m3u8`));
      expect(range.data.source).toBe(`${server.url}/seg.m4s`);
      expect(['BYTERANGE_OUT_OF_FILE', 'HTTP_STATUS']).toContain(range.code);
      playlist(['#EXTINF:2,', 'garbage.m4s']);
      const garbage = await rejection(scanMediaPlaylist(`${server.url}/p.m3u8`));
      expect(garbage).toMatchObject({ category: 'media', data: { source: `${server.url}/garbage.m4s` } });
      playlist(['#EXTINF:2,', 'seg.m4s']);
      const good = await scanMediaPlaylist(`${server.url}/p.m3u8`);
      expect(good.segments[0]?.sizeBytes).toBe(statSync(seg144(0)).size);
    });
  });
});
