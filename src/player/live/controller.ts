/**
 * Live playback for the player (issue 16), in a chunk of its own that `load()` imports only for a media
 * playlist without `#EXT-X-ENDLIST`, so VOD pages do not load it (bench/player-bundle.ts).
 *
 * - **Reloads** every media playlist of the ladder (video renditions and the audio one) about every target
 *   duration, half of it when the playing rendition's playlist did not change, backing off on failure
 *   (policy.ts `reloadDelayMs`); each failure is a recoverable `loadRetry` event. The windows are merged into
 *   one growing timeline per track (timeline.ts), so the session loop's segment indices stay valid.
 * - **Tells the session loop** when a segment is listed (it decides and fetches only then: `sessionLive`,
 *   as the simulator's live schedule does) and where the live edge is; the session sees `segmentCount: Infinity`.
 * - **Starts** `liveSyncDurationMs` behind the live edge (default three target durations, hls.js
 *   `liveSyncDurationCount: 3`); the session loop **catches up** to that latency with `playbackRate` (the
 *   simulator's policy, src/session/live.ts, up to `liveMaxPlaybackRate`); this **jumps** back to it when the
 *   latency exceeds `liveMaxLatencyMs` or the playhead fell out of the server's window.
 * - **Reports** `latency` (wall clock − EXT-X-PROGRAM-DATE-TIME of what plays, or the distance to the edge
 *   when the playlists carry no date) twice a second.
 * - **Fails** with `LIVE_STREAM_STALLED` when no playlist gained a segment for `liveStallTimeoutMs`.
 * - **Ends**: a reload of the playing rendition's playlist showing ENDLIST stops reloading and the latency
 *   tick; the session plays to the last segment listed, and when it asks for the next one the player is told
 *   (`host.endOfStream`: it stops the session and ends the MediaSource, so the element plays out and ends).
 * - A segment listed but missing (404 at the edge) is asked again after half a target duration, twice, before
 *   the player's fallback hook sees the error; one no rendition can deliver is skipped (a jump past it).
 *
 * Eviction behind the playhead is the sink's (`backBufferMs`), as for VOD.
 */
import type { Clock } from '../../core/clock.js';
import { AbrkitError } from '../../core/errors.js';
import { parseMediaPlaylist } from '../../manifest/media.js';
import type { MediaSegment } from '../../manifest/model.js';
import { readBaseDecodeTimeS, readTimescale } from '../../mse/timestamps.js';
import type { RetryPolicy } from '../../net/retry.js';
import type { CatchUpOptions, SessionLive } from '../../session/live.js';
import { catchUpOptions, shouldSeekToLive } from '../../session/live.js';
import type { RetryHook } from '../../session/types.js';
import type { Emitter } from '../../core/events.js';
import type { PlayerEvents, PlayerLatency } from '../events.js';
import type { PayloadCheck } from '../fetch-source.js';
import type { PlayerLadder } from '../ladder.js';
import type { LoadPresentationOptions } from '../load-presentation.js';
import { fetchText } from '../load-presentation.js';
import type { ResolvedPlayerOptions } from '../options.js';
import type { TimelineOffsets } from '../timeline-offsets.js';
import { liveSyncPositionMs, reloadDelayMs } from './policy.js';
import { LiveTrack, isGap, placeAgainst, programDateTimeAt, segmentIndexAt } from './timeline.js';

/** What the player lends the live controller. */
export interface LiveHost {
  readonly clock: Clock;
  readonly options: ResolvedPlayerOptions;
  readonly video: HTMLMediaElement;
  /** The options `load()` fetched the playlists with (abort signal, timeouts, requests in flight). */
  readonly fetchOptions: LoadPresentationOptions;
  /** The player's events: `latency`, `loadRetry` and `retry` are emitted there, `decision` is read. */
  readonly emitter: Emitter<PlayerEvents>;
  fail(error: AbrkitError): void;
  /** The player's `seek` (stops the session, restarts it at the segment there). */
  seek(positionS: number): void;
  /** The stream ended (ENDLIST): stop the session and let the element play out what is buffered. */
  endOfStream(): void;
  bufferLevelMs(): number;
  /** Wall clock, epoch ms (default `Date.now`): what EXT-X-PROGRAM-DATE-TIME is compared with. */
  wallClockMs?(): number;
}

/** A single try per reload: the next reload is the retry. */
const NO_RETRY: RetryPolicy = { baseDelayMs: 0, maxDelayMs: 0, maxTotalMs: 0, maxRetries: 0 };
/** How often latency is measured, the rate adjusted and the stall limit checked, ms. */
const TICK_MS = 500;
/** Segments kept behind the playhead and the window before they are freed, in target durations. */
const TRIM_MARGIN_TARGETS = 3;
/** Tries of a listed segment answering 404 before the fallback hook hears of it. */
const EDGE_404_TRIES = 2;

export class LiveController {
  /** The ladder with live tracks for playlists; `segmentCount` and `durationMs` are infinite. */
  readonly ladder: PlayerLadder;
  readonly targetLatencyMs: number;
  readonly maxLatencyMs: number;
  /** The session's catch-up (src/session/live.ts) with this player's bounds. */
  private readonly catchUp: CatchUpOptions;
  private readonly video: LiveTrack[];
  private readonly audio: LiveTrack | null;
  private readonly waiters = new Set<() => void>();
  private readonly failures = new Map<LiveTrack, number>();
  private readonly missing = new Map<number, number>();
  private cancelReload: (() => void) | null = null;
  private cancelTick: (() => void) | null = null;
  private stopped = false;
  /** Segments in the stream once a reload showed ENDLIST (the first rendition's count), else null. */
  private endCount: number | null = null;
  private handedOver = false;
  private lastError: AbrkitError | null = null;
  private mediaSource: MediaSource | null = null;
  private offDecision: (() => void) | null = null;
  private lastRendition = 0;

  constructor(
    ladder: PlayerLadder,
    private readonly host: LiveHost,
    url: string,
  ) {
    const now = host.clock.nowMs();
    const playlists = ladder.renditions.map((r) => r.playlist);
    // one media sequence number for index 0 in every video rendition: the latest first one
    const base = Math.max(...playlists.map((p) => p.mediaSequence));
    let reference: LiveTrack | null = null;
    this.video = playlists.map((p) => {
      const track = new LiveTrack(p.uri, p.targetDurationMs, base, now);
      const ref = reference;
      track.merge(p, now, (s) => placeAgainst(s, ref));
      reference ??= track;
      return track;
    });
    const audio = ladder.audio;
    this.audio = null;
    if (audio) {
      const p = audio.playlist;
      this.audio = new LiveTrack(p.uri, p.targetDurationMs, p.mediaSequence, now);
      this.audio.merge(p, now, (s) => placeAgainst(s, reference));
    }
    const first = this.video[0]!;
    const targetDurationMs = first.targetDurationMs;
    const o = host.options;
    this.targetLatencyMs = o.liveSyncDurationMs ?? 3 * targetDurationMs;
    this.maxLatencyMs = o.liveMaxLatencyMs ?? this.targetLatencyMs + 3 * targetDurationMs;
    if (this.maxLatencyMs <= this.targetLatencyMs) {
      throw new AbrkitError(
        'config',
        'OPTION_OUT_OF_RANGE',
        `liveMaxLatencyMs: must be above the latency target (liveSyncDurationMs, ${this.targetLatencyMs} ms for this stream), got ${this.maxLatencyMs}`,
        { data: { source: url, option: 'liveMaxLatencyMs' } },
      );
    }
    this.catchUp = catchUpOptions({
      maxRate: o.liveMaxPlaybackRate,
      maxDriftMs: this.maxLatencyMs - this.targetLatencyMs,
    });
    this.ladder = {
      ...ladder,
      renditions: ladder.renditions.map((r, i) => ({ ...r, playlist: this.video[i]! })),
      audio: audio && this.audio ? { ...audio, playlist: this.audio } : null,
      segmentCount: Infinity,
      durationMs: Infinity,
    };
  }

  /**
   * Where playback starts (and jumps back to), ms on the timeline: where the latency is the target, i.e.
   * `liveSyncDurationMs` behind the edge less the time the edge has been out (by its program date-time, else
   * since the reload that listed it); never past the edge nor before the server's window.
   */
  syncPositionMs(): number {
    const track = this.primary();
    return Math.min(
      track.totalDurationMs,
      liveSyncPositionMs(this.liveEdgeMs(), this.targetLatencyMs, firstPlayable(track)),
    );
  }

  private wallClockMs(): number {
    return this.host.wallClockMs?.() ?? Date.now();
  }

  /** Starts reloading and watching the latency (once the session runs). */
  start(mediaSource: MediaSource): void {
    this.mediaSource = mediaSource;
    this.offDecision = this.host.emitter.on('decision', (d) => (this.lastRendition = d.renditionIndex));
    const ms = mediaSource;
    if (ms.readyState === 'open') {
      try {
        ms.duration = Infinity;
      } catch {
        // an append in progress: the seekable range below is what matters
      }
    }
    this.updateSeekable();
    this.scheduleReload(this.video[0]!.targetDurationMs);
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.offDecision?.();
    this.cancelReload?.();
    this.cancelTick?.();
    this.waiters.clear();
  }

  /** Timestamp offsets that put each discontinuity sequence's media at its place on the live timeline. */
  readonly offsets = (): TimelineOffsets => {
    const bySequence = new Map<number, number>();
    return (segment, bytes, init) => {
      let offsetS = bySequence.get(segment.discontinuitySequence);
      if (offsetS === undefined) {
        const timescale = init ? readTimescale(init) : null;
        const decodeS = timescale === null ? null : readBaseDecodeTimeS(bytes, timescale);
        if (decodeS === null) return 0;
        offsetS = segment.startMs / 1000 - decodeS;
        bySequence.set(segment.discontinuitySequence, offsetS);
      }
      return offsetS;
    };
  };

  /** The segment check without its time check (live media times are placed by `offsets`, not the playlist). */
  check(inner: PayloadCheck): PayloadCheck {
    return (init, part, _startS, durationS, kind) => inner(init, part, null, durationS, kind);
  }

  /**
   * The session loop's view of the stream (src/session/live.ts), for a session starting at segment
   * `segmentOffset`: segment i is ready once listed (with its audio); the live edge is where the wall clock
   * is on the timeline (by EXT-X-PROGRAM-DATE-TIME, else the listed edge moved on since it was listed), from
   * the session's first segment; the session's catch-up plays up to `liveMaxPlaybackRate`.
   */
  sessionLive(segmentOffset: number): SessionLive {
    const originMs = this.video[0]!.segments[segmentOffset]?.startMs ?? 0;
    return {
      targetLatencyMs: this.targetLatencyMs,
      catchUp: this.catchUp,
      liveEdgeMs: () => this.liveEdgeMs() - originMs,
      whenAvailable: (segmentIndex, ready) => {
        const index = segmentIndex + segmentOffset;
        if (this.endCount !== null && index >= this.endCount) {
          this.endStream();
          return () => {};
        }
        if (isGap(this.video[0]!.segments[index])) this.skipPast(index);
        if (this.available(index)) {
          ready();
          return () => {};
        }
        const waiter = (): void => {
          if (this.endCount !== null && index >= this.endCount) {
            this.waiters.delete(waiter);
            this.endStream();
            return;
          }
          if (!this.available(index)) return;
          this.waiters.delete(waiter);
          ready();
        };
        this.waiters.add(waiter);
        return () => this.waiters.delete(waiter);
      },
    };
  }

  /** Where "now" is on the timeline, ms: the live edge the latency is measured from. */
  liveEdgeMs(): number {
    const track = this.primary();
    const last = track.segments[track.segments.length - 1];
    if (!last) return 0;
    const dated = last.programDateTimeMs !== undefined && !isGap(last);
    return dated
      ? last.startMs + this.wallClockMs() - last.programDateTimeMs
      : track.totalDurationMs + this.host.clock.nowMs() - track.lastGrowthMs;
  }

  /**
   * `inner` (the player's fallback hook) with live's rule first: a listed segment answering 404 is asked
   * again after half a target duration (`EDGE_404_TRIES` times); when no rendition delivers it, it is skipped.
   */
  retryHook(inner: RetryHook, segmentOffset: number): RetryHook {
    return (error, request) => {
      const index = request.segmentIndex + segmentOffset;
      if (error.data.status === 404) {
        const tries = (this.missing.get(index) ?? 0) + 1;
        this.missing.set(index, tries);
        if (tries <= EDGE_404_TRIES) {
          const delayMs = this.video[0]!.targetDurationMs / 2;
          this.host.emitter.emit('retry', {
            error,
            segmentIndex: index,
            renditionIndex: request.renditionIndex,
            attempt: request.attempt,
            delayMs,
            nextRenditionIndex: request.renditionIndex,
          });
          return { delayMs };
        }
      }
      const next = inner(error, request);
      if (next !== null || error.data.status !== 404) return next;
      this.skipPast(index);
      return { delayMs: this.video[0]!.targetDurationMs };
    };
  }

  /** True once a reload showed ENDLIST. */
  get ended(): boolean {
    return this.endCount !== null;
  }

  /** The stream ended before the segment the session waits for: once, hand over to the player. */
  private endStream(): void {
    if (this.stopped || this.handedOver) return;
    this.handedOver = true;
    queueMicrotask(() => {
      if (!this.stopped) this.host.endOfStream();
    });
  }

  /** Segment `index` is listed in every rendition's playlist, and the audio that plays with it too. */
  private available(index: number): boolean {
    // every rendition whose playlist is current lists it (one whose last reload failed may lag: the ABR
    // choosing it then gets the fallback hook's next rendition)
    const current = this.video.filter((t) => !this.failures.has(t));
    const listed = (t: LiveTrack): boolean => t.segments[index] !== undefined && !isGap(t.segments[index]);
    const required = current.length > 0 ? current : this.video.slice(0, 1);
    if (!required.every(listed)) return false;
    // (the first rendition's playlist may be the one lagging)
    const segment = required[0]!.segments[index]!;
    const audio = this.audio;
    // the audio that plays with it listed too (within half an audio segment: the rest comes with the next)
    return (
      !audio || audio.totalDurationMs >= segment.startMs + segment.durationMs - audio.targetDurationMs / 2
    );
  }

  /** Jumps to the first listed segment after `index` (a gap, or a segment nobody can deliver). */
  private skipPast(index: number): void {
    const track = this.video[0]!;
    let next: MediaSegment | undefined;
    for (let i = index + 1; i < track.segments.length && !next; i++) {
      if (!isGap(track.segments[i])) next = track.segments[i];
    }
    const at = track.segments[index];
    const positionMs = next ? next.startMs : at ? at.startMs + at.durationMs : track.totalDurationMs;
    queueMicrotask(() => {
      if (!this.stopped) this.host.seek(positionMs / 1000 + 0.01);
    });
  }

  private primary(): LiveTrack {
    return this.video[this.lastRendition] ?? this.video[0]!;
  }

  private scheduleReload(delayMs: number): void {
    if (this.stopped) return;
    this.cancelReload = this.host.clock.setTimer(() => {
      this.cancelReload = null;
      this.reload().catch((error: unknown) => {
        // a bug, not the network (reload failures are caught per playlist): say so rather than stall
        if (this.stopped) return;
        this.stop();
        this.host.fail(new AbrkitError('internal', 'LIVE_RELOAD_FAILED', String(error), { cause: error }));
      });
    }, delayMs);
  }

  private async reload(): Promise<void> {
    const clock = this.host.clock;
    const beganMs = clock.nowMs();
    const primary = this.primary();
    const tracks = this.audio ? [...this.video, this.audio] : this.video;
    const options = {
      ...this.host.fetchOptions,
      retry: NO_RETRY,
      timeoutMs: Math.min(this.host.fetchOptions.timeoutMs, 2 * primary.targetDurationMs),
    };
    const results = await Promise.allSettled(
      tracks.map(async (t) => parseMediaPlaylist(await fetchText(t.uri, options), t.uri)),
    );
    if (this.stopped) return;
    const nowMs = clock.nowMs();
    let changed = false;
    results.forEach((result, i) => {
      const track = tracks[i]!;
      if (result.status === 'fulfilled') {
        this.failures.delete(track);
        const added = track.merge(result.value, nowMs, (s) => placeAgainst(s, this.video[0]!));
        if (track === primary && added > 0) changed = true;
        return;
      }
      const error =
        result.reason instanceof AbrkitError
          ? result.reason
          : new AbrkitError('network', 'NETWORK_ERROR', String(result.reason), {
              fatal: false,
              data: { source: track.uri },
            });
      const attempt = (this.failures.get(track) ?? 0) + 1;
      this.failures.set(track, attempt);
      this.lastError = error;
      this.host.emitter.emit('loadRetry', {
        error,
        url: track.uri,
        attempt,
        delayMs: reloadDelayMs(track.targetDurationMs, false, attempt, 0),
      });
    });
    this.trim();
    this.updateSeekable();
    // ENDLIST in the playing rendition's playlist: the stream ended, no more reloads; the session plays to
    // the last segment and the element ends
    const primaryResult = results[tracks.indexOf(primary)];
    if (primaryResult?.status === 'fulfilled' && primaryResult.value.endList) {
      this.endCount = primary.segments.length;
      this.cancelTick?.();
      this.cancelTick = null;
    } else
      // the next reload is scheduled whatever the session does with the segments this one listed
      this.scheduleReload(
        reloadDelayMs(primary.targetDurationMs, changed, this.failures.get(primary) ?? 0, nowMs - beganMs),
      );
    for (const waiter of [...this.waiters]) {
      try {
        waiter();
      } catch (error) {
        this.host.fail(
          error instanceof AbrkitError
            ? error
            : new AbrkitError('internal', 'LIVE_SESSION_FAILED', String(error), { cause: error }),
        );
      }
    }
  }

  /**
   * Frees the segments of every track that end more than `TRIM_MARGIN_TARGETS` target durations before both
   * the playhead and the server's window: the timeline then holds the window, what plays and a margin, however
   * long the session (test/player/live.test.ts).
   */
  private trim(): void {
    const first = this.video[0]!;
    const positionMs = this.host.video.currentTime * 1000;
    const beforeMs = Math.min(first.windowStartMs, positionMs) - TRIM_MARGIN_TARGETS * first.targetDurationMs;
    for (const track of this.audio ? [...this.video, this.audio] : this.video) track.trim(beforeMs);
  }

  /** The element may seek anywhere in the server's window (MSE `setLiveSeekableRange`). */
  private updateSeekable(): void {
    const ms = this.mediaSource;
    const track = this.video[0]!;
    if (!ms || ms.readyState !== 'open' || typeof ms.setLiveSeekableRange !== 'function') return;
    try {
      ms.setLiveSeekableRange(Math.max(0, track.windowStartMs) / 1000, track.totalDurationMs / 1000);
    } catch {
      // closed meanwhile
    }
  }

  /** The latency now (see {@link PlayerLatency}). */
  measure(): PlayerLatency {
    const { video, clock } = this.host;
    const positionMs = video.currentTime * 1000;
    return {
      nowMs: clock.nowMs(),
      positionS: video.currentTime,
      liveEdgeS: this.primary().totalDurationMs / 1000,
      latencyMs: this.liveEdgeMs() - positionMs,
      targetLatencyMs: this.targetLatencyMs,
      programDateTimeMs: programDateTimeAt(this.primary(), positionMs),
      playbackRate: video.playbackRate,
    };
  }

  private tick(): void {
    if (this.stopped) return;
    this.cancelTick = this.host.clock.setTimer(() => this.tick(), TICK_MS);
    const { video, clock, options } = this.host;
    const stalledForMs = clock.nowMs() - Math.max(...this.video.map((t) => t.lastGrowthMs));
    if (stalledForMs > options.liveStallTimeoutMs) {
      this.stop();
      this.host.fail(
        new AbrkitError(
          'network',
          'LIVE_STREAM_STALLED',
          `no new segment for ${Math.round(stalledForMs)} ms (liveStallTimeoutMs: ${options.liveStallTimeoutMs})`,
          {
            data: {
              source: this.primary().uri,
              ...(this.lastError ? { lastError: this.lastError.message } : {}),
            },
            ...(this.lastError ? { cause: this.lastError } : {}),
          },
        ),
      );
      return;
    }
    if (video.readyState === 0 || video.seeking) return;
    const latency = this.measure();
    this.host.emitter.emit('latency', latency);
    if (video.paused) return;
    const positionMs = video.currentTime * 1000;
    // too far behind for the catch-up (src/session/live.ts), or out of the server's window: jump
    if (
      shouldSeekToLive(latency.latencyMs, this.targetLatencyMs, this.catchUp) ||
      positionMs < this.primary().windowStartMs - 1
    ) {
      this.host.seek(this.syncPositionMs() / 1000);
    }
  }
}

/** Start of the first segment of the server's current window that is not a gap. */
function firstPlayable(track: LiveTrack): number {
  const i = Math.max(0, segmentIndexAt(track, track.windowStartMs));
  for (let k = i; k < track.segments.length; k++)
    if (!isGap(track.segments[k])) return track.segments[k]!.startMs;
  return track.windowStartMs;
}
