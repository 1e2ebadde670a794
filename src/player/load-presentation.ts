/**
 * Loads an HLS presentation over fetch: the master playlist, then the media playlists it names (video
 * variants and audio renditions; all of them, or only what the first decision needs, see `firstVariants`) in
 * parallel, each with the retry policy; parsed by src/manifest. An MPD goes to load-dash.ts, a lazy chunk.
 */
import type { Clock } from '../core/clock.js';
import { AbrkitError } from '../core/errors.js';
import { isMasterPlaylist, parseMasterPlaylist } from '../manifest/master.js';
import { parseMediaPlaylist } from '../manifest/media.js';
import type { MediaPlaylist, Presentation } from '../manifest/model.js';
import { buildPresentation, presentationFromMediaPlaylist } from '../manifest/presentation.js';
import { fetchSegment } from '../net/fetch-segment.js';
import { splitCodecs } from './ladder.js';
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
      // a signal aborted before this attempt (a player destroyed while a deferred playlist waited) sends nothing
      if (o.signal.aborted) controller.abort();
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
 * rendition, of nominal bitrate `fallbackBitrateKbps` unless its byte ranges tell). With `firstVariants`
 * (indices in the master), only the audio playlists, the lowest variant's and these are loaded; the other
 * variants keep no playlist, unless the lowest's has byte ranges (algorithms read segment sizes), is not a
 * complete VOD list (live), a variant's CODECS name no video codec (read from every init segment), or a
 * playlist failed: then every playlist is loaded, as without `firstVariants`.
 */
export async function loadPresentation(
  url: string,
  o: LoadPresentationOptions,
  fallbackBitrateKbps = 1000,
  firstVariants?: readonly number[],
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
  const loadAll = (list: Iterable<string>): Promise<unknown> =>
    Promise.all(
      [...list].map(async (uri) => {
        try {
          playlists.set(uri, parseMediaPlaylist(await fetchText(uri, o), uri));
        } catch (error) {
          if (audioUris.has(uri) || !(error instanceof AbrkitError) || error.category !== 'network')
            throw error;
          failed.push([uri, error]);
        }
      }),
    );
  // `firstVariants`: audio, the lowest variant and these now, the other variants when first used
  // (src/player/lazy-playlists.ts), unless their segment sizes, codecs or liveness must be known up front
  const first =
    firstVariants &&
    new Set([...audioUris, ...[0, ...firstVariants].flatMap((i) => master.renditions[i]?.uri ?? [])]);
  await loadAll(first ?? uris);
  const lowest = master.renditions[0] && playlists.get(master.renditions[0].uri);
  if (
    first &&
    (failed.length > 0 ||
      !lowest?.endList ||
      lowest.segments.some((s) => s.byteRange) ||
      master.renditions.some((r) => splitCodecs(r.codecs).video.length === 0))
  )
    await loadAll([...uris].filter((uri) => !playlists.has(uri) && !failed.some(([f]) => f === uri)));
  if (failed.length > 0 && failed.length === master.renditions.length) throw failed[0]![1];
  for (const [uri, error] of failed) o.onExclude?.(uri, error);
  // a live one (no ENDLIST) plays through src/player/live
  return buildPresentation(master, playlists);
}
