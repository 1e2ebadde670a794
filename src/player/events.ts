/**
 * The player's typed events (one map, STYLE.md #8): `player.on(name, fn)` returns an unsubscribe function,
 * and each has an rxjs Observable twin (`state$`, `decision$`, ...).
 */
import type { AbrkitError } from '../core/errors.js';
import type { SegmentRecord } from '../core/types.js';
import type { DownloadRecord } from './fetch-source.js';
import type { PlayerQoe } from './recorder.js';

/**
 * `loading`: a `load()` or a seek until media plays; `playing` / `stalled` (the buffer ran dry) / `paused` (by
 * the app, the user or the browser, e.g. the element left the document); `ended`: the presentation's last
 * segment played; `error`: a fatal error, until the next `load()` or `destroy()` (`idle`).
 */
export type PlayerState = 'idle' | 'loading' | 'playing' | 'stalled' | 'paused' | 'ended' | 'error';

/** A change the app, the user or the browser made to the element (pause, play, rate, in or out of the document). */
export interface PlayerPlayback {
  readonly reason: 'pause' | 'play' | 'ratechange';
  readonly paused: boolean;
  readonly playbackRate: number;
  /** The element is in a document (a paused element out of one downloads nothing). */
  readonly connected: boolean;
}

/** A rendition set aside for the rest of the session: the ABR is not offered it any more. */
export interface PlayerExclusion {
  /** Index in the player's ladder, or null for a variant left out at `load()` (its playlist failed). */
  readonly renditionIndex: number | null;
  /** The URL that failed (the init segment, or the media playlist). */
  readonly url: string;
  readonly error: AbrkitError;
}

/** One ABR decision (segment indices are the presentation's, 0-based). */
export interface PlayerDecision {
  readonly segmentIndex: number;
  readonly renditionIndex: number;
  readonly bitrateKbps: number;
  readonly reason: string;
  /** True for the forced first rendition (`startRendition`). */
  readonly forced: boolean;
  readonly delayMs: number;
  readonly nowMs: number;
  readonly bufferLevelMs: number;
  /** The throughput estimate the decision used, kbps. */
  readonly throughputKbps: number;
}

export interface PlayerBuffer {
  readonly nowMs: number;
  /** Playhead, s. */
  readonly positionS: number;
  /** Media ahead of the playhead (appended or queued), ms. */
  readonly bufferLevelMs: number;
  /** Buffered ranges of the video SourceBuffer, s. */
  readonly rangesS: readonly (readonly [number, number])[];
}

/** A recoverable failure: the request is retried (same rendition after a backoff, or a fallback rendition). */
export interface PlayerRetry {
  readonly error: AbrkitError;
  readonly segmentIndex: number;
  readonly renditionIndex: number;
  readonly attempt: number;
  readonly delayMs: number;
  readonly nextRenditionIndex: number;
}

/**
 * A recoverable failure of a request `load()` makes (a playlist, or the head of a segment read to find its
 * codecs): the same URL is fetched again after `delayMs` (backoff with jitter, the `retry` option).
 */
export interface PlayerLoadRetry {
  readonly error: AbrkitError;
  readonly url: string;
  /** 1 for the first retry. */
  readonly attempt: number;
  readonly delayMs: number;
}

/**
 * How far behind live the playhead is: one `latency` event twice a second while a live stream plays.
 * Positions are on the element's timeline (s).
 */
export interface PlayerLatency {
  readonly nowMs: number;
  /** Playhead, s. */
  readonly positionS: number;
  /** End of the last segment listed (the playing rendition's playlist), s. */
  readonly liveEdgeS: number;
  /**
   * Wall clock minus the EXT-X-PROGRAM-DATE-TIME of what plays, ms; without dates, the distance to the live
   * edge as it moved on since the last reload.
   */
  readonly latencyMs: number;
  readonly targetLatencyMs: number;
  /** EXT-X-PROGRAM-DATE-TIME at the playhead, epoch ms, or null when the playlists carry none. */
  readonly programDateTimeMs: number | null;
  readonly playbackRate: number;
}

export interface PlayerEvents {
  state: PlayerState;
  decision: PlayerDecision;
  /** Every HTTP download of a segment (video, audio, init): URL, bytes, start, first byte, end, aborted. */
  download: DownloadRecord;
  buffer: PlayerBuffer;
  /** A fatal error: nothing can play any more (buffered media plays out). */
  error: AbrkitError;
  retry: PlayerRetry;
  /** A recoverable failure while loading the presentation (playlists): the request is retried. */
  loadRetry: PlayerLoadRetry;
  /** A rendition excluded for the session (its init segment or its playlist failed beyond its retries). */
  exclusion: PlayerExclusion;
  /** The element was paused, played, changed rate. */
  playback: PlayerPlayback;
  /** One per segment: the per-segment log line (simulator JSONL schema). */
  segment: SegmentRecord;
  qoe: PlayerQoe;
  /** Live streams only: latency, live edge and target, twice a second (src/player/live). */
  latency: PlayerLatency;
}
