import { describe, expect, it } from 'vitest';
import { inspectInitSegment, inspectMediaSegment } from '../../src/media/inspect.js';
import type { MediaSegmentInfo } from '../../src/media/inspect.js';
import { checkKeyframeAlignment } from '../../src/media/keyframes.js';
import { fixtureBytes, VIDEO_RENDITIONS } from './fixtures.js';

const segment = (source: string, firstSampleTimeMs: number, startsWithKeyframe = true): MediaSegmentInfo => ({
  source,
  sizeBytes: 1000,
  sampleCount: 60,
  durationMs: 2000,
  firstSampleTimeMs,
  startsWithKeyframe,
  keyframeTimesMs: startsWithKeyframe ? [firstSampleTimeMs] : [],
});

describe('checkKeyframeAlignment', () => {
  it('passes on the fixture ladder (first 6 segments of every rendition)', () => {
    const ladder = VIDEO_RENDITIONS.map(({ name }) => {
      const init = inspectInitSegment(fixtureBytes('ladder', name, 'init.mp4'), name);
      return Array.from({ length: 6 }, (_, i) => {
        const file = `seg_${String(i).padStart(5, '0')}.m4s`;
        return inspectMediaSegment(fixtureBytes('ladder', name, file), init, `${name}/${file}`);
      });
    });
    expect(() => checkKeyframeAlignment(ladder)).not.toThrow();
  });

  it('reports a segment that starts elsewhere, naming it', () => {
    const a = [segment('a0', 0), segment('a1', 2000)];
    const b = [segment('b0', 0), segment('b1', 2033.3)];
    expect(() => checkKeyframeAlignment([a, b])).toThrow(
      expect.objectContaining({ code: 'KEYFRAMES_MISALIGNED', data: { source: 'b1', segmentIndex: 1 } }),
    );
    // Within the tolerance it passes.
    expect(() => checkKeyframeAlignment([a, b], 40)).not.toThrow();
  });

  it('reports a segment that does not open on a keyframe', () => {
    const a = [segment('a0', 0), segment('a1', 2000)];
    const b = [segment('b0', 0), segment('b1', 2000, false)];
    expect(() => checkKeyframeAlignment([a, b])).toThrow(
      expect.objectContaining({ code: 'SEGMENT_NOT_KEYFRAME' }),
    );
  });

  it('reports renditions with different segment counts', () => {
    expect(() =>
      checkKeyframeAlignment([[segment('a0', 0)], [segment('b0', 0), segment('b1', 2000)]]),
    ).toThrow(expect.objectContaining({ code: 'SEGMENT_COUNT_MISMATCH' }));
  });

  it('accepts an empty ladder and rejects a negative tolerance', () => {
    expect(() => checkKeyframeAlignment([])).not.toThrow();
    expect(() => checkKeyframeAlignment([], -1)).toThrow(TypeError);
  });
});
