/**
 * The HLS model (RFC 8216, https://www.rfc-editor.org/rfc/rfc8216): a master (multivariant) playlist, media
 * playlists, and the `Presentation` that merges them for the session loop and the player.
 *
 * Every URI here is resolved against the URL (or file path) of the playlist it was written in (see uri.ts).
 * Times are milliseconds, rounded to the microsecond (0.001 ms) so that `4.004` s is exactly `4004` ms.
 */
import type { Rendition } from '../core/types.js';

/** A byte range of a resource: `#EXT-X-BYTERANGE:<lengthBytes>@<offsetBytes>`, offset filled in when implicit. */
export interface ByteRange {
  readonly offsetBytes: number;
  readonly lengthBytes: number;
}

/**
 * A video variant (`#EXT-X-STREAM-INF`), a {@link Rendition} with its playlist URI.
 * `bitrateKbps` is AVERAGE-BANDWIDTH when present, else BANDWIDTH (the peak), both / 1000;
 * `peakBitrateKbps` is always BANDWIDTH / 1000.
 */
export interface HlsRendition extends Rendition {
  readonly peakBitrateKbps: number;
  /** The raw CODECS attribute, e.g. `"avc1.4d401f,mp4a.40.2"`. */
  readonly codecs?: string;
  /** The AUDIO attribute: which `audioRenditions` group plays with this variant. */
  readonly audioGroupId?: string;
  /** The media playlist's URI, resolved. */
  readonly uri: string;
  /** 1-based line of the `#EXT-X-STREAM-INF` tag in the master playlist (1 for a lone media playlist). */
  readonly line: number;
}

/** An alternative audio rendition (`#EXT-X-MEDIA:TYPE=AUDIO`). */
export interface AudioRendition {
  readonly groupId: string;
  readonly name: string;
  readonly language?: string;
  readonly default: boolean;
  /**
   * AUTOSELECT=YES, as written (absent = NO, RFC 8216 §4.3.4.1, as hls.js reads it; m3u8-parser would infer
   * YES from DEFAULT=YES).
   */
  readonly autoselect: boolean;
  /** The raw CHANNELS attribute, e.g. `"2"` or `"16/JOC"`. */
  readonly channels?: string;
  /** Resolved media playlist URI; absent when the audio is muxed into the variant streams. */
  readonly uri?: string;
}

/** A parsed master (multivariant) playlist. */
export interface MasterPlaylist {
  /** Where it was read from: the base for its relative URIs. */
  readonly uri: string;
  /** Video variants, ascending by `bitrateKbps` (ties: by peak, then by playlist order); `index` = position. */
  readonly renditions: readonly HlsRendition[];
  /** Audio renditions in playlist order. */
  readonly audioRenditions: readonly AudioRendition[];
  readonly independentSegments: boolean;
}

/** The initialization section of a segment (`#EXT-X-MAP`). */
export interface InitSegment {
  readonly uri: string;
  readonly byteRange?: ByteRange;
}

/** One media segment of a media playlist. */
export interface MediaSegment {
  /** 0-based position in this playlist. */
  readonly index: number;
  /** Media sequence number: EXT-X-MEDIA-SEQUENCE + index. */
  readonly sequenceNumber: number;
  readonly uri: string;
  readonly durationMs: number;
  /** Start within this playlist: the sum of the durations before it (0 for the first segment). */
  readonly startMs: number;
  readonly byteRange?: ByteRange;
  readonly initSegment?: InitSegment;
  /** True when an `#EXT-X-DISCONTINUITY` precedes this segment. */
  readonly discontinuity: boolean;
  /** EXT-X-DISCONTINUITY-SEQUENCE + the number of discontinuities up to and including this segment. */
  readonly discontinuitySequence: number;
  /**
   * EXT-X-PROGRAM-DATE-TIME of the segment's first sample, ms since the epoch: the tag before it, else the
   * previous segment's plus its duration (as hls.js carries it on); absent before the first such tag.
   */
  readonly programDateTimeMs?: number;
  /** 1-based line of the segment's URI. */
  readonly line: number;
}

/**
 * `'vod'`: EXT-X-PLAYLIST-TYPE:VOD, or no playlist type and an EXT-X-ENDLIST (the list will not change).
 * `'event'`: EXT-X-PLAYLIST-TYPE:EVENT (segments are only appended; `endList` says whether it has ended).
 * `'live'`: no playlist type and no EXT-X-ENDLIST (a sliding window).
 */
export type PlaylistType = 'vod' | 'event' | 'live';

/** A parsed media playlist. */
export interface MediaPlaylist {
  readonly uri: string;
  readonly targetDurationMs: number;
  readonly type: PlaylistType;
  /** EXT-X-MEDIA-SEQUENCE (0 when absent): the sequence number of the first segment. */
  readonly mediaSequence: number;
  /** EXT-X-DISCONTINUITY-SEQUENCE (0 when absent). */
  readonly discontinuitySequence: number;
  readonly endList: boolean;
  readonly segments: readonly MediaSegment[];
  /** Sum of the segment durations. */
  readonly totalDurationMs: number;
  readonly version?: number;
}

/** A rendition of a {@link Presentation}: the variant plus its media playlist when it was given. */
export interface PresentationRendition extends HlsRendition {
  readonly playlist?: MediaPlaylist;
}

/** An audio rendition of a {@link Presentation}, with its media playlist when it was given. */
export interface PresentationAudioRendition extends AudioRendition {
  readonly playlist?: MediaPlaylist;
}

/** Master and media playlists merged: what the session loop and the player work from. */
export interface Presentation {
  /** The master playlist's URI. */
  readonly uri: string;
  /** Ascending by bitrate, as in {@link MasterPlaylist.renditions}. */
  readonly renditions: readonly PresentationRendition[];
  readonly audioRenditions: readonly PresentationAudioRendition[];
  /** From the lowest rendition that has a playlist; undefined when no media playlist was given. */
  readonly type?: PlaylistType;
  /** Total duration of the lowest rendition that has a playlist. */
  readonly durationMs?: number;
}
