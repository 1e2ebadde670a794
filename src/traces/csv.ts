/**
 * A plain CSV trace for hand-written and spreadsheet traces: `time_s,throughput_kbps[,latency_ms]`, an
 * optional header line first.
 *
 * Conventions (documented choices):
 * - `time_s` is the START of each period; a period lasts until the next row's time. Times must increase;
 *   a first time other than 0 is an offset and is dropped (the trace starts at its first row).
 * - The last row may be an end marker holding only a time (`180`, `180,` or `180,,`): the end of the last
 *   period. Without it the last period lasts as long as the one before it (evenly spaced samples); a single
 *   data row then has no duration and is an error.
 * - A row without `latency_ms` gets the `latencyMs` option (default 0).
 */
import { invalidArgument } from '../core/errors.js';
import type { NetworkTrace, TracePeriod } from './model.js';
import {
  TRACE_ERROR_CODES,
  checkNonNegative,
  formatScaled,
  parseNumber,
  parseNumberScaled,
  roundDurationMs,
  textLines,
  traceError,
  traceNameFromPath,
} from './text.js';
import {
  bandwidthProblem,
  checkWritableTrace,
  durationProblem,
  latencyProblem,
  validateTrace,
} from './validate.js';

export interface CsvReadOptions {
  /** Latency for rows without a `latency_ms` column, ms. Default 0. */
  readonly latencyMs?: number;
}

/** The header line {@link writeCsvTrace} writes. */
export const CSV_HEADER = 'time_s,throughput_kbps,latency_ms';

interface Row {
  readonly line: number;
  readonly timeS: number;
  readonly timeMs: number;
  readonly bandwidthKbps: number | null; // null for the end marker
  readonly latencyMs: number;
}

/** Reads a CSV trace (see the file comment for the conventions). */
export function parseCsvTrace(text: string, source: string, options: CsvReadOptions = {}): NetworkTrace {
  const defaultLatencyMs = options.latencyMs ?? 0;
  const badLatency = latencyProblem(defaultLatencyMs);
  if (badLatency !== null) throw invalidArgument('latencyMs', `${badLatency}, got ${defaultLatencyMs}`);
  const lines = textLines(text, source);
  const rows: Row[] = [];
  lines.forEach(({ line, text: row }, i) => {
    const fields = row.split(',').map((f) => f.trim());
    if (i === 0 && isHeader(fields)) return;
    const isLast = i === lines.length - 1;
    if (fields.length < 1 || fields.length > 3 || (fields.length === 1 && !isLast)) {
      throw traceError(
        TRACE_ERROR_CODES.badColumns,
        `expected 2 or 3 columns (time_s,throughput_kbps[,latency_ms]), got ${fields.length}`,
        source,
        line,
      );
    }
    // In ms by shifting decimal digits, so written traces read back to the same durations.
    const [timeS, timeMs] = parseNumberScaled(fields[0] ?? '', 'time_s', source, line, 3);
    const rest = fields.slice(1);
    if (isLast && rest.every((f) => f === '')) {
      rows.push({ line, timeS, timeMs, bandwidthKbps: null, latencyMs: 0 });
      return;
    }
    const bandwidthKbps = checkNonNegative(
      parseNumber(fields[1] ?? '', 'throughput_kbps', source, line),
      'throughput_kbps',
      source,
      line,
      fields[1],
    );
    const slow = bandwidthProblem(bandwidthKbps);
    if (slow !== null) {
      throw traceError(
        TRACE_ERROR_CODES.badValue,
        `throughput_kbps ${fields[1] ?? ''} ${slow}`,
        source,
        line,
      );
    }
    const latencyMs =
      fields.length === 3
        ? checkNonNegative(
            parseNumber(fields[2] ?? '', 'latency_ms', source, line),
            'latency_ms',
            source,
            line,
            fields[2],
          )
        : defaultLatencyMs;
    const late = latencyProblem(latencyMs);
    if (late !== null) {
      throw traceError(TRACE_ERROR_CODES.badValue, `latency_ms ${fields[2] ?? ''} ${late}`, source, line);
    }
    rows.push({ line, timeS, timeMs, bandwidthKbps, latencyMs });
  });
  if (rows.length === 0) throw traceError(TRACE_ERROR_CODES.empty, 'the file holds only a header', source);

  const periods: TracePeriod[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    const next = rows[i + 1];
    if (next !== undefined && !(next.timeS > row.timeS)) {
      throw traceError(
        TRACE_ERROR_CODES.notIncreasing,
        `time_s ${next.timeS} is not after the previous row's ${row.timeS}`,
        source,
        next.line,
      );
    }
    if (row.bandwidthKbps === null) break; // the end marker
    let durationMs: number;
    if (next !== undefined) durationMs = roundDurationMs(next.timeMs - row.timeMs);
    else {
      const previous = periods[periods.length - 1];
      if (previous === undefined) {
        throw traceError(
          TRACE_ERROR_CODES.zeroDuration,
          'a single row has no duration: add an end row holding only the end time (e.g. "60")',
          source,
          row.line,
        );
      }
      durationMs = previous.durationMs;
    }
    if (!(Number.isFinite(durationMs) && durationMs > 0)) {
      throw traceError(
        TRACE_ERROR_CODES.badDuration,
        `the period starting at ${row.timeS} s has no usable duration (${durationMs} ms)`,
        source,
        row.line,
      );
    }
    const short = durationProblem(durationMs);
    if (short !== null) {
      throw traceError(
        TRACE_ERROR_CODES.badDuration,
        `the period starting at ${row.timeS} s lasts ${durationMs} ms, which ${short}`,
        source,
        row.line,
      );
    }
    periods.push({ durationMs, bandwidthKbps: row.bandwidthKbps, latencyMs: row.latencyMs });
  }
  if (periods.length === 0) {
    throw traceError(TRACE_ERROR_CODES.zeroDuration, 'the trace has no period before its end row', source);
  }
  return validateTrace({ name: traceNameFromPath(source), periods, sourceFormat: 'csv' }, source);
}

function isHeader(fields: readonly string[]): boolean {
  const first = (fields[0] ?? '').replace(/^"|"$/g, '');
  return /^[A-Za-z_]/.test(first) && !/^(?:nan|inf|infinity)$/i.test(first);
}

/**
 * Writes a trace as CSV: the {@link CSV_HEADER} line, one row per period (its start time in seconds,
 * bandwidth, latency), and an end row `end_s,,`, so reading it back gives the same periods.
 */
export function writeCsvTrace(trace: NetworkTrace): string {
  checkWritableTrace(trace, 'trace');
  const rows = [CSV_HEADER];
  let startMs = 0;
  for (const p of trace.periods) {
    rows.push(`${secondsOf(startMs)},${String(p.bandwidthKbps)},${String(p.latencyMs)}`);
    startMs += p.durationMs;
  }
  rows.push(`${secondsOf(startMs)},,`);
  return `${rows.join('\n')}\n`;
}

/** Seconds from ms, rounded to whole nanoseconds like the readers' durations. */
function secondsOf(ms: number): string {
  return formatScaled(Math.round(ms * 1e6) / 1e6, -3).replace(/\.0$/, '');
}
