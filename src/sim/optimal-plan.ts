/**
 * The offline optimum for a simulated session: binds src/abr/optimal.ts's planner to this simulator's
 * network models and session rules (wait policy, first rendition, startup rule), so that `simulateSession`
 * with algorithm `'optimal'` plans on the whole trace and then replays the plan through the same loop.
 */
import { cappedWait, createOptimalPlanner, steppedWait, type OptimalResult } from '../abr/optimal.js';
import type { QoeWeights } from '../abr/mpc.js';
import { AbrkitError } from '../core/errors.js';
import type { NetworkTrace } from '../traces/model.js';
import type { VideoDescription } from '../videos/model.js';
import { PENSIEVE_RTT_MS, PensieveModel } from './network/pensieve.js';
import { LinkModel } from './network/link.js';
import type { NetworkModelName } from './network/types.js';
import { PENSIEVE_SLEEP_STEP_MS } from '../session/wait-policy.js';
import type { QoeModelName } from './qoe-terms.js';

const WEIGHTS: Readonly<Record<QoeModelName, QoeWeights>> = {
  lin: { model: 'lin', rebufferPenaltyPerS: 4.3, smoothPenalty: 1 },
  log: { model: 'log', rebufferPenaltyPerS: 2.66, smoothPenalty: 1 },
  hd: { model: 'hd', rebufferPenaltyPerS: 8, smoothPenalty: 1 },
};

export interface OptimalSessionOptions {
  readonly video: VideoDescription;
  readonly trace: NetworkTrace;
  readonly network: NetworkModelName;
  readonly qoe: QoeModelName;
  readonly bufferTargetMs: number;
  readonly forcedFirstRendition: number | null;
  readonly maxRenditionIndex?: number;
  /** DP cell size, ms (the planner's default 50). */
  readonly resolutionMs?: number;
}

/**
 * Session-time download oracle of Pensieve's model. Its trace clock lags the session clock by 80 ms per
 * download (the RTT does not move it), so the oracle must know which download it is asked about; the
 * planner's oracle only gets (startMs, sizeBytes), so the segment is recovered from its size, which must
 * then be unique across segments (true of envivio). TODO(lead): pass the segment index to the oracle.
 */
function pensieveSessionOracle(
  video: VideoDescription,
  trace: NetworkTrace,
): (startMs: number, sizeBytes: number) => number {
  const oracle = new PensieveModel(trace).oracle();
  const segmentOf = new Map<number, number>();
  const ambiguous = new Set<number>();
  video.segmentSizesBytes.forEach((row, k) => {
    for (const size of row) {
      const seen = segmentOf.get(size);
      if (seen !== undefined && seen !== k) ambiguous.add(size);
      else segmentOf.set(size, k);
    }
  });
  return (startMs, sizeBytes) => {
    const k = segmentOf.get(sizeBytes);
    if (k === undefined || ambiguous.has(sizeBytes)) {
      throw new AbrkitError(
        'config',
        'OPTIMAL_PENSIEVE_SIZES',
        `optimal on the pensieve network needs segment sizes unique across segments; ${sizeBytes} B is not`,
        {
          data: { source: video.name, sizeBytes },
        },
      );
    }
    return oracle.downloadMs(startMs - PENSIEVE_RTT_MS * k, sizeBytes);
  };
}

/** Plans the offline optimum of one session under the simulator's rules for `network`. */
export function planOptimalSession(o: OptimalSessionOptions): OptimalResult {
  const pensieve = o.network === 'pensieve';
  const planner = createOptimalPlanner({
    video: o.video,
    waitMs: pensieve
      ? steppedWait(o.bufferTargetMs, PENSIEVE_SLEEP_STEP_MS)
      : cappedWait(Math.max(0, o.bufferTargetMs - o.video.segmentDurationMs)),
    qoe: WEIGHTS[o.qoe],
    firstRenditionIndex: o.forcedFirstRendition,
    previousRenditionIndex: null,
    startupCountsAsRebuffer: pensieve,
    ...(o.resolutionMs !== undefined ? { resolutionMs: o.resolutionMs } : {}),
    ...(o.maxRenditionIndex !== undefined ? { maxRenditionIndex: o.maxRenditionIndex } : {}),
  });
  if (pensieve) return planner.plan(pensieveSessionOracle(o.video, o.trace));
  const link = new LinkModel(o.trace, o.network);
  return planner.plan((startMs, sizeBytes) => link.downloadMs(startMs, sizeBytes));
}
