import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AbrkitError } from '../../src/core/errors.js';
import { listTopLevelBoxes } from '../../src/media/boxes.js';
import { checkDeclaredCodec, inspectInitSegment, inspectMediaSegment } from '../../src/media/inspect.js';
import { BROKEN_DIR, fixtureBytes, LADDER_DIR, masterCodecs, VIDEO_RENDITIONS } from './fixtures.js';

function segmentFiles(rendition: string): string[] {
  return readdirSync(join(LADDER_DIR, rendition))
    .filter((f) => f.endsWith('.m4s'))
    .sort();
}

function thrown(fn: () => unknown): AbrkitError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AbrkitError);
    return e as AbrkitError;
  }
  throw new Error('expected a throw');
}

describe('inspectInitSegment on the fixture ladder', () => {
  it.each(VIDEO_RENDITIONS.map((r, i) => [r.name, r, i] as const))(
    '%s: H.264 at its resolution',
    (name, r, i) => {
      const info = inspectInitSegment(fixtureBytes('ladder', name, 'init.mp4'), `${name}/init.mp4`);
      expect(info).toMatchObject({
        trackKind: 'video',
        widthPx: r.widthPx,
        heightPx: r.heightPx,
        source: `${name}/init.mp4`,
      });
      expect(info.codec).toMatch(/^avc1\.[0-9a-f]{6}$/);
      // The master's CODECS were written from these init segments: video first, then the audio codec.
      expect(masterCodecs()[i]).toBe(`${info.codec},mp4a.40.2`);
      // 30 fps, so the timescale must count whole ticks per frame.
      expect(info.timescale % 30).toBe(0);
      expect(info.sampleRateHz).toBeUndefined();
    },
  );

  it('distinguishes the H.264 profiles used (main for 144p-360p, high for 480p)', () => {
    const profile = (name: string) =>
      inspectInitSegment(fixtureBytes('ladder', name, 'init.mp4'), name).codec.slice(5, 7);
    expect(profile('144p')).toBe('4d'); // profile_idc 77 = Main
    expect(profile('480p')).toBe('64'); // profile_idc 100 = High
  });

  it('audio: AAC-LC stereo at 48 kHz', () => {
    const info = inspectInitSegment(fixtureBytes('ladder', 'audio', 'init.mp4'), 'audio/init.mp4');
    expect(info).toMatchObject({
      trackKind: 'audio',
      codec: 'mp4a.40.2',
      timescale: 48000,
      sampleRateHz: 48000,
      channelCount: 2,
    });
    expect(info.widthPx).toBeUndefined();
  });

  it('rejects a media segment given as an init segment', () => {
    const e = thrown(() =>
      inspectInitSegment(fixtureBytes('ladder', '144p', 'seg_00000.m4s'), 'seg_00000.m4s'),
    );
    expect(e).toMatchObject({
      category: 'media',
      code: 'INIT_MISSING_MOOV',
      data: { source: 'seg_00000.m4s' },
    });
  });

  it('broken/wrong-codec/init.mp4 gives UNSUPPORTED_CODEC naming the file', () => {
    const source = join(BROKEN_DIR, 'wrong-codec', 'init.mp4');
    const e = thrown(() => inspectInitSegment(fixtureBytes('broken', 'wrong-codec', 'init.mp4'), source));
    expect(e).toMatchObject({
      category: 'media',
      code: 'UNSUPPORTED_CODEC',
      data: { source, codec: 'hvc1' },
    });
    expect(e.message).toContain(source);
  });

  it('checkDeclaredCodec accepts the declared codec and rejects another', () => {
    const info = inspectInitSegment(fixtureBytes('ladder', '240p', 'init.mp4'), '240p/init.mp4');
    expect(() => checkDeclaredCodec(info, ` ${info.codec.toUpperCase()} , mp4a.40.2`)).not.toThrow();
    const e = thrown(() => checkDeclaredCodec(info, 'avc1.640028,mp4a.40.2'));
    expect(e).toMatchObject({ category: 'media', code: 'CODEC_MISMATCH', data: { source: '240p/init.mp4' } });
  });
});

describe('inspectMediaSegment on the fixture ladder', () => {
  it.each(VIDEO_RENDITIONS.map((r) => r.name))(
    '%s: 2 s segments, each opening on its only keyframe',
    (name) => {
      const init = inspectInitSegment(fixtureBytes('ladder', name, 'init.mp4'), name);
      const files = segmentFiles(name);
      expect(files.length).toBe(20); // 40 s of source in 2 s segments
      files.forEach((file, i) => {
        const bytes = fixtureBytes('ladder', name, file);
        const info = inspectMediaSegment(bytes, init, file);
        expect(info.sizeBytes).toBe(bytes.byteLength);
        // GOP = 60 frames at 30 fps = exactly one segment.
        expect(info.sampleCount).toBe(60);
        expect(info.durationMs).toBeCloseTo(2000, 6);
        expect(info.firstSampleTimeMs).toBeCloseTo(2000 * i, 6);
        expect(info.startsWithKeyframe).toBe(true);
        expect(info.keyframeTimesMs).toEqual([info.firstSampleTimeMs]);
      });
    },
  );

  it('audio segments last about 2 s (AAC frames of 1024 samples do not divide 2 s)', () => {
    const init = inspectInitSegment(fixtureBytes('ladder', 'audio', 'init.mp4'), 'audio');
    const files = segmentFiles('audio');
    let previousEndMs = 0;
    files.forEach((file, i) => {
      const info = inspectMediaSegment(fixtureBytes('ladder', 'audio', file), init, file);
      expect(info.firstSampleTimeMs).toBeCloseTo(previousEndMs, 6); // contiguous
      if (i < files.length - 1) expect(Math.abs(info.durationMs - 2000)).toBeLessThan(1024 / 48);
      previousEndMs = info.firstSampleTimeMs + info.durationMs;
    });
    expect(previousEndMs).toBeGreaterThanOrEqual(40_000);
  });

  it('broken/truncated-segment gives SEGMENT_TRUNCATED naming the file', () => {
    const init = inspectInitSegment(fixtureBytes('ladder', '144p', 'init.mp4'), '144p/init.mp4');
    const source = join(BROKEN_DIR, 'truncated-segment', 'seg_00002.m4s');
    const e = thrown(() =>
      inspectMediaSegment(fixtureBytes('broken', 'truncated-segment', 'seg_00002.m4s'), init, source),
    );
    expect(e).toMatchObject({ category: 'media', code: 'SEGMENT_TRUNCATED', data: { source } });
    // The same segment whole is fine.
    expect(
      inspectMediaSegment(fixtureBytes('ladder', '144p', 'seg_00002.m4s'), init, 'whole').sampleCount,
    ).toBe(60);
  });

  it('rejects an init segment given as a media segment', () => {
    const init = inspectInitSegment(fixtureBytes('ladder', '144p', 'init.mp4'), 'init');
    const e = thrown(() => inspectMediaSegment(init.bytes, init, 'init.mp4'));
    expect(e).toMatchObject({ category: 'media', code: 'MEDIA_MALFORMED' });
  });

  it('throws TypeError for bytes that are not a Uint8Array', () => {
    expect(() => inspectInitSegment([] as unknown as Uint8Array, 'x')).toThrow(TypeError);
  });
});

describe('listTopLevelBoxes', () => {
  const box = (type: string, payload: number[] = [], size?: number): number[] => {
    const total = size ?? 8 + payload.length;
    return [
      (total >>> 24) & 255,
      (total >>> 16) & 255,
      (total >>> 8) & 255,
      total & 255,
      ...[...type].map((c) => c.charCodeAt(0)),
      ...payload,
    ];
  };

  it('lists boxes with offsets and sizes, including 64-bit and to-end sizes', () => {
    const large = [0, 0, 0, 1, ...[...'mdat'].map((c) => c.charCodeAt(0)), 0, 0, 0, 0, 0, 0, 0, 18, 7, 7];
    const toEnd = box('free', [1, 2, 3], 0);
    const bytes = new Uint8Array([...box('styp', [1, 2, 3, 4]), ...large, ...toEnd]);
    expect(listTopLevelBoxes(bytes, 's')).toEqual([
      { type: 'styp', offsetBytes: 0, sizeBytes: 12 },
      { type: 'mdat', offsetBytes: 12, sizeBytes: 18 },
      { type: 'free', offsetBytes: 30, sizeBytes: 11 },
    ]);
  });

  it('reports a box running past the end, stray bytes, and an impossible size', () => {
    expect(() => listTopLevelBoxes(new Uint8Array(box('mdat', [1, 2], 100)), 's')).toThrow(
      /declares 100 bytes but only 10 remain/,
    );
    expect(() => listTopLevelBoxes(new Uint8Array([...box('moof'), 0, 0]), 's')).toThrow(
      expect.objectContaining({ code: 'SEGMENT_TRUNCATED' }),
    );
    expect(() => listTopLevelBoxes(new Uint8Array(box('moof', [], 4)), 's')).toThrow(
      expect.objectContaining({ code: 'MEDIA_MALFORMED' }),
    );
  });
});
