/**
 * A network trace from an exported player session (`JSON.stringify(player.exportSession())`, the
 * `SessionExport` of src/player/recorder.ts): `abrkit trace from-session`.
 *
 * The export's `trace` is already the observed throughput, built by {@link traceFromSamples} from the video
 * downloads the player's estimators saw (one period per download, ending with its last byte, transfer
 * throughput as bandwidth, time to first byte as latency); it is checked and used as is. An export without
 * `trace` (hand-edited, or cut down to the per-segment log) falls back to its `records`: each segment's
 * download becomes a sample of `sizeBytes` over `downloadMs`, placed back to back (the log holds no start
 * times, so idle time between downloads and the latency split are lost: the trace is shorter than the
 * session and its latency is 0), run through the same {@link traceFromSamples}.
 *
 * The demo page's "Export session" file (`{ kind: 'abrkit-demo-session', settings, trace, session }`, see
 * demo/src/recording.ts) wraps such an export: its top-level `trace` is the trace the shaping server was told
 * to follow (the input), and `session` is the player's export. It is unwrapped, so the result is the
 * throughput the player observed, as for a bare export; `container` says which it was, and `inputTrace`
 * gives the wrapped input trace's name for comparison.
 *
 * Bad input throws `AbrkitError('trace', ...)` naming the file and the period (`data.period`) or record
 * (`data.record`) index, with the value as written; periods outside src/traces' physical limits are refused
 * there, except a bandwidth above 0 and below 1 kbps, read as an outage (0) as the file readers read it and
 * counted in `warnings`. The result passes {@link validateTrace}, so what `abrkit trace from-session` writes,
 * `abrkit sim` reads.
 */
import type { DownloadSample } from '../core/types.js';
import { RECORDING_ERROR_CODES, isObject, parseJson, recordingError } from './har.js';
import { CrawlCounter, TRACE_LIMITS } from './limits.js';
import type { NetworkTrace, TracePeriod } from './model.js';
import { traceFromSamplesCounted } from './samples.js';
import { traceNameFromPath } from './text.js';
import { bandwidthProblem, durationProblem, latencyProblem, validateTrace } from './validate.js';

export interface SessionReadOptions {
  /** Trace name (default: the file name minus `.json`). */
  readonly name?: string;
}

export interface SessionReadResult {
  readonly trace: NetworkTrace;
  /** Where the periods came from: the export's `trace`, or its `records` (see the file comment). */
  readonly from: 'trace' | 'records';
  /** Segment records in the export (0 when it has none). */
  readonly records: number;
  /** `player-export`: `player.exportSession()` as is; `demo-session`: the demo page's session file. */
  readonly container: 'player-export' | 'demo-session';
  /** A demo session file's input trace (what the network was shaped to), by name; null otherwise. */
  readonly inputTrace: { readonly name: string; readonly periods: number } | null;
  /** What the reader changed that a user should hear about (periods slower than 1 kbps read as outages). */
  readonly warnings: readonly string[];
}

/** The `kind` of the demo page's session file (demo/src/recording.ts). */
export const DEMO_SESSION_KIND = 'abrkit-demo-session';

/** Reads an exported session's text into a trace (see the file comment). */
export function parseSessionExport(
  text: string,
  source: string,
  options: SessionReadOptions = {},
): SessionReadResult {
  const outer = parseJson(text, source);
  let json: unknown = outer;
  let container: SessionReadResult['container'] = 'player-export';
  let inputTrace: SessionReadResult['inputTrace'] = null;
  if (isObject(outer) && outer.kind === DEMO_SESSION_KIND) {
    if (!isObject(outer.session)) {
      throw recordingError(
        RECORDING_ERROR_CODES.badShape,
        `a demo session file ("kind": "${DEMO_SESSION_KIND}") needs "session", the player's export, as an object`,
        source,
      );
    }
    json = outer.session;
    container = 'demo-session';
    const input = outer.trace;
    if (isObject(input) && Array.isArray(input.periods)) {
      inputTrace = {
        name: typeof input.name === 'string' ? input.name : '(unnamed)',
        periods: input.periods.length,
      };
    }
  }
  if (!isObject(json)) {
    throw recordingError(
      RECORDING_ERROR_CODES.badShape,
      'expected an exported session (the JSON object of player.exportSession()), got ' + kind(json),
      source,
    );
  }
  const name = options.name ?? traceNameFromPath(source);
  const records = json.records;
  if (records !== undefined && !Array.isArray(records)) {
    throw recordingError(RECORDING_ERROR_CODES.badShape, '"records" must be an array', source);
  }
  const recordCount = records?.length ?? 0;
  if (json.trace !== undefined) {
    const crawls = new CrawlCounter();
    const periods = readPeriods(json.trace, source, crawls);
    if (periods.length > 0) {
      const trace = validateTrace({ name, periods }, source);
      const warning = crawls.warning(source);
      const warnings = warning === null ? [] : [warning.message];
      return { trace, from: 'trace', records: recordCount, container, inputTrace, warnings };
    }
  }
  if (records === undefined) {
    throw recordingError(
      RECORDING_ERROR_CODES.badShape,
      'expected an exported session with "trace" ({periods: [...]}) or "records" (the per-segment log)',
      source,
    );
  }
  const samples: DownloadSample[] = [];
  let cursorMs = 0;
  records.forEach((item: unknown, index: number) => {
    const where = { record: index };
    if (!isObject(item))
      throw recordingError(
        RECORDING_ERROR_CODES.badShape,
        `record ${index}: expected an object`,
        source,
        where,
      );
    const sizeBytes = nonNegative(item.sizeBytes, `record ${index}: sizeBytes`, source, where);
    const downloadMs = nonNegative(item.downloadMs, `record ${index}: downloadMs`, source, where);
    if (sizeBytes > 0 && downloadMs > 0) {
      samples.push({ startMs: cursorMs, firstByteMs: cursorMs, endMs: cursorMs + downloadMs, sizeBytes });
      cursorMs += downloadMs;
    }
  });
  const { trace, crawls } = traceFromSamplesCounted(samples, name);
  if (trace.periods.length === 0) {
    throw recordingError(
      RECORDING_ERROR_CODES.noMedia,
      `the session holds no download: its trace is empty and none of its ${recordCount} records has bytes and a download time`,
      source,
    );
  }
  const warnings =
    crawls === 0
      ? []
      : [
          `${crawls} period${crawls === 1 ? '' : 's'} slower than ${TRACE_LIMITS.minBandwidthKbps} kbps ` +
            'read as outages (0 kbps), from the records',
        ];
  return {
    trace: validateTrace(trace, source),
    from: 'records',
    records: recordCount,
    container,
    inputTrace,
    warnings,
  };
}

function readPeriods(value: unknown, source: string, crawls: CrawlCounter): TracePeriod[] {
  const periods = isObject(value) ? value.periods : undefined;
  if (!Array.isArray(periods)) {
    throw recordingError(
      RECORDING_ERROR_CODES.badShape,
      '"trace" must be an object with a "periods" array',
      source,
    );
  }
  return periods.map((item: unknown, index: number) => {
    const where = { period: index };
    if (!isObject(item))
      throw recordingError(
        RECORDING_ERROR_CODES.badShape,
        `trace period ${index}: expected an object`,
        source,
        where,
      );
    const durationMs = nonNegative(item.durationMs, `trace period ${index}: durationMs`, source, where);
    within(durationProblem(durationMs), `trace period ${index}: durationMs`, durationMs, source, where);
    const rawKbps = nonNegative(item.bandwidthKbps, `trace period ${index}: bandwidthKbps`, source, where);
    const bandwidthKbps = crawls.keep(rawKbps, () => `trace period ${index}`);
    within(bandwidthProblem(bandwidthKbps), `trace period ${index}: bandwidthKbps`, rawKbps, source, where);
    const latencyMs = nonNegative(item.latencyMs, `trace period ${index}: latencyMs`, source, where);
    within(latencyProblem(latencyMs), `trace period ${index}: latencyMs`, latencyMs, source, where);
    return { durationMs, bandwidthKbps, latencyMs };
  });
}

/** Throws naming the period and the value as written when a limit check found a problem. */
function within(
  problem: string | null,
  what: string,
  value: number,
  source: string,
  where: Record<string, unknown>,
): void {
  if (problem === null) return;
  throw recordingError(RECORDING_ERROR_CODES.badValue, `${what} ${String(value)} ${problem}`, source, where);
}

function nonNegative(value: unknown, what: string, source: string, where: Record<string, unknown>): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw recordingError(
      RECORDING_ERROR_CODES.badValue,
      `${what} must be a finite number >= 0, got ${JSON.stringify(value) ?? String(value)}`,
      source,
      where,
    );
  }
  return value;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
