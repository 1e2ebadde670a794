/**
 * The DASH model (ISO/IEC 23009-1, MPEG-DASH): what `parseMpd` reads out of an MPD, before it becomes the
 * same {@link Presentation} the HLS parsers produce (dash-presentation.ts). Times are milliseconds rounded
 * to the microsecond, as in model.ts; URIs are resolved through the BaseURL chain against the MPD's URL.
 */
import type { ByteRange, InitSegment, MediaSegment } from './model.js';

/** The stable codes of the `AbrkitError('manifest', code)` the MPD reader throws. */
export type DashErrorCode =
  /** Not well-formed XML (xml.ts), or not an MPD at all. */
  | 'MPD_MALFORMED'
  /** A required attribute or element is missing. */
  | 'MPD_MISSING'
  /** An attribute's value cannot be read (not a number, a bad duration, a bad template...). */
  | 'MPD_BAD_VALUE'
  /** Something valid that abrkit does not play (SegmentList, several Periods, nested sidx...). */
  | 'MPD_UNSUPPORTED'
  | /** `MPD@type="dynamic"`: live, where abrkit plays VOD. */
    'LIVE_UNSUPPORTED';

/** Where in the MPD a value was read: for errors and for the `line` of the presentation's renditions. */
export interface MpdPlace {
  readonly element: string;
  readonly line: number;
}

/** Segments addressed one by one (SegmentTemplate, with or without a SegmentTimeline). */
export interface DashSegmentList {
  readonly kind: 'list';
  readonly initSegment?: InitSegment;
  readonly segments: readonly MediaSegment[];
}

/**
 * A single file whose segments are listed by its `sidx` box (SegmentBase@indexRange): the segments are known
 * once `indexRange` is fetched and read (`segmentsFromSidx`).
 */
export interface DashSegmentIndex {
  readonly kind: 'index';
  readonly mediaUri: string;
  readonly indexRange: ByteRange;
  readonly initSegment?: InitSegment;
  /** SegmentBase@timescale (ticks per second), 1 by default; the sidx carries its own. */
  readonly timescale: number;
  /** SegmentBase@presentationTimeOffset in ticks of `timescale`. */
  readonly presentationTimeOffset: number;
  /** Line of the SegmentBase element. */
  readonly line: number;
}

export type DashSegments = DashSegmentList | DashSegmentIndex;

export type DashContentType = 'video' | 'audio' | 'text' | 'other';

/** A Representation with what it inherits from its AdaptationSet and Period. */
export interface DashRepresentation {
  readonly id: string;
  readonly bandwidthBps: number;
  readonly contentType: DashContentType;
  readonly mimeType?: string;
  readonly codecs?: string;
  readonly widthPx?: number;
  readonly heightPx?: number;
  readonly frameRate?: number;
  readonly audioSamplingRateHz?: number;
  /** AudioChannelConfiguration@value, as written. */
  readonly channels?: string;
  readonly lang?: string;
  /** Position of its AdaptationSet in the Period. */
  readonly adaptationSetIndex: number;
  /** Its AdaptationSet has `<Role value="main">`. */
  readonly main: boolean;
  /** 1-based line of the Representation element. */
  readonly line: number;
  readonly segments: DashSegments;
}

/** A parsed (static, single-Period) MPD. */
export interface DashManifest {
  readonly uri: string;
  /** mediaPresentationDuration, else the Period's duration; undefined when neither is given. */
  readonly durationMs?: number;
  readonly minBufferTimeMs?: number;
  /** Every Representation of the Period, in document order. */
  readonly representations: readonly DashRepresentation[];
}
