/**
 * abrkit/sim: the headless simulator. `simulateSession` runs one session; the network models, the virtual
 * clock and the trace-driven segment source are exported for custom setups. Everything but the file loaders
 * and the batch runner is also `abrkit/sim/core`, which needs no Node.
 */
export * from './core.js';
export { loadTraceFile, loadTraceFileSync, loadTraces, loadTracesSync } from './load-trace.js';
export { loadVideo, type LoadVideoOptions } from './load-video.js';
export { runBatch, defaultWorkerCount, type RunBatchOptions, type BatchRunInfo } from './batch.js';
export type { BatchSpec, SessionResult } from './batch-session.js';
