/**
 * abrkit: the pure ABR core (no DOM, no Node, no rxjs). Runtimes: `abrkit/player` (browser), `abrkit/sim` (Node).
 */
export * from './core/index.js';
export * from './traces/index.js';
export * from './videos/index.js';
export * from './estimators/index.js';
export * from './qoe/index.js';
export * from './abr/index.js';
export * from './session/index.js';
export * from './manifest/index.js';
