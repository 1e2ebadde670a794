/**
 * Reads the Segment Index box (`sidx`, ISO/IEC 14496-12 §8.16.3) that a DASH SegmentBase@indexRange points
 * to, with mp4box (GPAC's MP4Box.js): the segments of a single-file Representation. Bytes in, the box out;
 * no I/O, so the Node ladder reader and the player's lazy DASH chunk share it.
 */
import { createFile, MP4BoxBuffer } from 'mp4box';
import { AbrkitError } from '../core/errors.js';
import type { SegmentIndexBox } from '../manifest/dash-presentation.js';
import { listTopLevelBoxes } from './boxes.js';

interface Mp4boxSidx {
  readonly type: string;
  readonly timescale: number;
  readonly earliest_presentation_time: number;
  readonly first_offset: number;
  readonly references: readonly {
    readonly reference_type: number;
    readonly referenced_size: number;
    readonly subsegment_duration: number;
  }[];
}

/**
 * The first `sidx` in `bytes`, the bytes of SegmentBase@indexRange that start at `offsetBytes` of the media
 * file (the offsets it lists count from the end of the box). Throws `AbrkitError('media', code)` naming
 * `source`: `SEGMENT_TRUNCATED` (a box runs past the range) or `MEDIA_MALFORMED` (no sidx, or mp4box cannot
 * read it).
 */
export function readSegmentIndex(bytes: Uint8Array, offsetBytes: number, source: string): SegmentIndexBox {
  const boxes = listTopLevelBoxes(bytes, source);
  const header = boxes.find((b) => b.type === 'sidx');
  if (!header) {
    throw new AbrkitError(
      'media',
      'MEDIA_MALFORMED',
      `no 'sidx' box in the index range (boxes [${boxes.map((b) => b.type).join(', ')}])`,
      { data: { source, offsetBytes } },
    );
  }
  const copy = bytes.slice(header.offsetBytes, header.offsetBytes + header.sizeBytes);
  const file = createFile();
  let parsed: Mp4boxSidx | undefined;
  try {
    file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(copy.buffer, 0));
    file.flush();
    parsed = (file.boxes as unknown as readonly Mp4boxSidx[]).find((b) => b.type === 'sidx');
  } catch (cause) {
    throw new AbrkitError('media', 'MEDIA_MALFORMED', `mp4box cannot read the sidx: ${String(cause)}`, {
      data: { source, offsetBytes },
      cause,
    });
  }
  if (!parsed || typeof parsed.references?.length !== 'number') {
    throw new AbrkitError('media', 'MEDIA_MALFORMED', 'mp4box cannot read the sidx', {
      data: { source, offsetBytes },
    });
  }
  return {
    timescale: parsed.timescale,
    earliestPresentationTime: parsed.earliest_presentation_time,
    firstOffsetBytes: parsed.first_offset,
    anchorOffsetBytes: offsetBytes + header.offsetBytes + header.sizeBytes,
    references: parsed.references.map((r) => ({
      referenceType: r.reference_type,
      referencedSizeBytes: r.referenced_size,
      subsegmentDuration: r.subsegment_duration,
    })),
  };
}
