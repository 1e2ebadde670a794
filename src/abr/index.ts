export type * from './types.js';
export { resolveOptions as resolveAbrOptions } from './options.js';
export type { ResolvedOptions as ResolvedAbrOptions } from './options.js';
export { qualityFromThroughput } from './sabre-common.js';
export { ThroughputRule, createThroughput, throughputInfo, THROUGHPUT_DEFAULTS } from './throughput.js';
export type { ThroughputRuleOptions } from './throughput.js';
export { Bba, bbaIndex, createBba, bbaInfo } from './bba.js';
export { Bola, bolaV, createBola, bolaInfo, DEFAULT_GAMMA_P } from './bola.js';
export type { BolaOptions } from './bola.js';
export { BolaE, createBolaE, bolaEInfo, BOLA_E_DEFAULTS } from './bola-e.js';
export type { BolaEOptions, BolaEParams } from './bola-e.js';
export {
  Dynamic,
  DynamicDash,
  createDynamic,
  createDynamicDash,
  dynamicInfo,
  dynamicDashInfo,
  DYNAMIC_DASH_PRESETS,
} from './dynamic.js';
export {
  AlgorithmRegistry,
  BUILTIN_ALGORITHMS,
  DEFAULT_ALGORITHM,
  createAlgorithm,
  getAlgorithmInfo,
  getDefaultRegistry,
  listAlgorithms,
  registerAlgorithm,
} from './registry.js';
// mpc, robust-mpc and optimal (src/abr/mpc.ts, robust-mpc.ts, optimal.ts) are exported and registered here
// by the lead once they land.
