/**
 * The options only the presentation can check (in the faults chunk: it runs once the playlists are in): a
 * bad one fails `load()` with an `AbrkitError('config', 'OPTION_OUT_OF_RANGE')` naming it and its range.
 */
import { AbrkitError } from '../core/errors.js';
import type { PlayerLadder } from './ladder.js';
import type { ResolvedPlayerOptions } from './options.js';

/** Throws when `bufferTargetMs` is below two segments or a rendition index is outside the ladder. */
export function checkOptions(o: ResolvedPlayerOptions, ladder: PlayerLadder, url: string): void {
  const top = ladder.renditions.length - 1;
  const bad = (option: string, problem: string): AbrkitError =>
    new AbrkitError('config', 'OPTION_OUT_OF_RANGE', `${option}: ${problem}`, {
      data: { source: url, option },
    });
  const minBufferMs = 2 * ladder.segmentDurationMs;
  if (o.bufferTargetMs < minBufferMs) {
    throw bad(
      'bufferTargetMs',
      `must be at least 2 segments (>= ${minBufferMs} ms) for this presentation, got ${o.bufferTargetMs}`,
    );
  }
  for (const [option, value] of [
    ['startRendition', o.startRendition],
    ['maxRendition', o.maxRendition],
  ] as const) {
    if (value !== null && value > top) {
      throw bad(
        option,
        `must be in [0, ${top}] (the ladder has ${top + 1} playable renditions), got ${value}`,
      );
    }
  }
}
