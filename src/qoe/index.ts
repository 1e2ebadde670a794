export {
  createQoeModel,
  qoeTerm,
  hdScoresForLadder,
  renditionIndexOf,
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
export {
  defaultRebufferPenaltyPerS,
  qoeTable,
  segmentQoe,
  PENSIEVE_HD_SCORES,
  HD_REBUFFER_PENALTY_PER_S,
  QOE_LIN,
  QOE_MODEL_NAMES,
  type QoeTable,
  type QoeWeights,
} from './objective.js';
export { summarize, type PlayoutSummary, type PlayoutSummaryInputs } from './playout-summary.js';
export {
  createLolpQoeTermFunction,
  lolpQoeBreakdown,
  lolpQoeWeights,
  type LolpQoeBreakdown,
  type LolpQoeWeights,
  type LolpSegmentFacts,
  type LolpSegmentInput,
} from './lolp.js';
