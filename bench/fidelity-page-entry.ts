/**
 * The page side of bench/fidelity.ts (bundled for the browser, not run by Node): the player and the whole
 * algorithm registry, so the page builds the algorithm exactly as the simulator does
 * (`createAlgorithm(name, options)`), robust-mpc included.
 */
export * from '../src/player/index.js';
export { createAlgorithm } from '../src/abr/registry.js';
