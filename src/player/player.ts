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
import type { QoeSegmentFacts } from '../qoe/term-function.js';
import { StreamingSession } from '../session/session.js';
import type { SessionMedia } from '../session/session.js';
import { keepAcrossSessions, makeAlgorithm, makeEstimator } from './algorithms.js';
import type { PlayerEvents, PlayerState } from './events.js';
import type { InitCache, SegmentPayload } from './fetch-source.js';
import { FetchSegmentSource } from './fetch-source.js';
import type { PlayerLadder } from './ladder.js';
import { audioSegmentAt, buildLadder, capForElementSize, segmentAt, splitCodecs } from './ladder.js';
import { fetchBytes, loadPresentation } from './load-presentation.js';
import { isRetryable, nextRetryDelayMs } from '../net/retry.js';
import { MseSink, SessionSinkView } from './mse-sink.js';
import type { PlayerOptions, ResolvedPlayerOptions } from './options.js';
import { describe, resolvePlayerOptions } from './options.js';
import type { SessionExport } from './recorder.js';
import { SessionRecorder } from './recorder.js';
import type { TrackedClock } from './tracked-clock.js';
import { createTrackedClock } from './tracked-clock.js';
import type * as FaultsModule from './faults.js';
import type { LiveController } from './live/controller.js';
import type { CmcdReporter } from './cmcd.js';
import type { EnsurePlaylist } from './lazy-playlists.js';

/** The faults chunk (src/player/faults.ts). */
type Faults = typeof FaultsModule;

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
  /** A promise while a named algorithm's lazy chunk loads (src/player/algorithms.ts). */
  private readonly algorithm: AbrAlgorithm | Promise<AbrAlgorithm>;
  /** Renditions set aside for this load (init failures); the algorithm sees the ladder without them. */
  private readonly excluded = new Set<number>();
  private readonly estimator: ThroughputEstimator;
  private readonly latency = new EwmaLatencyEstimator();
  /** The `qoeModel`'s per-segment term, from a chunk of its own that `load()` fetches. */
  private qoeTerm: ((facts: QoeSegmentFacts) => number) | null = null;
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
  /** Loads a deferred rendition playlist of this load (src/player/lazy-playlists.ts). */
  private ensurePlaylist: EnsurePlaylist | undefined;
  /** The faults chunk (segment check, fallback hook, exclusion), there once a `load()` got it. */
  private faults: Faults | null = null;
  /** The algorithm kept off the excluded renditions (made once the faults chunk is there). */
  private abr: AbrAlgorithm | null = null;
  /** Live playback (src/player/live, a chunk of its own) for a playlist without ENDLIST. */
  private live: LiveController | null = null;
  /** The CMCD reporter of this load (src/player/cmcd.ts), when the `cmcd` option is set. */
  private cmcd: CmcdReporter | null = null;
  private readonly payloads = new Map<string, SegmentPayload>();
  private loadAbort: AbortController | null = null;
  private loadStartMs = 0;
  /** Where to start playing: set by a `seek()` during `load()`, s. */
  private startPositionS = 0;
  private destroyed = false;
  /** The session was stopped because the element is paused out of the document: resume on play. */
  private suspended = false;

  /** The player's state (see `PlayerState`). Emits the current one on subscribe. */
  readonly state$: Observable<PlayerState>;
  readonly decision$: Observable<PlayerEvents['decision']>;
  readonly download$: Observable<PlayerEvents['download']>;
  readonly buffer$: Observable<PlayerEvents['buffer']>;
  /** Fatal errors only (recoverable ones are `retry` events). */
  readonly error$: Observable<PlayerEvents['error']>;
  readonly qoe$: Observable<PlayerEvents['qoe']>;
  readonly segment$: Observable<PlayerEvents['segment']>;
  /** Live streams only: latency, live edge, target and playback rate, twice a second. */
  readonly latency$: Observable<PlayerEvents['latency']>;

  constructor(options: PlayerOptions = {}) {
    this.options = resolvePlayerOptions(options);
    this.algorithm = makeAlgorithm(this.options);
    this.estimator = keepAcrossSessions(makeEstimator(this.options));
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
    this.latency$ = this.observable('latency');
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

  /** Uses `video` for playback (call before `load()`); anything but an `HTMLMediaElement` is a `TypeError`. */
  attach(video: HTMLMediaElement): void {
    this.checkAlive();
    const isMedia =
      typeof HTMLMediaElement === 'function'
        ? video instanceof HTMLMediaElement
        : typeof video === 'object' &&
          video !== null &&
          typeof (video as { play?: unknown }).play === 'function';
    if (!isMedia) {
      const what = (video as { tagName?: unknown } | null)?.tagName;
      throw invalidArgument(
        'video',
        `must be an HTMLMediaElement (<video> or <audio>), got ${typeof what === 'string' ? `<${what.toLowerCase()}>` : describe(video)}`,
      );
    }
    this.teardown();
    this.detachVideo?.();
    this.video = video;
    const onTimeUpdate = (): void => this.emitBuffer();
    // after a seek into buffered media the element may play on without a 'playing' event
    const onSeeked = (): void => {
      if (this.currentState !== 'loading' || !this.sink?.started()) return;
      if (video.paused) this.setState('paused');
      else if (video.readyState >= 3) this.setState('playing');
    };
    const playback = (reason: 'pause' | 'play' | 'ratechange'): void => {
      this.emitter.emit('playback', {
        reason,
        paused: video.paused,
        playbackRate: video.playbackRate,
        connected: video.isConnected,
      });
    };
    // the app, the user or the browser (an element taken out of the document is paused by it)
    const onPause = (): void => {
      if (!this.sink || video.ended) return;
      if (
        this.currentState === 'playing' ||
        this.currentState === 'stalled' ||
        this.currentState === 'loading'
      )
        this.setState('paused');
      // out of the document and paused: nothing will play, fetch nothing until it plays again
      if (!video.isConnected && this.running) {
        this.stopSession();
        this.suspended = true;
      }
      playback('pause');
    };
    const onPlay = (): void => {
      if (!this.sink) return;
      if (this.currentState === 'paused') this.setState(this.sink.started() ? 'playing' : 'loading');
      if (this.suspended) {
        this.suspended = false;
        if (this.currentState !== 'error' && this.currentState !== 'ended')
          this.resumeAt(video.currentTime * 1000);
      }
      playback('play');
    };
    const onRate = (): void => playback('ratechange');
    const listeners: [string, () => void][] = [
      ['timeupdate', onTimeUpdate],
      ['seeked', onSeeked],
      ['canplay', onSeeked],
      ['pause', onPause],
      ['play', onPlay],
      ['ratechange', onRate],
    ];
    for (const [name, fn] of listeners) video.addEventListener(name, fn);
    this.detachVideo = () => {
      for (const [name, fn] of listeners) video.removeEventListener(name, fn);
    };
  }

  /**
   * Loads and plays the HLS presentation at `url` (a master playlist, or a lone media playlist). Resolves
   * once the first segment is requested; rejects (and emits `error`) when the playlists cannot be loaded,
   * nothing in them can play or an option does not fit the presentation (`bufferTargetMs` below two segments,
   * `startRendition` / `maxRendition` outside the ladder); rejects with `LOAD_ABORTED` when `destroy()` or
   * another `load()` interrupts it.
   */
  async load(url: string): Promise<void> {
    this.checkAlive();
    if (typeof url !== 'string' || url === '')
      throw invalidArgument('url', `must be a non-empty string, got ${describe(url)}`);
    const video = this.video;
    if (!video) throw invalidArgument('video', 'call attach(videoElement) before load()');
    this.teardown();
    this.recorder = new SessionRecorder();
    this.initCache = new Map();
    this.excluded.clear();
    const abort = new AbortController();
    this.loadAbort = abort;
    this.loadStartMs = this.clock.nowMs();
    this.setState('loading', true);
    const o = this.options;
    const interrupted = (): AbrkitError =>
      new AbrkitError(
        'internal',
        'LOAD_ABORTED',
        `load(${url}) was interrupted by destroy() or another load()`,
        {
          fatal: false,
          data: { source: url },
        },
      );
    const check = (): void => {
      if (abort.signal.aborted) throw interrupted();
    };
    const excludedAtLoad: [string, AbrkitError][] = [];
    // the fault handling is a chunk of its own, fetched while the playlists load
    const faults = import('./faults.js');
    faults.catch(() => {});
    // so is CMCD, fetched only when asked for
    const cmcdChunk = o.cmcd ? import('./cmcd.js') : null;
    cmcdChunk?.catch(() => {});
    // and the QoE model (src/qoe), fetched by the first load()
    const qoeChunk = this.qoeTerm ? null : import('../qoe/term-function.js');
    qoeChunk?.catch(() => {});
    this.cmcd = null;
    try {
      const fetchOptions = {
        clock: this.clock,
        retry: o.playlistRetry,
        random: o.random,
        timeoutMs: o.requestTimeoutMs,
        firstByteTimeoutMs: Math.min(o.startupTimeoutMs, o.requestTimeoutMs),
        signal: abort.signal,
        inFlight: this.inFlight,
        onRetry: (error: AbrkitError, attempt: number, delayMs: number) =>
          this.emitter.emit('loadRetry', {
            error,
            url: typeof error.data.source === 'string' ? error.data.source : url,
            attempt,
            delayMs,
          }),
        onExclude: (uri: string, error: AbrkitError) => excludedAtLoad.push([uri, error]),
      };
      // only what the first decision needs: the other variants' playlists when first used (lazy-playlists.ts)
      let presentation = await loadPresentation(
        url,
        fetchOptions,
        undefined,
        o.startRendition === null ? [] : [o.startRendition],
      );
      // a master without CODECS: read them from the init segments (a chunk of its own, with mp4box behind it)
      if (presentation.renditions.some((r) => r.playlist && splitCodecs(r.codecs).video.length === 0)) {
        const { fillMissingCodecs } = await import('./codecs.js');
        presentation = await fillMissingCodecs(presentation, (uri, range) =>
          fetchBytes(uri, fetchOptions, range),
        );
      }
      check();
      // a media playlist without ENDLIST is live: its code is a chunk of its own
      const liveChunk = presentation.renditions.find((r) => r.playlist)?.playlist?.endList
        ? null
        : import('./live/index.js');
      // (after a failed playlist every one was tried: a variant without one is left out, not deferred)
      let ladder = buildLadder(
        presentation,
        (mime) => MediaSource.isTypeSupported(mime),
        excludedAtLoad.length === 0,
      );
      // the loader of deferred playlists is a chunk of its own, fetched now, awaited at first use
      const vod = ladder;
      const deferred = vod.deferred;
      const loader =
        deferred &&
        import('./lazy-playlists.js').then((m) =>
          m.playlistLoader(vod, m.fetchDeferredPlaylist(presentation, vod, fetchOptions)),
        );
      loader?.catch(() => {});
      this.ensurePlaylist =
        deferred && loader
          ? (r) => (deferred.has(r) ? loader.then((ensure) => ensure(r) ?? undefined) : null)
          : undefined;
      this.faults = await faults;
      if (qoeChunk) this.qoeTerm = (await qoeChunk).createQoeTermFunction(o.qoeModel);
      const cmcdModule = cmcdChunk ? await cmcdChunk : null;
      this.faults.checkOptions(o, ladder, url);
      const live = (this.live =
        liveChunk &&
        new (await liveChunk).LiveController(
          ladder,
          {
            clock: this.clock,
            options: o,
            video,
            fetchOptions,
            emitter: this.emitter,
            fail: (e) => this.fail(e),
            seek: (s) => this.seek(s),
            endOfStream: () => {
              this.stopSession();
              this.sink?.endOfStream();
            },
            bufferLevelMs: () => this.sink?.bufferLevelMs() ?? 0,
          },
          url,
        ));
      if (live) ladder = live.ladder;
      // discontinuities (a looped or spliced presentation) need their media placed: loaded only then
      const timelineOffsets = live
        ? live.offsets
        : ladder.renditions.some((r) => r.playlist.segments.some((s) => s.discontinuity))
          ? (await import('./timeline-offsets.js')).createTimelineOffsets
          : undefined;
      check();
      const mediaSource = new MediaSource();
      this.mediaSource = mediaSource;
      this.objectUrl = URL.createObjectURL(mediaSource);
      video.src = this.objectUrl;
      await new Promise<void>((resolve, reject) => {
        mediaSource.addEventListener('sourceopen', () => resolve(), { once: true });
        abort.signal.addEventListener('abort', () => reject(interrupted()), { once: true });
      });
      this.abr ??= this.faults.excludingRenditions(await this.algorithm, this.excluded);
      check();
      this.ladderNow = ladder;
      for (const [uri, error] of excludedAtLoad) {
        this.emitter.emit('exclusion', { renditionIndex: null, url: uri, error });
      }
      this.sink = new MseSink({
        video,
        mediaSource,
        ladder,
        clock: this.clock,
        backBufferMs: o.backBufferMs,
        ...(timelineOffsets ? { timelineOffsets } : {}),
        onFatal: (error) => this.fail(error),
        onBufferChange: () => this.emitBuffer(),
        onPlayback: (event) => {
          // after a fatal error the state stays `error`; `ended` only comes after the real last segment
          if (event === 'stalled') {
            this.setState('stalled');
            this.cmcd?.onStall();
          } else if (event === 'ended') this.setState('ended');
          else if (!video.paused) this.setState('playing');
          this.emitQoe();
        },
      });
      if (cmcdModule && o.cmcd) {
        this.cmcd = new cmcdModule.CmcdReporter(o.cmcd, {
          ladder,
          format: /\.mpd(?:[?#]|$)/i.test(url) ? 'd' : 'h',
          bufferLevelMs: () => this.sink?.bufferLevelMs() ?? 0,
          throughputKbps: () => this.estimator.estimate().throughputKbps,
          urgent: () => this.currentState === 'loading' || this.currentState === 'stalled',
          playbackRate: () => video.playbackRate,
          maxRendition: () => this.maxRendition(ladder),
        });
      }
      const startS = this.startPositionS;
      this.startPositionS = 0;
      const startMs = live ? live.syncPositionMs() : Math.min(startS * 1000, ladder.durationMs - 1);
      if (startMs > 0) video.currentTime = startMs / 1000;
      this.startSession(segmentAt(ladder, startMs), true);
      live?.start(mediaSource);
      video.play().catch(() => {
        // autoplay refused: the page starts playback on a user gesture
      });
    } catch (error) {
      if (abort.signal.aborted) throw interrupted();
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

  /**
   * Moves the playhead to `positionS` (s; past the end: the end): drops scheduled work, restarts the loop
   * from the first segment not buffered there. Seeking to the end plays the last segment (or ends at once when
   * it is buffered), with the presentation's full duration; a seek back plays again. After a fatal error it
   * only moves the playhead within what is buffered (the state stays `error` until `load()`).
   */
  seek(positionS: number): void {
    this.checkAlive();
    if (typeof positionS !== 'number' || !Number.isFinite(positionS) || positionS < 0) {
      throw invalidArgument('positionS', `must be a finite number >= 0, got ${describe(positionS)}`);
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
    const positionMs = Math.min(positionS * 1000, Math.max(0, ladder.durationMs - 1));
    if (this.currentState === 'error') {
      video.currentTime = positionMs / 1000;
      return;
    }
    const wasEnded = this.currentState === 'ended' || video.ended;
    this.stopSession();
    sink.resetForSeek();
    this.payloads.clear();
    video.currentTime = positionMs / 1000;
    this.setState('loading');
    this.resumeAt(positionMs);
    if (wasEnded) {
      video.play().catch(() => {});
    }
  }

  /** Restarts the loop after what is buffered from `positionMs` on, or ends the stream when that is the end. */
  private resumeAt(positionMs: number): void {
    const ladder = this.ladderNow;
    const sink = this.sink;
    if (!ladder || !sink) return;
    if (sink.bufferedToEnd(positionMs / 1000)) {
      sink.endOfStream();
      return;
    }
    const fromMs = Math.min(positionMs + sink.bufferLevelMs(), ladder.durationMs - 1);
    this.startSession(segmentAt(ladder, fromMs));
  }

  /** Stops everything: the session, every request and timer, the MediaSource; completes the Observables. */
  destroy(): void {
    if (this.destroyed) return;
    this.teardown();
    this.setState('idle', true);
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
    const faults = this.faults;
    const algorithm = this.abr;
    const qoeTerm = this.qoeTerm;
    if (!ladder || !sink || !faults || !algorithm || !qoeTerm) return;
    this.stopSession();
    this.suspended = false;
    const o = this.options;
    const first = ladder.renditions[0]!.playlist.segments[segmentOffset];
    const audioStart = ladder.audio && first ? audioSegmentAt(ladder.audio, first.startMs) : 0;
    const live = this.live;
    const source = new FetchSegmentSource({
      ladder,
      clock: this.clock,
      segmentOffset,
      audioStart,
      timeoutMs: o.requestTimeoutMs,
      // until playback starts a latency spike must not hold startup for the whole requestTimeoutMs
      firstByteTimeoutMs: () =>
        sink.started() ? o.requestTimeoutMs : Math.min(o.startupTimeoutMs, o.requestTimeoutMs),
      initCache: this.initCache,
      ...(this.ensurePlaylist ? { ensurePlaylist: this.ensurePlaylist } : {}),
      // the network's byte times, not the script's reads, for the estimator (src/player/resource-timing.ts)
      timing: performance,
      check: live ? live.check(faults.checkPayloadPart) : faults.checkPayloadPart,
      inFlight: this.inFlight,
      onPayload: (payload) => this.payloads.set(`${payload.segmentIndex}:${payload.renditionIndex}`, payload),
      onDownload: (record) => this.emitter.emit('download', record),
      ...(this.cmcd ? { cmcd: this.cmcd.decorate } : {}),
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
      // a session that failed must not end the stream: that would cut the duration to what is buffered
      (): boolean => session.error === null,
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
    const fallback = faults.createFallbackHook({
      policy: o.retry,
      rules: { isRetryable, nextRetryDelayMs },
      renditionCount: ladder.renditions.length,
      maxRendition: () => maxRendition,
      random: o.random,
      nowMs: () => this.clock.nowMs(),
      excluded: this.excluded,
      onExclude: (renditionIndex, error) =>
        this.emitter.emit('exclusion', {
          renditionIndex,
          url: typeof error.data.source === 'string' ? error.data.source : '',
          error,
        }),
      onRetry: (error, request, next) =>
        this.emitter.emit('retry', {
          error,
          segmentIndex: request.segmentIndex + segmentOffset,
          renditionIndex: request.renditionIndex,
          attempt: request.attempt,
          delayMs: next.delayMs,
          nextRenditionIndex: next.renditionIndex,
        }),
    });
    const session: StreamingSession = new StreamingSession({
      clock: this.clock,
      source,
      sink: view,
      algorithm,
      media,
      throughputEstimator: this.estimator,
      latencyEstimator: this.latency,
      qoeTerm,
      bufferTargetMs: o.bufferTargetMs,
      forcedFirstRendition:
        atLoad && o.startRendition !== null ? Math.min(o.startRendition, ladder.renditions.length - 1) : null,
      maxRenditionIndex: maxRendition,
      onError: live ? live.retryHook(fallback, segmentOffset) : fallback,
      ...(live ? { live: live.sessionLive(segmentOffset) } : {}),
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
    this.live?.stop();
    this.live = null;
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

  /** `error` stays until `load()` or `destroy()` (`force`). */
  private setState(state: PlayerState, force = false): void {
    if (state === this.currentState || (this.currentState === 'error' && !force)) return;
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
