import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/virtual-clock.js';

describe('VirtualClock', () => {
  it('fires timers in time order, ties in the order they were set, jumping the clock', () => {
    const clock = new VirtualClock(100);
    const fired: string[] = [];
    for (const [name, ms] of [
      ['c', 30],
      ['a', 10],
      ['b', 20],
      ['a2', 10],
      ['z', 0],
    ] as const) {
      clock.setTimer(() => fired.push(`${name}@${clock.nowMs()}`), ms);
    }
    expect(clock.run()).toBe(5);
    expect(fired).toEqual(['z@100', 'a@110', 'a2@110', 'b@120', 'c@130']);
    expect(clock.nowMs()).toBe(130);
  });

  it('runs timers set from callbacks, a zero delay after the current callback', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimer(() => {
      clock.setTimer(() => fired.push(`inner@${clock.nowMs()}`), 0);
      clock.setTimer(() => fired.push(`later@${clock.nowMs()}`), 5);
      fired.push('outer');
    }, 10);
    clock.setTimer(() => fired.push(`sibling@${clock.nowMs()}`), 10);
    clock.run();
    expect(fired).toEqual(['outer', 'sibling@10', 'inner@10', 'later@15']);
  });

  it('cancels timers and stops at untilMs, advancing the clock to it', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const cancel = clock.setTimer(() => fired.push(1), 10);
    clock.setTimer(() => fired.push(2), 20);
    clock.setTimer(() => fired.push(3), 50);
    cancel();
    expect(clock.run(30)).toBe(1);
    expect(fired).toEqual([2]);
    expect(clock.nowMs()).toBe(30);
    clock.run();
    expect(fired).toEqual([2, 3]);
  });

  it('keeps order over many random timers (heap property)', () => {
    const clock = new VirtualClock();
    const times: number[] = [];
    let x = 7;
    for (let i = 0; i < 2000; i++) {
      x = (x * 48271) % 2147483647;
      clock.setTimer(() => times.push(clock.nowMs()), x % 10_000);
    }
    clock.run();
    expect(times).toHaveLength(2000);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
  });

  it('treats negative delays as zero and rejects NaN', () => {
    const clock = new VirtualClock(50);
    let at = -1;
    clock.setTimer(() => (at = clock.nowMs()), -20);
    clock.run();
    expect(at).toBe(50);
    expect(() => clock.setTimer(() => {}, Number.NaN)).toThrow(TypeError);
  });
});
