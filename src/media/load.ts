/**
 * Reading playlists and segments from a local path or an http(s) URL (Node: node:fs and fetch), and sizing
 * them without reading them when the file system or a HEAD request can say.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { AbrkitError, isAbrkitError } from '../core/errors.js';
import { listTopLevelBoxes, readBoxHeader, type BoxHeader } from './boxes.js';

export function isHttpUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** Reads a whole text file or URL. Throws `AbrkitError('network', 'RESOURCE_NOT_FOUND' | 'HTTP_STATUS' | 'READ_FAILED')`. */
export async function loadText(location: string): Promise<string> {
  return new TextDecoder().decode(await loadBytes(location));
}

/** Reads a file or URL, or a byte range of it (`offsetBytes`, `lengthBytes`). Errors as {@link loadText}. */
export async function loadBytes(
  location: string,
  range?: { readonly offsetBytes: number; readonly lengthBytes: number },
): Promise<Uint8Array> {
  if (isHttpUrl(location)) {
    const headers: Record<string, string> = {};
    if (range) headers.Range = `bytes=${range.offsetBytes}-${range.offsetBytes + range.lengthBytes - 1}`;
    const response = await fetchOrThrow(location, { headers });
    const bytes = new Uint8Array(await response.arrayBuffer());
    // A server that ignores Range sends the whole file (200): cut the range out of it.
    return range && response.status === 200
      ? bytes.subarray(range.offsetBytes, range.offsetBytes + range.lengthBytes)
      : bytes;
  }
  let bytes: Uint8Array;
  try {
    // a device or a pipe (/dev/zero) would be read without end: only regular files are read
    if (!(await stat(location)).isFile()) {
      throw new AbrkitError('network', 'READ_FAILED', 'not a file', { data: { source: location } });
    }
    bytes = new Uint8Array(await readFile(location));
  } catch (cause) {
    if (cause instanceof AbrkitError) throw cause;
    throw fileError(location, cause);
  }
  return range ? bytes.subarray(range.offsetBytes, range.offsetBytes + range.lengthBytes) : bytes;
}

/** Size in bytes of a file or URL: `stat`, or HEAD's Content-Length (a GET when the server gives none). */
export async function sizeOf(location: string): Promise<number> {
  if (isHttpUrl(location)) {
    const head = await fetchOrThrow(location, { method: 'HEAD' });
    const length = Number(head.headers.get('content-length') ?? Number.NaN);
    if (Number.isInteger(length) && length >= 0) return length;
    return (await loadBytes(location)).byteLength;
  }
  try {
    const info = await stat(location);
    if (!info.isFile()) {
      throw new AbrkitError('network', 'READ_FAILED', 'not a file', { data: { source: location } });
    }
    return info.size;
  } catch (cause) {
    if (cause instanceof AbrkitError) throw cause;
    throw fileError(location, cause);
  }
}

/** What {@link probeSegment} found. */
export interface SegmentProbe {
  /** Bytes of the segment: its byte range's length, else the whole file's (never an announced size). */
  readonly sizeBytes: number;
  /** Size of the whole file or resource. */
  readonly fileSizeBytes: number;
  /**
   * Top-level ISO BMFF boxes (offsets from the start of the segment or range); null when not read
   * (`readBoxes: false`) or when the segment is MPEG-TS (sync byte 0x47 every 188 bytes).
   */
  readonly boxes: readonly BoxHeader[] | null;
  readonly mpegTs: boolean;
}

/** A segment with more top-level boxes than this is not a media segment (and would take long to walk). */
export const MAX_TOP_LEVEL_BOXES = 10_000;
const TS_PACKET_BYTES = 188;

/**
 * Measures a segment (or its byte range) from the real file or resource, and optionally lists its top-level
 * boxes: for a local file by reading only the 16-byte box headers, over http by reading it whole. Throws
 * `AbrkitError` naming `location`: the errors of {@link loadBytes}, `('media', 'BYTERANGE_OUT_OF_FILE')`
 * when the range ends past the end of the file, and those of `listTopLevelBoxes` (a box that runs past the
 * end, a malformed size). `namedAt` (e.g. the playlist and line naming the segment) ends every message.
 */
export async function probeSegment(
  location: string,
  range: { readonly offsetBytes: number; readonly lengthBytes: number } | undefined,
  options: { readonly readBoxes: boolean; readonly namedAt?: string },
): Promise<SegmentProbe> {
  try {
    return isHttpUrl(location)
      ? await probeRemote(location, range, options.readBoxes)
      : await probeLocal(location, range, options.readBoxes);
  } catch (e) {
    if (options.namedAt === undefined || !isAbrkitError(e)) throw e;
    const prefix = `${location}: `;
    const problem = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    throw new AbrkitError(e.category, e.code, `${problem} (named at ${options.namedAt})`, {
      fatal: e.fatal,
      data: { ...e.data, namedAt: options.namedAt },
      cause: e.cause,
    });
  }
}

function outOfFile(
  location: string,
  range: { readonly offsetBytes: number; readonly lengthBytes: number },
  fileSizeBytes: number,
): AbrkitError {
  const end = range.offsetBytes + range.lengthBytes;
  return new AbrkitError(
    'media',
    'BYTERANGE_OUT_OF_FILE',
    `byte range ${range.lengthBytes}@${range.offsetBytes} ends at byte ${end} but the file has ${fileSizeBytes} bytes`,
    {
      data: {
        source: location,
        fileSizeBytes,
        offsetBytes: range.offsetBytes,
        lengthBytes: range.lengthBytes,
      },
    },
  );
}

function isMpegTs(head: Uint8Array, sizeBytes: number): boolean {
  return (
    head[0] === 0x47 &&
    sizeBytes % TS_PACKET_BYTES === 0 &&
    (sizeBytes === TS_PACKET_BYTES || head[TS_PACKET_BYTES] === 0x47)
  );
}

async function probeLocal(
  location: string,
  range: { readonly offsetBytes: number; readonly lengthBytes: number } | undefined,
  readBoxes: boolean,
): Promise<SegmentProbe> {
  let handle;
  try {
    handle = await open(location, 'r');
  } catch (cause) {
    throw fileError(location, cause);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile())
      throw new AbrkitError('network', 'READ_FAILED', 'not a file', { data: { source: location } });
    const fileSizeBytes = info.size;
    if (range && range.offsetBytes + range.lengthBytes > fileSizeBytes)
      throw outOfFile(location, range, fileSizeBytes);
    const start = range?.offsetBytes ?? 0;
    const sizeBytes = range?.lengthBytes ?? fileSizeBytes;
    if (!readBoxes || sizeBytes === 0) return { sizeBytes, fileSizeBytes, boxes: null, mpegTs: false };
    const read = async (offset: number, length: number): Promise<Uint8Array> => {
      const buffer = new Uint8Array(Math.min(length, sizeBytes - offset));
      const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, start + offset);
      return buffer.subarray(0, bytesRead);
    };
    if (isMpegTs(await read(0, TS_PACKET_BYTES + 1), sizeBytes))
      return { sizeBytes, fileSizeBytes, boxes: null, mpegTs: true };
    const boxes: BoxHeader[] = [];
    for (let offset = 0; offset < sizeBytes;) {
      if (boxes.length >= MAX_TOP_LEVEL_BOXES)
        throw new AbrkitError(
          'media',
          'MEDIA_MALFORMED',
          `more than ${MAX_TOP_LEVEL_BOXES} top-level boxes: not a media segment`,
          { data: { source: location } },
        );
      const box = readBoxHeader(await read(offset, 16), offset, sizeBytes - offset, location);
      boxes.push(box);
      offset += box.sizeBytes;
    }
    return { sizeBytes, fileSizeBytes, boxes, mpegTs: false };
  } catch (cause) {
    if (cause instanceof AbrkitError) throw cause;
    throw fileError(location, cause);
  } finally {
    await handle.close();
  }
}

async function probeRemote(
  location: string,
  range: { readonly offsetBytes: number; readonly lengthBytes: number } | undefined,
  readBoxes: boolean,
): Promise<SegmentProbe> {
  if (!readBoxes) {
    const fileSizeBytes = await sizeOf(location);
    if (range && range.offsetBytes + range.lengthBytes > fileSizeBytes)
      throw outOfFile(location, range, fileSizeBytes);
    return { sizeBytes: range?.lengthBytes ?? fileSizeBytes, fileSizeBytes, boxes: null, mpegTs: false };
  }
  const bytes = await loadBytes(location, range);
  if (range && bytes.byteLength < range.lengthBytes)
    throw outOfFile(location, range, range.offsetBytes + bytes.byteLength);
  const sizeBytes = bytes.byteLength;
  const fileSizeBytes = range ? range.offsetBytes + sizeBytes : sizeBytes;
  if (sizeBytes === 0) return { sizeBytes, fileSizeBytes, boxes: null, mpegTs: false };
  if (isMpegTs(bytes, sizeBytes)) return { sizeBytes, fileSizeBytes, boxes: null, mpegTs: true };
  return { sizeBytes, fileSizeBytes, boxes: listTopLevelBoxes(bytes, location), mpegTs: false };
}

async function fetchOrThrow(url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (cause) {
    throw new AbrkitError('network', 'READ_FAILED', `request failed: ${String(cause)}`, {
      data: { source: url },
      cause,
    });
  }
  if (response.status === 404) {
    throw new AbrkitError('network', 'RESOURCE_NOT_FOUND', 'HTTP 404', {
      data: { source: url, status: 404 },
    });
  }
  if (!response.ok) {
    throw new AbrkitError('network', 'HTTP_STATUS', `HTTP ${response.status}`, {
      data: { source: url, status: response.status },
    });
  }
  return response;
}

function fileError(location: string, cause: unknown): AbrkitError {
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') {
    return new AbrkitError('network', 'RESOURCE_NOT_FOUND', 'no such file', {
      data: { source: location },
      cause,
    });
  }
  return new AbrkitError('network', 'READ_FAILED', `cannot read: ${String(cause)}`, {
    data: { source: location },
    cause,
  });
}
