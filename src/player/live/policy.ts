/**
 * The numbers behind live playback, as pure functions of what they depend on: when to reload a playlist and
 * where to start. How fast to play to get back to the latency target, and when to jump instead, are the
 * session loop's (src/session/live.ts), shared with the simulator.
 */

/**
 * Wait before the next reload of a media playlist, ms (RFC 8216 §6.3.4): the target duration after a reload
 * that changed the playlist, half of it after one that did not, both counted from when the reload began
 * (so `elapsedMs`, the time it took, is deducted). After `failures` failed reloads in a row: half the
 * target duration doubled per failure, up to `maxBackoffMs` (hls.js `playlistLoadPolicy` caps at 8 s).
 */
export function reloadDelayMs(
  targetDurationMs: number,
  changed: boolean,
  failures: number,
  elapsedMs: number,
  maxBackoffMs = 8000,
): number {
  if (failures > 0) {
    return Math.min(Math.max(maxBackoffMs, targetDurationMs), (targetDurationMs / 2) * 2 ** (failures - 1));
  }
  return Math.max(0, (changed ? targetDurationMs : targetDurationMs / 2) - elapsedMs);
}

/**
 * Where playback starts (or jumps back to), ms on the live timeline: `syncMs` behind the live edge, never
 * before the first segment listed.
 */
export function liveSyncPositionMs(edgeMs: number, syncMs: number, firstStartMs: number): number {
  return Math.max(firstStartMs, edgeMs - syncMs);
}
