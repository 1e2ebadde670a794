/**
 * The adapter's typed events: the same `decision` as the player's (`PlayerDecision`, src/player/events.ts)
 * plus the hls.js level it maps to, so an app logs decisions the same way whichever shell runs the algorithm.
 */
import type { AbrkitError } from '../core/errors.js';
import type { DownloadSample } from '../core/types.js';
import type { PlayerDecision } from '../player/events.js';

/**
 * One ABR decision: the player's {@link PlayerDecision} (segment indices are the playlist's, 0-based,
 * `frag.sn - startSN`; `renditionIndex` is abrkit's, ascending bitrate; `forced` is true when hls.js or the
 * app forced the level, `hls.nextAutoLevel = n` or an error switch; `delayMs`, the algorithm's requested
 * pause, is reported, not honoured: hls.js cannot wait) plus the hls.js level it maps to.
 */
export interface HlsAbrDecision extends PlayerDecision {
  /** The hls.js level index it maps to (`hls.levels[level]`). */
  readonly level: number;
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
