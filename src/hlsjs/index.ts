/**
 * `abrkit/hlsjs`: abrkit's estimators and algorithms as hls.js's `abrController`. hls.js (1.7) is a peer
 * dependency of this entry point only, and is never imported at run time: the app passes its own `Hls`.
 *
 * ```ts
 * import Hls from 'hls.js';
 * import { createHlsAbrController, abrkitControllerOf } from 'abrkit/hlsjs';
 *
 * const Abr = createHlsAbrController('bola'); // or 'throughput', 'bola-e', a factory such as createRobustMpc
 * Abr.decision$.subscribe((d) => console.log(d.segmentIndex, d.level, d.bitrateKbps, d.reason));
 * const hls = new Hls({ abrController: Abr });
 * hls.bandwidthEstimate; // bps, from abrkit's estimator
 * abrkitControllerOf(hls)?.on('abandon', (a) => console.log('emergency switch', a));
 * ```
 * See controller.ts for how hls.js's events become samples, decisions and emergency switches.
 */
export { createHlsAbrController, abrkitControllerOf } from './create.js';
export { hlsCmcdConfig } from './cmcd.js';
export type { CmcdOptions } from '../core/cmcd-options.js';
export type { HlsAbrControllerClass, HlsAbrControllerOptions } from './create.js';
export { AbrkitHlsController, sampleFromStats, FALLBACK_SEGMENT_DURATION_MS } from './controller.js';
export { AbrkitBandwidthEstimator, HLSJS_DEFAULT_TTFB_MS } from './bw-estimator.js';
export {
  buildLevelMap,
  bufferAheadMs,
  maxRenditionForLevels,
  BUFFER_HOLE_S,
  type LevelMap,
} from './levels.js';
export { HLS_EVENTS, isMainMediaFragment } from './hls-shape.js';
export type {
  HlsLike,
  HlsLevelLike,
  HlsFragmentLike,
  HlsLoaderStatsLike,
  HlsMediaLike,
  HlsLevelDetailsLike,
} from './hls-shape.js';
export type { HlsAbrAbandon, HlsAbrDecision, HlsAbrEvents, HlsAbrSample } from './events.js';
