/**
 * `abrkit/player`: the browser player. See player.ts for an example and README.md for the options.
 */
export { createPlayer, Player, type PendingWork } from './player.js';
export {
  PLAYER_DEFAULTS,
  resolvePlayerOptions,
  type PlayerOptions,
  type ResolvedPlayerOptions,
} from './options.js';
export type {
  PlayerBuffer,
  PlayerDecision,
  PlayerEvents,
  PlayerExclusion,
  PlayerPlayback,
  PlayerLatency,
  PlayerLoadRetry,
  PlayerRetry,
  PlayerState,
} from './events.js';
export type { DownloadRecord } from './fetch-source.js';
export type { CmcdOptions } from '../core/cmcd-options.js';
export type { PlayerQoe, SessionExport } from './recorder.js';
export { traceFromSamples } from './recorder.js';
export { capForElementSize } from './ladder.js';
export { AbrkitError, isAbrkitError } from '../core/errors.js';
export type { SegmentRecord, Rendition } from '../core/types.js';
export type { AbrAlgorithm, AbrContext, AbrDecision, AbrFactory } from '../abr/types.js';
