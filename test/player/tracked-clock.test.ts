import { describe, expect, it } from 'vitest';
import { createTrackedClock } from '../../src/player/tracked-clock.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';

describe('createTrackedClock', () => {
  it('counts timers until they fire or are cancelled, and cancelAll cancels the rest', () => {
    const base = new VirtualClock();
    const clock = createTrackedClock(base);
    const fired: string[] = [];
    clock.setTimer(() => fired.push('a'), 10);
    const cancelB = clock.setTimer(() => fired.push('b'), 20);
    clock.setTimer(() => fired.push('c'), 30);
    clock.setTimer(() => fired.push('d'), 40);
    expect(clock.activeTimers).toBe(4);
    base.run(15);
    expect(fired).toEqual(['a']);
    expect(clock.activeTimers).toBe(3);
    cancelB();
    cancelB();
    expect(clock.activeTimers).toBe(2);
    clock.cancelAll();
    expect(clock.activeTimers).toBe(0);
    base.run();
    expect(fired).toEqual(['a']);
    expect(clock.nowMs()).toBe(base.nowMs());
  });
});
