/**
 * Faults that belong to live streams, for the shaping server's live mode (live.ts). Seeded and replayable,
 * like the VOD faults of faults.ts (which still apply on top of these).
 *
 * Compact spec (comma-separated `key=value`, for `abrkit serve --live --live-faults`):
 * - `stale=A-B`            the media playlists stop advancing during live time [A, B) ms (ms since the server
 *                          started; repeatable): every reload in the window gets the playlist as it was at A
 * - `playlist5xx=P[:STATUS]` a media playlist request answers a 5xx (default 503) with probability P
 * - `edge404=P[:MS]`       a segment is missing at the edge with probability P (drawn once per playlist and
 *                          media sequence number): it is listed, but answers 404 until MS ms (default: its
 *                          duration) after it became available
 * e.g. `stale=20000-28000,stale=90000-95000,playlist5xx=0.05,edge404=0.1`.
 *
 * JSON: a {@link LiveFaultSpec} object, e.g. `{"stale": [{"fromMs": 20000, "toMs": 28000}],
 * "playlistError": {"probability": 0.05, "status": 503}, "edgeMissing": {"probability": 0.1, "ms": 2000}}`.
 *
 * Replay: a playlist 5xx of the n-th request of a playlist URL path is drawn from `mix(seed, path, n)`; a
 * missing edge segment from `mix(seed, path, msn)`, so the same seed misses the same segments whoever asks.
 */
import { AbrkitError } from '../core/errors.js';
import { createRng } from '../traces/random.js';
import { MAX_FAULT_DELAY_MS, MAX_OUTAGES } from './faults.js';

export interface LiveFaultSpec {
  /** Windows of live time (ms since the server started) in which the media playlists do not advance. */
  readonly stale?: readonly { readonly fromMs: number; readonly toMs: number }[];
  /** A media playlist request answers `status` (default 503) with this probability. */
  readonly playlistError?: { readonly probability: number; readonly status?: number };
  /** A segment is listed but missing for `ms` (default: its duration) after it became available. */
  readonly edgeMissing?: { readonly probability: number; readonly ms?: number };
}

/** A live fault as logged in the request log's `fault`. */
export type LiveFaultDecision =
  /** The playlist served is the one of `frozenForMs` ago (a stale window holds it). */
  | { readonly kind: 'stale'; readonly frozenForMs: number }
  /** An injected playlist 5xx. */
  | { readonly kind: 'http'; readonly status: number }
  /** Segment `msn` is missing at the edge (404 although listed). */
  | { readonly kind: 'edge-404'; readonly msn: number };

const KEYS = ['stale', 'playlist5xx', 'edge404'] as const;

/** Parses a compact live fault spec. Throws `AbrkitError('config', 'FAULT_SPEC_INVALID')` naming `source`. */
export function parseLiveFaultSpec(text: string, source = 'live fault spec'): LiveFaultSpec {
  const stale: { fromMs: number; toMs: number }[] = [];
  const spec: { -readonly [K in keyof LiveFaultSpec]: LiveFaultSpec[K] } = {};
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw liveFaultError(source, 'empty live fault spec');
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) throw liveFaultError(source, `expected key=value, got ${JSON.stringify(item)}`);
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    const colon = value.indexOf(':');
    const first = colon < 0 ? value : value.slice(0, colon);
    const second = colon < 0 ? undefined : value.slice(colon + 1);
    switch (key) {
      case 'stale': {
        const m = /^([0-9.eE+]+)\s*-\s*([0-9.eE+]+)$/.exec(value);
        if (!m) throw liveFaultError(source, `stale needs A-B in ms, got ${JSON.stringify(value)}`);
        stale.push({ fromMs: num(source, key, m[1] ?? ''), toMs: num(source, key, m[2] ?? '') });
        break;
      }
      case 'playlist5xx':
        spec.playlistError = {
          probability: num(source, key, first),
          ...(second === undefined ? {} : { status: num(source, `${key} status`, second) }),
        };
        break;
      case 'edge404':
        spec.edgeMissing = {
          probability: num(source, key, first),
          ...(second === undefined ? {} : { ms: num(source, `${key} ms`, second) }),
        };
        break;
      default:
        throw liveFaultError(
          source,
          `unknown key ${JSON.stringify(key)}: expected one of ${KEYS.join(', ')}`,
        );
    }
  }
  if (stale.length > 0) spec.stale = stale;
  return checkLiveFaultSpec(spec, source);
}

function num(source: string, what: string, text: string): number {
  const value = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw liveFaultError(source, `${what}: not a number: ${JSON.stringify(text)}`);
  return value;
}

/** Checks a spec object (from JSON or {@link parseLiveFaultSpec}); returns it. */
export function checkLiveFaultSpec(spec: unknown, source = 'live fault spec'): LiveFaultSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw liveFaultError(source, 'a live fault spec must be an object');
  const s = spec as Record<string, unknown>;
  const known = ['stale', 'playlistError', 'edgeMissing'];
  for (const key of Object.keys(s))
    if (!known.includes(key))
      throw liveFaultError(source, `unknown key ${JSON.stringify(key)}: expected one of ${known.join(', ')}`);
  const probabilityOf = (key: string): Record<string, unknown> | undefined => {
    const v = s[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null) throw liveFaultError(source, `${key} must be an object`);
    const o = v as Record<string, unknown>;
    if (typeof o.probability !== 'number' || !(o.probability >= 0 && o.probability <= 1))
      throw liveFaultError(
        source,
        `${key}.probability must be a number in [0, 1], got ${String(o.probability)}`,
      );
    return o;
  };
  const error = probabilityOf('playlistError');
  if (
    error?.status !== undefined &&
    !(
      typeof error.status === 'number' &&
      Number.isInteger(error.status) &&
      error.status >= 500 &&
      error.status <= 599
    )
  )
    throw liveFaultError(
      source,
      `playlistError.status must be an integer in 500-599, got ${JSON.stringify(error.status)}`,
    );
  const missing = probabilityOf('edgeMissing');
  if (
    missing?.ms !== undefined &&
    !(typeof missing.ms === 'number' && missing.ms >= 0 && missing.ms <= MAX_FAULT_DELAY_MS)
  )
    throw liveFaultError(
      source,
      `edgeMissing.ms must be a number of ms in [0, ${MAX_FAULT_DELAY_MS}], got ${JSON.stringify(missing.ms)}`,
    );
  if (s.stale !== undefined) {
    if (!Array.isArray(s.stale)) throw liveFaultError(source, 'stale must be an array');
    if (s.stale.length > MAX_OUTAGES)
      throw liveFaultError(source, `${s.stale.length} stale windows, more than ${MAX_OUTAGES}`);
    for (const w of s.stale) {
      const o = w as { fromMs?: unknown; toMs?: unknown } | null;
      if (
        typeof o?.fromMs !== 'number' ||
        typeof o.toMs !== 'number' ||
        !(o.fromMs >= 0) ||
        !(o.toMs > o.fromMs) ||
        !Number.isFinite(o.toMs)
      )
        throw liveFaultError(source, `a stale window needs 0 ≤ fromMs < toMs, got ${JSON.stringify(w)}`);
    }
  }
  return s;
}

/** Decides the live faults of requests; all times in live ms since the server started. */
export interface LiveFaultPlan {
  /** The start of the stale window holding `liveMs`, or null (windows that touch chain into one). */
  staleSince(liveMs: number): number | null;
  /** The status of an injected playlist error for this request of `path`, or null. Advances its count. */
  playlistError(path: string): number | null;
  /** How long segment `msn` of the playlist at `path` stays missing after it became available (0: never). */
  edgeMissingMs(path: string, msn: number, durationMs: number): number;
}

/** At most this many playlist paths keep request counts (a client cannot grow the server's memory). */
const MAX_COUNTED_PATHS = 10_000;

export function createLiveFaultPlan(spec: LiveFaultSpec, seed = 0): LiveFaultPlan {
  const windows = [...(spec.stale ?? [])].sort((a, b) => a.fromMs - b.fromMs);
  const counts = new Map<string, number>();
  return {
    staleSince(liveMs) {
      let since: number | null = null;
      let end = Number.NEGATIVE_INFINITY;
      for (const w of windows) {
        if (w.fromMs > liveMs) break;
        if (since === null || w.fromMs > end) since = w.fromMs;
        end = Math.max(end, w.toMs);
      }
      return since !== null && liveMs < end ? since : null;
    },
    playlistError(path) {
      const p = spec.playlistError?.probability ?? 0;
      if (p === 0) return null;
      const n = counts.get(path) ?? 0;
      counts.delete(path);
      counts.set(path, n + 1);
      if (counts.size > MAX_COUNTED_PATHS) counts.delete(counts.keys().next().value!);
      return createRng(mix(seed, path, n)).next() < p ? (spec.playlistError?.status ?? 503) : null;
    },
    edgeMissingMs(path, msn, durationMs) {
      const p = spec.edgeMissing?.probability ?? 0;
      if (p === 0) return 0;
      // a stream distinct from the playlist errors' (those mix the request count, these the msn)
      const u = createRng(mix(seed ^ 0x5bd1e995, path, msn)).next();
      return u < p ? (spec.edgeMissing?.ms ?? durationMs) : 0;
    },
  };
}

/** FNV-1a over `text`, mixed with the seed and a number: a 32-bit seed for one draw. */
function mix(seed: number, text: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= Math.imul(n + 1, 0x9e3779b1);
  return (h ^ Math.imul(Math.trunc(seed) | 0, 0x85ebca6b)) >>> 0;
}

function liveFaultError(source: string, problem: string): AbrkitError {
  return new AbrkitError('config', 'FAULT_SPEC_INVALID', `bad live fault spec: ${problem}`, {
    data: { source },
  });
}
