/**
 * Sabre's network trace JSON (Spiteri, Sitaraman, Sparacio, "From theory to practice: improving bitrate
 * adaptation in the DASH reference player", MMSys 2018; UMass-LIDS/sabre): a list of periods
 * `{"duration_ms", "bandwidth_kbps", "latency_ms"}`. Our model is the same, so reading is validation.
 */
import type { NetworkTrace, TracePeriod } from './model.js';
import {
  bandwidthProblem,
  checkWritableTrace,
  durationProblem,
  latencyProblem,
  validateTrace,
} from './validate.js';
import { TRACE_ERROR_CODES, lineAt, rejectBinary, traceError, traceNameFromPath } from './text.js';

const KEYS = ['duration_ms', 'bandwidth_kbps', 'latency_ms'] as const;

/**
 * Reads a Sabre network JSON. Every element must be an object with finite numbers `duration_ms` > 0,
 * `bandwidth_kbps` >= 0 and `latency_ms` >= 0 (other keys are ignored). Errors name the file and, for a
 * bad element, its 0-based index as `data.period`; JSON syntax errors name the line.
 */
export function parseSabreTrace(text: string, source: string): NetworkTrace {
  rejectBinary(text, source);
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') throw traceError(TRACE_ERROR_CODES.empty, 'the file holds no data', source);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const position = /position (\d+)/.exec(message);
    const index =
      position?.[1] === undefined
        ? /end of JSON/i.test(message)
          ? body.trimEnd().length
          : -1
        : Number(position[1]);
    const line = index < 0 ? undefined : lineAt(body, index);
    throw traceError(TRACE_ERROR_CODES.badJson, `not valid JSON: ${message}`, source, line);
  }
  if (!Array.isArray(json)) {
    throw traceError(
      TRACE_ERROR_CODES.badPeriod,
      `expected a JSON array of {duration_ms, bandwidth_kbps, latency_ms} periods, got ${describe(json)}`,
      source,
    );
  }
  if (json.length === 0) throw traceError(TRACE_ERROR_CODES.empty, 'the JSON array holds no period', source);
  const periods: TracePeriod[] = [];
  for (let i = 0; i < json.length; i++) {
    periods.push(readPeriod(json[i] as unknown, i, source));
  }
  return validateTrace({ name: traceNameFromPath(source), periods, sourceFormat: 'sabre' }, source);
}

function readPeriod(item: unknown, index: number, source: string): TracePeriod {
  const where = { period: index };
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw traceError(
      TRACE_ERROR_CODES.badPeriod,
      `period ${index}: expected an object, got ${describe(item)}`,
      source,
      undefined,
      where,
    );
  }
  const record = item as Record<string, unknown>;
  const values: number[] = [];
  for (const key of KEYS) {
    const value = record[key];
    if (!(key in record)) {
      throw traceError(
        TRACE_ERROR_CODES.badPeriod,
        `period ${index}: missing "${key}"`,
        source,
        undefined,
        where,
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw traceError(
        TRACE_ERROR_CODES.badNumber,
        `period ${index}: "${key}" must be a finite number, got ${describe(value)}`,
        source,
        undefined,
        where,
      );
    }
    values.push(value);
  }
  const [durationMs = 0, bandwidthKbps = 0, latencyMs = 0] = values;
  if (durationMs <= 0) {
    throw traceError(
      TRACE_ERROR_CODES.badDuration,
      `period ${index}: duration_ms must be > 0, got ${durationMs}`,
      source,
      undefined,
      where,
    );
  }
  if (bandwidthKbps < 0 || latencyMs < 0) {
    const key = bandwidthKbps < 0 ? 'bandwidth_kbps' : 'latency_ms';
    throw traceError(
      TRACE_ERROR_CODES.badValue,
      `period ${index}: ${key} must be >= 0, got ${bandwidthKbps < 0 ? bandwidthKbps : latencyMs}`,
      source,
      undefined,
      where,
    );
  }
  const limit =
    durationProblem(durationMs) !== null
      ? `duration_ms ${durationMs} ${durationProblem(durationMs)}`
      : bandwidthProblem(bandwidthKbps) !== null
        ? `bandwidth_kbps ${bandwidthKbps} ${bandwidthProblem(bandwidthKbps)}`
        : latencyProblem(latencyMs) !== null
          ? `latency_ms ${latencyMs} ${latencyProblem(latencyMs)}`
          : null;
  if (limit !== null) {
    throw traceError(TRACE_ERROR_CODES.badValue, `period ${index}: ${limit}`, source, undefined, where);
  }
  return { durationMs, bandwidthKbps, latencyMs };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

/**
 * Writes a trace as Sabre network JSON, one period a line (the layout of Sabre's own example traces).
 * Numbers are written in full (shortest round-trip form), so reading the output gives the same periods.
 */
export function writeSabreTrace(trace: NetworkTrace): string {
  checkWritableTrace(trace, 'trace');
  const lines = trace.periods.map(
    (p) =>
      `    {"duration_ms": ${JSON.stringify(p.durationMs)}, "bandwidth_kbps": ${JSON.stringify(p.bandwidthKbps)}, "latency_ms": ${JSON.stringify(p.latencyMs)}}`,
  );
  return `[\n${lines.join(',\n')}\n]\n`;
}
