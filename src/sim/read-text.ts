/**
 * Bounded reading of the text inputs that are not traces (video descriptions, suite files, shard summaries,
 * HAR and session exports): read 1 MiB at a time, refused at the first NUL byte, on invalid UTF-8 and past
 * {@link TEXT_FILE_MAX_BYTES}, so a device or pipe such as `/dev/zero` ends at once instead of filling memory,
 * and a binary file is said to be binary instead of its bytes being echoed in a parse error. Traces have
 * their own streaming loader (load-trace.ts) with the same limits.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { invalidUtf8Line } from './utf8.js';
import { TRACE_FILE_MAX_BYTES } from './load-trace.js';

/** Largest text input read, bytes: the 512 MiB of a trace file (a JavaScript string holds no more). */
export const TEXT_FILE_MAX_BYTES = TRACE_FILE_MAX_BYTES;

const CHUNK_BYTES = 1024 * 1024;

/** Why a file is refused: binary content (a NUL byte, invalid UTF-8), or more bytes than allowed. */
export type TextProblemKind = 'binary' | 'tooLarge';

/**
 * Builds the caller's typed error for a file that is not readable text: `line` is 1-based when known. The
 * caller names the file (its `source`).
 */
export type TextProblem = (message: string, line: number | undefined, kind: TextProblemKind) => Error;

/**
 * Reads `path` as strict UTF-8 text (a byte-order mark is dropped). A binary or oversized file fails through
 * `problem`; the system's errors (no such file, permission denied...) are thrown as they are, for the caller's
 * own handling.
 */
export async function readTextFile(path: string, problem: TextProblem): Promise<string> {
  const handle: FileHandle = await open(path, 'r');
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const info = await handle.stat();
    if (info.isFile() && info.size > TEXT_FILE_MAX_BYTES)
      throw problem(tooLarge(info.size), undefined, 'tooLarge');
    for (;;) {
      const chunk = new Uint8Array(CHUNK_BYTES);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const bytes = chunk.subarray(0, bytesRead);
      const nul = bytes.indexOf(0);
      if (nul >= 0) {
        const line = lineOfByte(chunks, bytes, nul);
        throw problem(`binary content: a NUL byte at offset ${total + nul}; not a text file`, line, 'binary');
      }
      total += bytesRead;
      if (total > TEXT_FILE_MAX_BYTES) throw problem(tooLarge(total), undefined, 'tooLarge');
      chunks.push(bytes);
    }
  } finally {
    await handle.close();
  }
  const bytes = Buffer.concat(chunks, total);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw problem('binary content: invalid UTF-8; not a text file', invalidUtf8Line(bytes), 'binary');
  }
}

function tooLarge(sizeBytes: number): string {
  return `the file is larger than the ${TEXT_FILE_MAX_BYTES / 1024 / 1024} MiB a text input may be (${sizeBytes} bytes)`;
}

/** 1-based line of byte `index` of `last`, after the bytes of `before`. */
function lineOfByte(before: readonly Uint8Array[], last: Uint8Array, index: number): number {
  let line = 1;
  for (const chunk of before) for (const b of chunk) if (b === 10) line++;
  for (let i = 0; i < index; i++) if (last[i] === 10) line++;
  return line;
}
