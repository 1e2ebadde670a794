/**
 * Loads an HLS presentation over fetch: the master playlist, then every media playlist it names (video
 * variants and audio renditions) in parallel, each with the retry policy; parsed by src/manifest. An MPD
 * goes to load-dash.ts, a lazy chunk.
 */
import type { Clock } from '../core/clock.js';
import { AbrkitError } from '../core/errors.js';
import { isMasterPlaylist, parseMasterPlaylist } from '../manifest/master.js';
import { parseMediaPlaylist } from '../manifest/media.js';
import type { MediaPlaylist, Presentation } from '../manifest/model.js';
import { buildPresentation, presentationFromMediaPlaylist } from '../manifest/presentation.js';
import { fetchSegment } from '../net/fetch-segment.js';
import type { RetryPolicy } from '../net/retry.js';
import { withRetry } from '../net/retry.js';

export interface LoadPresentationOptions {
  readonly clock: Clock;
  readonly retry: RetryPolicy;
  readonly random: () => number;
  readonly timeoutMs: number;
  /** Timeout before the first byte of each attempt, ms (default `timeoutMs`). */
  readonly firstByteTimeoutMs?: number;
  readonly signal: AbortSignal;
  readonly inFlight?: Set<AbortController>;
  readonly fetchImpl?: typeof fetch;
  /** Told before each retry of a failed request, with its error (`data.source` is the URL). */
  readonly onRetry?: (error: AbrkitError, attempt: number, delayMs: number) => void;
  /** Told when a video variant is left out because its playlist failed beyond its retries. */
  readonly onExclude?: (url: string, error: AbrkitError) => void;
}

/** Fetches one playlist as text (with retries). */
export async function fetchText(url: string, o: LoadPresentationOptions): Promise<string> {
  return new TextDecoder().decode(await fetchBytes(url, o));
}

/** Fetches a resource, or a byte range of it, as bytes (with retries). */
export async function fetchBytes(
  url: string,
  o: LoadPresentationOptions,
  byteRange?: { readonly offsetBytes: number; readonly lengthBytes: number },
): Promise<Uint8Array> {
  const fetched = await withRetry(
    o.retry,
    { clock: o.clock, random: o.random, signal: o.signal, ...(o.onRetry ? { onRetry: o.onRetry } : {}) },
    async () => {
      const controller = new AbortController();
      const onAbort = (): void => controller.abort();
      o.signal.addEventListener('abort', onAbort, { once: true });
      o.inFlight?.add(controller);
      try {
        return await fetchSegment(url, {
          clock: o.clock,
          signal: controller.signal,
          timeoutMs: o.timeoutMs,
          ...(o.firstByteTimeoutMs ? { firstByteTimeoutMs: o.firstByteTimeoutMs } : {}),
          ...(byteRange ? { byteRange } : {}),
          ...(o.fetchImpl ? { fetchImpl: o.fetchImpl } : {}),
        });
      } finally {
        o.inFlight?.delete(controller);
        o.signal.removeEventListener('abort', onAbort);
      }
    },
  );
  return fetched.bytes;
}

/**
 * The presentation at `url`: a master playlist with its media playlists, or a lone media playlist (then one
 * rendition, of nominal bitrate `fallbackBitrateKbps` unless its byte ranges tell).
 */
export async function loadPresentation(
  url: string,
  o: LoadPresentationOptions,
  fallbackBitrateKbps = 1000,
): Promise<Presentation> {
  const text = await fetchText(url, o);
  // an MPD (XML, where a playlist starts with #EXTM3U): DASH is a chunk of its own, fetched only then
  if (/^\uFEFF?\s*</.test(text)) return (await import('./load-dash.js')).loadDashPresentation(text, url, o);
  if (!isMasterPlaylist(text)) {
    const media = parseMediaPlaylist(text, url);
    const sized = media.segments.length > 0 && media.segments.every((s) => s.byteRange !== undefined);
    return presentationFromMediaPlaylist(media, sized ? undefined : fallbackBitrateKbps);
  }
  const master = parseMasterPlaylist(text, url);
  const uris = new Set<string>();
  for (const a of master.audioRenditions) if (a.uri !== undefined) uris.add(a.uri);
  const audioUris = new Set(uris);
  for (const r of master.renditions) uris.add(r.uri);
  const playlists = new Map<string, MediaPlaylist>();
  // a video variant whose playlist cannot be loaded is left out (the others play); audio, or every video
  // variant failing, fails the load
  const failed: [string, AbrkitError][] = [];
  await Promise.all(
    [...uris].map(async (uri) => {
      try {
        playlists.set(uri, parseMediaPlaylist(await fetchText(uri, o), uri));
      } catch (error) {
        if (audioUris.has(uri) || !(error instanceof AbrkitError) || error.category !== 'network')
          throw error;
        failed.push([uri, error]);
      }
    }),
  );
  if (failed.length > 0 && failed.length === master.renditions.length) throw failed[0]![1];
  for (const [uri, error] of failed) o.onExclude?.(uri, error);
  // a live one (no ENDLIST) plays through src/player/live
  return buildPresentation(master, playlists);
}
