import type { Rendition } from '../core/types.js';

/**
 * A video as the ABR logic sees it: segment duration, the rendition ladder, and every segment's size at
 * every rendition. Read from Sabre movie JSON, Pensieve video_size_N folders, or (src/media) an HLS ladder.
 */
export interface VideoDescription {
  readonly name: string;
  readonly segmentDurationMs: number;
  /** Ascending bitrates; `renditions[i].index === i`. */
  readonly renditions: readonly Rendition[];
  /** `segmentSizesBytes[segment][rendition]`. Every row has one entry per rendition. */
  readonly segmentSizesBytes: readonly (readonly number[])[];
  /**
   * Segments a session plays; defaults to all rows. Pensieve's envivio lists 49 rows and plays 48
   * (its robustMPC reads one row past the end, see ANCHORS.md).
   */
  readonly playableSegmentCount?: number;
}

export function playableSegments(video: VideoDescription): number {
  return video.playableSegmentCount ?? video.segmentSizesBytes.length;
}
