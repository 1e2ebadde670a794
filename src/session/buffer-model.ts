/**
 * A playback buffer on a `Clock`: the simulator's `MediaSink`, and a fake sink for player tests
 * (STYLE.md #6). Media drains at the playback rate while playing; when the buffer is empty before the end
 * of the stream, the time counts as stall. Levels are computed lazily from the clock on every read.
 */
import type { Clock } from '../core/clock.js';
import { invalidArgument } from '../core/errors.js';
import type { AppendedSegment, MediaSink } from './types.js';

export interface BufferModelOptions {
  /**
   * When playback starts: `'first-append'` (Sabre, browsers: the first segment's download is startup,
   * not stall) or `'immediately'` (Pensieve: playback starts at creation with an empty buffer, so the
   * first segment's whole download counts as rebuffer). Default `'first-append'`.
   */
  readonly startPlayback?: 'first-append' | 'immediately';
  /** Default 1. */
  readonly playbackRate?: number;
  /**
   * Media the playhead skips in the first segment appended, ms (default 0): a live player seeks to exactly
   * the target latency behind the edge, which is mid-segment, so the first segment adds only what lies after
   * that position.
   */
  readonly firstAppendSkipMs?: number;
  /**
   * With `'first-append'`: the playhead starts moving this long after the first append, ms (default 0). A
   * browser's video element plays its first frame only after the append is parsed and the decoder has started,
   * so the media buffered ahead of the playhead stays whole meanwhile (docs/fidelity.md measures it).
   * `started()` and `startedAtMs()` then tell that later time.
   */
  readonly startDelayMs?: number;
}

export class BufferModel implements MediaSink {
  private readonly clock: Clock;
  private rate: number;
  private lastMs: number;
  private levelMs = 0;
  private isStarted: boolean;
  private startMs: number | null;
  private stalled = false;
  private ended = false;
  private totalStallMs = 0;
  private stalls = 0;
  private skipMs: number;
  private readonly startDelayMs: number;
  /** With `startDelayMs`: when the playhead starts (set at the first append), until it has. */
  private pendingStartMs: number | null = null;

  constructor(clock: Clock, options: BufferModelOptions = {}) {
    const rate = options.playbackRate ?? 1;
    if (!(rate > 0) || !Number.isFinite(rate))
      throw invalidArgument('playbackRate', `must be > 0, got ${rate}`);
    const skipMs = options.firstAppendSkipMs ?? 0;
    if (!(skipMs >= 0) || !Number.isFinite(skipMs))
      throw invalidArgument('firstAppendSkipMs', `must be a finite number >= 0, got ${skipMs}`);
    this.skipMs = skipMs;
    const startDelayMs = options.startDelayMs ?? 0;
    if (!(startDelayMs >= 0) || !Number.isFinite(startDelayMs))
      throw invalidArgument('startDelayMs', `must be a finite number >= 0, got ${startDelayMs}`);
    this.startDelayMs = startDelayMs;
    this.clock = clock;
    this.rate = rate;
    this.lastMs = clock.nowMs();
    this.isStarted = options.startPlayback === 'immediately';
    this.startMs = this.isStarted ? this.lastMs : null;
  }

  /** Brings the buffer up to the clock's now. */
  private advance(): void {
    this.advanceTo(this.clock.nowMs());
  }

  /** Brings the buffer up to `nowMs` (a read of the level at that time; a time before the last one is a no-op). */
  private advanceTo(nowMs: number): void {
    let elapsedMs = nowMs - this.lastMs;
    if (elapsedMs <= 0) return;
    this.lastMs = nowMs;
    if (!this.isStarted) {
      const startMs = this.pendingStartMs;
      if (startMs === null || nowMs <= startMs) return;
      // the playhead started at startMs, between the last read and now
      this.pendingStartMs = null;
      this.isStarted = true;
      this.startMs = startMs;
      elapsedMs = nowMs - startMs;
    }
    const playedMs = elapsedMs * this.rate;
    if (playedMs <= this.levelMs) {
      this.levelMs -= playedMs;
      return;
    }
    const starvedMs = (playedMs - this.levelMs) / this.rate;
    this.levelMs = 0;
    if (this.ended) return;
    this.totalStallMs += starvedMs;
    if (!this.stalled) {
      this.stalled = true;
      this.stalls++;
    }
  }

  bufferLevelMs(): number {
    this.advance();
    return this.levelMs;
  }

  /**
   * Replays a level read at `atMs` (at most the clock's now): the same arithmetic as a `bufferLevelMs()` call
   * made then, so a simulator that skipped a progress point keeps its floating-point results identical.
   */
  settleAt(atMs: number): void {
    this.advanceTo(atMs);
  }

  append(segment: AppendedSegment): void {
    this.advance();
    this.levelMs += this.skipMs > 0 ? Math.max(0, segment.durationMs - this.skipMs) : segment.durationMs;
    this.skipMs = 0;
    this.stalled = false;
    if (!this.isStarted) {
      if (this.startDelayMs > 0) this.pendingStartMs ??= this.lastMs + this.startDelayMs;
      else {
        this.isStarted = true;
        this.startMs = this.lastMs;
      }
    }
  }

  stallMs(): number {
    this.advance();
    return this.totalStallMs;
  }

  stallCount(): number {
    this.advance();
    return this.stalls;
  }

  started(): boolean {
    if (this.pendingStartMs !== null) this.advance();
    return this.isStarted;
  }

  /** Clock time playback started, null before. */
  startedAtMs(): number | null {
    if (this.pendingStartMs !== null) this.advance();
    return this.startMs;
  }

  playbackRate(): number {
    return this.rate;
  }

  /** Plays at `rate` from now on (live catch-up); the time so far played at the old rate. */
  setPlaybackRate(rate: number): void {
    if (!(rate > 0) || !Number.isFinite(rate))
      throw invalidArgument('playbackRate', `must be > 0, got ${rate}`);
    this.advance();
    this.rate = rate;
  }

  endOfStream(): void {
    this.advance();
    this.ended = true;
  }
}
