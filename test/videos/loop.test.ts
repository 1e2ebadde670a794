/** loopVideo (src/videos/loop.ts): the rows a looping live stream plays, from any first segment; refusals. */
import { describe, expect, it } from 'vitest';
import { loopVideo, type VideoDescription } from '../../src/videos/index.js';

const video: VideoDescription = {
  name: 'three',
  segmentDurationMs: 2000,
  renditions: [{ index: 0, bitrateKbps: 100 }],
  segmentSizesBytes: [[10], [20], [30], [40]],
  playableSegmentCount: 3,
};

describe('loopVideo', () => {
  it('repeats the playable segments from the first one asked', () => {
    expect(loopVideo(video, 7).segmentSizesBytes).toEqual([[10], [20], [30], [10], [20], [30], [10]]);
    expect(loopVideo(video, 4, 2).segmentSizesBytes).toEqual([[30], [10], [20], [30]]);
    const looped = loopVideo(video, 5, 100);
    expect(looped.segmentSizesBytes[0]).toEqual([20]); // 100 mod 3 = 1
    expect(looped.segmentDurationMs).toBe(2000);
    expect(looped.playableSegmentCount).toBeUndefined();
  });

  it('refuses bad counts by name', () => {
    expect(() => loopVideo(video, 0)).toThrow(/segmentCount/);
    expect(() => loopVideo(video, 2.5)).toThrow(/segmentCount/);
    expect(() => loopVideo(video, 3, -1)).toThrow(/firstSegment/);
  });
});
