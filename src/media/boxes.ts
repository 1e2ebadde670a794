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
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: BoxHeader[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    if (bytes.byteLength - offset < 8) {
      throw truncated(
        source,
        `${bytes.byteLength - offset} stray bytes after the last box at offset ${offset}`,
      );
    }
    let size = view.getUint32(offset);
    const type = fourCC(bytes, offset + 4);
    let headerBytes = 8;
    if (size === 1) {
      if (bytes.byteLength - offset < 16)
        throw truncated(source, `box '${type}' at offset ${offset} lacks its 64-bit size`);
      size = Number(view.getBigUint64(offset + 8));
      headerBytes = 16;
    } else if (size === 0) {
      size = bytes.byteLength - offset; // the box runs to the end of the file
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
    if (offset + size > bytes.byteLength) {
      throw truncated(
        source,
        `box '${type}' at offset ${offset} declares ${size} bytes but only ${bytes.byteLength - offset} remain`,
      );
    }
    boxes.push({ type, offsetBytes: offset, sizeBytes: size });
    offset += size;
  }
  return boxes;
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
