/**
 * The presentation of an MPD with its SegmentBase Representations' segments read from their `sidx`: the
 * index ranges are fetched (in parallel) and read by `readIndex` (mp4box, src/media/sidx.ts), which the
 * Node ladder reader passes directly and the player imports lazily. Pure: the I/O is passed in.
 */
import type { DashManifest, DashRepresentation, DashSegmentList } from './dash-model.js';
import { presentationFromMpd, segmentsFromSidx } from './dash-presentation.js';
import type { SegmentIndexBox } from './dash-presentation.js';
import type { ByteRange, Presentation } from './model.js';

export type FetchRange = (uri: string, byteRange: ByteRange) => Promise<Uint8Array>;
export type ReadSegmentIndex = (
  bytes: Uint8Array,
  offsetBytes: number,
  source: string,
) => SegmentIndexBox | Promise<SegmentIndexBox>;

/** True when some Representation lists its segments in a sidx (SegmentBase). */
export function needsSegmentIndex(manifest: DashManifest): boolean {
  return manifest.representations.some((r) => r.segments.kind === 'index');
}

/** {@link presentationFromMpd} after reading every SegmentBase index of a video or audio Representation. */
export async function resolveDashPresentation(
  manifest: DashManifest,
  fetchRange: FetchRange,
  readIndex: ReadSegmentIndex,
): Promise<Presentation> {
  const resolved = new Map<DashRepresentation, DashSegmentList>();
  await Promise.all(
    manifest.representations.map(async (rep) => {
      const segments = rep.segments;
      if (segments.kind !== 'index' || (rep.contentType !== 'video' && rep.contentType !== 'audio')) return;
      const bytes = await fetchRange(segments.mediaUri, segments.indexRange);
      const sidx = await readIndex(bytes, segments.indexRange.offsetBytes, segments.mediaUri);
      resolved.set(rep, segmentsFromSidx(segments, sidx));
    }),
  );
  return presentationFromMpd(manifest, resolved);
}
