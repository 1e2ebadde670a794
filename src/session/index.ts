export * from './types.js';
export * from './wait-policy.js';
export * from './buffer-model.js';
export * from './session.js';
export * from './live.js';
