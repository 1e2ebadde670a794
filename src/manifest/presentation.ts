/**
 * Merging a master playlist with the media playlists it names into one {@link Presentation}, and reading
 * the session loop's {@link SegmentRef}s out of it.
 */
import type { SegmentRef } from '../core/types.js';
import { invalidArgument } from '../core/errors.js';
import type {
  MasterPlaylist,
  MediaPlaylist,
  Presentation,
  PresentationAudioRendition,
  PresentationRendition,
} from './model.js';

/** Media playlists by their resolved URI: a `Map`, or a plain object. */
export type MediaPlaylistsByUri =
  ReadonlyMap<string, MediaPlaylist> | Readonly<Record<string, MediaPlaylist>>;

function lookup(mediaByUri: MediaPlaylistsByUri, uri: string): MediaPlaylist | undefined {
  if (mediaByUri instanceof Map) return (mediaByUri as ReadonlyMap<string, MediaPlaylist>).get(uri);
  const record = mediaByUri as Readonly<Record<string, MediaPlaylist>>;
  return Object.prototype.hasOwnProperty.call(record, uri) ? record[uri] : undefined;
}

/**
 * Attaches to each rendition (video and audio) the media playlist found under its resolved URI in
 * `mediaByUri`. Renditions without one keep `playlist` undefined (not loaded yet). The presentation's
 * `type` and `durationMs` come from the lowest rendition that has a playlist.
 */
export function buildPresentation(
  master: MasterPlaylist,
  mediaByUri: MediaPlaylistsByUri = new Map(),
): Presentation {
  const given: unknown = master;
  if (
    typeof given !== 'object' ||
    given === null ||
    !('renditions' in given) ||
    !Array.isArray(given.renditions)
  ) {
    throw invalidArgument('master', 'must be a MasterPlaylist (from parseMasterPlaylist)');
  }
  const renditions = master.renditions.map((rendition): PresentationRendition => {
    const playlist = lookup(mediaByUri, rendition.uri);
    return playlist ? { ...rendition, playlist } : { ...rendition };
  });
  const audioRenditions = master.audioRenditions.map((audio): PresentationAudioRendition => {
    const playlist = audio.uri === undefined ? undefined : lookup(mediaByUri, audio.uri);
    return playlist ? { ...audio, playlist } : { ...audio };
  });
  const first = renditions.find((r) => r.playlist !== undefined)?.playlist;
  const presentation: { -readonly [K in keyof Presentation]: Presentation[K] } = {
    uri: master.uri,
    renditions,
    audioRenditions,
  };
  if (first) {
    presentation.type = first.type;
    presentation.durationMs = first.totalDurationMs;
  }
  return presentation;
}

/**
 * A presentation for a media playlist loaded on its own (no master): one rendition whose URI is the
 * playlist's. Its bitrate is `bitrateKbps` when given, else estimated from the byte ranges as total bits over
 * total duration (every segment must then have one); without either it throws a `TypeError`.
 */
export function presentationFromMediaPlaylist(media: MediaPlaylist, bitrateKbps?: number): Presentation {
  let kbps = bitrateKbps;
  if (kbps === undefined) {
    const sized = media.segments.every((s) => s.byteRange !== undefined) && media.totalDurationMs > 0;
    if (!sized) {
      throw invalidArgument(
        'bitrateKbps',
        'required when the playlist has no byte ranges to estimate it from',
      );
    }
    const totalBytes = media.segments.reduce((sum, s) => sum + (s.byteRange?.lengthBytes ?? 0), 0);
    kbps = (totalBytes * 8) / media.totalDurationMs;
  }
  if (!(Number.isFinite(kbps) && kbps > 0)) throw invalidArgument('bitrateKbps', `must be > 0, got ${kbps}`);
  const rendition: PresentationRendition = {
    index: 0,
    bitrateKbps: kbps,
    peakBitrateKbps: kbps,
    uri: media.uri,
    line: 1,
    playlist: media,
  };
  return {
    uri: media.uri,
    renditions: [rendition],
    audioRenditions: [],
    type: media.type,
    durationMs: media.totalDurationMs,
  };
}

/**
 * The segments of one rendition as core {@link SegmentRef}s; `sizeBytes` is the byte range's length when
 * the playlist gives one. Empty when the rendition's playlist is not loaded.
 */
export function segmentRefs(presentation: Presentation, renditionIndex: number): SegmentRef[] {
  const rendition = presentation.renditions[renditionIndex];
  if (!Number.isInteger(renditionIndex) || !rendition) {
    throw invalidArgument(
      'renditionIndex',
      `must be an index in 0..${presentation.renditions.length - 1}, got ${renditionIndex}`,
    );
  }
  return (rendition.playlist?.segments ?? []).map((segment) => {
    const ref: { -readonly [K in keyof SegmentRef]: SegmentRef[K] } = {
      index: segment.index,
      renditionIndex,
      startMs: segment.startMs,
      durationMs: segment.durationMs,
      uri: segment.uri,
    };
    if (segment.byteRange) ref.sizeBytes = segment.byteRange.lengthBytes;
    return ref;
  });
}
