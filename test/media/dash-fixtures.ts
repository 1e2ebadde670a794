// Builders for DASH tests: a sidx box written by hand (ISO/IEC 14496-12 §8.16.3, version 0) and a single-file
// Representation (init + sidx + the fixture ladder's own segments) for SegmentBase.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LADDER = join(import.meta.dirname, '..', '..', 'fixtures', 'ladder');

/** A version-0 sidx box listing `references` (sizes in bytes, durations in ticks of `timescale`). */
export function sidxBox(
  timescale: number,
  references: readonly { sizeBytes: number; durationTicks: number; referenceType?: number }[],
  earliestPresentationTime = 0,
  firstOffsetBytes = 0,
): Uint8Array {
  const size = 32 + 12 * references.length;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, size);
  bytes.set([0x73, 0x69, 0x64, 0x78], 4); // 'sidx'
  view.setUint32(8, 0); // version 0, flags 0
  view.setUint32(12, 1); // reference_ID
  view.setUint32(16, timescale);
  view.setUint32(20, earliestPresentationTime);
  view.setUint32(24, firstOffsetBytes);
  view.setUint16(28, 0);
  view.setUint16(30, references.length);
  references.forEach((r, i) => {
    const at = 32 + 12 * i;
    view.setUint32(at, (((r.referenceType ?? 0) & 1) << 31) | r.sizeBytes);
    view.setUint32(at + 4, r.durationTicks);
    view.setUint32(at + 8, 0x90000000); // starts_with_SAP 1, SAP_type 1
  });
  return bytes;
}

/**
 * Writes `dir/<name>.mp4` = the ladder's `<name>/init.mp4` + a sidx + its segments, and returns the byte
 * ranges an MPD's SegmentBase gives for it.
 */
export function writeSingleFile(
  dir: string,
  name: string,
  timescale: number,
  segmentTicks: readonly number[],
): { initRange: string; indexRange: string; segmentSizes: number[]; initSize: number } {
  const init = new Uint8Array(readFileSync(join(LADDER, name, 'init.mp4')));
  const segments = segmentTicks.map(
    (_, i) => new Uint8Array(readFileSync(join(LADDER, name, `seg_${String(i).padStart(5, '0')}.m4s`))),
  );
  const sidx = sidxBox(
    timescale,
    segments.map((s, i) => ({ sizeBytes: s.byteLength, durationTicks: segmentTicks[i] ?? 0 })),
  );
  const total = init.byteLength + sidx.byteLength + segments.reduce((n, s) => n + s.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of [init, sidx, ...segments]) {
    out.set(part, at);
    at += part.byteLength;
  }
  writeFileSync(join(dir, `${name}.mp4`), out);
  return {
    initRange: `0-${init.byteLength - 1}`,
    indexRange: `${init.byteLength}-${init.byteLength + sidx.byteLength - 1}`,
    segmentSizes: segments.map((s) => s.byteLength),
    initSize: init.byteLength,
  };
}
