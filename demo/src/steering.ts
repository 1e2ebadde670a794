/**
 * The viewer's hand on the ABR: a manual rendition pick ("Auto" lets the algorithm choose) and a cap (the
 * highest rendition allowed), both changeable mid-session without a restart. `steer()` wraps the session's
 * algorithm: it reads the current pick and cap at every decision, passes the cap to the algorithm as the
 * context's `maxRenditionIndex` (which every algorithm honours) and answers a manual pick itself. Plus the
 * labels the page shows for a rendition (`360p · 427 kbps`).
 */
import type { AbrAlgorithm, AbrContext, AbrDecision, Rendition } from 'abrkit';

export interface Steering {
  /** The rendition to fetch, or null for Auto (the algorithm chooses). */
  manual: number | null;
  /** The highest rendition allowed, or null for no cap. */
  cap: number | null;
}

/** `360p` from a rendition's height, or `#2` when the playlist gives no resolution. */
export function resolutionLabel(rendition: Rendition): string {
  return rendition.heightPx ? `${rendition.heightPx}p` : `#${rendition.index}`;
}

/** `360p · 427 kbps`. */
export function renditionLabel(rendition: Rendition): string {
  return `${resolutionLabel(rendition)} · ${Math.round(rendition.bitrateKbps)} kbps`;
}

function withCap(ctx: AbrContext, cap: number | null): AbrContext {
  if (cap === null || cap >= ctx.maxRenditionIndex) return ctx;
  return { ...ctx, maxRenditionIndex: Math.max(0, cap) };
}

/** `inner`, steered by what `current()` says at each call. */
export function steer(inner: AbrAlgorithm, current: () => Steering): AbrAlgorithm {
  const label = (ctx: AbrContext, i: number): string => {
    const r = ctx.renditions[i];
    return r ? renditionLabel(r) : `rendition ${i}`;
  };
  return {
    name: inner.name,
    choose(ctx: AbrContext): AbrDecision {
      const { manual, cap } = current();
      const capped = withCap(ctx, cap);
      if (manual !== null) {
        const index = Math.min(manual, capped.maxRenditionIndex);
        return {
          renditionIndex: index,
          reason:
            `manual pick: ${label(ctx, manual)}` +
            (index < manual ? ` (capped at ${label(ctx, index)})` : ''),
        };
      }
      const decision = inner.choose(capped);
      return capped === ctx
        ? decision
        : { ...decision, reason: `${decision.reason} [cap: ${label(ctx, capped.maxRenditionIndex)}]` };
    },
    shouldAbandon(progress, ctx) {
      const { manual, cap } = current();
      if (manual !== null || !inner.shouldAbandon) return null;
      return inner.shouldAbandon(progress, withCap(ctx, cap));
    },
    onDownloaded(sample, ctx) {
      inner.onDownloaded?.(sample, withCap(ctx, current().cap));
    },
    onIdle(durationMs) {
      inner.onIdle?.(durationMs);
    },
    reset() {
      inner.reset?.();
    },
  };
}
