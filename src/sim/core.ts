/**
 * abrkit/sim/core: the simulator without its Node loaders and batch runner, for any JS runtime (a browser
 * Web Worker, Deno, an edge function). `simulateSession` runs one session; the network models, the virtual
 * clock, the trace-driven segment source, the offline optimum and the HTML report are here too. Node users
 * import `abrkit/sim`, which re-exports all of this and adds file loading and the worker-thread batch runner.
 */
export { simulateSession, type SimulateOptions, type SimulationResult } from './simulate.js';
export {
  summarize,
  type PlayoutSummary as SessionSummary,
  type PlayoutSummaryInputs as SummaryInputs,
} from '../qoe/playout-summary.js';
export { VirtualClock } from './virtual-clock.js';
export { TraceSource, type TraceSourceOptions } from './trace-source.js';
export { NETWORK_PRESETS, type NetworkPreset } from './presets.js';
export { qoeTermFunction, QOE_MODEL_NAMES, type QoeModelName } from './qoe-terms.js';
export * from './network/index.js';
export { planOptimalSession, type OptimalSessionOptions } from './optimal-plan.js';
export { buildReportHtml, type ReportInput } from './report.js';
