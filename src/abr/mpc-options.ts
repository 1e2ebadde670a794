/**
 * The option specs (runtime part, no algorithm code) that mpc, robust-mpc (src/abr/mpc.ts) and scenario-mpc
 * (src/abr/scenario-mpc.ts) share: apart from them so that the player can check scenario-mpc's options when it
 * is created while the algorithm itself stays a lazy chunk (src/player/algorithms.ts).
 */
import type { AbrOptionCore } from './types.js';

export const HORIZON_OPTION_SPEC: AbrOptionCore = {
  name: 'horizon',
  type: 'integer',
  default: 5,
  min: 1,
  max: 8,
};
export const QOE_OBJECTIVE_OPTION_SPEC: AbrOptionCore = {
  name: 'qoe',
  type: 'string',
  default: 'lin',
  choices: ['lin', 'log', 'hd'],
};
export const SMOOTH_PENALTY_OPTION_SPEC: AbrOptionCore = {
  name: 'smoothPenalty',
  type: 'number',
  default: 1,
  min: 0,
};
