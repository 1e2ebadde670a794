/**
 * The player's `RetryHook` for the session loop: a failed download is retried at the same rendition with
 * exponential backoff and full jitter (src/net/retry.ts) up to `maxRetries` times; then the segment is
 * fetched at another rendition (the next lower one that has not failed for it, else a higher one); when
 * every rendition failed for that segment the hook gives up, and the session ends with the error.
 */
import type { AbrkitError } from '../core/errors.js';
import type { RetryPolicy } from '../net/retry.js';
import { backoffDelayMs, isRetryable } from '../net/retry.js';
import type { RetryHook, SegmentRequest } from '../session/types.js';

export interface FallbackHookOptions {
  readonly policy: RetryPolicy;
  /** Renditions in the ladder. */
  readonly renditionCount: number;
  /** Highest rendition allowed now (a fallback never goes above it unless nothing else is left). */
  readonly maxRendition: () => number;
  readonly random: () => number;
  /** Told about each retry or fallback decision. */
  readonly onRetry?: (
    error: AbrkitError,
    request: SegmentRequest,
    next: { delayMs: number; renditionIndex: number },
  ) => void;
}

/** A `RetryHook` with backoff, then rendition fallback; see the file comment. */
export function createFallbackHook(options: FallbackHookOptions): RetryHook {
  const failed = new Map<number, Set<number>>();
  return (error, request) => {
    const { segmentIndex, renditionIndex, attempt } = request;
    const retryable = isRetryable(error);
    if (retryable && attempt <= options.policy.maxRetries) {
      const delayMs = backoffDelayMs(options.policy, attempt - 1, options.random());
      options.onRetry?.(error, request, { delayMs, renditionIndex });
      return { delayMs };
    }
    let set = failed.get(segmentIndex);
    if (!set) {
      set = new Set();
      failed.set(segmentIndex, set);
    }
    set.add(renditionIndex);
    const next = pickFallback(
      renditionIndex,
      Math.min(options.maxRendition(), options.renditionCount - 1),
      set,
    );
    if (next === null) return null;
    const delayMs = backoffDelayMs(options.policy, 0, options.random());
    options.onRetry?.(error, request, { delayMs, renditionIndex: next });
    return { delayMs, renditionIndex: next };
  };
}

/**
 * The rendition to try after `current` failed: the highest lower one not failed, else the lowest higher one
 * up to `max` (the session clamps anything above its cap), else null.
 */
export function pickFallback(current: number, max: number, failed: ReadonlySet<number>): number | null {
  for (let r = Math.min(current - 1, max); r >= 0; r--) if (!failed.has(r)) return r;
  for (let r = current + 1; r <= max; r++) if (!failed.has(r)) return r;
  return null;
}
