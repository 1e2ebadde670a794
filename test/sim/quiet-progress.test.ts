/**
 * Skipping quiet progress points (issue 19): an algorithm's `abandonQuietUntilMs` lets the simulator's source
 * skip the progress points before it (src/sim/trace-source.ts, src/session/session.ts). The sessions must be
 * bit-identical to polling every point: same records, same abandonments at the same times, same summary.
 * "Polling" is the same algorithm behind a wrapper without the hook.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../support/fast-check-seed.js';
import { createAlgorithm } from '../../src/abr/registry.js';
import type { AbrAlgorithm } from '../../src/abr/types.js';
import type { NetworkModelName } from '../../src/sim/network/types.js';
import { simulateSession, type SimulateOptions } from '../../src/sim/simulate.js';
import type { NetworkTrace, TracePeriod } from '../../src/traces/model.js';
import type { VideoDescription } from '../../src/videos/model.js';

/** The algorithms with the hook. */
const ALGORITHMS = ['bola', 'bola-e', 'throughput', 'dynamic', 'dynamic-dash'] as const;

/** `algorithm` without `abandonQuietUntilMs`: every progress point is checked, as before the hook. */
function polling(algorithm: AbrAlgorithm, counter: { checks: number }): AbrAlgorithm {
  const wrapped: AbrAlgorithm = {
    name: algorithm.name,
    choose: (ctx) => algorithm.choose(ctx),
    onDownloaded: (sample, ctx) => algorithm.onDownloaded?.(sample, ctx),
    onIdle: (durationMs) => algorithm.onIdle?.(durationMs),
    reset: () => algorithm.reset?.(),
  };
  if (algorithm.shouldAbandon) {
    wrapped.shouldAbandon = (progress, ctx) => {
      counter.checks++;
      return algorithm.shouldAbandon!(progress, ctx);
    };
  }
  return wrapped;
}

/** `algorithm` with its hook, counting the `shouldAbandon` calls. */
function counted(algorithm: AbrAlgorithm, counter: { checks: number }): AbrAlgorithm {
  const wrapped = polling(algorithm, counter);
  if (algorithm.abandonQuietUntilMs)
    wrapped.abandonQuietUntilMs = (progress, ctx) => algorithm.abandonQuietUntilMs!(progress, ctx);
  return wrapped;
}

/** Everything a session produced, numbers printed exactly (shortest round-trip form). */
function run(options: SimulateOptions): string {
  const abandons: unknown[] = [];
  const { records, summary } = simulateSession({
    ...options,
    onEvents: (events) =>
      events.on('download', (e) => {
        if (e.abandonedTo !== null)
          abandons.push([
            e.segmentIndex,
            e.renditionIndex,
            e.abandonedTo,
            e.sample.endMs,
            e.sample.sizeBytes,
          ]);
      }),
  });
  return JSON.stringify({ records, summary, abandons });
}

function compare(
  name: string,
  trace: NetworkTrace,
  video: VideoDescription,
  network: NetworkModelName,
  extra: Partial<SimulateOptions> = {},
): { polled: number; skipped: number } {
  const polledCount = { checks: 0 };
  const skippedCount = { checks: 0 };
  const base = { trace, video, network, ...extra };
  const polled = run({ ...base, algorithm: polling(createAlgorithm(name), polledCount) });
  const skipped = run({ ...base, algorithm: counted(createAlgorithm(name), skippedCount) });
  expect(skipped, `${name} on ${network}`).toBe(polled);
  expect(skippedCount.checks).toBeLessThanOrEqual(polledCount.checks);
  return { polled: polledCount.checks, skipped: skippedCount.checks };
}

const BITRATES_KBPS = [230, 331, 477, 688, 991, 1427, 2056, 2962, 5027, 6000];

function video(segments: number, durationMs: number, jitter: readonly number[]): VideoDescription {
  return {
    name: 'random',
    segmentDurationMs: durationMs,
    renditions: BITRATES_KBPS.map((bitrateKbps, index) => ({ index, bitrateKbps })),
    segmentSizesBytes: Array.from({ length: segments }, (_, s) =>
      BITRATES_KBPS.map((b, r) =>
        Math.round((b * durationMs * (jitter[(s * 7 + r) % jitter.length] ?? 1)) / 8),
      ),
    ),
  };
}

const period: fc.Arbitrary<TracePeriod> = fc.record({
  durationMs: fc.oneof(fc.integer({ min: 50, max: 8000 }), fc.double({ min: 10, max: 3000, noNaN: true })),
  bandwidthKbps: fc.oneof(fc.integer({ min: 0, max: 9000 }), fc.double({ min: 50, max: 4000, noNaN: true })),
  latencyMs: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 1, max: 300 }),
    fc.double({ min: 0.5, max: 80, noNaN: true }),
  ),
});

describe('skipping quiet progress points', () => {
  it('gives the same sessions as checking every progress point, on random traces', () => {
    fc.assert(
      fc.property(
        fc
          .array(period, { minLength: 1, maxLength: 12 })
          .filter((ps) => ps.some((p) => p.bandwidthKbps >= 50)),
        fc.array(fc.double({ min: 0.5, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 9 }),
        fc.constantFrom<NetworkModelName>('sabre', 'abrkit'),
        fc.constantFrom(...ALGORITHMS),
        fc.constantFrom(1000, 2000, 3000),
        fc.boolean(),
        (periods, jitter, network, name, durationMs, browserish) => {
          const trace: NetworkTrace = { name: 'random', periods };
          const extra: Partial<SimulateOptions> = browserish
            ? { requestOverheadMs: 17.5, initSegmentBytes: BITRATES_KBPS.map(() => 800) }
            : {};
          compare(name, trace, video(30, durationMs, jitter), network, extra);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('skips most checks on a 3G-like trace, with the same sessions', () => {
    // a slow, varying link: downloads of seconds, i.e. dozens of 50 ms progress points each
    const periods: TracePeriod[] = Array.from({ length: 40 }, (_, i) => ({
      durationMs: 1000 + ((i * 379) % 2000),
      bandwidthKbps: 300 + ((i * 7919) % 2500),
      latencyMs: 40 + ((i * 31) % 120),
    }));
    const trace: NetworkTrace = { name: '3g-like', periods };
    const v = video(60, 3000, [1, 0.8, 1.25, 0.9, 1.1]);
    for (const name of ['bola', 'bola-e', 'throughput', 'dynamic', 'dynamic-dash'] as const) {
      const { polled, skipped } = compare(name, trace, v, 'sabre');
      expect(polled, name).toBeGreaterThan(500);
      expect(skipped, name).toBeLessThan(polled / 3);
    }
  });
});
