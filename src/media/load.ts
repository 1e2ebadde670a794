/**
 * Reading playlists and segments from a local path or an http(s) URL (Node: node:fs and fetch), and sizing
 * them without reading them when the file system or a HEAD request can say.
 */
import { readFile, stat } from 'node:fs/promises';
import { AbrkitError } from '../core/errors.js';

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
    bytes = new Uint8Array(await readFile(location));
  } catch (cause) {
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
