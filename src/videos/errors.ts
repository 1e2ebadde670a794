/**
 * Errors of the video readers: every problem with a video description becomes an
 * `AbrkitError('video', code, ...)` whose data names the file (`source`) and, where it helps, the 1-based
 * `line`, the `segment` and the `rendition`.
 */
import { AbrkitError } from '../core/errors.js';

/** Stable codes of the video readers' errors (`AbrkitError.code`, category `'video'`). */
export const VIDEO_ERROR_CODES = {
  /** No data: an empty file, no segment, no rendition, no `video_size_N` file. */
  empty: 'VIDEO_EMPTY',
  /** JSON that does not parse. */
  badJson: 'VIDEO_BAD_JSON',
  /** A missing field or a field of the wrong type (Sabre JSON). */
  badField: 'VIDEO_BAD_FIELD',
  /** A text line that is not a plain decimal number (Pensieve `video_size_N`). */
  badNumber: 'VIDEO_BAD_NUMBER',
  /** A segment duration that is not a finite number > 0. */
  badDuration: 'VIDEO_BAD_DURATION',
  /** A bitrate that is not a finite number > 0. */
  badBitrate: 'VIDEO_BAD_BITRATE',
  /** Bitrates not strictly increasing. */
  bitratesNotIncreasing: 'VIDEO_BITRATES_NOT_INCREASING',
  /** A segment size that is not a finite number > 0. */
  badSize: 'VIDEO_BAD_SIZE',
  /** A segment without a size for every rendition (Sabre row too short or long, Pensieve files of unequal length). */
  raggedRow: 'VIDEO_RAGGED_ROW',
  /** `video_size_N` files not numbered 0..n-1, or not as many as the bitrates. */
  renditionMismatch: 'VIDEO_RENDITION_MISMATCH',
  /** Input that matches no known video format (Node loader). */
  unknownFormat: 'VIDEO_FORMAT_UNKNOWN',
  /** A path that does not exist (Node loader). */
  notFound: 'VIDEO_NOT_FOUND',
  /** A file that exists but cannot be read (Node loader). */
  readFailed: 'VIDEO_READ_FAILED',
} as const;

export type VideoErrorCode = (typeof VIDEO_ERROR_CODES)[keyof typeof VIDEO_ERROR_CODES];

/** An `AbrkitError('video', code, ...)` naming the file and, when given, the 1-based line. */
export function videoError(
  code: VideoErrorCode,
  message: string,
  source: string,
  line?: number,
  extra: Record<string, unknown> = {},
): AbrkitError {
  const data = line === undefined ? { ...extra, source } : { ...extra, source, line };
  return new AbrkitError('video', code, message, { data });
}

/** The last path component of `source` without `extension` (for video names). */
export function baseName(source: string, extension = ''): string {
  const trimmed = source.replace(/[\\/]+$/, '');
  const base = trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
  return extension && base.toLowerCase().endsWith(extension) ? base.slice(0, -extension.length) : base;
}
