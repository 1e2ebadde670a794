/**
 * The streaming-session loop: one loop for the simulator and the player. For each segment it waits for
 * buffer room (a wait policy), builds the `AbrContext`, asks the algorithm, honours its delay, downloads
 * (checking `shouldAbandon` on progress and re-fetching lower), appends to the sink, feeds the estimators
 * and the algorithm, and logs a `SegmentRecord`. Callbacks only, no Promises: on a virtual clock a
 * whole session runs synchronously inside `clock.run()`.
 */
import type { AbrAlgorithm, AbrContext } from '../abr/types.js';
import type { Clock } from '../core/clock.js';
import { AbrkitError, invalidArgument } from '../core/errors.js';
import { Emitter } from '../core/events.js';
import type { DownloadProgress, DownloadSample, Rendition, SegmentRecord } from '../core/types.js';
import type { LatencyEstimator, ThroughputEstimate, ThroughputEstimator } from '../estimators/types.js';
import type { VideoDescription } from '../videos/model.js';
import { playableSegments } from '../videos/model.js';
import {
  catchUpOptions,
  catchUpPlaybackRate,
  type CatchUpOptions,
  type LiveState,
  type SessionLive,
} from './live.js';
import type {
  AbandonRefetch,
  LoadCallbacks,
  LoadHandle,
  LoadProgress,
  MediaSink,
  QoeTermFunction,
  RetryHook,
  SegmentRequest,
  SegmentSource,
  SessionEvents,
  WaitPolicyName,
} from './types.js';
import { sleepAfterDownloadMs, waitBeforeChooseMs } from './wait-policy.js';

/** The media the session plays, as the loop needs it (from a `VideoDescription` or a manifest). */
export interface SessionMedia {
  readonly segmentDurationMs: number;
  /** Ascending by bitrate, `renditions[i].index === i`. */
  readonly renditions: readonly Rendition[];
  /** Segments to play. */
  readonly segmentCount: number;
  /** Size of any listed segment (possibly beyond `segmentCount`, for lookahead), null when unknown. */
  segmentSizeBytes(segmentIndex: number, renditionIndex: number): number | null;
}

/** The `SessionMedia` of a segment-size table. */
export function mediaFromVideo(video: VideoDescription): SessionMedia {
  const rows = video.segmentSizesBytes;
  return {
    segmentDurationMs: video.segmentDurationMs,
    renditions: video.renditions,
    segmentCount: playableSegments(video),
    segmentSizeBytes: (segmentIndex, renditionIndex) => rows[segmentIndex]?.[renditionIndex] ?? null,
  };
}

export interface SessionOptions {
  readonly clock: Clock;
  readonly source: SegmentSource;
  readonly sink: MediaSink;
  readonly algorithm: AbrAlgorithm;
  readonly media: SessionMedia;
  readonly throughputEstimator: ThroughputEstimator;
  readonly latencyEstimator?: LatencyEstimator;
  /** This segment's QoE term, written into `SegmentRecord.qoe`. */
  readonly qoeTerm: QoeTermFunction;
  /** The buffer the session keeps (max buffer), ms. */
  readonly bufferTargetMs: number;
  /** Default `'sabre'` (wait before choosing). */
  readonly waitPolicy?: WaitPolicyName;
  /** Fetch segment 0 at this rendition without asking the algorithm (Pensieve: 1). */
  readonly forcedFirstRendition?: number | null;
  /** Cap on renditions (player size, user limit); decisions above it are clamped. Default: the top one. */
  readonly maxRenditionIndex?: number;
  /** Default `'returned'`. */
  readonly abandonRefetch?: AbandonRefetch;
  /**
   * Check `shouldAbandon` on download progress. Default true; the Pensieve model turns it off because
   * fixed_env.py never abandons a chunk (and skipping progress makes its sessions several times faster).
   */
  readonly abandonment?: boolean;
  /** Feed aborted downloads to the estimators too (Sabre and dash.js do not). Default false. */
  readonly sampleAbortedDownloads?: boolean;
  /** Source errors: retry or give up. Without it every error ends the session. */
  readonly onError?: RetryHook;
  /** Where events go; one is created when omitted. */
  readonly events?: Emitter<SessionEvents>;
  /**
   * A live stream (live.ts): each segment is fetched once available, the buffer is bounded by the latency
   * target (the buffer target becomes min(bufferTargetMs, targetLatencyMs + segment duration): no fetch
   * starts above the latency target), the playback rate catches up through `sink.setPlaybackRate`, and
   * contexts and records carry the latency.
   * Absent: VOD, exactly as before.
   */
  readonly live?: SessionLive;
}

type State = 'idle' | 'running' | 'ended';
type PendingAction = 'decide' | 'next' | 'fetch';

/** The streaming loop. `start()` it, then drive its clock (the simulator calls `clock.run()`). */
export class StreamingSession {
  readonly events: Emitter<SessionEvents>;
  private readonly o: SessionOptions;
  private readonly media: SessionMedia;
  private readonly maxRendition: number;
  private readonly waitPolicy: WaitPolicyName;
  private readonly abandonment: boolean;
  private readonly skipQuiet: boolean;
  private readonly segmentSizeBytes: (segmentIndex: number, renditionIndex: number) => number | null;
  private readonly out: SegmentRecord[] = [];
  private state: State = 'idle';
  private lastRendition: number | null = null;
  private stallAtLastRecordMs = 0;
  private handle: LoadHandle | null = null;
  private cancelTimer: (() => void) | null = null;
  private fatal: AbrkitError | null = null;
  private request: SegmentRequest | null = null;
  private cachedThroughput: ThroughputEstimate | null = null;
  private cachedLatencyMs: number | null | undefined = undefined;
  private requestStartMs = 0;
  private pendingAction: PendingAction | null = null;
  private pendingSegment = 0;
  private pendingRendition = 0;
  private pendingAttempt = 1;
  /** Created once per session, not per segment (the simulator runs ~500k segments a second). */
  private readonly callbacks: LoadCallbacks;
  private readonly timerFired: () => void;
  /** The buffer target in force: `bufferTargetMs`, bounded by the latency target when live. */
  private readonly bufferTargetMs: number;
  /** Pensieve policy: sleep after a download while the buffer is above this (live: the latency target). */
  private readonly sleepThresholdMs: number;
  private readonly live: SessionLive | null;
  private readonly catchUp: CatchUpOptions | null;
  /** Media time up to which segments were appended (live: the playhead is this minus the buffer). */
  private appendedEndMs = 0;
  private cancelRateTick: (() => void) | null = null;

  constructor(options: SessionOptions) {
    const m = options.media;
    const n = m.renditions.length;
    if (n === 0) throw invalidArgument('media.renditions', 'must not be empty');
    if (!(m.segmentDurationMs > 0))
      throw invalidArgument('media.segmentDurationMs', `must be > 0, got ${m.segmentDurationMs}`);
    if (!(options.bufferTargetMs > 0))
      throw invalidArgument('bufferTargetMs', `must be > 0, got ${options.bufferTargetMs}`);
    const max = options.maxRenditionIndex ?? n - 1;
    if (!Number.isInteger(max) || max < 0)
      throw invalidArgument('maxRenditionIndex', `must be an integer >= 0, got ${max}`);
    const forced = options.forcedFirstRendition;
    if (forced != null && (!Number.isInteger(forced) || forced < 0 || forced >= n)) {
      throw invalidArgument('forcedFirstRendition', `must be an integer in [0, ${n - 1}], got ${forced}`);
    }
    this.o = options;
    this.media = m;
    this.maxRendition = Math.min(max, n - 1);
    this.waitPolicy = options.waitPolicy ?? 'sabre';
    this.abandonment = (options.abandonment ?? true) && options.algorithm.shouldAbandon !== undefined;
    // VOD on a sink that can replay skipped reads: quiet progress points may be skipped (bit-identical)
    this.skipQuiet =
      options.live === undefined &&
      options.sink.settleAt !== undefined &&
      options.algorithm.abandonQuietUntilMs !== undefined;
    this.segmentSizeBytes = (s, r) => m.segmentSizeBytes(s, r);
    this.events = options.events ?? new Emitter<SessionEvents>();
    this.callbacks = {
      onProgress: (p) => this.progress(p),
      onProgressSkipped: (atMs) => options.sink.settleAt?.(atMs),
      onComplete: (sample) => this.complete(sample),
      onError: (error) => this.failed(error),
    };
    this.timerFired = () => this.runPending();
    this.live = options.live ?? null;
    this.bufferTargetMs = options.bufferTargetMs;
    this.sleepThresholdMs = options.bufferTargetMs;
    this.catchUp = null;
    if (this.live !== null) {
      const target = this.live.targetLatencyMs;
      if (!(target > 0 && Number.isFinite(target)))
        throw invalidArgument('live.targetLatencyMs', `must be a finite number > 0, got ${target}`);
      this.bufferTargetMs = Math.min(options.bufferTargetMs, target + m.segmentDurationMs);
      this.sleepThresholdMs = Math.min(options.bufferTargetMs, target);
      const interval = this.live.rateIntervalMs ?? 250;
      if (!(interval > 0)) throw invalidArgument('live.rateIntervalMs', `must be > 0, got ${interval}`);
      if (this.live.catchUp !== null && options.sink.setPlaybackRate !== undefined)
        this.catchUp = catchUpOptions(this.live.catchUp ?? {});
    }
  }

  /** The per-segment log so far. */
  get records(): readonly SegmentRecord[] {
    return this.out;
  }

  get ended(): boolean {
    return this.state === 'ended';
  }

  /** The fatal error that ended the session, if any. */
  get error(): AbrkitError | null {
    return this.fatal;
  }

  /** Starts the session (resets the algorithm and the estimators). Call once. */
  start(): void {
    if (this.state !== 'idle')
      throw new AbrkitError('internal', 'SESSION_ALREADY_STARTED', 'a session starts once');
    this.state = 'running';
    this.o.algorithm.reset?.();
    this.o.throughputEstimator.reset();
    this.o.latencyEstimator?.reset();
    this.cachedThroughput = null;
    this.cachedLatencyMs = undefined;
    if (this.catchUp !== null) this.rateTick();
    this.next(0);
  }

  /** Latency, live edge, target and rate now; null for VOD. */
  liveState(): LiveState | null {
    const live = this.live;
    if (live === null) return null;
    const liveEdgeMs = live.liveEdgeMs(this.o.clock.nowMs());
    const sink = this.o.sink;
    return {
      latencyMs: liveEdgeMs - (this.appendedEndMs - sink.bufferLevelMs()),
      liveEdgeMs,
      targetLatencyMs: live.targetLatencyMs,
      playbackRate: sink.playbackRate(),
    };
  }

  /** Live: sets the playback rate the catch-up policy asks for, then again every `rateIntervalMs`. */
  private readonly rateTick = (): void => {
    this.cancelRateTick = null;
    const options = this.catchUp;
    const sink = this.o.sink;
    if (this.state !== 'running' || options === null || this.live === null) return;
    if (sink.started()) {
      const state = this.liveState()!;
      const rate = catchUpPlaybackRate(
        {
          latencyMs: state.latencyMs,
          targetLatencyMs: state.targetLatencyMs,
          bufferLevelMs: sink.bufferLevelMs(),
          safeBufferMs: this.media.segmentDurationMs,
        },
        options,
      );
      if (rate !== state.playbackRate) sink.setPlaybackRate?.(rate);
    }
    this.cancelRateTick = this.o.clock.setTimer(this.rateTick, this.live.rateIntervalMs ?? 250);
  };

  /** Stops now: aborts the download in flight and cancels timers; emits `end`. */
  stop(): void {
    if (this.state !== 'running') return;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.cancelRateTick?.();
    this.cancelRateTick = null;
    if (this.handle) {
      this.handle.abort();
      this.handle = null;
    }
    this.finish();
  }

  /** The estimator's output, asked once per sample (estimates only change when a sample arrives). */
  private throughputEstimate(): ThroughputEstimate {
    if (this.cachedThroughput === null) this.cachedThroughput = this.o.throughputEstimator.estimate();
    return this.cachedThroughput;
  }

  private latencyEstimateMs(): number | null {
    const latency = this.o.latencyEstimator;
    if (!latency) return null;
    if (this.cachedLatencyMs === undefined) this.cachedLatencyMs = latency.estimateMs();
    return this.cachedLatencyMs;
  }

  /** The snapshot an algorithm decides from. */
  context(segmentIndex: number): AbrContext {
    const o = this.o;
    const sink = o.sink;
    const ctx: AbrContext = {
      nowMs: o.clock.nowMs(),
      segmentIndex,
      // a live stream has no end an algorithm can plan to (the player's live media lists none); a simulated
      // one ends only because the run must
      segmentCount: this.live === null ? this.media.segmentCount : Number.POSITIVE_INFINITY,
      segmentDurationMs: this.media.segmentDurationMs,
      renditions: this.media.renditions,
      segmentSizeBytes: this.segmentSizeBytes,
      lastRenditionIndex: this.lastRendition,
      bufferLevelMs: sink.bufferLevelMs(),
      bufferTargetMs: this.bufferTargetMs,
      playbackRate: sink.playbackRate(),
      throughput: this.throughputEstimate(),
      latencyMs: this.latencyEstimateMs(),
      maxRenditionIndex: this.maxRendition,
      startingUp: !sink.started(),
    };
    return this.live === null ? ctx : { ...ctx, live: this.liveState()! };
  }

  /** Runs `action` for `segmentIndex` after `delayMs` (one pending action at a time; no closure per call). */
  private later(
    action: PendingAction,
    segmentIndex: number,
    delayMs: number,
    renditionIndex = 0,
    attempt = 1,
  ): void {
    this.pendingAction = action;
    this.pendingSegment = segmentIndex;
    this.pendingRendition = renditionIndex;
    this.pendingAttempt = attempt;
    this.cancelTimer = this.o.clock.setTimer(this.timerFired, delayMs);
  }

  private runPending(): void {
    this.cancelTimer = null;
    const action = this.pendingAction;
    this.pendingAction = null;
    if (this.state !== 'running' || action === null) return;
    if (action === 'decide') this.ready(this.pendingSegment);
    else if (action === 'next') this.next(this.pendingSegment);
    else this.fetch(this.pendingSegment, this.pendingRendition, this.pendingAttempt);
  }

  private idle(durationMs: number): void {
    this.o.algorithm.onIdle?.(durationMs);
    if (this.events.listenerCount('idle') > 0)
      this.events.emit('idle', { nowMs: this.o.clock.nowMs(), durationMs });
  }

  /** Segment `segmentIndex` is next: wait for room, then decide. */
  private next(segmentIndex: number): void {
    if (segmentIndex >= this.media.segmentCount) {
      this.finish();
      return;
    }
    if (this.waitPolicy === 'sabre') {
      const waitMs = waitBeforeChooseMs(
        this.o.sink.bufferLevelMs(),
        this.media.segmentDurationMs,
        this.bufferTargetMs,
      );
      if (waitMs > 0) {
        this.idle(waitMs);
        this.later('decide', segmentIndex, waitMs);
        return;
      }
    }
    this.ready(segmentIndex);
  }

  /** There is room for segment `segmentIndex`: decide now (VOD), or once it is available (live). */
  private ready(segmentIndex: number): void {
    const live = this.live;
    if (live === null) {
      this.decide(segmentIndex);
      return;
    }
    const fromMs = this.o.clock.nowMs();
    let waiting = false;
    let fired = false;
    const cancel = live.whenAvailable(segmentIndex, () => {
      if (fired || this.state !== 'running') return;
      fired = true;
      if (waiting) this.cancelTimer = null;
      const waitedMs = this.o.clock.nowMs() - fromMs;
      if (waitedMs > 0) this.idle(waitedMs);
      this.decide(segmentIndex);
    });
    if (!fired) {
      waiting = true;
      this.cancelTimer = cancel;
    }
  }

  private decide(segmentIndex: number): void {
    const forced = segmentIndex === 0 ? this.o.forcedFirstRendition : null;
    let rendition: number;
    let delayMs = 0;
    let reason: string;
    if (forced != null) {
      rendition = Math.min(forced, this.maxRendition);
      reason = 'forced first rendition';
    } else {
      const ctx = this.context(segmentIndex);
      const decision = this.o.algorithm.choose(ctx);
      rendition = this.checkRendition(decision.renditionIndex);
      delayMs = decision.delayMs !== undefined && decision.delayMs > 0 ? decision.delayMs : 0;
      reason = decision.reason;
    }
    if (this.events.listenerCount('decision') > 0) {
      this.events.emit('decision', {
        segmentIndex,
        renditionIndex: rendition,
        delayMs,
        reason,
        forced: forced != null,
        nowMs: this.o.clock.nowMs(),
        bufferLevelMs: this.o.sink.bufferLevelMs(),
        throughputKbps: this.throughputEstimate().throughputKbps,
      });
    }
    if (delayMs > 0) this.later('fetch', segmentIndex, delayMs, rendition, 1);
    else this.fetch(segmentIndex, rendition, 1);
  }

  private checkRendition(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.media.renditions.length) {
      throw new AbrkitError(
        'abr',
        'ABR_BAD_RENDITION',
        `algorithm ${this.o.algorithm.name} chose rendition ${index}`,
        {
          data: { algorithm: this.o.algorithm.name, renditionIndex: index },
        },
      );
    }
    return index > this.maxRendition ? this.maxRendition : index;
  }

  private fetch(segmentIndex: number, renditionIndex: number, attempt: number): void {
    const o = this.o;
    const request: SegmentRequest = {
      segmentIndex,
      renditionIndex,
      sizeBytes: this.segmentSizeBytes(segmentIndex, renditionIndex),
      durationMs: this.media.segmentDurationMs,
      attempt,
    };
    this.request = request;
    this.requestStartMs = o.clock.nowMs();
    this.handle = o.source.load(request, this.callbacks, this.abandonment);
  }

  private progress(p: LoadProgress): void {
    const algorithm = this.o.algorithm;
    const request = this.request;
    if (!this.abandonment || !algorithm.shouldAbandon || this.state !== 'running' || request === null) return;
    const startMs = this.requestStartMs;
    const progress: DownloadProgress = {
      segmentIndex: request.segmentIndex,
      renditionIndex: request.renditionIndex,
      startMs,
      firstByteMs: p.firstByteMs,
      nowMs: p.nowMs,
      loadedBytes: p.loadedBytes,
      totalBytes: p.totalBytes,
    };
    const ctx = this.context(request.segmentIndex);
    const lower = algorithm.shouldAbandon(progress, ctx);
    if (lower == null) {
      // the algorithm may say when its answer can change: the simulator skips the progress points before
      if (this.skipQuiet) {
        const untilMs = algorithm.abandonQuietUntilMs!(progress, ctx);
        const onPaceByMs = algorithm.abandonQuietOnPaceMs?.(progress, ctx) ?? Number.NaN;
        if (untilMs > p.nowMs || onPaceByMs === onPaceByMs)
          this.handle?.skipProgressUntil?.(untilMs, onPaceByMs);
      }
      return;
    }
    if (lower >= request.renditionIndex) return;
    const target = this.checkRendition(lower);
    const handle = this.handle;
    this.handle = null;
    this.request = null;
    if (!handle) return;
    const sample = handle.abort();
    if (this.o.sampleAbortedDownloads) this.feedEstimators(sample);
    algorithm.onDownloaded?.(sample, this.context(request.segmentIndex));
    if (this.events.listenerCount('download') > 0) {
      this.events.emit('download', {
        segmentIndex: request.segmentIndex,
        renditionIndex: request.renditionIndex,
        sample,
        abandonedTo: target,
      });
    }
    if ((this.o.abandonRefetch ?? 'returned') === 'choose') this.decide(request.segmentIndex);
    else this.fetch(request.segmentIndex, target, 1);
  }

  private feedEstimators(sample: DownloadSample): void {
    this.o.throughputEstimator.addSample(sample);
    this.o.latencyEstimator?.addSample(sample);
    this.cachedThroughput = null;
    this.cachedLatencyMs = undefined;
  }

  private complete(sample: DownloadSample): void {
    const request = this.request;
    if (this.state !== 'running' || request === null) return;
    this.request = null;
    this.handle = null;
    const o = this.o;
    const { segmentIndex, renditionIndex } = request;
    const durationMs = this.media.segmentDurationMs;
    o.sink.append({ segmentIndex, renditionIndex, durationMs, sizeBytes: sample.sizeBytes });
    this.appendedEndMs = (segmentIndex + 1) * durationMs;
    this.feedEstimators(sample);
    const bufferMs = o.sink.bufferLevelMs();
    const stallMs = o.sink.stallMs();
    const rebufferMs = stallMs - this.stallAtLastRecordMs;
    this.stallAtLastRecordMs = stallMs;
    const renditions = this.media.renditions;
    const last = this.lastRendition;
    const bitrateKbps = renditions[renditionIndex]!.bitrateKbps;
    const live = this.liveState();
    const qoe = o.qoeTerm({
      segmentIndex,
      renditionIndex,
      bitrateKbps,
      lastRenditionIndex: last,
      lastBitrateKbps: last === null ? null : renditions[last]!.bitrateKbps,
      rebufferMs,
      renditions,
      ...(live === null
        ? {}
        : { latencyMs: live.latencyMs, playbackRate: live.playbackRate, durationMs: durationMs }),
    });
    this.lastRendition = renditionIndex;
    // the state right after the download: the segment just fetched, its rendition as the last one, the buffer with it
    if (o.algorithm.onDownloaded) o.algorithm.onDownloaded(sample, this.context(segmentIndex));
    const record: SegmentRecord = {
      segment: segmentIndex,
      rendition: renditionIndex,
      bitrateKbps,
      sizeBytes: sample.sizeBytes,
      downloadMs: sample.endMs - sample.startMs,
      rebufferMs,
      bufferMs,
      qoe,
    };
    if (live !== null) {
      record.latencyMs = live.latencyMs;
      record.playbackRate = live.playbackRate;
    }
    this.out.push(record);
    const events = this.events;
    if (events.listenerCount('download') > 0) {
      events.emit('download', { segmentIndex, renditionIndex, sample, abandonedTo: null });
    }
    if (rebufferMs > 0 && events.listenerCount('stall') > 0) {
      events.emit('stall', { segmentIndex, durationMs: rebufferMs, endMs: o.clock.nowMs() });
    }
    if (events.listenerCount('segment') > 0) events.emit('segment', record);

    const nextIndex = segmentIndex + 1;
    if (this.waitPolicy === 'pensieve' && nextIndex < this.media.segmentCount) {
      const sleepMs = sleepAfterDownloadMs(bufferMs, this.sleepThresholdMs);
      if (sleepMs > 0) {
        this.idle(sleepMs);
        this.later('next', nextIndex, sleepMs);
        return;
      }
    }
    this.next(nextIndex);
  }

  private failed(error: AbrkitError): void {
    const request = this.request;
    if (this.state !== 'running' || request === null) return;
    this.request = null;
    this.handle = null;
    const retry = this.o.onError?.(error, request) ?? null;
    if (this.events.listenerCount('error') > 0)
      this.events.emit('error', { error, request, willRetry: retry !== null });
    if (retry === null) {
      this.fatal = error;
      this.finish();
      return;
    }
    const rendition =
      retry.renditionIndex === undefined ? request.renditionIndex : this.checkRendition(retry.renditionIndex);
    const attempt = rendition === request.renditionIndex ? request.attempt + 1 : 1;
    this.later('fetch', request.segmentIndex, Math.max(0, retry.delayMs), rendition, attempt);
  }

  private finish(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.cancelRateTick?.();
    this.cancelRateTick = null;
    const sink = this.o.sink;
    sink.endOfStream();
    this.events.emit('end', {
      nowMs: this.o.clock.nowMs(),
      records: this.out,
      stallMs: sink.stallMs(),
      stallCount: sink.stallCount(),
      error: this.fatal,
    });
  }
}
