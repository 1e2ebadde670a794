/**
 * Node loader for video descriptions: a `.json` file is a Sabre movie, a folder holding `video_size_N`
 * files is a Pensieve video, an HLS master playlist (`.m3u8` path or http(s) URL, or a folder holding
 * `master.m3u8`) is read by `readHlsLadder` with the real segment sizes, so the simulator runs on exactly
 * the media the player streams; a DASH MPD (`.mpd` path or URL, or a folder holding `manifest.mpd` and no
 * `master.m3u8`) likewise by `readDashLadder`. Anything else is `VIDEO_FORMAT_UNKNOWN`, a missing path
 * `VIDEO_NOT_FOUND`, an unreadable one `VIDEO_READ_FAILED`.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidArgument, isAbrkitError } from '../core/errors.js';
import { DASH_MANIFEST_NAME, isMpdLocation, readDashLadder } from '../media/dash-ladder.js';
import { readHlsLadder } from '../media/ladder.js';
import { VIDEO_ERROR_CODES as CODES, videoError } from '../videos/errors.js';
import type { VideoDescription } from '../videos/model.js';
import { parsePensieveVideoSizes, type NamedText, type PensieveVideoOptions } from '../videos/pensieve.js';
import { parseSabreMovie } from '../videos/sabre.js';
import { validateVideo } from '../videos/validate.js';
import { readTextFile } from './read-text.js';

export type LoadVideoOptions = PensieveVideoOptions;

/**
 * Loads the video at `path`. `options` apply to Pensieve folders (bitrates, duration and
 * `playableSegmentCount`, which is never guessed: pass 48 to play envivio as Pensieve does); for a Sabre
 * file only `playableSegmentCount` applies.
 */
export async function loadVideo(path: string, options: LoadVideoOptions = {}): Promise<VideoDescription> {
  if (/^https?:\/\//i.test(path))
    return withPlayable(await (isMpdLocation(path) ? readDashLadder : readHlsLadder)(path), options, path);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) {
      throw videoError(CODES.notFound, 'no such file or folder', path);
    }
    throw readFailed(path, error);
  }
  if (info.isDirectory()) {
    if (await exists(join(path, 'master.m3u8')))
      return withPlayable(await readHlsLadder(path), options, path);
    if (await exists(join(path, DASH_MANIFEST_NAME)))
      return withPlayable(await readDashLadder(join(path, DASH_MANIFEST_NAME)), options, path);
    return loadPensieveFolder(path, options);
  }
  if (path.toLowerCase().endsWith('.m3u8')) return withPlayable(await readHlsLadder(path), options, path);
  if (isMpdLocation(path)) return withPlayable(await readDashLadder(path), options, path);
  if (path.toLowerCase().endsWith('.json')) {
    const video = parseSabreMovie(await readText(path), path);
    if (options.playableSegmentCount === undefined) return video;
    return parsePlayable(video, options.playableSegmentCount, path);
  }
  throw videoError(
    CODES.unknownFormat,
    'not a known video description (expected a Sabre movie .json, a folder of Pensieve video_size_N files, an HLS master .m3u8 or a DASH .mpd)',
    path,
  );
}

async function loadPensieveFolder(path: string, options: LoadVideoOptions): Promise<VideoDescription> {
  let names: string[];
  try {
    names = await readdir(path);
  } catch (error) {
    throw readFailed(path, error);
  }
  const sizeFiles = names.filter((n) => /^video_size_\d+$/.test(n)).sort();
  if (sizeFiles.length === 0) {
    throw videoError(CODES.unknownFormat, 'folder holds no Pensieve video_size_N file', path);
  }
  const files: NamedText[] = [];
  for (const name of sizeFiles) files.push({ name, text: await readText(join(path, name)) });
  return parsePensieveVideoSizes(files, options, path);
}

/** An HLS ladder, checked like every other video (a `#EXTINF:0` is refused naming the playlist). */
function withPlayable(video: VideoDescription, options: LoadVideoOptions, path: string): VideoDescription {
  validateVideo(video, path);
  return options.playableSegmentCount === undefined
    ? video
    : parsePlayable(video, options.playableSegmentCount, path);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function parsePlayable(
  video: VideoDescription,
  playableSegmentCount: number,
  path: string,
): VideoDescription {
  const rows = video.segmentSizesBytes.length;
  if (!Number.isInteger(playableSegmentCount) || playableSegmentCount < 1 || playableSegmentCount > rows) {
    throw invalidArgument(
      'playableSegmentCount',
      `must be an integer in 1..${rows} for ${path}, got ${playableSegmentCount}`,
    );
  }
  return { ...video, playableSegmentCount };
}

async function readText(path: string): Promise<string> {
  try {
    return await readTextFile(path, (message, line) => videoError(CODES.readFailed, message, path, line));
  } catch (error) {
    if (isAbrkitError(error)) throw error;
    if (isCode(error, 'ENOENT')) throw videoError(CODES.notFound, 'no such file', path);
    throw readFailed(path, error);
  }
}

function readFailed(path: string, error: unknown) {
  const reason = error instanceof Error ? error.message : String(error);
  return videoError(CODES.readFailed, `cannot read: ${reason}`, path);
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
