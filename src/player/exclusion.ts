/**
 * Renditions set aside for the session (their init segment failed beyond its retries), as the algorithm sees
 * them: its context's `maxRenditionIndex` is the highest rendition still allowed, and a choice of an excluded
 * rendition (or an abandon to one) becomes the nearest allowed one below it (else above it), the reason saying so.
 */
import type { AbrAlgorithm, AbrContext } from '../abr/types.js';

/** The nearest rendition to `index` not in `excluded` (lower first, then higher up to `max`); `index` if none. */
export function nearestAllowed(index: number, max: number, excluded: ReadonlySet<number>): number {
  for (let r = Math.min(index, max); r >= 0; r--) if (!excluded.has(r)) return r;
  for (let r = index + 1; r <= max; r++) if (!excluded.has(r)) return r;
  return index;
}

/** `algorithm` kept off the renditions in `excluded` (a live set: later additions count). */
export function excludingRenditions(algorithm: AbrAlgorithm, excluded: ReadonlySet<number>): AbrAlgorithm {
  const narrow = (ctx: AbrContext): AbrContext =>
    excluded.size === 0
      ? ctx
      : {
          ...ctx,
          maxRenditionIndex: nearestAllowed(ctx.maxRenditionIndex, ctx.maxRenditionIndex, excluded),
        };
  const wrapped: AbrAlgorithm = {
    name: algorithm.name,
    choose(ctx) {
      const c = narrow(ctx);
      const decision = algorithm.choose(c);
      const r = nearestAllowed(decision.renditionIndex, c.maxRenditionIndex, excluded);
      return r === decision.renditionIndex
        ? decision
        : {
            ...decision,
            renditionIndex: r,
            reason: `${decision.reason} (rendition ${decision.renditionIndex} excluded)`,
          };
    },
  };
  if (algorithm.shouldAbandon) {
    wrapped.shouldAbandon = (progress, ctx) => {
      const c = narrow(ctx);
      const lower = algorithm.shouldAbandon?.(progress, c);
      return lower == null ? null : nearestAllowed(lower, c.maxRenditionIndex, excluded);
    };
  }
  if (algorithm.onDownloaded)
    wrapped.onDownloaded = (sample, ctx) => algorithm.onDownloaded?.(sample, narrow(ctx));
  if (algorithm.onIdle) wrapped.onIdle = (ms) => algorithm.onIdle?.(ms);
  if (algorithm.reset) wrapped.reset = () => algorithm.reset?.();
  return wrapped;
}
