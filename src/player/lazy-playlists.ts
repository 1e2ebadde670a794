/**
 * Media playlists loaded when first needed (issue 19, docs/startup.md). `load()` fetches the master, the audio
 * playlist and the lowest variant's playlist (and `startRendition`'s) before the first decision; every other
 * variant stays in the ladder with the lowest's playlist standing in for its timeline (`ladder.deferred`), and
 * its own playlist is fetched the first time the session requests one of its segments, before that segment
 * and its init segment (src/player/fetch-source.ts awaits it).
 *
 * Why the algorithm still sees every rendition: the context a decision gets (src/session/session.ts) holds the
 * bitrates (from the master), the nominal segment duration (the lowest rendition's first segment) and the
 * segment sizes (from byte ranges). The player defers playlists only when the lowest has no byte range at all
 * (src/player/load-presentation.ts loads every playlist up front otherwise), so every size is unknown either
 * way and the context is the one the algorithm would get with every playlist loaded. A deferred playlist
 * found to carry byte ranges brings its sizes from then on.
 *
 * A deferred playlist that cannot be loaded (one attempt; the session's retry hook retries), or that lists
 * fewer segments than the session plays or is not a complete VOD list, fails that request as the rendition's
 * init segment would (`data.init = 'video'`): src/player/fallback.ts retries it once and then excludes the
 * rendition.
 */
import { AbrkitError } from '../core/errors.js';
import { parseMediaPlaylist } from '../manifest/media.js';
import type { MediaPlaylist, Presentation } from '../manifest/model.js';
import type { PlayerLadder } from './ladder.js';
import type { LoadPresentationOptions } from './load-presentation.js';
import { fetchText } from './load-presentation.js';

/** `renditionIndex`'s playlist: null when it is in the ladder already, else a promise settled once it is. */
export type EnsurePlaylist = (renditionIndex: number) => Promise<void> | null;

/**
 * The on-demand loader of `ladder.deferred`'s playlists. `fetchPlaylist(renditionIndex)` fetches and parses
 * one (the player: one attempt with its playlist timeouts).
 */
export function playlistLoader(
  ladder: PlayerLadder,
  fetchPlaylist: (renditionIndex: number) => Promise<MediaPlaylist>,
): EnsurePlaylist {
  const loading = new Map<number, Promise<void>>();
  return (r) => {
    if (!ladder.deferred?.has(r)) return null;
    let pending = loading.get(r);
    if (!pending) {
      pending = fetchPlaylist(r).then(
        (playlist) => {
          const short = playlist.segments.length < ladder.segmentCount || !playlist.endList;
          if (short) {
            throw new AbrkitError(
              'manifest',
              'PLAYLIST_MISMATCH',
              `rendition ${r}'s playlist lists ${playlist.segments.length} segments${playlist.endList ? '' : ' without ENDLIST'}, the session plays ${ladder.segmentCount}`,
              { fatal: false, data: { source: playlist.uri, init: 'video' } },
            );
          }
          // the ladder's renditions are the player's own objects: the playlist takes the stand-in's place
          (ladder.renditions[r] as { playlist: MediaPlaylist }).playlist = playlist;
          ladder.deferred?.delete(r);
        },
        (error: unknown) => {
          if (error instanceof AbrkitError) (error.data as { init?: string }).init = 'video';
          throw error;
        },
      );
      // a failed load is tried again at the next request
      pending.catch(() => loading.delete(r));
      loading.set(r, pending);
    }
    return pending;
  };
}

/**
 * Fetches and parses a deferred rendition's playlist: one attempt (the session's retry hook decides on more),
 * with `load()`'s timeouts and abort signal.
 */
export function fetchDeferredPlaylist(
  presentation: Presentation,
  ladder: PlayerLadder,
  o: LoadPresentationOptions,
): (renditionIndex: number) => Promise<MediaPlaylist> {
  const once = { ...o, retry: { ...o.retry, maxRetries: 0 } };
  return async (r) => {
    const uri = presentation.renditions[ladder.renditions[r]?.presentationIndex ?? -1]?.uri ?? '';
    return parseMediaPlaylist(await fetchText(uri, once), uri);
  };
}
