/**
 * Sabre movie JSON (Spiteri, Sitaraman, Sparacio, MMSys 2018; UMass-LIDS/sabre `example/*.json`):
 * `{"segment_duration_ms": 3000, "bitrates_kbps": [...], "segment_sizes_bits": [[bits of segment 0 at each
 * bitrate], ...]}`.
 *
 * Sizes are converted from bits to bytes by dividing by 8 and are NOT rounded: a size of 886361 bits becomes
 * 110795.125 bytes, so that download times computed in bits (Sabre) and in bytes agree exactly, and
 * `writeSabreMovie` gives back the same bits (multiplying by 8 is exact in binary floating point).
 */
import type { Rendition } from '../core/types.js';
import type { VideoDescription } from './model.js';
import { VIDEO_ERROR_CODES as CODES, baseName, videoError } from './errors.js';
import { segmentBitsProblem, validateVideo } from './validate.js';

/** Reads a Sabre movie JSON text; `source` (file name or URL) names it in errors and gives the video its name. */
export function parseSabreMovie(text: string, source: string): VideoDescription {
  if (text.trim() === '') throw videoError(CODES.empty, 'empty movie file', source);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw videoError(CODES.badJson, `not valid JSON: ${message}`, source, lineOfJsonError(text, message));
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw videoError(CODES.badField, 'a Sabre movie must be a JSON object', source);
  }
  const movie = json as Record<string, unknown>;
  const durationMs = movie.segment_duration_ms;
  if (typeof durationMs !== 'number') {
    throw videoError(
      CODES.badField,
      `segment_duration_ms must be a number, got ${describe(durationMs)}`,
      source,
    );
  }
  const bitrates = movie.bitrates_kbps;
  if (!Array.isArray(bitrates)) {
    throw videoError(CODES.badField, `bitrates_kbps must be an array, got ${describe(bitrates)}`, source);
  }
  const renditions: Rendition[] = bitrates.map((b: unknown, index) => {
    if (typeof b !== 'number') {
      throw videoError(
        CODES.badBitrate,
        `bitrates_kbps[${index}] must be a number, got ${describe(b)}`,
        source,
        undefined,
        {
          rendition: index,
        },
      );
    }
    return { index, bitrateKbps: b };
  });
  const rows = movie.segment_sizes_bits;
  if (!Array.isArray(rows)) {
    throw videoError(CODES.badField, `segment_sizes_bits must be an array, got ${describe(rows)}`, source);
  }
  const segmentSizesBytes = rows.map((row: unknown, segment) => {
    if (!Array.isArray(row)) {
      throw videoError(
        CODES.badField,
        `segment_sizes_bits[${segment}] must be an array, got ${describe(row)}`,
        source,
        undefined,
        {
          segment,
        },
      );
    }
    return row.map((bits: unknown, rendition) => {
      if (typeof bits !== 'number') {
        throw videoError(
          CODES.badSize,
          `segment ${segment}, rendition ${rendition}: size must be a number of bits, got ${describe(bits)}`,
          source,
          undefined,
          { segment, rendition },
        );
      }
      const problem = segmentBitsProblem(bits);
      if (problem !== null) {
        // In bits, as the file writes it (not the bytes it would become).
        throw videoError(
          CODES.badSize,
          `segment ${segment}, rendition ${rendition}: size ${bits} bits ${problem}`,
          source,
          undefined,
          { segment, rendition },
        );
      }
      return bits / 8;
    });
  });
  return validateVideo(
    { name: baseName(source, '.json'), segmentDurationMs: durationMs, renditions, segmentSizesBytes },
    source,
  );
}

/**
 * Writes `video` as Sabre movie JSON (sizes back in bits, one segment a line). `playableSegmentCount` has no
 * place in the format: only the playable segments are written when it is set.
 */
export function writeSabreMovie(video: VideoDescription): string {
  const count = video.playableSegmentCount ?? video.segmentSizesBytes.length;
  const rows = video.segmentSizesBytes
    .slice(0, count)
    .map((row) => `    [${row.map((bytes) => bytes * 8).join(', ')}]`);
  return (
    '{\n' +
    `  "segment_duration_ms": ${video.segmentDurationMs},\n` +
    `  "bitrates_kbps": [${video.renditions.map((r) => r.bitrateKbps).join(', ')}],\n` +
    `  "segment_sizes_bits": [\n${rows.join(',\n')}\n  ]\n` +
    '}\n'
  );
}

/** The 1-based line of a JSON.parse error, when the engine's message gives a position. */
function lineOfJsonError(text: string, message: string): number | undefined {
  const match = /position (\d+)/.exec(message);
  if (!match?.[1]) return undefined;
  const position = Math.min(Number(match[1]), text.length);
  let line = 1;
  for (let i = 0; i < position; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}
