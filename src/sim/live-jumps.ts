/**
 * Live sessions in the simulator that jump back to the live edge when too far behind, as the player does
 * (src/player/live/controller.ts): every 500 ms (the player's tick) the latency is checked against
 * `shouldSeekToLive` (src/session/live.ts: more than `catchUp.maxDriftMs` above the target, 6 s by default,
 * hls.js `liveMaxLatencyDuration`); past it the session is stopped (the download in flight aborted), the
 * buffer dropped, and a new session starts at the segment where the latency is the target again
 * (`floor((edge − target) / d)`), playing from exactly edge − target, mid-segment, as the player seeks
 * (`startAtTarget`; the first session starts there too). A new session resets the algorithm and the estimators, as the player's seek
 * does (it starts a new `StreamingSession` too). Time waiting for the first segment after a jump counts as
 * stall, as the element's `waiting` after a seek does in the browser.
 *
 * Records are one list with absolute segment numbers; segments skipped by a jump have none. Events reach the
 * caller's emitter with absolute segment indices; `end` once, when the last session ends.
 */
import type { Clock } from '../core/clock.js';
import type { Emitter } from '../core/events.js';
import { Emitter as EventEmitter } from '../core/events.js';
import type { SegmentRecord } from '../core/types.js';
import { BufferModel } from '../session/buffer-model.js';
import {
  catchUpOptions,
  clockLiveSchedule,
  shouldSeekToLive,
  type CatchUpOptions,
  type SessionLive,
} from '../session/live.js';
import type { SessionMedia, StreamingSession } from '../session/session.js';
import type { AppendedSegment, MediaSink, SessionEvents } from '../session/types.js';
import { listedAtMs, type PlaylistTraffic } from './live-reloads.js';

/** How often the latency is checked, ms: the player's live tick. */
export const LIVE_CHECK_INTERVAL_MS = 500;

export interface LiveChainOptions {
  readonly clock: Clock;
  /** The whole stream's media (segment 0 = the session's first). */
  readonly media: SessionMedia;
  readonly targetLatencyMs: number;
  readonly edgeAtStartMs?: number;
  readonly catchUp?: Partial<CatchUpOptions> | null;
  readonly listingDelayMs?: number;
  /**
   * The playlist reloads (live-reloads.ts `withPlaylistTraffic`, on the clock of this chain's start): a
   * segment is known at the end of the first reload reaching the server once it exists (plus
   * `listingDelayMs`), one that existed when the chain started (the playlists loaded before) at once.
   * Default none: `listingDelayMs` after it exists.
   */
  readonly reloads?: PlaylistTraffic;
  /**
   * Start playback exactly `targetLatencyMs` behind the edge, mid-segment, as the player seeks (default
   * true); false: at the start of the segment that holds that position, up to a segment's duration further
   * behind (the catch-up then closes the gap).
   */
  readonly startAtTarget?: boolean;
  readonly startPlayback: 'first-append' | 'immediately';
  /** The caller's events (absolute segment indices). */
  readonly events: Emitter<SessionEvents>;
  /** A session on these parts, with every other option the caller's. */
  createSession(parts: {
    readonly media: SessionMedia;
    readonly sink: MediaSink;
    readonly live: SessionLive;
    readonly events: Emitter<SessionEvents>;
  }): StreamingSession;
}

/**
 * One buffer across jumps: a `BufferModel` per session (a jump drops what was buffered), stall time and
 * count summed over them, the start time of the first.
 */
export class JumpingSink implements MediaSink {
  private current: BufferModel;
  private stallMsBefore = 0;
  private stallsBefore = 0;
  private firstStartMs: number | null = null;

  constructor(
    private readonly clock: Clock,
    startPlayback: 'first-append' | 'immediately',
    firstAppendSkipMs = 0,
  ) {
    this.current = new BufferModel(clock, { startPlayback, firstAppendSkipMs });
  }

  /**
   * Drops the buffer: playback waits until the next append, a stall (the new model counts it), and starts
   * `firstAppendSkipMs` into that segment.
   */
  jump(firstAppendSkipMs = 0): void {
    this.firstStartMs ??= this.current.startedAtMs();
    this.stallMsBefore += this.current.stallMs();
    this.stallsBefore += this.current.stallCount();
    this.current = new BufferModel(this.clock, { startPlayback: 'immediately', firstAppendSkipMs });
  }

  bufferLevelMs(): number {
    return this.current.bufferLevelMs();
  }
  append(segment: AppendedSegment): void {
    this.current.append(segment);
  }
  stallMs(): number {
    return this.stallMsBefore + this.current.stallMs();
  }
  stallCount(): number {
    return this.stallsBefore + this.current.stallCount();
  }
  started(): boolean {
    return this.current.started();
  }
  startedAtMs(): number | null {
    return this.firstStartMs ?? this.current.startedAtMs();
  }
  playbackRate(): number {
    return this.current.playbackRate();
  }
  setPlaybackRate(rate: number): void {
    this.current.setPlaybackRate(rate);
  }
  endOfStream(): void {
    this.current.endOfStream();
  }
  settleAt(atMs: number): void {
    (this.current as { settleAt?: (atMs: number) => void }).settleAt?.(atMs);
  }
}

/** Runs live sessions one after the other, jumping back to the target latency when too far behind. */
export class LiveSessionChain {
  readonly sink: JumpingSink;
  /** Jumps so far. */
  jumps = 0;
  private readonly out: SegmentRecord[] = [];
  private session: StreamingSession | null = null;
  private offset = 0;
  private readonly startMs: number;
  private readonly edgeAtStartMs: number;
  private readonly catchUp: CatchUpOptions;
  private cancelCheck: (() => void) | null = null;

  constructor(private readonly o: LiveChainOptions) {
    this.startMs = o.clock.nowMs();
    this.edgeAtStartMs = o.edgeAtStartMs ?? o.targetLatencyMs;
    this.sink = new JumpingSink(o.clock, o.startPlayback, this.skipAt(0, this.edgeAtStartMs));
    this.catchUp = catchUpOptions(o.catchUp ?? {});
  }

  /** Every segment record so far, absolute segment numbers. */
  get records(): readonly SegmentRecord[] {
    return this.out;
  }

  start(): void {
    this.startAt(0);
    this.scheduleCheck();
  }

  /**
   * Media the playhead skips in segment `segment` to start `targetLatencyMs` behind `edgeMs`, ms: in [0, d)
   * (0 with `startAtTarget: false`).
   */
  private skipAt(segment: number, edgeMs: number): number {
    if (this.o.startAtTarget === false) return 0;
    const d = this.o.media.segmentDurationMs;
    const skipMs = edgeMs - this.o.targetLatencyMs - segment * d;
    return skipMs > 0 ? Math.min(skipMs, d) : 0;
  }

  /** The live edge now, ms of media time from segment 0. */
  private edgeMs(): number {
    return this.o.clock.nowMs() - this.startMs + this.edgeAtStartMs;
  }

  private startAt(offset: number): void {
    const { clock, media, reloads } = this.o;
    const d = media.segmentDurationMs;
    this.offset = offset;
    const sessionMedia: SessionMedia =
      offset === 0
        ? media
        : {
            ...media,
            segmentCount: media.segmentCount - offset,
            segmentSizeBytes: (s, r) => media.segmentSizeBytes(s + offset, r),
          };
    const live = clockLiveSchedule({
      clock,
      segmentDurationMs: d,
      targetLatencyMs: this.o.targetLatencyMs,
      edgeAtStartMs: this.edgeMs() - offset * d,
      ...(this.o.catchUp === undefined ? {} : { catchUp: this.o.catchUp }),
      ...(this.o.listingDelayMs === undefined ? {} : { listingDelayMs: this.o.listingDelayMs }),
      ...(reloads === undefined
        ? {}
        : {
            // what the chain's first playlists listed is known from its start; the rest, once a reload lists it
            listedAtMs: (_: number, availableAtMs: number) =>
              availableAtMs <= this.startMs ? Number.NEGATIVE_INFINITY : listedAtMs(reloads, availableAtMs),
          }),
    });
    const events = new EventEmitter<SessionEvents>();
    this.forward(events, offset);
    const session = this.o.createSession({ media: sessionMedia, sink: this.sink, live, events });
    this.session = session;
    events.on('segment', (record) =>
      this.out.push(offset === 0 ? record : { ...record, segment: record.segment + offset }),
    );
    events.on('end', (end) => {
      if (this.session !== session) return;
      this.cancelCheck?.();
      this.cancelCheck = null;
      this.o.events.emit('end', {
        ...end,
        records: this.out,
        stallMs: this.sink.stallMs(),
        stallCount: this.sink.stallCount(),
      });
    });
    session.start();
  }

  /** The caller's listeners hear this session's events with absolute segment indices. */
  private forward(events: Emitter<SessionEvents>, offset: number): void {
    const to = this.o.events;
    if (to.listenerCount('decision') > 0)
      events.on('decision', (e) => to.emit('decision', { ...e, segmentIndex: e.segmentIndex + offset }));
    if (to.listenerCount('download') > 0)
      events.on('download', (e) => to.emit('download', { ...e, segmentIndex: e.segmentIndex + offset }));
    if (to.listenerCount('segment') > 0)
      events.on('segment', (e) => to.emit('segment', { ...e, segment: e.segment + offset }));
    if (to.listenerCount('stall') > 0)
      events.on('stall', (e) => to.emit('stall', { ...e, segmentIndex: e.segmentIndex + offset }));
    if (to.listenerCount('idle') > 0) events.on('idle', (e) => to.emit('idle', e));
    if (to.listenerCount('error') > 0)
      events.on('error', (e) =>
        to.emit('error', { ...e, request: { ...e.request, segmentIndex: e.request.segmentIndex + offset } }),
      );
  }

  private scheduleCheck(): void {
    this.cancelCheck = this.o.clock.setTimer(() => this.check(), LIVE_CHECK_INTERVAL_MS);
  }

  private check(): void {
    this.cancelCheck = null;
    const session = this.session;
    if (!session || session.ended) return;
    const state = session.liveState();
    if (
      state !== null &&
      this.sink.started() &&
      shouldSeekToLive(state.latencyMs, this.o.targetLatencyMs, this.catchUp)
    ) {
      const d = this.o.media.segmentDurationMs;
      const edgeMs = this.edgeMs();
      const to = Math.floor((edgeMs - this.o.targetLatencyMs) / d);
      if (to > this.offset && to < this.o.media.segmentCount) {
        this.jumps++;
        this.session = null;
        session.stop();
        this.sink.jump(this.skipAt(to, edgeMs));
        this.startAt(to);
      }
    }
    this.scheduleCheck();
  }
}
