import type { Clock } from '../core/clock.js';
import { AbrkitError, invalidArgument } from '../core/errors.js';

/**
 * Retry policy for network requests: exponential backoff with full jitter (AWS architecture blog,
 * "Exponential Backoff and Jitter"): retry n waits a uniform random time in [0, min(maxDelayMs, baseDelayMs·2^n)],
 * and no retry starts once `maxTotalMs` have passed since the first attempt (a budget of time, not of tries).
 * Timeouts are retried at once (hls.js `timeoutRetry.retryDelayMs: 0`). What is retried: non-fatal
 * `AbrkitError`s of category 'network' except HTTP 4xx other than 408 and 429 (hls.js `retryForHttpStatus`:
 * asking the same URL again will not make it exist) and aborts.
 *
 * The defaults follow hls.js 1.7 (src/config.ts): `fragLoadPolicy.default.errorRetry` and
 * `playlistLoadPolicy.default.errorRetry` / `manifestLoadPolicy.default.errorRetry` wait
 * `min(2^n · 1000, 8000)` ms; their `maxTimeToFirstByteMs` is 10000 for segments and media playlists.
 * hls.js bounds retries by count (6 for fragments: 1+2+4+8+8+8 = 31 s of waiting; 1-2 for playlists); abrkit
 * bounds them by time: 31 s per segment (hls.js's fragment budget), 120 s for the playlists of `load()`, so
 * startup survives a flaky origin (50% 5xx) where hls.js's two playlist retries give up after about 3 s.
 */
export interface RetryPolicy {
  /** Cap of the first retry's random delay, ms (hls.js `errorRetry.retryDelayMs`). */
  readonly baseDelayMs: number;
  /** Cap of any retry's delay, ms (hls.js `errorRetry.maxRetryDelayMs`). */
  readonly maxDelayMs: number;
  /** No retry starts later than this after the first attempt, ms. */
  readonly maxTotalMs: number;
  /** Optional cap on the number of retries as well (default: none, `Infinity`). */
  readonly maxRetries: number;
}

/** Segments: hls.js `fragLoadPolicy` delays, its six retries' 31 s as the budget. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 1000,
  maxDelayMs: 8000,
  maxTotalMs: 31_000,
  maxRetries: Infinity,
};

/** Playlists (`load()`): hls.js `manifestLoadPolicy` / `playlistLoadPolicy` delays, a 2-minute budget. */
export const DEFAULT_PLAYLIST_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 1000,
  maxDelayMs: 8000,
  maxTotalMs: 120_000,
  maxRetries: Infinity,
};

/** Checks a policy; a `TypeError` names the field (`retry.maxTotalMs: must be a number >= 0, got -1`). */
export function validateRetryPolicy(policy: RetryPolicy, name = 'retry'): RetryPolicy {
  const check = (field: keyof RetryPolicy, ok: boolean, rule: string): void => {
    if (!ok) throw invalidArgument(`${name}.${field}`, `must be ${rule}, got ${String(policy[field])}`);
  };
  const m = policy.maxRetries;
  check('maxRetries', m === Infinity || (Number.isInteger(m) && m >= 0), 'an integer >= 0 or Infinity');
  check('baseDelayMs', policy.baseDelayMs >= 0 && policy.baseDelayMs < Infinity, 'a finite number >= 0');
  check('maxDelayMs', policy.maxDelayMs >= policy.baseDelayMs, `>= baseDelayMs (${policy.baseDelayMs})`);
  check('maxTotalMs', policy.maxTotalMs >= 0, 'a number >= 0');
  return policy;
}

/** The wait before retry number `attempt` (0-based), given a uniform random number in [0, 1). */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random01: number): number {
  const capMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(capMs * random01);
}

export function isRetryable(error: unknown): boolean {
  if (!(error instanceof AbrkitError) || error.category !== 'network' || error.fatal) return false;
  const status = error.data.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return false;
  }
  return error.code !== 'ABORTED';
}

/**
 * What to do after failure number `attempt` (1-based) of a request first tried at `firstAttemptMs`: the delay
 * before the next try, or null when the error is not retryable or the policy's budget is spent.
 */
export function nextRetryDelayMs(
  policy: RetryPolicy,
  error: unknown,
  attempt: number,
  firstAttemptMs: number,
  nowMs: number,
  random01: number,
): number | null {
  if (!isRetryable(error) || attempt > policy.maxRetries) return null;
  const delayMs =
    (error as AbrkitError).code === 'TIMEOUT' ? 0 : backoffDelayMs(policy, attempt - 1, random01);
  return nowMs + delayMs - firstAttemptMs > policy.maxTotalMs ? null : delayMs;
}

export interface RetryHooks {
  readonly clock: Clock;
  readonly random: () => number;
  /** Called before each retry with the error that caused it. */
  readonly onRetry?: (error: AbrkitError, attempt: number, delayMs: number) => void;
  /** When aborted, stop retrying and reject with the abort error. */
  readonly signal?: AbortSignal;
}

/** Runs `attempt` until it succeeds, a non-retryable error occurs, or the policy's budget is spent. */
export async function withRetry<T>(
  policy: RetryPolicy,
  hooks: RetryHooks,
  attempt: () => Promise<T>,
): Promise<T> {
  const firstMs = hooks.clock.nowMs();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const delayMs = hooks.signal?.aborted
        ? null
        : nextRetryDelayMs(policy, error, n, firstMs, hooks.clock.nowMs(), hooks.random());
      if (delayMs === null) throw error;
      hooks.onRetry?.(error as AbrkitError, n, delayMs);
      // an abort ends the wait at once (the caller's clock may cancel the timer too)
      await new Promise<void>((resolve) => {
        const cancel = hooks.clock.setTimer(resolve, delayMs);
        hooks.signal?.addEventListener('abort', () => (cancel(), resolve()), { once: true });
      });
      if (hooks.signal?.aborted) throw error;
    }
  }
}
