/**
 * Format detection from content, and the dispatching `parseTrace` / `writeTrace`.
 */
import { invalidArgument } from '../core/errors.js';
import type { NetworkTrace, TraceFormat } from './model.js';
import { createCsvReader, writeCsvTrace, type CsvReadOptions } from './csv.js';
import type { TraceTextReader } from './lines.js';
import { createMahimahiReader, writeMahimahiTrace, type MahimahiReadOptions } from './mahimahi.js';
import { createPensieveReader, writePensieveTrace, type PensieveReadOptions } from './pensieve.js';
import { createSabreReader, writeSabreTrace } from './sabre.js';
import { TRACE_ERROR_CODES, textLines, traceError } from './text.js';

/** The trace formats abrkit reads and writes. */
export const TRACE_FORMATS: readonly TraceFormat[] = ['sabre', 'pensieve', 'mahimahi', 'csv'];

/** Options for every reader; each reader uses the ones that apply to it. */
export interface TraceReadOptions extends PensieveReadOptions, MahimahiReadOptions, CsvReadOptions {}

/** Lines looked at to tell mahimahi from the other text formats. */
const SNIFF_LINES = 50;
/** Characters looked at for those lines. */
const SNIFF_BYTES = 64 * 1024;

/**
 * Tells a trace's format from its content:
 * - a JSON array or object (first non-blank character `[` or `{`) → `sabre`;
 * - a comma on any of the first lines → `csv`;
 * - one non-negative integer a line, non-decreasing over the first lines → `mahimahi`;
 * - two whitespace-separated fields on the first line → `pensieve`.
 * Anything else (and empty or binary content) throws `AbrkitError('trace', ...)` naming the file.
 */
export function detectTraceFormat(text: string, source: string): TraceFormat {
  // Only the first lines matter: look at a prefix (cut at a line end), not the whole (maybe huge) text.
  const cut = text.length > SNIFF_BYTES ? text.lastIndexOf('\n', SNIFF_BYTES) : -1;
  const head = cut > 0 ? text.slice(0, cut) : text;
  const lines = textLines(head, source).slice(0, SNIFF_LINES);
  const first = lines[0];
  if (first === undefined) throw traceError(TRACE_ERROR_CODES.empty, 'the file holds no data', source);
  const body = first.text.replace(/^\uFEFF/, '');
  if (body.startsWith('[') || body.startsWith('{')) return 'sabre';
  if (lines.some((l) => l.text.includes(','))) return 'csv';
  if (lines.every((l) => /^\d+$/.test(l.text))) {
    let previous = -1;
    const sorted = lines.every((l) => {
      const ms = Number(l.text);
      const ok = ms >= previous;
      previous = ms;
      return ok;
    });
    if (sorted) return 'mahimahi';
  }
  if (body.split(/\s+/).length === 2) return 'pensieve';
  throw traceError(
    TRACE_ERROR_CODES.unknownFormat,
    'unknown trace format: expected Sabre JSON, Pensieve cooked text (time_s throughput_Mbps), ' +
      'mahimahi (one integer ms a line) or CSV (time_s,throughput_kbps[,latency_ms])',
    source,
    first.line,
  );
}

/**
 * Reads a trace in `format`, or in the format {@link detectTraceFormat} finds. `source` is the file
 * name (for `trace.name` and error messages). Bad content throws `AbrkitError('trace', ...)`; what a reader
 * changed (crawling periods read as outages) goes to `options.onWarning`.
 */
export function parseTrace(
  text: string,
  source: string,
  format?: TraceFormat,
  options: TraceReadOptions = {},
): NetworkTrace {
  const reader = createTraceReader(source, format ?? detectTraceFormat(text, source), {
    expectedLength: text.length,
    ...options,
  });
  reader.push(text);
  return reader.end();
}

/**
 * The streaming form of {@link parseTrace}: feed it the text in chunks (memory then holds the periods read,
 * not the text). Without `format`, the first 64 KiB (to a line end) are held until the format is known.
 */
export function createTraceReader(
  source: string,
  format?: TraceFormat,
  options: TraceReadOptions = {},
): TraceTextReader {
  if (format !== undefined) return readerFor(format, source, options);
  let head = '';
  let reader: TraceTextReader | null = null;
  const start = (): TraceTextReader => {
    const chosen = readerFor(detectTraceFormat(head, source), source, options);
    chosen.push(head);
    head = '';
    return chosen;
  };
  return {
    push(chunk: string): void {
      if (reader !== null) return reader.push(chunk);
      head += chunk;
      const cut = head.length > SNIFF_BYTES ? head.lastIndexOf('\n', SNIFF_BYTES) : -1;
      if (cut > 0 || head.length > 4 * SNIFF_BYTES) reader = start();
    },
    end(): NetworkTrace {
      reader ??= start();
      return reader.end();
    },
  };
}

function readerFor(format: TraceFormat, source: string, options: TraceReadOptions): TraceTextReader {
  switch (format) {
    case 'sabre':
      return createSabreReader(source, options);
    case 'pensieve':
      return createPensieveReader(source, options);
    case 'mahimahi':
      return createMahimahiReader(source, options);
    case 'csv':
      return createCsvReader(source, options);
    default:
      throw badFormat(format);
  }
}

/** Writes a trace in `format` (see each writer for its conventions). */
export function writeTrace(trace: NetworkTrace, format: TraceFormat): string {
  switch (format) {
    case 'sabre':
      return writeSabreTrace(trace);
    case 'pensieve':
      return writePensieveTrace(trace);
    case 'mahimahi':
      return writeMahimahiTrace(trace);
    case 'csv':
      return writeCsvTrace(trace);
    default:
      throw badFormat(format);
  }
}

/** Narrows a string (a CLI flag, a file extension) to a {@link TraceFormat}, or undefined. */
export function asTraceFormat(value: string): TraceFormat | undefined {
  return (TRACE_FORMATS as readonly string[]).includes(value) ? (value as TraceFormat) : undefined;
}

function badFormat(format: never): TypeError {
  return invalidArgument('format', `must be one of ${TRACE_FORMATS.join(', ')}, got ${String(format)}`);
}
