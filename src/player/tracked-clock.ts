/**
 * The wall clock (src/core/wall-clock.ts) with its timers counted, so `destroy()` can cancel every one and
 * tests can check that none is left.
 */
import type { Clock } from '../core/clock.js';
import { createWallClock } from '../core/wall-clock.js';

export interface TrackedClock extends Clock {
  /** Timers set and neither fired nor cancelled. */
  readonly activeTimers: number;
  /** Cancels every active timer. */
  cancelAll(): void;
}

/** Wraps `base` (default: `performance.now` and the global timers). */
export function createTrackedClock(
  base: Clock = createWallClock(
    () => performance.now(),
    (cb, ms) => setTimeout(cb, ms),
    (handle) => clearTimeout(handle),
  ),
): TrackedClock {
  const active = new Set<() => void>();
  return {
    nowMs: () => base.nowMs(),
    setTimer(callback, delayMs) {
      let cancelBase: (() => void) | null = null;
      const cancel = (): void => {
        if (!active.delete(cancel)) return;
        cancelBase?.();
      };
      active.add(cancel);
      cancelBase = base.setTimer(() => {
        if (!active.delete(cancel)) return;
        callback();
      }, delayMs);
      return cancel;
    },
    get activeTimers() {
      return active.size;
    },
    cancelAll() {
      for (const cancel of [...active]) cancel();
    },
  };
}
