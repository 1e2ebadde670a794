/**
 * The adapter's typed events: the same `decision` as the player's (`PlayerDecision`, src/player/events.ts)
 * plus the hls.js level it maps to, so an app logs decisions the same way whichever shell runs the algorithm.
 */
import type { AbrkitError } from '../core/errors.js';
import type { DownloadSample } from '../core/types.js';

/** One ABR decision. Segment indices are the playlist's, 0-based (`frag.sn - startSN`). */
export interface HlsAbrDecision {
  readonly segmentIndex: number;
  /** abrkit rendition index (ascending bitrate). */
  readonly renditionIndex: number;
  /** The hls.js level index it maps to (`hls.levels[level]`). */
  readonly level: number;
  readonly bitrateKbps: number;
  readonly reason: string;
  /** True when hls.js or the app forced the level (`hls.nextAutoLevel = n`, an error switch). */
  readonly forced: boolean;
  /** The algorithm's requested pause before the download, ms. hls.js cannot wait: reported, not honoured. */
  readonly delayMs: number;
  readonly nowMs: number;
  readonly bufferLevelMs: number;
  /** The throughput estimate the decision used, kbps. */
  readonly throughputKbps: number;
}

/** An emergency switch: the fragment in flight was aborted and is fetched again lower. */
export interface HlsAbrAbandon {
  readonly segmentIndex: number;
  readonly fromRenditionIndex: number;
  readonly toRenditionIndex: number;
  readonly toLevel: number;
  readonly nowMs: number;
  readonly loadedBytes: number;
  readonly totalBytes: number | null;
  readonly bufferLevelMs: number;
}

/** One download fed to the estimators. */
export interface HlsAbrSample {
  readonly segmentIndex: number;
  readonly renditionIndex: number;
  readonly sample: DownloadSample;
  /** Estimates after the sample. */
  readonly throughputKbps: number;
  readonly latencyMs: number | null;
}

export interface HlsAbrEvents {
  decision: HlsAbrDecision;
  abandon: HlsAbrAbandon;
  sample: HlsAbrSample;
  /** The algorithm broke its contract (a rendition out of range): the adapter used the lowest allowed one. */
  error: AbrkitError;
}
