/**
 * `simulateSession`: one trace-driven session of one algorithm on one video, headless. The session loop
 * (src/session) runs unchanged on a virtual clock, a network model (pensieve | sabre | abrkit) and a
 * buffer model; the whole session runs synchronously inside `clock.run()`.
 */
import { createAlgorithm, getAlgorithmInfo } from '../abr/registry.js';
import type { AbrAlgorithm, AbrOptions } from '../abr/types.js';
import type { SegmentRecord } from '../core/types.js';
import { AbrkitError, invalidArgument } from '../core/errors.js';
import { createOptimal } from '../abr/optimal.js';
import { planOptimalSession } from './optimal-plan.js';
import { Emitter } from '../core/events.js';
import { BufferModel } from '../session/buffer-model.js';
import { StreamingSession, mediaFromVideo, type SessionMedia } from '../session/session.js';
import type { MediaSink, QoeTermFunction, SessionEvents } from '../session/types.js';
import type { NetworkTrace } from '../traces/model.js';
import type { VideoDescription } from '../videos/model.js';
import { createNetworkModel } from './network/index.js';
import type { NetworkModelName } from './network/types.js';
import { NETWORK_PRESETS } from './presets.js';
import { MAX_REBUFFER_PENALTY_PER_S, qoeTermFunction, type QoeModelName } from './qoe-terms.js';
import { createQoeTermFunction } from '../qoe/index.js';
import { createLolpQoeTermFunction } from '../qoe/lolp.js';
import type { CatchUpOptions, SessionLive } from '../session/live.js';
import { LiveSessionChain } from './live-jumps.js';
import { withPlaylistTraffic, type PlaylistReload } from './live-reloads.js';
import { summarize, type PlayoutSummary as SessionSummary } from '../qoe/playout-summary.js';
import { TraceSource, defaultVirtualTimeLimitMs, timeLimitError } from './trace-source.js';
import { VirtualClock } from './virtual-clock.js';

export interface SimulateOptions {
  readonly video: VideoDescription;
  readonly trace: NetworkTrace;
  /**
   * An algorithm instance, or a name from the registry (src/abr/registry.ts). `'optimal'` without a `plan`
   * option plans the offline optimum on this trace first (src/sim/optimal-plan.ts; option `resolutionMs`).
   */
  readonly algorithm: AbrAlgorithm | string;
  /** Options for an algorithm given by name. */
  readonly algorithmOptions?: AbrOptions;
  /** Default `'abrkit'`. */
  readonly network?: NetworkModelName;
  /**
   * A QoE model name (default `'lin'`; `'lolp'` for LoL+'s five-term live QoE, src/qoe/lolp.ts, the
   * default with `live`) or a term function.
   */
  readonly qoe?: QoeModelName | 'lolp' | QoeTermFunction;
  /**
   * Play the video as a live stream (src/session/live.ts): segment i becomes available when the live edge,
   * which starts `edgeAtStartMs` (default: the target) ahead of segment 0 and advances with the clock,
   * passes its end; the buffer is bounded by the latency target and the playback rate catches up.
   */
  readonly live?: SimLiveOptions;
  /**
   * Rebuffer penalty per second of a QoE model given by name (default: the model's ladder-aware one,
   * src/qoe/objective.ts). It also reaches the offline optimum's planner and, when the algorithm is named, its
   * `rebufferPenalty` option if it has one and `algorithmOptions` leaves it unset, so planners optimise what
   * is measured.
   */
  readonly rebufferPenaltyPerS?: number;
  /** Overrides the network preset's buffer target (Pensieve 60 s, Sabre 25 s, abrkit 30 s), ms. */
  readonly bufferTargetMs?: number;
  /** Overrides the preset's forced first rendition (null: ask the algorithm). */
  readonly forcedFirstRendition?: number | null;
  /** Cap on renditions. */
  readonly maxRenditionIndex?: number;
  /** Reserved for noisy network models; the three models are deterministic and ignore it. */
  readonly seed?: number;
  /**
   * Time from a request to its start on the link, ms (default 0): a browser's per-request overhead
   * (src/sim/trace-source.ts). Not seen by the offline optimum's planner.
   */
  readonly requestOverheadMs?: number;
  /**
   * Init segment size per rendition, bytes (default none): the first request at each rendition downloads it
   * first (src/sim/trace-source.ts). Not seen by the offline optimum's planner.
   */
  readonly initSegmentBytes?: readonly number[];
  /** With `initSegmentBytes`: fetch the init segment together with the media segment (src/sim/trace-source.ts). */
  readonly initWithMedia?: boolean;
  /**
   * Media playlist size per rendition, bytes (default none): the first request at each rendition downloads it
   * first, as the player loads deferred playlists (src/sim/trace-source.ts). Not seen by the offline optimum's
   * planner.
   */
  readonly playlistBytes?: readonly number[];
  /**
   * Time from the first append to the playhead starting to move, ms (default 0): a browser's video element
   * starts playing after the decoder's start-up (src/session/buffer-model.ts `startDelayMs`). Not with `live`.
   */
  readonly playbackStartDelayMs?: number;
  /**
   * Overrides the network preset's progress granularity (src/sim/trace-source.ts): a progress point, where
   * abandonment is checked, at least `minMs` after the last one and `minBytes` further (abrkit preset: every
   * 100 ms). A browser checks at each chunk of the body stream, which the shaping server writes every 10 ms.
   */
  readonly progress?: { readonly minMs: number; readonly minBytes: number };
  /**
   * Virtual-time limit of the session, ms (default: the video's duration + 24 h, `SIM_EXTRA_VIRTUAL_MS` in
   * src/sim/trace-source.ts). A session still running then ends with `AbrkitError('trace', 'SIM_TIME_LIMIT')`
   * naming the trace and the segment in flight.
   */
  readonly virtualTimeLimitMs?: number;
  /** Called with the session's event emitter before it starts (to log decisions, stalls...). */
  readonly onEvents?: (events: Emitter<SessionEvents>) => void;
}

/** `SimulateOptions.live`. */
export interface SimLiveOptions {
  readonly targetLatencyMs: number;
  /** Media time of the live edge when the session starts, ms (default `targetLatencyMs`). */
  readonly edgeAtStartMs?: number;
  /** Catch-up policy (src/session/live.ts); null: the rate stays 1. */
  readonly catchUp?: Partial<CatchUpOptions> | null;
  /**
   * Time from a segment's production to the player's knowing of it (its playlist reload's phase), ms
   * (default 0; `clockLiveSchedule`).
   */
  readonly listingDelayMs?: number;
  /**
   * Playback starts exactly `targetLatencyMs` behind the edge, mid-segment, as the player seeks (default
   * true); false: at the start of the segment holding that position, up to a segment further behind.
   */
  readonly startAtTarget?: boolean;
  /**
   * The player's media playlist reloads (src/sim/live-reloads.ts; default none): their bytes share the link
   * with the segments, and a segment is known once a reload lists it (plus `listingDelayMs`).
   */
  readonly reloads?: readonly PlaylistReload[];
}

export interface SimulationResult {
  readonly records: SegmentRecord[];
  readonly summary: SessionSummary;
}

/** Runs one simulated session; see `SimulateOptions`. Throws `AbrkitError` on bad names or input. */
export function simulateSession(options: SimulateOptions): SimulationResult {
  const { video, trace } = options;
  const networkName = options.network ?? 'abrkit';
  const preset = NETWORK_PRESETS[networkName];
  if (!preset)
    throw invalidArgument('network', `must be one of pensieve, sabre, abrkit, got ${String(networkName)}`);
  const qoeTerm = resolveQoeTerm(options);
  const bufferTargetMs = options.bufferTargetMs ?? preset.bufferTargetMs;
  const forced =
    options.forcedFirstRendition !== undefined ? options.forcedFirstRendition : preset.forcedFirstRendition;
  const forcedFirst = forced === null ? null : Math.min(forced, video.renditions.length - 1);
  const algorithm = resolveAlgorithm(options, networkName, bufferTargetMs, forcedFirst);

  const clock = new VirtualClock(0);
  const reloads =
    options.live?.reloads === undefined ? undefined : withPlaylistTraffic(trace, options.live.reloads);
  const network = createNetworkModel(networkName, reloads?.trace ?? trace);
  const source = new TraceSource(clock, network, {
    progressMinMs: options.progress?.minMs ?? preset.progressMinMs,
    progressMinBytes: options.progress?.minBytes ?? preset.progressMinBytes,
    ...(options.requestOverheadMs !== undefined ? { requestOverheadMs: options.requestOverheadMs } : {}),
    ...(options.initSegmentBytes !== undefined ? { initSegmentBytes: options.initSegmentBytes } : {}),
    ...(options.initWithMedia !== undefined ? { initWithMedia: options.initWithMedia } : {}),
    ...(options.playlistBytes !== undefined ? { playlistBytes: options.playlistBytes } : {}),
  });
  const media = mediaFromVideo(video);
  const events = new Emitter<SessionEvents>();
  const latencyEstimator = preset.createLatencyEstimator(video.segmentDurationMs);
  const createSession = (parts: {
    readonly media: SessionMedia;
    readonly sink: MediaSink;
    readonly live?: SessionLive;
    readonly events: Emitter<SessionEvents>;
    readonly first: boolean;
  }): StreamingSession =>
    new StreamingSession({
      clock,
      source,
      sink: parts.sink,
      algorithm,
      media: parts.media,
      throughputEstimator: preset.createThroughputEstimator(),
      ...(latencyEstimator ? { latencyEstimator } : {}),
      qoeTerm,
      bufferTargetMs,
      waitPolicy: preset.waitPolicy,
      forcedFirstRendition: parts.first ? forcedFirst : null,
      ...(options.maxRenditionIndex !== undefined ? { maxRenditionIndex: options.maxRenditionIndex } : {}),
      abandonRefetch: preset.abandonRefetch,
      abandonment: preset.abandonment,
      events: parts.events,
      ...(parts.live === undefined ? {} : { live: parts.live }),
    });
  // live: sessions that jump back to the edge when too far behind, as the player does (live-jumps.ts)
  const chain: LiveSessionChain | null =
    options.live === undefined
      ? null
      : new LiveSessionChain({
          clock,
          media,
          targetLatencyMs: options.live.targetLatencyMs,
          ...(options.live.edgeAtStartMs === undefined ? {} : { edgeAtStartMs: options.live.edgeAtStartMs }),
          ...(options.live.catchUp === undefined ? {} : { catchUp: options.live.catchUp }),
          ...(options.live.listingDelayMs === undefined
            ? {}
            : { listingDelayMs: options.live.listingDelayMs }),
          ...(options.live.startAtTarget === undefined ? {} : { startAtTarget: options.live.startAtTarget }),
          ...(reloads === undefined ? {} : { reloads }),
          startPlayback: preset.startPlayback,
          events,
          createSession: (parts) => createSession({ ...parts, first: chain === null || chain.jumps === 0 }),
        });
  if (chain && options.playbackStartDelayMs !== undefined)
    throw invalidArgument('playbackStartDelayMs', 'is not modelled for live sessions');
  const sink = chain
    ? chain.sink
    : new BufferModel(clock, {
        startPlayback: preset.startPlayback,
        ...(options.playbackStartDelayMs !== undefined ? { startDelayMs: options.playbackStartDelayMs } : {}),
      });
  const session = chain ? null : createSession({ media, sink, events, first: true });
  let downloadEndMs = 0;
  let finalBufferMs = 0;
  events.on('end', (e) => {
    downloadEndMs = e.nowMs;
    finalBufferMs = sink.bufferLevelMs();
  });
  options.onEvents?.(events);
  if (chain) chain.start();
  else session!.start();
  const limitMs = options.virtualTimeLimitMs ?? defaultVirtualTimeLimitMs(video);
  clock.run(limitMs);
  if (clock.hasLiveTimers())
    throw timeLimitError(
      trace.name,
      networkName,
      limitMs,
      source.inFlight(),
      (chain ?? session!).records.length,
    );
  const records = (chain ?? session!).records as SegmentRecord[];
  const startedAt = sink.startedAtMs();
  const summary = summarize({
    records,
    segmentDurationMs: video.segmentDurationMs,
    lowestBitrateKbps: video.renditions[0]!.bitrateKbps,
    rebufferMs: sink.stallMs(),
    rebufferCount: sink.stallCount(),
    startupMs: preset.startPlayback === 'immediately' || startedAt === null ? 0 : startedAt,
    downloadEndMs,
    finalBufferMs,
  });
  return { records, summary };
}

/** The algorithm instance: given, from the registry, or the offline optimum planned on this trace. */
function resolveAlgorithm(
  options: SimulateOptions,
  network: NetworkModelName,
  bufferTargetMs: number,
  forcedFirstRendition: number | null,
): AbrAlgorithm {
  if (typeof options.algorithm !== 'string') return options.algorithm;
  if (options.algorithm !== 'optimal')
    return createAlgorithm(options.algorithm, withRebufferPenalty(options.algorithm, options));
  if (options.live !== undefined || options.qoe === 'lolp')
    throw new AbrkitError(
      'config',
      'OPTIMAL_QOE',
      'the offline optimum plans VOD sessions under lin, log or hd; it cannot plan a live session or LoL+ QoE',
    );
  if (options.algorithmOptions?.['plan'] !== undefined) return createOptimal(options.algorithmOptions);
  if (typeof options.qoe === 'function') {
    throw new AbrkitError(
      'config',
      'OPTIMAL_QOE',
      "the offline optimum needs a QoE model name ('lin', 'log', 'hd')",
    );
  }
  const resolutionMs = options.algorithmOptions?.['resolutionMs'];
  const { plan } = planOptimalSession({
    video: options.video,
    trace: options.trace,
    network,
    qoe: options.qoe ?? 'lin',
    ...(options.rebufferPenaltyPerS !== undefined
      ? { rebufferPenaltyPerS: options.rebufferPenaltyPerS }
      : {}),
    bufferTargetMs,
    forcedFirstRendition,
    ...(options.maxRenditionIndex !== undefined ? { maxRenditionIndex: options.maxRenditionIndex } : {}),
    ...(typeof resolutionMs === 'number' ? { resolutionMs } : {}),
  });
  return createOptimal({ plan });
}

/** The per-segment QoE function: given, or the named model with `rebufferPenaltyPerS` when set. */
function resolveQoeTerm(options: SimulateOptions): QoeTermFunction {
  if (typeof options.qoe === 'function') return options.qoe;
  const penalty = options.rebufferPenaltyPerS;
  if (
    penalty !== undefined &&
    !(Number.isFinite(penalty) && penalty >= 0 && penalty <= MAX_REBUFFER_PENALTY_PER_S)
  )
    throw invalidArgument(
      'rebufferPenaltyPerS',
      `must be a number from 0 to ${MAX_REBUFFER_PENALTY_PER_S}, got ${penalty}`,
    );
  if (options.qoe === 'lolp' || (options.qoe === undefined && options.live !== undefined))
    return createLolpQoeTermFunction({
      segmentDurationMs: options.video.segmentDurationMs,
      ...(options.rebufferPenaltyPerS === undefined
        ? {}
        : { weights: { rebufferPenaltyPerS: options.rebufferPenaltyPerS } }),
    });
  const name = options.qoe ?? 'lin';
  const byName = qoeTermFunction(name); // checks the name
  if (penalty === undefined) return byName;
  return createQoeTermFunction({ name, rebufferPenalty: penalty });
}

/** `algorithmOptions`, plus `rebufferPenalty` = `rebufferPenaltyPerS` when the algorithm has that option unset. */
function withRebufferPenalty(name: string, options: SimulateOptions): AbrOptions | undefined {
  const penalty = options.rebufferPenaltyPerS;
  const given = options.algorithmOptions;
  if (penalty === undefined || given?.['rebufferPenalty'] !== undefined) return given;
  if (!getAlgorithmInfo(name).options.some((spec) => spec.name === 'rebufferPenalty')) return given;
  return { ...given, rebufferPenalty: penalty };
}
