export {
  createQoeModel,
  qoeTerm,
  hdScoresForLadder,
  renditionIndexOf,
  PENSIEVE_HD_SCORES,
  QOE_REBUFFER_PENALTY,
  type QoeModel,
  type QoeModelName,
  type QoeModelSpec,
  type QoeTermInput,
  type QoeTermBreakdown,
} from './models.js';
export {
  summarizeSession,
  type SessionSummary,
  type SessionSummaryOptions,
  type QoeTotals,
  type SabreMetrics,
} from './summary.js';
export { createQoeTermFunction, type QoeSegmentFacts } from './term-function.js';
