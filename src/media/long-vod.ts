/**
 * A long VOD without a long file: HLS playlists that play a short ladder (fixtures/ladder, 40 s) over and
 * over to any duration (an hour for soak runs), referencing the same segment files again on every lap.
 *
 * Each lap restarts the media timestamps (the fMP4 fragments carry the same `tfdt` decode times every
 * time), so an `#EXT-X-DISCONTINUITY` precedes every lap after the first (RFC 8216 §4.3.2.3): a player
 * must place each discontinuity sequence on the playlist timeline itself (MSE `timestampOffset`, see
 * src/player/mse-sink.ts). Rewriting the timestamps instead would need a copy of every segment per lap.
 *
 * Laps are cut to the lowest video rendition's duration: a segment of any rendition (audio included) that
 * starts within 1 ms of the lap's end or later is left out of the lap. The fixture's audio has a 21 ms last
 * segment past the video's 40 s (AAC frames do not divide 2 s); repeated 90 times it would drift the audio
 * playlist's timeline 1.9 s from the video's. The final lap stops at the first segment starting at or past
 * `durationMs`, so the result lasts at least `durationMs` (less than one segment more).
 *
 * `writeLongVod` mirrors the source folder's layout in `outDir`; the segment files themselves are either
 * hard-linked there (`media: 'link'`, the default: one copy of the bytes on disk, served from under the same
 * root as the playlists; a plain copy when a link cannot be made, e.g. across file systems) or referenced
 * where they are (`media: 'reference'`: relative URIs up to the source folder, for a server whose root holds
 * both).
 */
import { copyFile, link, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { invalidArgument } from '../core/errors.js';
import { parseMasterPlaylist } from '../manifest/master.js';
import { parseMediaPlaylist } from '../manifest/media.js';
import type { MediaPlaylist } from '../manifest/model.js';

/** One hour, ms: the default length of a long VOD. */
export const LONG_VOD_DEFAULT_DURATION_MS = 3_600_000;

/** Tolerance when cutting a lap at the video's end, ms (playlist durations are rounded to the microsecond). */
const LAP_EDGE_MS = 1;

export interface LoopPlaylistOptions {
  /** How long the result plays, at least, ms. */
  readonly durationMs: number;
  /** Length of one lap, ms (the lowest video rendition's duration); segments starting later are dropped. */
  readonly lapDurationMs: number;
  /** The URI to write for a segment or init resource, from its resolved location in `source`. */
  readonly uriOf: (resolved: string) => string;
}

export interface LoopedPlaylist {
  readonly text: string;
  readonly laps: number;
  readonly segmentCount: number;
  readonly durationMs: number;
}

function checkPositive(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidArgument(name, `must be a finite number > 0, got ${String(value)}`);
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(6);
}

/**
 * A media playlist that repeats `source`'s segments (cut to `lapDurationMs`) until `durationMs` is reached,
 * with `#EXT-X-DISCONTINUITY` before each lap after the first. Pure: text in, text out.
 */
export function loopMediaPlaylist(source: MediaPlaylist, options: LoopPlaylistOptions): LoopedPlaylist {
  checkPositive('durationMs', options.durationMs);
  checkPositive('lapDurationMs', options.lapDurationMs);
  if (source.segments.some((s) => s.byteRange !== undefined)) {
    throw invalidArgument('source', `${source.uri}: byte-range playlists are not supported`);
  }
  const lap = source.segments.filter((s) => s.startMs < options.lapDurationMs - LAP_EDGE_MS);
  const first = lap[0];
  if (!first) throw invalidArgument('source', `${source.uri}: no segment starts within the lap`);
  const lapMs = options.lapDurationMs;
  const laps = Math.ceil(options.durationMs / lapMs - 1e-9);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7'];
  lines.push(`#EXT-X-TARGETDURATION:${Math.ceil(source.targetDurationMs / 1000)}`);
  lines.push('#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-DISCONTINUITY-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD');
  let currentInit: string | undefined;
  let segmentCount = 0;
  let endMs = 0;
  for (let k = 0; k < laps; k++) {
    for (let i = 0; i < lap.length; i++) {
      const segment = lap[i]!;
      const startMs = k * lapMs + segment.startMs;
      if (k === laps - 1 && startMs >= options.durationMs) break;
      if (i === 0 && k > 0) lines.push('#EXT-X-DISCONTINUITY');
      const init = segment.initSegment?.uri;
      if (init !== undefined && (init !== currentInit || (i === 0 && k > 0))) {
        lines.push(`#EXT-X-MAP:URI="${options.uriOf(init)}"`);
        currentInit = init;
      }
      lines.push(`#EXTINF:${seconds(segment.durationMs)},`, options.uriOf(segment.uri));
      segmentCount++;
      endMs = startMs + segment.durationMs;
    }
  }
  lines.push('#EXT-X-ENDLIST', '');
  return { text: lines.join('\n'), laps, segmentCount, durationMs: endMs };
}

export interface LongVodOptions {
  /** Folder holding `master.m3u8` and the media playlists it names (relative URIs under it). */
  readonly sourceDir: string;
  /** Folder to write into (created); the source layout is mirrored there. */
  readonly outDir: string;
  /** At least this long, ms (default one hour). */
  readonly durationMs?: number;
  /** `link` (default): hard-link (else copy) the media files into `outDir`; `reference`: point back to them. */
  readonly media?: 'link' | 'reference';
}

export interface LongVod {
  /** Path of the written master playlist (`<outDir>/master.m3u8`). */
  readonly masterPath: string;
  readonly laps: number;
  /** Length of one lap, ms. */
  readonly lapDurationMs: number;
  /** The video renditions' duration, ms. */
  readonly durationMs: number;
  /** Video segments per rendition. */
  readonly segmentCount: number;
  /** Every playlist written, master first. */
  readonly playlists: readonly string[];
}

function under(root: string, path: string, what: string): string {
  const rel = relative(root, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw invalidArgument('sourceDir', `${what} ${path} is not under ${root}`);
  }
  return rel;
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    await copyFile(from, to);
  }
}

/**
 * Writes a long VOD of `sourceDir`'s ladder into `outDir` (see the file comment). Throws a `TypeError` for
 * bad options or a playlist URI outside `sourceDir`, and the manifest's `AbrkitError`s for bad playlists.
 */
export async function writeLongVod(options: LongVodOptions): Promise<LongVod> {
  const durationMs = options.durationMs ?? LONG_VOD_DEFAULT_DURATION_MS;
  checkPositive('durationMs', durationMs);
  const media = options.media ?? 'link';
  if (media !== 'link' && media !== 'reference') {
    throw invalidArgument('media', `must be 'link' or 'reference', got ${String(media)}`);
  }
  const sourceDir = resolve(options.sourceDir);
  const outDir = resolve(options.outDir);
  const masterSource = join(sourceDir, 'master.m3u8');
  const masterText = await readFile(masterSource, 'utf8');
  const master = parseMasterPlaylist(masterText, masterSource);
  const playlistPaths = [
    ...master.renditions.map((r) => r.uri),
    ...master.audioRenditions.flatMap((a) => (a.uri === undefined ? [] : [a.uri])),
  ];
  const sources = new Map<string, MediaPlaylist>();
  for (const path of new Set(playlistPaths)) {
    under(sourceDir, path, 'media playlist');
    sources.set(path, parseMediaPlaylist(await readFile(path, 'utf8'), path));
  }
  const lowest = sources.get(master.renditions[0]!.uri)!;
  const lapDurationMs = lowest.totalDurationMs;
  await mkdir(outDir, { recursive: true });
  const written = [join(outDir, 'master.m3u8')];
  await writeFile(written[0]!, masterText);
  const linked = new Set<string>();
  let laps = 0;
  let videoDurationMs = 0;
  let segmentCount = 0;
  for (const [path, playlist] of sources) {
    const outPath = join(outDir, under(sourceDir, path, 'media playlist'));
    const outFolder = dirname(outPath);
    const toLink: string[] = [];
    const looped = loopMediaPlaylist(playlist, {
      durationMs,
      lapDurationMs,
      uriOf: (resolved) => {
        const rel = under(sourceDir, resolved, 'segment');
        if (media === 'reference') return relative(outFolder, resolved).split(sep).join('/');
        toLink.push(resolved);
        return relative(outFolder, join(outDir, rel)).split(sep).join('/');
      },
    });
    for (const file of new Set(toLink)) {
      if (linked.has(file)) continue;
      linked.add(file);
      await linkOrCopy(file, join(outDir, under(sourceDir, file, 'segment')));
    }
    await mkdir(outFolder, { recursive: true });
    await writeFile(outPath, looped.text);
    written.push(outPath);
    if (path === lowest.uri) {
      laps = looped.laps;
      videoDurationMs = looped.durationMs;
      segmentCount = looped.segmentCount;
    }
  }
  return {
    masterPath: written[0]!,
    laps,
    lapDurationMs,
    durationMs: videoDurationMs,
    segmentCount,
    playlists: written,
  };
}
