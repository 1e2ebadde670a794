/**
 * CMCD (CTA-5004) on the receiving side: reads the keys of one request from its `CMCD=` query parameter or its
 * CMCD-Object / -Request / -Session / -Status headers, as the shaping server does for its request log. The
 * inverse of src/core/cmcd.ts's encoder: integers and decimals become numbers, quoted strings are unquoted
 * (nor stays URL-encoded, as sent), tokens stay strings, bare keys are `true`. Custom keys (`com.example-x`)
 * are kept. A malformed payload is an `AbrkitError` (`CMCD_MALFORMED`) naming the request and the key.
 */
import { AbrkitError } from './errors.js';

/** What one request said, by key. */
export type CmcdValues = Record<string, string | number | boolean>;

/** The keys of one request and how they came. */
export interface ParsedCmcd {
  readonly mode: 'query' | 'headers';
  readonly values: CmcdValues;
}

const KEY = /^[a-z][a-z0-9.-]*$/;
const NUMBER = /^-?\d+(\.\d+)?$/;
const TOKEN = /^[A-Za-z*][\w!#$%&'*+.^`|~:/-]*$/;

function malformed(source: string, problem: string): AbrkitError {
  return new AbrkitError('network', 'CMCD_MALFORMED', `CMCD: ${problem}`, { fatal: false, data: { source } });
}

/** Reads one payload (`bl=21300,br=3200,bs,sid="..."`) into `into`; `source` names the request in errors. */
export function parseCmcdPayload(payload: string, source: string, into: CmcdValues = {}): CmcdValues {
  let i = 0;
  const n = payload.length;
  while (i < n) {
    while (payload[i] === ' ') i++;
    let end = i;
    while (end < n && payload[end] !== '=' && payload[end] !== ',') end++;
    const key = payload.slice(i, end).trim();
    if (!KEY.test(key)) throw malformed(source, `bad key '${key}' at character ${i}`);
    if (Object.prototype.hasOwnProperty.call(into, key)) throw malformed(source, `key '${key}' repeated`);
    i = end;
    let value: string | number | boolean = true;
    if (payload[i] === '=') {
      i++;
      if (payload[i] === '"') {
        let s = '';
        i++;
        for (;;) {
          const c = payload[i];
          if (c === undefined) throw malformed(source, `unterminated string in '${key}'`);
          i++;
          if (c === '"') break;
          if (c === '\\') {
            const next = payload[i];
            if (next !== '"' && next !== '\\') throw malformed(source, `bad escape in '${key}'`);
            s += next;
            i++;
          } else s += c;
        }
        value = s;
      } else {
        let e = i;
        while (e < n && payload[e] !== ',') e++;
        const raw = payload.slice(i, e).trim();
        i = e;
        if (NUMBER.test(raw)) value = Number(raw);
        else if (TOKEN.test(raw)) value = raw;
        else throw malformed(source, `bad value '${raw}' for '${key}'`);
      }
    }
    while (payload[i] === ' ') i++;
    if (i < n && payload[i] !== ',') throw malformed(source, `expected ',' after '${key}'`);
    i++;
    into[key] = value;
  }
  return into;
}

/**
 * The CMCD of one request: from the `CMCD` query parameter of `target` (path and query, as in an HTTP request
 * line), else from the CMCD-* headers (names in any case, as Node gives them in lower case); null when the
 * request carries none. Throws `CMCD_MALFORMED` for a payload that does not parse.
 */
export function parseCmcdRequest(
  target: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): ParsedCmcd | null {
  const q = target.indexOf('?');
  if (q >= 0) {
    const query = target.slice(q + 1).split('#')[0] ?? '';
    for (const part of query.split('&')) {
      if (!part.startsWith('CMCD=')) continue;
      let payload: string;
      try {
        payload = decodeURIComponent(part.slice(5).replace(/\+/g, ' '));
      } catch {
        throw malformed(target, 'malformed percent-encoding in the CMCD parameter');
      }
      return { mode: 'query', values: parseCmcdPayload(payload, target) };
    }
  }
  let values: CmcdValues | null = null;
  for (const [name, raw] of Object.entries(headers)) {
    if (!/^cmcd-(object|request|session|status)$/i.test(name) || raw === undefined) continue;
    values ??= {};
    for (const text of Array.isArray(raw) ? raw : [raw]) parseCmcdPayload(text, `${target} ${name}`, values);
  }
  return values === null ? null : { mode: 'headers', values };
}
