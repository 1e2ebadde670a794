import type { Clock } from '../core/clock.js';
import { AbrkitError, invalidArgument } from '../core/errors.js';

/**
 * Retry policy for network requests: exponential backoff with full jitter (AWS architecture blog,
 * "Exponential Backoff and Jitter"): attempt n waits a uniform random time in [0, min(maxDelayMs, baseDelayMs·2^n)].
 * Only non-fatal `AbrkitError`s of category 'network' are retried; everything else fails at once.
 */
export interface RetryPolicy {
  /** Retries after the first attempt (0 = no retry). */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 3, baseDelayMs: 250, maxDelayMs: 4000 };

export function validateRetryPolicy(policy: RetryPolicy, name = 'retry'): RetryPolicy {
  if (!Number.isInteger(policy.maxRetries) || policy.maxRetries < 0)
    throw invalidArgument(`${name}.maxRetries`, `must be an integer >= 0, got ${policy.maxRetries}`);
  if (!(policy.baseDelayMs >= 0))
    throw invalidArgument(`${name}.baseDelayMs`, `must be >= 0, got ${policy.baseDelayMs}`);
  if (!(policy.maxDelayMs >= policy.baseDelayMs))
    throw invalidArgument(`${name}.maxDelayMs`, `must be >= baseDelayMs, got ${policy.maxDelayMs}`);
  return policy;
}

/** The wait before retry number `attempt` (0-based), given a uniform random number in [0, 1). */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random01: number): number {
  const capMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(capMs * random01);
}

export function isRetryable(error: unknown): boolean {
  return (
    error instanceof AbrkitError && error.category === 'network' && !error.fatal && error.code !== 'ABORTED'
  );
}

export interface RetryHooks {
  readonly clock: Clock;
  readonly random: () => number;
  /** Called before each retry with the error that caused it. */
  readonly onRetry?: (error: AbrkitError, attempt: number, delayMs: number) => void;
  /** When aborted, stop retrying and reject with the abort error. */
  readonly signal?: AbortSignal;
}

/** Runs `attempt` until it succeeds, a non-retryable error occurs, or the policy is exhausted. */
export async function withRetry<T>(
  policy: RetryPolicy,
  hooks: RetryHooks,
  attempt: () => Promise<T>,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= policy.maxRetries || !isRetryable(error) || hooks.signal?.aborted) throw error;
      const delayMs = backoffDelayMs(policy, n, hooks.random());
      hooks.onRetry?.(error as AbrkitError, n + 1, delayMs);
      await new Promise<void>((resolve) => hooks.clock.setTimer(resolve, delayMs));
    }
  }
}
