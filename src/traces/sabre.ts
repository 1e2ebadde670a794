/**
 * Sabre's network trace JSON (Spiteri, Sitaraman, Sparacio, "From theory to practice: improving bitrate
 * adaptation in the DASH reference player", MMSys 2018; UMass-LIDS/sabre): a list of periods
 * `{"duration_ms", "bandwidth_kbps", "latency_ms"}`. Our model is the same, so reading is validation.
 */
import { PeriodTableBuilder, packedTrace, periodTable, latencyAt } from './columns.js';
import { CrawlCounter } from './limits.js';
import { rejectBinaryAt, type CommonReadOptions, type TraceTextReader } from './lines.js';
import type { NetworkTrace } from './model.js';
import { sabreFile, sabrePeriodLine } from './sabre-format.js';
import {
  bandwidthProblem,
  checkWritableTrace,
  durationProblem,
  latencyProblem,
  validateTrace,
} from './validate.js';
import { TRACE_ERROR_CODES, lineAt, traceError, traceNameFromPath } from './text.js';

const KEYS = ['duration_ms', 'bandwidth_kbps', 'latency_ms'] as const;

/** Options of the Sabre reader. */
export type SabreReadOptions = CommonReadOptions;

/**
 * Reads a Sabre network JSON. Every element must be an object with finite numbers `duration_ms` > 0,
 * `bandwidth_kbps` >= 0 and `latency_ms` >= 0 (other keys are ignored). A bandwidth above 0 and below 1 kbps
 * is read as 0 (an outage) and counted in a warning (`options.onWarning`). Errors name the file and, for a
 * bad element, its 0-based index as `data.period`; JSON syntax errors name the line.
 */
export function parseSabreTrace(text: string, source: string, options: SabreReadOptions = {}): NetworkTrace {
  const reader = createSabreReader(source, { expectedLength: text.length, ...options });
  reader.push(text);
  return reader.end();
}

/** Characters a period takes in Sabre's own layout, for sizing the columns from `expectedLength`. */
const CHARS_PER_PERIOD_GUESS = 70;

/**
 * The streaming form of {@link parseSabreTrace}: feed it the text in chunks. The top-level array is read one
 * element at a time (each element parsed alone, by a fast path for the `{"duration_ms": n, "bandwidth_kbps":
 * n, "latency_ms": n}` layout, else by `JSON.parse`), so memory holds the periods read, not the text. A
 * document that is not an array is read whole (to say what it is).
 */
export function createSabreReader(source: string, options: SabreReadOptions = {}): TraceTextReader {
  return new SabreReader(source, options);
}

type State = 'start' | 'first' | 'next' | 'element' | 'after' | 'closed' | 'whole';

const WS = new Set([32, 9, 10, 13]);
const NUMBER = String.raw`(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)`;
const SABRE_LAYOUT = new RegExp(
  String.raw`^\{\s*"duration_ms"\s*:\s*${NUMBER}\s*,\s*"bandwidth_kbps"\s*:\s*${NUMBER}\s*,\s*"latency_ms"\s*:\s*${NUMBER}\s*\}$`,
);

class SabreReader implements TraceTextReader {
  private state: State = 'start';
  /** Line of the next character to read (1-based; `\r\n`, `\n` and a lone `\r` end a line). */
  private line = 1;
  private lastWasCr = false;
  /** Line of the last non-blank character seen (where an unexpected end is reported). */
  private lastDataLine = 1;
  private readonly periods: PeriodTableBuilder;
  private readonly crawls = new CrawlCounter();
  // The element being read: its text so far, where it started, and the scanner's state inside it.
  private parts: string[] = [];
  private elementLine = 1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private whole: string[] = [];
  private wholeLine = 1;
  private started = false;

  constructor(
    private readonly source: string,
    private readonly options: SabreReadOptions,
  ) {
    const expected = options.expectedLength;
    this.periods = new PeriodTableBuilder(
      expected === undefined ? 1024 : Math.min(Math.ceil(expected / CHARS_PER_PERIOD_GUESS) + 16, 1 << 24),
      source,
    );
  }

  push(chunk: string): void {
    if (chunk === '') return;
    let text = chunk;
    if (!this.started) {
      this.started = true;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    rejectBinaryAt(text, this.source, this.lastWasCr && text.startsWith('\n') ? this.line - 1 : this.line);
    if (this.state === 'whole') this.whole.push(text);
    let elementFrom = this.state === 'element' ? 0 : -1;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        if (!this.lastWasCr) this.line++;
        this.lastWasCr = false;
      } else if (c === 13) {
        this.line++;
        this.lastWasCr = true;
      } else this.lastWasCr = false;
      if (this.state === 'whole') continue;
      if (this.state === 'element') {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === 92) this.escaped = true;
          else if (c === 34) this.inString = false;
          continue;
        }
        if (c === 34) this.inString = true;
        else if (c === 123 || c === 91) this.depth++;
        else if ((c === 125 || c === 93) && this.depth > 0) this.depth--;
        else if (this.depth === 0 && (c === 44 || c === 93)) {
          this.parts.push(text.slice(elementFrom, i));
          elementFrom = -1;
          this.endElement();
          this.state = c === 44 ? 'next' : 'closed';
          continue;
        }
        if (!WS.has(c)) this.lastDataLine = this.line;
        continue;
      }
      if (WS.has(c)) continue;
      this.lastDataLine = this.line;
      switch (this.state) {
        case 'start':
          if (c === 91) this.state = 'first';
          else {
            this.state = 'whole';
            this.wholeLine = this.line;
            this.whole.push(text.slice(i));
          }
          break;
        case 'first':
        case 'next':
          if (c === 93 && this.state === 'first') {
            this.state = 'closed';
            break;
          }
          if (c === 93 || c === 44) throw this.syntax(`unexpected "${String.fromCharCode(c)}"`, this.line);
          this.state = 'element';
          this.elementLine = this.line;
          this.depth = c === 123 || c === 91 ? 1 : 0;
          this.inString = c === 34;
          this.escaped = false;
          this.parts = [];
          elementFrom = i;
          break;
        case 'closed':
          throw this.syntax('unexpected text after the end of the array', this.line);
        default:
          break;
      }
    }
    if (this.state === 'element' && elementFrom >= 0) this.parts.push(text.slice(elementFrom));
  }

  end(): NetworkTrace {
    const { source } = this;
    if (this.state === 'whole') return this.readWhole(this.whole.join(''));
    if (this.state === 'start') throw traceError(TRACE_ERROR_CODES.empty, 'the file holds no data', source);
    if (this.state !== 'closed')
      throw this.syntax('unexpected end of data: the array is not closed', this.lastDataLine);
    if (this.periods.length === 0) {
      throw traceError(TRACE_ERROR_CODES.empty, 'the JSON array holds no period', source);
    }
    const trace = validateTrace(
      packedTrace({ name: traceNameFromPath(source), table: this.periods.finish(), sourceFormat: 'sabre' }),
      source,
    );
    const warning = this.crawls.warning(source);
    if (warning !== null) this.options.onWarning?.(warning);
    return trace;
  }

  private syntax(what: string, line: number): Error {
    return traceError(TRACE_ERROR_CODES.badJson, `not valid JSON: ${what}`, this.source, line);
  }

  private endElement(): void {
    const text = this.parts.join('').trim();
    this.parts = [];
    const index = this.periods.length;
    const fast = SABRE_LAYOUT.exec(text);
    if (fast !== null) {
      const durationMs = Number(fast[1]);
      const bandwidthKbps = Number(fast[2]);
      const latencyMs = Number(fast[3]);
      // 1e999 is Infinity: left to the general path, which says it is not a finite number.
      if (Number.isFinite(durationMs + bandwidthKbps + latencyMs)) {
        this.add(durationMs, bandwidthKbps, latencyMs, index);
        return;
      }
    }
    let item: unknown;
    try {
      item = JSON.parse(text);
    } catch (e) {
      throw jsonError(e, text, this.source, this.elementLine);
    }
    const [durationMs, bandwidthKbps, latencyMs] = readPeriod(item, index, this.source);
    this.add(durationMs, bandwidthKbps, latencyMs, index);
  }

  private add(durationMs: number, readKbps: number, latencyMs: number, index: number): void {
    const where = { period: index };
    if (durationMs <= 0) {
      throw traceError(
        TRACE_ERROR_CODES.badDuration,
        `period ${index}: duration_ms must be > 0, got ${durationMs}`,
        this.source,
        undefined,
        where,
      );
    }
    if (readKbps < 0 || latencyMs < 0) {
      const key = readKbps < 0 ? 'bandwidth_kbps' : 'latency_ms';
      throw traceError(
        TRACE_ERROR_CODES.badValue,
        `period ${index}: ${key} must be >= 0, got ${readKbps < 0 ? readKbps : latencyMs}`,
        this.source,
        undefined,
        where,
      );
    }
    const bandwidthKbps = this.crawls.keep(readKbps, () => `period ${index}`);
    const limit =
      durationProblem(durationMs) !== null
        ? `duration_ms ${durationMs} ${durationProblem(durationMs)}`
        : bandwidthProblem(bandwidthKbps) !== null
          ? `bandwidth_kbps ${bandwidthKbps} ${bandwidthProblem(bandwidthKbps)}`
          : latencyProblem(latencyMs) !== null
            ? `latency_ms ${latencyMs} ${latencyProblem(latencyMs)}`
            : null;
    if (limit !== null) {
      throw traceError(
        TRACE_ERROR_CODES.badValue,
        `period ${index}: ${limit}`,
        this.source,
        undefined,
        where,
      );
    }
    this.periods.push(durationMs, bandwidthKbps, latencyMs);
  }

  /** A document that is not an array: parsed whole, to say what it is (or where its syntax breaks). */
  private readWhole(body: string): never {
    const { source } = this;
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (e) {
      throw jsonError(e, body, source, this.wholeLine);
    }
    throw traceError(
      TRACE_ERROR_CODES.badPeriod,
      `expected a JSON array of {duration_ms, bandwidth_kbps, latency_ms} periods, got ${describe(json)}`,
      source,
    );
  }
}

/** A `JSON.parse` error of `text` (which starts at line `firstLine`), naming the line. */
function jsonError(e: unknown, text: string, source: string, firstLine: number): Error {
  const message = e instanceof Error ? e.message : String(e);
  const position = /position (\d+)/.exec(message);
  const index =
    position?.[1] === undefined
      ? /end of JSON/i.test(message)
        ? text.trimEnd().length
        : -1
      : Number(position[1]);
  const line = index < 0 ? undefined : firstLine - 1 + lineAt(text, index);
  return traceError(TRACE_ERROR_CODES.badJson, `not valid JSON: ${message}`, source, line);
}

/** The three numbers of one period element, or a typed error naming the element. */
function readPeriod(item: unknown, index: number, source: string): [number, number, number] {
  const where = { period: index };
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw traceError(
      TRACE_ERROR_CODES.badPeriod,
      `period ${index}: expected an object, got ${describe(item)}`,
      source,
      undefined,
      where,
    );
  }
  const record = item as Record<string, unknown>;
  const values: number[] = [];
  for (const key of KEYS) {
    const value = record[key];
    if (!(key in record)) {
      throw traceError(
        TRACE_ERROR_CODES.badPeriod,
        `period ${index}: missing "${key}"`,
        source,
        undefined,
        where,
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw traceError(
        TRACE_ERROR_CODES.badNumber,
        `period ${index}: "${key}" must be a finite number, got ${describe(value)}`,
        source,
        undefined,
        where,
      );
    }
    values.push(value);
  }
  const [durationMs = 0, bandwidthKbps = 0, latencyMs = 0] = values;
  return [durationMs, bandwidthKbps, latencyMs];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

/**
 * Writes a trace as Sabre network JSON, one period a line (the layout of Sabre's own example traces).
 * Numbers are written in full (shortest round-trip form), so reading the output gives the same periods.
 */
export function writeSabreTrace(trace: NetworkTrace): string {
  checkWritableTrace(trace, 'trace');
  const table = periodTable(trace);
  const lines: string[] = [];
  for (let i = 0; i < table.length; i++) {
    lines.push(sabrePeriodLine(table.durationsMs[i]!, table.bandwidthsKbps[i]!, latencyAt(table, i)));
  }
  return sabreFile(lines);
}
