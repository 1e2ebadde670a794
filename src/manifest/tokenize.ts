/**
 * The lexical layer of the HLS parsers (RFC 8216 §4.1): lines, tags, attribute lists, strict numbers, and the
 * errors that name the playlist and the line. Attribute lists (§4.2) are read by `attributesOf` below.
 */
import { AbrkitError, invalidArgument } from '../core/errors.js';

/** The stable codes of the `AbrkitError('manifest', code)` the parsers throw. */
export type ManifestErrorCode =
  | 'BINARY_DATA'
  | 'MISSING_EXTM3U'
  | 'NOT_MASTER_PLAYLIST'
  | 'NOT_MEDIA_PLAYLIST'
  | 'EMPTY_PLAYLIST'
  | 'LINE_TOO_LONG'
  | 'BAD_ATTRIBUTE_LIST'
  | 'MISSING_BANDWIDTH'
  | 'BAD_BANDWIDTH'
  | 'BAD_RESOLUTION'
  | 'BAD_FRAME_RATE'
  | 'MISSING_URI'
  | 'UNEXPECTED_URI'
  | 'BAD_MEDIA_TAG'
  | 'UNKNOWN_AUDIO_GROUP'
  | 'MISSING_EXTINF'
  | 'BAD_DURATION'
  | 'MISSING_TARGET_DURATION'
  | 'BAD_TARGET_DURATION'
  | 'BAD_SEQUENCE_NUMBER'
  | 'BAD_PLAYLIST_TYPE'
  | 'BAD_BYTE_RANGE'
  | 'BAD_MAP';

/** The error for a playlist that cannot be read: category `manifest`, `data: { source, line }`. */
export function manifestError(
  code: ManifestErrorCode,
  message: string,
  source: string,
  line?: number,
): AbrkitError {
  return new AbrkitError('manifest', code, message, {
    data: line === undefined ? { source } : { source, line },
  });
}

/** One non-blank line of a playlist, trimmed, with its 1-based line number. */
export interface PlaylistLine {
  readonly line: number;
  readonly text: string;
}

/** Tag lines with attribute lists longer than this are refused: the attribute splitter is quadratic in the worst case. */
export const MAX_TAG_LINE_CHARS = 8192;

// C0 controls other than tab, LF and CR, DEL, C1 controls, and U+FFFD (what a decoder puts for bytes that are
// not UTF-8). None of them belongs in a playlist; finding one means binary data or the wrong file.
// eslint-disable-next-line no-control-regex
const NOT_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]/;

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Splits a playlist into its non-blank lines (LF, CRLF or CR), after checking that it is text and starts
 * with `#EXTM3U` (a UTF-8 byte order mark before it is allowed).
 */
export function readLines(text: string, source: string): PlaylistLine[] {
  if (typeof text !== 'string') throw invalidArgument('text', `must be a string, got ${typeof text}`);
  if (typeof source !== 'string') throw invalidArgument('url', `must be a string, got ${typeof source}`);
  const normalized = (text.startsWith('\uFEFF') ? text.slice(1) : text).replace(/\r\n?/g, '\n');
  const bad = NOT_TEXT.exec(normalized);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).padStart(4, '0');
    throw manifestError(
      'BINARY_DATA',
      `not a text playlist (character U+${code})`,
      source,
      lineOfOffset(normalized, bad.index),
    );
  }
  const lines: PlaylistLine[] = [];
  normalized.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed !== '') lines.push({ line: i + 1, text: trimmed });
  });
  const first = lines[0];
  if (first?.line !== 1 || !/^#EXTM3U(?:\s|$)/.test(first.text)) {
    throw manifestError('MISSING_EXTM3U', 'a playlist must start with #EXTM3U', source, 1);
  }
  return lines;
}

/** `#EXT-X-FOO:bar` -> `EXT-X-FOO`; a comment or a URI line -> undefined. */
export function tagName(text: string): string | undefined {
  if (!text.startsWith('#EXT')) return undefined;
  const colon = text.indexOf(':');
  return text.slice(1, colon === -1 ? undefined : colon);
}

/** What follows the tag's colon, trimmed (`''` when there is none). */
export function tagValue(text: string): string {
  const colon = text.indexOf(':');
  return colon === -1 ? '' : text.slice(colon + 1).trim();
}

/** The attributes of a tag, by name; values are raw strings with their quotes removed. */
export type Attributes = Readonly<Record<string, string>>;

/**
 * One `Name=Value` of an attribute list (RFC 8216 §4.2), anchored at `lastIndex` (sticky): a name of letters,
 * digits, `-` and `_` (the RFC has upper case only; lower case is accepted as hls.js does), then a quoted
 * string (no `"`, CR or LF inside, §4.2 quoted-string) or an unquoted value up to the next comma (decimal,
 * hexadecimal, float, resolution or enumerated string), then a comma or the end. Spaces around the parts are
 * tolerated, as players tolerate them.
 */
const ATTRIBUTE = /[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*("[^"\r\n]*"|[^",]*?)[ \t]*(?:,|$)/y;

/**
 * Reads the attribute list of a tag line (`#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS="a,b"`) into raw string
 * values by name, quotes removed (a later duplicate wins). Anything that is not a list of `Name=Value`
 * (a bare word, an unterminated quote, text after a quoted value) is BAD_ATTRIBUTE_LIST at that line.
 * Written here rather than taken from a playlist library because it is the only piece the parsers need
 * and the player's size budget (issue 5) counts every byte: m3u8-parser cost about 3 KB gzipped for it.
 */
export function attributesOf(line: PlaylistLine, source: string): Attributes {
  if (line.text.length > MAX_TAG_LINE_CHARS) {
    throw manifestError(
      'LINE_TOO_LONG',
      `tag line longer than ${MAX_TAG_LINE_CHARS} characters`,
      source,
      line.line,
    );
  }
  const list = tagValue(line.text);
  const attributes: Record<string, string> = {};
  ATTRIBUTE.lastIndex = 0;
  while (ATTRIBUTE.lastIndex < list.length) {
    const at = ATTRIBUTE.lastIndex;
    const match = ATTRIBUTE.exec(list);
    if (!match || ATTRIBUTE.lastIndex === at) {
      throw manifestError(
        'BAD_ATTRIBUTE_LIST',
        `cannot read the attribute list of #${tagName(line.text) ?? 'the tag'}: expected NAME=VALUE at character ${at + 1} of ${JSON.stringify(list)}`,
        source,
        line.line,
      );
    }
    const value = match[2]!;
    attributes[match[1]!] = value.startsWith('"') ? value.slice(1, -1) : value;
  }
  return attributes;
}

/** An attribute's value, or undefined when absent or empty. */
export function stringAttribute(attributes: Attributes, name: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(attributes, name)) return undefined;
  const value = attributes[name];
  return value === '' ? undefined : value;
}

/** A non-negative decimal number: `4`, `4.5`, `.5`, `4.`. */
export const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A non-negative decimal number of seconds, in ms rounded to the microsecond; undefined when not one. */
export function secondsToMs(value: string): number | undefined {
  if (!DECIMAL.test(value)) return undefined;
  const ms = Math.round(Number(value) * 1e6) / 1e3;
  return Number.isFinite(ms) ? ms : undefined;
}

/** A decimal integer (RFC 8216 decimal-integer, up to 2^53 - 1); undefined when not one. */
export function decimalInteger(value: string): number | undefined {
  if (!/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Adds two ms values that are multiples of a microsecond without drifting. */
export function addMs(a: number, b: number): number {
  return Math.round((a + b) * 1e3) / 1e3;
}
