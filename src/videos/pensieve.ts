/**
 * Pensieve's video description (Mao, Netravali, Alizadeh, "Neural Adaptive Video Streaming with Pensieve",
 * SIGCOMM 2017; hongzimao/pensieve `video_server/video_size_N`): one file per bitrate index N, each holding
 * the byte size of every chunk at that bitrate, one integer a line. The bitrates and chunk duration are not
 * in the files: they default to Pensieve's [300, 750, 1200, 1850, 2850, 4300] kbps and 4 s.
 *
 * The envivio video lists 49 chunks and Pensieve's simulator plays 48 (see ANCHORS.md): the default here
 * keeps all rows playable; pass `playableSegmentCount: 48` to reproduce Pensieve.
 */
import { invalidArgument } from '../core/errors.js';
import type { Rendition } from '../core/types.js';
import type { VideoDescription } from './model.js';
import { VIDEO_ERROR_CODES as CODES, baseName, videoError } from './errors.js';
import { VIDEO_LIMITS, validateVideo } from './validate.js';

/** Pensieve's bitrate ladder, kbps. */
export const PENSIEVE_BITRATES_KBPS: readonly number[] = [300, 750, 1200, 1850, 2850, 4300];
/** Pensieve's chunk duration, ms. */
export const PENSIEVE_SEGMENT_DURATION_MS = 4000;

export interface PensieveVideoOptions {
  /** Default 4000. */
  readonly segmentDurationMs?: number;
  /** One per `video_size_N` file, ascending. Default Pensieve's six. */
  readonly bitratesKbps?: readonly number[];
  /** Segments a session plays; default all rows (Pensieve plays 48 of envivio's 49). */
  readonly playableSegmentCount?: number;
}

/** One input file: its name (`video_size_3`, a path ending in it is fine) and its text. */
export interface NamedText {
  readonly name: string;
  readonly text: string;
}

const FILE_NAME = /^video_size_(\d+)$/;
const DECIMAL = /^(?:\d+\.?\d*|\.\d+)$/;

/**
 * Reads Pensieve `video_size_N` files (other names are ignored). `source` names the folder in errors and
 * gives the video its name; errors about one file name `source/video_size_N` and the line.
 */
export function parsePensieveVideoSizes(
  files: readonly NamedText[],
  options: PensieveVideoOptions = {},
  source = 'pensieve-video',
): VideoDescription {
  const bitratesKbps: readonly number[] = options.bitratesKbps ?? PENSIEVE_BITRATES_KBPS;
  if (!Array.isArray(options.bitratesKbps ?? []))
    throw invalidArgument('bitratesKbps', 'must be an array of numbers');
  const { segmentDurationMs, playableSegmentCount } = options;
  if (segmentDurationMs !== undefined && !(segmentDurationMs > 0 && Number.isFinite(segmentDurationMs))) {
    throw invalidArgument(
      'segmentDurationMs',
      `must be a finite number > 0, got ${String(segmentDurationMs)}`,
    );
  }
  if (
    playableSegmentCount !== undefined &&
    !(Number.isInteger(playableSegmentCount) && playableSegmentCount >= 1)
  ) {
    throw invalidArgument(
      'playableSegmentCount',
      `must be an integer >= 1, got ${String(playableSegmentCount)}`,
    );
  }
  const byIndex = new Map<number, NamedText>();
  for (const file of files) {
    const match = FILE_NAME.exec(baseName(file.name));
    if (!match?.[1]) continue;
    const index = Number(match[1]);
    if (byIndex.has(index)) {
      throw videoError(
        CODES.renditionMismatch,
        `two files for bitrate index ${index}`,
        join(source, file.name),
      );
    }
    byIndex.set(index, file);
  }
  if (byIndex.size === 0) throw videoError(CODES.empty, 'no video_size_N file', source);
  for (let i = 0; i < byIndex.size; i++) {
    if (!byIndex.has(i)) {
      throw videoError(
        CODES.renditionMismatch,
        `video_size_${i} is missing (files must be numbered 0..${byIndex.size - 1})`,
        source,
        undefined,
        {
          rendition: i,
        },
      );
    }
  }
  if (byIndex.size !== bitratesKbps.length) {
    throw videoError(
      CODES.renditionMismatch,
      `${byIndex.size} video_size_N files for ${bitratesKbps.length} bitrates (${bitratesKbps.join(', ')} kbps)`,
      source,
    );
  }
  const columns: number[][] = [];
  for (let r = 0; r < byIndex.size; r++) {
    const file = byIndex.get(r) as NamedText;
    columns.push(readSizes(file.text, join(source, file.name), r));
  }
  const rowCount = Math.max(...columns.map((c) => c.length));
  columns.forEach((column, r) => {
    if (column.length < rowCount) {
      const file = byIndex.get(r) as NamedText;
      throw videoError(
        CODES.raggedRow,
        `segment ${column.length} has no size at bitrate index ${r}: ${column.length} lines here, ${rowCount} in another file`,
        join(source, file.name),
        column.length + 1,
        { segment: column.length, rendition: r },
      );
    }
  });
  const renditions: Rendition[] = bitratesKbps.map((bitrateKbps, index) => ({ index, bitrateKbps }));
  const segmentSizesBytes: number[][] = [];
  for (let s = 0; s < rowCount; s++) segmentSizesBytes.push(columns.map((c) => c[s] as number));
  const video: VideoDescription = {
    name: baseName(source),
    segmentDurationMs: options.segmentDurationMs ?? PENSIEVE_SEGMENT_DURATION_MS,
    renditions,
    segmentSizesBytes,
    ...(options.playableSegmentCount === undefined
      ? {}
      : { playableSegmentCount: options.playableSegmentCount }),
  };
  return validateVideo(video, source);
}

/** Writes `video` as Pensieve files: `[{ name: 'video_size_0', text }, ...]`, one size a line. */
export function writePensieveVideoSizes(video: VideoDescription): NamedText[] {
  return video.renditions.map((r) => ({
    name: `video_size_${r.index}`,
    text: video.segmentSizesBytes.map((row) => String(row[r.index])).join('\n') + '\n',
  }));
}

function readSizes(text: string, source: string, rendition: number): number[] {
  const lines = text.split(/\r\n|\n|\r/);
  while (lines.length > 0 && (lines[lines.length - 1] as string).trim() === '') lines.pop();
  if (lines.length === 0) throw videoError(CODES.empty, 'empty video_size file', source);
  return lines.map((raw, i) => {
    const value = raw.trim();
    if (!DECIMAL.test(value)) {
      throw videoError(
        CODES.badNumber,
        `expected a size in bytes, got '${value.slice(0, 40)}'`,
        source,
        i + 1,
        {
          segment: i,
          rendition,
        },
      );
    }
    const size = Number(value);
    if (!(size > 0)) {
      throw videoError(CODES.badSize, `segment ${i}: size must be > 0 bytes, got ${value}`, source, i + 1, {
        segment: i,
        rendition,
      });
    }
    if (size * 8 > VIDEO_LIMITS.maxSegmentBits) {
      throw videoError(
        CODES.badSize,
        `segment ${i}: size ${value} bytes is above ${VIDEO_LIMITS.maxSegmentBits / 8} bytes (1 Gbit), the largest segment`,
        source,
        i + 1,
        { segment: i, rendition },
      );
    }
    return size;
  });
}

function join(folder: string, name: string): string {
  const base = baseName(name);
  return folder.endsWith('/') ? folder + base : `${folder}/${base}`;
}
