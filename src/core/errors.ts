/**
 * One error type for everything abrkit reports, after shaka's `shaka.util.Error` and hls.js's `ErrorData`:
 * a category, a stable machine-readable code, whether playback (or the run) cannot continue, and data
 * that says what and where (URL, file, line, option).
 *
 * Bad arguments to a function are programming errors and throw a plain `TypeError` naming the argument
 * (see {@link invalidArgument}); bad *input* (a file, a playlist, a response) throws `AbrkitError`.
 */
export type ErrorCategory =
  | 'config' // a bad option or algorithm name
  | 'trace' // a network trace that cannot be read
  | 'video' // a video description (segment-size table) that cannot be read
  | 'manifest' // an HLS playlist that cannot be read
  | 'media' // a segment the browser or mp4box cannot use
  | 'network' // HTTP errors, timeouts, resets
  | 'abr' // an algorithm broke its contract
  | 'internal';

export interface AbrkitErrorData {
  /** File name or URL the problem is in. */
  readonly source?: string;
  /** 1-based line number in `source`, when the input is line-oriented. */
  readonly line?: number;
  readonly [key: string]: unknown;
}

export class AbrkitError extends Error {
  override readonly name = 'AbrkitError';
  readonly category: ErrorCategory;
  readonly code: string;
  readonly fatal: boolean;
  readonly data: AbrkitErrorData;

  constructor(
    category: ErrorCategory,
    code: string,
    message: string,
    options: { fatal?: boolean; data?: AbrkitErrorData; cause?: unknown } = {},
  ) {
    const where = describeWhere(options.data);
    super(
      where ? `${where}: ${message}` : message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.category = category;
    this.code = code;
    this.fatal = options.fatal ?? true;
    this.data = options.data ?? {};
  }
}

function describeWhere(data: AbrkitErrorData | undefined): string {
  if (!data?.source) return '';
  return data.line === undefined ? data.source : `${data.source}:${data.line}`;
}

export function isAbrkitError(e: unknown): e is AbrkitError {
  return e instanceof AbrkitError;
}

/** A `TypeError` for a bad argument or option, naming it: `invalidArgument('bufferTargetMs', 'must be > 0, got -1')`. */
export function invalidArgument(name: string, problem: string): TypeError {
  return new TypeError(`${name}: ${problem}`);
}
