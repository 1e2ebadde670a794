/**
 * abrkit/sim: the headless simulator. `simulateSession` runs one session; the network models, the virtual
 * clock and the trace-driven segment source are exported for custom setups.
 */
export { simulateSession, type SimulateOptions, type SimulationResult } from './simulate.js';
export { summarize, type SessionSummary, type SummaryInputs } from './summary.js';
export { VirtualClock } from './virtual-clock.js';
export { TraceSource, type TraceSourceOptions } from './trace-source.js';
export { NETWORK_PRESETS, type NetworkPreset } from './presets.js';
export { qoeTermFunction, QOE_MODEL_NAMES, type QoeModelName } from './qoe-terms.js';
export * from './network/index.js';
export { planOptimalSession, type OptimalSessionOptions } from './optimal-plan.js';
export { loadTraceFile, loadTraceFileSync, loadTraces, loadTracesSync } from './load-trace.js';
export { loadVideo, type LoadVideoOptions } from './load-video.js';
export { runBatch, defaultWorkerCount, type RunBatchOptions, type BatchRunInfo } from './batch.js';
export type { BatchSpec, SessionResult } from './batch-session.js';
export { buildReportHtml, type ReportInput } from './report.js';
