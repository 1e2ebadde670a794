/**
 * Master (multivariant) playlists, RFC 8216 §4.3.4: `#EXT-X-STREAM-INF` variants and `#EXT-X-MEDIA` audio
 * renditions. Checked against hls.js's `M3U8Parser.parseMasterPlaylist` in test/manifest/oracle.test.ts.
 */
import type { AudioRendition, HlsRendition, MasterPlaylist } from './model.js';
import type { Attributes, PlaylistLine } from './tokenize.js';
import {
  attributesOf,
  DECIMAL,
  decimalInteger,
  manifestError,
  readLines,
  stringAttribute,
  tagName,
} from './tokenize.js';
import { resolveUri } from './uri.js';

/**
 * True when `text` looks like a master playlist: it has an `#EXT-X-STREAM-INF` tag and no `#EXTINF`.
 * A quick sniff that never throws; the parsers do the checking.
 */
export function isMasterPlaylist(text: string): boolean {
  if (typeof text !== 'string') return false;
  return /^[ \t]*#EXT-X-STREAM-INF:/m.test(text) && !/^[ \t]*#EXTINF:/m.test(text);
}

interface PendingVariant {
  readonly line: number;
  readonly attributes: Attributes;
}

interface UnsortedRendition extends Omit<HlsRendition, 'index'> {
  readonly order: number;
}

function readVariant(
  pending: PendingVariant,
  uriLine: PlaylistLine,
  source: string,
  order: number,
): UnsortedRendition {
  const { attributes, line } = pending;
  const bandwidthText = stringAttribute(attributes, 'BANDWIDTH');
  if (bandwidthText === undefined) {
    throw manifestError('MISSING_BANDWIDTH', '#EXT-X-STREAM-INF without BANDWIDTH', source, line);
  }
  const bandwidth = readBitsPerSecond('BANDWIDTH', bandwidthText, source, line);
  const averageText = stringAttribute(attributes, 'AVERAGE-BANDWIDTH');
  const average =
    averageText === undefined ? undefined : readBitsPerSecond('AVERAGE-BANDWIDTH', averageText, source, line);
  const rendition: {
    -readonly [K in keyof UnsortedRendition]: UnsortedRendition[K];
  } = {
    order,
    bitrateKbps: (average ?? bandwidth) / 1000,
    peakBitrateKbps: bandwidth / 1000,
    uri: resolveUri(uriLine.text, source),
    line,
  };
  const resolution = stringAttribute(attributes, 'RESOLUTION');
  if (resolution !== undefined) {
    const match = /^(\d+)x(\d+)$/.exec(resolution);
    const widthPx = match?.[1] === undefined ? 0 : Number(match[1]);
    const heightPx = match?.[2] === undefined ? 0 : Number(match[2]);
    if (!(Number.isSafeInteger(widthPx) && widthPx > 0 && Number.isSafeInteger(heightPx) && heightPx > 0)) {
      throw manifestError(
        'BAD_RESOLUTION',
        `RESOLUTION must be <width>x<height> in pixels, got "${resolution}"`,
        source,
        line,
      );
    }
    rendition.widthPx = widthPx;
    rendition.heightPx = heightPx;
  }
  const frameRateText = stringAttribute(attributes, 'FRAME-RATE');
  if (frameRateText !== undefined) {
    const frameRate = DECIMAL.test(frameRateText) ? Number(frameRateText) : Number.NaN;
    if (!(Number.isFinite(frameRate) && frameRate > 0)) {
      throw manifestError(
        'BAD_FRAME_RATE',
        `FRAME-RATE must be a positive number, got "${frameRateText}"`,
        source,
        line,
      );
    }
    rendition.frameRate = frameRate;
  }
  const codecs = stringAttribute(attributes, 'CODECS');
  if (codecs !== undefined) rendition.codecs = codecs;
  const audioGroupId = stringAttribute(attributes, 'AUDIO');
  if (audioGroupId !== undefined) rendition.audioGroupId = audioGroupId;
  return rendition;
}

function readBitsPerSecond(name: string, text: string, source: string, line: number): number {
  const bitsPerSecond = decimalInteger(text);
  if (bitsPerSecond === undefined || bitsPerSecond <= 0) {
    throw manifestError(
      'BAD_BANDWIDTH',
      `${name} must be a positive integer (bits/s), got "${text}"`,
      source,
      line,
    );
  }
  return bitsPerSecond;
}

function isYes(value: string | undefined): boolean {
  return value !== undefined && value.toUpperCase() === 'YES';
}

function readMedia(line: PlaylistLine, source: string): AudioRendition | undefined {
  const attributes = attributesOf(line, source);
  const type = stringAttribute(attributes, 'TYPE');
  const groupId = stringAttribute(attributes, 'GROUP-ID');
  const name = stringAttribute(attributes, 'NAME');
  if (type === undefined || groupId === undefined || name === undefined) {
    throw manifestError('BAD_MEDIA_TAG', '#EXT-X-MEDIA needs TYPE, GROUP-ID and NAME', source, line.line);
  }
  if (type !== 'AUDIO') return undefined;
  const isDefault = isYes(stringAttribute(attributes, 'DEFAULT'));
  const audio: { -readonly [K in keyof AudioRendition]: AudioRendition[K] } = {
    groupId,
    name,
    default: isDefault,
    autoselect: isYes(stringAttribute(attributes, 'AUTOSELECT')),
  };
  const language = stringAttribute(attributes, 'LANGUAGE');
  if (language !== undefined) audio.language = language;
  const channels = stringAttribute(attributes, 'CHANNELS');
  if (channels !== undefined) audio.channels = channels;
  const uri = stringAttribute(attributes, 'URI');
  if (uri !== undefined) audio.uri = resolveUri(uri, source);
  return audio;
}

/**
 * Parses a master playlist read from `url` (an absolute URL or a file path: the base for its relative URIs).
 * Throws `AbrkitError('manifest', code)` naming the URL and line for malformed input (see `ManifestErrorCode`).
 */
export function parseMasterPlaylist(text: string, url: string): MasterPlaylist {
  const lines = readLines(text, url);
  const unsorted: UnsortedRendition[] = [];
  const audioRenditions: AudioRendition[] = [];
  let independentSegments = false;
  let pending: PendingVariant | undefined;

  for (const line of lines.slice(1)) {
    const tag = tagName(line.text);
    if (tag === undefined) {
      if (line.text.startsWith('#')) continue; // a comment
      if (!pending) {
        throw manifestError(
          'UNEXPECTED_URI',
          'a URI line that no #EXT-X-STREAM-INF announces',
          url,
          line.line,
        );
      }
      unsorted.push(readVariant(pending, line, url, unsorted.length));
      pending = undefined;
      continue;
    }
    switch (tag) {
      case 'EXT-X-STREAM-INF':
        if (pending) {
          throw manifestError(
            'MISSING_URI',
            '#EXT-X-STREAM-INF not followed by a URI line',
            url,
            pending.line,
          );
        }
        pending = { line: line.line, attributes: attributesOf(line, url) };
        break;
      case 'EXT-X-MEDIA': {
        const audio = readMedia(line, url);
        if (audio) audioRenditions.push(audio);
        break;
      }
      case 'EXT-X-INDEPENDENT-SEGMENTS':
        independentSegments = true;
        break;
      case 'EXTINF':
      case 'EXT-X-TARGETDURATION':
        throw manifestError(
          'NOT_MASTER_PLAYLIST',
          `#${tag} in a master playlist: this is a media playlist`,
          url,
          line.line,
        );
      default:
        break; // other tags do not change the ladder
    }
  }
  if (pending)
    throw manifestError('MISSING_URI', '#EXT-X-STREAM-INF not followed by a URI line', url, pending.line);
  if (unsorted.length === 0) throw manifestError('EMPTY_PLAYLIST', 'no #EXT-X-STREAM-INF variant', url);

  for (const variant of unsorted) {
    if (
      variant.audioGroupId !== undefined &&
      !audioRenditions.some((a) => a.groupId === variant.audioGroupId)
    ) {
      throw manifestError(
        'UNKNOWN_AUDIO_GROUP',
        `AUDIO="${variant.audioGroupId}" names no #EXT-X-MEDIA group`,
        url,
        variant.line,
      );
    }
  }
  const renditions = unsorted
    .slice()
    .sort(
      (a, b) => a.bitrateKbps - b.bitrateKbps || a.peakBitrateKbps - b.peakBitrateKbps || a.order - b.order,
    )
    .map(({ order: _order, ...variant }, index): HlsRendition => ({ index, ...variant }));
  return { uri: url, renditions, audioRenditions, independentSegments };
}
