/**
 * The hls.js adapter on a live stream: the context gets `live` from hls.js's own `latency` and
 * `targetLatency` (the edge = playhead + latency), an unbounded segment count, and nothing live on VOD or
 * before hls.js knows its latency.
 */
import { describe, expect, it } from 'vitest';
import type { AbrContext } from '../../src/abr/types.js';
import { createHlsAbrController } from '../../src/hlsjs/index.js';
import { FakeHls, ManualClock, makeLevels } from './fake-hls.js';

function controllerOn(hls: FakeHls): { context(segmentIndex: number): AbrContext } {
  const contexts: AbrContext[] = [];
  const Ctor = createHlsAbrController(
    () => ({
      name: 'spy',
      choose(ctx) {
        contexts.push(ctx);
        return { renditionIndex: 0, reason: 'spy' };
      },
    }),
    { clock: new ManualClock() },
  );
  const controller = new Ctor(hls) as unknown as { context(segmentIndex: number): AbrContext };
  return controller;
}

function liveLevels(): ReturnType<typeof makeLevels> {
  return makeLevels([{ bitrate: 300_000 }, { bitrate: 1_000_000 }], 6, 2).map((level) => ({
    ...level,
    details: { ...level.details!, live: true, startSN: 120 },
  }));
}

describe('hls.js adapter, live', () => {
  it("puts hls.js's latency, edge and target in the context", () => {
    const hls = Object.assign(new FakeHls(liveLevels()), { latency: 4.5, targetLatency: 3 });
    hls.media!.currentTime = 100;
    hls.media!.playbackRate = 1.05;
    const ctx = controllerOn(hls).context(0);
    expect(ctx.segmentCount).toBe(Number.POSITIVE_INFINITY);
    expect(ctx.live).toEqual({
      latencyMs: 4500,
      liveEdgeMs: 104_500,
      targetLatencyMs: 3000,
      playbackRate: 1.05,
    });
  });

  it('has no live field on VOD, nor before hls.js knows the latency', () => {
    const vod = Object.assign(new FakeHls(makeLevels([{ bitrate: 300_000 }])), {
      latency: 4.5,
      targetLatency: 3,
    });
    expect('live' in controllerOn(vod).context(0)).toBe(false);
    const early = Object.assign(new FakeHls(liveLevels()), { latency: 0, targetLatency: null });
    expect('live' in controllerOn(early).context(0)).toBe(false);
  });
});
