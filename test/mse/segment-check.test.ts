/**
 * The segment check before append (src/mse/segment-check.ts) on the committed fixtures: every real segment
 * passes; a truncated one, random bytes, a segment of another track or timescale, and one out of place fail,
 * each with a message that says what is wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMediaSegment, readTrackInfo } from '../../src/mse/segment-check.js';
import { createRng } from '../../src/traces/random.js';
import { REPO_ROOT } from '../support/shared-data.js';

const ladder = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(join(REPO_ROOT, 'fixtures/ladder', path)));
const segment = (rendition: string, i: number): Uint8Array =>
  ladder(`${rendition}/seg_${String(i).padStart(5, '0')}.m4s`);

describe('readTrackInfo', () => {
  it('reads track id, timescale and trex default of the fixture inits; null for what is not an init', () => {
    expect(readTrackInfo(ladder('144p/init.mp4'))).toEqual({
      trackId: 1,
      timescale: 15360,
      defaultDurationTicks: 0,
    });
    expect(readTrackInfo(ladder('audio/init.mp4'))?.timescale).toBe(48000);
    expect(readTrackInfo(segment('144p', 0))).toBeNull();
    expect(readTrackInfo(new Uint8Array(3))).toBeNull();
  });
});

describe('checkMediaSegment', () => {
  const video = readTrackInfo(ladder('360p/init.mp4'))!;
  const audio = readTrackInfo(ladder('audio/init.mp4'))!;

  it('passes every segment of the ladder at its place', () => {
    for (const r of ['144p', '240p', '360p', '480p']) {
      const track = readTrackInfo(ladder(`${r}/init.mp4`))!;
      for (let i = 0; i < 20; i++)
        expect(checkMediaSegment(segment(r, i), track, i * 2, 2), `${r} ${i}`).toBeNull();
    }
    // audio: 1024-sample AAC frames make 2.005 s segments
    expect(checkMediaSegment(segment('audio', 3), audio, 3 * 2.005333, 2.005333)).toBeNull();
  });

  it('finds a truncated segment (its mdat declares more bytes than follow)', () => {
    const half = new Uint8Array(
      readFileSync(join(REPO_ROOT, 'fixtures/broken/truncated-segment/seg_00002.m4s')),
    );
    expect(checkMediaSegment(half, video, 4, 2)).toMatch(
      /^truncated: the mdat box at byte \d+ declares \d+ bytes, \d+ follow$/,
    );
    const whole = segment('360p', 2);
    expect(checkMediaSegment(whole.subarray(0, whole.byteLength - 1), video, 4, 2)).toMatch(/^truncated/);
  });

  it('finds random bytes, and a segment without moof or mdat', () => {
    const rng = createRng(7);
    const noise = Uint8Array.from({ length: 40_000 }, () => Math.floor(rng.next() * 256));
    expect(checkMediaSegment(noise, video, 4, 2)).toMatch(/no MP4 box at byte 0|truncated/);
    const styp = Uint8Array.from([0, 0, 0, 8, ...'styp'.split('').map((c) => c.charCodeAt(0))]);
    expect(checkMediaSegment(styp, video, 4, 2)).toBe('no moof followed by an mdat');
  });

  it('finds a segment of another track or timescale, and one far from its place on the timeline', () => {
    expect(checkMediaSegment(segment('360p', 2), { ...video, trackId: 2 }, 4, 2)).toBe(
      "track 1, the init segment's is 2",
    );
    // a video segment (15360 ticks/s) read with the audio init's timescale lasts 0.64 s, not 2 s
    expect(checkMediaSegment(segment('360p', 2), audio, 4, 2)).toMatch(
      /samples last 0\.640 s in timescale 48000/,
    );
    expect(checkMediaSegment(segment('360p', 7), video, 4, 2)).toBe(
      'it starts at 14.000 s, the playlist puts it at 4.000 s',
    );
    // no time check asked (after a discontinuity): the same segment passes
    expect(checkMediaSegment(segment('360p', 7), video, null, 2)).toBeNull();
  });
});
