/**
 * The interfaces the streaming-session loop is written against (DESIGN.md "One core, two runtimes"):
 * a `SegmentSource` that downloads, a `MediaSink` that buffers and plays, and the core `Clock`. The
 * simulator passes a trace network model, a buffer model and a virtual clock; the player passes fetch,
 * MSE and the wall clock. Everything is callbacks, no Promises, so the simulator runs at CPU speed.
 */
import type { AbrkitError } from '../core/errors.js';
import type { DownloadSample, Rendition, SegmentRecord } from '../core/types.js';

/** What the loop asks a `SegmentSource` to fetch. */
export interface SegmentRequest {
  readonly segmentIndex: number;
  readonly renditionIndex: number;
  /** Size from the segment-size table when known, else null (the source learns it from the response). */
  readonly sizeBytes: number | null;
  readonly durationMs: number;
  /** 1 for the first try of this (segment, rendition), 2 for the first retry, ... */
  readonly attempt: number;
}

/** Progress of a download in flight, as a source reports it. */
export interface LoadProgress {
  /** null until the first byte arrived. */
  readonly firstByteMs: number | null;
  readonly nowMs: number;
  readonly loadedBytes: number;
  /** null when unknown (no Content-Length, no size table). */
  readonly totalBytes: number | null;
}

/**
 * The callbacks a source calls for one download. A source must never call them before `load` returned,
 * must call exactly one of `onComplete` / `onError` (unless aborted), and none after `abort()`.
 */
export interface LoadCallbacks {
  onProgress(progress: LoadProgress): void;
  /**
   * A progress point at `atMs` that a source skipped after `skipProgressUntil` (the simulator's): called,
   * in time order and by the time the next callback fires, instead of `onProgress`.
   */
  onProgressSkipped?(atMs: number): void;
  onComplete(sample: DownloadSample): void;
  onError(error: AbrkitError): void;
}

/** A download in flight. */
export interface LoadHandle {
  /** Stops the download now and returns what arrived (`aborted: true`). No callback fires afterwards. */
  abort(): DownloadSample;
  /**
   * Optional (the simulator's source): report the progress points before `untilMs` with
   * `onProgressSkipped` instead of `onProgress`, from now until the next `onProgress`. Called from inside
   * `onProgress` when the algorithm said its answer cannot change before then. With `onPaceByMs` (not NaN),
   * also the later points at which the download is on pace to end by then: at least 1 ms after its first
   * byte and `loadedBytes * (onPaceByMs - firstByteMs) >= totalBytes * (now - firstByteMs)`
   * (`AbrAlgorithm.abandonQuietOnPaceMs`).
   */
  skipProgressUntil?(untilMs: number, onPaceByMs?: number): void;
}

/** Downloads segments (sim: a trace network model; player: fetch). */
export interface SegmentSource {
  /**
   * Starts a download. `wantProgress` is false when nobody listens to progress (the algorithm has no
   * `shouldAbandon`), so a simulated source can skip the intermediate events.
   */
  load(request: SegmentRequest, callbacks: LoadCallbacks, wantProgress: boolean): LoadHandle;
}

/** What the loop hands the sink: one whole segment. */
export interface AppendedSegment {
  readonly segmentIndex: number;
  readonly renditionIndex: number;
  readonly durationMs: number;
  readonly sizeBytes: number;
}

/**
 * Buffers and plays (sim: a buffer model on the virtual clock; player: MSE and the video element).
 * Levels are read at the time of the call, so a sink on a clock computes them lazily.
 */
export interface MediaSink {
  /** Media buffered ahead of the playhead now, ms. */
  bufferLevelMs(): number;
  append(segment: AppendedSegment): void;
  /** Total stall (rebuffer) time so far, ms; startup is not a stall unless the sink counts it as one. */
  stallMs(): number;
  /** Stalls so far (transitions from playing to starved). */
  stallCount(): number;
  /** True once playback has started. */
  started(): boolean;
  playbackRate(): number;
  /** Live catch-up: play at this rate from now on (optional; without it the session never changes the rate). */
  setPlaybackRate?(rate: number): void;
  /** No more segments will come: play out what is buffered. */
  endOfStream(): void;
  /**
   * Optional (a sink on a virtual clock): replay a `bufferLevelMs()` read at `atMs` ≤ now, for a progress
   * point the source skipped, so the lazily computed level stays bit-identical to polling.
   */
  settleAt?(atMs: number): void;
}

/**
 * When the loop waits for buffer room, documented after the two research simulators:
 * - `sabre`: before choosing, wait until `buffer + segmentDuration <= bufferTarget` (Sabre's "full
 *   buffer delay"; the algorithm hears about it through `onIdle`).
 * - `pensieve`: never before choosing; after each download, if `buffer > bufferTarget`, sleep
 *   `ceil((buffer - bufferTarget) / 500) * 500` ms (fixed_env.py's DRAIN_BUFFER_SLEEP_TIME steps).
 */
export type WaitPolicyName = 'sabre' | 'pensieve';

/** What the QoE term of one segment is computed from (the sim injects QoE_lin/log/hd, see src/qoe). */
export interface QoeSegmentInfo {
  readonly segmentIndex: number;
  readonly renditionIndex: number;
  readonly bitrateKbps: number;
  /** Rendition of the previous segment, null for the first. */
  readonly lastRenditionIndex: number | null;
  readonly lastBitrateKbps: number | null;
  /** Stall caused while this segment was awaited, ms. */
  readonly rebufferMs: number;
  readonly renditions: readonly Rendition[];
  /** Live only: the latency (live edge − playhead) when the segment arrived, ms. */
  readonly latencyMs?: number;
  /** Live only: the playback rate when the segment arrived. */
  readonly playbackRate?: number;
  /** Live only: the segment's duration, ms. */
  readonly durationMs?: number;
}

/** One segment's QoE term. */
export type QoeTermFunction = (info: QoeSegmentInfo) => number;

/**
 * The retry hook for source errors (the player's; the simulator has none). Return how long to wait and
 * which rendition to fetch next (a fallback), or null to give up and end the session with the error.
 */
export type RetryHook = (
  error: AbrkitError,
  request: SegmentRequest,
) => { readonly delayMs: number; readonly renditionIndex?: number } | null;

/** What happens after `shouldAbandon` returned a lower rendition. */
export type AbandonRefetch =
  /** fetch the segment again at the returned rendition (DESIGN.md). */
  | 'returned'
  /**
   * ask the algorithm's `choose` again for the same segment: what Sabre's sabre.py actually does (its
   * `abandoned_to_quality` is never set, so the abandon target only reaches the algorithm's own state).
   */
  | 'choose';

/** Typed events of a session (through the core `Emitter`). */
export interface SessionEvents {
  decision: {
    readonly segmentIndex: number;
    readonly renditionIndex: number;
    readonly delayMs: number;
    readonly reason: string;
    /** True when the rendition was imposed (forced first rendition), not chosen by the algorithm. */
    readonly forced: boolean;
    readonly nowMs: number;
    readonly bufferLevelMs: number;
    readonly throughputKbps: number;
  };
  /** Every finished or abandoned download. */
  download: {
    readonly segmentIndex: number;
    readonly renditionIndex: number;
    readonly sample: DownloadSample;
    /** The rendition the algorithm abandoned to, null when the download completed. */
    readonly abandonedTo: number | null;
  };
  /** One per segment, the per-segment log line. */
  segment: SegmentRecord;
  /** A stall that the arrival of `segmentIndex` ended. */
  stall: { readonly segmentIndex: number; readonly durationMs: number; readonly endMs: number };
  /** The loop waited for buffer room. */
  idle: { readonly nowMs: number; readonly durationMs: number };
  error: { readonly error: AbrkitError; readonly request: SegmentRequest; readonly willRetry: boolean };
  end: {
    readonly nowMs: number;
    readonly records: readonly SegmentRecord[];
    readonly stallMs: number;
    readonly stallCount: number;
    /** The fatal error that ended the session early, if any. */
    readonly error: AbrkitError | null;
  };
}
