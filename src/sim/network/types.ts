/**
 * Network models of the simulator: deterministic functions of time (and, for Pensieve's, of the downloads
 * so far) that say when a download's first and last bytes arrive and how many bytes arrived by any time.
 * Free of Node APIs: they only do arithmetic on the trace.
 */

export type NetworkModelName = 'pensieve' | 'sabre' | 'abrkit';

/** One download's schedule, computed when it starts. */
export interface TransferPlan {
  readonly startMs: number;
  readonly sizeBytes: number;
  readonly firstByteMs: number;
  readonly endMs: number;
  /** Bytes arrived by `tMs`: 0 until the first byte, `sizeBytes` from `endMs` on. */
  loadedBytesAt(tMs: number): number;
  /** When the first `bytes` bytes have arrived (`bytes` clamped to [0, sizeBytes]). */
  timeAtBytes(bytes: number): number;
  /**
   * Optional fast path of a simulator skipping progress points (src/sim/trace-source.ts): the same points,
   * bytes and clock times as the loop there makes with `loadedBytesAt` and `timeAtBytes` (same calls, same
   * order, same floats), without a call per point. See {@link ProgressWalk}.
   */
  walkProgress?(walk: ProgressWalk, times: number[]): void;
}

/**
 * The pace rule of a skip applies from this long after the first byte (`LoadHandle.skipProgressUntil`), ms:
 * closer to it, a rule's own arithmetic on the transfer time could round too coarsely for its bound.
 */
export const PACE_MIN_TRANSFER_MS = 1;

/**
 * A walk along a download's progress points, each `max(last + minMs, timeAtBytes(lastBytes + minBytes))` with
 * `lastBytes = loadedBytesAt(last)`: while the next point `nextMs` is before the end of the download and
 * either before `untilMs` or on pace (`paceByMs`: at least {@link PACE_MIN_TRANSFER_MS} after the first byte,
 * with `loadedBytes * (paceByMs - firstByteMs) >= sizeBytes * (nextMs - firstByteMs)`; NaN: none), it becomes
 * the last one, its clock time (`clockMs += nextMs - clockMs` when positive, as a
 * chain of timers sets it) goes to `times[count++]`, and (unless `count` reached `maxCount`, which stops the
 * walk and sets `full`) the next one is computed. Fields are read at the start and written at the end.
 */
export interface ProgressWalk {
  lastMs: number;
  lastBytes: number;
  nextMs: number;
  clockMs: number;
  count: number;
  full: boolean;
  untilMs: number;
  paceByMs: number;
  maxCount: number;
  minMs: number;
  minBytes: number;
}

/** A network model. Downloads are sequential: `begin`, then `end` before the next `begin`. */
export interface NetworkModel {
  readonly name: NetworkModelName;
  /** Plans a download of `sizeBytes` starting at `startMs` (session clock). */
  begin(startMs: number, sizeBytes: number): TransferPlan;
  /** The download ended at `atMs` (its `endMs`, or earlier when aborted). */
  end(plan: TransferPlan, atMs: number): void;
}

/**
 * The offline optimum's view of a network (src/abr/optimal.ts): pure, no state.
 * `downloadMs(startMs, sizeBytes)` is the request-to-last-byte time of a download starting at `startMs`
 * on the oracle's clock. After it, the oracle's clock stands at `startMs + downloadMs - nonAdvancingMs`:
 * Pensieve's RTT (80 ms) is paid by the player but does not move its trace clock; for Sabre's and
 * abrkit's models `nonAdvancingMs` is 0. Waiting advances the clock one for one.
 */
export interface DownloadOracle {
  readonly network: NetworkModelName;
  downloadMs(startMs: number, sizeBytes: number): number;
  readonly nonAdvancingMs: number;
}
