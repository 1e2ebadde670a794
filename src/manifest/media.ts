/**
 * Media playlists, RFC 8216 §4.3.2-4.3.3: segments with durations, byte ranges, initialization sections,
 * discontinuities and program date-times. Checked against hls.js's `M3U8Parser.parseLevelPlaylist` in test/manifest/oracle.test.ts.
 */
import type { ByteRange, InitSegment, MediaPlaylist, MediaSegment, PlaylistType } from './model.js';
import type { PlaylistLine } from './tokenize.js';
import {
  addMs,
  attributesOf,
  decimalInteger,
  manifestError,
  readLines,
  secondsToMs,
  stringAttribute,
  tagName,
  tagValue,
} from './tokenize.js';
import { resolveUri } from './uri.js';

const BYTE_RANGE = /^(\d+)(?:@(\d+))?$/;

/** `<n>[@<o>]`; without `@o` the offset is `implicitOffset` (undefined: not allowed here). */
function readByteRange(
  value: string,
  implicitOffset: number | undefined,
  source: string,
  line: number,
): ByteRange {
  const match = BYTE_RANGE.exec(value);
  const lengthBytes = match?.[1] === undefined ? undefined : decimalInteger(match[1]);
  const offsetBytes = match?.[2] === undefined ? implicitOffset : decimalInteger(match[2]);
  if (!match || lengthBytes === undefined || (match[2] !== undefined && offsetBytes === undefined)) {
    throw manifestError(
      'BAD_BYTE_RANGE',
      `byte range must be <length>[@<offset>], got "${value}"`,
      source,
      line,
    );
  }
  if (offsetBytes === undefined) {
    throw manifestError(
      'BAD_BYTE_RANGE',
      'a byte range without an offset must follow a segment with a byte range',
      source,
      line,
    );
  }
  // what a `Range: bytes=a-b` header can ask for (a 0-byte range would be `bytes=a-(a-1)`)
  if (lengthBytes < 1 || !Number.isSafeInteger(offsetBytes + lengthBytes)) {
    throw manifestError(
      'BAD_BYTE_RANGE',
      `byte range "${value}" must hold at least 1 byte and end below 2^53`,
      source,
      line,
    );
  }
  return { offsetBytes, lengthBytes };
}

function readInitSegment(line: PlaylistLine, source: string): InitSegment {
  const attributes = attributesOf(line, source);
  const uri = stringAttribute(attributes, 'URI');
  if (uri === undefined) throw manifestError('BAD_MAP', '#EXT-X-MAP without URI', source, line.line);
  const rangeText = stringAttribute(attributes, 'BYTERANGE');
  const init: { uri: string; byteRange?: ByteRange } = { uri: resolveUri(uri, source) };
  // Without an offset, an EXT-X-MAP byte range starts at 0 (it follows no previous range).
  if (rangeText !== undefined) init.byteRange = readByteRange(rangeText, 0, source, line.line);
  return init;
}

function readPlaylistType(value: string, source: string, line: number): 'vod' | 'event' {
  if (value === 'VOD') return 'vod';
  if (value === 'EVENT') return 'event';
  throw manifestError(
    'BAD_PLAYLIST_TYPE',
    `EXT-X-PLAYLIST-TYPE must be VOD or EVENT, got "${value}"`,
    source,
    line,
  );
}

function readSequence(tag: string, value: string, source: string, line: number): number {
  const n = decimalInteger(value);
  if (n === undefined)
    throw manifestError(
      'BAD_SEQUENCE_NUMBER',
      `#${tag} must be a decimal integer, got "${value}"`,
      source,
      line,
    );
  return n;
}

/**
 * Parses a media playlist read from `url` (an absolute URL or a file path: the base for its relative URIs).
 * LL-HLS parts, keys, date ranges and other tags that do not change segment timing are ignored.
 * Throws `AbrkitError('manifest', code)` naming the URL and line for malformed input (see `ManifestErrorCode`).
 */
export function parseMediaPlaylist(text: string, url: string): MediaPlaylist {
  const lines = readLines(text, url);
  const segments: MediaSegment[] = [];
  let targetDurationMs: number | undefined;
  let declaredType: 'vod' | 'event' | undefined;
  let mediaSequence = 0;
  let discontinuitySequence = 0;
  let discontinuities = 0;
  let endList = false;
  let version: number | undefined;
  let startMs = 0;
  // State for the next segment.
  let extinf: { line: number; durationMs: number } | undefined;
  let byteRange: ByteRange | undefined;
  let discontinuity = false;
  let initSegment: InitSegment | undefined;
  // EXT-X-PROGRAM-DATE-TIME of the next segment: given by the tag, else carried on from the one before
  let programDateTimeMs: number | undefined;
  // The line of a byte range without an offset, to check at the URI that it continues the previous segment.
  let byteRangeLine: number | undefined;

  for (const line of lines.slice(1)) {
    const tag = tagName(line.text);
    if (tag === undefined) {
      if (line.text.startsWith('#')) continue; // a comment
      if (!extinf)
        throw manifestError('MISSING_EXTINF', 'a segment URI without #EXTINF before it', url, line.line);
      if (discontinuity) discontinuities++;
      const uri = resolveUri(line.text, url);
      if (byteRangeLine !== undefined && segments[segments.length - 1]?.uri !== uri) {
        throw manifestError(
          'BAD_BYTE_RANGE',
          'a byte range without an offset must continue a range of the same resource',
          url,
          byteRangeLine,
        );
      }
      const segment: { -readonly [K in keyof MediaSegment]: MediaSegment[K] } = {
        index: segments.length,
        sequenceNumber: mediaSequence + segments.length,
        uri,
        durationMs: extinf.durationMs,
        startMs,
        discontinuity,
        discontinuitySequence: discontinuitySequence + discontinuities,
        line: line.line,
      };
      if (byteRange) segment.byteRange = byteRange;
      if (initSegment) segment.initSegment = initSegment;
      if (programDateTimeMs !== undefined) {
        segment.programDateTimeMs = programDateTimeMs;
        programDateTimeMs = addMs(programDateTimeMs, extinf.durationMs);
      }
      segments.push(segment);
      startMs = addMs(startMs, extinf.durationMs);
      extinf = undefined;
      byteRange = undefined;
      byteRangeLine = undefined;
      discontinuity = false;
      continue;
    }
    const value = tagValue(line.text);
    switch (tag) {
      case 'EXTINF': {
        if (extinf)
          throw manifestError('MISSING_URI', '#EXTINF not followed by a segment URI', url, extinf.line);
        const durationText = value.split(',', 1)[0]?.trim() ?? '';
        const durationMs = secondsToMs(durationText);
        if (durationMs === undefined) {
          throw manifestError(
            'BAD_DURATION',
            `#EXTINF duration must be a non-negative number, got "${durationText}"`,
            url,
            line.line,
          );
        }
        extinf = { line: line.line, durationMs };
        break;
      }
      case 'EXT-X-TARGETDURATION': {
        const ms = secondsToMs(value);
        if (ms === undefined || ms <= 0) {
          throw manifestError(
            'BAD_TARGET_DURATION',
            `#EXT-X-TARGETDURATION must be a positive number, got "${value}"`,
            url,
            line.line,
          );
        }
        targetDurationMs = ms;
        break;
      }
      case 'EXT-X-MEDIA-SEQUENCE':
      case 'EXT-X-DISCONTINUITY-SEQUENCE': {
        // RFC 8216 §4.3.3.2-3: both MUST come before the first segment; a late one would renumber half the list
        if (segments.length > 0 || extinf)
          throw manifestError(
            'BAD_SEQUENCE_NUMBER',
            `#${tag} must come before the first segment`,
            url,
            line.line,
          );
        const n = readSequence(tag, value, url, line.line);
        if (tag === 'EXT-X-MEDIA-SEQUENCE') mediaSequence = n;
        else discontinuitySequence = n;
        break;
      }
      case 'EXT-X-PLAYLIST-TYPE':
        declaredType = readPlaylistType(value, url, line.line);
        break;
      case 'EXT-X-ENDLIST':
        endList = true;
        break;
      case 'EXT-X-DISCONTINUITY':
        discontinuity = true;
        break;
      case 'EXT-X-PROGRAM-DATE-TIME': {
        // an ISO 8601 date with a time zone (RFC 8216 §4.3.2.6); one Date.parse cannot read is ignored, as hls.js does
        const ms = Date.parse(value);
        if (Number.isFinite(ms)) programDateTimeMs = ms;
        break;
      }
      case 'EXT-X-BYTERANGE': {
        // Without an offset the range follows the previous segment's, which must be a range of the same
        // resource (RFC 8216 §4.3.2.2); the resource is checked at the URI line.
        const previous = segments[segments.length - 1]?.byteRange;
        const implicitOffset = previous ? previous.offsetBytes + previous.lengthBytes : undefined;
        byteRange = readByteRange(value, implicitOffset, url, line.line);
        byteRangeLine = BYTE_RANGE.exec(value)?.[2] === undefined ? line.line : undefined;
        break;
      }
      case 'EXT-X-MAP':
        initSegment = readInitSegment(line, url);
        break;
      case 'EXT-X-VERSION':
        version = decimalInteger(value);
        break;
      case 'EXT-X-STREAM-INF':
        throw manifestError(
          'NOT_MEDIA_PLAYLIST',
          '#EXT-X-STREAM-INF in a media playlist: this is a master playlist',
          url,
          line.line,
        );
      default:
        break;
    }
  }
  if (extinf) throw manifestError('MISSING_URI', '#EXTINF not followed by a segment URI', url, extinf.line);
  if (segments.length === 0) throw manifestError('EMPTY_PLAYLIST', 'no segments', url);
  if (targetDurationMs === undefined)
    throw manifestError('MISSING_TARGET_DURATION', 'no #EXT-X-TARGETDURATION', url);

  const type: PlaylistType = declaredType ?? (endList ? 'vod' : 'live');
  const playlist: { -readonly [K in keyof MediaPlaylist]: MediaPlaylist[K] } = {
    uri: url,
    targetDurationMs,
    type,
    mediaSequence,
    discontinuitySequence,
    endList,
    segments,
    totalDurationMs: startMs,
  };
  if (version !== undefined) playlist.version = version;
  return playlist;
}
