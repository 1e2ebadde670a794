/**
 * BBA, buffer-based adaptation: Huang, Johari, McKeown, Trunnell, Watson, "A Buffer-Based Approach to Rate
 * Adaptation: Evidence from a Large Video Streaming Service", ACM SIGCOMM 2014.
 *
 * The rule is the one Pensieve's baseline codes (hongzimao/pensieve, test/bb.py; reservoir 5 s, cushion 10 s),
 * generalised to n renditions:
 * - buffer_s < reservoir_s                 -> 0
 * - buffer_s >= reservoir_s + cushion_s    -> top (n - 1)
 * - else                                   -> floor((n - 1) * (buffer_s - reservoir_s) / cushion_s)
 * with `buffer_s = ctx.bufferLevelMs / 1000`, evaluated in exactly Pensieve's order of floating-point
 * operations (`(A_DIM - 1) * (buffer_size - RESEVOIR) / float(CUSHION)`, then `int()`), so that given the same
 * buffer levels it reproduces Pensieve's BB decision for decision (for 6 renditions: `floor(5 * (b - 5) / 10)`).
 * The result is clamped to `ctx.maxRenditionIndex`. Stateless; no abandonment, no delay.
 *
 * What the session must provide to reproduce Pensieve: `ctx.bufferLevelMs` = the buffer right after the
 * previous chunk was added (and after any sleep), as Pensieve's `fixed_env.get_video_chunk` returns it.
 * Pensieve fetches the first chunk of every session at index 1 (DEFAULT_QUALITY) without asking BB: that
 * start rule belongs to the session's Pensieve mode; asked at an empty buffer, BBA itself says 0.
 */
import type {
  AbrAlgorithm,
  AbrAlgorithmCore,
  AbrAlgorithmDocs,
  AbrContext,
  AbrDecision,
  AbrOptionCore,
  AbrOptions,
} from './types.js';
import { num, resolveOptions } from './options.js';
import { capIndex } from './sabre-common.js';

const OPTIONS: readonly AbrOptionCore[] = [
  {
    name: 'reservoirMs',
    type: 'number',
    default: 5000,
    min: 0,
  },
  {
    name: 'cushionMs',
    type: 'number',
    default: 10000,
    min: 1,
  },
];

/**
 * The BBA rate map for `n` renditions (exported for tests and for callers that only have a level).
 * Arguments in seconds, as Pensieve computes it.
 */
export function bbaIndex(
  bufferS: number,
  reservoirS: number,
  cushionS: number,
  renditionCount: number,
): number {
  if (bufferS < reservoirS) return 0;
  if (bufferS >= reservoirS + cushionS) return renditionCount - 1;
  return Math.floor(((renditionCount - 1) * (bufferS - reservoirS)) / cushionS);
}

export class Bba implements AbrAlgorithm {
  readonly name = 'bba';
  private readonly reservoirS: number;
  private readonly cushionS: number;

  constructor(reservoirMs: number, cushionMs: number) {
    this.reservoirS = reservoirMs / 1000;
    this.cushionS = cushionMs / 1000;
  }

  choose(ctx: AbrContext): AbrDecision {
    const bufferS = ctx.bufferLevelMs / 1000;
    const index = bbaIndex(bufferS, this.reservoirS, this.cushionS, ctx.renditions.length);
    const cap = capIndex(ctx);
    const renditionIndex = Math.min(index, cap);
    const zone =
      bufferS < this.reservoirS
        ? 'reservoir'
        : bufferS >= this.reservoirS + this.cushionS
          ? 'upper reservoir'
          : 'cushion';
    return {
      renditionIndex,
      reason: `buffer ${bufferS.toFixed(3)} s in ${zone}${renditionIndex < index ? ` (capped to ${cap})` : ''}`,
    };
  }
}

/** Creates BBA; options `reservoirMs` (5000) and `cushionMs` (10000). */
export function createBba(options?: AbrOptions): Bba {
  const o = resolveOptions('bba', OPTIONS, options);
  return new Bba(num(o, 'reservoirMs'), num(o, 'cushionMs'));
}

/** Runtime part (the player bundles this); the registry joins it with {@link bbaDocs}. */
export const bbaInfo: AbrAlgorithmCore = {
  name: 'bba',
  options: OPTIONS,
  create: createBba,
};

/** What `abrkit algos`, the demo and docs show for bba: not bundled by the player. */
export const bbaDocs: AbrAlgorithmDocs = {
  description:
    'Buffer-based: lowest rendition in the reservoir, top above reservoir + cushion, linear in between (as Pensieve codes BB).',
  citation:
    'Huang, Johari, McKeown, Trunnell, Watson, "A Buffer-Based Approach to Rate Adaptation: Evidence from a Large Video Streaming Service", ACM SIGCOMM 2014',
  options: {
    reservoirMs: 'Below this buffer level, the lowest rendition (Pensieve 5 s).',
    cushionMs: 'Buffer range over which the rendition climbs linearly to the top (Pensieve 10 s).',
  },
};
