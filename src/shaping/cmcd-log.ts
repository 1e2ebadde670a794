/**
 * The shaping server's CMCD hook: what each request's Common Media Client Data (CTA-5004; query parameter or
 * CMCD-* headers) adds to its request-log entry. Parsing is src/core/cmcd-parse.ts; a payload that does not
 * parse is logged as `cmcdError` (the request is served as usual: CMCD is advisory, a CDN would not refuse it).
 */
import { parseCmcdRequest, type CmcdValues } from '../core/cmcd-parse.js';
import { isAbrkitError } from '../core/errors.js';

/** The CMCD fields of a request-log entry. */
export interface CmcdLogFields {
  /** The keys the request carried (numbers, strings, `true` for bare keys). */
  cmcd?: CmcdValues;
  /** How they came: a `CMCD=` query parameter or CMCD-* headers. */
  cmcdMode?: 'query' | 'headers';
  /** Why the request's CMCD could not be read. */
  cmcdError?: string;
}

/** The CMCD fields for a request with this target (path and query) and these headers; {} without CMCD. */
export function cmcdLogFields(
  target: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): CmcdLogFields {
  try {
    const parsed = parseCmcdRequest(target, headers);
    return parsed ? { cmcd: parsed.values, cmcdMode: parsed.mode } : {};
  } catch (error) {
    if (isAbrkitError(error)) return { cmcdError: error.message };
    throw error;
  }
}
