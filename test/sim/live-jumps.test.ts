/**
 * The simulator jumps back to the live edge when too far behind, as the player does (src/sim/live-jumps.ts,
 * src/player/live/controller.ts): latency beyond target + maxDrift stops the session, drops the buffer and
 * starts again at the segment where the latency is the target.
 */
import { describe, expect, it } from 'vitest';
import { simulateSession } from '../../src/sim/simulate.js';
import { generateTrace } from '../../src/traces/spec.js';
import type { VideoDescription } from '../../src/videos/model.js';

const video: VideoDescription = {
  name: 'live-jumps',
  segmentDurationMs: 2000,
  renditions: [300, 1000, 3000].map((bitrateKbps, index) => ({ index, bitrateKbps })),
  segmentSizesBytes: Array.from({ length: 40 }, () => [300, 1000, 3000].map((kbps) => kbps * 250)),
};
// 10 s of a fast link, then 20 s nearly cut (50 kbps: a 300 kbps segment takes 12 s), then fast again
const OUTAGE = generateTrace('step:8000x10s,50x20s,8000x120s');

describe('simulateSession live: jump back to the edge', () => {
  it('jumps when the latency passes target + maxDrift: segments skipped, latency back near the target', () => {
    const decisions: number[] = [];
    const { records, summary } = simulateSession({
      video,
      trace: OUTAGE,
      algorithm: 'throughput',
      live: { targetLatencyMs: 4000, catchUp: { maxDriftMs: 4000 } },
      onEvents: (events) => events.on('decision', (d) => decisions.push(d.segmentIndex)),
    });
    const segments = records.map((r) => r.segment);
    // strictly increasing, with a gap where it jumped, and it played to the end
    for (let i = 1; i < segments.length; i++) expect(segments[i]!).toBeGreaterThan(segments[i - 1]!);
    expect(segments.at(-1)).toBe(39);
    const skippedAt = segments.findIndex((s, i) => i > 0 && s - segments[i - 1]! > 1);
    expect(skippedAt).toBeGreaterThan(0);
    // every record within the jump bound (target + maxDrift; a record's latency is taken once its segment
    // is in), and back near the target once the link is fast again
    for (const r of records) expect(r.latencyMs!).toBeLessThanOrEqual(4000 + 4000);
    for (const r of records.slice(-5)) expect(Math.abs(r.latencyMs! - 4000)).toBeLessThan(500);
    // events carry absolute segment indices, as records do; a jump lands on (edge − target) / 2 s
    expect(decisions).toContain(segments[skippedAt]);
    const jumpedOver = Array.from({ length: 40 }, (_, i) => i).filter((i) => !decisions.includes(i));
    expect(jumpedOver.length).toBeGreaterThan(0);
    for (const i of jumpedOver) expect(segments).not.toContain(i);
    expect(summary.rebufferMs).toBeGreaterThan(0);
  });

  it('does not jump when the bound is never passed: every segment plays, as before', () => {
    const { records } = simulateSession({
      video,
      trace: OUTAGE,
      algorithm: 'throughput',
      live: { targetLatencyMs: 4000, catchUp: { maxDriftMs: 600_000 } },
    });
    expect(records.map((r) => r.segment)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // without the jump the outage's latency stays in the stream
    expect(Math.max(...records.map((r) => r.latencyMs!))).toBeGreaterThan(8000);
  });
});
