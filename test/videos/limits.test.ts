import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import { loadVideo } from '../../src/sim/load-video.js';
import {
  VIDEO_LIMITS,
  parsePensieveVideoSizes,
  parseSabreMovie,
  validateVideo,
  type VideoDescription,
} from '../../src/videos/index.js';
import { REPO_ROOT } from '../support/shared-data.js';

function caught(fn: () => unknown): AbrkitError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AbrkitError);
    return e as AbrkitError;
  }
  throw new Error('expected a throw');
}

const movie = (sizes: string, duration = '3000') =>
  `{"segment_duration_ms": ${duration}, "bitrates_kbps": [100, 200], "segment_sizes_bits": [[1000, 2000], ${sizes}]}`;

describe('video limits (src/videos/validate.ts)', () => {
  it('Sabre movie: a size is reported in bits as written, with its segment and rendition', () => {
    let e = caught(() => parseSabreMovie(movie('[1000, -100]'), 'm.json'));
    expect(e.code).toBe('VIDEO_BAD_SIZE');
    expect(e.message).toBe('m.json: segment 1, rendition 1: size -100 bits must be a finite number > 0');
    expect(e.data).toMatchObject({ segment: 1, rendition: 1 });
    e = caught(() => parseSabreMovie(movie('[1e300, 2000]'), 'm.json'));
    expect(e.message).toBe(
      'm.json: segment 1, rendition 0: size 1e+300 bits is above 1000000000 bits (1 Gbit), the largest segment',
    );
    // The limit itself is accepted.
    expect(
      parseSabreMovie(movie(`[1000, ${VIDEO_LIMITS.maxSegmentBits}]`), 'm.json').segmentSizesBytes[1],
    ).toEqual([125, VIDEO_LIMITS.maxSegmentBits / 8]);
  });

  it('Sabre movie: a segment duration outside 1 ms .. 1 h', () => {
    for (const d of ['1e-9', '0.5', '3600001']) {
      const e = caught(() => parseSabreMovie(movie('[1000, 2000]', d), 'm.json'));
      expect(e.code).toBe('VIDEO_BAD_DURATION');
    }
  });

  it('Pensieve video_size_N: bytes as written, with the file and line', () => {
    const files = [
      { name: 'video_size_0', text: '100\n200\n' },
      { name: 'video_size_1', text: '300\n200000000\n' },
    ];
    const e = caught(() => parsePensieveVideoSizes(files, { bitratesKbps: [100, 200] }, 'v'));
    expect(e.message).toBe(
      'v/video_size_1:2: segment 1: size 200000000 bytes is above 125000000 bytes (1 Gbit), the largest segment',
    );
  });

  it('validateVideo (videos built in code, HLS ladders) applies the same limits', () => {
    const video: VideoDescription = {
      name: 'v',
      segmentDurationMs: 2000,
      renditions: [{ index: 0, bitrateKbps: 100 }],
      segmentSizesBytes: [[1000], [2e8]],
    };
    expect(caught(() => validateVideo(video)).data).toMatchObject({ segment: 1, rendition: 0 });
  });
});

describe('an HLS ladder whose EXTINF rounds to 0 ms is refused naming the master playlist', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'abrkit-extinf-'));
    await cp(join(REPO_ROOT, 'fixtures', 'ladder'), dir, { recursive: true });
    for (const rendition of await readdir(dir, { withFileTypes: true })) {
      if (!rendition.isDirectory()) continue;
      const playlist = join(dir, rendition.name, 'index.m3u8');
      const text = await readFile(playlist, 'utf8');
      await writeFile(playlist, text.replace(/^#EXTINF:[0-9.]+/gm, '#EXTINF:0.0001'));
    }
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));
  it('is a typed error, not a TypeError from the session', async () => {
    const e = await loadVideo(join(dir, 'master.m3u8')).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(AbrkitError);
    expect((e as AbrkitError).code).toBe('VIDEO_BAD_DURATION');
    expect((e as AbrkitError).data.source).toBe(join(dir, 'master.m3u8'));
  });
});
