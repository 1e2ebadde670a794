/**
 * Node loader for network traces: reads files (or every trace in a folder) 1 MiB at a time, rejects binary
 * content, decodes UTF-8 strictly and streams the text into the pure readers of src/traces, so memory holds
 * the periods read (packed, src/traces/columns.ts) and one chunk of the file, never the whole text. Every
 * problem is an `AbrkitError('trace', ...)` naming the file.
 */
import { closeSync, fstatSync, openSync, readSync, readdirSync, statSync, type Stats } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AbrkitError } from '../core/errors.js';
import { createTraceReader, type TraceReadOptions } from '../traces/detect.js';
import type { TraceTextReader } from '../traces/lines.js';
import type { NetworkTrace, TraceFormat } from '../traces/model.js';
import { TRACE_ERROR_CODES, traceError } from '../traces/text.js';
import { invalidUtf8Line } from './utf8.js';

/** Files read at once by {@link loadTraces} (well under the usual 1024 open-file limit). */
const READ_CONCURRENCY = 16;

/**
 * Largest trace file read, bytes (512 MiB). A larger regular file is refused from its size before a byte
 * is read; a device or pipe (`/dev/zero`) is read in chunks and refused once it passes the limit (or at its
 * first NUL byte), so memory never grows past it.
 */
export const TRACE_FILE_MAX_BYTES = 512 * 1024 * 1024;

const CHUNK_BYTES = 1024 * 1024;

/**
 * Decodes a file's bytes chunk by chunk as strict UTF-8 and hands the text to `reader`, so that only one
 * chunk of the file is in memory at a time. Refuses NUL bytes and invalid UTF-8 (`TRACE_BINARY`, naming the
 * line), and a file or stream past {@link TRACE_FILE_MAX_BYTES} (`TRACE_TOO_LARGE`).
 */
class ChunkDecoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  private total = 0;
  /** Line breaks (`\n`) in the bytes before the current chunk. */
  private breaks = 0;

  constructor(
    private readonly path: string,
    private readonly reader: TraceTextReader,
  ) {}

  push(bytes: Uint8Array): void {
    const { path } = this;
    const nul = bytes.indexOf(0);
    if (nul >= 0) {
      throw traceError(
        TRACE_ERROR_CODES.binary,
        `binary content: a NUL byte at offset ${this.total + nul}; not a text trace`,
        path,
        this.breaks + countLines(bytes, nul),
        { offset: this.total + nul },
      );
    }
    this.total += bytes.byteLength;
    if (this.total > TRACE_FILE_MAX_BYTES) throw tooLarge(path, this.total);
    let text: string;
    try {
      text = this.decoder.decode(bytes, { stream: true });
    } catch {
      throw this.badUtf8(bytes);
    }
    this.breaks += countLines(bytes, bytes.byteLength) - 1;
    this.reader.push(text);
  }

  end(): NetworkTrace {
    let rest: string;
    try {
      rest = this.decoder.decode();
    } catch {
      throw this.badUtf8(new Uint8Array(0));
    }
    if (rest !== '') this.reader.push(rest);
    return this.reader.end();
  }

  private badUtf8(bytes: Uint8Array): AbrkitError {
    // the line of the first bad sequence in this chunk, after the line breaks before it
    const line = invalidUtf8Line(bytes);
    return traceError(
      TRACE_ERROR_CODES.binary,
      'binary content: invalid UTF-8; not a text trace',
      this.path,
      line === undefined ? undefined : this.breaks + line,
    );
  }
}

/** Reads `path` in chunks into `reader` (see {@link ChunkDecoder}). */
async function readStreaming(
  path: string,
  reader: (sizeBytes?: number) => TraceTextReader,
): Promise<NetworkTrace> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw ioError(e, path);
  }
  try {
    const info = await handle.stat();
    if (info.isFile() && info.size > TRACE_FILE_MAX_BYTES) throw tooLarge(path, info.size);
    const decoder = new ChunkDecoder(path, reader(info.isFile() ? info.size : undefined));
    const chunk = new Uint8Array(CHUNK_BYTES);
    for (;;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null));
      } catch (e) {
        throw ioError(e, path);
      }
      if (bytesRead === 0) break;
      decoder.push(chunk.subarray(0, bytesRead));
    }
    return decoder.end();
  } finally {
    await handle.close();
  }
}

function readStreamingSync(path: string, reader: (sizeBytes?: number) => TraceTextReader): NetworkTrace {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw ioError(e, path);
  }
  try {
    const info = fstatSync(fd);
    if (info.isFile() && info.size > TRACE_FILE_MAX_BYTES) throw tooLarge(path, info.size);
    const decoder = new ChunkDecoder(path, reader(info.isFile() ? info.size : undefined));
    const chunk = new Uint8Array(CHUNK_BYTES);
    for (;;) {
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      } catch (e) {
        throw ioError(e, path);
      }
      if (bytesRead === 0) break;
      decoder.push(chunk.subarray(0, bytesRead));
    }
    return decoder.end();
  } finally {
    closeSync(fd);
  }
}

function tooLarge(path: string, bytes: number): AbrkitError {
  return new AbrkitError(
    'trace',
    TRACE_ERROR_CODES.tooLarge,
    `the file is larger than the ${TRACE_FILE_MAX_BYTES / 1024 / 1024} MiB a trace may be (${bytes} bytes${bytes > TRACE_FILE_MAX_BYTES ? '' : ' so far'})`,
    { data: { source: path, sizeBytes: bytes } },
  );
}

/**
 * Reads and parses one trace file. `format` forces a reader; without it the format is detected from the
 * content. A missing file throws `TRACE_NOT_FOUND`, NUL bytes or invalid UTF-8 `TRACE_BINARY`.
 */
export async function loadTraceFile(
  path: string,
  format?: TraceFormat,
  options: TraceReadOptions = {},
): Promise<NetworkTrace> {
  return readStreaming(path, (sizeBytes) =>
    createTraceReader(
      path,
      format,
      sizeBytes === undefined ? options : { expectedLength: sizeBytes, ...options },
    ),
  );
}

/** Synchronous {@link loadTraceFile}, for scripts and worker start-up. */
export function loadTraceFileSync(
  path: string,
  format?: TraceFormat,
  options: TraceReadOptions = {},
): NetworkTrace {
  return readStreamingSync(path, (sizeBytes) =>
    createTraceReader(
      path,
      format,
      sizeBytes === undefined ? options : { expectedLength: sizeBytes, ...options },
    ),
  );
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
    throw traceError(
      TRACE_ERROR_CODES.binary,
      'binary content: invalid UTF-8; not a text trace',
      source,
      invalidUtf8Line(bytes),
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
