/**
 * A tolerant walk over the top-level ISO BMFF boxes of a segment (ISO/IEC 14496-12 §4.2): enough to tell a
 * whole segment from a truncated one before mp4box parses it, since mp4box waits silently for bytes that
 * never come.
 */
import { AbrkitError } from '../core/errors.js';

/** One top-level box: its four-character type, where it starts and its declared size, header included. */
export interface BoxHeader {
  readonly type: string;
  readonly offsetBytes: number;
  readonly sizeBytes: number;
}

/**
 * Lists the top-level boxes of `bytes`. Throws `AbrkitError('media', 'SEGMENT_TRUNCATED')` when a box
 * declares more bytes than remain, and `'MEDIA_MALFORMED'` for a size smaller than its header.
 */
export function listTopLevelBoxes(bytes: Uint8Array, source: string): BoxHeader[] {
  const boxes: BoxHeader[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    const box = readBoxHeader(bytes.subarray(offset, offset + 16), offset, bytes.byteLength - offset, source);
    boxes.push(box);
    offset += box.sizeBytes;
  }
  return boxes;
}

/**
 * The header of the box at `offsetBytes`, from `head` (the first up to 16 bytes there) and the bytes
 * `remainingBytes` left from there to the end of the segment (or byte range). Throws as
 * {@link listTopLevelBoxes}. Shared with the file walker of load.ts, which reads only these 16 bytes a box.
 */
export function readBoxHeader(
  head: Uint8Array,
  offsetBytes: number,
  remainingBytes: number,
  source: string,
): BoxHeader {
  const offset = offsetBytes;
  if (remainingBytes < 8) {
    throw truncated(source, `${remainingBytes} stray bytes after the last box at offset ${offset}`);
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let size = view.getUint32(0);
  const type = fourCC(head, 4);
  let headerBytes = 8;
  if (size === 1) {
    if (remainingBytes < 16 || head.byteLength < 16)
      throw truncated(source, `box '${type}' at offset ${offset} lacks its 64-bit size`);
    size = Number(view.getBigUint64(8));
    headerBytes = 16;
  } else if (size === 0) {
    size = remainingBytes; // the box runs to the end of the file
  }
  if (size < headerBytes) {
    throw new AbrkitError(
      'media',
      'MEDIA_MALFORMED',
      `box '${type}' at offset ${offset} declares ${size} bytes`,
      {
        data: { source, offsetBytes: offset },
      },
    );
  }
  if (size > remainingBytes) {
    throw truncated(
      source,
      `box '${type}' at offset ${offset} declares ${size} bytes but only ${remainingBytes} remain`,
    );
  }
  return { type, offsetBytes: offset, sizeBytes: size };
}

/** Reads a four-character code at `offset` (printable ASCII, else `?`). */
export function fourCC(bytes: Uint8Array, offset: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) {
    const c = bytes[offset + i] ?? 0;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
  }
  return s;
}

function truncated(source: string, problem: string): AbrkitError {
  return new AbrkitError('media', 'SEGMENT_TRUNCATED', `truncated: ${problem}`, { data: { source } });
}
