/**
 * A per-segment QoE function in the shape the session loop calls (`QoeTermFunction` of src/session/types.ts,
 * matched structurally so that src/qoe does not depend on the session): the model is bound to the ladder
 * once per `renditions` array and cached. The first segment (no previous one) has no switch term.
 */
import type { Rendition } from '../core/types.js';
import { createQoeModel, type QoeModel, type QoeModelName, type QoeModelSpec } from './models.js';

/** What the session knows about a segment when it scores it. */
export interface QoeSegmentFacts {
  readonly renditionIndex: number;
  readonly bitrateKbps: number;
  /** null for the first segment. */
  readonly lastRenditionIndex: number | null;
  readonly lastBitrateKbps: number | null;
  readonly rebufferMs: number;
  readonly renditions: readonly Rendition[];
}

/** `(facts) => QoE term` under `model`, for the session loop and the simulator. */
export function createQoeTermFunction(
  model: QoeModelName | QoeModelSpec,
): (facts: QoeSegmentFacts) => number {
  const bound = new WeakMap<readonly Rendition[], QoeModel>();
  return (facts) => {
    let qoe = bound.get(facts.renditions);
    if (!qoe) {
      qoe = createQoeModel(
        model,
        facts.renditions.map((r) => r.bitrateKbps),
      );
      bound.set(facts.renditions, qoe);
    }
    return qoe.term({
      bitrateKbps: facts.bitrateKbps,
      prevBitrateKbps: facts.lastBitrateKbps ?? facts.bitrateKbps,
      rebufferMs: facts.rebufferMs,
      renditionIndex: facts.renditionIndex,
      prevRenditionIndex: facts.lastRenditionIndex ?? facts.renditionIndex,
    });
  };
}
