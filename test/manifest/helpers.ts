import { AbrkitError } from '../../src/core/errors.js';

/** Runs `fn`, expects an AbrkitError, returns it (anything else thrown is rethrown). */
export function catchAbrkitError(fn: () => unknown): AbrkitError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AbrkitError) return error;
    throw error;
  }
  throw new Error('expected an AbrkitError, nothing was thrown');
}
