import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { loadVideo } from '../../src/sim/load-video.js';
import { playableSegments } from '../../src/videos/model.js';
import { hasSharedData, sharedData } from '../support/shared-data.js';

async function rejection(promise: Promise<unknown>): Promise<AbrkitError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AbrkitError) return error;
    throw error;
  }
  throw new Error('expected an AbrkitError');
}

describe('loadVideo', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'abrkit-video-'));
    await writeFile(
      join(dir, 'tiny.json'),
      JSON.stringify({
        segment_duration_ms: 2000,
        bitrates_kbps: [100, 200],
        segment_sizes_bits: [
          [8, 16],
          [24, 32],
        ],
      }),
    );
    await mkdir(join(dir, 'pensieve'));
    await writeFile(join(dir, 'pensieve', 'video_size_0'), '10\n20\n30\n');
    await writeFile(join(dir, 'pensieve', 'video_size_1'), '40\n50\n60\n');
    await mkdir(join(dir, 'empty'));
    await writeFile(join(dir, 'master.m3u8'), '#EXTM3U\n');
    await writeFile(join(dir, 'notes.txt'), 'hello\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a .json file as a Sabre movie', async () => {
    const video = await loadVideo(join(dir, 'tiny.json'));
    expect(video.name).toBe('tiny');
    expect(video.segmentSizesBytes).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(playableSegments(await loadVideo(join(dir, 'tiny.json'), { playableSegmentCount: 1 }))).toBe(1);
  });

  it('reads a folder of video_size_N files as a Pensieve video, playable count only when asked', async () => {
    const folder = join(dir, 'pensieve');
    const video = await loadVideo(folder, { bitratesKbps: [300, 750] });
    expect(video.name).toBe('pensieve');
    expect(video.segmentSizesBytes).toEqual([
      [10, 40],
      [20, 50],
      [30, 60],
    ]);
    expect(playableSegments(video)).toBe(3);
    expect(
      playableSegments(await loadVideo(folder, { bitratesKbps: [300, 750], playableSegmentCount: 2 })),
    ).toBe(2);
  });

  it('says VIDEO_NOT_FOUND for a missing path and VIDEO_FORMAT_UNKNOWN for other inputs', async () => {
    const missing = await rejection(loadVideo(join(dir, 'nope.json')));
    expect(missing.code).toBe('VIDEO_NOT_FOUND');
    expect(missing.data.source).toBe(join(dir, 'nope.json'));
    expect((await rejection(loadVideo(join(dir, 'notes.txt')))).code).toBe('VIDEO_FORMAT_UNKNOWN');
    // an .m3u8 goes to the HLS ladder reader, whose errors name the playlist
    const badMaster = await rejection(loadVideo(join(dir, 'master.m3u8')));
    expect(badMaster.data.source).toBe(join(dir, 'master.m3u8'));
    expect((await rejection(loadVideo(join(dir, 'empty')))).code).toBe('VIDEO_FORMAT_UNKNOWN');
  });
});

describe.skipIf(!hasSharedData)('loadVideo on the published videos', () => {
  it('reads Pensieve envivio: 6 bitrates, 49 rows, 48 played when asked', async () => {
    const video = await loadVideo(sharedData('videos', 'pensieve-envivio'), { playableSegmentCount: 48 });
    expect(video.renditions.map((r) => r.bitrateKbps)).toEqual([300, 750, 1200, 1850, 2850, 4300]);
    expect(video.segmentSizesBytes).toHaveLength(49);
    expect(playableSegments(video)).toBe(48);
    // sizes grow with the bitrate in every chunk
    for (const row of video.segmentSizesBytes)
      for (let r = 1; r < row.length; r++) expect(row[r]).toBeGreaterThan(row[r - 1] as number);
    // mpc.py hard-codes the first chunk at the lowest bitrate (its size_video6[0])
    expect(video.segmentSizesBytes[0]?.[0]).toBe(181801);
  });

  it('reads Sabre bbb.json: 3 s, 10 bitrates, 199 segments', async () => {
    const video = await loadVideo(sharedData('videos', 'bbb.json'));
    expect(video.segmentDurationMs).toBe(3000);
    expect(video.renditions).toHaveLength(10);
    expect(video.segmentSizesBytes).toHaveLength(199);
    expect(video.segmentSizesBytes[0]?.[0]).toBe(886360 / 8);
  });
});

describe('loadVideo on an HLS ladder', () => {
  it('reads the committed fixture ladder from its master playlist or its folder, with real segment sizes', async () => {
    const folder = join(REPO_ROOT, 'fixtures', 'ladder');
    const fromMaster = await loadVideo(join(folder, 'master.m3u8'));
    const fromFolder = await loadVideo(folder);
    expect(fromFolder).toEqual(fromMaster);
    expect(fromMaster.renditions.map((r) => r.heightPx)).toEqual([144, 240, 360, 480]);
    expect(fromMaster.segmentDurationMs).toBe(2000);
    const firstTop = fromMaster.segmentSizesBytes[0]?.[3];
    expect(firstTop).toBe(statSync(join(folder, '480p', 'seg_00000.m4s')).size);
  });
});
