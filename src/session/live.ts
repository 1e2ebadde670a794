/**
 * Live streaming for the session loop (pure): what the loop needs to know about a live stream
 * ({@link SessionLive}), a schedule for a stream on a clock ({@link clockLiveSchedule}, the simulator's), and
 * the playback-rate catch-up policy the loop and the player share ({@link catchUpPlaybackRate}).
 *
 * Media time: the session's segment i spans [i·d, (i+1)·d) of media time (d = the segment duration), so the
 * live edge, the playhead and the latency are all on that line: latency = live edge − playhead, the
 * "how far behind live" a viewer sees (with EXT-X-PROGRAM-DATE-TIME: wall clock − the playhead's date).
 *
 * Catch-up follows the players that do it: a playback rate above 1 when the latency is above the target,
 * bounded (default 1.0-1.1, as hls.js's `maxLiveSyncPlaybackRate` and dash.js's `liveCatchup.playbackRate`
 * bound it), a smooth S-curve of the deviation (dash.js CatchupController's shape: the rate moves from 1
 * toward the bound as the deviation grows, half-way at ~0.2 s with the default steepness), a dead band
 * around the target, and no speed-up of latency the buffer does not hold, nor below a floor of buffer
 * (dash.js `playbackBufferMin`, 0.5 s, or a segment's duration in the session): speeding up then only
 * brings the next stall sooner. Beyond `maxDriftMs` a player seeks instead
 * ({@link shouldSeekToLive}; hls.js `liveMaxLatencyDuration`, dash.js `liveCatchup.maxDrift`).
 */
import type { Clock } from '../core/clock.js';
import { invalidArgument } from '../core/errors.js';

/** What the session loop needs to play a live stream (`SessionOptions.live`). */
export interface SessionLive {
  /** The latency the session aims for, ms. The buffer is bounded by it (see the session). */
  readonly targetLatencyMs: number;
  /**
   * Calls `ready` once segment `segmentIndex` can be fetched: at once (synchronously) when it already can.
   * Returns a cancel function; `ready` is never called after it. The simulator's schedule waits on its
   * clock; the player's waits for a playlist reload that lists the segment.
   */
  whenAvailable(segmentIndex: number, ready: () => void): () => void;
  /** The live edge at `nowMs`: media time (ms, on the session's timeline) produced so far. */
  liveEdgeMs(nowMs: number): number;
  /** Catch-up policy; `null` leaves the playback rate alone. Default: {@link DEFAULT_CATCH_UP}. */
  readonly catchUp?: Partial<CatchUpOptions> | null;
  /** How often the session re-evaluates the playback rate, ms (default 250). */
  readonly rateIntervalMs?: number;
}

/** The live state the session exposes (AbrContext.live, records). */
export interface LiveState {
  readonly latencyMs: number;
  readonly liveEdgeMs: number;
  readonly targetLatencyMs: number;
  readonly playbackRate: number;
}

export interface CatchUpOptions {
  /** Slowest rate (1: never slow down, as hls.js). */
  readonly minRate: number;
  /** Fastest rate. */
  readonly maxRate: number;
  /** No change while |latency − target| is within this, ms. */
  readonly toleranceMs: number;
  /** No speed-up below this buffer, ms (dash.js playbackBufferMin: 500 ms). */
  readonly minBufferMs: number;
  /** Steepness of the S-curve, per second of deviation (dash.js: 5). */
  readonly steepnessPerS: number;
  /** Seek when the latency exceeds the target by more than this, ms. */
  readonly maxDriftMs: number;
}

export const DEFAULT_CATCH_UP: CatchUpOptions = {
  minRate: 1,
  maxRate: 1.1,
  toleranceMs: 100,
  minBufferMs: 500,
  steepnessPerS: 5,
  maxDriftMs: 6000,
};

/** Checks and completes catch-up options; throws a TypeError naming the bad one. */
export function catchUpOptions(partial: Partial<CatchUpOptions> = {}): CatchUpOptions {
  const o = { ...DEFAULT_CATCH_UP, ...partial };
  if (!(o.minRate > 0 && o.minRate <= 1))
    throw invalidArgument('catchUp.minRate', `must be in (0, 1], got ${o.minRate}`);
  if (!(o.maxRate >= 1 && o.maxRate <= 4))
    throw invalidArgument('catchUp.maxRate', `must be in [1, 4], got ${o.maxRate}`);
  for (const key of ['toleranceMs', 'minBufferMs', 'steepnessPerS', 'maxDriftMs'] as const)
    if (!(o[key] >= 0 && Number.isFinite(o[key])))
      throw invalidArgument(`catchUp.${key}`, `must be a finite number ≥ 0, got ${o[key]}`);
  return o;
}

/**
 * The playback rate for a latency: 1 within the dead band; below the target, 1 − (1 − min)·tanh(k·|δ|/2)
 * (1 with the default `minRate`); above it, 1 + (max − 1)·tanh(k·δ'/2), an S-curve from 1 to `maxRate`, of
 * the part of the deviation the buffer holds: δ' = min(δ, buffer − floor) with floor = max(`minBufferMs`,
 * `safeBufferMs`). Playing faster only moves the playhead through the buffer, so latency that is not
 * buffered (the distance from the newest segment to the edge: at least a segment's duration plus its
 * download) cannot be caught up; chasing it drains the buffer into a stall, which adds the latency back.
 * The session passes the segment duration as `safeBufferMs`. Always in [minRate, maxRate].
 */
export function catchUpPlaybackRate(
  state: {
    readonly latencyMs: number;
    readonly targetLatencyMs: number;
    readonly bufferLevelMs: number;
    /** Buffer kept out of the catch-up, ms (the session: the segment duration). */
    readonly safeBufferMs?: number;
  },
  options: CatchUpOptions = DEFAULT_CATCH_UP,
): number {
  const deviationMs = state.latencyMs - state.targetLatencyMs;
  if (!Number.isFinite(deviationMs) || Math.abs(deviationMs) <= options.toleranceMs) return 1;
  if (deviationMs < 0) {
    const curve = Math.tanh((options.steepnessPerS * -deviationMs) / 2000);
    return Math.max(options.minRate, 1 - (1 - options.minRate) * curve);
  }
  const floorMs = Math.max(options.minBufferMs, state.safeBufferMs ?? 0);
  const catchableMs = Math.min(deviationMs, state.bufferLevelMs - floorMs);
  if (!(catchableMs > options.toleranceMs)) return 1;
  const curve = Math.tanh((options.steepnessPerS * catchableMs) / 2000);
  return Math.min(options.maxRate, 1 + (options.maxRate - 1) * curve);
}

/** True when the latency is so far above the target that a player should seek to the target instead. */
export function shouldSeekToLive(
  latencyMs: number,
  targetLatencyMs: number,
  options: CatchUpOptions = DEFAULT_CATCH_UP,
): boolean {
  return latencyMs - targetLatencyMs > options.maxDriftMs;
}

export interface ClockLiveScheduleOptions {
  readonly clock: Clock;
  readonly segmentDurationMs: number;
  readonly targetLatencyMs: number;
  /**
   * The live edge when the session starts (clock time `startMs`), ms of media time (default
   * `targetLatencyMs`: the viewer joins at the target latency, segment 0 starting that far behind the edge).
   */
  readonly edgeAtStartMs?: number;
  /** Clock time at which the session starts (default: the clock's now). */
  readonly startMs?: number;
  /**
   * Time from a segment's production to the player's knowing of it, ms (default 0): a player learns of a
   * segment when a playlist reload lists it, so with reloads every target duration it fetches each segment
   * at a fixed phase after the server has it. The live edge (and the latency) stay the server's.
   */
  readonly listingDelayMs?: number;
  /**
   * Clock time at which the player knows of segment i (the end of the playlist reload that lists it), or
   * null when no reload does: then it is `listingDelayMs` after its availability. `listingDelayMs` is added to
   * a time this gives too (what follows a reload before the request: parsing, the decision). Default: none.
   */
  readonly listedAtMs?: (segmentIndex: number, availableAtMs: number) => number | null;
  readonly catchUp?: Partial<CatchUpOptions> | null;
  readonly rateIntervalMs?: number;
}

/**
 * A live stream on a clock, for the simulator: the edge advances in real time from `edgeAtStartMs`, and
 * segment i becomes available when its end reaches the edge, at clock `startMs + (i+1)·d − edgeAtStartMs`,
 * and can be fetched `listingDelayMs` after that, or after the reload that lists it (`listedAtMs`).
 */
export function clockLiveSchedule(options: ClockLiveScheduleOptions): SessionLive {
  const { clock, segmentDurationMs: d, targetLatencyMs } = options;
  if (!(d > 0)) throw invalidArgument('segmentDurationMs', `must be > 0, got ${d}`);
  if (!(targetLatencyMs > 0 && Number.isFinite(targetLatencyMs)))
    throw invalidArgument('targetLatencyMs', `must be a finite number > 0, got ${targetLatencyMs}`);
  const edgeAtStartMs = options.edgeAtStartMs ?? targetLatencyMs;
  if (!(edgeAtStartMs >= 0 && Number.isFinite(edgeAtStartMs)))
    throw invalidArgument('edgeAtStartMs', `must be a finite number ≥ 0, got ${edgeAtStartMs}`);
  const startMs = options.startMs ?? clock.nowMs();
  const listingDelayMs = options.listingDelayMs ?? 0;
  if (!(listingDelayMs >= 0 && Number.isFinite(listingDelayMs)))
    throw invalidArgument('listingDelayMs', `must be a finite number ≥ 0, got ${listingDelayMs}`);
  return {
    targetLatencyMs,
    ...(options.catchUp === undefined ? {} : { catchUp: options.catchUp }),
    ...(options.rateIntervalMs === undefined ? {} : { rateIntervalMs: options.rateIntervalMs }),
    liveEdgeMs: (nowMs) => nowMs - startMs + edgeAtStartMs,
    whenAvailable(segmentIndex, ready) {
      const availableAtMs = startMs + (segmentIndex + 1) * d - edgeAtStartMs;
      const listedMs = options.listedAtMs?.(segmentIndex, availableAtMs) ?? availableAtMs;
      const waitMs = listedMs + listingDelayMs - clock.nowMs();
      if (waitMs <= 0) {
        ready();
        return () => {};
      }
      return clock.setTimer(ready, waitMs);
    },
  };
}
