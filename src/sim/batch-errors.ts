/**
 * Errors cross the worker-thread boundary as plain data and come back as the same `AbrkitError` or
 * `TypeError`, so the CLI reports a failure in a worker exactly as one in the main thread.
 */
import type { AbrkitErrorData, ErrorCategory } from '../core/errors.js';
import { AbrkitError, isAbrkitError } from '../core/errors.js';

/** An error as posted between threads. */
export interface SerializedError {
  readonly kind: 'abrkit' | 'type' | 'other';
  readonly message: string;
  readonly stack?: string;
  readonly category?: ErrorCategory;
  readonly code?: string;
  readonly data?: AbrkitErrorData;
}

/** Turns anything thrown into postable data. */
export function serializeError(error: unknown): SerializedError {
  if (isAbrkitError(error)) {
    // AbrkitError prefixes its message with the source; keep the bare message so the rebuild does not repeat it.
    const where = error.data.source
      ? error.data.line === undefined
        ? `${error.data.source}: `
        : `${error.data.source}:${error.data.line}: `
      : '';
    const bare = where && error.message.startsWith(where) ? error.message.slice(where.length) : error.message;
    return {
      kind: 'abrkit',
      message: bare,
      category: error.category,
      code: error.code,
      data: JSON.parse(JSON.stringify(error.data)) as AbrkitErrorData,
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  if (error instanceof Error) {
    return {
      kind: error instanceof TypeError ? 'type' : 'other',
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return { kind: 'other', message: String(error) };
}

/** Rebuilds a thrown value from {@link serializeError}'s data, keeping the original stack. */
export function deserializeError(data: SerializedError): Error {
  let error: Error;
  if (data.kind === 'abrkit') {
    error = new AbrkitError(data.category ?? 'internal', data.code ?? 'UNKNOWN', data.message, {
      ...(data.data ? { data: data.data } : {}),
    });
  } else if (data.kind === 'type') {
    error = new TypeError(data.message);
  } else {
    error = new Error(data.message);
  }
  if (data.stack) error.stack = data.stack;
  return error;
}
