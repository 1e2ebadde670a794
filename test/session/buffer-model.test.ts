import { describe, expect, it } from 'vitest';
import { BufferModel } from '../../src/session/buffer-model.js';
import { sleepAfterDownloadMs, waitBeforeChooseMs } from '../../src/session/wait-policy.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';

const seg = (i: number, durationMs = 4000) => ({
  segmentIndex: i,
  renditionIndex: 0,
  durationMs,
  sizeBytes: 1,
});

describe('BufferModel', () => {
  it('does not drain nor stall before the first append, then drains at the playback rate', () => {
    const clock = new VirtualClock();
    const sink = new BufferModel(clock);
    clock.run(1000);
    expect(sink.stallMs()).toBe(0);
    expect(sink.started()).toBe(false);
    sink.append(seg(0));
    expect(sink.startedAtMs()).toBe(1000);
    clock.run(2500);
    expect(sink.bufferLevelMs()).toBe(2500);
  });

  it('startDelayMs: the playhead starts that long after the first append, not at it', () => {
    const clock = new VirtualClock();
    const sink = new BufferModel(clock, { startDelayMs: 150 });
    clock.run(1000);
    sink.append(seg(0, 2000));
    expect(sink.started()).toBe(false);
    expect(sink.startedAtMs()).toBe(null);
    clock.run(1100);
    expect(sink.bufferLevelMs()).toBe(2000);
    sink.append(seg(1, 2000)); // a second append does not move the start
    clock.run(1150);
    expect(sink.started()).toBe(false);
    clock.run(1400);
    expect(sink.bufferLevelMs()).toBe(4000 - 250);
    expect(sink.started()).toBe(true);
    expect(sink.startedAtMs()).toBe(1150);
    clock.run(5400);
    expect(sink.bufferLevelMs()).toBe(0);
    expect(sink.stallMs()).toBe(250);
    expect(() => new BufferModel(clock, { startDelayMs: -1 })).toThrow(/startDelayMs/);
  });

  it('counts starvation as stall, one stall per starved period, none after end of stream', () => {
    const clock = new VirtualClock();
    const sink = new BufferModel(clock);
    sink.append(seg(0, 1000));
    clock.run(1500);
    expect(sink.stallMs()).toBe(500);
    clock.run(2000);
    expect(sink.stallMs()).toBe(1000);
    expect(sink.stallCount()).toBe(1);
    sink.append(seg(1, 1000));
    clock.run(3500);
    expect(sink.stallMs()).toBe(1500);
    expect(sink.stallCount()).toBe(2);
    sink.append(seg(2, 1000));
    sink.endOfStream();
    clock.run(10_000);
    expect(sink.bufferLevelMs()).toBe(0);
    expect(sink.stallMs()).toBe(1500);
  });

  it("'immediately' starts playback at creation, so waiting for the first segment is stall (Pensieve)", () => {
    const clock = new VirtualClock();
    const sink = new BufferModel(clock, { startPlayback: 'immediately' });
    expect(sink.started()).toBe(true);
    clock.run(2533.5);
    sink.append(seg(0));
    expect(sink.stallMs()).toBe(2533.5);
    expect(sink.bufferLevelMs()).toBe(4000);
  });

  it('drains faster at a higher playback rate', () => {
    const clock = new VirtualClock();
    const sink = new BufferModel(clock, { playbackRate: 2 });
    sink.append(seg(0));
    clock.run(1000);
    expect(sink.bufferLevelMs()).toBe(2000);
    clock.run(3000);
    expect(sink.stallMs()).toBe(1000);
    expect(() => new BufferModel(clock, { playbackRate: 0 })).toThrow(TypeError);
  });
});

describe('wait policies', () => {
  it('sabre: waits buffer + segment - target when positive', () => {
    expect(waitBeforeChooseMs(24_000, 3000, 25_000)).toBe(2000);
    expect(waitBeforeChooseMs(22_000, 3000, 25_000)).toBe(0);
  });
  it('pensieve: sleeps ceil((buffer - target) / 500) * 500 when over target', () => {
    expect(sleepAfterDownloadMs(60_000, 60_000)).toBe(0);
    expect(sleepAfterDownloadMs(60_001, 60_000)).toBe(500);
    expect(sleepAfterDownloadMs(61_000, 60_000)).toBe(1000);
    expect(sleepAfterDownloadMs(63_200, 60_000)).toBe(3500);
  });
});
