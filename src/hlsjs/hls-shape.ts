/**
 * The part of hls.js (1.7) the adapter touches, as small structural types. The adapter is written against
 * these rather than hls.js's own classes so that (1) it never imports hls.js at run time (the app passes its
 * own `Hls`, and its bundle keeps one copy), and (2) its unit tests drive it with a plain fake event bus.
 * A real `Hls` instance satisfies `HlsLike`; the names and meanings are hls.js's (see its `src/hls.ts`,
 * `src/loader/fragment.ts`, `src/types/loader.ts`).
 */

/** hls.js event names the adapter listens to or triggers (hls.js `Events` enum values, which are stable strings). */
export const HLS_EVENTS = {
  MANIFEST_LOADING: 'hlsManifestLoading',
  LEVELS_UPDATED: 'hlsLevelsUpdated',
  FRAG_LOADING: 'hlsFragLoading',
  FRAG_LOADED: 'hlsFragLoaded',
  FRAG_LOAD_EMERGENCY_ABORTED: 'hlsFragLoadEmergencyAborted',
  ERROR: 'hlsError',
} as const;

export type HlsEventName = (typeof HLS_EVENTS)[keyof typeof HLS_EVENTS];

/** hls.js `HlsPerformanceTiming` / `HlsProgressivePerformanceTiming`: `performance.now()` timestamps, 0 = not yet. */
export interface HlsTimingLike {
  start: number;
  first?: number;
  end: number;
}

/** hls.js `LoaderStats`: bytes so far (`loaded`), Content-Length (`total`, 0 when unknown), timings. */
export interface HlsLoaderStatsLike {
  aborted: boolean;
  loaded: number;
  total: number;
  loading: HlsTimingLike;
}

/** hls.js `Fragment` (or `Part`): `type` 'main' | 'audio' | 'subtitle'; `sn` 'initSegment' for init segments. */
export interface HlsFragmentLike {
  readonly type: string;
  readonly sn: number | 'initSegment';
  readonly level: number;
  readonly duration: number;
  readonly stats: HlsLoaderStatsLike;
  readonly bitrateTest?: boolean;
  readonly byteRangeStartOffset?: number | undefined;
  readonly byteRangeEndOffset?: number | undefined;
  abortRequests?(): void;
}

/** hls.js `LevelDetails` (the media playlist of one level, once loaded). */
export interface HlsLevelDetailsLike {
  readonly live: boolean;
  readonly startSN: number;
  readonly targetduration: number;
  readonly fragments: readonly HlsFragmentLike[];
}

/** hls.js `Level`: `bitrate` is BANDWIDTH, `averageBitrate` AVERAGE-BANDWIDTH when given (else measured or BANDWIDTH). */
export interface HlsLevelLike {
  readonly bitrate: number;
  readonly averageBitrate?: number;
  /** max(BANDWIDTH, measured bitrate). */
  readonly maxBitrate?: number;
  readonly width?: number;
  readonly height?: number;
  readonly frameRate?: number;
  readonly codecSet?: string;
  readonly videoCodec?: string | undefined;
  readonly details?: HlsLevelDetailsLike | undefined;
}

/** The `HTMLMediaElement` members read for the buffer level. */
export interface HlsMediaLike {
  readonly currentTime: number;
  readonly playbackRate: number;
  readonly paused?: boolean;
  readonly buffered: { readonly length: number; start(i: number): number; end(i: number): number };
}

/** The hls.js `Hls` members the adapter uses. */
export interface HlsLike {
  readonly levels: readonly HlsLevelLike[];
  readonly media: HlsMediaLike | null;
  readonly config: {
    /** Buffer hls.js aims for, s (default 30); raised for low bitrates up to `maxBufferSize`. */
    readonly maxBufferLength?: number;
    /** Bytes hls.js may buffer ahead (default 60 MB). */
    readonly maxBufferSize?: number;
    /** Upper bound of the buffer target, s (default 600). */
    readonly maxMaxBufferLength?: number;
    abrEwmaDefaultEstimate?: number;
  };
  readonly autoLevelCapping: number;
  /** Highest level ABR may pick (capping, HDCP); absent on fakes: derived from `autoLevelCapping`. */
  readonly maxAutoLevel?: number;
  /** Lowest level ABR may pick (`minAutoBitrate`). */
  readonly minAutoLevel?: number;
  /** False when the app chose a level by hand (`hls.currentLevel = n`): no emergency switches then. */
  readonly autoLevelEnabled?: boolean;
  /** Live: the distance from the playhead to the live edge, s (hls.js `latency`; 0 before it is known). */
  readonly latency?: number;
  /** Live: the latency hls.js aims for, s, or null (hls.js `targetLatency`: liveSyncDuration and drift). */
  readonly targetLatency?: number | null;
  nextLoadLevel: number;
  on(event: string, listener: (event: string, data: never) => void, context?: unknown): void;
  off(event: string, listener: (event: string, data: never) => void, context?: unknown): void;
  trigger(event: string, data: unknown): boolean;
}

export interface HlsFragLoadingData {
  readonly frag: HlsFragmentLike;
  readonly part?: HlsFragmentLike | null;
}

export interface HlsFragLoadedData {
  readonly frag: HlsFragmentLike;
  readonly part?: HlsFragmentLike | null;
}

export interface HlsErrorData {
  readonly fatal: boolean;
  readonly details?: string;
  readonly frag?: HlsFragmentLike;
}

/** True for a fragment abrkit's video estimate uses: main playlist media, not an init segment (as hls.js). */
export function isMainMediaFragment(frag: HlsFragmentLike): boolean {
  return frag.type === 'main' && frag.sn !== 'initSegment';
}
