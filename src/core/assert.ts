import { AbrkitError } from './errors.js';

/** Invariant check: a failure is a bug in abrkit, not bad input. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AbrkitError('internal', 'ASSERTION_FAILED', message);
}

export function assertNever(value: never, what = 'value'): never {
  throw new AbrkitError('internal', 'UNREACHABLE', `unexpected ${what}: ${String(value)}`);
}
