/**
 * A network trace from a HAR 1.2 file (Chrome DevTools "Save all as HAR", http://www.softwareishard.com/blog/har-12-spec/)
 * of a real streaming session: `abrkit trace from-har`.
 *
 * Method:
 * 1. Entries: only media segments count (URL path ending in .m4s/.mp4/.m4v/.m4a/.ts/.aac/.cmfv/.cmfa/.webm,
 *    or a video/*, audio/*, application/mp4 or video/mp2t response; `match` overrides this with a regular
 *    expression on the URL). Playlists, pages and scripts are left out. Skipped as nothing was measured on
 *    the network: failed responses (status outside 200-299, 0 = aborted/blocked), entries served from a cache
 *    (`_fromCache`, `cache.beforeRequest`/`afterRequest` hits, a 304), and entries with no body bytes or no
 *    receive time.
 * 2. Each entry's request starts at `startedDateTime`; its latency is blocked + dns + connect + send + wait
 *    (`ssl` is inside `connect` per the spec; -1, "does not apply", counts as 0), and its body arrives during
 *    `receive` right after. Body bytes: `bodySize`, else `_transferSize` minus `headersSize`, else
 *    `content.size` (the first that is > 0).
 * 3. Downloads in flight at the same time share one link, so in each stretch of time the link's bandwidth is
 *    the SUM of the rates (bytes over receive time) of the downloads receiving then; each download's bytes
 *    are taken as spread evenly over its receive time. Time with nothing receiving (latency, idle) gets the
 *    bandwidth of the next stretch (nothing was measured then, the convention of `traceFromSamples`).
 *    Each period's latency is that of the download whose bytes started last at or before it (the next one's
 *    for idle time). Consecutive stretches with the same bandwidth and latency are merged.
 * 4. The trace starts at the first media request and ends with the last byte of the last one.
 *
 * Bad input (not JSON, not a HAR, an entry with a bad date or a negative time, no usable media entry)
 * throws `AbrkitError('trace', ...)` naming the file and, for an entry, its 0-based index in `log.entries`
 * (`data.entry`).
 */
import { AbrkitError } from '../core/errors.js';
import type { NetworkTrace, TracePeriod } from './model.js';
import { round3 } from './samples.js';
import { traceNameFromPath } from './text.js';

/** Stable codes of the HAR and session-export readers' errors (category `'trace'`). */
export const RECORDING_ERROR_CODES = {
  /** Text that does not parse as JSON. */
  badJson: 'TRACE_BAD_JSON',
  /** JSON that is not the expected shape (a HAR's `log.entries`, an exported session's `trace`/`records`). */
  badShape: 'TRACE_BAD_RECORDING',
  /** An entry or record with a bad date, a negative or non-finite time or size. */
  badValue: 'TRACE_BAD_VALUE',
  /** Nothing usable: no media entry with bytes and receive time, no download in the session. */
  noMedia: 'TRACE_NO_MEDIA',
} as const;

export type RecordingErrorCode = (typeof RECORDING_ERROR_CODES)[keyof typeof RECORDING_ERROR_CODES];

export function recordingError(
  code: RecordingErrorCode,
  message: string,
  source: string,
  extra: Record<string, unknown> = {},
): AbrkitError {
  return new AbrkitError('trace', code, message, { data: { ...extra, source } });
}

export interface HarReadOptions {
  /** Trace name (default: the file name minus `.har`/`.json`). */
  readonly name?: string;
  /** Media entries are those whose URL matches this, instead of the extension / MIME type rule. */
  readonly match?: RegExp;
}

/** One media download taken from a HAR entry, times in ms since the first media request. */
export interface HarDownload {
  /** 0-based index in `log.entries`. */
  readonly entry: number;
  readonly url: string;
  readonly startMs: number;
  readonly firstByteMs: number;
  readonly endMs: number;
  readonly sizeBytes: number;
}

/** What {@link parseHarTrace} read, besides the trace. */
export interface HarReadResult {
  readonly trace: NetworkTrace;
  readonly downloads: readonly HarDownload[];
  /** Media entries left out, with why. */
  readonly skipped: readonly { readonly entry: number; readonly reason: string }[];
  /** Entries that are not media (playlists, pages, ...). */
  readonly otherEntries: number;
}

const MEDIA_PATH = /\.(?:m4s|mp4|m4v|m4a|ts|aac|cmfv|cmfa|webm)$/i;
const MEDIA_MIME = /^(?:video\/|audio\/|application\/mp4)/i;
const LATENCY_TIMINGS = ['blocked', 'dns', 'connect', 'send', 'wait'] as const;

/** Reads a HAR file's text into a trace (see the file comment for the method). */
export function parseHarTrace(text: string, source: string, options: HarReadOptions = {}): HarReadResult {
  const json = parseJson(text, source);
  const log = isObject(json) ? json.log : undefined;
  const entries = isObject(log) ? log.entries : undefined;
  if (!Array.isArray(entries)) {
    throw recordingError(
      RECORDING_ERROR_CODES.badShape,
      'not a HAR file: expected a JSON object {"log": {"entries": [...]}}',
      source,
    );
  }
  const raw: HarDownload[] = [];
  const skipped: { entry: number; reason: string }[] = [];
  let otherEntries = 0;
  let originMs = Number.POSITIVE_INFINITY;
  const absolute: {
    entry: number;
    url: string;
    startedMs: number;
    latencyMs: number;
    receiveMs: number;
    sizeBytes: number;
  }[] = [];
  entries.forEach((item: unknown, index: number) => {
    const fail = (message: string, code: RecordingErrorCode = RECORDING_ERROR_CODES.badShape): AbrkitError =>
      recordingError(code, `entry ${index}: ${message}`, source, { entry: index });
    if (!isObject(item)) throw fail('expected an object');
    const request = item.request;
    const response = item.response;
    if (!isObject(request) || typeof request.url !== 'string') throw fail('missing request.url');
    if (!isObject(response)) throw fail('missing response');
    const url = request.url;
    if (!isMedia(url, response, options.match)) {
      otherEntries++;
      return;
    }
    if (typeof item.startedDateTime !== 'string') throw fail('missing startedDateTime');
    const startedMs = Date.parse(item.startedDateTime);
    if (!Number.isFinite(startedMs))
      throw fail(
        `startedDateTime is not an ISO 8601 date: ${JSON.stringify(item.startedDateTime.slice(0, 40))}`,
        RECORDING_ERROR_CODES.badValue,
      );
    const timings = item.timings;
    if (!isObject(timings)) throw fail('missing timings');
    let latencyMs = 0;
    for (const key of LATENCY_TIMINGS) {
      const value = timings[key];
      if (value === undefined && (key === 'blocked' || key === 'dns' || key === 'connect')) continue;
      latencyMs += timing(value, key, key === 'blocked' || key === 'dns' || key === 'connect', fail);
    }
    const receiveMs = timing(timings.receive, 'receive', false, fail);
    const status = response.status;
    if (typeof status !== 'number' || status < 200 || status > 299) {
      skipped.push({ entry: index, reason: `status ${String(status)}` });
      return;
    }
    if (fromCache(item)) {
      skipped.push({ entry: index, reason: 'served from a cache' });
      return;
    }
    const sizeBytes = bodyBytes(response, fail);
    if (sizeBytes <= 0) {
      skipped.push({ entry: index, reason: 'no body bytes' });
      return;
    }
    if (receiveMs <= 0) {
      skipped.push({ entry: index, reason: 'no receive time' });
      return;
    }
    originMs = Math.min(originMs, startedMs);
    absolute.push({ entry: index, url, startedMs, latencyMs, receiveMs, sizeBytes });
  });
  if (absolute.length === 0) {
    throw recordingError(
      RECORDING_ERROR_CODES.noMedia,
      `no usable media entry among ${entries.length} entries (${skipped.length} media entries skipped: ` +
        `${summarizeSkips(skipped)})`,
      source,
    );
  }
  for (const a of absolute) {
    const startMs = a.startedMs - originMs;
    const firstByteMs = startMs + a.latencyMs;
    raw.push({
      entry: a.entry,
      url: a.url,
      startMs,
      firstByteMs,
      endMs: firstByteMs + a.receiveMs,
      sizeBytes: a.sizeBytes,
    });
  }
  raw.sort((a, b) => a.startMs - b.startMs || a.entry - b.entry);
  const name = options.name ?? traceNameFromPath(source).replace(/\.har$/i, '');
  return { trace: { name, periods: sharedLinkPeriods(raw) }, downloads: raw, skipped, otherEntries };
}

/**
 * Periods of one link shared by possibly overlapping downloads (step 3 of the file comment), from time 0
 * to the last byte. Exported for tests.
 */
export function sharedLinkPeriods(downloads: readonly HarDownload[]): TracePeriod[] {
  const cuts = new Set<number>([0]);
  for (const d of downloads) {
    cuts.add(d.firstByteMs);
    cuts.add(d.endMs);
  }
  const times = [...cuts].sort((a, b) => a - b);
  // Stretches between consecutive cut times: the summed rate of the downloads receiving then.
  const stretches: { durationMs: number; kbps: number | null; latencyMs: number | null }[] = [];
  for (let i = 0; i + 1 < times.length; i++) {
    const from = times[i]!;
    const to = times[i + 1]!;
    let kbps = 0;
    let active = false;
    let latest: HarDownload | null = null;
    for (const d of downloads) {
      if (d.firstByteMs <= from && d.endMs >= to) {
        active = true;
        kbps += (d.sizeBytes * 8) / (d.endMs - d.firstByteMs);
        if (latest === null || d.firstByteMs > latest.firstByteMs) latest = d;
      }
    }
    stretches.push({
      durationMs: to - from,
      kbps: active ? kbps : null,
      latencyMs: latest === null ? null : latest.firstByteMs - latest.startMs,
    });
  }
  // Idle stretches take the next measured stretch's bandwidth and the next download's latency.
  let nextKbps = 0;
  let nextLatencyMs = 0;
  const periods: TracePeriod[] = [];
  for (let i = stretches.length - 1; i >= 0; i--) {
    const s = stretches[i]!;
    if (s.kbps !== null) {
      nextKbps = s.kbps;
      nextLatencyMs = s.latencyMs ?? 0;
    }
    const period: TracePeriod = {
      durationMs: s.durationMs,
      bandwidthKbps: s.kbps ?? nextKbps,
      latencyMs: s.kbps === null ? nextLatencyMs : (s.latencyMs ?? 0),
    };
    const after = periods[0];
    if (
      after !== undefined &&
      round3(after.bandwidthKbps) === round3(period.bandwidthKbps) &&
      round3(after.latencyMs) === round3(period.latencyMs)
    ) {
      periods[0] = { ...after, durationMs: after.durationMs + period.durationMs };
    } else {
      periods.unshift(period);
    }
  }
  return periods
    .map((p) => ({
      durationMs: round3(p.durationMs),
      bandwidthKbps: round3(p.bandwidthKbps),
      latencyMs: round3(p.latencyMs),
    }))
    .filter((p) => p.durationMs > 0);
}

function isMedia(url: string, response: Record<string, unknown>, match: RegExp | undefined): boolean {
  if (match !== undefined) return match.test(url);
  const path = url.replace(/[?#].*$/, '');
  if (/\.(?:m3u8|mpd)$/i.test(path)) return false;
  if (MEDIA_PATH.test(path)) return true;
  const content = response.content;
  const mime = isObject(content) && typeof content.mimeType === 'string' ? content.mimeType : '';
  return MEDIA_MIME.test(mime) || /^video\/mp2t/i.test(mime);
}

function fromCache(item: Record<string, unknown>): boolean {
  if (item._fromCache !== undefined && item._fromCache !== false) return true;
  const response = item.response as Record<string, unknown>;
  if (response.status === 304) return true;
  const cache = item.cache;
  return isObject(cache) && (isObject(cache.beforeRequest) || isObject(cache.afterRequest));
}

function bodyBytes(
  response: Record<string, unknown>,
  fail: (m: string, c?: RecordingErrorCode) => AbrkitError,
): number {
  const numberAt = (value: unknown, what: string): number => {
    if (value === undefined || value === null || value === -1) return 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw fail(
        `${what} must be a number >= 0 (or -1), got ${JSON.stringify(value)}`,
        RECORDING_ERROR_CODES.badValue,
      );
    return value;
  };
  const body = numberAt(response.bodySize, 'response.bodySize');
  if (body > 0) return body;
  const transfer = numberAt(response._transferSize, 'response._transferSize');
  const headers = numberAt(response.headersSize, 'response.headersSize');
  if (transfer - headers > 0) return transfer - headers;
  const content = response.content;
  return isObject(content) ? numberAt(content.size, 'response.content.size') : 0;
}

function timing(
  value: unknown,
  key: string,
  optional: boolean,
  fail: (m: string, c?: RecordingErrorCode) => AbrkitError,
): number {
  if (optional && value === -1) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw fail(
      `timings.${key} must be a finite number >= 0${optional ? ' (or -1)' : ''}, got ${JSON.stringify(value)}`,
      RECORDING_ERROR_CODES.badValue,
    );
  }
  return value;
}

function summarizeSkips(skipped: readonly { reason: string }[]): string {
  if (skipped.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason}`).join(', ');
}

/** `JSON.parse` with a typed error naming the file. */
export function parseJson(text: string, source: string): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') throw recordingError(RECORDING_ERROR_CODES.badJson, 'the file is empty', source);
  try {
    return JSON.parse(body) as unknown;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw recordingError(RECORDING_ERROR_CODES.badJson, `not valid JSON: ${message}`, source);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
