/**
 * Node loader for network traces: reads files (or every trace in a folder), rejects binary content,
 * decodes UTF-8 strictly and hands the text to the pure readers in src/traces. Every problem is an
 * `AbrkitError('trace', ...)` naming the file.
 */
import { readFileSync, readdirSync, statSync, type Stats } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AbrkitError } from '../core/errors.js';
import { parseTrace, type TraceReadOptions } from '../traces/detect.js';
import type { NetworkTrace, TraceFormat } from '../traces/model.js';
import { TRACE_ERROR_CODES, lineAt, traceError } from '../traces/text.js';

/** Files read at once by {@link loadTraces} (well under the usual 1024 open-file limit). */
const READ_CONCURRENCY = 16;

/**
 * Reads and parses one trace file. `format` forces a reader; without it the format is detected from the
 * content. A missing file throws `TRACE_NOT_FOUND`, NUL bytes or invalid UTF-8 `TRACE_BINARY`.
 */
export async function loadTraceFile(
  path: string,
  format?: TraceFormat,
  options: TraceReadOptions = {},
): Promise<NetworkTrace> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw ioError(e, path);
  }
  return parseTrace(decodeTraceBytes(bytes, path), path, format, options);
}

/** Synchronous {@link loadTraceFile}, for scripts and worker start-up. */
export function loadTraceFileSync(
  path: string,
  format?: TraceFormat,
  options: TraceReadOptions = {},
): NetworkTrace {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw ioError(e, path);
  }
  return parseTrace(decodeTraceBytes(bytes, path), path, format, options);
}

/**
 * Loads traces from files and folders, in the order given. A folder contributes all its regular files
 * (not recursing), sorted by name, skipping hidden files (`.*`) and `README*`; an empty folder is an error.
 */
export async function loadTraces(
  paths: readonly string[],
  format?: TraceFormat,
  options: TraceReadOptions = {},
): Promise<NetworkTrace[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info: Stats;
    try {
      info = await stat(path);
    } catch (e) {
      throw ioError(e, path);
    }
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    let names: string[];
    try {
      names = await readdir(path);
    } catch (e) {
      throw ioError(e, path);
    }
    const candidates = traceFileNames(names).map((n) => join(path, n));
    const regular: string[] = [];
    for (const file of candidates) {
      try {
        if ((await stat(file)).isFile()) regular.push(file);
      } catch (e) {
        throw ioError(e, file);
      }
    }
    files.push(...checkFolder(regular, path));
  }
  const traces: NetworkTrace[] = new Array<NetworkTrace>(files.length);
  for (let start = 0; start < files.length; start += READ_CONCURRENCY) {
    const batch = files.slice(start, start + READ_CONCURRENCY);
    const loaded = await Promise.all(batch.map((f) => loadTraceFile(f, format, options)));
    loaded.forEach((t, i) => (traces[start + i] = t));
  }
  return traces;
}

/** Synchronous {@link loadTraces}. */
export function loadTracesSync(
  paths: readonly string[],
  format?: TraceFormat,
  options: TraceReadOptions = {},
): NetworkTrace[] {
  const files: string[] = [];
  for (const path of paths) {
    let info: Stats;
    try {
      info = statSync(path);
    } catch (e) {
      throw ioError(e, path);
    }
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(path);
    } catch (e) {
      throw ioError(e, path);
    }
    const regular = traceFileNames(names)
      .map((n) => join(path, n))
      .filter((file) => {
        try {
          return statSync(file).isFile();
        } catch (e) {
          throw ioError(e, file);
        }
      });
    files.push(...checkFolder(regular, path));
  }
  return files.map((f) => loadTraceFileSync(f, format, options));
}

/**
 * Decodes a trace file's bytes as UTF-8, rejecting NUL bytes and invalid UTF-8 with `TRACE_BINARY`
 * (naming the file and line). Exported for callers that fetch bytes themselves.
 */
export function decodeTraceBytes(bytes: Uint8Array, source: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw traceError(
      TRACE_ERROR_CODES.binary,
      `binary content: a NUL byte at offset ${nul}; not a text trace`,
      source,
      countLines(bytes, nul),
      { offset: nul },
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // Find the line of the first bad sequence by decoding leniently.
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const index = lenient.indexOf('\uFFFD');
    throw traceError(
      TRACE_ERROR_CODES.binary,
      'binary content: invalid UTF-8; not a text trace',
      source,
      index >= 0 ? lineAt(lenient, index) : undefined,
    );
  }
}

function traceFileNames(names: readonly string[]): string[] {
  return names
    .filter((n) => !n.startsWith('.') && !/^readme/i.test(n))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function checkFolder(files: string[], folder: string): string[] {
  if (files.length === 0) throw traceError(TRACE_ERROR_CODES.empty, 'the folder holds no trace file', folder);
  return files;
}

function countLines(bytes: Uint8Array, end: number): number {
  let line = 1;
  for (let i = 0; i < end; i++) if (bytes[i] === 10) line++;
  return line;
}

function ioError(e: unknown, path: string): AbrkitError {
  const code = (e as { code?: unknown } | null)?.code;
  const reason = e instanceof Error ? e.message : String(e);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new AbrkitError('trace', TRACE_ERROR_CODES.notFound, 'no such trace file or folder', {
      data: { source: path },
      cause: e,
    });
  }
  return new AbrkitError('trace', TRACE_ERROR_CODES.readFailed, `cannot read: ${reason}`, {
    data: { source: path, errno: code },
    cause: e,
  });
}
