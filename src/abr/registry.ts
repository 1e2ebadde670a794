/**
 * The algorithm registry: algorithms by name, with their option specs, for the CLI (`abrkit algos`), the
 * simulator's batch runner and the demo's pickers. The built-in algorithms are registered by default, each
 * joined here with its docs (an algorithm file exports its runtime part `xInfo` and its docs `xDocs`
 * separately, so the player bundles no descriptions); others register through `registerAlgorithm`.
 */
import { AbrkitError } from '../core/errors.js';
import { invalidArgument } from '../core/errors.js';
import type {
  AbrAlgorithm,
  AbrAlgorithmCore,
  AbrAlgorithmDocs,
  AbrAlgorithmInfo,
  AbrOptions,
} from './types.js';
import { resolveOptions } from './options.js';
import { throughputDocs, throughputInfo } from './throughput.js';
import { bbaDocs, bbaInfo } from './bba.js';
import { bolaDocs, bolaInfo } from './bola.js';
import { bolaEDocs, bolaEInfo } from './bola-e.js';
import { dynamicDashDocs, dynamicDashInfo, dynamicDocs, dynamicInfo } from './dynamic.js';
import { mpcDocs, mpcInfo } from './mpc.js';
import { robustMpcDocs, robustMpcInfo } from './robust-mpc.js';
import { optimalDocs, optimalInfo } from './optimal.js';
import { scenarioMpcDocs, scenarioMpcInfo } from './scenario-mpc.js';
import { l2aLlDocs, l2aLlInfo } from './l2a-ll.js';

/**
 * The algorithm a session uses when none is named: the player's default (`abrkit algos --json` marks it).
 * scenario-mpc, abrkit's own (docs/own-algorithm.md), since it meets issue 9's targets; the player bundles
 * it within its 30 KB budget because it loads only the algorithms' runtime parts, not their docs.
 * test/player/options.test.ts keeps the player's default equal to this.
 */
export const DEFAULT_ALGORITHM = 'scenario-mpc';

/**
 * Joins an algorithm's runtime part with its docs into the full info the registry lists. Every option needs
 * a description and every description an option: a mismatch is a `TypeError` naming the algorithm and the
 * option.
 */
export function withDocs(core: AbrAlgorithmCore, docs: AbrAlgorithmDocs): AbrAlgorithmInfo {
  for (const name of Object.keys(docs.options)) {
    if (!core.options.some((spec) => spec.name === name))
      throw invalidArgument(`docs of '${core.name}'`, `describes an unknown option '${name}'`);
  }
  const options = core.options.map((spec) => {
    const description = Object.hasOwn(docs.options, spec.name) ? docs.options[spec.name] : undefined;
    if (typeof description !== 'string' || description.length === 0)
      throw invalidArgument(`docs of '${core.name}'`, `no description of option '${spec.name}'`);
    return { ...spec, description };
  });
  return { ...core, description: docs.description, citation: docs.citation, options };
}

/** The algorithms registered by default, in listing order, with their docs. */
export const BUILTIN_ALGORITHMS: readonly AbrAlgorithmInfo[] = [
  withDocs(throughputInfo, throughputDocs),
  withDocs(bbaInfo, bbaDocs),
  withDocs(bolaInfo, bolaDocs),
  withDocs(bolaEInfo, bolaEDocs),
  withDocs(dynamicInfo, dynamicDocs),
  withDocs(dynamicDashInfo, dynamicDashDocs),
  withDocs(mpcInfo, mpcDocs),
  withDocs(robustMpcInfo, robustMpcDocs),
  withDocs(scenarioMpcInfo, scenarioMpcDocs),
  withDocs(l2aLlInfo, l2aLlDocs),
  withDocs(optimalInfo, optimalDocs),
];

const NAME_PATTERN = /^[a-z][a-z0-9-]*$/;

/** A set of algorithms by name. The module-level functions below use one default instance. */
export class AlgorithmRegistry {
  private readonly byName = new Map<string, AbrAlgorithmInfo>();

  constructor(infos: readonly AbrAlgorithmInfo[] = []) {
    for (const info of infos) this.register(info);
  }

  /** Adds (or replaces, same name) an algorithm. Names are lower-case words joined by '-'. */
  register(info: AbrAlgorithmInfo): void {
    if (typeof info !== 'object' || info === null)
      throw invalidArgument('info', 'must be an AbrAlgorithmInfo');
    if (typeof info.name !== 'string' || !NAME_PATTERN.test(info.name))
      throw invalidArgument('info.name', `must match ${String(NAME_PATTERN)}, got '${String(info.name)}'`);
    if (typeof info.create !== 'function') throw invalidArgument('info.create', 'must be a function');
    const seen = new Set<string>();
    for (const spec of info.options) {
      if (seen.has(spec.name)) throw invalidArgument('info.options', `duplicate option '${spec.name}'`);
      seen.add(spec.name);
    }
    this.byName.set(info.name, info);
  }

  /** The named algorithm's info; `AbrkitError('config', 'ABR_UNKNOWN')` listing the registered names if absent. */
  get(name: string): AbrAlgorithmInfo {
    const info = this.byName.get(name);
    if (!info) {
      const names = this.names();
      throw new AbrkitError(
        'config',
        'ABR_UNKNOWN',
        `unknown ABR algorithm '${name}' (registered: ${names.length > 0 ? names.join(', ') : 'none'})`,
        { data: { algorithm: name, registered: names } },
      );
    }
    return info;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  list(): AbrAlgorithmInfo[] {
    return [...this.byName.values()];
  }

  /**
   * Creates the named algorithm after checking `options` against its specs (unknown option, wrong type,
   * out of range: `AbrkitError('config', 'ABR_BAD_OPTION')` naming the option and listing the valid ones).
   * The options are passed on as given (factories fill in defaults). Offline algorithms (the optimum) take
   * data computed from the whole trace, which option specs cannot describe: their factory validates it.
   */
  create(name: string, options?: AbrOptions): AbrAlgorithm {
    const info = this.get(name);
    if (!info.offline) resolveOptions(name, info.options, options);
    return info.create(options);
  }
}

const defaultRegistry = new AlgorithmRegistry(BUILTIN_ALGORITHMS);

/** The registry the functions below use. */
export function getDefaultRegistry(): AlgorithmRegistry {
  return defaultRegistry;
}

/** Registers an algorithm by name in the default registry (replacing one of the same name). */
export function registerAlgorithm(info: AbrAlgorithmInfo): void {
  defaultRegistry.register(info);
}

/** The named algorithm's info; throws `AbrkitError('config', 'ABR_UNKNOWN')` listing the registered names. */
export function getAlgorithmInfo(name: string): AbrAlgorithmInfo {
  return defaultRegistry.get(name);
}

/** Every registered algorithm, in registration order. */
export function listAlgorithms(): AbrAlgorithmInfo[] {
  return defaultRegistry.list();
}

/** Creates a registered algorithm with validated options (see {@link AlgorithmRegistry.create}). */
export function createAlgorithm(name: string, options?: AbrOptions): AbrAlgorithm {
  return defaultRegistry.create(name, options);
}
