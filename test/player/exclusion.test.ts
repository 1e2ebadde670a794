import { describe, expect, it } from 'vitest';
import type { AbrAlgorithm, AbrContext } from '../../src/abr/types.js';
import { excludingRenditions, nearestAllowed } from '../../src/player/exclusion.js';

/** An algorithm that always wants `want` and records the cap it was offered. */
function wanting(want: number, seen: number[]): AbrAlgorithm {
  return {
    name: 'fixed',
    choose: (ctx) => {
      seen.push(ctx.maxRenditionIndex);
      return { renditionIndex: Math.min(want, ctx.maxRenditionIndex), reason: 'fixed' };
    },
    shouldAbandon: () => want,
  };
}

const ctx = { maxRenditionIndex: 3 } as AbrContext;

describe('excludingRenditions', () => {
  it('finds the nearest allowed rendition, lower first', () => {
    expect(nearestAllowed(2, 3, new Set([2]))).toBe(1);
    expect(nearestAllowed(0, 3, new Set([0, 1]))).toBe(2);
    expect(nearestAllowed(3, 3, new Set([3]))).toBe(2);
    expect(nearestAllowed(1, 1, new Set([0, 1]))).toBe(1);
  });

  it('lowers the cap the algorithm sees and moves its choices off excluded renditions, saying why', () => {
    const seen: number[] = [];
    const excluded = new Set<number>();
    const abr = excludingRenditions(wanting(2, seen), excluded);
    expect(abr.choose(ctx)).toEqual({ renditionIndex: 2, reason: 'fixed' });
    excluded.add(3);
    expect(abr.choose(ctx)).toEqual({ renditionIndex: 2, reason: 'fixed' });
    excluded.add(2);
    expect(abr.choose(ctx)).toEqual({ renditionIndex: 1, reason: 'fixed' });
    expect(seen).toEqual([3, 2, 1]);
    const abandon = abr.shouldAbandon?.bind(abr);
    expect(abandon?.({} as never, ctx)).toBe(1);
    // without the optional hooks, the wrapper has none either (the loop checks for shouldAbandon)
    const plain = excludingRenditions(
      { name: 'x', choose: () => ({ renditionIndex: 0, reason: '' }) },
      excluded,
    );
    expect('shouldAbandon' in plain).toBe(false);
  });

  it('names the excluded choice in the reason when the algorithm picks one anyway', () => {
    const abr = excludingRenditions(
      { name: 'stubborn', choose: () => ({ renditionIndex: 3, reason: 'top' }) },
      new Set([3]),
    );
    expect(abr.choose(ctx)).toEqual({ renditionIndex: 2, reason: 'top (rendition 3 excluded)' });
  });
});
