/**
 * Node loader for network traces: reads files (or every trace in a folder), rejects binary content,
 * decodes UTF-8 strictly and hands the text to the pure readers in src/traces. Every problem is an
 * `AbrkitError('trace', ...)` naming the file.
 */
import { closeSync, fstatSync, openSync, readSync, readdirSync, statSync, type Stats } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AbrkitError } from '../core/errors.js';
import { parseTrace, type TraceReadOptions } from '../traces/detect.js';
import type { NetworkTrace, TraceFormat } from '../traces/model.js';
import { TRACE_ERROR_CODES, lineAt, traceError } from '../traces/text.js';

/** Files read at once by {@link loadTraces} (well under the usual 1024 open-file limit). */
const READ_CONCURRENCY = 16;

/**
 * Largest trace file read, bytes (512 MiB). A larger regular file is refused from its size before a byte
 * is read; a device or pipe (`/dev/zero`) is read in chunks and refused once it passes the limit (or at its
 * first NUL byte), so memory never grows past it.
 */
export const TRACE_FILE_MAX_BYTES = 512 * 1024 * 1024;

const CHUNK_BYTES = 1024 * 1024;

/** Reads `path` in chunks, refusing it past {@link TRACE_FILE_MAX_BYTES} or at a NUL byte. */
async function readBounded(path: string): Promise<Uint8Array> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw ioError(e, path);
  }
  try {
    const info = await handle.stat();
    if (info.isFile() && info.size > TRACE_FILE_MAX_BYTES) throw tooLarge(path, info.size);
    if (info.isFile() && info.size > 0) {
      // A regular file: one buffer of its size (no chunk list and copy), then a check that it ended there.
      const whole = new Uint8Array(info.size);
      let at = 0;
      try {
        while (at < whole.byteLength) {
          const { bytesRead } = await handle.read(whole, at, whole.byteLength - at, null);
          if (bytesRead === 0) break;
          at += bytesRead;
        }
        const { bytesRead: more } = await handle.read(new Uint8Array(1), 0, 1, null);
        if (more === 0) return whole.subarray(0, at);
      } catch (e) {
        throw ioError(e, path);
      }
      throw new AbrkitError('trace', TRACE_ERROR_CODES.readFailed, 'the file grew while it was read', {
        data: { source: path },
      });
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const chunk = new Uint8Array(CHUNK_BYTES);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null));
      } catch (e) {
        throw ioError(e, path);
      }
      if (bytesRead === 0) break;
      const used = chunk.subarray(0, bytesRead);
      const nul = used.indexOf(0);
      if (nul >= 0) decodeTraceBytes(concat([...chunks, used.subarray(0, nul + 1)], total + nul + 1), path);
      total += bytesRead;
      if (total > TRACE_FILE_MAX_BYTES) throw tooLarge(path, total);
      chunks.push(used);
    }
    return concat(chunks, total);
  } finally {
    await handle.close();
  }
}

function readBoundedSync(path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw ioError(e, path);
  }
  try {
    const info = fstatSync(fd);
    if (info.isFile() && info.size > TRACE_FILE_MAX_BYTES) throw tooLarge(path, info.size);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const chunk = new Uint8Array(CHUNK_BYTES);
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      } catch (e) {
        throw ioError(e, path);
      }
      if (bytesRead === 0) break;
      const used = chunk.subarray(0, bytesRead);
      const nul = used.indexOf(0);
      if (nul >= 0) decodeTraceBytes(concat([...chunks, used.subarray(0, nul + 1)], total + nul + 1), path);
      total += bytesRead;
      if (total > TRACE_FILE_MAX_BYTES) throw tooLarge(path, total);
      chunks.push(used);
    }
    return concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.byteLength === total) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c.subarray(0, Math.min(c.byteLength, total - at)), at);
    at += c.byteLength;
    if (at >= total) break;
  }
  return out;
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
  // The bytes are garbage once decoded: only the text stays while the reader runs.
  const text = decodeTraceBytes(await readBounded(path), path);
  return parseTrace(text, path, format, options);
}

/** Synchronous {@link loadTraceFile}, for scripts and worker start-up. */
export function loadTraceFileSync(
  path: string,
  format?: TraceFormat,
  options: TraceReadOptions = {},
): NetworkTrace {
  const text = decodeTraceBytes(readBoundedSync(path), path);
  return parseTrace(text, path, format, options);
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
