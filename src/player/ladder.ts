/**
 * What the player plays, read out of a `Presentation`: the video renditions the browser can decode
 * (re-indexed 0..n-1 in ascending bitrate), their segments and init segments, the audio rendition that
 * follows them, and the segment timeline. Pure: the codec check is passed in.
 */
import type { Rendition } from '../core/types.js';
import { AbrkitError } from '../core/errors.js';
import type { MediaPlaylist, MediaSegment, Presentation, PresentationRendition } from '../manifest/model.js';

/** A playable video rendition: a core `Rendition` (index in the player's ladder) and its playlist. */
export interface PlayerRendition extends Rendition {
  /** Index in `presentation.renditions`. */
  readonly presentationIndex: number;
  readonly playlist: MediaPlaylist;
  /** MIME type for `addSourceBuffer` / `changeType`, e.g. `video/mp4; codecs="avc1.4d400c"`. */
  readonly mimeType: string;
}

export interface PlayerAudio {
  readonly playlist: MediaPlaylist;
  readonly mimeType: string;
}

export interface PlayerLadder {
  readonly renditions: readonly PlayerRendition[];
  /** Demuxed audio that plays with every rendition, or null (muxed or no audio). */
  readonly audio: PlayerAudio | null;
  /** Video segments in the session (the fewest any rendition has). */
  readonly segmentCount: number;
  /** Nominal segment duration (the first segment's), ms. */
  readonly segmentDurationMs: number;
  readonly durationMs: number;
  /**
   * Renditions whose media playlist is not loaded yet (src/player/lazy-playlists.ts): until it is, their
   * `playlist` is the lowest rendition's, for its timeline only. Absent when every playlist is loaded.
   */
  readonly deferred?: Set<number>;
}

/** Splits a CODECS attribute into the video and the audio codecs (`avc1`/`hvc1`/`vp09`/`av01`... vs `mp4a`/`opus`...). */
export function splitCodecs(codecs: string | undefined): { video: string[]; audio: string[] } {
  const video: string[] = [];
  const audio: string[] = [];
  for (const raw of (codecs ?? '').split(',')) {
    const codec = raw.trim();
    if (codec === '') continue;
    if (/^(mp4a|ac-3|ec-3|opus|flac|mp3)/i.test(codec)) audio.push(codec);
    else video.push(codec);
  }
  return { video, audio };
}

/**
 * Builds the ladder. `isSupported(mimeType)` is `MediaSource.isTypeSupported` in the browser. Renditions
 * with an unsupported codec are left out, and so are those without a playlist unless `defer` (then they stay,
 * listed in `deferred`); when none is left it throws `AbrkitError('media', 'UNSUPPORTED_CODEC')` naming the
 * master playlist.
 */
export function buildLadder(
  presentation: Presentation,
  isSupported: (mimeType: string) => boolean,
  defer = false,
): PlayerLadder {
  const renditions: PlayerRendition[] = [];
  const rejected: string[] = [];
  // `defer`: a variant without a playlist stays, the lowest loaded one's playlist standing in (see `deferred`)
  const standIn = defer
    ? presentation.renditions.find((r) => r.playlist?.segments.length)?.playlist
    : undefined;
  const deferred = new Set<number>();
  presentation.renditions.forEach((r: PresentationRendition, presentationIndex) => {
    const playlist = r.playlist ?? standIn;
    if (!playlist || playlist.segments.length === 0) return;
    const { video } = splitCodecs(r.codecs);
    const mimeType = `video/mp4; codecs="${video.length > 0 ? video.join(',') : 'avc1.42e01e'}"`;
    if (!isSupported(mimeType)) {
      rejected.push(mimeType);
      return;
    }
    if (!r.playlist) deferred.add(renditions.length);
    const rendition: PlayerRendition = {
      ...pickRendition(r),
      index: renditions.length,
      presentationIndex,
      playlist,
      mimeType,
    };
    renditions.push(rendition);
  });
  if (renditions.length === 0) {
    throw new AbrkitError(
      'media',
      'UNSUPPORTED_CODEC',
      `no playable rendition (unsupported: ${rejected.join(', ') || 'none'})`,
      {
        data: { source: presentation.uri, rejected },
      },
    );
  }
  const first = renditions[0]!;
  const groupId = presentation.renditions[first.presentationIndex]?.audioGroupId;
  const audioRendition =
    presentation.audioRenditions.find((a) => a.groupId === groupId && a.default && a.playlist) ??
    presentation.audioRenditions.find((a) => a.groupId === groupId && a.playlist);
  let audio: PlayerAudio | null = null;
  if (audioRendition?.playlist && audioRendition.playlist.segments.length > 0) {
    const codec =
      splitCodecs(presentation.renditions[first.presentationIndex]?.codecs).audio[0] ?? 'mp4a.40.2';
    audio = { playlist: audioRendition.playlist, mimeType: `audio/mp4; codecs="${codec}"` };
  }
  const segmentCount = Math.min(...renditions.map((r) => r.playlist.segments.length));
  const firstSegment = first.playlist.segments[0] as MediaSegment;
  return {
    renditions,
    audio,
    segmentCount,
    segmentDurationMs: firstSegment.durationMs,
    durationMs: first.playlist.totalDurationMs,
    ...(deferred.size > 0 ? { deferred } : {}),
  };
}

function pickRendition(r: PresentationRendition): Omit<Rendition, 'index'> {
  const out: { -readonly [K in keyof Rendition]?: Rendition[K] } = { bitrateKbps: r.bitrateKbps };
  if (r.peakBitrateKbps !== undefined) out.peakBitrateKbps = r.peakBitrateKbps;
  if (r.widthPx !== undefined) out.widthPx = r.widthPx;
  if (r.heightPx !== undefined) out.heightPx = r.heightPx;
  if (r.frameRate !== undefined) out.frameRate = r.frameRate;
  if (r.codecs !== undefined) out.codecs = r.codecs;
  return out as Omit<Rendition, 'index'>;
}

/** The video segment that plays at `positionMs` (the last one at or past the end). */
export function segmentAt(ladder: PlayerLadder, positionMs: number): number {
  const segments = ladder.renditions[0]!.playlist.segments;
  let found = 0;
  // (a live ladder has no segment count: the segments listed so far)
  for (let i = 0; i < ladder.segmentCount; i++) {
    const s = segments[i];
    if (s && s.startMs <= positionMs + 1e-6) found = i;
    else break;
  }
  return found;
}

/** The first audio segment that ends after `positionMs`. */
export function audioSegmentAt(audio: PlayerAudio, positionMs: number): number {
  const segments = audio.playlist.segments;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.startMs + s.durationMs > positionMs + 1) return i;
  }
  return segments.length;
}

/**
 * The highest rendition to allow for an element of `widthPx` x `heightPx` CSS pixels at `pixelRatio`: the
 * lowest rendition at least that large in both dimensions (nothing bigger is needed), or the top one when
 * none is. Renditions without a resolution count as large enough. Null when the element has no size yet.
 */
export function capForElementSize(
  renditions: readonly Rendition[],
  widthPx: number,
  heightPx: number,
  pixelRatio = 1,
): number | null {
  if (!(widthPx > 0) || !(heightPx > 0) || renditions.length === 0) return null;
  const w = widthPx * pixelRatio;
  const h = heightPx * pixelRatio;
  for (const r of renditions) {
    if ((r.widthPx ?? Infinity) >= w && (r.heightPx ?? Infinity) >= h) return r.index;
  }
  return renditions.length - 1;
}
