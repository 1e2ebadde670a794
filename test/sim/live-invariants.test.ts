/**
 * Properties of every online algorithm in a live session of the simulator, on random step traces, latency
 * targets and network models (sabre's re-ask after an abandonment included): no segment before the edge passed its end, no fetch with more than the target buffered,
 * the playback rate within [1, 1.1], the latency never below a segment's duration, the session complete (to
 * its last segment; a jump back to the edge skips some).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listAlgorithms } from '../../src/abr/registry.js';
import { simulateSession } from '../../src/sim/simulate.js';
import { stepTrace } from '../../src/traces/generators.js';
import type { VideoDescription } from '../../src/videos/model.js';

const LADDER = [400, 1200, 2500, 5000];
const video: VideoDescription = {
  name: 'live-prop',
  segmentDurationMs: 2000,
  renditions: LADDER.map((bitrateKbps, index) => ({ index, bitrateKbps })),
  segmentSizesBytes: Array.from({ length: 24 }, (_, s) =>
    LADDER.map((kbps) => Math.round(kbps * 250 * (s % 4 === 0 ? 1.3 : 0.9))),
  ),
};
const ONLINE = listAlgorithms()
  .filter((i) => !i.offline)
  .map((i) => i.name);

describe('live sessions of every online algorithm', () => {
  it('respect availability, the buffer bound and the rate bounds on random traces', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ONLINE),
        fc.constantFrom('abrkit' as const, 'sabre' as const, 'pensieve' as const),
        fc.integer({ min: 2500, max: 12_000 }),
        fc.array(
          fc.record({
            durationMs: fc.integer({ min: 2000, max: 20_000 }),
            bandwidthKbps: fc.integer({ min: 300, max: 12_000 }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        (algorithm, network, targetLatencyMs, periods) => {
          const decisions: { segmentIndex: number; nowMs: number; bufferLevelMs: number }[] = [];
          const { records } = simulateSession({
            video,
            trace: stepTrace(periods, { latencyMs: 30, name: 'random-step' }),
            algorithm,
            network,
            live: { targetLatencyMs },
            onEvents: (events) => events.on('decision', (d) => decisions.push(d)),
          });
          // complete: the last segment played; segments only skipped by a jump back to the edge (live-jumps.ts)
          expect(records.at(-1)!.segment).toBe(23);
          for (let i = 1; i < records.length; i++)
            expect(records[i]!.segment).toBeGreaterThan(records[i - 1]!.segment);
          for (const d of decisions) {
            // segment i is out at (i + 1) · 2000 − target on the session clock (the join is at the target)
            expect(d.nowMs).toBeGreaterThanOrEqual((d.segmentIndex + 1) * 2000 - targetLatencyMs - 1e-6);
            expect(d.bufferLevelMs).toBeLessThanOrEqual(targetLatencyMs + 1e-6);
          }
          for (const r of records) {
            expect(r.playbackRate!).toBeGreaterThanOrEqual(1);
            expect(r.playbackRate!).toBeLessThanOrEqual(1.1);
            expect(r.latencyMs!).toBeGreaterThanOrEqual(2000 - 1e-6);
            expect(Number.isFinite(r.qoe)).toBe(true);
          }
        },
      ),
      { numRuns: 60, seed: 16 },
    );
  });
});
