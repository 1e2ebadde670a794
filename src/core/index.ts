export * from './types.js';
export * from './errors.js';
export * from './clock.js';
export * from './events.js';
export * from './assert.js';
