/**
 * Line splitting for the streaming text readers: text arrives in chunks of any size (a file read 1 MiB at a
 * time) and each non-blank line, trimmed, goes to a callback with its 1-based line number, as
 * {@link forEachLine} does for a whole string. Only the unfinished last line is held between chunks, so
 * memory stays with what the callback keeps. Binary content is refused at its line, like `rejectBinary`.
 */
import type { TraceWarning } from './limits.js';
import type { NetworkTrace } from './model.js';
import { TRACE_ERROR_CODES, lineAt, traceError } from './text.js';

// C0 controls other than tab, line feed, vertical tab, form feed and carriage return, DEL and U+FFFD (what
// a decoder leaves for invalid UTF-8) never occur in a text trace.
// eslint-disable-next-line no-control-regex
const BINARY = /[\u0000-\u0008\u000E-\u001F\u007F\uFFFD]/;

/** Throws `TRACE_BINARY` naming the line (`firstLine` is the line number of `text`'s first character). */
export function rejectBinaryAt(text: string, source: string, firstLine: number): void {
  const match = BINARY.exec(text);
  if (match === null) return;
  const line = firstLine - 1 + lineAt(text, match.index);
  const what = match[0] === '\uFFFD' ? 'a U+FFFD replacement character (invalid UTF-8)' : 'a control byte';
  throw traceError(TRACE_ERROR_CODES.binary, `binary content: ${what}; not a text trace`, source, line);
}

export class LineSplitter {
  /** The unfinished line carried over from the previous chunk (no line break in it, or a trailing `\r`). */
  private pending = '';
  /** Line number of `pending`'s first character. */
  private line = 1;
  private started = false;
  private any = false;
  /** Characters pushed so far. */
  charsSeen = 0;
  /** Non-blank lines handed to the callback so far. */
  linesSeen = 0;

  constructor(
    private readonly source: string,
    private readonly onLine: (line: number, text: string) => void,
  ) {}

  /** Feeds the next chunk of text. */
  push(chunk: string): void {
    if (chunk === '') return;
    this.charsSeen += chunk.length;
    let text = this.pending + chunk;
    if (!this.started) {
      this.started = true;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    rejectBinaryAt(text, this.source, this.line);
    this.pending = '';
    this.scan(text, false);
  }

  /** Ends the input; throws `TRACE_EMPTY` if no line held data. */
  end(): void {
    const rest = this.pending;
    this.pending = '';
    if (rest !== '') this.scan(rest, true);
    if (!this.any) throw traceError(TRACE_ERROR_CODES.empty, 'the file holds no data', this.source);
  }

  private scan(text: string, final: boolean): void {
    const n = text.length;
    let at = 0;
    while (at < n) {
      let end = at;
      while (end < n) {
        const c = text.charCodeAt(end);
        if (c === 10 || c === 13) break;
        end++;
      }
      if (end >= n || (!final && text.charCodeAt(end) === 13 && end + 1 >= n)) {
        // An unfinished line (or a `\r` whose `\n` may come next): keep it for the next chunk.
        if (!final) {
          this.pending = text.slice(at);
          return;
        }
      }
      this.emit(text.slice(at, end));
      if (end >= n) return;
      this.line++;
      at = text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
    }
  }

  private emit(raw: string): void {
    const trimmed = raw.trim();
    if (trimmed === '') return;
    this.any = true;
    this.linesSeen++;
    this.onLine(this.line, trimmed);
  }
}

/**
 * Periods to reserve for a text of `expectedChars` characters, from the characters a line took so far
 * (5% over, so that a reader rarely grows its columns past the estimate). Undefined until 64 lines are seen.
 */
export function estimatedLines(
  splitter: LineSplitter,
  expectedChars: number | undefined,
): number | undefined {
  if (expectedChars === undefined || splitter.linesSeen < 64 || splitter.charsSeen === 0) return undefined;
  const perLine = splitter.charsSeen / splitter.linesSeen;
  return Math.ceil((expectedChars / perLine) * 1.05) + 64;
}

/** A trace reader fed text in chunks (the streaming form of every `parse*Trace`). */
export interface TraceTextReader {
  /** Feeds the next chunk of the file's text. Errors are thrown as soon as the bad line or value is seen. */
  push(chunk: string): void;
  /** Ends the input and returns the trace (validated), or throws. */
  end(): NetworkTrace;
}

/** Options every reader takes. */
export interface CommonReadOptions {
  /** Told what a reader changed in what it read (crawling periods read as outages), with a count. */
  readonly onWarning?: (warning: TraceWarning) => void;
  /** The input's length in characters, if known: a hint to size the period columns (saves copies). */
  readonly expectedLength?: number;
}
