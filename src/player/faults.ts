/**
 * What the player needs only to deal with faults, in a chunk of its own that `load()` imports while the
 * playlists load (it is not part of what a page loads up front: bench/player-bundle.ts): the segment check
 * before each append (src/mse/segment-check.ts), the retry/fallback hook, the rendition exclusion, and the
 * options checked against the presentation.
 */
export { checkPayloadPart } from './payload-check.js';
export { createFallbackHook } from './fallback.js';
export { excludingRenditions } from './exclusion.js';
export { checkOptions } from './check-options.js';
