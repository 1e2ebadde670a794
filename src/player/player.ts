/**
 * `abrkit/player`: an MSE player that runs the simulator's session loop (src/session) unchanged, with fetch
 * (fetch-source.ts) and Media Source Extensions (mse-sink.ts) behind its `SegmentSource` / `MediaSink` and
 * the wall clock as its `Clock`. So a decision seen here is the decision the simulator makes for the same
 * inputs, and `exportSession()` can be replayed there.
 *
 * ```ts
 * const player = createPlayer({ abr: 'bola', bufferTargetMs: 20_000 });
 * player.attach(document.querySelector('video')!);
 * player.decision$.subscribe((d) => console.log(d.segmentIndex, d.renditionIndex, d.reason));
 * await player.load('https://example.com/master.m3u8');
 * ```
 */
import { Observable } from 'rxjs';
import type { AbrAlgorithm } from '../abr/types.js';
import { AbrkitError, invalidArgument } from '../core/errors.js';
import { Emitter } from '../core/events.js';
import type { Rendition } from '../core/types.js';
import { EwmaLatencyEstimator } from '../estimators/latency.js';
import type { ThroughputEstimator } from '../estimators/types.js';
import { createQoeTermFunction } from '../qoe/term-function.js';
import { StreamingSession } from '../session/session.js';
import type { SessionMedia } from '../session/session.js';
import { keepAcrossSessions, makeAlgorithm, makeEstimator } from './algorithms.js';
import type { PlayerEvents, PlayerState } from './events.js';
import { createFallbackHook } from './fallback.js';
import type { InitCache, SegmentPayload } from './fetch-source.js';
import { FetchSegmentSource } from './fetch-source.js';
import type { PlayerLadder } from './ladder.js';
import { audioSegmentAt, buildLadder, capForElementSize, segmentAt } from './ladder.js';
import { fetchBytes, loadPresentation } from './load-presentation.js';
import { fillMissingCodecs } from './codecs.js';
import { MseSink, SessionSinkView } from './mse-sink.js';
import type { PlayerOptions, ResolvedPlayerOptions } from './options.js';
import { resolvePlayerOptions } from './options.js';
import type { SessionExport } from './recorder.js';
import { SessionRecorder } from './recorder.js';
import type { TrackedClock } from './tracked-clock.js';
import { createTrackedClock } from './tracked-clock.js';

/** What is still running: for tests and diagnostics (`destroy()` leaves both at 0). */
export interface PendingWork {
  readonly timers: number;
  readonly requests: number;
}

interface Running {
  readonly session: StreamingSession;
  readonly view: SessionSinkView;
}

/** Creates a player; throws a `TypeError` naming the first bad option. */
export function createPlayer(options: PlayerOptions = {}): Player {
  return new Player(options);
}

export class Player {
  readonly options: ResolvedPlayerOptions;
  private readonly emitter = new Emitter<PlayerEvents>();
  private readonly clock: TrackedClock = createTrackedClock();
  private readonly algorithm: AbrAlgorithm;
  private readonly estimator: ThroughputEstimator;
  private readonly latency = new EwmaLatencyEstimator();
  private readonly qoeTerm;
  private readonly inFlight = new Set<AbortController>();
  private readonly completions = new Set<() => void>();
  private video: HTMLMediaElement | null = null;
  private detachVideo: (() => void) | null = null;
  private currentState: PlayerState = 'idle';
  private ladderNow: PlayerLadder | null = null;
  private mediaSource: MediaSource | null = null;
  private objectUrl: string | null = null;
  private sink: MseSink | null = null;
  private running: Running | null = null;
  private recorder = new SessionRecorder();
  private initCache: InitCache = new Map();
  private readonly payloads = new Map<string, SegmentPayload>();
  private loadAbort: AbortController | null = null;
  private loadStartMs = 0;
  /** Where to start playing: set by a `seek()` during `load()`, s. */
  private startPositionS = 0;
  private destroyed = false;

  /** The player's state: idle, loading, playing, stalled, ended or error. Emits the current one on subscribe. */
  readonly state$: Observable<PlayerState>;
  readonly decision$: Observable<PlayerEvents['decision']>;
  readonly download$: Observable<PlayerEvents['download']>;
  readonly buffer$: Observable<PlayerEvents['buffer']>;
  /** Fatal errors only (recoverable ones are `retry` events). */
  readonly error$: Observable<PlayerEvents['error']>;
  readonly qoe$: Observable<PlayerEvents['qoe']>;
  readonly segment$: Observable<PlayerEvents['segment']>;

  constructor(options: PlayerOptions = {}) {
    this.options = resolvePlayerOptions(options);
    this.algorithm = makeAlgorithm(this.options);
    this.estimator = keepAcrossSessions(makeEstimator(this.options));
    this.qoeTerm = createQoeTermFunction(this.options.qoeModel);
    this.state$ = new Observable<PlayerState>((subscriber) => {
      subscriber.next(this.currentState);
      return this.bridge('state', subscriber);
    });
    this.decision$ = this.observable('decision');
    this.download$ = this.observable('download');
    this.buffer$ = this.observable('buffer');
    this.error$ = this.observable('error');
    this.qoe$ = this.observable('qoe');
    this.segment$ = this.observable('segment');
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof PlayerEvents>(event: K, listener: (payload: PlayerEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  get state(): PlayerState {
    return this.currentState;
  }

  /** The playable video renditions of the loaded presentation (ascending bitrate), empty before `load()`. */
  get renditions(): readonly Rendition[] {
    return this.ladderNow?.renditions ?? [];
  }

  /** Timers and requests still pending. */
  pendingWork(): PendingWork {
    return { timers: this.clock.activeTimers, requests: this.inFlight.size };
  }

  /** Uses `video` for playback (call before `load()`). */
  attach(video: HTMLMediaElement): void {
    this.checkAlive();
    if (typeof video !== 'object' || video === null || typeof video.addEventListener !== 'function') {
      throw invalidArgument('video', 'must be an HTMLMediaElement');
    }
    this.teardown();
    this.detachVideo?.();
    this.video = video;
    const onTimeUpdate = (): void => this.emitBuffer();
    // after a seek into buffered media the element may play on without a 'playing' event
    const onSeeked = (): void => {
      if (this.currentState === 'loading' && this.sink?.started() && !video.paused && video.readyState >= 3) {
        this.setState('playing');
      }
    };
    video.addEventListener('timeupdate', onTimeUpdate);
    video.addEventListener('seeked', onSeeked);
    video.addEventListener('canplay', onSeeked);
    this.detachVideo = () => {
      video.removeEventListener('timeupdate', onTimeUpdate);
      video.removeEventListener('seeked', onSeeked);
      video.removeEventListener('canplay', onSeeked);
    };
  }

  /**
   * Loads and plays the HLS presentation at `url` (a master playlist, or a lone media playlist). Resolves
   * once the first segment is requested; rejects (and emits `error`) when the playlists cannot be loaded or
   * nothing in them can play.
   */
  async load(url: string): Promise<void> {
    this.checkAlive();
    if (typeof url !== 'string' || url === '') throw invalidArgument('url', 'must be a non-empty string');
    const video = this.video;
    if (!video) throw invalidArgument('video', 'call attach(videoElement) before load()');
    this.teardown();
    this.recorder = new SessionRecorder();
    this.initCache = new Map();
    const abort = new AbortController();
    this.loadAbort = abort;
    this.loadStartMs = this.clock.nowMs();
    this.setState('loading');
    try {
      const fetchOptions = {
        clock: this.clock,
        retry: this.options.retry,
        random: this.options.random,
        timeoutMs: this.options.requestTimeoutMs,
        signal: abort.signal,
        inFlight: this.inFlight,
        onRetry: (error: AbrkitError, attempt: number, delayMs: number) =>
          this.emitter.emit('loadRetry', {
            error,
            url: typeof error.data.source === 'string' ? error.data.source : url,
            attempt,
            delayMs,
          }),
      };
      const presentation = await fillMissingCodecs(await loadPresentation(url, fetchOptions), (uri, range) =>
        fetchBytes(uri, fetchOptions, range),
      );
      if (abort.signal.aborted) return;
      const ladder = buildLadder(presentation, (mime) => MediaSource.isTypeSupported(mime));
      // discontinuities (a looped or spliced presentation) need their media placed: loaded only then
      const timelineOffsets = ladder.renditions.some((r) => r.playlist.segments.some((s) => s.discontinuity))
        ? (await import('./timeline-offsets.js')).createTimelineOffsets
        : undefined;
      if (abort.signal.aborted) return;
      const mediaSource = new MediaSource();
      this.mediaSource = mediaSource;
      this.objectUrl = URL.createObjectURL(mediaSource);
      video.src = this.objectUrl;
      await new Promise<void>((resolve, reject) => {
        mediaSource.addEventListener('sourceopen', () => resolve(), { once: true });
        abort.signal.addEventListener(
          'abort',
          () => reject(new AbrkitError('internal', 'LOAD_ABORTED', 'load() was superseded or destroyed')),
          { once: true },
        );
      });
      if (abort.signal.aborted) return;
      this.ladderNow = ladder;
      this.sink = new MseSink({
        video,
        mediaSource,
        ladder,
        clock: this.clock,
        backBufferMs: this.options.backBufferMs,
        ...(timelineOffsets ? { timelineOffsets } : {}),
        onFatal: (error) => this.fail(error),
        onBufferChange: () => this.emitBuffer(),
        onPlayback: (event) => {
          if (event === 'stalled') this.setState('stalled');
          else if (event === 'ended') this.setState('ended');
          else if (this.currentState !== 'error') this.setState('playing');
          this.emitQoe();
        },
      });
      const startS = this.startPositionS;
      this.startPositionS = 0;
      if (startS > 0) {
        video.currentTime = startS;
        this.startSession(segmentAt(ladder, Math.min(startS * 1000, ladder.durationMs - 1)), true);
      } else {
        this.startSession(0, true);
      }
      video.play().catch(() => {
        // autoplay refused: the page starts playback on a user gesture
      });
    } catch (error) {
      if (abort.signal.aborted) return;
      const e =
        error instanceof AbrkitError
          ? error
          : new AbrkitError('internal', 'LOAD_FAILED', String(error), {
              data: { source: url },
              cause: error,
            });
      this.fail(e);
      throw e;
    }
  }

  /** Moves the playhead to `positionS`: drops scheduled work, restarts the loop from the segment there. */
  seek(positionS: number): void {
    this.checkAlive();
    if (typeof positionS !== 'number' || !Number.isFinite(positionS) || positionS < 0) {
      throw invalidArgument('positionS', `must be a finite number >= 0, got ${String(positionS)}`);
    }
    const video = this.video;
    const ladder = this.ladderNow;
    const sink = this.sink;
    if (!video) throw invalidArgument('video', 'call attach(videoElement) and load() before seek()');
    if (!ladder || !sink) {
      // still loading: start there once the presentation is known
      this.startPositionS = positionS;
      return;
    }
    const wasEnded = this.currentState === 'ended' || video.ended;
    const positionMs = Math.min(positionS * 1000, Math.max(0, ladder.durationMs - 1));
    this.stopSession();
    sink.resetForSeek();
    this.payloads.clear();
    video.currentTime = positionMs / 1000;
    const aheadMs = sink.bufferLevelMs();
    const fromMs = positionMs + aheadMs;
    // a seek may also get out of a fatal error (another part of the presentation may play)
    this.setState('loading');
    if (fromMs >= ladder.durationMs - 50) {
      sink.endOfStream();
    } else {
      this.startSession(segmentAt(ladder, fromMs));
    }
    if (wasEnded) {
      video.play().catch(() => {});
    }
  }

  /** Stops everything: the session, every request and timer, the MediaSource; completes the Observables. */
  destroy(): void {
    if (this.destroyed) return;
    this.teardown();
    this.setState('idle');
    this.destroyed = true;
    this.detachVideo?.();
    this.detachVideo = null;
    this.video = null;
    this.clock.cancelAll();
    for (const complete of [...this.completions]) complete();
    this.completions.clear();
    this.emitter.removeAll();
  }

  /** The per-segment log (simulator JSONL schema) and the observed throughput as a Sabre trace. */
  exportSession(): SessionExport {
    return this.recorder.export(this.qoeNow(), 'player-session');
  }

  private checkAlive(): void {
    if (this.destroyed) throw new AbrkitError('internal', 'PLAYER_DESTROYED', 'the player was destroyed');
  }

  /** Starts the loop at `segmentOffset`; `atLoad`: the first session of a `load()` (startRendition applies). */
  private startSession(segmentOffset: number, atLoad = false): void {
    const ladder = this.ladderNow;
    const sink = this.sink;
    if (!ladder || !sink) return;
    const o = this.options;
    const first = ladder.renditions[0]!.playlist.segments[segmentOffset];
    const audioStart = ladder.audio && first ? audioSegmentAt(ladder.audio, first.startMs) : 0;
    const source = new FetchSegmentSource({
      ladder,
      clock: this.clock,
      segmentOffset,
      audioStart,
      timeoutMs: o.requestTimeoutMs,
      initCache: this.initCache,
      inFlight: this.inFlight,
      onPayload: (payload) => this.payloads.set(`${payload.segmentIndex}:${payload.renditionIndex}`, payload),
      onDownload: (record) => this.emitter.emit('download', record),
    });
    const view = new SessionSinkView(
      sink,
      (segmentIndex, renditionIndex) => {
        const key = `${segmentIndex}:${renditionIndex}`;
        const payload = this.payloads.get(key);
        this.payloads.delete(key);
        return payload;
      },
      segmentOffset,
      () => true,
    );
    const maxRendition = this.maxRendition(ladder);
    const media: SessionMedia = {
      segmentDurationMs: ladder.segmentDurationMs,
      renditions: ladder.renditions,
      segmentCount: ladder.segmentCount - segmentOffset,
      segmentSizeBytes: (segmentIndex, renditionIndex) =>
        ladder.renditions[renditionIndex]?.playlist.segments[segmentIndex + segmentOffset]?.byteRange
          ?.lengthBytes ?? null,
    };
    const session = new StreamingSession({
      clock: this.clock,
      source,
      sink: view,
      algorithm: this.algorithm,
      media,
      throughputEstimator: this.estimator,
      latencyEstimator: this.latency,
      qoeTerm: this.qoeTerm,
      bufferTargetMs: o.bufferTargetMs,
      forcedFirstRendition:
        atLoad && o.startRendition !== null ? Math.min(o.startRendition, ladder.renditions.length - 1) : null,
      maxRenditionIndex: maxRendition,
      onError: createFallbackHook({
        policy: o.retry,
        renditionCount: ladder.renditions.length,
        maxRendition: () => maxRendition,
        random: o.random,
        onRetry: (error, request, next) =>
          this.emitter.emit('retry', {
            error,
            segmentIndex: request.segmentIndex + segmentOffset,
            renditionIndex: request.renditionIndex,
            attempt: request.attempt,
            delayMs: next.delayMs,
            nextRenditionIndex: next.renditionIndex,
          }),
      }),
    });
    const running: Running = { session, view };
    const events = session.events;
    events.on('decision', (d) =>
      this.emitter.emit('decision', {
        segmentIndex: d.segmentIndex + segmentOffset,
        renditionIndex: d.renditionIndex,
        bitrateKbps: ladder.renditions[d.renditionIndex]?.bitrateKbps ?? 0,
        reason: d.reason,
        forced: d.forced,
        delayMs: d.delayMs,
        nowMs: d.nowMs,
        bufferLevelMs: d.bufferLevelMs,
        throughputKbps: d.throughputKbps,
      }),
    );
    events.on('download', (d) => {
      if (d.abandonedTo === null) this.recorder.addSample(d.sample);
    });
    events.on('segment', (record) => {
      const absolute = { ...record, segment: record.segment + segmentOffset };
      this.recorder.addRecord(absolute);
      this.emitter.emit('segment', absolute);
      this.emitQoe();
      this.emitBuffer();
    });
    events.on('end', (end) => {
      if (this.running !== running) return;
      this.running = null;
      if (end.error) this.fail(end.error);
    });
    this.running = running;
    session.start();
  }

  private maxRendition(ladder: PlayerLadder): number {
    let max = ladder.renditions.length - 1;
    if (this.options.maxRendition !== null) max = Math.min(max, this.options.maxRendition);
    const video = this.video as HTMLVideoElement | null;
    if (this.options.capToElementSize && video) {
      const ratio = typeof devicePixelRatio === 'number' ? devicePixelRatio : 1;
      const cap = capForElementSize(ladder.renditions, video.clientWidth, video.clientHeight, ratio);
      if (cap !== null) max = Math.min(max, cap);
    }
    return max;
  }

  private stopSession(): void {
    const running = this.running;
    this.running = null;
    if (!running) return;
    running.view.detached = true;
    running.session.stop();
  }

  /** A fatal error: stop fetching, keep what is buffered playing, report it once. */
  private fail(error: AbrkitError): void {
    if (this.currentState === 'error' || this.destroyed) return;
    this.stopSession();
    this.setState('error');
    this.emitter.emit('error', error);
  }

  /** Stops the session, requests, timers and the MediaSource of the current load. */
  private teardown(): void {
    this.loadAbort?.abort();
    this.loadAbort = null;
    this.stopSession();
    for (const controller of [...this.inFlight]) controller.abort();
    this.inFlight.clear();
    this.clock.cancelAll();
    this.sink?.destroy();
    this.sink = null;
    this.payloads.clear();
    this.ladderNow = null;
    const video = this.video;
    if (this.objectUrl !== null) {
      URL.revokeObjectURL(this.objectUrl);
      this.objectUrl = null;
      if (video) {
        video.removeAttribute('src');
        video.load();
      }
    }
    this.mediaSource = null;
  }

  private setState(state: PlayerState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emitter.emit('state', state);
  }

  private emitBuffer(): void {
    const sink = this.sink;
    const video = this.video;
    if (!sink || !video || this.emitter.listenerCount('buffer') === 0) return;
    this.emitter.emit('buffer', {
      nowMs: this.clock.nowMs(),
      positionS: video.currentTime,
      bufferLevelMs: sink.bufferLevelMs(),
      rangesS: sink.bufferedRangesS(),
    });
  }

  private qoeNow(): ReturnType<SessionRecorder['qoe']> {
    const sink = this.sink;
    const startedAt = sink?.startedAt ?? null;
    return this.recorder.qoe(
      sink?.stallCount() ?? 0,
      sink?.stallMs() ?? 0,
      startedAt === null ? null : startedAt - this.loadStartMs,
    );
  }

  private emitQoe(): void {
    if (this.emitter.listenerCount('qoe') > 0) this.emitter.emit('qoe', this.qoeNow());
  }

  private observable<K extends keyof PlayerEvents>(event: K): Observable<PlayerEvents[K]> {
    return new Observable<PlayerEvents[K]>((subscriber) => this.bridge(event, subscriber));
  }

  private bridge<K extends keyof PlayerEvents>(
    event: K,
    subscriber: { next(value: PlayerEvents[K]): void; complete(): void },
  ): () => void {
    if (this.destroyed) {
      subscriber.complete();
      return () => {};
    }
    const off = this.emitter.on(event, (value) => subscriber.next(value));
    const complete = (): void => subscriber.complete();
    this.completions.add(complete);
    return () => {
      off();
      this.completions.delete(complete);
    };
  }
}
