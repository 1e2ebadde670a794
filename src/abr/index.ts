export type * from './types.js';
export { resolveOptions as resolveAbrOptions } from './options.js';
export type { ResolvedOptions as ResolvedAbrOptions } from './options.js';
export { qualityFromThroughput } from './sabre-common.js';
export {
  ThroughputRule,
  createThroughput,
  throughputInfo,
  throughputDocs,
  THROUGHPUT_DEFAULTS,
} from './throughput.js';
export type { ThroughputRuleOptions } from './throughput.js';
export { Bba, bbaIndex, createBba, bbaInfo, bbaDocs } from './bba.js';
export { Bola, bolaV, createBola, bolaInfo, bolaDocs, DEFAULT_GAMMA_P } from './bola.js';
export type { BolaOptions } from './bola.js';
export { BolaE, createBolaE, bolaEInfo, bolaEDocs, BOLA_E_DEFAULTS } from './bola-e.js';
export type { BolaEOptions, BolaEParams } from './bola-e.js';
export {
  Dynamic,
  DynamicDash,
  createDynamic,
  createDynamicDash,
  dynamicInfo,
  dynamicDashInfo,
  dynamicDocs,
  dynamicDashDocs,
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
  withDocs,
} from './registry.js';
export { MpcAlgorithm, MpcSearch, HarmonicPredictor, createMpc, mpcInfo, mpcDocs } from './mpc.js';
export { qoeTable, segmentQoe, QOE_LIN, type QoeWeights, type QoeTable } from '../qoe/objective.js';
export { createRobustMpc, robustMpcInfo, robustMpcDocs, PENSIEVE_ROBUST_MPC_OPTIONS } from './robust-mpc.js';
export {
  createOptimal,
  createOptimalPlanner,
  optimalInfo,
  optimalDocs,
  planOptimal,
  simulatePlan,
  cappedWait,
  steppedWait,
  type DownloadOracle,
} from './optimal.js';
export {
  ScenarioMpc,
  createScenarioMpc,
  scenarioMpcInfo,
  scenarioMpcDocs,
  SCENARIO_MPC_NAME,
  SCENARIO_MPC_OPTION_SPECS,
  resolveScenarioMpcConfig,
} from './scenario-mpc.js';
export { TransmissionPredictor } from './scenario-mpc-predictor.js';
export { ScenarioPlanner } from './scenario-mpc-search.js';
export {
  L2A_DEFAULTS,
  L2aLl,
  createL2aLl,
  l2aLlDocs,
  l2aLlInfo,
  projectOnSimplex,
  type L2aOptions,
} from './l2a-ll.js';
