/**
 * The live chunk of `abrkit/player`: `load()` imports it only for a media playlist without
 * `#EXT-X-ENDLIST` (see controller.ts), so a VOD page never loads it.
 */
export { LiveController } from './controller.js';
export type { LiveHost } from './controller.js';
