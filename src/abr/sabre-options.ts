/**
 * The option specs (runtime part, no code of the algorithms) of the two Sabre rules the player names, BOLA
 * (src/abr/bola.ts) and the throughput rule (src/abr/throughput.ts): apart from them so that the player can
 * check `abrOptions` for `abr: 'bola' | 'throughput'` when it is created and load the algorithm itself lazily
 * (src/player/algorithms.ts). One file, so the player's eager code imports one small shared chunk.
 */
import type { AbrOptionCore } from './types.js';

/** Sabre's default gamma*p. */
export const DEFAULT_GAMMA_P = 5;

export const GAMMA_P_OPTION: AbrOptionCore = {
  name: 'gammaP',
  type: 'number',
  default: DEFAULT_GAMMA_P,
  min: 0.01,
};

export const OSCILLATION_GUARD_OPTION: AbrOptionCore = {
  name: 'oscillationGuard',
  type: 'boolean',
  default: false,
};

export const BOLA_OPTIONS: readonly AbrOptionCore[] = [
  GAMMA_P_OPTION,
  {
    name: 'basic',
    type: 'boolean',
    default: false,
  },
  OSCILLATION_GUARD_OPTION,
];

/** Sabre's constants for the throughput rule. */
export const THROUGHPUT_DEFAULTS = {
  safetyFactor: 0.9,
  ibrSafetyInit: 0.9,
  ibrSafetyMin: 0.5,
  abandonMultiplier: 1.8,
  abandonGraceMs: 500,
} as const;

export const THROUGHPUT_OPTIONS: readonly AbrOptionCore[] = [
  {
    name: 'safetyFactor',
    type: 'number',
    default: THROUGHPUT_DEFAULTS.safetyFactor,
    min: 0.01,
    max: 1,
  },
  {
    name: 'insufficientBufferRule',
    type: 'boolean',
    default: true,
  },
  {
    name: 'abandonment',
    type: 'boolean',
    default: true,
  },
  {
    name: 'abandonMultiplier',
    type: 'number',
    default: THROUGHPUT_DEFAULTS.abandonMultiplier,
    min: 1,
  },
  {
    name: 'abandonGraceMs',
    type: 'number',
    default: THROUGHPUT_DEFAULTS.abandonGraceMs,
    min: 0,
  },
];
