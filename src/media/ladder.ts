/**
 * An HLS VOD ladder (multivariant playlist + media playlists + fMP4 segments, local or over http) turned into
 * the `VideoDescription` the simulator and the ABR algorithms read: renditions with their bit rates and every
 * segment's real size. Also writes it as Sabre movie JSON (Spiteri et al., MMSys 2018; UMass-LIDS/sabre).
 *
 * Playlists are parsed by the stop-gap `hls-lite.ts` until src/manifest lands.
 */
import { stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AbrkitError } from '../core/errors.js';
import type { Rendition } from '../core/types.js';
import type { VideoDescription } from '../videos/model.js';
import { parseMasterLite, parseMediaLite } from './hls-lite.js';
import type { LiteByteRange, LiteVariant } from './hls-lite.js';
import { inspectInitSegment, inspectMediaSegment } from './inspect.js';
import type { InitSegmentInfo, MediaSegmentInfo } from './inspect.js';
import { isHttpUrl, loadBytes, loadText, resolveLocation, sizeOf } from './load.js';

/** One media segment of a scanned media playlist, with its location resolved and its size measured. */
export interface ScannedSegment {
  readonly location: string;
  readonly durationMs: number;
  readonly sizeBytes: number;
  readonly byteRange?: LiteByteRange;
}

/** A media playlist with every segment sized. */
export interface ScannedMediaPlaylist {
  readonly location: string;
  readonly targetDurationMs: number;
  readonly initLocation?: string;
  readonly initByteRange?: LiteByteRange;
  readonly segments: readonly ScannedSegment[];
}

/** A ladder: each variant (in master order) and the audio renditions, scanned. */
export interface ScannedLadder {
  readonly location: string;
  readonly variants: readonly { readonly variant: LiteVariant; readonly playlist: ScannedMediaPlaylist }[];
  readonly audio: readonly ScannedMediaPlaylist[];
}

/** Reads a media playlist and measures each segment (byte-range length, file size, or HEAD Content-Length). */
export async function scanMediaPlaylist(location: string): Promise<ScannedMediaPlaylist> {
  const playlist = parseMediaLite(await loadText(location), location);
  const segments: ScannedSegment[] = [];
  for (const segment of playlist.segments) {
    const segmentLocation = resolveLocation(location, segment.uri);
    const sizeBytes = segment.byteRange ? segment.byteRange.lengthBytes : await sizeOf(segmentLocation);
    segments.push({
      location: segmentLocation,
      durationMs: segment.durationMs,
      sizeBytes,
      byteRange: segment.byteRange,
    });
  }
  return {
    location,
    targetDurationMs: playlist.targetDurationMs,
    initLocation: playlist.initUri === undefined ? undefined : resolveLocation(location, playlist.initUri),
    initByteRange: playlist.initByteRange,
    segments,
  };
}

/** Reads a master playlist (or a folder holding `master.m3u8`) and scans every variant and audio rendition. */
export async function scanHlsLadder(masterPathOrUrl: string): Promise<ScannedLadder> {
  const location = await masterLocation(masterPathOrUrl);
  const master = parseMasterLite(await loadText(location), location);
  const variants = [];
  for (const variant of master.variants) {
    variants.push({ variant, playlist: await scanMediaPlaylist(resolveLocation(location, variant.uri)) });
  }
  const audio = [];
  for (const media of master.media) {
    if (media.type === 'AUDIO' && media.uri !== undefined) {
      audio.push(await scanMediaPlaylist(resolveLocation(location, media.uri)));
    }
  }
  return { location, variants, audio };
}

/**
 * The ladder at `masterPathOrUrl` (a master playlist path or URL, or a folder with `master.m3u8`) as a
 * `VideoDescription`: renditions in ascending bit rate (`bitrateKbps` from AVERAGE-BANDWIDTH, else BANDWIDTH;
 * `peakBitrateKbps` from BANDWIDTH), `segmentSizesBytes[segment][rendition]` = the video segments' real sizes
 * (audio and init segments not included), `segmentDurationMs` = the most common EXTINF, rounded to the ms.
 * Throws `AbrkitError('video', 'LADDER_MISMATCH')` when renditions differ in segment count, and the
 * manifest/network errors of the playlists and files it reads.
 */
export async function readHlsLadder(
  masterPathOrUrl: string,
  options: { name?: string } = {},
): Promise<VideoDescription> {
  const ladder = await scanHlsLadder(masterPathOrUrl);
  return ladderToVideo(ladder, options.name ?? defaultLadderName(ladder.location));
}

/** Builds the `VideoDescription` of an already scanned ladder (see {@link readHlsLadder}). */
export function ladderToVideo(ladder: ScannedLadder, name: string): VideoDescription {
  const ordered = [...ladder.variants].sort(
    (a, b) =>
      (a.variant.averageBandwidthBps ?? a.variant.bandwidthBps) -
      (b.variant.averageBandwidthBps ?? b.variant.bandwidthBps),
  );
  const first = ordered[0];
  if (!first)
    throw new AbrkitError('video', 'LADDER_EMPTY', 'no variants', { data: { source: ladder.location } });
  const segmentCount = first.playlist.segments.length;
  for (const { playlist } of ordered) {
    if (playlist.segments.length !== segmentCount) {
      throw new AbrkitError(
        'video',
        'LADDER_MISMATCH',
        `${playlist.segments.length} segments where ${first.playlist.location} has ${segmentCount}`,
        { data: { source: playlist.location } },
      );
    }
  }
  const renditions: Rendition[] = ordered.map(({ variant }, index) => ({
    index,
    bitrateKbps: (variant.averageBandwidthBps ?? variant.bandwidthBps) / 1000,
    peakBitrateKbps: variant.bandwidthBps / 1000,
    ...(variant.widthPx === undefined ? {} : { widthPx: variant.widthPx, heightPx: variant.heightPx }),
    ...(variant.frameRate === undefined ? {} : { frameRate: variant.frameRate }),
    ...(variant.codecs === undefined ? {} : { codecs: variant.codecs }),
  }));
  const segmentSizesBytes = Array.from({ length: segmentCount }, (_, i) =>
    ordered.map(({ playlist }) => (playlist.segments[i] as ScannedSegment).sizeBytes),
  );
  return {
    name,
    segmentDurationMs: mostCommonDurationMs(first.playlist.segments),
    renditions,
    segmentSizesBytes,
  };
}

/** Reads and inspects a scanned media playlist's init segment and every media segment. */
export async function inspectMediaPlaylist(
  playlist: ScannedMediaPlaylist,
): Promise<{ init: InitSegmentInfo; segments: MediaSegmentInfo[] }> {
  if (playlist.initLocation === undefined) {
    throw new AbrkitError('media', 'INIT_MISSING', 'the media playlist has no EXT-X-MAP init segment', {
      data: { source: playlist.location },
    });
  }
  const init = inspectInitSegment(
    await loadBytes(playlist.initLocation, playlist.initByteRange),
    playlist.initLocation,
  );
  const segments: MediaSegmentInfo[] = [];
  for (const segment of playlist.segments) {
    segments.push(
      inspectMediaSegment(await loadBytes(segment.location, segment.byteRange), init, segment.location),
    );
  }
  return { init, segments };
}

/** Sabre's movie JSON (`data/README.md`): sizes in bits, one row per segment. */
export interface SabreMovieJson {
  segment_duration_ms: number;
  bitrates_kbps: number[];
  segment_sizes_bits: number[][];
}

/** A `VideoDescription` as Sabre movie JSON (bit rates rounded to whole kbps, sizes in bits). */
export function toSabreMovieJson(video: VideoDescription): SabreMovieJson {
  return {
    segment_duration_ms: video.segmentDurationMs,
    bitrates_kbps: video.renditions.map((r) => Math.round(r.bitrateKbps)),
    segment_sizes_bits: video.segmentSizesBytes.map((row) => row.map((bytes) => bytes * 8)),
  };
}

/** Writes {@link toSabreMovieJson} of `video` to `path`. */
export async function writeSabreMovieJson(video: VideoDescription, path: string): Promise<void> {
  await writeFile(path, `${JSON.stringify(toSabreMovieJson(video))}\n`);
}

async function masterLocation(pathOrUrl: string): Promise<string> {
  if (isHttpUrl(pathOrUrl)) return pathOrUrl;
  try {
    if ((await stat(pathOrUrl)).isDirectory()) return join(pathOrUrl, 'master.m3u8');
  } catch {
    // Not there: loadText reports it with the path.
  }
  return pathOrUrl;
}

/** The folder holding the master playlist (`fixtures/ladder/master.m3u8` → `ladder`). */
export function defaultLadderName(location: string): string {
  const path = isHttpUrl(location) ? new URL(location).pathname : location;
  return basename(dirname(path)) || 'ladder';
}

function mostCommonDurationMs(segments: readonly ScannedSegment[]): number {
  const counts = new Map<number, number>();
  for (const s of segments) {
    const ms = Math.round(s.durationMs);
    counts.set(ms, (counts.get(ms) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [ms, count] of counts) {
    if (count > bestCount || (count === bestCount && ms > best)) {
      best = ms;
      bestCount = count;
    }
  }
  return best;
}
