/**
 * The shaping server (Node only): serves a folder over loopback HTTP, pacing response bodies through one
 * link that follows a network trace, with seeded fault injection and a request log.
 */
export {
  DEFAULT_SHAPING_LIMITS,
  checkShapingTrace,
  startShapingServer,
  type LoggedFault,
  type RequestLogEntry,
  type ShapingLimits,
  type ShapingServer,
  type ShapingServerOptions,
} from './server.js';
export {
  MAX_COUNTED_URLS,
  MAX_FAULT_DELAY_MS,
  MAX_OUTAGES,
  checkFaultSpec,
  createFaultPlan,
  parseFaultSpec,
  type FaultDecision,
  type FaultPlan,
  type FaultSpec,
} from './faults.js';
export {
  MAX_URL_PATTERN_CHARS,
  matchUrlPattern,
  parseUrlPattern,
  type UrlPattern,
  type UrlPatternParse,
} from './url-pattern.js';
export { CONTENT_TYPES, checkTarget, contentTypeOf, parseRange, resolveUnderRoot } from './files.js';
export { SharedLink, type PacedBody, type PacedSink, type SharedLinkOptions } from './pacer.js';
export { TraceTimeline, type ShapingNetwork } from './timeline.js';
export {
  createLiveSource,
  type LiveAnswer,
  type LiveOptions,
  type LivePlaylistInfo,
  type LiveSource,
} from './live-source.js';
export {
  LiveTimeline,
  renderLiveWindow,
  type LiveWindow,
  type LoopPlaylist,
  type LoopSegment,
} from './live.js';
export {
  checkLiveFaultSpec,
  createLiveFaultPlan,
  parseLiveFaultSpec,
  type LiveFaultDecision,
  type LiveFaultPlan,
  type LiveFaultSpec,
} from './live-faults.js';
