/**
 * The two wait policies of the research simulators (see `WaitPolicyName`).
 * Sabre (Spiteri et al., MMSys 2018, src/sabre.py): before choosing the next segment, wait
 * `buffer + segmentDuration - maxBuffer` when positive. Pensieve (Mao et al., SIGCOMM 2017,
 * test/fixed_env.py): after a download, when the buffer exceeds its 60 s threshold, sleep in 500 ms steps.
 */

/** Pensieve's DRAIN_BUFFER_SLEEP_TIME. */
export const PENSIEVE_SLEEP_STEP_MS = 500;

/** Sabre: how long to wait before choosing so that one more segment fits under the target, ms (0 = none). */
export function waitBeforeChooseMs(
  bufferLevelMs: number,
  segmentDurationMs: number,
  bufferTargetMs: number,
): number {
  const waitMs = bufferLevelMs + segmentDurationMs - bufferTargetMs;
  return waitMs > 0 ? waitMs : 0;
}

/** Pensieve: how long to sleep after a download, `ceil((buffer - target) / 500) * 500` when over target, ms. */
export function sleepAfterDownloadMs(bufferLevelMs: number, bufferTargetMs: number): number {
  if (!(bufferLevelMs > bufferTargetMs)) return 0;
  return Math.ceil((bufferLevelMs - bufferTargetMs) / PENSIEVE_SLEEP_STEP_MS) * PENSIEVE_SLEEP_STEP_MS;
}
