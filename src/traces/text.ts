/**
 * Shared plumbing for the trace readers: the error helper, line splitting, strict number parsing, the
 * binary-content check and trace names. Every problem with the input becomes an `AbrkitError('trace', ...)`
 * naming the file and the 1-based line.
 */
import { AbrkitError } from '../core/errors.js';

/** Stable codes of the trace readers' errors (`AbrkitError.code`, category `'trace'`). */
export const TRACE_ERROR_CODES = {
  /** No data: an empty or whitespace-only file, an empty JSON array. */
  empty: 'TRACE_EMPTY',
  /** NUL bytes, U+FFFD replacement characters (invalid UTF-8) or other binary content. */
  binary: 'TRACE_BINARY',
  /** JSON that does not parse. */
  badJson: 'TRACE_BAD_JSON',
  /** JSON that parses but is not an array of `{duration_ms, bandwidth_kbps, latency_ms}` objects. */
  badPeriod: 'TRACE_BAD_PERIOD',
  /** A field that is not a finite decimal number (NaN, Infinity, words, hex). */
  badNumber: 'TRACE_BAD_NUMBER',
  /** A negative bandwidth or latency, or a number out of range once converted. */
  badValue: 'TRACE_BAD_VALUE',
  /** A zero or negative period duration. */
  badDuration: 'TRACE_BAD_DURATION',
  /** A line with the wrong number of columns. */
  badColumns: 'TRACE_BAD_COLUMNS',
  /** A timestamp smaller than (or, where periods need it, equal to) the one before. */
  notIncreasing: 'TRACE_NOT_INCREASING',
  /** A trace whose total duration is zero (e.g. a single sample). */
  zeroDuration: 'TRACE_ZERO_DURATION',
  /** Content that matches none of the known formats. */
  unknownFormat: 'TRACE_UNKNOWN_FORMAT',
  /** A file or folder that does not exist (Node loader). */
  notFound: 'TRACE_NOT_FOUND',
  /** A file that exists but cannot be read (Node loader). */
  readFailed: 'TRACE_READ_FAILED',
  /** A file larger than the loader's limit (`TRACE_FILE_MAX_BYTES`, 512 MiB). */
  tooLarge: 'TRACE_TOO_LARGE',
} as const;

export type TraceErrorCode = (typeof TRACE_ERROR_CODES)[keyof typeof TRACE_ERROR_CODES];

/** An `AbrkitError('trace', code, ...)` naming the file and, when given, the 1-based line. */
export function traceError(
  code: TraceErrorCode,
  message: string,
  source: string,
  line?: number,
  extra: Record<string, unknown> = {},
): AbrkitError {
  const data = line === undefined ? { ...extra, source } : { ...extra, source, line };
  return new AbrkitError('trace', code, message, { data });
}

/** One non-blank line of a text trace, with its 1-based line number in the file. */
export interface TextLine {
  readonly line: number;
  readonly text: string;
}

/**
 * Splits a text file into its non-blank lines (trimmed), after rejecting binary content and a leading
 * byte-order mark. Accepts `\n`, `\r\n` and `\r` line ends.
 */
export function textLines(text: string, source: string): TextLine[] {
  rejectBinary(text, source);
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const out: TextLine[] = [];
  const raw = body.split(/\r\n|\n|\r/);
  for (let i = 0; i < raw.length; i++) {
    const trimmed = (raw[i] ?? '').trim();
    if (trimmed !== '') out.push({ line: i + 1, text: trimmed });
  }
  if (out.length === 0) throw traceError(TRACE_ERROR_CODES.empty, 'the file holds no data', source);
  return out;
}

/**
 * Calls `fn` with each non-blank line of `text` (trimmed) and its 1-based line number, like
 * {@link textLines} but without building the array (memory stays with what `fn` keeps: a 200 MB trace
 * is not copied into millions of line objects). Throws `TRACE_EMPTY` when no line holds data.
 */
export function forEachLine(text: string, source: string, fn: (line: number, text: string) => void): void {
  rejectBinary(text, source);
  const start = text.startsWith('\uFEFF') ? 1 : 0;
  let line = 0;
  let any = false;
  let at = start;
  const n = text.length;
  while (at <= n) {
    let end = at;
    while (end < n) {
      const c = text.charCodeAt(end);
      if (c === 10 || c === 13) break;
      end++;
    }
    line++;
    const trimmed = text.slice(at, end).trim();
    if (trimmed !== '') {
      any = true;
      fn(line, trimmed);
    }
    if (end >= n) break;
    at = text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
  }
  if (!any) throw traceError(TRACE_ERROR_CODES.empty, 'the file holds no data', source);
}

/** Throws `TRACE_BINARY` (naming the line) if the text holds a NUL, a U+FFFD or another C0 control character. */
export function rejectBinary(text: string, source: string): void {
  // C0 controls other than tab, line feed, vertical tab, form feed and carriage return never occur in a
  // text trace; U+FFFD is what a decoder leaves for invalid UTF-8.
  // eslint-disable-next-line no-control-regex
  const match = /[\u0000-\u0008\u000E-\u001F\u007F\uFFFD]/.exec(text);
  if (match === null) return;
  const line = lineAt(text, match.index);
  const what = match[0] === '\uFFFD' ? 'a U+FFFD replacement character (invalid UTF-8)' : 'a control byte';
  throw traceError(TRACE_ERROR_CODES.binary, `binary content: ${what}; not a text trace`, source, line);
}

/** 1-based line number of the character at `index`. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  const end = Math.min(index, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) line++;
  }
  return line;
}

const DECIMAL = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+))?$/;

/**
 * Parses one field as a finite decimal number (`12`, `-0.5`, `1e3`); anything else (NaN, Infinity, hex,
 * empty, words, a number too large for a double) throws `TRACE_BAD_NUMBER`.
 *
 * `scale10` multiplies by 10^scale10 in decimal before rounding to a double, so `"1.285"` in Mbps with
 * `scale10 = 3` is exactly 1285 kbps (`1.285 * 1000` in floating point need not be).
 */
export function parseNumber(field: string, what: string, source: string, line: number, scale10 = 0): number {
  return parseNumberScaled(field, what, source, line, scale10)[1];
}

/**
 * {@link parseNumber} giving both the value and the value times 10^scale10 (one parse for both), e.g. a
 * time in seconds and in milliseconds.
 */
export function parseNumberScaled(
  field: string,
  what: string,
  source: string,
  line: number,
  scale10: number,
): [value: number, scaled: number] {
  const match = DECIMAL.exec(field);
  const mantissa = match?.[1] ?? '';
  const exponent = Number(match?.[2] ?? '0');
  const value =
    match === null ? Number.NaN : Number(match[2] === undefined ? mantissa : `${mantissa}e${exponent}`);
  const scaled = scale10 === 0 ? value : Number(`${mantissa}e${exponent + scale10}`);
  if (!Number.isFinite(value)) {
    throw traceError(
      TRACE_ERROR_CODES.badNumber,
      `${what} is not a finite number: ${quote(field)}`,
      source,
      line,
    );
  }
  if (!Number.isFinite(scaled)) {
    throw traceError(TRACE_ERROR_CODES.badValue, `${what} is out of range: ${quote(field)}`, source, line);
  }
  return [value, scaled];
}

/**
 * Checks that a converted value is finite and >= 0; `TRACE_BAD_VALUE` otherwise, quoting the field as
 * written (`asWritten`, e.g. "-0.1" Mbps rather than the -100 kbps it became) when given.
 */
export function checkNonNegative(
  value: number,
  what: string,
  source: string,
  line?: number,
  asWritten?: string,
): number {
  if (!Number.isFinite(value) || value < 0) {
    throw traceError(
      TRACE_ERROR_CODES.badValue,
      `${what} must be a finite number >= 0, got ${asWritten ?? String(value)}`,
      source,
      line,
    );
  }
  return value;
}

/** Quotes a field for an error message, cut to 40 characters. */
export function quote(field: string): string {
  return JSON.stringify(field.length > 40 ? `${field.slice(0, 40)}...` : field);
}

/**
 * Rounds a duration in ms to whole nanoseconds (1e-6 ms). Readers that take durations as differences of
 * timestamps in seconds use it to strip floating-point noise (`(2.021 - 1.013) * 1000` is
 * 1008.0000000000001): every real trace has far coarser timestamps.
 */
export function roundDurationMs(ms: number): number {
  return Math.round(ms * 1e6) / 1e6;
}

/**
 * Formats a number the way Python's `repr(float)` does for the values traces hold (shortest round-trip
 * digits, `.0` on whole numbers), so written files read back to the same doubles and look like the
 * published ones.
 */
export function formatFloat(value: number): string {
  const s = String(value);
  return Number.isInteger(value) && !s.includes('e') ? `${s}.0` : s;
}

/**
 * Writes `value * 10^scale10` as a decimal string, shifting the digits of `value`'s shortest round-trip
 * form rather than multiplying in floating point: `formatScaled(1285, -3)` is `"1.285"` and
 * `formatScaled(12.768052744592161, -3)` is `"0.012768052744592161"`, which {@link parseNumber} with
 * `scale10 = 3` reads back to exactly the original double. Python-like: whole numbers get `.0`.
 */
export function formatScaled(value: number, scale10: number): string {
  if (value === 0) return '0.0';
  const [mantissa = '0', exp = '0'] = value.toExponential().split('e');
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const exponent = Number(exp) + scale10; // value = 0.d1d2... * 10^(exponent + 1)
  const sign = negative ? '-' : '';
  if (exponent < -7 || exponent > 20)
    return `${sign}${digits[0] ?? '0'}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exponent}`;
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
}

/**
 * The trace name for a file path: its base name minus a `.json`, `.csv` or `.txt` extension (any case).
 * Other dots stay: Pensieve's `report.2010-09-13_1003CEST` keeps its name. Pure string manipulation:
 * both `/` and `\` separate folders.
 */
export function traceNameFromPath(path: string): string {
  const trimmed = path.replace(/[/\\]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  const base = cut >= 0 ? trimmed.slice(cut + 1) : trimmed;
  const name = base.replace(/\.(?:json|csv|txt)$/i, '');
  return name === '' ? base : name;
}
