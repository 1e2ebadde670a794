/**
 * The `cmcd` option (Common Media Client Data, CTA-5004 v1) of the player and of the hls.js adapter's
 * `hlsCmcdConfig`, checked up front. In the player the reporter itself (src/player/cmcd.ts, which also makes the
 * session id when none is given) is a chunk `load()` fetches only when this option is set: this file is all
 * CMCD costs a page that does not use it. Apart from cmcd.ts, so that the encoder stays out of the eager code.
 */
import { invalidArgument } from './errors.js';

export interface CmcdOptions {
  /** `'query'`: a `CMCD=` query parameter on each request; `'headers'`: the four CMCD-* request headers. */
  readonly mode: 'query' | 'headers';
  /** `cid`: the content id, at most 64 characters. Default: none sent. */
  readonly contentId?: string;
  /** `sid`: the session id, at most 64 characters. Default: a random UUID for each `load()` (a new session). */
  readonly sessionId?: string;
}

export interface ResolvedCmcdOptions {
  readonly mode: 'query' | 'headers';
  readonly contentId: string | null;
  /** Null: a random UUID per `load()`. */
  readonly sessionId: string | null;
}

/** CTA-5004: cid and sid are strings of at most 64 characters. */
const MAX_ID_CHARS = 64;

/** Checks the `cmcd` option; null when it is absent. Throws a `TypeError` naming the bad field. */
export function resolveCmcdOptions(value: unknown): ResolvedCmcdOptions | null {
  if (value == null) return null;
  const o = value as Record<string, unknown>;
  if (typeof value !== 'object' || (o.mode !== 'query' && o.mode !== 'headers'))
    throw invalidArgument('cmcd.mode', "must be 'query' or 'headers'");
  for (const key of Object.keys(o)) {
    const v = o[key];
    if (key === 'mode' || v === undefined) continue;
    if (key !== 'contentId' && key !== 'sessionId') throw invalidArgument(`cmcd.${key}`, 'unknown field');
    if (typeof v !== 'string' || v === '' || v.length > MAX_ID_CHARS)
      throw invalidArgument(`cmcd.${key}`, `must be a string of 1 to ${MAX_ID_CHARS} characters`);
  }
  return {
    mode: o.mode,
    contentId: (o.contentId as string | undefined) ?? null,
    sessionId: (o.sessionId as string | undefined) ?? null,
  };
}
