/**
 * Argument checks for traces handed to writers and generators' callers. A malformed `NetworkTrace` object
 * is a programming error, so these throw `TypeError` (via `invalidArgument`), not `AbrkitError`.
 */
import { invalidArgument } from '../core/errors.js';
import type { NetworkTrace } from './model.js';

/**
 * Throws a `TypeError` unless `trace` has at least one period and every period has a finite
 * `durationMs` > 0, `bandwidthKbps` >= 0 and `latencyMs` >= 0 (and, if present, `pensieve` holds two
 * arrays of finite numbers of the same length).
 */
export function checkWritableTrace(trace: NetworkTrace, name = 'trace'): void {
  const periods: unknown = (trace as Partial<NetworkTrace> | null)?.periods;
  if (typeof trace !== 'object' || trace === null || !Array.isArray(periods)) {
    throw invalidArgument(name, 'must be a NetworkTrace with a periods array');
  }
  if (trace.periods.length === 0) throw invalidArgument(name, 'has no period');
  trace.periods.forEach((p, i) => {
    if (!(Number.isFinite(p.durationMs) && p.durationMs > 0)) {
      throw invalidArgument(
        `${name}.periods[${i}].durationMs`,
        `must be a finite number > 0, got ${p.durationMs}`,
      );
    }
    if (!(Number.isFinite(p.bandwidthKbps) && p.bandwidthKbps >= 0)) {
      throw invalidArgument(
        `${name}.periods[${i}].bandwidthKbps`,
        `must be a finite number >= 0, got ${p.bandwidthKbps}`,
      );
    }
    if (!(Number.isFinite(p.latencyMs) && p.latencyMs >= 0)) {
      throw invalidArgument(
        `${name}.periods[${i}].latencyMs`,
        `must be a finite number >= 0, got ${p.latencyMs}`,
      );
    }
  });
  const raw = trace.pensieve;
  if (raw !== undefined) {
    if (raw.timesS.length !== raw.throughputsMbps.length || raw.timesS.length < 2) {
      throw invalidArgument(`${name}.pensieve`, 'needs timesS and throughputsMbps of the same length >= 2');
    }
    if (![...raw.timesS, ...raw.throughputsMbps].every((v) => Number.isFinite(v))) {
      throw invalidArgument(`${name}.pensieve`, 'holds a non-finite number');
    }
  }
}
