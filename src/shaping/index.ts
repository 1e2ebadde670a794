/**
 * The shaping server (Node only): serves a folder over loopback HTTP, pacing response bodies through one
 * link that follows a network trace, with seeded fault injection and a request log.
 */
export {
  DEFAULT_SHAPING_LIMITS,
  startShapingServer,
  type LoggedFault,
  type RequestLogEntry,
  type ShapingLimits,
  type ShapingServer,
  type ShapingServerOptions,
} from './server.js';
export {
  checkFaultSpec,
  createFaultPlan,
  parseFaultSpec,
  type FaultDecision,
  type FaultPlan,
  type FaultSpec,
} from './faults.js';
export { CONTENT_TYPES, checkTarget, contentTypeOf, parseRange, resolveUnderRoot } from './files.js';
export { SharedLink, type PacedBody, type PacedSink, type SharedLinkOptions } from './pacer.js';
export { TraceTimeline, type ShapingNetwork } from './timeline.js';
