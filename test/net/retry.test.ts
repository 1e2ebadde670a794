import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { AbrkitError } from '../../src/core/errors.js';
import { backoffDelayMs, validateRetryPolicy, withRetry } from '../../src/net/retry.js';

/** A clock whose timers fire immediately, recording the delays asked for. */
function recordingClock(delays: number[]): Clock {
  return {
    nowMs: () => 0,
    setTimer(cb, ms) {
      delays.push(ms);
      queueMicrotask(cb);
      return () => {};
    },
  };
}

const transient = (): AbrkitError => new AbrkitError('network', 'HTTP_503', 'busy', { fatal: false });

describe('retry', () => {
  it('backs off exponentially with full jitter, capped', () => {
    const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4].map((n) => backoffDelayMs(policy, n, 0.5))).toEqual([50, 100, 200, 400, 500]);
    expect(backoffDelayMs(policy, 2, 0)).toBe(0);
  });

  it('retries transient network errors until success', async () => {
    const delays: number[] = [];
    let calls = 0;
    const retried: number[] = [];
    const value = await withRetry(
      { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000 },
      { clock: recordingClock(delays), random: () => 0.5, onRetry: (_e, attempt) => retried.push(attempt) },
      () => (++calls < 3 ? Promise.reject(transient()) : Promise.resolve('ok')),
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toEqual([50, 100]);
    expect(retried).toEqual([1, 2]);
  });

  it('gives up after maxRetries and does not retry fatal or foreign errors', async () => {
    const policy = { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 10 };
    let calls = 0;
    await expect(
      withRetry(policy, { clock: recordingClock([]), random: () => 0 }, () => {
        calls++;
        return Promise.reject(transient());
      }),
    ).rejects.toMatchObject({ code: 'HTTP_503' });
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      withRetry(policy, { clock: recordingClock([]), random: () => 0 }, () => {
        calls++;
        return Promise.reject(new AbrkitError('media', 'BAD_CODEC', 'x'));
      }),
    ).rejects.toMatchObject({ code: 'BAD_CODEC' });
    expect(calls).toBe(1);
  });

  it('validates the policy with a TypeError naming the field', () => {
    expect(() => validateRetryPolicy({ maxRetries: -1, baseDelayMs: 1, maxDelayMs: 2 })).toThrow(
      /retry\.maxRetries/,
    );
    expect(() => validateRetryPolicy({ maxRetries: 1, baseDelayMs: 10, maxDelayMs: 2 })).toThrow(TypeError);
  });
});
