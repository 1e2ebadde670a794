/**
 * The suite file of `abrkit suite`: which algorithms to compare against a baseline, on which sets (traces +
 * video + network model + QoE), and how to sample them. `parseSuite` checks a parsed JSON value and returns
 * a {@link SuiteSpec}; every problem is an `AbrkitError('config', 'SUITE_INVALID')` naming the file and the
 * JSON path (`suite.json: sets[3].network: must be one of pensieve, sabre, abrkit`). Pure: no Node.
 *
 * ```json
 * { "name": "default", "baseline": "robust-mpc",
 *   "algorithms": ["default", "robust-mpc", {"label": "bola-e-10s", "algo": "bola-e", "options": {...}}],
 *   "candidates": ["default", "robust-mpc"],
 *   "sets": [{ "name": "puffer-envivio", "family": "puffer", "traces": "$SHARED/traces/puffer-2021-10-17",
 *              "video": "$SHARED/videos/pensieve-envivio", "playableSegments": 48, "network": "pensieve",
 *              "qoe": "lin", "sample": 100, "optimalSample": 25 }] }
 * ```
 */
import { resolveOptions } from '../../abr/options.js';
import { DEFAULT_ALGORITHM, getDefaultRegistry } from '../../abr/registry.js';
import type { AbrOptions } from '../../abr/types.js';
import { isVideoSpec, videoFromSpec } from '../../cli/demo-data.js';
import { AbrkitError } from '../../core/errors.js';
import { QOE_MODEL_NAMES, type QoeModelName } from '../../qoe/objective.js';
import { MAX_REBUFFER_PENALTY_PER_S } from '../qoe-terms.js';

/** The network models a set may name. */
export const SUITE_NETWORKS = ['pensieve', 'sabre', 'abrkit'] as const;
export type SuiteNetwork = (typeof SUITE_NETWORKS)[number];

/** The generators a `generate` trace source may name (the seeded series of src/traces/generators.ts). */
export const SUITE_GENERATOR_KINDS = ['random-walk', 'markov', 'cellular'] as const;
export type SuiteGeneratorKind = (typeof SUITE_GENERATOR_KINDS)[number];

/** The name in a suite's algorithm list that stands for the registry's default algorithm. */
export const DEFAULT_ALGORITHM_ALIAS = 'default';

/** The offline optimum's registry name: not an algorithm to list (sets sample it with `optimalSample`). */
const OPTIMAL = 'optimal';

/** One algorithm to run, under a label unique in the suite. */
export interface SuiteAlgorithm {
  readonly label: string;
  /** Registry name (`default` already resolved to the registry's default algorithm). */
  readonly algo: string;
  readonly options?: AbrOptions;
}

/** Most traces one `generate` source makes (the default suite's sets make 30-150). */
export const SUITE_MAX_GENERATED_TRACES = 100_000;

/**
 * Most periods one `generate` source makes in all, as many as one generated trace may hold: about 1 GB of
 * periods while they are made.
 */
export const SUITE_MAX_GENERATED_PERIODS = 10_000_000;

/** Seeded synthetic traces: trace i uses kinds[i % kinds.length] with seed `seed + i`. */
export interface SuiteGeneratedTraces {
  readonly type: 'generate';
  readonly kinds: readonly SuiteGeneratorKind[];
  readonly count: number;
  readonly seed: number;
  /** Options for every kind (`durationMs`, `periodMs`, `latencyMs`). */
  readonly common: Readonly<Record<string, number>>;
  /** Options of one kind (`cellular: { meanKbps: 20000 }`). */
  readonly byKind: Readonly<Partial<Record<SuiteGeneratorKind, Readonly<Record<string, number | number[]>>>>>;
}

/** Trace files and folders, as written in the suite (resolved by the runner). */
export interface SuiteTraceFiles {
  readonly type: 'files';
  readonly paths: readonly string[];
}

export type SuiteTraceSource = SuiteTraceFiles | SuiteGeneratedTraces;

export interface SuiteSet {
  readonly name: string;
  /** Trace source family (hsdpa, fcc, puffer...): the unit left out by the leave-one-family-out summary. */
  readonly family: string;
  readonly traces: SuiteTraceSource;
  /** Video path as written in the suite (Sabre JSON, Pensieve folder or HLS master). */
  readonly video: string;
  readonly playableSegments?: number;
  readonly network: SuiteNetwork;
  readonly qoe: QoeModelName;
  /** Overrides the QoE model's ladder-aware rebuffer penalty per second. */
  readonly rebufferPenalty?: number;
  /** Traces to run (evenly spaced over the name-ordered list, see sample.ts); all when absent. */
  readonly sample?: number;
  /** Traces (evenly spaced over the sampled ones) on which the offline optimum runs; none when absent. */
  readonly optimalSample?: number;
  /**
   * The optimum's DP cell, ms (default the simulator's 200). Coarser is faster and gives a lower bound; on
   * 199-segment videos 1000 ms keeps the optimum to a few seconds a session.
   */
  readonly optimalResolutionMs?: number;
}

export interface SuiteSpec {
  readonly name: string;
  /** Label of the baseline algorithm (one of `algorithms`). */
  readonly baseline: string;
  /** Every algorithm to run, in table order (the baseline and candidates included). */
  readonly algorithms: readonly SuiteAlgorithm[];
  /** Labels the leave-one-family-out summary chooses among (`candidates`, else all `algorithms`). */
  readonly candidates: readonly string[];
  readonly sets: readonly SuiteSet[];
}

const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

const COMMON_GENERATOR_KEYS = ['durationMs', 'periodMs', 'latencyMs'];
const GENERATOR_KEYS: Record<SuiteGeneratorKind, readonly string[]> = {
  'random-walk': ['startKbps', 'minKbps', 'maxKbps', 'stepSigma'],
  markov: ['statesKbps', 'switchProbability', 'noiseCov', 'noiseHoldPeriods', 'minKbps'],
  cellular: ['meanKbps', 'sigma', 'correlation', 'outagesPerMinute', 'outageMeanMs', 'outageKbps'],
};

/** Reads a suite from its parsed JSON; `source` (the file name) prefixes every error. */
export function parseSuite(json: unknown, source: string): SuiteSpec {
  const p = new Parser(source);
  const root = p.object(json, '');
  p.keys(root, '', ['name', 'baseline', 'algorithms', 'candidates', 'sets', 'description', '$comment']);
  const name = p.string(root['name'], 'name');
  if (root['description'] !== undefined) p.string(root['description'], 'description');

  const algorithms: SuiteAlgorithm[] = [];
  const addAlgorithm = (a: SuiteAlgorithm, path: string): void => {
    const same = algorithms.find((b) => b.label === a.label);
    if (!same) algorithms.push(a);
    else if (same.algo !== a.algo || JSON.stringify(same.options) !== JSON.stringify(a.options))
      throw p.fail(path, `label '${a.label}' is already used by another algorithm`);
  };
  const algoList = p.array(root['algorithms'], 'algorithms');
  if (algoList.length === 0) throw p.fail('algorithms', 'must list at least one algorithm');
  algoList.forEach((a, i) => addAlgorithm(p.algorithm(a, `algorithms[${i}]`), `algorithms[${i}]`));

  const baselinePath = 'baseline';
  const baselineRaw = p.string(root['baseline'], baselinePath);
  let baseline = algorithms.find((a) => a.label === baselineRaw)?.label;
  if (baseline === undefined) {
    // A registry name not listed: run it too, first.
    const a = p.algorithm(baselineRaw, baselinePath);
    algorithms.unshift(a);
    baseline = a.label;
  }

  let candidates: string[];
  if (root['candidates'] === undefined) candidates = algorithms.map((a) => a.label);
  else {
    const list = p.array(root['candidates'], 'candidates');
    if (list.length === 0) throw p.fail('candidates', 'must list at least one algorithm (or be left out)');
    candidates = list.map((c, i) => {
      const path = `candidates[${i}]`;
      if (typeof c === 'string') {
        const listed = algorithms.find((a) => a.label === c);
        if (listed) return listed.label;
      }
      const a = p.algorithm(c, path);
      addAlgorithm(a, path);
      return a.label;
    });
    candidates = [...new Set(candidates)];
  }

  const setList = p.array(root['sets'], 'sets');
  if (setList.length === 0) throw p.fail('sets', 'must list at least one set');
  const sets = setList.map((s, i) => p.set(s, `sets[${i}]`));
  const names = new Set<string>();
  sets.forEach((s, i) => {
    if (names.has(s.name)) throw p.fail(`sets[${i}].name`, `'${s.name}' names two sets`);
    names.add(s.name);
  });
  return { name, baseline, algorithms, candidates, sets };
}

class Parser {
  constructor(private readonly source: string) {}

  fail(path: string, problem: string): AbrkitError {
    return new AbrkitError('config', 'SUITE_INVALID', `${path === '' ? '' : `${path}: `}${problem}`, {
      data: { source: this.source, path },
    });
  }

  object(v: unknown, path: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw this.fail(path, `must be an object, got ${describe(v)}`);
    return v as Record<string, unknown>;
  }

  array(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) throw this.fail(path, `must be an array, got ${describe(v)}`);
    return v;
  }

  string(v: unknown, path: string): string {
    if (typeof v !== 'string' || v.trim() === '')
      throw this.fail(path, `must be a non-empty string, got ${describe(v)}`);
    return v;
  }

  number(v: unknown, path: string, min: number, integer = false, max = Number.POSITIVE_INFINITY): number {
    if (
      typeof v !== 'number' ||
      !Number.isFinite(v) ||
      v < min ||
      v > max ||
      (integer && !Number.isInteger(v))
    ) {
      const range = max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `from ${min} to ${max}`;
      throw this.fail(path, `must be ${integer ? 'an integer' : 'a number'} ${range}, got ${describe(v)}`);
    }
    return v;
  }

  oneOf<T extends string>(v: unknown, path: string, choices: readonly T[]): T {
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v))
      throw this.fail(path, `must be one of ${choices.join(', ')}, got ${describe(v)}`);
    return v as T;
  }

  keys(o: Record<string, unknown>, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k))
        throw this.fail(
          path === '' ? k : `${path}.${k}`,
          `unknown key (expected one of ${allowed.join(', ')})`,
        );
    }
  }

  algorithm(v: unknown, path: string): SuiteAlgorithm {
    if (typeof v === 'string') {
      const algo = this.algoName(v, path);
      return { label: v, algo };
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw this.fail(path, `must be an algorithm name or {"label", "algo", "options"}, got ${describe(v)}`);
    const o = v as Record<string, unknown>;
    this.keys(o, path, ['label', 'algo', 'options']);
    const algo = this.algoName(this.string(o['algo'], `${path}.algo`), `${path}.algo`);
    const label = o['label'] === undefined ? String(o['algo']) : this.string(o['label'], `${path}.label`);
    if (!LABEL_PATTERN.test(label))
      throw this.fail(`${path}.label`, `must be letters, digits and . _ + - (got ${JSON.stringify(label)})`);
    if (o['options'] === undefined) return { label, algo };
    const options = this.object(o['options'], `${path}.options`);
    try {
      resolveOptions(algo, getDefaultRegistry().get(algo).options, options);
    } catch (e) {
      throw this.fail(`${path}.options`, e instanceof Error ? e.message : String(e));
    }
    return { label, algo, options };
  }

  private algoName(name: string, path: string): string {
    const algo = name === DEFAULT_ALGORITHM_ALIAS ? DEFAULT_ALGORITHM : name;
    const registry = getDefaultRegistry();
    if (algo === OPTIMAL)
      throw this.fail(path, "the offline optimum is not listed as an algorithm: give a set 'optimalSample'");
    if (!registry.has(algo)) {
      throw this.fail(
        path,
        `unknown algorithm '${name}' (registered: ${DEFAULT_ALGORITHM_ALIAS}, ${registry
          .names()
          .filter((n) => n !== OPTIMAL)
          .join(', ')})`,
      );
    }
    return algo;
  }

  set(v: unknown, path: string): SuiteSet {
    const o = this.object(v, path);
    this.keys(o, path, [
      'name',
      'family',
      'traces',
      'video',
      'playableSegments',
      'network',
      'qoe',
      'rebufferPenalty',
      'sample',
      'optimalSample',
      'optimalResolutionMs',
      'description',
      '$comment',
    ]);
    const set: {
      -readonly [K in keyof SuiteSet]: SuiteSet[K];
    } = {
      name: this.string(o['name'], `${path}.name`),
      family: this.string(o['family'], `${path}.family`),
      traces: this.traces(o['traces'], `${path}.traces`),
      video: this.video(o['video'], `${path}.video`),
      network: this.oneOf(o['network'], `${path}.network`, SUITE_NETWORKS),
      qoe: o['qoe'] === undefined ? 'lin' : this.oneOf(o['qoe'], `${path}.qoe`, QOE_MODEL_NAMES),
    };
    if (o['playableSegments'] !== undefined) {
      set.playableSegments = this.number(o['playableSegments'], `${path}.playableSegments`, 1, true);
      const generated = isVideoSpec(set.video) ? videoFromSpec(set.video).segmentSizesBytes.length : null;
      if (generated !== null && set.playableSegments > generated)
        throw this.fail(`${path}.playableSegments`, `must be ≤ the generated video's ${generated} segments`);
    }
    if (o['rebufferPenalty'] !== undefined)
      set.rebufferPenalty = this.number(
        o['rebufferPenalty'],
        `${path}.rebufferPenalty`,
        0,
        false,
        MAX_REBUFFER_PENALTY_PER_S,
      );
    if (o['sample'] !== undefined) set.sample = this.number(o['sample'], `${path}.sample`, 1, true);
    if (o['optimalSample'] !== undefined) {
      set.optimalSample = this.number(o['optimalSample'], `${path}.optimalSample`, 0, true);
      if (set.sample !== undefined && set.optimalSample > set.sample)
        throw this.fail(
          `${path}.optimalSample`,
          `must be ≤ sample (${set.sample}): the optimum runs on sampled traces`,
        );
    }
    if (o['optimalResolutionMs'] !== undefined)
      set.optimalResolutionMs = this.number(o['optimalResolutionMs'], `${path}.optimalResolutionMs`, 10);
    return set;
  }

  /** A video path, or a `synthetic:...` spec checked here so a bad one fails with its JSON path. */
  private video(v: unknown, path: string): string {
    const text = this.string(v, path);
    if (isVideoSpec(text)) {
      try {
        videoFromSpec(text);
      } catch (e) {
        // the spec's own error names `--video` as its source: the JSON path says where here
        const where = e instanceof AbrkitError ? e.data.source : undefined;
        const message = e instanceof Error ? e.message : String(e);
        throw this.fail(
          path,
          where !== undefined && message.startsWith(`${where}: `) ? message.slice(where.length + 2) : message,
        );
      }
    }
    return text;
  }

  private traces(v: unknown, path: string): SuiteTraceSource {
    if (typeof v === 'string') return { type: 'files', paths: [this.string(v, path)] };
    if (Array.isArray(v)) {
      if (v.length === 0) throw this.fail(path, 'must list at least one path');
      return { type: 'files', paths: v.map((p, i) => this.string(p, `${path}[${i}]`)) };
    }
    const o = this.object(v, path);
    this.keys(o, path, ['generate']);
    const gp = `${path}.generate`;
    const g = this.object(o['generate'], gp);
    this.keys(g, gp, ['kinds', 'count', 'seed', 'options']);
    const kinds = this.array(g['kinds'], `${gp}.kinds`).map((k, i) =>
      this.oneOf(k, `${gp}.kinds[${i}]`, SUITE_GENERATOR_KINDS),
    );
    if (kinds.length === 0) throw this.fail(`${gp}.kinds`, 'must list at least one generator');
    const count = this.number(g['count'], `${gp}.count`, 1, true, SUITE_MAX_GENERATED_TRACES);
    const seed = g['seed'] === undefined ? 1 : this.number(g['seed'], `${gp}.seed`, 0, true);
    const common: Record<string, number> = {};
    const byKind: Partial<Record<SuiteGeneratorKind, Record<string, number | number[]>>> = {};
    if (g['options'] !== undefined) {
      const op = `${gp}.options`;
      const opts = this.object(g['options'], op);
      for (const [key, value] of Object.entries(opts)) {
        if ((SUITE_GENERATOR_KINDS as readonly string[]).includes(key)) {
          const kind = key as SuiteGeneratorKind;
          const kp = `${op}.${kind}`;
          const ko = this.object(value, kp);
          const allowed = [...COMMON_GENERATOR_KEYS, ...GENERATOR_KEYS[kind]];
          this.keys(ko, kp, allowed);
          const out: Record<string, number | number[]> = {};
          for (const [k, x] of Object.entries(ko)) {
            out[k] =
              k === 'statesKbps'
                ? this.array(x, `${kp}.${k}`).map((s, i) => this.number(s, `${kp}.${k}[${i}]`, 1))
                : this.number(x, `${kp}.${k}`, 0);
          }
          byKind[kind] = out;
        } else if (COMMON_GENERATOR_KEYS.includes(key)) {
          common[key] = this.number(value, `${op}.${key}`, 0);
        } else {
          throw this.fail(
            `${op}.${key}`,
            `unknown key (expected ${COMMON_GENERATOR_KEYS.join(', ')} or a kind: ${SUITE_GENERATOR_KINDS.join(', ')})`,
          );
        }
      }
    }
    return { type: 'generate', kinds, count, seed, common, byKind };
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
