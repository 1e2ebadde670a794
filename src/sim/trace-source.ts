/**
 * The simulator's `SegmentSource`: downloads replayed on a network model and scheduled on the clock.
 * With progress wanted, progress is reported at the earliest time at least `progressMinMs` after the last
 * report (the request at first) AND `progressMinBytes` after its bytes: Sabre's `min_progress_time` 50 ms /
 * `min_progress_size` 12000 bits rule, or hls.js's 100 ms abandonment tick with no byte minimum.
 * One download at a time (the loop's way); no closure is created per download.
 *
 * Two options model what a browser does around each download (both off by default, which is Sabre's and
 * Pensieve's model; bench/fidelity.ts measures them from the shaping server's log, docs/fidelity.md):
 * - `requestOverheadMs`: the time between the session issuing a request and the request reaching the link
 *   (fetch dispatch, loopback, the server's handling, and the end of the previous response reaching the
 *   page). The link starts the download that much later; the sample's `startMs` is the request time, so
 *   the download time includes it, as the browser's does.
 * - `initSegmentBytes`: per rendition, the size of its init segment. The first request at a rendition first
 *   downloads that init segment (its own request, with its own overhead; no progress reported, not part of
 *   the sample), then the media segment, as the player fetches an init segment before the first segment of
 *   each rendition and keeps it. A rendition whose entry is missing or not a number > 0 has none.
 * - `playlistBytes`: per rendition, the size of a media playlist fetched before the first request at that
 *   rendition (its own request, with its own overhead; no progress, not in the sample; before the init
 *   segment), as the player loads a variant's playlist the first time the session requests one of its
 *   segments (src/player/lazy-playlists.ts). A rendition whose entry is missing or 0 has none (its playlist
 *   was loaded at startup).
 */
import type { Clock } from '../core/clock.js';
import { AbrkitError, invalidArgument } from '../core/errors.js';
import type { DownloadSample } from '../core/types.js';
import type { LoadCallbacks, LoadHandle, SegmentRequest, SegmentSource } from '../session/types.js';
import { PACE_MIN_TRANSFER_MS } from './network/types.js';
import type { NetworkModel, ProgressWalk, TransferPlan } from './network/types.js';

/**
 * Virtual time a simulated session may take beyond its video's duration before it is ended with
 * `SIM_TIME_LIMIT`: 24 hours of stall, waits and downloads. Every trace and video the readers accept either
 * finishes within it or gets that typed error; the network models bound their walks, so reaching it costs
 * little CPU.
 */
export const SIM_EXTRA_VIRTUAL_MS = 24 * 3600 * 1000;

/** The default virtual-time limit of a session: the video's duration plus {@link SIM_EXTRA_VIRTUAL_MS}. */
export function defaultVirtualTimeLimitMs(video: {
  readonly segmentDurationMs: number;
  readonly segmentSizesBytes: readonly unknown[];
  readonly playableSegmentCount?: number;
}): number {
  const segments = video.playableSegmentCount ?? video.segmentSizesBytes.length;
  return segments * video.segmentDurationMs + SIM_EXTRA_VIRTUAL_MS;
}

/**
 * The typed error of a session that passed its virtual-time limit, naming the trace and the segment in
 * flight (or the segments done, when none is).
 */
export function timeLimitError(
  traceName: string,
  network: string,
  limitMs: number,
  inFlight: SegmentInFlight | null,
  segmentsDone: number,
): AbrkitError {
  const hours = (limitMs / 3_600_000).toFixed(limitMs % 3_600_000 === 0 ? 0 : 2);
  const what =
    inFlight === null
      ? `after ${segmentsDone} segments, nothing downloading`
      : `segment ${inFlight.segmentIndex} at rendition ${inFlight.renditionIndex} (${inFlight.sizeBytes * 8} bits, ` +
        `requested at ${(inFlight.requestMs / 1000).toFixed(3)} s) was still downloading`;
  return new AbrkitError(
    'trace',
    'SIM_TIME_LIMIT',
    `the session on the ${network} network did not finish within its limit of ${hours} h of virtual time ` +
      `(the video's duration + 24 h): ${what}; the trace's bandwidth or latency is too poor for this video`,
    {
      data: {
        source: traceName,
        limitMs,
        ...(inFlight === null
          ? { segmentsDone }
          : { segment: inFlight.segmentIndex, rendition: inFlight.renditionIndex }),
      },
    },
  );
}

/** The download a {@link TraceSource} has in flight. */
export interface SegmentInFlight {
  readonly segmentIndex: number;
  readonly renditionIndex: number;
  readonly sizeBytes: number;
  readonly requestMs: number;
}

export interface TraceSourceOptions {
  /** Default 50 ms (Sabre). */
  readonly progressMinMs?: number;
  /** Default 1500 bytes (Sabre's 12000 bits). */
  readonly progressMinBytes?: number;
  /** Time from a request to its start on the link, ms (default 0). See the file comment. */
  readonly requestOverheadMs?: number;
  /** Init segment size per rendition, bytes (default none). See the file comment. */
  readonly initSegmentBytes?: readonly number[];
  /**
   * Fetch a rendition's init segment together with its first media segment (the player since issue 19)
   * instead of before it: one transfer of both, whose bytes count in the progress and the sample, as the
   * player counts them. Default false.
   */
  readonly initWithMedia?: boolean;
  /** Playlist size per rendition, fetched before its first request, bytes (default none). See the file comment. */
  readonly playlistBytes?: readonly number[];
}

/** A clock that sets a timer at an exact time (`VirtualClock.setTimerAt`). */
interface ExactTimerClock extends Clock {
  setTimerAt(callback: () => void, dueMs: number): () => void;
}

/** Skipped progress points replayed per timer at most (bounds the work between two timers). */
const SKIP_CHUNK = 1024;

export class TraceSource implements SegmentSource, LoadHandle {
  private readonly minMs: number;
  private readonly minBytes: number;
  private readonly overheadMs: number;
  private readonly initBytes: readonly number[];
  private readonly initWithMedia: boolean;
  private readonly playlistBytes: readonly number[];
  /** Renditions whose init segment was downloaded. */
  private readonly initDone: boolean[] = [];
  /** Renditions whose playlist was downloaded. */
  private readonly playlistDone: boolean[] = [];
  private readonly onTimer: () => void;
  // the download in flight
  private plan: TransferPlan | null = null;
  private callbacks: LoadCallbacks | null = null;
  private sizeBytes = 0;
  private cancel: (() => void) | null = null;
  private progressAtMs = 0;
  private lastMs = 0;
  private lastBytes = 0;
  private progressDue = false;
  /** The timer due is a skipped progress point (a chunk of them ends there): replay, then schedule on. */
  private quietDue = false;
  /** Progress points before this time are skipped (`skipProgressUntil`), until the next reported one. */
  private skipUntilMs = Number.NEGATIVE_INFINITY;
  /** And the points on pace for this time (`skipProgressUntil`; NaN: none). */
  private skipPaceByMs = Number.NaN;
  /** Times of the progress points skipped since the last callback, replayed with `onProgressSkipped`. */
  private readonly skippedMs: number[] = [];
  private skippedCount = 0;
  /**
   * The plan in flight is a download before `preRendition`'s media segment: its playlist (`prePlaylist`) or
   * its init segment.
   */
  private preRendition = -1;
  private prePlaylist = false;
  private requestStartMs = 0;
  private wantProgress = false;
  private segmentIndex = -1;
  private renditionIndex = -1;

  /** Reused state of `TransferPlan.walkProgress`. */
  private readonly walk: ProgressWalk = {
    lastMs: 0,
    lastBytes: 0,
    nextMs: 0,
    clockMs: 0,
    count: 0,
    full: false,
    untilMs: 0,
    paceByMs: Number.NaN,
    maxCount: SKIP_CHUNK,
    minMs: 0,
    minBytes: 0,
  };

  /** The clock, when it can set a timer at an exact time (the virtual clock): needed to skip progress. */
  private readonly exactClock: ExactTimerClock | null;

  constructor(
    private readonly clock: Clock,
    private readonly network: NetworkModel,
    options: TraceSourceOptions = {},
  ) {
    this.exactClock = 'setTimerAt' in clock ? (clock as ExactTimerClock) : null;
    this.minMs = options.progressMinMs ?? 50;
    this.minBytes = options.progressMinBytes ?? 1500;
    if (!(this.minMs > 0) && !(this.minBytes > 0)) {
      throw new AbrkitError('config', 'PROGRESS_NEVER_ENDS', 'progressMinMs or progressMinBytes must be > 0');
    }
    const overheadMs = options.requestOverheadMs ?? 0;
    if (!(overheadMs >= 0) || !Number.isFinite(overheadMs)) {
      throw invalidArgument('requestOverheadMs', `must be a finite number >= 0, got ${String(overheadMs)}`);
    }
    this.overheadMs = overheadMs;
    this.initBytes = options.initSegmentBytes ?? [];
    this.initWithMedia = options.initWithMedia ?? false;
    this.playlistBytes = options.playlistBytes ?? [];
    for (const [name, list] of [
      ['initSegmentBytes', this.initBytes],
      ['playlistBytes', this.playlistBytes],
    ] as const) {
      list.forEach((bytes, i) => {
        if (!(bytes >= 0) || !Number.isFinite(bytes)) {
          throw invalidArgument(`${name}[${i}]`, `must be a finite number >= 0, got ${String(bytes)}`);
        }
      });
    }
    this.onTimer = () => this.fire();
  }

  load(request: SegmentRequest, callbacks: LoadCallbacks, wantProgress: boolean): LoadHandle {
    const size = request.sizeBytes;
    if (size === null || !(size >= 0)) {
      throw new AbrkitError(
        'video',
        'SEGMENT_SIZE_UNKNOWN',
        `the simulator needs the size of segment ${request.segmentIndex} at rendition ${request.renditionIndex}`,
        { data: { segmentIndex: request.segmentIndex, renditionIndex: request.renditionIndex } },
      );
    }
    if (this.plan !== null)
      throw new AbrkitError('internal', 'SOURCE_BUSY', 'TraceSource downloads one segment at a time');
    const startMs = this.clock.nowMs();
    this.segmentIndex = request.segmentIndex;
    this.renditionIndex = request.renditionIndex;
    this.callbacks = callbacks;
    this.sizeBytes = size;
    this.requestStartMs = startMs;
    this.wantProgress = wantProgress;
    const r = request.renditionIndex;
    const initBytes = this.initBytes[r] ?? 0;
    if (initBytes > 0 && this.initDone[r] !== true && this.initWithMedia) {
      // requested together: both on the link at once, one latency, bytes counted together
      this.initDone[r] = true;
      this.sizeBytes = size + initBytes;
    }
    this.beginNext(startMs);
    return this;
  }

  /**
   * Starts, at `startMs` (now), the next download of the request in flight: its rendition's playlist, else its
   * init segment (fetched before the media), else the media segment.
   */
  private beginNext(startMs: number): void {
    const r = this.renditionIndex;
    const playlistBytes = this.playlistBytes[r] ?? 0;
    const initBytes = this.initBytes[r] ?? 0;
    const playlist = playlistBytes > 0 && this.playlistDone[r] !== true;
    if (playlist || (initBytes > 0 && this.initDone[r] !== true)) {
      // before the media segment: its own request, no progress, not in the sample
      this.preRendition = r;
      this.prePlaylist = playlist;
      this.plan = this.network.begin(startMs + this.overheadMs, playlist ? playlistBytes : initBytes);
      this.progressDue = false;
      this.cancel = this.clock.setTimer(this.onTimer, this.plan.endMs - startMs);
      return;
    }
    this.beginMedia(startMs);
  }

  /** The download in flight, or null. */
  inFlight(): SegmentInFlight | null {
    if (this.plan === null) return null;
    return {
      segmentIndex: this.segmentIndex,
      renditionIndex: this.renditionIndex,
      sizeBytes: this.sizeBytes,
      requestMs: this.requestStartMs,
    };
  }

  /** Starts the media segment's download, requested at `startMs` (now). */
  private beginMedia(startMs: number): void {
    this.preRendition = -1;
    this.skipUntilMs = Number.NEGATIVE_INFINITY;
    this.skipPaceByMs = Number.NaN;
    this.quietDue = false;
    this.requestStartMs = startMs;
    this.plan = this.network.begin(startMs + this.overheadMs, this.sizeBytes);
    this.lastMs = startMs;
    this.lastBytes = 0;
    if (this.wantProgress && this.sizeBytes > 0) this.schedule();
    else {
      this.progressDue = false;
      this.cancel = this.clock.setTimer(this.onTimer, this.plan.endMs - startMs);
    }
  }

  /**
   * Skips the progress points before `untilMs` (the `LoadHandle` hook; the session calls it from
   * `onProgress` when the algorithm's answer cannot change before then). They are still computed, with
   * the same arithmetic in the same order (so every later point and byte count is bit-identical), and
   * replayed through `onProgressSkipped` before the next callback; only the callback and the timer go.
   */
  skipProgressUntil(untilMs: number, onPaceByMs = Number.NaN): void {
    if (this.plan !== null && this.preRendition < 0 && this.exactClock !== null) {
      this.skipUntilMs = untilMs;
      this.skipPaceByMs = onPaceByMs;
    }
  }

  /** Whether the point `atMs` with `bytes` loaded is on pace for `skipPaceByMs` (see `ProgressWalk`). */
  private onPace(plan: TransferPlan, atMs: number, bytes: number): boolean {
    const spanMs = this.skipPaceByMs - plan.firstByteMs;
    return (
      spanMs > 0 &&
      atMs >= plan.firstByteMs + PACE_MIN_TRANSFER_MS &&
      bytes * spanMs >= plan.sizeBytes * (atMs - plan.firstByteMs)
    );
  }

  /** Next timer: a progress point, or the end (progress points before `skipUntilMs` are skipped on the way). */
  private schedule(): void {
    const plan = this.plan!;
    let atMs = Math.max(this.lastMs + this.minMs, plan.timeAtBytes(this.lastBytes + this.minBytes));
    this.quietDue = false;
    const exact = this.exactClock;
    if ((atMs < this.skipUntilMs || this.skipPaceByMs === this.skipPaceByMs) && exact !== null) {
      const endMs = plan.endMs;
      // the clock's time at each skipped timer: `now + (atMs - now)`, as setTimer would have made it
      let clockMs = this.clock.nowMs();
      if (plan.walkProgress !== undefined) {
        const w = this.walk;
        w.lastMs = this.lastMs;
        w.lastBytes = this.lastBytes;
        w.nextMs = atMs;
        w.clockMs = clockMs;
        w.count = this.skippedCount;
        w.untilMs = this.skipUntilMs;
        w.paceByMs = this.skipPaceByMs;
        w.minMs = this.minMs;
        w.minBytes = this.minBytes;
        plan.walkProgress(w, this.skippedMs);
        this.lastMs = w.lastMs;
        this.lastBytes = w.lastBytes;
        this.skippedCount = w.count;
        clockMs = w.clockMs;
        if (w.full) {
          this.quietDue = true;
          this.cancel = exact.setTimerAt(this.onTimer, clockMs);
          return;
        }
        atMs = w.nextMs;
      } else {
        const untilMs = this.skipUntilMs;
        const skipped = this.skippedMs;
        let n = this.skippedCount;
        while (atMs < endMs) {
          // a point not skipped asks loadedBytesAt again when reported: the same answer
          const bytes = plan.loadedBytesAt(atMs);
          if (!(atMs < untilMs) && !this.onPace(plan, atMs, bytes)) break;
          // what fire() does at a progress point, without the callback
          const delayMs = atMs - clockMs;
          if (delayMs > 0) clockMs += delayMs;
          this.lastMs = atMs;
          this.lastBytes = bytes;
          skipped[n++] = clockMs;
          if (n >= SKIP_CHUNK) {
            // a timer at this point replays the chunk (a time limit on the clock still stops a long download)
            this.skippedCount = n;
            this.quietDue = true;
            this.cancel = exact.setTimerAt(this.onTimer, clockMs);
            return;
          }
          atMs = Math.max(this.lastMs + this.minMs, plan.timeAtBytes(this.lastBytes + this.minBytes));
        }
        this.skippedCount = n;
      }
      this.progressDue = atMs < endMs;
      this.progressAtMs = atMs;
      const dueMs = this.progressDue ? atMs : endMs;
      const delayMs = dueMs - clockMs;
      this.cancel = exact.setTimerAt(this.onTimer, delayMs > 0 ? clockMs + delayMs : clockMs);
      return;
    }
    this.progressDue = atMs < plan.endMs;
    this.progressAtMs = atMs;
    this.cancel = this.clock.setTimer(
      this.onTimer,
      (this.progressDue ? atMs : plan.endMs) - this.clock.nowMs(),
    );
  }

  /** Replays the skipped progress points up to `nowMs` (all of them by default). */
  private replaySkipped(callbacks: LoadCallbacks, nowMs = Number.POSITIVE_INFINITY): void {
    const n = this.skippedCount;
    if (n === 0) return;
    this.skippedCount = 0;
    const skipped = this.skippedMs;
    if (callbacks.onProgressSkipped === undefined) return;
    for (let k = 0; k < n && skipped[k]! <= nowMs; k++) callbacks.onProgressSkipped(skipped[k]!);
  }

  private fire(): void {
    const plan = this.plan;
    const callbacks = this.callbacks;
    if (plan === null || callbacks === null) return;
    this.cancel = null;
    this.replaySkipped(callbacks);
    if (this.quietDue) {
      this.schedule();
      return;
    }
    if (this.preRendition >= 0) {
      // the playlist or the init segment arrived: the next request goes out now
      this.network.end(plan, plan.endMs);
      if (this.prePlaylist) this.playlistDone[this.preRendition] = true;
      else this.initDone[this.preRendition] = true;
      this.beginNext(plan.endMs);
      return;
    }
    if (!this.progressDue) {
      this.plan = null;
      this.callbacks = null;
      this.network.end(plan, plan.endMs);
      const sample: DownloadSample = {
        startMs: this.requestStartMs,
        firstByteMs: plan.firstByteMs,
        endMs: plan.endMs,
        sizeBytes: this.sizeBytes,
      };
      callbacks.onComplete(sample);
      return;
    }
    const atMs = this.progressAtMs;
    this.lastMs = atMs;
    this.lastBytes = plan.loadedBytesAt(atMs);
    this.skipUntilMs = Number.NEGATIVE_INFINITY;
    this.skipPaceByMs = Number.NaN;
    callbacks.onProgress({
      firstByteMs: atMs >= plan.firstByteMs ? plan.firstByteMs : null,
      nowMs: atMs,
      loadedBytes: this.lastBytes,
      totalBytes: this.sizeBytes,
    });
    if (this.plan === plan) this.schedule(); // not aborted by the progress callback
  }

  /** Aborts the download in flight (the `LoadHandle` returned by `load`). */
  abort(): DownloadSample {
    const plan = this.plan;
    if (plan === null) throw new AbrkitError('internal', 'ABORT_AFTER_END', 'no download in flight');
    const nowMs = this.clock.nowMs();
    this.cancel?.();
    this.cancel = null;
    if (this.callbacks !== null) this.replaySkipped(this.callbacks, nowMs);
    this.skippedCount = 0;
    this.plan = null;
    this.callbacks = null;
    // a request still on its way to the link (overhead) ends where it would have started
    this.network.end(plan, Math.max(nowMs, plan.startMs));
    const inInit = this.preRendition >= 0;
    this.preRendition = -1;
    return {
      startMs: this.requestStartMs,
      firstByteMs: inInit ? nowMs : Math.min(plan.firstByteMs, nowMs),
      endMs: nowMs,
      sizeBytes: inInit ? 0 : plan.loadedBytesAt(nowMs),
      aborted: true,
    };
  }
}
