/**
 * An abrkit algorithm as hls.js's `abrController` (see index.ts for how to build one).
 *
 * What it does, against hls.js 1.7's own AbrController (src/controller/abr-controller.ts):
 * - estimates: on FRAG_LOADED of a main-playlist media fragment (init segments and audio/subtitle
 *   fragments are ignored, as hls.js does) one `DownloadSample` from the loader stats: request at
 *   `loading.start`, first byte at `loading.first`, last byte at `loading.end`, `loaded` bytes. The
 *   throughput estimator therefore sees the bytes as they arrived with the time to first byte apart, and
 *   the latency estimator the TTFB. `bwEstimator` answers `hls.bandwidthEstimate` / `hls.ttfbEstimate`.
 * - decisions: hls.js reads `nextAutoLevel` on every stream-controller tick, but an algorithm's `choose`
 *   has side effects (BOLA's placeholder, the throughput rule's safety factor) and must run once per
 *   segment. So the adapter decides once for the next segment, when no fragment is in flight and the
 *   buffer is below the target, keeps that decision until its FRAG_LOADING, and answers the cached level
 *   meanwhile. `hls.nextAutoLevel = n` (the app, or hls.js's error and level controllers) forces a level
 *   until a fragment of it loads, as in hls.js.
 * - emergency switch: every `abandonCheckIntervalMs` (100 ms, as hls.js) while a main fragment loads, a
 *   `DownloadProgress` from the loader stats goes to `shouldAbandon`; a lower rendition aborts the
 *   fragment (`frag.abortRequests()`), sets `hls.nextLoadLevel`, and triggers FRAG_LOAD_EMERGENCY_ABORTED,
 *   which sends the stream controller back to idle to fetch the same position at the new level.
 * - capping: `hls.maxAutoLevel` (autoLevelCapping, HDCP) becomes `maxRenditionIndex`; `hls.minAutoLevel`
 *   (minAutoBitrate) clamps the answer, as hls.js's `deriveNextAutoLevel` does.
 */
import { Observable } from 'rxjs';
import type { AbrAlgorithm, AbrContext, AbrDecision } from '../abr/types.js';
import type { Clock } from '../core/clock.js';
import { AbrkitError } from '../core/errors.js';
import { Emitter } from '../core/events.js';
import type { DownloadProgress, DownloadSample } from '../core/types.js';
import type { AbrkitBandwidthEstimator } from './bw-estimator.js';
import type { HlsAbrDecision, HlsAbrEvents } from './events.js';
import {
  HLS_EVENTS,
  isMainMediaFragment,
  type HlsErrorData,
  type HlsFragLoadedData,
  type HlsFragLoadingData,
  type HlsFragmentLike,
  type HlsLevelDetailsLike,
  type HlsLike,
  type HlsMediaLike,
  type HlsLoaderStatsLike,
} from './hls-shape.js';
import { buildLevelMap, bufferAheadMs, maxRenditionForLevels, type LevelMap } from './levels.js';

/** Segment duration assumed before any media playlist is loaded, ms (Apple's recommended 6 s). */
export const FALLBACK_SEGMENT_DURATION_MS = 6000;

/** Everything a controller needs besides the `Hls` instance; built once by `createHlsAbrController`. */
export interface ControllerSetup {
  readonly createAlgorithm: () => AbrAlgorithm;
  readonly createEstimator: (hls: HlsLike) => AbrkitBandwidthEstimator;
  readonly clock: Clock;
  /** Overrides `hls.config.maxBufferLength`, ms. */
  readonly bufferTargetMs: number | undefined;
  readonly abandonment: boolean;
  readonly abandonCheckIntervalMs: number;
  /** Feed the bytes of an abandoned download to the estimators (hls.js does). */
  readonly sampleAbortedDownloads: boolean;
  /** Events of every controller of this class (the class's static `events`). */
  readonly classEvents: Emitter<HlsAbrEvents>;
}

interface Pending {
  readonly segmentIndex: number;
  readonly renditionIndex: number;
  readonly level: number;
}

interface Loading {
  readonly frag: HlsFragmentLike;
  readonly part: HlsFragmentLike | null;
  readonly segmentIndex: number;
  readonly renditionIndex: number;
}

type HlsListener = (event: string, data: never) => void;

/** The controller class hls.js instantiates (`new Ctor(hls)`); see the file comment. */
export class AbrkitHlsController {
  /** hls.js reads `getEstimate()` (bps), `getEstimateTTFB()` (ms), `canEstimate()`, `defaultEstimate`. */
  bwEstimator: AbrkitBandwidthEstimator;
  readonly algorithm: AbrAlgorithm;
  /** This controller's events (`on('decision', fn)` returns an unsubscribe function). */
  readonly events: Emitter<HlsAbrEvents>;
  /** The decisions as an rxjs Observable (the player's `decision$`). */
  readonly decision$: Observable<HlsAbrDecision>;

  protected hls: HlsLike | null;
  private readonly setup: ControllerSetup;
  private map: LevelMap | null = null;
  private forcedLevel = -1;
  private pending: Pending | null = null;
  private loading: Loading | null = null;
  private lastRendition: number | null = null;
  private lastSegmentIndex: number | null = null;
  private started = false;
  private cancelTick: (() => void) | null = null;
  /** The level last answered to hls.js, to tell its echo (`hls.nextLoadLevel = l` sets `nextAutoLevel`) from a force. */
  private lastAnswer = -1;
  private readonly listeners: ReadonlyArray<readonly [string, HlsListener]>;

  constructor(hls: HlsLike, setup: ControllerSetup) {
    this.hls = hls;
    this.setup = setup;
    this.algorithm = setup.createAlgorithm();
    this.bwEstimator = setup.createEstimator(hls);
    this.events = new Emitter<HlsAbrEvents>();
    this.decision$ = new Observable<HlsAbrDecision>((subscriber) =>
      this.events.on('decision', (d) => subscriber.next(d)),
    );
    this.listeners = [
      [HLS_EVENTS.MANIFEST_LOADING, () => this.onManifestLoading()],
      [HLS_EVENTS.LEVELS_UPDATED, () => this.onLevelsUpdated()],
      [HLS_EVENTS.FRAG_LOADING, (_e, data: HlsFragLoadingData) => this.onFragLoading(data)],
      [HLS_EVENTS.FRAG_LOADED, (_e, data: HlsFragLoadedData) => this.onFragLoaded(data)],
      [HLS_EVENTS.ERROR, (_e, data: HlsErrorData) => this.onError(data)],
    ];
    for (const [event, listener] of this.listeners) hls.on(event, listener, this);
  }

  /** Subscribes to one of this controller's events; returns the unsubscribe function. */
  on<K extends keyof HlsAbrEvents>(event: K, listener: (payload: HlsAbrEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** The level hls.js should load next (read on every stream-controller tick). */
  get nextAutoLevel(): number {
    const level = this.answerNextLevel();
    this.lastAnswer = level;
    return level;
  }

  private answerNextLevel(): number {
    const hls = this.hls;
    const map = this.levelMap();
    if (!hls || !map) return -1;
    if (this.forcedLevel !== -1) return this.clampLevel(this.forcedLevel);
    if (this.loading) return this.clampLevel(this.levelOf(this.loading.renditionIndex));
    if (this.pending) return this.clampLevel(this.pending.level);
    if (this.lastRendition !== null) {
      // buffer full, or past the last segment: hls.js loads nothing now, so nothing to decide
      const last = this.clampLevel(this.levelOf(this.lastRendition));
      if (bufferAheadMs(hls.media) >= this.bufferTargetMs()) return last;
      const details = this.anyDetails();
      if (details && !details.live && this.nextSegmentIndex() >= details.fragments.length) return last;
    }
    return this.decide(this.nextSegmentIndex()).level;
  }

  /** Forces the next level (hls.js `hls.nextAutoLevel = n`) until a fragment of it has loaded; -1 releases. */
  set nextAutoLevel(level: number) {
    if (level < 0 || !Number.isFinite(level)) {
      this.forcedLevel = -1;
      return;
    }
    const value = this.clampLevel(Math.floor(level));
    // hls.js's level controller echoes the level it was just given back here (`hls.nextLoadLevel = l` sets
    // `hls.nextAutoLevel = l`): that is not a force.
    if (this.forcedLevel === -1 && value === this.lastAnswer) return;
    this.forcedLevel = value;
  }

  /** The level to start with: the algorithm's decision for the first segment. */
  get firstAutoLevel(): number {
    if (!this.hls || !this.levelMap()) return 0;
    let level: number;
    if (this.forcedLevel !== -1) level = this.clampLevel(this.forcedLevel);
    else if (this.pending) level = this.clampLevel(this.pending.level);
    else level = this.decide(this.nextSegmentIndex()).level;
    this.lastAnswer = level;
    return level;
  }

  /** The forced level, -1 when none. */
  get forcedAutoLevel(): number {
    return this.forcedLevel;
  }

  /** Forgets the estimates; with `defaultBps`, that is the estimate until new samples (hls.js `resetEstimator`). */
  resetEstimator(defaultBps?: number): void {
    const hls = this.hls;
    if (!hls) return;
    if (defaultBps !== undefined && defaultBps > 0) hls.config.abrEwmaDefaultEstimate = defaultBps;
    this.bwEstimator.reset(defaultBps);
  }

  /** Removes every listener and timer; the controller answers -1 afterwards. */
  destroy(): void {
    const hls = this.hls;
    if (hls) for (const [event, listener] of this.listeners) hls.off(event, listener, this);
    this.stopTick();
    this.hls = null;
    this.loading = this.pending = null;
    this.events.removeAll();
  }

  /** The snapshot the algorithm decides from, built as the session loop builds it. */
  context(segmentIndex: number): AbrContext {
    const hls = this.hls;
    const map = this.levelMap();
    const media = hls?.media ?? null;
    if (!this.started && media && media.currentTime > 0) this.started = true;
    const details = this.anyDetails();
    const fragment = details?.fragments[segmentIndex];
    const segmentDurationMs =
      fragment && fragment.duration > 0
        ? fragment.duration * 1000
        : details && details.targetduration > 0
          ? details.targetduration * 1000
          : FALLBACK_SEGMENT_DURATION_MS;
    return {
      nowMs: this.setup.clock.nowMs(),
      segmentIndex,
      segmentCount: details && !details.live ? details.fragments.length : Number.POSITIVE_INFINITY,
      segmentDurationMs,
      renditions: map?.renditions ?? [],
      segmentSizeBytes: (segment, rendition) => this.segmentSizeBytes(segment, rendition),
      lastRenditionIndex: this.lastRendition,
      bufferLevelMs: bufferAheadMs(media),
      bufferTargetMs: this.bufferTargetMs(),
      playbackRate: media && media.playbackRate > 0 ? media.playbackRate : 1,
      throughput: this.bwEstimator.throughput.estimate(),
      latencyMs: this.bwEstimator.latency.estimateMs(),
      maxRenditionIndex: map ? maxRenditionForLevels(map, this.maxAutoLevel()) : 0,
      startingUp: !this.started,
      ...(details?.live === true ? this.liveOf(media) : {}),
    };
  }

  /**
   * A live stream's `AbrContext.live` from hls.js's own latency and target (in media time: the edge is the
   * playhead plus the latency), or nothing while hls.js does not know them yet.
   */
  private liveOf(media: HlsMediaLike | null): Pick<AbrContext, 'live'> {
    const latencyS = this.hls?.latency;
    const targetS = this.hls?.targetLatency;
    if (media === null || typeof latencyS !== 'number' || !(latencyS > 0) || typeof targetS !== 'number')
      return {};
    if (!(targetS > 0) || !Number.isFinite(latencyS + targetS)) return {};
    return {
      live: {
        latencyMs: latencyS * 1000,
        liveEdgeMs: (media.currentTime + latencyS) * 1000,
        targetLatencyMs: targetS * 1000,
        playbackRate: media.playbackRate > 0 ? media.playbackRate : 1,
      },
    };
  }

  private decide(segmentIndex: number): Pending {
    const ctx = this.context(segmentIndex);
    const decision = this.algorithm.choose(ctx);
    const renditionIndex = this.checkRendition(decision.renditionIndex, ctx);
    const pending: Pending = {
      segmentIndex,
      renditionIndex,
      level: this.clampLevel(this.levelOf(renditionIndex)),
    };
    this.pending = pending;
    this.emitDecision(ctx, pending, decision, false);
    return pending;
  }

  private checkRendition(index: number, ctx: AbrContext): number {
    if (!Number.isInteger(index) || index < 0 || index >= ctx.renditions.length) {
      this.emit(
        'error',
        new AbrkitError(
          'abr',
          'ABR_BAD_RENDITION',
          `algorithm ${this.algorithm.name} chose rendition ${index}`,
          {
            fatal: false,
            data: { algorithm: this.algorithm.name, renditionIndex: index },
          },
        ),
      );
      return 0;
    }
    return Math.min(index, ctx.maxRenditionIndex);
  }

  private emitDecision(ctx: AbrContext, chosen: Pending, decision: AbrDecision, forced: boolean): void {
    if (this.events.listenerCount('decision') === 0 && this.setup.classEvents.listenerCount('decision') === 0)
      return;
    this.emit('decision', {
      segmentIndex: chosen.segmentIndex,
      renditionIndex: chosen.renditionIndex,
      level: chosen.level,
      bitrateKbps: ctx.renditions[chosen.renditionIndex]?.bitrateKbps ?? 0,
      reason: decision.reason,
      forced,
      delayMs: decision.delayMs ?? 0,
      nowMs: ctx.nowMs,
      bufferLevelMs: ctx.bufferLevelMs,
      throughputKbps: ctx.throughput.throughputKbps,
    });
  }

  private emit<K extends keyof HlsAbrEvents>(event: K, payload: HlsAbrEvents[K]): void {
    this.events.emit(event, payload);
    this.setup.classEvents.emit(event, payload);
  }

  private onManifestLoading(): void {
    this.stopTick();
    this.lastAnswer = -1;
    this.map = null;
    this.forcedLevel = -1;
    this.pending = this.loading = null;
    this.lastRendition = this.lastSegmentIndex = null;
    this.started = false;
    this.algorithm.reset?.();
  }

  private onLevelsUpdated(): void {
    this.map = null;
    this.pending = null;
  }

  private onFragLoading(data: HlsFragLoadingData): void {
    const { frag } = data;
    if (!isMainMediaFragment(frag) || !this.hls) return;
    const map = this.levelMap();
    const segmentIndex = this.segmentIndexOf(frag);
    this.pending = null;
    this.loading = {
      frag,
      part: data.part ?? null,
      segmentIndex,
      renditionIndex: map?.levelToRendition[frag.level] ?? 0,
    };
    this.startTick();
  }

  private onFragLoaded(data: HlsFragLoadedData): void {
    const { frag } = data;
    if (!isMainMediaFragment(frag) || !this.hls) return;
    this.stopTick();
    if (frag.level === this.forcedLevel) this.forcedLevel = -1;
    const segmentIndex = this.segmentIndexOf(frag);
    const renditionIndex = this.levelMap()?.levelToRendition[frag.level] ?? 0;
    this.loading = null;
    const sample = sampleFromStats((data.part ?? frag).stats);
    if (sample) this.feed(sample, segmentIndex, renditionIndex);
    // hls.js's bitrate test (`startLevel: -1` with `testBandwidth`) loads a fragment it does not buffer: it
    // measures the network but the same segment is fetched again.
    if (frag.bitrateTest) return;
    this.lastRendition = renditionIndex;
    this.lastSegmentIndex = segmentIndex;
  }

  private onError(data: HlsErrorData): void {
    const loading = this.loading;
    if (!loading || !data.frag || data.frag !== loading.frag) return;
    // The fragment failed (timeout, HTTP error): hls.js retries it or switches; measure what arrived.
    this.stopTick();
    this.loading = null;
    const sample = sampleFromStats((loading.part ?? loading.frag).stats, this.setup.clock.nowMs());
    if (sample && this.setup.sampleAbortedDownloads) {
      this.feed({ ...sample, aborted: true }, loading.segmentIndex, loading.renditionIndex);
    }
  }

  private feed(sample: DownloadSample, segmentIndex: number, renditionIndex: number): void {
    this.bwEstimator.addSample(sample);
    this.algorithm.onDownloaded?.(sample, this.context(segmentIndex));
    if (this.events.listenerCount('sample') > 0 || this.setup.classEvents.listenerCount('sample') > 0) {
      this.emit('sample', {
        segmentIndex,
        renditionIndex,
        sample,
        throughputKbps: this.bwEstimator.throughput.estimate().throughputKbps,
        latencyMs: this.bwEstimator.latency.estimateMs(),
      });
    }
  }

  private startTick(): void {
    this.stopTick();
    if (!this.setup.abandonment || !this.algorithm.shouldAbandon) return;
    this.cancelTick = this.setup.clock.setTimer(this.tick, this.setup.abandonCheckIntervalMs);
  }

  private stopTick(): void {
    const cancel = this.cancelTick;
    this.cancelTick = null;
    cancel?.();
  }

  private readonly tick = (): void => {
    this.cancelTick = null;
    if (this.checkAbandon() || !this.loading) return;
    this.cancelTick = this.setup.clock.setTimer(this.tick, this.setup.abandonCheckIntervalMs);
  };

  /** One emergency-switch check; true when the timer should stop (done, aborted, switched). */
  private checkAbandon(): boolean {
    const hls = this.hls;
    const loading = this.loading;
    const algorithm = this.algorithm;
    if (!hls || !loading || !algorithm.shouldAbandon) return true;
    const { frag, part } = loading;
    const stats = (part ?? frag).stats;
    if (stats.aborted || (stats.total > 0 && stats.loaded >= stats.total)) return true;
    if (loading.renditionIndex === 0 || frag.bitrateTest) return true; // nothing lower to switch to
    if (hls.autoLevelEnabled === false) return false; // a level chosen by hand: no emergency switch
    const nowMs = this.setup.clock.nowMs();
    const first = stats.loading.first ?? 0;
    const progress: DownloadProgress = {
      segmentIndex: loading.segmentIndex,
      renditionIndex: loading.renditionIndex,
      startMs: stats.loading.start,
      firstByteMs: first > 0 ? first : null,
      nowMs,
      loadedBytes: stats.loaded,
      totalBytes:
        stats.total > 0 ? stats.total : this.segmentSizeBytes(loading.segmentIndex, loading.renditionIndex),
    };
    const ctx = this.context(loading.segmentIndex);
    const lower = algorithm.shouldAbandon(progress, ctx);
    if (lower == null || lower >= loading.renditionIndex) return false;
    const target = this.checkRendition(lower, ctx);
    const level = this.clampLevel(this.levelOf(target));
    this.loading = null;
    const partial: DownloadSample = {
      startMs: progress.startMs,
      firstByteMs: progress.firstByteMs ?? nowMs,
      endMs: nowMs,
      sizeBytes: stats.loaded,
      aborted: true,
    };
    if (this.setup.sampleAbortedDownloads && progress.firstByteMs !== null && stats.loaded > 0) {
      this.feed(partial, loading.segmentIndex, loading.renditionIndex);
    } else {
      this.algorithm.onDownloaded?.(partial, ctx);
    }
    // As hls.js's _abandonRulesCheck: pick the level, abort the request, tell the stream controller.
    this.forcedLevel = level;
    hls.nextLoadLevel = level;
    frag.abortRequests?.();
    hls.trigger(HLS_EVENTS.FRAG_LOAD_EMERGENCY_ABORTED, { frag, part, stats });
    this.emit('abandon', {
      segmentIndex: loading.segmentIndex,
      fromRenditionIndex: loading.renditionIndex,
      toRenditionIndex: target,
      toLevel: level,
      nowMs,
      loadedBytes: progress.loadedBytes,
      totalBytes: progress.totalBytes,
      bufferLevelMs: ctx.bufferLevelMs,
    });
    this.emitDecision(
      ctx,
      { segmentIndex: loading.segmentIndex, renditionIndex: target, level },
      { renditionIndex: target, reason: `abandon rendition ${loading.renditionIndex}` },
      false,
    );
    return true;
  }

  /** The level map for the current `hls.levels`, rebuilt when hls.js replaces or edits the array. */
  private levelMap(): LevelMap | null {
    const levels = this.hls?.levels;
    if (!levels || levels.length === 0) return null;
    if (!this.map || this.map.levels !== levels || this.map.renditions.length !== levels.length) {
      this.map = buildLevelMap(levels);
    }
    return this.map;
  }

  private levelOf(renditionIndex: number): number {
    return this.map?.renditionToLevel[renditionIndex] ?? 0;
  }

  private maxAutoLevel(): number {
    const hls = this.hls;
    if (!hls) return 0;
    const last = hls.levels.length - 1;
    if (hls.maxAutoLevel !== undefined) return Math.min(hls.maxAutoLevel, last);
    return hls.autoLevelCapping === -1 ? last : Math.min(hls.autoLevelCapping, last);
  }

  /** Clamps a level to hls.js's `minAutoLevel..maxAutoLevel`, as its `deriveNextAutoLevel`. */
  private clampLevel(level: number): number {
    const min = this.hls?.minAutoLevel ?? 0;
    return Math.max(min, Math.min(level, this.maxAutoLevel()));
  }

  /**
   * The buffer hls.js fills before it stops loading, ms: its stream controller's `getMaxBufferLength` for the
   * last level (`maxBufferLength`, raised for low bitrates to what `maxBufferSize` bytes hold, at most
   * `maxMaxBufferLength`), unless the `bufferTargetMs` option overrides it.
   */
  private bufferTargetMs(): number {
    if (this.setup.bufferTargetMs !== undefined) return this.setup.bufferTargetMs;
    const hls = this.hls;
    const config = hls?.config;
    const baseS = config?.maxBufferLength ?? 30;
    const level = this.lastRendition !== null ? hls?.levels[this.levelOf(this.lastRendition)] : undefined;
    const bitrateBps = level ? (level.maxBitrate ?? level.bitrate) : 0;
    let targetS =
      bitrateBps > 0 && config?.maxBufferSize
        ? Math.max((8 * config.maxBufferSize) / bitrateBps, baseS)
        : baseS;
    if (config?.maxMaxBufferLength !== undefined) targetS = Math.min(targetS, config.maxMaxBufferLength);
    return targetS * 1000;
  }

  /** Media-playlist details of the last level loaded from, else of any level that has them. */
  private anyDetails(): HlsLevelDetailsLike | undefined {
    const levels = this.hls?.levels;
    if (!levels) return undefined;
    if (this.lastRendition !== null) {
      const details = levels[this.levelOf(this.lastRendition)]?.details;
      if (details) return details;
    }
    for (const level of levels) if (level.details) return level.details;
    return undefined;
  }

  private segmentIndexOf(frag: HlsFragmentLike): number {
    const sn = frag.sn === 'initSegment' ? 0 : frag.sn;
    return sn - (this.hls?.levels[frag.level]?.details?.startSN ?? 0);
  }

  private nextSegmentIndex(): number {
    if (this.lastSegmentIndex !== null) return this.lastSegmentIndex + 1;
    const media = this.hls?.media;
    if (!media || !(media.currentTime > 0)) return 0;
    const durationMs = this.context(0).segmentDurationMs;
    return Math.floor((media.currentTime * 1000) / durationMs);
  }

  /** Size of a segment at a rendition when its playlist gives a byte range, else null. */
  private segmentSizeBytes(segmentIndex: number, renditionIndex: number): number | null {
    const level = this.hls?.levels[this.levelOf(renditionIndex)];
    const fragment = level?.details?.fragments[segmentIndex];
    const start = fragment?.byteRangeStartOffset;
    const end = fragment?.byteRangeEndOffset;
    return start !== undefined && end !== undefined && end > start ? end - start : null;
  }
}

/**
 * A `DownloadSample` from hls.js loader stats (`performance.now()` timestamps), or null when nothing
 * arrived. `endMs` defaults to `loading.end`; pass `nowMs` for a download cut short.
 */
export function sampleFromStats(stats: HlsLoaderStatsLike, nowMs?: number): DownloadSample | null {
  const { start } = stats.loading;
  const first = stats.loading.first ?? 0;
  const end = nowMs ?? stats.loading.end;
  if (!(stats.loaded > 0) || !(first > 0) || !(end > 0)) return null;
  const firstByteMs = Math.max(start, first);
  return { startMs: start, firstByteMs, endMs: Math.max(firstByteMs, end), sizeBytes: stats.loaded };
}
