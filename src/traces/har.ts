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
import { round3, withinTraceLimits } from './samples.js';
import { traceNameFromPath } from './text.js';
import { TRACE_LIMITS, validateTrace } from './validate.js';

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
  /**
   * Called as the entries are read (every {@link HAR_PROGRESS_EVERY} entries and once at the end) with the
   * entries done and the total, for a progress display on large files.
   */
  readonly onProgress?: (doneEntries: number, totalEntries: number) => void;
}

/** Entries between two `onProgress` calls. */
export const HAR_PROGRESS_EVERY = 10_000;

/**
 * A media entry whose `startedDateTime` is more than this from the median of the media entries' is an
 * outlier (a clock set to 1970, a date typed as 2999): it is skipped with a warning, so it cannot stretch
 * the trace over decades. 24 hours.
 */
export const HAR_OUTLIER_MS = 24 * 3600 * 1000;

/** Longest `timings.receive` of one entry, ms (24 hours): longer is refused naming the entry. */
export const HAR_MAX_RECEIVE_MS = 24 * 3600 * 1000;

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
  /** What the reader changed or left out that a user should hear about (outlier dates, crawls read as outages). */
  readonly warnings: readonly string[];
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
  const total = entries.length;
  entries.forEach((item: unknown, index: number) => {
    if (options.onProgress !== undefined && index > 0 && index % HAR_PROGRESS_EVERY === 0) {
      options.onProgress(index, total);
    }
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
    if (latencyMs > TRACE_LIMITS.maxLatencyMs) {
      throw fail(
        `blocked + dns + connect + send + wait is ${latencyMs} ms, above the ${TRACE_LIMITS.maxLatencyMs} ms limit on a latency`,
        RECORDING_ERROR_CODES.badValue,
      );
    }
    const receiveMs = timing(timings.receive, 'receive', false, fail);
    if (receiveMs > HAR_MAX_RECEIVE_MS) {
      throw fail(
        `timings.receive ${JSON.stringify(timings.receive)} ms is more than ${HAR_MAX_RECEIVE_MS} ms (24 h)`,
        RECORDING_ERROR_CODES.badValue,
      );
    }
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
    const kbps = (sizeBytes * 8) / receiveMs;
    if (!(kbps <= TRACE_LIMITS.maxBandwidthKbps)) {
      throw fail(
        `${sizeBytes} body bytes in timings.receive ${receiveMs} ms is ${kbps} kbps, above the ` +
          `${TRACE_LIMITS.maxBandwidthKbps} kbps limit (check response.bodySize, _transferSize, content.size)`,
        RECORDING_ERROR_CODES.badValue,
      );
    }
    absolute.push({ entry: index, url, startedMs, latencyMs, receiveMs, sizeBytes });
  });
  options.onProgress?.(total, total);
  const warnings: string[] = [];
  const kept = dropOutliers(absolute, skipped, warnings);
  for (const a of kept) originMs = Math.min(originMs, a.startedMs);
  absolute.length = 0;
  for (const a of kept) absolute.push(a);
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
  const { periods, crawls } = withinTraceLimits(sharedLinkPeriods(raw));
  if (periods.length === 0) {
    throw recordingError(
      RECORDING_ERROR_CODES.noMedia,
      `the ${raw.length} usable media entr${raw.length === 1 ? 'y lasts' : 'ies last'} less than 1 µs in all ` +
        '(timings.receive, from request start to last byte): no time to make a trace of',
      source,
    );
  }
  if (crawls > 0) {
    warnings.push(
      `${crawls} period(s) slower than ${TRACE_LIMITS.minBandwidthKbps} kbps read as outages (0 kbps)`,
    );
  }
  const trace = validateTrace({ name, periods }, source);
  return { trace, downloads: raw, skipped, otherEntries, warnings };
}

interface AbsoluteEntry {
  readonly entry: number;
  readonly url: string;
  readonly startedMs: number;
  readonly latencyMs: number;
  readonly receiveMs: number;
  readonly sizeBytes: number;
}

/**
 * The entries within {@link HAR_OUTLIER_MS} of the median start; the others go to `skipped` with a reason
 * and one warning names them.
 */
function dropOutliers(
  entries: readonly AbsoluteEntry[],
  skipped: { entry: number; reason: string }[],
  warnings: string[],
): AbsoluteEntry[] {
  if (entries.length === 0) return [];
  const starts = entries.map((e) => e.startedMs).sort((a, b) => a - b);
  const medianMs = starts[Math.floor((starts.length - 1) / 2)]!;
  const kept: AbsoluteEntry[] = [];
  const outliers: number[] = [];
  for (const e of entries) {
    if (Math.abs(e.startedMs - medianMs) <= HAR_OUTLIER_MS) {
      kept.push(e);
      continue;
    }
    outliers.push(e.entry);
    skipped.push({
      entry: e.entry,
      reason: `dated far from the others: startedDateTime ${new Date(e.startedMs).toISOString()} is more than 24 h from the other entries'`,
    });
  }
  if (outliers.length > 0) {
    const listed = outliers.slice(0, 5).join(', ') + (outliers.length > 5 ? ', ...' : '');
    warnings.push(
      `${outliers.length} media entr${outliers.length === 1 ? 'y' : 'ies'} (${listed}) dated more than 24 h ` +
        `from the median ${new Date(medianMs).toISOString()} skipped as clock outliers`,
    );
  }
  return kept;
}

/**
 * Periods of one link shared by possibly overlapping downloads (step 3 of the file comment), from time 0
 * to the last byte. Exported for tests.
 */
export function sharedLinkPeriods(downloads: readonly HarDownload[]): TracePeriod[] {
  const times = [0];
  for (const d of downloads) times.push(d.firstByteMs, d.endMs);
  times.sort((a, b) => a - b);
  let unique = 0;
  for (let i = 0; i < times.length; i++) {
    if (i === 0 || times[i] !== times[unique - 1]) times[unique++] = times[i]!;
  }
  times.length = unique;
  // A sweep over the cut times: `active` holds the downloads receiving in the current stretch (first byte at
  // or before its start, last byte after it), in the order of `downloads` so the rates add up in the same
  // order whatever the sweep; it stays as small as the number of parallel downloads, so the sweep is
  // O(n log n + n × parallel), not O(n²).
  const byFirstByte = downloads
    .map((_, i) => i)
    .sort((a, b) => downloads[a]!.firstByteMs - downloads[b]!.firstByteMs);
  let nextToAdd = 0;
  let active: number[] = [];
  const stretches: { durationMs: number; kbps: number | null; latencyMs: number | null }[] = [];
  for (let i = 0; i + 1 < times.length; i++) {
    const from = times[i]!;
    const to = times[i + 1]!;
    while (nextToAdd < byFirstByte.length && downloads[byFirstByte[nextToAdd]!]!.firstByteMs <= from) {
      insertSorted(active, byFirstByte[nextToAdd]!);
      nextToAdd++;
    }
    if (active.some((k) => downloads[k]!.endMs <= from)) {
      active = active.filter((k) => downloads[k]!.endMs > from);
    }
    let kbps = 0;
    let latest: HarDownload | null = null;
    for (const k of active) {
      const d = downloads[k]!;
      kbps += (d.sizeBytes * 8) / (d.endMs - d.firstByteMs);
      if (latest === null || d.firstByteMs > latest.firstByteMs) latest = d;
    }
    stretches.push({
      durationMs: to - from,
      kbps: latest !== null ? kbps : null,
      latencyMs: latest === null ? null : latest.firstByteMs - latest.startMs,
    });
  }
  // Idle stretches take the next measured stretch's bandwidth and the next download's latency; built from
  // the end, equal neighbours merged.
  let nextKbps = 0;
  let nextLatencyMs = 0;
  const reversed: TracePeriod[] = [];
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
    const after = reversed[reversed.length - 1];
    if (
      after !== undefined &&
      round3(after.bandwidthKbps) === round3(period.bandwidthKbps) &&
      round3(after.latencyMs) === round3(period.latencyMs)
    ) {
      reversed[reversed.length - 1] = { ...after, durationMs: after.durationMs + period.durationMs };
    } else {
      reversed.push(period);
    }
  }
  return reversed
    .reverse()
    .map((p) => ({
      durationMs: round3(p.durationMs),
      bandwidthKbps: round3(p.bandwidthKbps),
      latencyMs: round3(p.latencyMs),
    }))
    .filter((p) => p.durationMs > 0);
}

/** Inserts `k` into the ascending `list` (binary search). */
function insertSorted(list: number[], k: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, k);
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

/** "2 status 404, 1 clock outlier": how many entries were skipped for each reason. */
export function summarizeSkips(skipped: readonly { reason: string }[]): string {
  if (skipped.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const s of skipped) {
    // Grouped by what comes before a colon (the details after it differ per entry).
    const reason = s.reason.split(':')[0] ?? s.reason;
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
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
