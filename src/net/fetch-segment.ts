import type { Clock } from '../core/clock.js';
import { AbrkitError, invalidArgument } from '../core/errors.js';
import type { DownloadSample } from '../core/types.js';

/**
 * Fetches one segment (or playlist) and measures it from the bytes as they arrive: the response body is
 * read as a stream, so a cached or service-worker response that arrives all at once shows up as what it is
 * (a near-zero transfer time, which the estimators' cache-hit guard drops) instead of being timed from
 * Resource Timing. `firstByteMs` is the arrival of the first body chunk, so latency is measured apart from
 * transfer.
 */
export interface FetchSegmentOptions {
  readonly clock: Clock;
  /** Inclusive byte range, as in EXT-X-BYTERANGE. */
  readonly byteRange?: { readonly offsetBytes: number; readonly lengthBytes: number };
  readonly signal?: AbortSignal;
  /** No byte for this long (connect, first byte or between chunks) fails the request. */
  readonly timeoutMs?: number;
  /** Before the first body byte, this timeout instead of `timeoutMs` (a shorter one at startup). */
  readonly firstByteTimeoutMs?: number;
  readonly onProgress?: (
    loadedBytes: number,
    totalBytes: number | null,
    nowMs: number,
    firstByteMs: number,
  ) => void;
  /** Injected for tests and non-browser runtimes; defaults to the global fetch. */
  readonly fetchImpl?: typeof fetch;
  /** The URL to request when it is not `url` itself (e.g. with a CMCD query); results still name `url`. */
  readonly requestUrl?: string;
  /** Request headers to add (e.g. CMCD-*). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FetchedSegment {
  readonly url: string;
  readonly bytes: Uint8Array;
  readonly sample: DownloadSample;
  readonly status: number;
}

export async function fetchSegment(url: string, options: FetchSegmentOptions): Promise<FetchedSegment> {
  const { clock } = options;
  const range = options.byteRange;
  if (range) {
    const { offsetBytes: o, lengthBytes: n } = range;
    if (!(Number.isInteger(o) && o >= 0 && n >= 1 && Number.isSafeInteger(o + n)))
      throw invalidArgument('byteRange', `must be whole bytes, at least 1, ending below 2^53, got ${n}@${o}`);
  }
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let timedOut = false;
  let cancelTimer: () => void = () => {};
  let timeoutMs = options.firstByteTimeoutMs ?? options.timeoutMs;
  const armTimeout = (): void => {
    cancelTimer();
    if (timeoutMs === undefined) return;
    cancelTimer = clock.setTimer(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
  };

  const startMs = clock.nowMs();
  let loadedBytes = 0;
  try {
    if (options.signal?.aborted) throw abortError(url);
    armTimeout();
    const headers: Record<string, string> = { ...options.headers };
    if (range) {
      const { offsetBytes, lengthBytes } = range;
      headers.Range = `bytes=${offsetBytes}-${offsetBytes + lengthBytes - 1}`;
    }
    const response = await (options.fetchImpl ?? fetch)(options.requestUrl ?? url, {
      signal: controller.signal,
      headers,
      cache: 'no-store',
    });
    if (!response.ok) {
      // Drop the error body: unread, it keeps the connection (and a paced link) busy until garbage collection.
      controller.abort();
      // 4xx other than 408/429 will not get better by retrying the same URL, but another rendition may work.
      throw new AbrkitError(
        'network',
        `HTTP_${response.status}`,
        `HTTP ${response.status} ${response.statusText}`,
        {
          fatal: false,
          data: { source: url, status: response.status },
        },
      );
    }
    const lengthHeader = response.headers.get('content-length');
    const totalBytes = lengthHeader === null ? null : Number(lengthHeader);
    const chunks: Uint8Array[] = [];
    let firstByteMs: number | null = null;
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        armTimeout();
        const { done, value } = await reader.read();
        if (done) break;
        const nowMs = clock.nowMs();
        firstByteMs ??= nowMs;
        timeoutMs = options.timeoutMs;
        chunks.push(value);
        loadedBytes += value.byteLength;
        options.onProgress?.(loadedBytes, totalBytes, nowMs, firstByteMs);
      }
    } else {
      const buffer = new Uint8Array(await response.arrayBuffer());
      firstByteMs = clock.nowMs();
      chunks.push(buffer);
      loadedBytes = buffer.byteLength;
    }
    const endMs = clock.nowMs();
    if (totalBytes !== null && Number.isFinite(totalBytes) && loadedBytes < totalBytes) {
      throw new AbrkitError(
        'network',
        'TRUNCATED',
        `body ended after ${loadedBytes} of ${totalBytes} bytes`,
        {
          fatal: false,
          data: { source: url, loadedBytes, totalBytes },
        },
      );
    }
    let bytes = concat(chunks, loadedBytes);
    if (range) {
      // a 206 is the range: shorter, it passed the end of the file; any other 2xx is the whole resource (RFC
      // 9110 §14.2 lets a server ignore Range), sliced here when it holds the range
      const endBytes = range.offsetBytes + range.lengthBytes;
      const partial = response.status === 206;
      if (partial ? loadedBytes !== range.lengthBytes : loadedBytes < endBytes) {
        throw new AbrkitError(
          'network',
          'BAD_RANGE_RESPONSE',
          `Range ${headers.Range} answered by a ${response.status} of ${loadedBytes} bytes`,
          { fatal: false, data: { source: url, status: response.status, loadedBytes } },
        );
      }
      if (!partial) bytes = bytes.subarray(range.offsetBytes, endBytes);
    }
    return {
      url,
      bytes,
      status: response.status,
      sample: { startMs, firstByteMs: firstByteMs ?? endMs, endMs, sizeBytes: loadedBytes },
    };
  } catch (error) {
    if (error instanceof AbrkitError) throw error;
    if (timedOut) {
      throw new AbrkitError('network', 'TIMEOUT', `no data for ${timeoutMs} ms`, {
        fatal: false,
        data: { source: url, loadedBytes },
        cause: error,
      });
    }
    if (options.signal?.aborted) throw abortError(url);
    throw new AbrkitError('network', 'NETWORK_ERROR', `request failed: ${describe(error)}`, {
      fatal: false,
      data: { source: url, loadedBytes },
      cause: error,
    });
  } finally {
    cancelTimer();
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

function abortError(url: string): AbrkitError {
  return new AbrkitError('network', 'ABORTED', 'request aborted', { fatal: false, data: { source: url } });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

function concat(chunks: readonly Uint8Array[], totalBytes: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(totalBytes);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
