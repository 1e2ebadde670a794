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
import { PeriodTableBuilder, latencyAt, packedTrace, periodTable } from './columns.js';
import { CrawlCounter } from './limits.js';
import { LineSplitter, estimatedLines, type CommonReadOptions, type TraceTextReader } from './lines.js';
import type { NetworkTrace } from './model.js';
import {
  TRACE_ERROR_CODES,
  checkNonNegative,
  formatScaled,
  parseNumber,
  parseNumberScaled,
  roundDurationMs,
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

export interface CsvReadOptions extends CommonReadOptions {
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

/**
 * Reads a CSV trace (see the file comment for the conventions). A throughput above 0 and below 1 kbps is
 * read as 0 (an outage) and counted in a warning (`options.onWarning`).
 */
export function parseCsvTrace(text: string, source: string, options: CsvReadOptions = {}): NetworkTrace {
  const reader = createCsvReader(source, { expectedLength: text.length, ...options });
  reader.push(text);
  return reader.end();
}

/** The streaming form of {@link parseCsvTrace}: feed it the text in chunks. */
export function createCsvReader(source: string, options: CsvReadOptions = {}): TraceTextReader {
  const defaultLatencyMs = options.latencyMs ?? 0;
  const badLatency = latencyProblem(defaultLatencyMs);
  if (badLatency !== null) throw invalidArgument('latencyMs', `${badLatency}, got ${defaultLatencyMs}`);
  const periods = new PeriodTableBuilder(1024, source);
  const crawls = new CrawlCounter();

  const parseRow = (line: number, fields: readonly string[], isLast: boolean): Row => {
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
    if (isLast && rest.every((f) => f === ''))
      return { line, timeS, timeMs, bandwidthKbps: null, latencyMs: 0 };
    const readKbps = checkNonNegative(
      parseNumber(fields[1] ?? '', 'throughput_kbps', source, line),
      'throughput_kbps',
      source,
      line,
      fields[1],
    );
    const bandwidthKbps = crawls.keep(readKbps, () => `line ${line}`);
    const fast = bandwidthProblem(bandwidthKbps);
    if (fast !== null) {
      throw traceError(
        TRACE_ERROR_CODES.badValue,
        `throughput_kbps ${fields[1] ?? ''} ${fast}`,
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
    return { line, timeS, timeMs, bandwidthKbps, latencyMs };
  };

  const addPeriod = (row: Row, durationMs: number): void => {
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
    periods.push(durationMs, row.bandwidthKbps ?? 0, row.latencyMs);
  };

  // A row's period ends at the next row, and only the last row may be an end marker: each row is parsed
  // when the next one arrives (or at the end), and its period made then.
  let held: { line: number; fields: string[] } | null = null;
  let previous: Row | null = null;
  let rows = 0;
  let first = true;
  const accept = (row: Row): void => {
    rows++;
    if (previous !== null) {
      if (!(row.timeS > previous.timeS)) {
        throw traceError(
          TRACE_ERROR_CODES.notIncreasing,
          `time_s ${row.timeS} is not after the previous row's ${previous.timeS}`,
          source,
          row.line,
        );
      }
      addPeriod(previous, roundDurationMs(row.timeMs - previous.timeMs));
    }
    previous = row;
  };
  const splitter = new LineSplitter(source, (line, text) => {
    const fields = text.split(',').map((f) => f.trim());
    if (first) {
      first = false;
      if (isHeader(fields)) return;
    }
    if (held !== null) accept(parseRow(held.line, held.fields, false));
    held = { line, fields };
  });
  let reserved = false;
  return {
    push(chunk: string): void {
      splitter.push(chunk);
      if (!reserved) {
        const lines = estimatedLines(splitter, options.expectedLength);
        if (lines !== undefined) {
          reserved = true;
          periods.reserve(lines);
        }
      }
    },
    end(): NetworkTrace {
      splitter.end();
      const last = held;
      if (last !== null) accept(parseRow(last.line, last.fields, true));
      if (rows === 0) throw traceError(TRACE_ERROR_CODES.empty, 'the file holds only a header', source);
      const end = previous;
      if (end !== null && end.bandwidthKbps !== null) {
        // No end marker: the last period lasts as long as the one before it.
        const before = periods.lastDurationMs();
        if (before === undefined) {
          throw traceError(
            TRACE_ERROR_CODES.zeroDuration,
            'a single row has no duration: add an end row holding only the end time (e.g. "60")',
            source,
            end.line,
          );
        }
        addPeriod(end, before);
      }
      if (periods.length === 0) {
        throw traceError(
          TRACE_ERROR_CODES.zeroDuration,
          'the trace has no period before its end row',
          source,
        );
      }
      const trace = validateTrace(
        packedTrace({ name: traceNameFromPath(source), table: periods.finish(), sourceFormat: 'csv' }),
        source,
      );
      const warning = crawls.warning(source);
      if (warning !== null) options.onWarning?.(warning);
      return trace;
    },
  };
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
  const table = periodTable(trace);
  for (let i = 0; i < table.length; i++) {
    rows.push(`${secondsOf(startMs)},${String(table.bandwidthsKbps[i])},${String(latencyAt(table, i))}`);
    startMs += table.durationsMs[i]!;
  }
  rows.push(`${secondsOf(startMs)},,`);
  return `${rows.join('\n')}\n`;
}

/** Seconds from ms, rounded to whole nanoseconds like the readers' durations. */
function secondsOf(ms: number): string {
  return formatScaled(Math.round(ms * 1e6) / 1e6, -3).replace(/\.0$/, '');
}
