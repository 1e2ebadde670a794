import type { Clock } from './clock.js';

/**
 * The real clock, for the player and the shaping server. The pure core never reads time itself: the
 * shells build this from the runtime's own timers and hand it in.
 */
export function createWallClock(
  now: () => number,
  setTimeoutFn: (cb: () => void, ms: number) => unknown,
  clearTimeoutFn: (handle: never) => void,
): Clock {
  return {
    nowMs: now,
    setTimer(callback, delayMs) {
      const handle = setTimeoutFn(callback, Math.max(0, delayMs));
      return () => clearTimeoutFn(handle as never);
    },
  };
}
