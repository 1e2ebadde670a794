import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { AbrkitError } from '../../src/core/errors.js';
import {
  DEFAULT_PLAYLIST_RETRY_POLICY,
  DEFAULT_RETRY_POLICY,
  backoffDelayMs,
  isRetryable,
  nextRetryDelayMs,
  validateRetryPolicy,
  withRetry,
} from '../../src/net/retry.js';

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
    const policy = { maxRetries: Infinity, baseDelayMs: 100, maxDelayMs: 1000, maxTotalMs: 10_000 };
    expect([0, 1, 2, 3, 4].map((n) => backoffDelayMs(policy, n, 0.5))).toEqual([50, 100, 200, 400, 500]);
    expect(backoffDelayMs(policy, 2, 0)).toBe(0);
  });

  it('retries transient network errors until success', async () => {
    const delays: number[] = [];
    let calls = 0;
    const retried: number[] = [];
    const value = await withRetry(
      { maxRetries: Infinity, baseDelayMs: 100, maxDelayMs: 1000, maxTotalMs: 10_000 },
      { clock: recordingClock(delays), random: () => 0.5, onRetry: (_e, attempt) => retried.push(attempt) },
      () => (++calls < 3 ? Promise.reject(transient()) : Promise.resolve('ok')),
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toEqual([50, 100]);
    expect(retried).toEqual([1, 2]);
  });

  it('gives up after maxRetries (an optional cap) and does not retry fatal or foreign errors', async () => {
    const policy = { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 10, maxTotalMs: 10_000 };
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
    const ok = { maxRetries: Infinity, baseDelayMs: 1, maxDelayMs: 2, maxTotalMs: 100 };
    expect(() => validateRetryPolicy({ ...ok, maxRetries: -1 })).toThrow(/retry\.maxRetries/);
    expect(() => validateRetryPolicy({ ...ok, baseDelayMs: 10 })).toThrow(TypeError);
    expect(() => validateRetryPolicy({ ...ok, maxTotalMs: Number.NaN }, 'playlistRetry')).toThrow(
      /^playlistRetry\.maxTotalMs: must be a number >= 0, got NaN/,
    );
    expect(validateRetryPolicy(ok)).toBe(ok);
  });

  it('bounds retries by time: none starts past maxTotalMs after the first attempt; timeouts go again at once', () => {
    const policy = { maxRetries: Infinity, baseDelayMs: 1000, maxDelayMs: 8000, maxTotalMs: 31_000 };
    const timeout = new AbrkitError('network', 'TIMEOUT', 'no data', { fatal: false });
    expect(nextRetryDelayMs(policy, transient(), 1, 0, 100, 0.5)).toBe(500);
    expect(nextRetryDelayMs(policy, transient(), 5, 0, 20_000, 0.5)).toBe(4000);
    expect(nextRetryDelayMs(policy, transient(), 5, 0, 28_000, 0.5)).toBeNull();
    expect(nextRetryDelayMs(policy, timeout, 3, 0, 20_000, 0.9)).toBe(0);
    expect(nextRetryDelayMs(policy, timeout, 3, 0, 31_001, 0.9)).toBeNull();
  });

  it('retries 5xx, 408, 429, timeouts and resets, not other 4xx, aborts or fatal errors', () => {
    const status = (s: number): AbrkitError =>
      new AbrkitError('network', `HTTP_${s}`, 'x', { fatal: false, data: { status: s } });
    expect([500, 503, 408, 429, 404, 403, 410].map((s) => isRetryable(status(s)))).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(isRetryable(new AbrkitError('network', 'NETWORK_ERROR', 'reset', { fatal: false }))).toBe(true);
    expect(isRetryable(new AbrkitError('network', 'ABORTED', 'x', { fatal: false }))).toBe(false);
    expect(isRetryable(new AbrkitError('network', 'HTTP_503', 'x'))).toBe(false);
  });

  it('defaults to hls.js 1.7 delays (1 s doubling to 8 s) within 31 s per segment and 2 minutes for playlists', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      baseDelayMs: 1000,
      maxDelayMs: 8000,
      maxTotalMs: 31_000,
      maxRetries: Infinity,
    });
    expect(DEFAULT_PLAYLIST_RETRY_POLICY.maxTotalMs).toBe(120_000);
    // 50% 5xx on a playlist: the chance that every try in 2 minutes fails (about 17 tries at the cap) is tiny
    let tries = 0;
    for (let t = 0; t <= 120_000; tries++) t += 100 + Math.min(8000, 1000 * 2 ** tries);
    expect(0.5 ** tries).toBeLessThan(1e-4);
  });

  it('stops waiting at once when aborted', async () => {
    const controller = new AbortController();
    const clock: Clock = { nowMs: () => 0, setTimer: () => () => {} }; // timers never fire
    let calls = 0;
    const done = withRetry(
      DEFAULT_RETRY_POLICY,
      { clock, random: () => 0.5, signal: controller.signal },
      () => {
        calls++;
        return Promise.reject(transient());
      },
    );
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await expect(done).rejects.toMatchObject({ code: 'HTTP_503' });
    expect(calls).toBe(1);
  });
});
