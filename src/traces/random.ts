/**
 * A small seeded pseudo-random generator for synthetic traces, simulations and tests (pure, no globals).
 *
 * Choice: mulberry32 (Tommy Ettinger, 2017; public domain): one 32-bit state word, a period of 2^32, passes
 * the statistical tests that matter for generating traces and is a few instructions a draw. It is NOT
 * cryptographic. The seed is first mixed with a 32-bit integer hash (splitmix32 finaliser) so that nearby
 * seeds (0, 1, 2, ...) start far apart.
 */
import { invalidArgument } from '../core/errors.js';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Uniform integer in [0, n), n a positive integer. */
  int(n: number): number;
  /** Standard normal (mean 0, standard deviation 1), by the Box-Muller transform (two draws each). */
  normal(): number;
  /** Exponential with the given mean (> 0). */
  exponential(mean: number): number;
  /** A new generator seeded from this one (for independent streams that stay deterministic). */
  fork(): Rng;
}

/**
 * A deterministic generator: the same `seed` (any safe integer; other finite numbers are truncated) gives
 * the same sequence on every platform.
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw invalidArgument('seed', `must be a finite number, got ${seed}`);
  const whole = Math.trunc(seed);
  // Fold the high bits in so seeds beyond 2^32 still differ.
  const high = Math.floor(whole / 4294967296) | 0;
  let state = mix32((whole | 0) ^ mix32(high ^ 0x9e3779b9));

  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  const rng: Rng = {
    next,
    uniform(min, max) {
      return min + (max - min) * next();
    },
    int(n) {
      if (!(Number.isInteger(n) && n > 0)) throw invalidArgument('n', `must be a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
    normal() {
      const u = 1 - next(); // (0, 1]: log(u) is finite
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    exponential(mean) {
      if (!(Number.isFinite(mean) && mean > 0))
        throw invalidArgument('mean', `must be a number > 0, got ${mean}`);
      return -mean * Math.log(1 - next());
    },
    fork() {
      return createRng(Math.floor(next() * 4294967296));
    },
  };
  return rng;
}

/** splitmix32-style finaliser: a bijective 32-bit hash. */
function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}
