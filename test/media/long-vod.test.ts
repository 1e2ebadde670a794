/**
 * The long VOD generator (src/media/long-vod.ts) on fixtures/ladder, read back with the manifest parser:
 * laps, discontinuities, timeline, no copies of the media, and the audio cut to the video's lap.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMasterPlaylist } from '../../src/manifest/master.js';
import { parseMediaPlaylist } from '../../src/manifest/media.js';
import type { MediaPlaylist } from '../../src/manifest/model.js';
import { parseDurationMs, runLongVodCommand } from '../../src/cli/commands/long-vod.js';
import { runCli } from '../../src/cli/main.js';
import { loopMediaPlaylist, writeLongVod } from '../../src/media/long-vod.js';
import type { LongVod } from '../../src/media/long-vod.js';
import { REPO_ROOT } from '../support/shared-data.js';

const SOURCE = join(REPO_ROOT, 'fixtures/ladder');
const RENDITIONS = ['144p', '240p', '360p', '480p', 'audio'];

async function readPlaylist(path: string): Promise<MediaPlaylist> {
  return parseMediaPlaylist(await readFile(path, 'utf8'), path);
}

describe('writeLongVod: one hour of fixtures/ladder', () => {
  let dir = '';
  let vod: LongVod;
  const source = new Map<string, MediaPlaylist>();
  const looped = new Map<string, MediaPlaylist>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'abrkit-long-vod-'));
    vod = await writeLongVod({ sourceDir: SOURCE, outDir: join(dir, 'vod'), durationMs: 3_600_000 });
    for (const r of RENDITIONS) {
      source.set(r, await readPlaylist(join(SOURCE, r, 'index.m3u8')));
      looped.set(r, await readPlaylist(join(dir, 'vod', r, 'index.m3u8')));
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the laps and lasts the hour', () => {
    const lapMs = source.get('144p')!.totalDurationMs;
    expect(vod.lapDurationMs).toBe(lapMs);
    expect(vod.laps).toBe(Math.ceil(3_600_000 / lapMs));
    expect(vod.durationMs).toBe(3_600_000);
    expect(vod.masterPath).toBe(join(dir, 'vod', 'master.m3u8'));
    for (const r of ['144p', '240p', '360p', '480p']) {
      const p = looped.get(r)!;
      expect(p.type).toBe('vod');
      expect(p.endList).toBe(true);
      expect(p.totalDurationMs).toBe(3_600_000);
      expect(p.segments).toHaveLength(vod.segmentCount);
      expect(vod.segmentCount).toBe(vod.laps * source.get(r)!.segments.length);
    }
  });

  it('keeps the master playlist, whose renditions point at the looped playlists', async () => {
    const text = await readFile(vod.masterPath, 'utf8');
    expect(text).toBe(await readFile(join(SOURCE, 'master.m3u8'), 'utf8'));
    const master = parseMasterPlaylist(text, vod.masterPath);
    for (const r of master.renditions) expect((await stat(r.uri)).isFile()).toBe(true);
  });

  it('puts a discontinuity before every lap but the first, and nowhere else', () => {
    for (const r of RENDITIONS) {
      const perLap = looped.get(r)!.segments.length / vod.laps;
      expect(Number.isInteger(perLap)).toBe(true);
      const segments = looped.get(r)!.segments;
      const flagged = segments.filter((s) => s.discontinuity).map((s) => s.index);
      expect(flagged).toEqual(Array.from({ length: vod.laps - 1 }, (_, k) => (k + 1) * perLap));
      for (const s of segments) expect(s.discontinuitySequence).toBe(Math.floor(s.index / perLap));
      // every lap (re)declares the init segment
      for (const s of segments) expect(s.initSegment?.uri).toBe(join(dir, 'vod', r, 'init.mp4'));
    }
  });

  it('repeats the same segment files in order, lap after lap, with their durations', () => {
    for (const r of ['144p', '480p']) {
      const src = source.get(r)!.segments;
      for (const s of looped.get(r)!.segments) {
        const original = src[s.index % src.length]!;
        expect(s.uri).toBe(join(dir, 'vod', r, original.uri.slice(join(SOURCE, r).length + 1)));
        expect(s.durationMs).toBe(original.durationMs);
      }
    }
  });

  it('cuts the audio laps to the video lap, so the audio timeline does not drift', () => {
    const audio = looped.get('audio')!;
    const video = looped.get('144p')!;
    const audioSource = source.get('audio')!;
    // the fixture's audio runs 21 ms past the video: its last segment starts at the video's end
    expect(audioSource.totalDurationMs).toBeGreaterThan(vod.lapDurationMs);
    const lastSource = audioSource.segments.at(-1)!;
    expect(lastSource.startMs).toBeGreaterThanOrEqual(vod.lapDurationMs - 1);
    expect(audio.segments.length).toBe(vod.laps * (audioSource.segments.length - 1));
    const firstOfLap = (p: MediaPlaylist, k: number) =>
      p.segments.find((s) => s.discontinuitySequence === k)!;
    for (const k of [1, 45, vod.laps - 1]) {
      expect(Math.abs(firstOfLap(audio, k).startMs - firstOfLap(video, k).startMs)).toBeLessThan(1);
    }
    expect(Math.abs(audio.totalDurationMs - video.totalDurationMs)).toBeLessThan(1);
  });

  it('makes no copy per lap: the media files are the source files, once each (hard links)', async () => {
    for (const r of RENDITIONS) {
      const names = (await readdir(join(dir, 'vod', r))).sort();
      const sourceNames = (await readdir(join(SOURCE, r))).sort();
      // the 21 ms audio segment is never referenced, so not linked
      const referenced = new Set(looped.get(r)!.segments.map((s) => s.uri.slice(s.uri.lastIndexOf('/') + 1)));
      expect(names).toEqual(
        sourceNames.filter((n) => n === 'index.m3u8' || n === 'init.mp4' || referenced.has(n)),
      );
      for (const name of names.filter((n) => n !== 'index.m3u8')) {
        const [a, b] = await Promise.all([stat(join(dir, 'vod', r, name)), stat(join(SOURCE, r, name))]);
        expect(a.size).toBe(b.size);
        // same file system here (tmp and the repo): a hard link, the same inode
        if (a.dev === b.dev) expect(a.ino).toBe(b.ino);
      }
    }
  });
});

describe('writeLongVod: other lengths and modes', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'abrkit-long-vod-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stops the last lap at the first segment at or past the duration', async () => {
    for (const [durationMs, segments, laps] of [
      [100_000, 50, 3],
      [101_000, 51, 3],
      [40_000, 20, 1],
      [1, 1, 1],
    ] as const) {
      const vod = await writeLongVod({ sourceDir: SOURCE, outDir: join(dir, `d${durationMs}`), durationMs });
      expect({ durationMs, segments: vod.segmentCount, laps: vod.laps }).toEqual({
        durationMs,
        segments,
        laps,
      });
      expect(vod.durationMs).toBe(segments * 2000);
      const audio = await readPlaylist(join(dir, `d${durationMs}`, 'audio', 'index.m3u8'));
      // the audio covers the video
      expect(audio.totalDurationMs).toBeGreaterThanOrEqual(vod.durationMs - 50);
    }
  });

  it("'reference' mode points back at the source files and writes only playlists", async () => {
    const out = join(dir, 'ref');
    const vod = await writeLongVod({
      sourceDir: SOURCE,
      outDir: out,
      durationMs: 80_000,
      media: 'reference',
    });
    expect(vod.laps).toBe(2);
    for (const r of RENDITIONS) {
      expect(await readdir(join(out, r))).toEqual(['index.m3u8']);
      const p = await readPlaylist(join(out, r, 'index.m3u8'));
      for (const s of p.segments) {
        expect(resolve(s.uri).startsWith(join(SOURCE, r))).toBe(true);
        expect((await stat(s.uri)).isFile()).toBe(true);
      }
    }
  });

  it('refuses bad options with a message naming them', async () => {
    await expect(writeLongVod({ sourceDir: SOURCE, outDir: join(dir, 'x'), durationMs: 0 })).rejects.toThrow(
      /durationMs/,
    );
    await expect(
      writeLongVod({ sourceDir: SOURCE, outDir: join(dir, 'x'), durationMs: Number.NaN }),
    ).rejects.toThrow(/durationMs/);
    await expect(
      writeLongVod({ sourceDir: SOURCE, outDir: join(dir, 'x'), media: 'copy' as 'link' }),
    ).rejects.toThrow(/media/);
    await expect(writeLongVod({ sourceDir: join(dir, 'missing'), outDir: join(dir, 'y') })).rejects.toThrow(
      /master\.m3u8/,
    );
  });
});

describe('loopMediaPlaylist', () => {
  const text = [
    '#EXTM3U',
    '#EXT-X-TARGETDURATION:4',
    '#EXT-X-MAP:URI="a/init.mp4"',
    '#EXTINF:4.0,',
    'a/s0.m4s',
    '#EXTINF:4.0,',
    'a/s1.m4s',
    '#EXT-X-MAP:URI="b/init.mp4"',
    '#EXTINF:2.5,',
    'b/s2.m4s',
    '#EXT-X-ENDLIST',
  ].join('\n');
  const source = parseMediaPlaylist(text, 'http://x.test/p/index.m3u8');

  it('repeats the segments with their init sections, a discontinuity and the init again at each lap', () => {
    const out = loopMediaPlaylist(source, {
      durationMs: 25_000,
      lapDurationMs: 10_500,
      uriOf: (u) => u.replace('http://x.test/p/', ''),
    });
    expect(out.laps).toBe(3);
    const parsed = parseMediaPlaylist(out.text, 'http://y.test/q/index.m3u8');
    expect(parsed.segments.map((s) => `${s.discontinuitySequence}:${s.uri.slice(16)}`)).toEqual([
      '0:a/s0.m4s',
      '0:a/s1.m4s',
      '0:b/s2.m4s',
      '1:a/s0.m4s',
      '1:a/s1.m4s',
      '1:b/s2.m4s',
      '2:a/s0.m4s', // starts at 21 s; the next would start at 25 s, the duration
    ]);
    expect(parsed.segments.map((s) => s.initSegment?.uri.slice(16))).toEqual([
      'a/init.mp4',
      'a/init.mp4',
      'b/init.mp4',
      'a/init.mp4',
      'a/init.mp4',
      'b/init.mp4',
      'a/init.mp4',
    ]);
    expect(out.durationMs).toBe(25_000);
    expect(parsed.totalDurationMs).toBe(25_000);
    expect(parsed.segments[3]!.discontinuity).toBe(true);
    expect(out.text.match(/#EXT-X-MAP/g)).toHaveLength(5); // a, b / a, b / a: every lap and every switch
    expect(parsed.endList).toBe(true);
  });

  it('drops segments that start at the lap end or later', () => {
    const out = loopMediaPlaylist(source, { durationMs: 16_000, lapDurationMs: 8_000, uriOf: (u) => u });
    expect(out.segmentCount).toBe(4);
    expect(out.text).not.toContain('s2.m4s');
  });

  it('refuses byte-range playlists and bad durations', () => {
    const ranged = parseMediaPlaylist(
      '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-BYTERANGE:100@0\n#EXTINF:4,\nall.mp4\n#EXT-X-ENDLIST\n',
      'http://x.test/r.m3u8',
    );
    expect(() => loopMediaPlaylist(ranged, { durationMs: 10, lapDurationMs: 4000, uriOf: (u) => u })).toThrow(
      /byte-range/,
    );
    expect(() => loopMediaPlaylist(source, { durationMs: -1, lapDurationMs: 4000, uriOf: (u) => u })).toThrow(
      TypeError,
    );
    expect(() => loopMediaPlaylist(source, { durationMs: 10, lapDurationMs: 0, uriOf: (u) => u })).toThrow(
      /lapDurationMs/,
    );
  });
});

describe('abrkit long-vod', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'abrkit-long-vod-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads durations with units', () => {
    expect(parseDurationMs('1h')).toBe(3_600_000);
    expect(parseDurationMs('90m')).toBe(5_400_000);
    expect(parseDurationMs('45')).toBe(45_000);
    expect(parseDurationMs('1.5s')).toBe(1500);
    for (const bad of ['', '0', '-1h', '10x', 'h']) expect(() => parseDurationMs(bad)).toThrow(/--duration/);
  });

  it('writes the VOD relative to the working directory and says what it wrote', async () => {
    let out = '';
    const io = {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: () => true },
      isTTY: false,
      cwd: dir,
    };
    const vod = await runLongVodCommand(
      'vod',
      { source: SOURCE, duration: '2m' },
      {
        io,
        verbose: false,
        resolvePath: (p) => resolve(dir, p),
      },
    );
    expect(vod.masterPath).toBe(join(dir, 'vod', 'master.m3u8'));
    expect(vod.segmentCount).toBe(60);
    expect(out).toContain('3 laps of 40 s, 60 segments');
    let err = '';
    const code = await runCli(['long-vod', join(dir, 'bad'), '--source', SOURCE, '--duration', 'soon'], {
      ...io,
      stderr: { write: (t: string) => (err += t) },
    });
    expect(code).not.toBe(0);
    expect(err).toContain('--duration');
  });
});
