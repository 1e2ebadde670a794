/**
 * Compact trace specs for the CLI and the shaping server: `generateTrace('step:4000x20s,500x20s')`.
 *
 * Grammar: `<kind>:<args>`, args separated by commas.
 * - `constant:<kbps>[,key=value...]`: e.g. `constant:1000`, `constant:1000,durationS=60,latencyMs=40`.
 * - `step:<kbps>x<duration>,...[,key=value...]`, durations `20s`, `500ms` or bare seconds:
 *   `step:4000x20s,500x20s,2000x20s`.
 * - `random-walk:`, `markov:`, `cellular:` with `key=value` options, e.g. `random-walk:seed=1,durationS=300`.
 *   Keys: the generator's numeric options by name (`seed`, `durationMs`, `periodMs`, `latencyMs`,
 *   `startKbps`, `meanKbps`, ...), `durationS` / `periodS` in seconds, `name`, and for markov
 *   `statesKbps=300/750/1200` (slash-separated).
 * Bad specs throw `AbrkitError('config', 'TRACE_SPEC_INVALID', ...)`.
 */
import { AbrkitError } from '../core/errors.js';
import {
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
  type TraceStep,
} from './generators.js';
import type { NetworkTrace } from './model.js';

/** A generator and its options, as an object. */
export type TraceSpec =
  | ({ readonly kind: 'constant' } & ConstantTraceOptions)
  | ({ readonly kind: 'step'; readonly steps: readonly TraceStep[] } & GeneratorOptions)
  | ({ readonly kind: 'random-walk' } & RandomWalkTraceOptions)
  | ({ readonly kind: 'markov' } & MarkovTraceOptions)
  | ({ readonly kind: 'cellular' } & CellularTraceOptions);

/** The kinds {@link generateTrace} knows. */
export const TRACE_SPEC_KINDS = ['constant', 'step', 'random-walk', 'markov', 'cellular'] as const;

const NUMERIC_KEYS: Record<string, readonly string[]> = {
  constant: ['bandwidthKbps', 'durationMs', 'latencyMs'],
  step: ['latencyMs'],
  'random-walk': [
    'seed',
    'durationMs',
    'periodMs',
    'latencyMs',
    'startKbps',
    'minKbps',
    'maxKbps',
    'stepSigma',
  ],
  markov: [
    'seed',
    'durationMs',
    'periodMs',
    'latencyMs',
    'switchProbability',
    'noiseCov',
    'noiseHoldPeriods',
    'minKbps',
  ],
  cellular: [
    'seed',
    'durationMs',
    'periodMs',
    'latencyMs',
    'meanKbps',
    'sigma',
    'correlation',
    'outagesPerMinute',
    'outageMeanMs',
    'outageKbps',
  ],
};

/**
 * Generates a trace from a spec string (see the file comment) or a {@link TraceSpec} object. A string
 * spec names the trace after itself unless it sets `name=`.
 */
export function generateTrace(spec: string | TraceSpec): NetworkTrace {
  const source = typeof spec === 'string' ? spec : JSON.stringify(spec);
  const parsed = typeof spec === 'string' ? parseTraceSpec(spec) : spec;
  try {
    switch (parsed.kind) {
      case 'constant':
        return constantTrace(parsed);
      case 'step':
        return stepTrace(parsed.steps, parsed);
      case 'random-walk':
        return randomWalkTrace(parsed);
      case 'markov':
        return markovTrace(parsed);
      case 'cellular':
        return cellularTrace(parsed);
      default:
        throw specError(source, `unknown kind ${String((parsed as { kind?: unknown }).kind)}`);
    }
  } catch (e) {
    if (e instanceof TypeError) throw specError(source, e.message, e);
    throw e;
  }
}

/** Parses a spec string into a {@link TraceSpec} (without generating it). */
export function parseTraceSpec(spec: string): TraceSpec {
  if (typeof spec !== 'string') throw specError(String(spec), 'a trace spec must be a string');
  const colon = spec.indexOf(':');
  const kind = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const args =
    colon < 0
      ? []
      : spec
          .slice(colon + 1)
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a !== '');
  const keys = NUMERIC_KEYS[kind];
  if (keys === undefined) {
    throw specError(
      spec,
      `unknown kind ${JSON.stringify(kind)}: expected one of ${TRACE_SPEC_KINDS.join(', ')}`,
    );
  }
  const options: Record<string, unknown> = { kind, name: spec };
  const steps: TraceStep[] = [];
  args.forEach((arg, i) => {
    const eq = arg.indexOf('=');
    if (eq < 0) {
      if (kind === 'constant' && i === 0) options.bandwidthKbps = toNumber(spec, 'bandwidthKbps', arg);
      else if (kind === 'step') steps.push(parseStep(spec, arg));
      else throw specError(spec, `expected key=value, got ${JSON.stringify(arg)}`);
      return;
    }
    const key = arg.slice(0, eq).trim();
    const value = arg.slice(eq + 1).trim();
    if (key === 'name') options.name = value;
    else if (key === 'durationS' || key === 'periodS') {
      options[key === 'durationS' ? 'durationMs' : 'periodMs'] = toNumber(spec, key, value) * 1000;
    } else if (key === 'statesKbps' && kind === 'markov') {
      options.statesKbps = value.split('/').map((v) => toNumber(spec, key, v));
    } else if (keys.includes(key)) options[key] = toNumber(spec, key, value);
    else
      throw specError(
        spec,
        `unknown option ${JSON.stringify(key)} for ${kind}: expected one of ${keys.join(', ')}`,
      );
  });
  if (kind === 'constant' && options.bandwidthKbps === undefined) {
    throw specError(spec, 'constant needs a bandwidth: constant:<kbps>');
  }
  if (kind === 'step') {
    if (steps.length === 0) throw specError(spec, 'step needs at least one <kbps>x<duration> step');
    options.steps = steps;
  }
  return options as unknown as TraceSpec;
}

function parseStep(spec: string, arg: string): TraceStep {
  const match = /^([^x]+)x([0-9.eE+-]+)(ms|s)?$/.exec(arg);
  if (match === null)
    throw specError(spec, `expected a step <kbps>x<duration> (e.g. 4000x20s), got ${JSON.stringify(arg)}`);
  const bandwidthKbps = toNumber(spec, 'step bandwidth', match[1] ?? '');
  const amount = toNumber(spec, 'step duration', match[2] ?? '');
  return { bandwidthKbps, durationMs: match[3] === 'ms' ? amount : amount * 1000 };
}

function toNumber(spec: string, what: string, text: string): number {
  const value = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) throw specError(spec, `${what} is not a number: ${JSON.stringify(text)}`);
  return value;
}

function specError(spec: string, problem: string, cause?: unknown): AbrkitError {
  return new AbrkitError(
    'config',
    'TRACE_SPEC_INVALID',
    `bad trace spec ${JSON.stringify(spec)}: ${problem}`,
    {
      data: { source: 'trace spec', spec },
      cause,
    },
  );
}
