/**
 * URL patterns for fault injection (`pattern=` in a fault spec): globs that cannot backtrack, so no pattern
 * and no URL can make the server spend more than a few million character comparisons on a request.
 *
 * Syntax:
 * - `*` matches any run of characters (`/` included), `?` exactly one character; every other character
 *   stands for itself (case-sensitive);
 * - `|` separates alternatives: the URL matches when one of them does;
 * - an alternative matches when it matches some part of the request target (path and query as sent), as if
 *   it began and ended with `*`: `seg_` matches `/v/seg_00003.m4s`;
 * - `/TEXT/`, plain text between slashes, is read as `TEXT` (the form the regex patterns of older versions
 *   used for a substring, e.g. `/seg_/`).
 *
 * Regular expressions are refused with a message saying what to write instead: a pattern such as
 * `/(a+)+$/` took a backtracking engine 24 s on 31 characters and doubled with each more. A pattern holds
 * at most {@link MAX_URL_PATTERN_CHARS} characters.
 *
 * Cost: each alternative is split at its `*`s into fixed-length parts, found left to right, each at its
 * leftmost place after the previous one (which is optimal for an unanchored glob, so there is never a reason
 * to go back). Finding a part of length k from position p costs at most (n − p)·k comparisons, so matching a
 * URL of n characters costs at most n × (pattern length) comparisons.
 */

/** Longest pattern accepted, characters. */
export const MAX_URL_PATTERN_CHARS = 256;

/** A compiled pattern. */
export interface UrlPattern {
  /** The pattern as written. */
  readonly source: string;
  /** The alternatives, each as its `*`-separated parts (empty parts dropped). */
  readonly alternatives: readonly (readonly string[])[];
  readonly test: (url: string) => boolean;
}

export type UrlPatternParse =
  { readonly ok: true; readonly pattern: UrlPattern } | { readonly ok: false; readonly problem: string };

/** Characters of regular-expression syntax that a glob never needs. */
const REGEX_CHARS = new Set(['\\', '(', ')', '[', ']', '{', '}', '^', '$', '+']);

const GLOB_HELP =
  'fault patterns are globs: * for any text, ? for one character, | between alternatives, matched ' +
  'anywhere in the path and query (e.g. pattern=seg_*.m4s, or pattern=240p/seg_00004.m4s|360p/seg_00004.m4s)';

/** Parses a pattern (see the file comment); a problem says what is wrong and what to write instead. */
export function parseUrlPattern(text: string): UrlPatternParse {
  const fail = (problem: string): UrlPatternParse => ({ ok: false, problem });
  if (text === '') return fail('pattern is empty');
  if (text.length > MAX_URL_PATTERN_CHARS)
    return fail(`pattern has ${text.length} characters, more than ${MAX_URL_PATTERN_CHARS}`);
  let glob = text;
  const slashed = /^\/(.*)\/([A-Za-z]*)$/s.exec(text);
  if (slashed !== null && text.length >= 2) {
    const body = slashed[1] ?? '';
    const flags = slashed[2] ?? '';
    const plain = body !== '' && !/[\\()[\]{}^$+*?|]/.test(body);
    if (flags !== '' || !plain)
      return fail(
        `pattern ${JSON.stringify(text)} looks like a regular expression, which fault patterns no longer ` +
          `accept (one can take minutes to match a URL); ${GLOB_HELP}`,
      );
    glob = body;
  }
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    const regexy = REGEX_CHARS.has(c) || (c === '.' && (glob[i + 1] === '*' || glob[i + 1] === '+'));
    if (regexy)
      return fail(
        `pattern ${JSON.stringify(text)} looks like a regular expression (${JSON.stringify(
          c === '.' ? glob.slice(i, i + 2) : c,
        )} at position ${i + 1}); ${GLOB_HELP} (? also stands for a literal ${JSON.stringify(c)})`,
      );
  }
  const alternatives: string[][] = [];
  for (const alternative of glob.split('|')) {
    if (alternative === '')
      return fail(
        `pattern ${JSON.stringify(text)} has an empty alternative (two | in a row, or one at an end)`,
      );
    alternatives.push(alternative.split('*').filter((part) => part !== ''));
  }
  const pattern: UrlPattern = {
    source: text,
    alternatives,
    test: (url) => matchUrlPattern(pattern, url).matched,
  };
  return { ok: true, pattern };
}

/**
 * Matches `url` against `pattern`, counting the character comparisons made (`steps`): at most
 * `url.length × (pattern length)`, whatever the two hold.
 */
export function matchUrlPattern(pattern: UrlPattern, url: string): { matched: boolean; steps: number } {
  let steps = 0;
  /** Leftmost index ≥ from where `part` matches (`?` matching any character), or -1. */
  const find = (part: string, from: number): number => {
    const last = url.length - part.length;
    for (let i = from; i <= last; i++) {
      let j = 0;
      for (; j < part.length; j++) {
        steps++;
        const want = part.charCodeAt(j);
        if (want !== 63 /* ? */ && want !== url.charCodeAt(i + j)) break;
      }
      if (j === part.length) return i;
    }
    return -1;
  };
  for (const parts of pattern.alternatives) {
    let position = 0;
    let matched = true;
    for (const part of parts) {
      const at = find(part, position);
      if (at < 0) {
        matched = false;
        break;
      }
      position = at + part.length;
    }
    if (matched) return { matched: true, steps };
  }
  return { matched: false, steps };
}
