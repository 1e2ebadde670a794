/**
 * What an fMP4/CMAF init segment and media segment contain, read with mp4box (GPAC's MP4Box.js): the RFC 6381
 * codec string, timescale and picture or audio format of the track, and each media segment's duration,
 * decode start time and whether it opens on a keyframe (ISO/IEC 14496-12 `moof`/`trun` sample flags).
 * Node or browser: no I/O here, bytes in and facts out.
 */
import { createFile, MP4BoxBuffer } from 'mp4box';
import type { Movie, Sample, Track } from 'mp4box';
import { AbrkitError, invalidArgument } from '../core/errors.js';
import { listTopLevelBoxes } from './boxes.js';

export type TrackKind = 'video' | 'audio';

/** The one track an init segment describes. */
export interface InitSegmentInfo {
  /** File or URL the bytes came from. */
  readonly source: string;
  /** RFC 6381 codec string, e.g. `avc1.4d401e` or `mp4a.40.2`. */
  readonly codec: string;
  /** Ticks per second of the track's media time. */
  readonly timescale: number;
  readonly trackId: number;
  readonly trackKind: TrackKind;
  readonly widthPx?: number;
  readonly heightPx?: number;
  readonly sampleRateHz?: number;
  readonly channelCount?: number;
  /** The init segment itself, kept so media segments can be parsed against it. */
  readonly bytes: Uint8Array;
}

/** One media segment (`moof` + `mdat`) of the track its init segment describes. */
export interface MediaSegmentInfo {
  readonly source: string;
  readonly sizeBytes: number;
  readonly sampleCount: number;
  /** Sum of the sample durations. */
  readonly durationMs: number;
  /** Decode time of the first sample (`tfdt`), from the start of the track. */
  readonly firstSampleTimeMs: number;
  readonly startsWithKeyframe: boolean;
  /** Decode times of every sync sample in the segment. */
  readonly keyframeTimesMs: readonly number[];
}

/** Codec families (the RFC 6381 prefix) a browser's MSE can be expected to know. */
export const KNOWN_CODEC_FAMILIES: readonly string[] = [
  'avc1',
  'avc3',
  'hvc1',
  'hev1',
  'av01',
  'vp08',
  'vp09',
  'dvh1',
  'dvhe',
  'mp4a',
  'ac-3',
  'ec-3',
  'opus',
  'Opus',
  'fLaC',
];

/** Families whose RFC 6381 string must carry profile/level parts read from a configuration box. */
const CONFIGURED_FAMILIES: readonly string[] = [
  'avc1',
  'avc3',
  'hvc1',
  'hev1',
  'av01',
  'vp09',
  'dvh1',
  'dvhe',
  'mp4a',
];

/**
 * Reads the codec, timescale and format of the single audio or video track of an init segment.
 * Throws `AbrkitError('media', code)` naming `source`: `INIT_MISSING_MOOV` (no `moov` box), `SEGMENT_TRUNCATED`,
 * `MEDIA_MALFORMED` (mp4box cannot parse it), `NO_MEDIA_TRACK`, `UNSUPPORTED_CODEC` (an unknown sample entry).
 */
export function inspectInitSegment(bytes: Uint8Array, source: string): InitSegmentInfo {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument('bytes', 'must be a Uint8Array');
  const boxes = listTopLevelBoxes(bytes, source);
  if (!boxes.some((b) => b.type === 'moov')) {
    throw new AbrkitError('media', 'INIT_MISSING_MOOV', `not an init segment: no 'moov' box`, {
      data: { source, boxes: boxes.map((b) => b.type) },
    });
  }
  const { movie } = parseWithMp4box([bytes], source);
  const track = movie.videoTracks[0] ?? movie.audioTracks[0];
  if (!track) {
    throw new AbrkitError('media', 'NO_MEDIA_TRACK', 'the init segment has no audio or video track', {
      data: { source },
    });
  }
  const codec = track.codec;
  const family = codec.split('.')[0] ?? '';
  if (!KNOWN_CODEC_FAMILIES.includes(family)) {
    throw new AbrkitError('media', 'UNSUPPORTED_CODEC', `unsupported or unknown codec '${codec}'`, {
      data: { source, codec },
    });
  }
  if (CONFIGURED_FAMILIES.includes(family) && !codec.includes('.')) {
    // e.g. an `hvc1` sample entry without its `hvcC`: mp4box cannot build the profile/level part.
    throw new AbrkitError('media', 'UNSUPPORTED_CODEC', `codec '${codec}' lacks its decoder configuration`, {
      data: { source, codec },
    });
  }
  return describeTrack(track, movie.videoTracks[0] === track ? 'video' : 'audio', bytes, source);
}

/**
 * Reads one media segment against its init segment: duration, first decode time, keyframes.
 * Throws `AbrkitError('media', code)` naming `source`: `SEGMENT_TRUNCATED` (a box runs past the end, or the
 * `mdat` holds fewer samples than the `moof` lists), `MEDIA_MALFORMED` (no `moof`/`mdat`, or no sample of the
 * init segment's track).
 */
export function inspectMediaSegment(
  bytes: Uint8Array,
  init: InitSegmentInfo,
  source: string,
): MediaSegmentInfo {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument('bytes', 'must be a Uint8Array');
  const boxes = listTopLevelBoxes(bytes, source);
  const types = boxes.map((b) => b.type);
  if (!types.includes('moof') || !types.includes('mdat')) {
    throw new AbrkitError('media', 'MEDIA_MALFORMED', `not a media segment: boxes [${types.join(', ')}]`, {
      data: { source },
    });
  }
  const { file, samples } = parseWithMp4box([init.bytes, bytes], source, init.trackId);
  const listed = listedSampleCount(file, init.trackId);
  if (samples.length === 0) {
    throw new AbrkitError('media', 'MEDIA_MALFORMED', `no sample of track ${init.trackId} in the segment`, {
      data: { source, trackId: init.trackId },
    });
  }
  if (listed !== null && samples.length < listed) {
    throw new AbrkitError(
      'media',
      'SEGMENT_TRUNCATED',
      `truncated: ${samples.length} of ${listed} samples present`,
      {
        data: { source },
      },
    );
  }
  const first = samples[0] as Sample;
  const toMs = (ticks: number): number => (ticks * 1000) / first.timescale;
  let durationTicks = 0;
  const keyframeTimesMs: number[] = [];
  for (const s of samples) {
    durationTicks += s.duration;
    if (s.is_sync) keyframeTimesMs.push(toMs(s.dts));
  }
  return {
    source,
    sizeBytes: bytes.byteLength,
    sampleCount: samples.length,
    durationMs: toMs(durationTicks),
    firstSampleTimeMs: toMs(first.dts),
    startsWithKeyframe: first.is_sync,
    keyframeTimesMs,
  };
}

/**
 * Checks that an init segment's codec is one the playlist declared (HLS `CODECS`, comma-separated).
 * The profile/level part is compared case-insensitively. Throws `AbrkitError('media', 'CODEC_MISMATCH')`.
 */
export function checkDeclaredCodec(init: InitSegmentInfo, declaredCodecs: string): void {
  const declared = declaredCodecs
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c.length > 0);
  if (!declared.includes(init.codec.toLowerCase())) {
    throw new AbrkitError(
      'media',
      'CODEC_MISMATCH',
      `the init segment holds '${init.codec}' but the playlist declares CODECS="${declaredCodecs}"`,
      { data: { source: init.source, codec: init.codec, declaredCodecs } },
    );
  }
}

type Mp4File = ReturnType<typeof createFile>;

function parseWithMp4box(
  chunks: readonly Uint8Array[],
  source: string,
  extractTrackId?: number,
): { file: Mp4File; movie: Movie; samples: Sample[] } {
  const file = createFile();
  const errors: string[] = [];
  const samples: Sample[] = [];
  let movie: Movie | null = null;
  file.onError = (module: string, message: string) => errors.push(`${module}: ${message}`);
  file.onReady = (info: Movie) => {
    movie = info;
    if (extractTrackId !== undefined) {
      file.setExtractionOptions(extractTrackId, undefined, { nbSamples: Number.MAX_SAFE_INTEGER });
      file.start();
    }
  };
  file.onSamples = (_id: number, _user: unknown, got: Sample[]) => {
    samples.push(...got);
  };
  let fileStart = 0;
  try {
    for (const chunk of chunks) {
      // mp4box wants an ArrayBuffer of its own, tagged with where it sits in the file.
      const copy = chunk.slice().buffer;
      file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(copy, fileStart));
      fileStart += chunk.byteLength;
    }
    file.flush();
  } catch (cause) {
    throw new AbrkitError('media', 'MEDIA_MALFORMED', `mp4box cannot parse it: ${String(cause)}`, {
      data: { source },
      cause,
    });
  }
  if (errors.length > 0 || movie === null) {
    throw new AbrkitError(
      'media',
      'MEDIA_MALFORMED',
      errors.length > 0 ? `mp4box: ${errors.join('; ')}` : 'mp4box found no movie header',
      { data: { source } },
    );
  }
  return { file, movie, samples };
}

/** Samples the segment's `trun` boxes list for the track, or null when mp4box exposes no `moof`. */
function listedSampleCount(file: Mp4File, trackId: number): number | null {
  const moofs = file.moofs as unknown as readonly MoofLike[] | undefined;
  if (!moofs || moofs.length === 0) return null;
  let count = 0;
  for (const moof of moofs) {
    for (const traf of moof.trafs ?? []) {
      if (traf.tfhd?.track_id !== trackId) continue;
      for (const trun of traf.truns ?? []) count += trun.sample_count ?? 0;
    }
  }
  return count;
}

interface MoofLike {
  trafs?: readonly {
    tfhd?: { track_id?: number };
    truns?: readonly { sample_count?: number }[];
  }[];
}

function describeTrack(
  track: Track,
  trackKind: TrackKind,
  bytes: Uint8Array,
  source: string,
): InitSegmentInfo {
  const base = {
    source,
    codec: track.codec,
    timescale: track.timescale,
    trackId: track.id,
    trackKind,
    bytes,
  };
  if (trackKind === 'video') {
    const widthPx = track.video?.width ?? track.track_width;
    const heightPx = track.video?.height ?? track.track_height;
    return { ...base, widthPx, heightPx };
  }
  return { ...base, sampleRateHz: track.audio?.sample_rate, channelCount: track.audio?.channel_count };
}
