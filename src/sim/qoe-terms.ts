/**
 * The QoE models the simulator scores segments with, by name: Pensieve's QoE_lin, QoE_log and QoE_hd
 * (Mao et al., SIGCOMM 2017, Table 1), from src/qoe. The first segment has no switch term.
 */
import { AbrkitError } from '../core/errors.js';
import { createQoeTermFunction, type QoeModelName } from '../qoe/index.js';
import type { QoeTermFunction } from '../session/types.js';

export type { QoeModelName };

export const QOE_MODEL_NAMES: readonly QoeModelName[] = ['lin', 'log', 'hd'];

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
