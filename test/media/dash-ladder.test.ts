// One media set, two formats: fixtures/ladder/manifest.mpd must describe the same renditions and segment
// URLs as master.m3u8, and measure to the same sizes. SegmentBase single files (built from the fixture's own
// segments with a hand-written sidx) read through mp4box, loadVideo / abrkit ladder on MPDs, and @bandwidth.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLadderCommand } from '../../src/cli/commands/ladder.js';
import { createContext } from '../../src/cli/context.js';
import { AbrkitError } from '../../src/core/errors.js';
import { parseMpd } from '../../src/manifest/dash.js';
import { presentationFromMpd } from '../../src/manifest/dash-presentation.js';
import { buildPresentation, parseMasterPlaylist, parseMediaPlaylist } from '../../src/manifest/index.js';
import type { MediaPlaylist, Presentation } from '../../src/manifest/index.js';
import { dashBandwidthBps } from '../../src/media/bandwidth.js';
import { loadDashPresentation, readDashLadder, scanLadder } from '../../src/media/dash-ladder.js';
import { readHlsLadder } from '../../src/media/ladder.js';
import { readSegmentIndex } from '../../src/media/sidx.js';
import { runCli } from '../../src/cli/main.js';
import { loadVideo } from '../../src/sim/load-video.js';
import { captureIo } from '../cli/helpers.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { LADDER, sidxBox, writeSingleFile } from './dash-fixtures.js';

const MPD = join(LADDER, 'manifest.mpd');
const MASTER = join(LADDER, 'master.m3u8');

async function hlsPresentation(): Promise<Presentation> {
  const master = parseMasterPlaylist(await readFile(MASTER, 'utf8'), MASTER);
  const uris = [...master.renditions.map((r) => r.uri), ...master.audioRenditions.map((a) => a.uri ?? '')];
  const playlists = new Map<string, MediaPlaylist>();
  for (const uri of uris) playlists.set(uri, parseMediaPlaylist(await readFile(uri, 'utf8'), uri));
  return buildPresentation(master, playlists);
}

function expectSamePlaylist(dash: MediaPlaylist | undefined, hls: MediaPlaylist | undefined): void {
  expect(dash?.segments.map((s) => s.uri)).toEqual(hls?.segments.map((s) => s.uri));
  expect(dash?.segments.map((s) => s.initSegment?.uri)).toEqual(hls?.segments.map((s) => s.initSegment?.uri));
  dash?.segments.forEach((s, i) => {
    const h = hls?.segments[i];
    // EXTINF is written to the microsecond, the MPD in ticks: the same to 1 µs
    expect(Math.abs(s.durationMs - (h?.durationMs ?? 0))).toBeLessThanOrEqual(0.001);
    expect(Math.abs(s.startMs - (h?.startMs ?? 0))).toBeLessThanOrEqual(0.01);
  });
}

describe('fixtures/ladder: manifest.mpd and master.m3u8', () => {
  it('describe the same renditions, codecs, segment URLs, init segments and durations', async () => {
    const hls = await hlsPresentation();
    const dash = presentationFromMpd(parseMpd(await readFile(MPD, 'utf8'), MPD));
    expect(dash.renditions).toHaveLength(hls.renditions.length);
    dash.renditions.forEach((d, i) => {
      const h = hls.renditions[i];
      expect([d.widthPx, d.heightPx, d.codecs]).toEqual([h?.widthPx, h?.heightPx, h?.codecs]);
      expectSamePlaylist(d.playlist, h?.playlist);
    });
    expect(dash.audioRenditions).toHaveLength(1);
    expect(dash.audioRenditions[0]?.language).toBe(hls.audioRenditions[0]?.language);
    expectSamePlaylist(dash.audioRenditions[0]?.playlist, hls.audioRenditions[0]?.playlist);
    expect(dash.durationMs).toBe(hls.durationMs);
  });

  it('measure to the same segment sizes (abrkit ladder, loadVideo), bandwidths by the MPD definition', async () => {
    const [dash, hls] = await Promise.all([readDashLadder(MPD), readHlsLadder(MASTER)]);
    expect(dash.segmentSizesBytes).toEqual(hls.segmentSizesBytes);
    expect(dash.segmentDurationMs).toBe(hls.segmentDurationMs);
    expect(dash.renditions.map((r) => r.widthPx)).toEqual(hls.renditions.map((r) => r.widthPx));
    const viaLoadVideo = await loadVideo(MPD);
    expect(viaLoadVideo.segmentSizesBytes).toEqual(hls.segmentSizesBytes);
    // @bandwidth recomputed from the sizes: playout minBufferTime (2 s) after the first bit never waits
    const manifest = parseMpd(await readFile(MPD, 'utf8'), MPD);
    manifest.representations
      .filter((r) => r.contentType === 'video')
      .forEach((r, i) => {
        const sizes = hls.segmentSizesBytes.map((row) => row[i] ?? 0);
        expect(r.bandwidthBps).toBe(
          dashBandwidthBps(
            sizes.map((sizeBytes) => ({ sizeBytes, durationMs: 2000 })),
            2000,
          ),
        );
        for (let start = 0; start < sizes.length; start++) {
          let bits = 0;
          for (let k = start; k < sizes.length; k++) {
            bits += (sizes[k] ?? 0) * 8;
            expect(bits / r.bandwidthBps).toBeLessThanOrEqual(2 + 2 * (k - start) + 1e-9);
          }
        }
      });
  });

  it('abrkit ladder reads the MPD as it reads the master playlist, --inspect included', async () => {
    let stderr = '';
    const context = createContext({
      stdout: { write: () => {} },
      stderr: { write: (s: string) => (stderr += s) },
      isTTY: false,
      cwd: REPO_ROOT,
    });
    const dash = await runLadderCommand(
      'fixtures/ladder/manifest.mpd',
      { format: 'abrkit', inspect: true },
      context,
    );
    expect(stderr).toContain('manifest.mpd#480p: avc1.64001f 854x480, 20 segments');
    expect(stderr).toContain('keyframes aligned across renditions');
    const hls = await runLadderCommand('fixtures/ladder/master.m3u8', { format: 'abrkit' }, context);
    expect(dash.video.segmentSizesBytes).toEqual(hls.video.segmentSizesBytes);
  });
});

describe('abrkit sim and loadVideo on DASH', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'abrkit-dash-sim-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('abrkit sim --video manifest.mpd plays the MPD ladder: each segment from its sizes', async () => {
    const cap = captureIo(REPO_ROOT);
    const jsonl = join(dir, 'sim.jsonl');
    const args = ['sim', '--video', 'fixtures/ladder/manifest.mpd', '--traces', 'constant:3000'];
    const code = await runCli(
      [...args, '--algo', 'bola', '--network', 'sabre', '--jsonl', jsonl, '--quiet'],
      cap.io,
    );
    expect(cap.err()).toBe('');
    expect(code).toBe(0);
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(20);
    const hls = await readHlsLadder(MASTER);
    for (const line of lines) {
      const record = JSON.parse(line) as { segment: number; rendition: number; sizeBytes: number };
      expect(record.sizeBytes).toBe(hls.segmentSizesBytes[record.segment]?.[record.rendition]);
    }
  });

  it('loadVideo reads a folder holding manifest.mpd and no master.m3u8', async () => {
    const text = (await readFile(MPD, 'utf8')).replace('<Period', `<BaseURL>${LADDER}/</BaseURL><Period`);
    writeFileSync(join(dir, 'manifest.mpd'), text);
    const video = await loadVideo(dir);
    expect(video.segmentSizesBytes).toEqual((await readHlsLadder(MASTER)).segmentSizesBytes);
  });
});

describe('dashBandwidthBps', () => {
  it('is the rate that never makes playout wait, from any segment start', () => {
    // from 0: 8000/1 s, 32000/2 s; from 1: 24000 bits within 1 s → 24000 bps
    expect(
      dashBandwidthBps(
        [
          { sizeBytes: 1000, durationMs: 1000 },
          { sizeBytes: 3000, durationMs: 1000 },
        ],
        1000,
      ),
    ).toBe(24000);
    expect(dashBandwidthBps([], 1000)).toBe(0);
    expect(() => dashBandwidthBps([], 0)).toThrow(TypeError);
  });
});

describe('SegmentBase single files, read through their sidx', () => {
  let dir: string;
  const audioTicks = [...Array(21).keys()].map((i) => (i === 20 ? 1024 : i % 4 === 3 ? 95232 : 96256));
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'abrkit-dash-base-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the segments of the HLS rendition: same sizes, durations, byte ranges inside the file', async () => {
    const video = writeSingleFile(dir, '144p', 15360, Array(20).fill(30720) as number[]);
    const audio = writeSingleFile(dir, 'audio', 48000, audioTicks);
    const mpd =
      '<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" mediaPresentationDuration="PT40.021333S">' +
      '<Period><AdaptationSet contentType="video" mimeType="video/mp4">' +
      `<Representation id="v" bandwidth="170000" codecs="avc1.4d400c" width="256" height="144"><BaseURL>144p.mp4</BaseURL>` +
      `<SegmentBase indexRange="${video.indexRange}"><Initialization range="${video.initRange}"/></SegmentBase></Representation>` +
      '</AdaptationSet><AdaptationSet contentType="audio" mimeType="audio/mp4" lang="en">' +
      `<Representation id="a" bandwidth="68000" codecs="mp4a.40.2"><BaseURL>audio.mp4</BaseURL>` +
      `<SegmentBase indexRange="${audio.indexRange}"/></Representation></AdaptationSet></Period></MPD>`;
    const path = join(dir, 'single.mpd');
    writeFileSync(path, mpd);
    const presentation = await loadDashPresentation(path);
    const hls = await hlsPresentation();
    const segments = presentation.renditions[0]?.playlist?.segments ?? [];
    expect(segments.map((s) => s.byteRange?.lengthBytes)).toEqual(video.segmentSizes);
    expect(segments.map((s) => s.durationMs)).toEqual(
      hls.renditions[0]?.playlist?.segments.map((s) => s.durationMs),
    );
    expect(segments[0]?.initSegment).toEqual({
      uri: join(dir, '144p.mp4'),
      byteRange: { offsetBytes: 0, lengthBytes: video.initSize },
    });
    const audioSegments = presentation.audioRenditions[0]?.playlist?.segments ?? [];
    // exact from the sidx ticks, where HLS sums EXTINFs rounded to the microsecond: within 0.01 ms
    const hlsAudio = hls.audioRenditions[0]?.playlist?.segments ?? [];
    expect(audioSegments).toHaveLength(hlsAudio.length);
    audioSegments.forEach((s, i) =>
      expect(Math.abs(s.startMs - (hlsAudio[i]?.startMs ?? 0))).toBeLessThan(0.01),
    );
    // no Initialization element: the bytes before the index
    expect(audioSegments[0]?.initSegment?.byteRange).toEqual({ offsetBytes: 0, lengthBytes: audio.initSize });

    // the simulator's ladder measures and checks every range (moof + mdat inside the file)
    const described = await loadVideo(path);
    const hlsVideo = await readHlsLadder(MASTER);
    expect(described.segmentSizesBytes.map((row) => row[0])).toEqual(
      hlsVideo.segmentSizesBytes.map((row) => row[0]),
    );
    const scanned = await scanLadder(path);
    expect(scanned.variants[0]?.playlist.segments.every((s) => s.byteRange !== undefined)).toBe(true);
  });

  it('refuses an index range without a sidx, and a truncated one, naming the file', () => {
    const notSidx = new Uint8Array(readFileSync(join(LADDER, '144p', 'init.mp4')));
    const malformed = (() => {
      try {
        readSegmentIndex(notSidx, 0, 'x.mp4');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(malformed).toBeInstanceOf(AbrkitError);
    expect(malformed).toMatchObject({ code: 'MEDIA_MALFORMED', data: { source: 'x.mp4' } });
    const box = sidxBox(1000, [{ sizeBytes: 10, durationTicks: 1000 }]);
    let error: unknown;
    try {
      readSegmentIndex(box.subarray(0, box.byteLength - 4), 0, 'y.mp4');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AbrkitError);
    expect((error as AbrkitError).code).toBe('SEGMENT_TRUNCATED');
  });

  it('reads any bytes as a sidx or throws a media AbrkitError naming the file (fuzzed)', () => {
    const good = sidxBox(90000, [
      { sizeBytes: 1000, durationTicks: 180000 },
      { sizeBytes: 2000, durationTicks: 180000 },
    ]);
    const mutated = fc
      .tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat())
      .map(([edits, cut]) => {
        const bytes = good.slice(0, good.byteLength - (cut % 8));
        for (const [at, value] of edits) bytes[at % bytes.byteLength] = value;
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 80 })), (bytes) => {
        try {
          const box = readSegmentIndex(bytes, 100, 'f.mp4');
          expect(box.anchorOffsetBytes).toBeGreaterThan(100);
          for (const r of box.references) expect(Number.isFinite(r.referencedSizeBytes)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(AbrkitError);
          expect((e as AbrkitError).category).toBe('media');
          expect((e as AbrkitError).data.source).toBe('f.mp4');
        }
      }),
      { numRuns: 2000, seed: 9 },
    );
  });

  it('refuses a hierarchical sidx with a typed error', async () => {
    const box = sidxBox(1000, [{ sizeBytes: 10, durationTicks: 1000, referenceType: 1 }]);
    const file = join(dir, 'nested.mp4');
    writeFileSync(file, box);
    writeFileSync(
      join(dir, 'nested.mpd'),
      '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" mediaPresentationDuration="PT1S"><Period><AdaptationSet contentType="video">' +
        `<Representation id="v" bandwidth="1"><BaseURL>nested.mp4</BaseURL><SegmentBase indexRange="0-${box.byteLength - 1}"/></Representation>` +
        '</AdaptationSet></Period></MPD>',
    );
    await expect(loadDashPresentation(join(dir, 'nested.mpd'))).rejects.toMatchObject({
      code: 'MPD_UNSUPPORTED',
      data: { source: file },
    });
  });
});
