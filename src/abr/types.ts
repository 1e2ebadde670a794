import type { DownloadProgress, DownloadSample, Rendition } from '../core/types.js';
import type { ThroughputEstimate } from '../estimators/types.js';

/**
 * The snapshot an algorithm decides from (STYLE.md #2): everything it may know, passed in; nothing read
 * from globals. Built by the session loop, identically in the simulator, the player and the hls.js adapter.
 */
export interface AbrContext {
  readonly nowMs: number;
  /** The segment about to be fetched, 0-based. */
  readonly segmentIndex: number;
  /** Segments in the session (VOD), or Infinity. */
  readonly segmentCount: number;
  readonly segmentDurationMs: number;
  /** Ascending by bitrate; `renditions[i].index === i`. */
  readonly renditions: readonly Rendition[];
  /**
   * Size of any segment at any rendition when known (segment-size tables, byte ranges), else null.
   * A function rather than an array so that lookahead costs nothing when unused.
   */
  segmentSizeBytes(segmentIndex: number, renditionIndex: number): number | null;
  /** Rendition of the previous segment, null before the first. */
  readonly lastRenditionIndex: number | null;
  /** Seconds of media buffered ahead of the playhead, in ms. */
  readonly bufferLevelMs: number;
  /** The buffer the session aims to keep (max buffer): no download starts while the buffer is above it. */
  readonly bufferTargetMs: number;
  readonly playbackRate: number;
  /** Output of the session's throughput estimator. */
  readonly throughput: ThroughputEstimate;
  /** Estimated time to first byte, null before any sample. */
  readonly latencyMs: number | null;
  /** Highest rendition allowed (capping to the element size, user limits); algorithms must not exceed it. */
  readonly maxRenditionIndex: number;
  /** True until playback has started (the first segment(s)). */
  readonly startingUp: boolean;
  /**
   * Live streams only (absent for VOD): the latency (live edge − playhead), the live edge (media time
   * produced so far, on the session's timeline where segment i starts at i·segmentDurationMs), the latency
   * target, and the playback rate (the catch-up's). `bufferTargetMs` is then bounded by the latency target.
   */
  readonly live?: {
    readonly latencyMs: number;
    readonly liveEdgeMs: number;
    readonly targetLatencyMs: number;
    readonly playbackRate: number;
  };
}

export interface AbrDecision {
  readonly renditionIndex: number;
  /** Optional pause before the download starts (BOLA's oscillation guard), ms. */
  readonly delayMs?: number;
  /** Human-readable why, shown in logs, decision$ and the demo. */
  readonly reason: string;
}

export interface AbrAlgorithm {
  readonly name: string;
  /** Called once per segment, before its download. */
  choose(ctx: AbrContext): AbrDecision;
  /**
   * Called on download progress (every few tens of ms or kB). Return a lower rendition index to abandon
   * the download and fetch this segment again at that rendition, or null to keep going.
   */
  shouldAbandon?(progress: DownloadProgress, ctx: AbrContext): number | null;
  /**
   * Optional, for the simulator (src/sim/trace-source.ts skips the progress points before it): called right
   * after `shouldAbandon` returned null, the earliest time (ms, session clock) at which it could return
   * anything else for this download, given that until the download ends nothing changes but the clock, the
   * bytes loaded (non-decreasing) and the buffer (draining at `ctx.playbackRate`, floored at 0). It must be
   * conservative, and `shouldAbandon` must change no state when it returns null. `nowMs` or less: no skip.
   */
  abandonQuietUntilMs?(progress: DownloadProgress, ctx: AbrContext): number;
  /**
   * Optional, for the simulator, called with `abandonQuietUntilMs`: a time `D` such that `shouldAbandon`
   * returns null at every later point of this download (at least 1 ms after its first byte, at
   * `firstByteMs`) whose bytes are on pace to end by `D`:
   * `loadedBytes * (D - firstByteMs) >= totalBytes * (nowMs - firstByteMs)`. NaN: no such rule.
   */
  abandonQuietOnPaceMs?(progress: DownloadProgress, ctx: AbrContext): number;
  /** Called after every download (including aborted ones). */
  onDownloaded?(sample: DownloadSample, ctx: AbrContext): void;
  /** Called when the session idled (waiting for buffer room), ms. */
  onIdle?(durationMs: number): void;
  /** Forget per-session state (new session, seek). */
  reset?(): void;
}

export type AbrOptions = Readonly<Record<string, unknown>>;

export type AbrFactory = (options?: AbrOptions) => AbrAlgorithm;

/**
 * The runtime part of one option of an algorithm: what validation needs (src/abr/options.ts). The player
 * bundles only this; the human-facing description lives in the algorithm's {@link AbrAlgorithmDocs}.
 */
export interface AbrOptionCore {
  readonly name: string;
  readonly type: 'number' | 'integer' | 'boolean' | 'string';
  readonly default: number | boolean | string;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
}

/** Describes one option of an algorithm, for the registry, `abrkit algos` and the demo's pickers. */
export interface AbrOptionSpec extends AbrOptionCore {
  readonly description: string;
}

/**
 * The runtime part of an algorithm (name, option specs without descriptions, factory): what the player and
 * the factories use. Each algorithm file exports one (`bolaInfo`) beside its {@link AbrAlgorithmDocs}
 * (`bolaDocs`); the registry joins them into an {@link AbrAlgorithmInfo}.
 */
export interface AbrAlgorithmCore {
  readonly name: string;
  readonly options: readonly AbrOptionCore[];
  /** Needs the whole trace in advance (the offline optimum): simulator only. */
  readonly offline?: boolean;
  readonly create: AbrFactory;
}

/** The human-facing text of an algorithm: for `abrkit algos`, the demo's pickers and docs, not the player. */
export interface AbrAlgorithmDocs {
  readonly description: string;
  /** Paper or source the algorithm follows. */
  readonly citation: string;
  /** Description of each option, by option name (every option of the algorithm's core). */
  readonly options: Readonly<Record<string, string>>;
}

/** An algorithm with its docs, as the registry lists it (`listAlgorithms()`, `getAlgorithmInfo()`). */
export interface AbrAlgorithmInfo extends AbrAlgorithmCore {
  readonly description: string;
  /** Paper or source the algorithm follows. */
  readonly citation: string;
  readonly options: readonly AbrOptionSpec[];
}
