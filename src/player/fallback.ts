/**
 * The player's `RetryHook` for the session loop. For a failed download of segment s at rendition r:
 *
 * - a retryable error (5xx, timeout, reset: src/net/retry.ts) is retried at r after an exponential backoff
 *   with full jitter (a timeout at once); a second failure at r moves to another rendition (the next lower
 *   one that has not failed for s, else a higher one within the cap, never an excluded one); when every
 *   rendition failed for s and time is left, they are all tried again;
 * - an error retrying cannot fix (HTTP 404/403, a media error) moves to another rendition at once;
 * - a corrupt segment (`CORRUPT_SEGMENT`, src/mse/segment-check.ts) is fetched again once at r, then at
 *   another rendition, then the session fails;
 * - a video init segment that failed (r's `EXT-X-MAP`, `data.init === 'video'`) beyond its retries, or that is
 *   not an init segment at all, excludes r for the rest of the session (`onExclude`);
 * - the hook gives up (the session ends with the error, `error$`) when the policy's time budget for s is
 *   spent (`maxTotalMs` since its first failure, or `maxRetries`), or no rendition is left to try.
 */
import type { AbrkitError } from '../core/errors.js';
import type { RetryPolicy } from '../net/retry.js';
import type { RetryHook, SegmentRequest } from '../session/types.js';

/**
 * src/net/retry.ts's `isRetryable` and `nextRetryDelayMs`, passed in so that this file (in the faults chunk)
 * shares no module with the player's eager code.
 */
export interface RetryRules {
  isRetryable(error: unknown): boolean;
  nextRetryDelayMs(
    policy: RetryPolicy,
    error: unknown,
    attempt: number,
    firstAttemptMs: number,
    nowMs: number,
    random01: number,
  ): number | null;
}

export interface FallbackHookOptions {
  readonly policy: RetryPolicy;
  readonly rules: RetryRules;
  /** Renditions in the ladder. */
  readonly renditionCount: number;
  /** Highest rendition allowed now (a fallback never goes above it unless nothing else is left). */
  readonly maxRendition: () => number;
  readonly random: () => number;
  /** The clock's time, ms (for the time budget). */
  readonly nowMs: () => number;
  /** Renditions set aside for the session (shared with the player; the hook adds to it). */
  readonly excluded: Set<number>;
  /** Told when the hook excludes a rendition, with the error that made it. */
  readonly onExclude?: (renditionIndex: number, error: AbrkitError) => void;
  /** Told about each retry or fallback decision. */
  readonly onRetry?: (
    error: AbrkitError,
    request: SegmentRequest,
    next: { delayMs: number; renditionIndex: number },
  ) => void;
}

interface SegmentFailures {
  readonly firstMs: number;
  count: number;
  corrupt: number;
  /** Renditions that failed for this segment in the current round. */
  readonly failed: Set<number>;
}

/** A `RetryHook` with backoff, then rendition fallback and exclusion; see the file comment. */
export function createFallbackHook(options: FallbackHookOptions): RetryHook {
  const bySegment = new Map<number, SegmentFailures>();
  const { excluded, policy, rules } = options;
  return (error, request) => {
    const { segmentIndex, renditionIndex, attempt } = request;
    const nowMs = options.nowMs();
    let f = bySegment.get(segmentIndex);
    if (!f) {
      f = { firstMs: nowMs, count: 0, corrupt: 0, failed: new Set() };
      bySegment.set(segmentIndex, f);
    }
    f.count++;
    const corrupt = error.code === 'CORRUPT_SEGMENT';
    if (corrupt) f.corrupt++;
    if (corrupt && f.corrupt > 2) return null;
    const retryable = rules.isRetryable(error);
    // retryable: the wait grows with the segment's failures (a timeout is retried at once) within the budget;
    // an error retrying cannot fix moves to another rendition without waiting
    let wait = 0;
    if (retryable) {
      const delayMs = rules.nextRetryDelayMs(policy, error, f.count, f.firstMs, nowMs, options.random());
      if (delayMs === null) return null;
      wait = delayMs;
    }
    if ((retryable && attempt < 2) || (corrupt && f.corrupt === 1)) {
      options.onRetry?.(error, request, { delayMs: wait, renditionIndex });
      return { delayMs: wait };
    }
    f.failed.add(renditionIndex);
    if (error.data.init === 'video' && !excluded.has(renditionIndex)) {
      excluded.add(renditionIndex);
      options.onExclude?.(renditionIndex, error);
    }
    const max = Math.min(options.maxRendition(), options.renditionCount - 1);
    let next = pickFallback(renditionIndex, max, new Set([...f.failed, ...excluded]));
    if (next === null && retryable && !corrupt) {
      // every rendition failed once for this segment: try them again while the budget lasts
      f.failed.clear();
      next = pickFallback(renditionIndex + 1, max, excluded);
    }
    if (next === null) return null;
    options.onRetry?.(error, request, { delayMs: wait, renditionIndex: next });
    return { delayMs: wait, renditionIndex: next };
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
