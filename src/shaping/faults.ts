/**
 * Fault injection for the shaping server: seeded, replayable, restricted to URLs matching a pattern.
 *
 * Compact spec (comma-separated `key=value`, for `abrkit serve --faults`):
 * - `5xx=P[:STATUS]`   answer a 5xx (default 500) with probability P, after the latency, instead of the file
 * - `404=P`            answer 404 with probability P
 * - `reset=P`          reset the connection (TCP RST) after a random 10-90% of the body
 * - `stall=P:MS`       after a random 10-90% of the body, send nothing for MS ms, then go on
 * - `spike=P:MS`       add MS ms to the latency before the first byte
 * - `outage=A-B`       no bytes at all during trace time [A, B) ms (repeatable; at most 24 h each): responses
 *                      in flight pause, new requests wait for the end of the outage before their latency starts
 *                      (a dead link, not an error: clients see it through their own timeouts). Every URL.
 * - `pattern=GLOB`     probabilistic faults only for URLs (path + query) a glob matches somewhere (see
 *                      url-pattern.ts: `*` any text, `?` one character, `|` between alternatives; regular
 *                      expressions are refused, as they can take minutes on one URL)
 * - `first=N`          probabilistic faults only on the first N requests of each URL (N ≥ 1), so a test can
 *                      fail a URL once (`404=1,first=1,pattern=seg_00003`) and let its retry through; the
 *                      later requests still count as occurrences, so draws replay the same
 * e.g. `5xx=0.05,404=0.01,reset=0.02,stall=0.01:5000,spike=0.05:800,outage=30000-40000,pattern=seg_`.
 *
 * JSON (a file): a {@link FaultSpec} object with the same meaning, e.g.
 * `{"serverError": {"probability": 0.05, "status": 503}, "stall": {"probability": 0.01, "ms": 5000},
 *   "outages": [{"fromMs": 30000, "toMs": 40000}], "pattern": "seg_"}`.
 *
 * Probabilistic faults apply to GET requests only (HEAD and OPTIONS are never faulted).
 * At most one probabilistic fault hits a request: one uniform draw U picks, in this order, 404, 5xx, reset,
 * stall, spike (each taking its probability's slice of [0, 1)), so the probabilities must sum to ≤ 1.
 * Replay: the draws of the n-th request for a given URL come from `createRng(mix(seed, url, n))`, so the same
 * seed gives the same faults for the same requests even when concurrent requests arrive in another order.
 */
import { AbrkitError } from '../core/errors.js';
import { createRng } from '../traces/random.js';
import { parseUrlPattern } from './url-pattern.js';

export interface FaultSpec {
  readonly notFound?: { readonly probability: number };
  readonly serverError?: { readonly probability: number; readonly status?: number };
  readonly reset?: { readonly probability: number };
  readonly stall?: { readonly probability: number; readonly ms: number };
  readonly spike?: { readonly probability: number; readonly ms: number };
  readonly outages?: readonly { readonly fromMs: number; readonly toMs: number }[];
  /** A glob (url-pattern.ts) matching part of the URLs to fault, e.g. `seg_*.m4s`. Absent: every URL. */
  readonly pattern?: string;
  /** Probabilistic faults only on the first N requests of each URL (an integer ≥ 1). Absent: every request. */
  readonly firstRequests?: number;
}

/** What a request gets; logged as the request's `fault`. */
export type FaultDecision =
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'reset'; readonly atByte: number }
  | { readonly kind: 'stall'; readonly atByte: number; readonly ms: number }
  | { readonly kind: 'spike'; readonly ms: number };

/** A validated fault plan: decides the fault of each request, and holds the outage windows. */
export interface FaultPlan {
  readonly spec: FaultSpec;
  readonly outages: readonly { readonly fromMs: number; readonly toMs: number }[];
  /** The fault for a request of `url` whose body would be `bodyBytes` long, or null. Advances the per-URL count. */
  decide(url: string, bodyBytes: number): FaultDecision | null;
  /** The end of the outage covering trace time `tMs`, or null when none does. */
  outageEndAt(tMs: number): number | null;
}

/** Longest injected stall, latency spike or outage, ms (24 h): longer is a typo, and past setTimeout's range. */
export const MAX_FAULT_DELAY_MS = 86_400_000;

/** Outage windows a spec may hold: each request and each scheduler tick looks at all of them. */
export const MAX_OUTAGES = 1000;
/** Distinct URLs whose request counts are kept (for `first=N` and replayable draws). */
export const MAX_COUNTED_URLS = 100_000;

const COMPACT_KEYS = ['5xx', '404', 'reset', 'stall', 'spike', 'outage', 'pattern', 'first'] as const;

/**
 * Parses a compact spec string (see the file comment). Throws `AbrkitError('config', 'FAULT_SPEC_INVALID')`
 * naming `source` (the option or file it came from).
 */
export function parseFaultSpec(text: string, source = 'fault spec'): FaultSpec {
  const spec: {
    -readonly [K in keyof FaultSpec]: FaultSpec[K];
  } = {};
  const outages: { fromMs: number; toMs: number }[] = [];
  const items = splitItems(text);
  if (items.length === 0) throw faultError(source, 'empty fault spec');
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) throw faultError(source, `expected key=value, got ${JSON.stringify(item)}`);
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    const [first = '', second] = splitOnce(value, ':');
    switch (key) {
      case '404':
        noSecond(source, key, second);
        spec.notFound = { probability: num(source, key, first) };
        break;
      case '5xx':
        spec.serverError =
          second === undefined
            ? { probability: num(source, key, first) }
            : { probability: num(source, key, first), status: num(source, `${key} status`, second) };
        break;
      case 'reset':
        noSecond(source, key, second);
        spec.reset = { probability: num(source, key, first) };
        break;
      case 'stall':
      case 'spike':
        if (second === undefined) throw faultError(source, `${key} needs P:MS, got ${JSON.stringify(value)}`);
        spec[key] = { probability: num(source, key, first), ms: num(source, `${key} ms`, second) };
        break;
      case 'outage': {
        const m = /^([0-9.eE+]+)\s*-\s*([0-9.eE+]+)$/.exec(value);
        if (!m) throw faultError(source, `outage needs A-B in ms, got ${JSON.stringify(value)}`);
        outages.push({ fromMs: num(source, key, m[1] ?? ''), toMs: num(source, key, m[2] ?? '') });
        break;
      }
      case 'pattern':
        spec.pattern = value;
        break;
      case 'first':
        noSecond(source, key, second);
        spec.firstRequests = num(source, key, first);
        break;
      default:
        throw faultError(
          source,
          `unknown key ${JSON.stringify(key)}: expected one of ${COMPACT_KEYS.join(', ')}`,
        );
    }
  }
  if (outages.length > 0) spec.outages = outages;
  checkFaultSpec(spec, source);
  return spec;
}

/** Splits on commas that are not inside a slash-wrapped `pattern=/…/` (older specs; refused later if regex). */
function splitItems(text: string): string[] {
  const items: string[] = [];
  let current = '';
  let inRegex = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '/' && (inRegex || current.trim() === 'pattern=')) inRegex = !inRegex;
    if (c === ',' && !inRegex) {
      if (current.trim() !== '') items.push(current.trim());
      current = '';
    } else current += c;
  }
  if (current.trim() !== '') items.push(current.trim());
  return items;
}

function splitOnce(value: string, sep: string): [string, string | undefined] {
  const i = value.indexOf(sep);
  return i < 0 ? [value, undefined] : [value.slice(0, i), value.slice(i + 1)];
}

function noSecond(source: string, key: string, second: string | undefined): void {
  if (second !== undefined) throw faultError(source, `${key} takes only a probability`);
}

function num(source: string, what: string, text: string): number {
  const value = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw faultError(source, `${what}: not a number: ${JSON.stringify(text)}`);
  return value;
}

/**
 * Checks a spec object (from JSON or {@link parseFaultSpec}): probabilities in [0, 1] summing to ≤ 1,
 * durations 0-24 h, 5xx status in 500-599, outages with 0 ≤ from < to lasting at most 24 h, a glob pattern
 * (url-pattern.ts).
 */
export function checkFaultSpec(spec: unknown, source = 'fault spec'): FaultSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw faultError(source, 'a fault spec must be an object');
  const s = spec as Record<string, unknown>;
  const known = ['notFound', 'serverError', 'reset', 'stall', 'spike', 'outages', 'pattern', 'firstRequests'];
  for (const key of Object.keys(s))
    if (!known.includes(key))
      throw faultError(source, `unknown key ${JSON.stringify(key)}: expected one of ${known.join(', ')}`);
  let total = 0;
  const probability = (key: string, needMs: boolean): void => {
    const v = s[key];
    if (v === undefined) return;
    if (typeof v !== 'object' || v === null) throw faultError(source, `${key} must be an object`);
    const o = v as Record<string, unknown>;
    const p = o.probability;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1))
      throw faultError(source, `${key}.probability must be a number in [0, 1], got ${String(p)}`);
    total += p;
    if (needMs && (typeof o.ms !== 'number' || !(o.ms >= 0 && o.ms <= MAX_FAULT_DELAY_MS)))
      throw faultError(
        source,
        `${key}.ms must be a number of ms in [0, ${MAX_FAULT_DELAY_MS}] (24 h), got ${String(o.ms)}`,
      );
  };
  probability('notFound', false);
  probability('serverError', false);
  probability('reset', false);
  probability('stall', true);
  probability('spike', true);
  if (total > 1 + 1e-12) throw faultError(source, `the probabilities sum to ${total}, more than 1`);
  const status = (s.serverError as { status?: unknown } | undefined)?.status;
  if (
    status !== undefined &&
    !(typeof status === 'number' && Number.isInteger(status) && status >= 500 && status <= 599)
  )
    throw faultError(
      source,
      `serverError.status must be an integer in 500-599, got ${JSON.stringify(status)}`,
    );
  if (s.outages !== undefined) {
    if (!Array.isArray(s.outages)) throw faultError(source, 'outages must be an array');
    if (s.outages.length > MAX_OUTAGES)
      throw faultError(source, `${s.outages.length} outages, more than ${MAX_OUTAGES}`);
    for (const o of s.outages as unknown[]) {
      const w = o as { fromMs?: unknown; toMs?: unknown } | null;
      if (
        typeof w?.fromMs !== 'number' ||
        typeof w.toMs !== 'number' ||
        !(w.fromMs >= 0) ||
        !(w.toMs > w.fromMs) ||
        !Number.isFinite(w.toMs)
      )
        throw faultError(source, `an outage needs 0 ≤ fromMs < toMs, got ${JSON.stringify(o)}`);
      // an outage holds every request in it: an endless one would hang them all
      if (w.toMs - w.fromMs > MAX_FAULT_DELAY_MS)
        throw faultError(
          source,
          `an outage lasts at most ${MAX_FAULT_DELAY_MS} ms (24 h), got ${JSON.stringify(o)}`,
        );
    }
  }
  if (
    s.firstRequests !== undefined &&
    !(typeof s.firstRequests === 'number' && Number.isInteger(s.firstRequests) && s.firstRequests >= 1)
  )
    throw faultError(source, `firstRequests must be an integer ≥ 1, got ${JSON.stringify(s.firstRequests)}`);
  if (s.pattern !== undefined) {
    if (typeof s.pattern !== 'string' || s.pattern === '')
      throw faultError(source, 'pattern must be a non-empty string');
    compilePattern(s.pattern, source);
  }
  return s;
}

/** A URL matcher from a glob (url-pattern.ts), linear in the URL's length. */
function compilePattern(pattern: string, source: string): (url: string) => boolean {
  const parsed = parseUrlPattern(pattern);
  if (!parsed.ok) throw faultError(source, parsed.problem);
  return parsed.pattern.test;
}

/** Builds the plan that decides each request's fault from `seed`. */
export function createFaultPlan(spec: FaultSpec, seed = 0, source = 'fault spec'): FaultPlan {
  checkFaultSpec(spec, source);
  const matches = spec.pattern === undefined ? () => true : compilePattern(spec.pattern, source);
  const outages = [...(spec.outages ?? [])].sort((a, b) => a.fromMs - b.fromMs);
  // requests so far per URL, keyed by a 53-bit hash of it and bounded (oldest URL forgotten first), so
  // that a client asking for endless distinct URLs cannot grow the server's memory
  const counts = new Map<number, number>();
  const pNotFound = spec.notFound?.probability ?? 0;
  const pServer = spec.serverError?.probability ?? 0;
  const pReset = spec.reset?.probability ?? 0;
  const pStall = spec.stall?.probability ?? 0;
  const pSpike = spec.spike?.probability ?? 0;
  return {
    spec,
    outages,
    decide(url, bodyBytes) {
      if (!matches(url)) return null;
      const key = urlKey(url);
      const n = counts.get(key) ?? 0;
      counts.delete(key); // re-inserted last: the map's order is least recently requested first
      counts.set(key, n + 1);
      if (counts.size > MAX_COUNTED_URLS) counts.delete(counts.keys().next().value!);
      const rng = createRng(mixSeed(seed, url, n));
      const u = rng.next();
      const at = Math.floor(bodyBytes * rng.uniform(0.1, 0.9));
      if (spec.firstRequests !== undefined && n >= spec.firstRequests) return null;
      let edge = pNotFound;
      if (u < edge) return { kind: 'http', status: 404 };
      if (u < (edge += pServer)) return { kind: 'http', status: spec.serverError?.status ?? 500 };
      if (u < (edge += pReset)) return { kind: 'reset', atByte: at };
      if (u < (edge += pStall)) return { kind: 'stall', atByte: at, ms: spec.stall?.ms ?? 0 };
      if (u < edge + pSpike) return { kind: 'spike', ms: spec.spike?.ms ?? 0 };
      return null;
    },
    outageEndAt(tMs) {
      let end: number | null = null;
      for (const o of outages) {
        const from = end ?? tMs;
        if (o.fromMs <= from && from < o.toMs) end = o.toMs;
      }
      return end;
    },
  };
}

/** Two FNV-1a hashes of the URL (different offset bases) as one 53-bit number. */
function urlKey(url: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/** FNV-1a over the URL, mixed with the seed and the occurrence count: a 32-bit seed for this draw. */
function mixSeed(seed: number, url: string, occurrence: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < url.length; i++) {
    h ^= url.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= Math.imul(occurrence + 1, 0x9e3779b1);
  return (h ^ Math.imul(Math.trunc(seed) | 0, 0x85ebca6b)) >>> 0;
}

function faultError(source: string, problem: string, cause?: unknown): AbrkitError {
  return new AbrkitError('config', 'FAULT_SPEC_INVALID', `bad fault spec: ${problem}`, {
    data: { source },
    cause,
  });
}
