/**
 * An HLS VOD ladder (multivariant playlist + media playlists + fMP4 segments, local or over http) turned into
 * the `VideoDescription` the simulator and the ABR algorithms read: renditions with their bit rates and every
 * segment's real size. Also writes it as Sabre movie JSON (Spiteri et al., MMSys 2018; UMass-LIDS/sabre).
 *
 * Playlists are parsed by src/manifest (`parseMasterPlaylist`, `parseMediaPlaylist`, RFC 8216), which resolves
 * their URIs (RFC 3986) against the playlist's URL or file path; this file reads and sizes what they name.
 */
import { stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AbrkitError, isAbrkitError } from '../core/errors.js';
import type { Rendition } from '../core/types.js';
import { isAbsoluteUri, parseMasterPlaylist, parseMediaPlaylist } from '../manifest/index.js';
import type { ByteRange, HlsRendition, MasterPlaylist, MediaPlaylist } from '../manifest/index.js';
import type { VideoDescription } from '../videos/model.js';
import { inspectInitSegment, inspectMediaSegment } from './inspect.js';
import type { InitSegmentInfo, MediaSegmentInfo } from './inspect.js';
import { isHttpUrl, loadBytes, loadText, probeSegment } from './load.js';

/** One media segment of a scanned media playlist, with its location resolved and its size measured. */
export interface ScannedSegment {
  readonly location: string;
  readonly durationMs: number;
  readonly sizeBytes: number;
  readonly byteRange?: ByteRange;
}

/** A media playlist with every segment sized. */
export interface ScannedMediaPlaylist {
  readonly location: string;
  readonly targetDurationMs: number;
  /** The first segment's EXT-X-MAP (a ladder's playlists have one init segment each). */
  readonly initLocation?: string;
  readonly initByteRange?: ByteRange;
  readonly segments: readonly ScannedSegment[];
}

/**
 * A ladder: each variant (in master playlist order; `variant.index` is its rank by bit rate, `variant.uri`
 * its media playlist resolved) and the audio renditions, scanned.
 */
export interface ScannedLadder {
  readonly location: string;
  readonly variants: readonly { readonly variant: HlsRendition; readonly playlist: ScannedMediaPlaylist }[];
  readonly audio: readonly ScannedMediaPlaylist[];
}

/** How much a scan checks. */
export interface ScanOptions {
  /**
   * Read each segment's and init segment's top-level boxes (default true): a media segment must hold a
   * `moof` and an `mdat` (or be MPEG-TS), an init segment a `moov`, and no box may run past the end. Off,
   * only sizes, byte ranges, durations and the playlist type are checked (for tools that scan a broken
   * ladder on purpose).
   */
  readonly checkMedia?: boolean;
}

/**
 * Reads a media playlist and measures each segment from the real file (its byte range's length once the
 * range is known to fit the file; over http, the bytes received or HEAD's Content-Length), and checks what
 * it measures. Throws `AbrkitError` naming the file and, for the playlist, the line and the value as
 * written:
 * - `('manifest', code)` of `parseMediaPlaylist`;
 * - `('manifest', 'LIVE_PLAYLIST')`: no `#EXT-X-ENDLIST` (a live or unfinished event playlist);
 * - `('manifest', 'BAD_DURATION')`: an `#EXTINF` of 0;
 * - `('media', 'SEGMENT_EMPTY')`: a 0-byte segment or byte range;
 * - `('media', 'BYTERANGE_OUT_OF_FILE')`: an `#EXT-X-BYTERANGE` or EXT-X-MAP `BYTERANGE` past the file's end;
 * - `('media', 'INIT_MISSING')` (source: the init file) for an EXT-X-MAP naming no file;
 * - with `checkMedia`: `('media', 'MEDIA_MALFORMED' | 'SEGMENT_TRUNCATED' | 'INIT_MISSING_MOOV')`.
 */
export async function scanMediaPlaylist(
  location: string,
  options: ScanOptions = {},
): Promise<ScannedMediaPlaylist> {
  const checkMedia = options.checkMedia ?? true;
  const text = await loadText(location);
  const playlist = readMediaPlaylist(text, location);
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n?|\n/);
  if (!playlist.endList && playlist.type !== 'vod') {
    throw new AbrkitError(
      'manifest',
      'LIVE_PLAYLIST',
      `a ${playlist.type} playlist (no #EXT-X-ENDLIST): abrkit measures finished VOD ladders. If this VOD ` +
        'is complete, end the playlist with #EXT-X-ENDLIST (or declare #EXT-X-PLAYLIST-TYPE:VOD); a live ' +
        'stream must be recorded to files first',
      { data: { source: location, playlistType: playlist.type } },
    );
  }
  const segments: ScannedSegment[] = [];
  const inits = new Map<string, string>(); // init key → where it was checked
  for (const segment of playlist.segments) {
    const extinf = tagBefore(lines, segment.line, '#EXTINF');
    const segmentName = `segment ${segment.index} (${segment.uri})`;
    if (!(segment.durationMs > 0)) {
      throw new AbrkitError(
        'manifest',
        'BAD_DURATION',
        `${extinf?.text ?? '#EXTINF'}: ${segmentName} must last more than 0 s`,
        { data: { source: location, line: extinf?.line ?? segment.line } },
      );
    }
    const init = segment.initSegment;
    if (init !== undefined) {
      const key = `${init.uri}@${init.byteRange?.offsetBytes ?? ''}:${init.byteRange?.lengthBytes ?? ''}`;
      if (!inits.has(key)) {
        const map = tagBefore(lines, segment.line, '#EXT-X-MAP', true);
        const namedAt = `${location}:${map?.line ?? segment.line} ${map?.text ?? '#EXT-X-MAP'}`;
        await checkInit(init.uri, init.byteRange, namedAt, checkMedia);
        inits.set(key, namedAt);
      }
    }
    const byterange = segment.byteRange ? tagBefore(lines, segment.line, '#EXT-X-BYTERANGE') : undefined;
    const namedAt = `${location}:${byterange?.line ?? segment.line}${byterange ? ` ${byterange.text}` : ''}`;
    const probe = await probeSegment(segment.uri, segment.byteRange, { readBoxes: checkMedia, namedAt });
    if (probe.sizeBytes === 0) {
      throw new AbrkitError(
        'media',
        'SEGMENT_EMPTY',
        `${segment.byteRange ? 'an empty byte range' : 'a 0-byte segment'}: nothing to measure (named at ${namedAt})`,
        { data: { source: segment.uri, namedAt } },
      );
    }
    if (probe.boxes !== null) {
      const types = probe.boxes.map((b) => b.type);
      if (!types.includes('moof') || !types.includes('mdat')) {
        throw new AbrkitError(
          'media',
          'MEDIA_MALFORMED',
          `not a media segment: top-level boxes [${types.join(', ')}], where a segment needs a moof and ` +
            `an mdat (named at ${namedAt})`,
          { data: { source: segment.uri, namedAt, boxes: types } },
        );
      }
    }
    segments.push({
      location: segment.uri,
      durationMs: segment.durationMs,
      sizeBytes: probe.sizeBytes,
      ...(segment.byteRange === undefined ? {} : { byteRange: segment.byteRange }),
    });
  }
  const init = playlist.segments[0]?.initSegment;
  return {
    location,
    targetDurationMs: playlist.targetDurationMs,
    ...(init === undefined ? {} : { initLocation: init.uri }),
    ...(init?.byteRange === undefined ? {} : { initByteRange: init.byteRange }),
    segments,
  };
}

/** Checks that an EXT-X-MAP init segment exists, fits its file, and (with `checkMedia`) holds a `moov`. */
async function checkInit(
  uri: string,
  byteRange: ByteRange | undefined,
  namedAt: string,
  checkMedia: boolean,
): Promise<void> {
  let probe;
  try {
    probe = await probeSegment(uri, byteRange, { readBoxes: checkMedia, namedAt });
  } catch (e) {
    if (isAbrkitError(e) && e.code === 'RESOURCE_NOT_FOUND')
      throw new AbrkitError(
        'media',
        'INIT_MISSING',
        `the init segment does not exist (named at ${namedAt})`,
        {
          data: { ...e.data, source: uri, namedAt },
          cause: e,
        },
      );
    throw e;
  }
  if (probe.sizeBytes === 0)
    throw new AbrkitError('media', 'INIT_MISSING', `the init segment is empty (named at ${namedAt})`, {
      data: { source: uri, namedAt },
    });
  if (probe.boxes !== null && !probe.boxes.some((b) => b.type === 'moov')) {
    const types = probe.boxes.map((b) => b.type);
    throw new AbrkitError(
      'media',
      'INIT_MISSING_MOOV',
      `not an init segment: top-level boxes [${types.join(', ')}] hold no moov (named at ${namedAt})`,
      { data: { source: uri, namedAt, boxes: types } },
    );
  }
}

/**
 * The last line starting with `tag` among the tag lines just before the URI on 1-based line `uriLine` (or,
 * with `anywhere`, on any line before it): its line number and text as written.
 */
function tagBefore(
  lines: readonly string[],
  uriLine: number,
  tag: string,
  anywhere = false,
): { line: number; text: string } | undefined {
  for (let i = uriLine - 2; i >= 0; i--) {
    const text = (lines[i] ?? '').trim();
    if (text.startsWith(tag)) return { line: i + 1, text };
    if (!anywhere && text !== '' && !text.startsWith('#')) return undefined; // the previous segment's URI
  }
  return undefined;
}

/** Reads a master playlist (or a folder holding `master.m3u8`) and scans every variant and audio rendition. */
export async function scanHlsLadder(
  masterPathOrUrl: string,
  options: ScanOptions = {},
): Promise<ScannedLadder> {
  const location = await masterLocation(masterPathOrUrl);
  const master = readMasterPlaylist(await loadText(location), location);
  const variants = [];
  for (const variant of [...master.renditions].sort((a, b) => a.line - b.line)) {
    variants.push({ variant, playlist: await scanMediaPlaylist(variant.uri, options) });
  }
  const audio = [];
  for (const rendition of master.audioRenditions) {
    if (rendition.uri !== undefined) audio.push(await scanMediaPlaylist(rendition.uri, options));
  }
  return { location, variants, audio };
}

/**
 * The ladder at `masterPathOrUrl` (a master playlist path or URL, or a folder with `master.m3u8`) as a
 * `VideoDescription`: renditions in ascending bit rate (`bitrateKbps` from AVERAGE-BANDWIDTH, else BANDWIDTH;
 * `peakBitrateKbps` from BANDWIDTH), `segmentSizesBytes[segment][rendition]` = the video segments' real sizes
 * (audio and init segments not included), `segmentDurationMs` = the most common EXTINF, rounded to the ms.
 * Throws `AbrkitError('video', 'LADDER_MISMATCH')` when renditions differ in segment count, src/manifest's
 * `AbrkitError('manifest', code)` naming the playlist and line (`ManifestErrorCode`, e.g. `BAD_DURATION`), and
 * `AbrkitError('network', ...)` naming a file or URL it cannot read, and the checks of
 * {@link scanMediaPlaylist} (a live playlist, a 0-byte segment, a byte range past its file, garbage bytes).
 */
export async function readHlsLadder(
  masterPathOrUrl: string,
  options: { name?: string } & ScanOptions = {},
): Promise<VideoDescription> {
  const ladder = await scanHlsLadder(
    masterPathOrUrl,
    options.checkMedia === undefined ? {} : { checkMedia: options.checkMedia },
  );
  return ladderToVideo(ladder, options.name ?? defaultLadderName(ladder.location));
}

/** Builds the `VideoDescription` of an already scanned ladder (see {@link readHlsLadder}). */
export function ladderToVideo(ladder: ScannedLadder, name: string): VideoDescription {
  const ordered = [...ladder.variants].sort(
    (a, b) =>
      a.variant.bitrateKbps - b.variant.bitrateKbps ||
      a.variant.peakBitrateKbps - b.variant.peakBitrateKbps ||
      a.variant.line - b.variant.line,
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
    bitrateKbps: variant.bitrateKbps,
    peakBitrateKbps: variant.peakBitrateKbps,
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

/** What a local playlist path holding `?` or `#` is parsed as (see {@link parseBase}). */
const STAND_IN = 'playlist.m3u8';

/**
 * The base URL to give src/manifest's parsers for the playlist at `location`, and how to turn the URIs they
 * resolve into locations to read. A URL or an ordinary path is its own base. A local path holding `?` or `#`
 * is not: RFC 3986 (and so `resolveUri`) would read them as the start of a query or a fragment; such a
 * playlist is parsed as {@link STAND_IN}, its relative URIs are joined to the path's folder afterwards, and
 * its errors are renamed to the path.
 */
function parseBase(location: string): { url: string; locate: (uri: string) => string } {
  if (isHttpUrl(location) || !/[?#]/.test(location)) return { url: location, locate: (uri) => uri };
  return { url: STAND_IN, locate: (uri) => (isAbsoluteUri(uri) ? uri : join(dirname(location), uri)) };
}

/** Runs `parse`, renaming the source of its errors from the stand-in to `location`. */
function naming<T>(parse: () => T, url: string, location: string): T {
  try {
    return parse();
  } catch (e) {
    if (url === location || !isAbrkitError(e) || e.data.source !== url) throw e;
    const where = e.data.line === undefined ? `${url}: ` : `${url}:${e.data.line}: `;
    const message = e.message.startsWith(where) ? e.message.slice(where.length) : e.message;
    throw new AbrkitError(e.category, e.code, message, {
      fatal: e.fatal,
      data: { ...e.data, source: location },
      cause: e.cause,
    });
  }
}

function readMasterPlaylist(text: string, location: string): MasterPlaylist {
  const { url, locate } = parseBase(location);
  const master = naming(() => parseMasterPlaylist(text, url), url, location);
  if (url === location) return master;
  return {
    ...master,
    uri: location,
    renditions: master.renditions.map((r) => ({ ...r, uri: locate(r.uri) })),
    audioRenditions: master.audioRenditions.map((a) =>
      a.uri === undefined ? a : { ...a, uri: locate(a.uri) },
    ),
  };
}

function readMediaPlaylist(text: string, location: string): MediaPlaylist {
  const { url, locate } = parseBase(location);
  const playlist = naming(() => parseMediaPlaylist(text, url), url, location);
  if (url === location) return playlist;
  return {
    ...playlist,
    uri: location,
    segments: playlist.segments.map((s) => ({
      ...s,
      uri: locate(s.uri),
      ...(s.initSegment === undefined
        ? {}
        : { initSegment: { ...s.initSegment, uri: locate(s.initSegment.uri) } }),
    })),
  };
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
