/**
 * The segment check as the fetch source uses it (in the faults chunk, src/player/faults.ts): each media
 * segment checked against its init segment before it reaches the SourceBuffer (src/mse/segment-check.ts).
 */
import { AbrkitError } from '../core/errors.js';
import { checkMediaSegment, readTrackInfo } from '../mse/segment-check.js';
import type { TrackInfo } from '../mse/segment-check.js';
import type { PayloadCheck } from './fetch-source.js';

/** Track id and timescale of each init segment's bytes (read once). */
const tracks = new WeakMap<Uint8Array, TrackInfo | null>();

function trackOf(init: Uint8Array): TrackInfo | null {
  if (!tracks.has(init)) tracks.set(init, readTrackInfo(init));
  return tracks.get(init) ?? null;
}

/**
 * Checks media bytes against their init segment before they reach the SourceBuffer: a `CORRUPT_SEGMENT`
 * (or, for the init itself, `CORRUPT_INIT` marked `data.init`) naming the URL. `startS` null: no time check.
 */
export const checkPayloadPart: PayloadCheck = (init, part, startS, durationS, initKind) => {
  if (!init) return null;
  const track = trackOf(init.bytes);
  const problem = track
    ? checkMediaSegment(part.bytes, track, startS, durationS)
    : 'not an init segment (no moov with a track)';
  if (!problem) return null;
  return new AbrkitError('media', track ? 'CORRUPT_SEGMENT' : 'CORRUPT_INIT', problem, {
    fatal: false,
    data: track ? { source: part.url } : { source: init.url, init: initKind },
  });
};
