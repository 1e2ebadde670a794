/**
 * The few HLS tags `readHlsLadder` needs (RFC 8216bis): EXT-X-STREAM-INF and EXT-X-MEDIA in a multivariant
 * (master) playlist; EXT-X-TARGETDURATION, EXT-X-MAP, EXTINF, EXT-X-BYTERANGE and EXT-X-ENDLIST in a media
 * playlist. A stop-gap until src/manifest's `parseMasterPlaylist`/`parseMediaPlaylist` land; the lead will
 * switch `ladder.ts` over to them. Pure: text in, plain objects out, URIs left relative.
 */
import { AbrkitError } from '../core/errors.js';

export interface LiteVariant {
  readonly uri: string;
  readonly bandwidthBps: number;
  readonly averageBandwidthBps?: number;
  readonly codecs?: string;
  readonly widthPx?: number;
  readonly heightPx?: number;
  readonly frameRate?: number;
  readonly audioGroupId?: string;
  /** 1-based line of the EXT-X-STREAM-INF tag. */
  readonly line: number;
}

export interface LiteRendition {
  readonly type: string;
  readonly groupId: string;
  readonly name: string;
  readonly uri?: string;
  readonly isDefault: boolean;
  readonly line: number;
}

export interface LiteMaster {
  readonly variants: readonly LiteVariant[];
  readonly media: readonly LiteRendition[];
}

export interface LiteByteRange {
  readonly offsetBytes: number;
  readonly lengthBytes: number;
}

export interface LiteSegment {
  readonly uri: string;
  readonly durationMs: number;
  readonly byteRange?: LiteByteRange;
  readonly line: number;
}

export interface LiteMediaPlaylist {
  readonly targetDurationMs: number;
  readonly initUri?: string;
  readonly initByteRange?: LiteByteRange;
  readonly segments: readonly LiteSegment[];
  readonly endList: boolean;
}

/**
 * Parses a multivariant playlist. Throws `AbrkitError('manifest', code)` with `data: { source, line }`:
 * `PLAYLIST_NOT_M3U8`, `PLAYLIST_MALFORMED` (a bad attribute or a STREAM-INF without URI), `PLAYLIST_NO_VARIANTS`.
 */
export function parseMasterLite(text: string, source: string): LiteMaster {
  const lines = splitLines(text, source);
  const variants: LiteVariant[] = [];
  const media: LiteRendition[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const lineNo = i + 1;
    if (line.startsWith('#EXT-X-STREAM-INF:')) {
      const attrs = parseAttributes(line.slice('#EXT-X-STREAM-INF:'.length), source, lineNo);
      let j = i + 1;
      while (j < lines.length && ((lines[j] as string) === '' || (lines[j] as string).startsWith('#'))) j++;
      const uri = lines[j];
      if (uri === undefined) throw malformed(source, lineNo, 'EXT-X-STREAM-INF is not followed by a URI');
      const resolution = attrs.get('RESOLUTION');
      const size = resolution === undefined ? undefined : /^(\d+)x(\d+)$/.exec(resolution);
      if (resolution !== undefined && !size)
        throw malformed(source, lineNo, `bad RESOLUTION '${resolution}'`);
      variants.push({
        uri,
        bandwidthBps: requiredInt(attrs, 'BANDWIDTH', source, lineNo),
        averageBandwidthBps: optionalNumber(attrs, 'AVERAGE-BANDWIDTH', source, lineNo),
        codecs: attrs.get('CODECS'),
        widthPx: size ? Number(size[1]) : undefined,
        heightPx: size ? Number(size[2]) : undefined,
        frameRate: optionalNumber(attrs, 'FRAME-RATE', source, lineNo),
        audioGroupId: attrs.get('AUDIO'),
        line: lineNo,
      });
      i = j;
    } else if (line.startsWith('#EXT-X-MEDIA:')) {
      const attrs = parseAttributes(line.slice('#EXT-X-MEDIA:'.length), source, lineNo);
      const type = attrs.get('TYPE');
      const groupId = attrs.get('GROUP-ID');
      if (type === undefined || groupId === undefined)
        throw malformed(source, lineNo, 'EXT-X-MEDIA needs TYPE and GROUP-ID');
      media.push({
        type,
        groupId,
        name: attrs.get('NAME') ?? '',
        uri: attrs.get('URI'),
        isDefault: attrs.get('DEFAULT') === 'YES',
        line: lineNo,
      });
    }
  }
  if (variants.length === 0) {
    throw new AbrkitError(
      'manifest',
      'PLAYLIST_NO_VARIANTS',
      'no EXT-X-STREAM-INF: not a multivariant playlist',
      {
        data: { source },
      },
    );
  }
  return { variants, media };
}

/**
 * Parses a media playlist. Throws `AbrkitError('manifest', code)` with `data: { source, line }`:
 * `PLAYLIST_NOT_M3U8`, `PLAYLIST_MALFORMED` (a bad EXTINF, BYTERANGE or TARGETDURATION, a URI without EXTINF).
 */
export function parseMediaLite(text: string, source: string): LiteMediaPlaylist {
  const lines = splitLines(text, source);
  let targetDurationMs: number | undefined;
  let initUri: string | undefined;
  let initByteRange: LiteByteRange | undefined;
  let endList = false;
  const segments: LiteSegment[] = [];
  let pendingDurationMs: number | undefined;
  let pendingRange: LiteByteRange | undefined;
  let nextOffset = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const lineNo = i + 1;
    if (line === '' || line === '#EXTM3U') continue;
    if (line.startsWith('#EXT-X-TARGETDURATION:')) {
      const s = Number(line.slice('#EXT-X-TARGETDURATION:'.length));
      if (!Number.isInteger(s) || s <= 0)
        throw malformed(source, lineNo, `bad EXT-X-TARGETDURATION '${line}'`);
      targetDurationMs = s * 1000;
    } else if (line.startsWith('#EXT-X-MAP:')) {
      const attrs = parseAttributes(line.slice('#EXT-X-MAP:'.length), source, lineNo);
      initUri = attrs.get('URI');
      if (initUri === undefined) throw malformed(source, lineNo, 'EXT-X-MAP without URI');
      const range = attrs.get('BYTERANGE');
      if (range !== undefined) initByteRange = parseByteRange(range, 0, source, lineNo);
    } else if (line.startsWith('#EXTINF:')) {
      const value = line.slice('#EXTINF:'.length).split(',')[0] ?? '';
      const seconds = Number(value);
      if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
        throw malformed(source, lineNo, `bad EXTINF duration '${value}'`);
      }
      pendingDurationMs = seconds * 1000;
    } else if (line.startsWith('#EXT-X-BYTERANGE:')) {
      pendingRange = parseByteRange(line.slice('#EXT-X-BYTERANGE:'.length), nextOffset, source, lineNo);
    } else if (line === '#EXT-X-ENDLIST') {
      endList = true;
    } else if (!line.startsWith('#')) {
      if (pendingDurationMs === undefined)
        throw malformed(source, lineNo, `segment URI '${line}' without EXTINF`);
      segments.push({ uri: line, durationMs: pendingDurationMs, byteRange: pendingRange, line: lineNo });
      if (pendingRange) nextOffset = pendingRange.offsetBytes + pendingRange.lengthBytes;
      pendingDurationMs = undefined;
      pendingRange = undefined;
    }
  }
  if (targetDurationMs === undefined) {
    throw new AbrkitError('manifest', 'PLAYLIST_MALFORMED', 'no EXT-X-TARGETDURATION: not a media playlist', {
      data: { source },
    });
  }
  return { targetDurationMs, initUri, initByteRange, segments, endList };
}

function splitLines(text: string, source: string): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') {
    throw new AbrkitError('manifest', 'PLAYLIST_NOT_M3U8', 'does not start with #EXTM3U', {
      data: { source, line: 1 },
    });
  }
  return lines;
}

/** `KEY=VALUE,KEY="quoted, value"` into a map (quotes removed). */
function parseAttributes(list: string, source: string, line: number): Map<string, string> {
  const attrs = new Map<string, string>();
  const re = /\s*([A-Z0-9-]+)=("[^"]*"|[^,]*)\s*(,|$)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while (consumed < list.length && (m = re.exec(list)) !== null) {
    const raw = m[2] ?? '';
    attrs.set(m[1] ?? '', raw.startsWith('"') ? raw.slice(1, -1) : raw);
    consumed = re.lastIndex;
  }
  if (consumed < list.length)
    throw malformed(source, line, `bad attribute list near '${list.slice(consumed)}'`);
  return attrs;
}

function parseByteRange(value: string, defaultOffset: number, source: string, line: number): LiteByteRange {
  const m = /^(\d+)(?:@(\d+))?$/.exec(value.trim());
  if (!m) throw malformed(source, line, `bad BYTERANGE '${value}'`);
  return { lengthBytes: Number(m[1]), offsetBytes: m[2] === undefined ? defaultOffset : Number(m[2]) };
}

function requiredInt(attrs: Map<string, string>, key: string, source: string, line: number): number {
  const value = attrs.get(key);
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0)
    throw malformed(source, line, `bad or missing ${key}`);
  return n;
}

function optionalNumber(
  attrs: Map<string, string>,
  key: string,
  source: string,
  line: number,
): number | undefined {
  const value = attrs.get(key);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw malformed(source, line, `bad ${key} '${value}'`);
  return n;
}

function malformed(source: string, line: number, problem: string): AbrkitError {
  return new AbrkitError('manifest', 'PLAYLIST_MALFORMED', problem, { data: { source, line } });
}
