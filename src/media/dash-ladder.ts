/**
 * A DASH VOD (an MPD and its fMP4 segments, local or over http) as the same {@link ScannedLadder} an HLS
 * ladder gives, so `abrkit ladder`, `loadVideo` and the simulator read both formats alike: the MPD is parsed
 * by src/manifest (`parseMpd`), SegmentBase indexes are read with mp4box (sidx.ts), and every segment and
 * init segment is measured from the real file as for HLS.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AbrkitError, isAbrkitError } from '../core/errors.js';
import { parseMpd } from '../manifest/dash.js';
import type { DashManifest } from '../manifest/dash-model.js';
import { resolveDashPresentation } from '../manifest/dash-resolve.js';
import type { MediaPlaylist, Presentation } from '../manifest/model.js';
import type { VideoDescription } from '../videos/model.js';
import type { ScanOptions, ScannedLadder, ScannedMediaPlaylist, ScannedSegment } from './ladder.js';
import { defaultLadderName, ladderToVideo, scanHlsLadder } from './ladder.js';
import { isHttpUrl, loadBytes, loadText, probeSegment } from './load.js';
import { readSegmentIndex } from './sidx.js';

/** The name of the MPD in a folder that `abrkit ladder` and `loadVideo` look for (after `master.m3u8`). */
export const DASH_MANIFEST_NAME = 'manifest.mpd';

/** True for a path or URL whose file name ends in `.mpd` (query and fragment aside). */
export function isMpdLocation(location: string): boolean {
  return /\.mpd$/i.test(location.replace(/[?#].*$/, ''));
}

/** Reads and parses the MPD at `location` (path or URL). Errors as `parseMpd` and `loadText`. */
export async function loadMpd(location: string): Promise<DashManifest> {
  return parseMpd(await loadText(location), location);
}

/** The presentation of the MPD at `location`, SegmentBase indexes read. */
export async function loadDashPresentation(location: string): Promise<Presentation> {
  const manifest = await loadMpd(location);
  return resolveDashPresentation(manifest, (uri, range) => loadBytes(uri, range), readSegmentIndex);
}

/**
 * Measures every segment of a DASH presentation's playlist from the real files, with the checks of the
 * HLS scan: `('media', 'SEGMENT_EMPTY')`, `'BYTERANGE_OUT_OF_FILE'`, `'INIT_MISSING'`, and with
 * `checkMedia` `'MEDIA_MALFORMED'` (no moof/mdat), `'INIT_MISSING_MOOV'`.
 */
async function scanPlaylist(
  playlist: MediaPlaylist,
  mpd: string,
  checkMedia: boolean,
): Promise<ScannedMediaPlaylist> {
  const namedAt = (line: number): string => `${mpd}:${line}`;
  const init = playlist.segments[0]?.initSegment;
  if (init) {
    const where = `${namedAt(playlist.segments[0]?.line ?? 1)} (${playlist.uri})`;
    let probe;
    try {
      probe = await probeSegment(init.uri, init.byteRange, { readBoxes: checkMedia, namedAt: where });
    } catch (e) {
      if (isAbrkitError(e) && e.code === 'RESOURCE_NOT_FOUND')
        throw new AbrkitError(
          'media',
          'INIT_MISSING',
          `the init segment does not exist (named at ${where})`,
          {
            data: { ...e.data, source: init.uri, namedAt: where },
            cause: e,
          },
        );
      throw e;
    }
    if (probe.sizeBytes === 0 || (probe.boxes !== null && !probe.boxes.some((b) => b.type === 'moov'))) {
      throw new AbrkitError(
        'media',
        probe.sizeBytes === 0 ? 'INIT_MISSING' : 'INIT_MISSING_MOOV',
        `not an init segment: ${probe.sizeBytes === 0 ? 'empty' : `boxes [${probe.boxes?.map((b) => b.type).join(', ')}] hold no moov`} (named at ${where})`,
        { data: { source: init.uri, namedAt: where } },
      );
    }
  }
  const segments: ScannedSegment[] = [];
  for (const segment of playlist.segments) {
    const where = `${namedAt(segment.line)} (${playlist.uri}, segment ${segment.index})`;
    const probe = await probeSegment(segment.uri, segment.byteRange, {
      readBoxes: checkMedia,
      namedAt: where,
    });
    if (probe.sizeBytes === 0) {
      throw new AbrkitError(
        'media',
        'SEGMENT_EMPTY',
        `a 0-byte segment: nothing to measure (named at ${where})`,
        {
          data: { source: segment.uri, namedAt: where },
        },
      );
    }
    if (probe.boxes !== null) {
      const types = probe.boxes.map((b) => b.type);
      if (!types.includes('moof') || !types.includes('mdat')) {
        throw new AbrkitError(
          'media',
          'MEDIA_MALFORMED',
          `not a media segment: top-level boxes [${types.join(', ')}], where a segment needs a moof and an mdat (named at ${where})`,
          { data: { source: segment.uri, namedAt: where, boxes: types } },
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
  return {
    location: playlist.uri,
    targetDurationMs: playlist.targetDurationMs,
    ...(init === undefined ? {} : { initLocation: init.uri }),
    ...(init?.byteRange === undefined ? {} : { initByteRange: init.byteRange }),
    segments,
  };
}

/** Reads the MPD at `location` and measures every video and audio Representation, as `scanHlsLadder` does. */
export async function scanDashLadder(location: string, options: ScanOptions = {}): Promise<ScannedLadder> {
  const checkMedia = options.checkMedia ?? true;
  const presentation = await loadDashPresentation(location);
  const variants = [];
  for (const variant of [...presentation.renditions].sort((a, b) => a.line - b.line)) {
    if (!variant.playlist) continue;
    variants.push({ variant, playlist: await scanPlaylist(variant.playlist, location, checkMedia) });
  }
  const audio = [];
  for (const rendition of presentation.audioRenditions) {
    if (rendition.playlist) audio.push(await scanPlaylist(rendition.playlist, location, checkMedia));
  }
  return { location, variants, audio };
}

/**
 * An HLS master playlist or a DASH MPD (by its `.mpd` name), or a folder holding `master.m3u8` (first) or
 * `manifest.mpd`, scanned.
 */
export async function scanLadder(pathOrUrl: string, options: ScanOptions = {}): Promise<ScannedLadder> {
  if (isMpdLocation(pathOrUrl)) return scanDashLadder(pathOrUrl, options);
  if (!isHttpUrl(pathOrUrl)) {
    const isFolder = await stat(pathOrUrl).then(
      (s) => s.isDirectory(),
      () => false,
    );
    const hasMaster = isFolder && (await exists(join(pathOrUrl, 'master.m3u8')));
    if (isFolder && !hasMaster && (await exists(join(pathOrUrl, DASH_MANIFEST_NAME))))
      return scanDashLadder(join(pathOrUrl, DASH_MANIFEST_NAME), options);
  }
  return scanHlsLadder(pathOrUrl, options);
}

/** `readHlsLadder` for a DASH MPD: the `VideoDescription` with every segment's real size. */
export async function readDashLadder(
  location: string,
  options: { name?: string } & ScanOptions = {},
): Promise<VideoDescription> {
  const ladder = await scanDashLadder(
    location,
    options.checkMedia === undefined ? {} : { checkMedia: options.checkMedia },
  );
  return ladderToVideo(ladder, options.name ?? defaultLadderName(ladder.location));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
