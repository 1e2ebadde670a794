/**
 * Network traces: the model, readers and writers for the research formats (Sabre JSON, Pensieve cooked,
 * mahimahi, CSV), format detection, a seeded PRNG and synthetic generators. Pure: parsers take strings;
 * the Node file loader is `loadTraceFile` / `loadTraces` in `abrkit/sim`.
 */
export type { NetworkTrace, TraceFormat, TracePeriod } from './model.js';
export { traceDurationMs, traceMeanBandwidthKbps } from './model.js';
export { TRACE_ERROR_CODES, traceNameFromPath, type TraceErrorCode } from './text.js';
export {
  TRACE_LIMITS,
  TRACE_LIMIT_CODES,
  bandwidthProblem,
  checkWritableTrace,
  durationProblem,
  latencyProblem,
  periodProblem,
  validateTrace,
} from './validate.js';
export { createSabreReader, parseSabreTrace, writeSabreTrace, type SabreReadOptions } from './sabre.js';
export {
  PENSIEVE_DEFAULT_LATENCY_MS,
  createPensieveReader,
  parsePensieveTrace,
  writePensieveTrace,
  type PensieveReadOptions,
} from './pensieve.js';
export {
  MAHIMAHI_DEFAULT_BIN_MS,
  MAHIMAHI_PACKET_BYTES,
  createMahimahiReader,
  parseMahimahiTrace,
  writeMahimahiTrace,
  type MahimahiReadOptions,
} from './mahimahi.js';
export { CSV_HEADER, createCsvReader, parseCsvTrace, writeCsvTrace, type CsvReadOptions } from './csv.js';
export {
  TRACE_FORMATS,
  asTraceFormat,
  createTraceReader,
  detectTraceFormat,
  parseTrace,
  writeTrace,
  type TraceReadOptions,
} from './detect.js';
export { createRng, type Rng } from './random.js';
export {
  isPacked,
  packedTrace,
  pensieveColumns,
  periodCount,
  periodTable,
  PeriodTableBuilder,
  traceFromWire,
  traceToWire,
  type PeriodTable,
  type TraceWire,
} from './columns.js';
export { TRACE_CRAWL_AS_OUTAGE, isCrawl, type TraceWarning } from './limits.js';
export type { CommonReadOptions, TraceTextReader } from './lines.js';
export {
  cellularTrace,
  constantTrace,
  markovTrace,
  randomWalkTrace,
  stepTrace,
  type CellularTraceOptions,
  type ConstantTraceOptions,
  type GeneratorOptions,
  type MarkovTraceOptions,
  type RandomWalkTraceOptions,
  type SeriesOptions,
  type TraceStep,
} from './generators.js';
export { TRACE_SPEC_KINDS, generateTrace, parseTraceSpec, type TraceSpec } from './spec.js';
export { traceFromSamples, withinTraceLimits } from './samples.js';
export {
  HAR_MAX_RECEIVE_MS,
  HAR_OUTLIER_MS,
  HAR_PROGRESS_EVERY,
  RECORDING_ERROR_CODES,
  parseHarTrace,
  sharedLinkPeriods,
  type HarDownload,
  type HarReadOptions,
  type HarReadResult,
  type RecordingErrorCode,
} from './har.js';
export { parseSessionExport, type SessionReadOptions, type SessionReadResult } from './session-export.js';
