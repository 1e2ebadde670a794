/**
 * Seeded synthetic network traces. Every generator is pure and deterministic given its options (seed
 * included); periods are fixed-length (`periodMs`, the last one cut to `durationMs`). Latency defaults to 0
 * ms: a synthetic trace models bandwidth; give `latencyMs` to add a per-request latency.
 *
 * The Markov-modulated generator follows the idea of Pensieve's synthetic traces (Mao et al., SIGCOMM
 * 2017, hongzimao/pensieve sim/synthetic_traces.py): bandwidth states, a probability of staying, jumps to
 * nearby states more likely than far ones, and Gaussian noise around the state mean held for a few samples.
 */
import { invalidArgument } from '../core/errors.js';
import type { NetworkTrace, TracePeriod } from './model.js';
import { createRng, type Rng } from './random.js';
import { TRACE_LIMITS, checkWritableTrace } from './validate.js';

/** Options shared by the generators. */
export interface GeneratorOptions {
  /** Trace name; each generator has a descriptive default. */
  readonly name?: string;
  /** Latency of every period, ms. Default 0. */
  readonly latencyMs?: number;
}

/** Options of the generators that draw a sequence of fixed-length periods. */
export interface SeriesOptions extends GeneratorOptions {
  /** Seed of the PRNG ({@link createRng}). Default 1. */
  readonly seed?: number;
  /** Total duration, ms. Default 300 000 (5 minutes). */
  readonly durationMs?: number;
  /** Length of each period, ms. Default 1000. */
  readonly periodMs?: number;
}

const DEFAULT_SERIES_DURATION_MS = 300_000;
const DEFAULT_PERIOD_MS = 1000;
const DEFAULT_CONSTANT_DURATION_MS = 60_000;

export interface ConstantTraceOptions extends GeneratorOptions {
  readonly bandwidthKbps: number;
  /** Default 60 000 ms (the trace loops anyway). */
  readonly durationMs?: number;
}

/** One period at a fixed bandwidth. */
export function constantTrace(options: ConstantTraceOptions): NetworkTrace {
  const bandwidthKbps = nonNegative('bandwidthKbps', options.bandwidthKbps);
  const durationMs = positive('durationMs', options.durationMs ?? DEFAULT_CONSTANT_DURATION_MS);
  const latencyMs = nonNegative('latencyMs', options.latencyMs ?? 0);
  return checked({
    name: options.name ?? `constant-${bandwidthKbps}kbps`,
    periods: [{ durationMs, bandwidthKbps, latencyMs }],
  });
}

export interface TraceStep {
  readonly durationMs: number;
  readonly bandwidthKbps: number;
  /** Overrides the trace-wide `latencyMs`. */
  readonly latencyMs?: number;
}

/** Consecutive steps, one period each, in the order given. */
export function stepTrace(steps: readonly TraceStep[], options: GeneratorOptions = {}): NetworkTrace {
  const list: unknown = steps;
  if (!Array.isArray(list) || steps.length === 0) throw invalidArgument('steps', 'must be a non-empty array');
  const defaultLatencyMs = nonNegative('latencyMs', options.latencyMs ?? 0);
  const periods = steps.map((s, i) => ({
    durationMs: positive(`steps[${i}].durationMs`, s.durationMs),
    bandwidthKbps: nonNegative(`steps[${i}].bandwidthKbps`, s.bandwidthKbps),
    latencyMs: nonNegative(`steps[${i}].latencyMs`, s.latencyMs ?? defaultLatencyMs),
  }));
  return checked({ name: options.name ?? `step-${steps.map((s) => s.bandwidthKbps).join('-')}`, periods });
}

export interface RandomWalkTraceOptions extends SeriesOptions {
  /** Bandwidth of the first period, kbps. Default 2000. */
  readonly startKbps?: number;
  /** Lower bound, kbps (> 0). Default 200. */
  readonly minKbps?: number;
  /** Upper bound, kbps. Default 8000. */
  readonly maxKbps?: number;
  /** Standard deviation of each step of ln(bandwidth). Default 0.15 (about ±15 % a period). */
  readonly stepSigma?: number;
}

/**
 * A geometric random walk: ln(bandwidth) moves by a Gaussian step each period and reflects off
 * ln(minKbps) and ln(maxKbps), so the bandwidth stays within [minKbps, maxKbps].
 */
export function randomWalkTrace(options: RandomWalkTraceOptions = {}): NetworkTrace {
  const minKbps = positive('minKbps', options.minKbps ?? 200);
  const maxKbps = positive('maxKbps', options.maxKbps ?? 8000);
  if (maxKbps < minKbps) throw invalidArgument('maxKbps', `must be >= minKbps (${minKbps}), got ${maxKbps}`);
  const startKbps = positive('startKbps', options.startKbps ?? clamp(2000, minKbps, maxKbps));
  if (startKbps < minKbps || startKbps > maxKbps) {
    throw invalidArgument('startKbps', `must be within [${minKbps}, ${maxKbps}], got ${startKbps}`);
  }
  const sigma = nonNegative('stepSigma', options.stepSigma ?? 0.15);
  const lo = Math.log(minKbps);
  const hi = Math.log(maxKbps);
  let x = Math.log(startKbps);
  const seed = options.seed ?? 1;
  return series(options, `random-walk-seed${seed}`, (rng, k) => {
    if (k > 0) {
      x += sigma * rng.normal();
      // Reflect (repeatedly, for huge steps) into [lo, hi].
      for (let guard = 0; (x < lo || x > hi) && guard < 8; guard++) x = x < lo ? 2 * lo - x : 2 * hi - x;
      x = clamp(x, lo, hi);
    }
    return Math.exp(x);
  });
}

export interface MarkovTraceOptions extends SeriesOptions {
  /** Mean bandwidth of each state, kbps. Default: 10 states evenly spaced over 200-4300 (Pensieve's). */
  readonly statesKbps?: readonly number[];
  /** Probability of leaving the current state at each period. Default 0.1 (a state lasts 10 periods on average). */
  readonly switchProbability?: number;
  /** Noise standard deviation as a fraction of the state mean (coefficient of variation). Default 0.1. */
  readonly noiseCov?: number;
  /** Periods a noise draw is held before a new one (also redrawn on every switch). Default 1. */
  readonly noiseHoldPeriods?: number;
  /** Floor on the bandwidth, kbps. Default 100 (Pensieve's 0.1 Mbps). */
  readonly minKbps?: number;
}

/**
 * A Markov-modulated trace: a hidden state (a mean bandwidth) stays with probability 1 - switchProbability
 * each period, else jumps d states up or down with probability proportional to 2^-d (near states more
 * likely, as Pensieve's generator intends); the bandwidth is the state mean plus Gaussian noise, floored.
 */
export function markovTrace(options: MarkovTraceOptions = {}): NetworkTrace {
  const states = options.statesKbps ?? Array.from({ length: 10 }, (_, i) => 200 + (i * (4300 - 200)) / 9);
  if (states.length === 0) throw invalidArgument('statesKbps', 'must be a non-empty array');
  states.forEach((s, i) => positive(`statesKbps[${i}]`, s));
  const switchProbability = probability('switchProbability', options.switchProbability ?? 0.1);
  const cov = nonNegative('noiseCov', options.noiseCov ?? 0.1);
  const hold = Math.max(1, Math.round(positive('noiseHoldPeriods', options.noiseHoldPeriods ?? 1)));
  const minKbps = nonNegative('minKbps', options.minKbps ?? 100);
  let state = -1;
  let noise = 0;
  let held = 0;
  const seed = options.seed ?? 1;
  return series(options, `markov-seed${seed}`, (rng) => {
    if (state < 0) state = rng.int(states.length);
    else if (states.length > 1 && rng.next() < switchProbability) {
      state = jump(rng, state, states.length);
      held = 0;
    }
    const mean = states[state] ?? 0;
    if (held <= 0) {
      noise = cov * mean * rng.normal();
      held = hold;
    }
    held--;
    return Math.max(minKbps, mean + noise);
  });
}

/** A move of d >= 1 states, P(d) proportional to 2^-d over the reachable distances, direction at random. */
function jump(rng: Rng, state: number, count: number): number {
  const maxDistance = Math.max(state, count - 1 - state);
  let total = 0;
  for (let d = 1; d <= maxDistance; d++) total += 2 ** -d;
  let u = rng.next() * total;
  let distance = maxDistance;
  for (let d = 1; d <= maxDistance; d++) {
    u -= 2 ** -d;
    if (u < 0) {
      distance = d;
      break;
    }
  }
  const up = state + distance;
  const down = state - distance;
  if (up <= count - 1 && down >= 0) return rng.next() < 0.5 ? up : down;
  return up <= count - 1 ? up : down;
}

export interface CellularTraceOptions extends SeriesOptions {
  /** Long-run mean bandwidth outside outages, kbps. Default 3000. */
  readonly meanKbps?: number;
  /** Standard deviation of ln(bandwidth). Default 0.5. */
  readonly sigma?: number;
  /** Correlation of ln(bandwidth) from one period to the next (AR(1)), in [0, 1). Default 0.8. */
  readonly correlation?: number;
  /** Outages starting per minute on average (Poisson). Default 0.5. */
  readonly outagesPerMinute?: number;
  /** Mean outage length, ms (exponential). Default 3000. */
  readonly outageMeanMs?: number;
  /** Bandwidth during an outage, kbps (near zero). Default 10. */
  readonly outageKbps?: number;
}

/**
 * A cellular-like trace: log-normal bandwidth with mean `meanKbps`, correlated from period to period (an
 * AR(1) process on ln(bandwidth)), and outages of near-zero bandwidth that start as a Poisson process and
 * last an exponential time. Default periods of 500 ms.
 */
export function cellularTrace(options: CellularTraceOptions = {}): NetworkTrace {
  const meanKbps = positive('meanKbps', options.meanKbps ?? 3000);
  const sigma = nonNegative('sigma', options.sigma ?? 0.5);
  const rho = nonNegative('correlation', options.correlation ?? 0.8);
  if (rho >= 1) throw invalidArgument('correlation', `must be in [0, 1), got ${rho}`);
  const outagesPerMinute = nonNegative('outagesPerMinute', options.outagesPerMinute ?? 0.5);
  const outageMeanMs = positive('outageMeanMs', options.outageMeanMs ?? 3000);
  const outageKbps = nonNegative('outageKbps', options.outageKbps ?? 10);
  const periodMs = positive('periodMs', options.periodMs ?? 500);
  const outageStartProbability = 1 - Math.exp((-outagesPerMinute * periodMs) / 60_000);
  let z = 0;
  let outageLeftMs = 0;
  const seed = options.seed ?? 1;
  return series({ ...options, periodMs }, `cellular-seed${seed}`, (rng, k) => {
    z = k === 0 ? rng.normal() : rho * z + Math.sqrt(1 - rho * rho) * rng.normal();
    // exp(sigma z - sigma^2 / 2) has mean 1 for z ~ N(0, 1).
    const bandwidthKbps = meanKbps * Math.exp(sigma * z - (sigma * sigma) / 2);
    if (outageLeftMs <= 0 && rng.next() < outageStartProbability)
      outageLeftMs = rng.exponential(outageMeanMs);
    if (outageLeftMs > 0) {
      outageLeftMs -= periodMs;
      return outageKbps;
    }
    return bandwidthKbps;
  });
}

/** Builds fixed-length periods, asking `draw` for each one's bandwidth. */
function series(
  options: SeriesOptions,
  defaultName: string,
  draw: (rng: Rng, index: number) => number,
): NetworkTrace {
  const durationMs = positive('durationMs', options.durationMs ?? DEFAULT_SERIES_DURATION_MS);
  const periodMs = positive('periodMs', options.periodMs ?? DEFAULT_PERIOD_MS);
  if (periodMs < TRACE_LIMITS.minPeriodMs) {
    throw invalidArgument('periodMs', `must be >= ${TRACE_LIMITS.minPeriodMs} ms, got ${periodMs}`);
  }
  const latencyMs = nonNegative('latencyMs', options.latencyMs ?? 0);
  const count = Math.ceil(durationMs / periodMs - 1e-9);
  if (count > 10_000_000) throw invalidArgument('periodMs', `makes ${count} periods; use longer periods`);
  const rng = createRng(options.seed ?? 1);
  const periods: TracePeriod[] = [];
  for (let k = 0; k < count; k++) {
    const length = Math.min(periodMs, durationMs - k * periodMs);
    const bandwidthKbps = withinLimits(draw(rng, k));
    const last = periods[periods.length - 1];
    if (length < TRACE_LIMITS.minPeriodMs && last !== undefined) {
      // A sliver shorter than the shortest period joins the one before it.
      periods[periods.length - 1] = { ...last, durationMs: last.durationMs + length };
      continue;
    }
    periods.push({ durationMs: length, bandwidthKbps, latencyMs });
  }
  return checked({ name: options.name ?? defaultName, periods });
}

/**
 * A drawn bandwidth within TRACE_LIMITS: a draw below 1 kbps is an outage (0), as the readers read such a
 * period; draws above the ceiling are lowered to it.
 */
function withinLimits(kbps: number): number {
  if (kbps < TRACE_LIMITS.minBandwidthKbps) return 0;
  return Math.min(kbps, TRACE_LIMITS.maxBandwidthKbps);
}

/** Every generated trace passes the writers' check (what a generator makes, a reader reads back). */
function checked(trace: NetworkTrace): NetworkTrace {
  checkWritableTrace(trace, 'trace');
  return trace;
}

function positive(name: string, value: number): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw invalidArgument(name, `must be a finite number > 0, got ${String(value)}`);
  }
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
    throw invalidArgument(name, `must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}

function probability(name: string, value: number): number {
  if (!(typeof value === 'number' && value >= 0 && value <= 1)) {
    throw invalidArgument(name, `must be a probability in [0, 1], got ${String(value)}`);
  }
  return value;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
