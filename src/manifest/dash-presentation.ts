/**
 * A parsed MPD as the same {@link Presentation} the HLS parsers produce, so the session loop, the simulator's
 * ladder and the player need not know the format:
 * - each video Representation is a rendition (ascending bandwidth), its segments a `MediaPlaylist`;
 *   `bitrateKbps` and `peakBitrateKbps` are its @bandwidth plus the default audio's, as an HLS BANDWIDTH
 *   counts the audio that plays with the video; `codecs` is its @codecs plus the default audio's;
 * - each audio Representation is an audio rendition of group `audio`; the default is the first one of the
 *   AdaptationSet with `<Role value="main">` (else the first audio AdaptationSet);
 * - a rendition's `uri` is the MPD's URL with `#` and the Representation id (there is no media playlist).
 * SegmentBase Representations get their segments from their `sidx` ({@link segmentsFromSidx}); until then
 * they have no playlist, like an HLS variant whose media playlist is not loaded.
 */
import { AbrkitError } from '../core/errors.js';
import type { DashManifest, DashRepresentation, DashSegmentIndex, DashSegmentList } from './dash-model.js';
import { roundMs } from './dash-values.js';
import type {
  MediaPlaylist,
  MediaSegment,
  Presentation,
  PresentationAudioRendition,
  PresentationRendition,
} from './model.js';

export const DASH_AUDIO_GROUP = 'audio';

/** A `sidx` box (ISO/IEC 14496-12 §8.16.3) as read from the bytes of SegmentBase@indexRange. */
export interface SegmentIndexBox {
  readonly timescale: number;
  readonly earliestPresentationTime: number;
  readonly firstOffsetBytes: number;
  /** Absolute offset in the media file of the first byte after the sidx box (the anchor of the offsets). */
  readonly anchorOffsetBytes: number;
  readonly references: readonly {
    /** 1: the reference points to another sidx (not read by abrkit). */
    readonly referenceType: number;
    readonly referencedSizeBytes: number;
    readonly subsegmentDuration: number;
  }[];
}

/**
 * The segments a SegmentBase Representation's sidx lists. Throws `MPD_UNSUPPORTED` for a nested sidx and
 * `MPD_BAD_VALUE` for a 0-byte subsegment.
 */
export function segmentsFromSidx(index: DashSegmentIndex, sidx: SegmentIndexBox): DashSegmentList {
  if (!(sidx.timescale > 0)) {
    throw new AbrkitError('manifest', 'MPD_BAD_VALUE', `the sidx has timescale ${sidx.timescale}`, {
      data: { source: index.mediaUri, indexRange: index.indexRange },
    });
  }
  const pto = (index.presentationTimeOffset * sidx.timescale) / index.timescale;
  let offset = sidx.anchorOffsetBytes + sidx.firstOffsetBytes;
  let time = sidx.earliestPresentationTime;
  const segments: MediaSegment[] = sidx.references.map((ref, i) => {
    if (ref.referenceType !== 0) {
      throw new AbrkitError(
        'manifest',
        'MPD_UNSUPPORTED',
        `sidx reference ${i} points to another sidx (hierarchical indexes are not read)`,
        { data: { source: index.mediaUri, indexRange: index.indexRange } },
      );
    }
    // a 0-byte subsegment cannot be asked for with a Range header (`bytes=a-(a-1)`)
    if (!(ref.referencedSizeBytes >= 1)) {
      throw new AbrkitError(
        'manifest',
        'MPD_BAD_VALUE',
        `sidx reference ${i} has ${ref.referencedSizeBytes} bytes (a subsegment holds at least 1)`,
        { data: { source: index.mediaUri, indexRange: index.indexRange } },
      );
    }
    const segment: MediaSegment = {
      index: i,
      sequenceNumber: i,
      uri: index.mediaUri,
      startMs: roundMs(((time - pto) * 1000) / sidx.timescale),
      durationMs: roundMs((ref.subsegmentDuration * 1000) / sidx.timescale),
      byteRange: { offsetBytes: offset, lengthBytes: ref.referencedSizeBytes },
      ...(index.initSegment === undefined ? {} : { initSegment: index.initSegment }),
      discontinuity: false,
      discontinuitySequence: 0,
      line: index.line,
    };
    offset += ref.referencedSizeBytes;
    time += ref.subsegmentDuration;
    return segment;
  });
  return {
    kind: 'list',
    ...(index.initSegment === undefined ? {} : { initSegment: index.initSegment }),
    segments,
  };
}

function playlistOf(uri: string, list: DashSegmentList): MediaPlaylist {
  const segments = list.segments;
  const maxMs = segments.reduce((max, s) => Math.max(max, s.durationMs), 0);
  return {
    uri,
    targetDurationMs: Math.ceil(maxMs / 1000) * 1000,
    type: 'vod',
    mediaSequence: segments[0]?.sequenceNumber ?? 0,
    discontinuitySequence: 0,
    endList: true,
    segments,
    totalDurationMs: roundMs(segments.reduce((sum, s) => sum + s.durationMs, 0)),
  };
}

/** The `uri` of a Representation in the presentation: the MPD's URL, `#`, its id. */
export function representationUri(manifest: DashManifest, rep: DashRepresentation): string {
  return `${manifest.uri.replace(/#.*$/, '')}#${encodeURIComponent(rep.id)}`;
}

/**
 * The presentation of `manifest`. `resolved` gives the segments of SegmentBase Representations (by
 * Representation) once their sidx is read; without them such a rendition has no playlist. Throws
 * `AbrkitError('manifest', 'MPD_UNSUPPORTED')` when the MPD has no video Representation.
 */
export function presentationFromMpd(
  manifest: DashManifest,
  resolved: ReadonlyMap<DashRepresentation, DashSegmentList> = new Map(),
): Presentation {
  const listOf = (rep: DashRepresentation): DashSegmentList | undefined =>
    rep.segments.kind === 'list' ? rep.segments : resolved.get(rep);
  const videos = manifest.representations.filter((r) => r.contentType === 'video');
  if (videos.length === 0) {
    throw new AbrkitError('manifest', 'MPD_UNSUPPORTED', 'no video Representation (abrkit plays video)', {
      data: { source: manifest.uri },
    });
  }
  const audios = manifest.representations.filter((r) => r.contentType === 'audio');
  const mainSet = (audios.find((a) => a.main) ?? audios[0])?.adaptationSetIndex;
  const defaultAudio = audios.find((a) => a.adaptationSetIndex === mainSet);
  const ordered = videos
    .map((rep, order) => ({ rep, order }))
    .sort((a, b) => a.rep.bandwidthBps - b.rep.bandwidthBps || a.order - b.order);
  const renditions = ordered.map(({ rep }, index): PresentationRendition => {
    const kbps = (rep.bandwidthBps + (defaultAudio?.bandwidthBps ?? 0)) / 1000;
    const codecs = [rep.codecs, defaultAudio?.codecs].filter((c) => c !== undefined).join(',');
    const uri = representationUri(manifest, rep);
    const list = listOf(rep);
    const r: { -readonly [K in keyof PresentationRendition]: PresentationRendition[K] } = {
      index,
      bitrateKbps: kbps,
      peakBitrateKbps: kbps,
      uri,
      line: rep.line,
    };
    if (rep.widthPx !== undefined) r.widthPx = rep.widthPx;
    if (rep.heightPx !== undefined) r.heightPx = rep.heightPx;
    if (rep.frameRate !== undefined) r.frameRate = rep.frameRate;
    if (codecs !== '') r.codecs = codecs;
    if (defaultAudio) r.audioGroupId = DASH_AUDIO_GROUP;
    if (list) r.playlist = playlistOf(uri, list);
    return r;
  });
  const audioRenditions = audios.map((rep): PresentationAudioRendition => {
    const uri = representationUri(manifest, rep);
    const list = listOf(rep);
    const a: { -readonly [K in keyof PresentationAudioRendition]: PresentationAudioRendition[K] } = {
      groupId: DASH_AUDIO_GROUP,
      name: rep.lang === undefined ? rep.id : `${rep.lang} (${rep.id})`,
      default: rep === defaultAudio,
      autoselect: true,
      uri,
    };
    if (rep.lang !== undefined) a.language = rep.lang;
    if (rep.channels !== undefined) a.channels = rep.channels;
    if (list) a.playlist = playlistOf(uri, list);
    return a;
  });
  const first = renditions.find((r) => r.playlist !== undefined)?.playlist;
  return {
    uri: manifest.uri,
    renditions,
    audioRenditions,
    ...(first ? { type: 'vod' as const, durationMs: first.totalDurationMs } : {}),
  };
}
