/**
 * The QoE models the simulator scores segments with, by name: Pensieve's QoE_lin, QoE_log and QoE_hd
 * (Mao et al., SIGCOMM 2017, Table 1), from src/qoe. The first segment has no switch term.
 */
import { AbrkitError } from '../core/errors.js';
import { createQoeTermFunction, type QoeModelName } from '../qoe/index.js';
import type { QoeTermFunction } from '../session/types.js';

export type { QoeModelName };

export const QOE_MODEL_NAMES: readonly QoeModelName[] = ['lin', 'log', 'hd'];

/**
 * Largest rebuffer penalty a run takes, QoE per second of stall. The ladder-aware defaults are a few units
 * (lin: the top bitrate in Mbps; hd: 8); a penalty near the largest double makes a stalled session's QoE
 * -Infinity, which JSON writes as null. 1e6 keeps every session's QoE finite: a session stalls at most for
 * its virtual-time limit.
 */
export const MAX_REBUFFER_PENALTY_PER_S = 1_000_000;

/** The QoE term function called `name` (a bad name is a config `AbrkitError`). */
export function qoeTermFunction(name: QoeModelName): QoeTermFunction {
  if (!QOE_MODEL_NAMES.includes(name)) {
    throw new AbrkitError(
      'config',
      'QOE_UNKNOWN',
      `unknown QoE model '${String(name)}' (known: ${QOE_MODEL_NAMES.join(', ')})`,
      {
        data: { name },
      },
    );
  }
  return createQoeTermFunction(name);
}
