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
import { createBolaE } from '../../src/abr/bola-e.js';
import { createThroughput } from '../../src/abr/throughput.js';
import type { DownloadProgress } from '../../src/core/types.js';
import { BBB_KBPS, makeContext } from '../abr/context.js';
import { LinkModel } from '../../src/sim/network/link.js';
import type { ProgressWalk, TransferPlan } from '../../src/sim/network/types.js';
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

/** The progress chain as trace-source.ts computes it point by point with the plan's two queries. */
function walkByCalls(plan: TransferPlan, w: ProgressWalk, times: number[]): void {
  w.full = false;
  const spanMs = w.paceByMs - plan.firstByteMs;
  while (w.nextMs < plan.endMs) {
    const bytes = plan.loadedBytesAt(w.nextMs);
    const onPace =
      spanMs > 0 &&
      w.nextMs >= plan.firstByteMs + 1 &&
      bytes * spanMs >= plan.sizeBytes * (w.nextMs - plan.firstByteMs);
    if (!(w.nextMs < w.untilMs) && !onPace) break;
    const delayMs = w.nextMs - w.clockMs;
    if (delayMs > 0) w.clockMs += delayMs;
    w.lastMs = w.nextMs;
    w.lastBytes = bytes;
    times[w.count++] = w.clockMs;
    if (w.count >= w.maxCount) {
      w.full = true;
      return;
    }
    w.nextMs = Math.max(w.lastMs + w.minMs, plan.timeAtBytes(w.lastBytes + w.minBytes));
  }
}

describe('LinkTransfer.walkProgress', () => {
  it('walks the same points, bytes and clock times as the per-point queries, on random links (with a pace rule or not)', () => {
    fc.assert(
      fc.property(
        fc
          .array(period, { minLength: 1, maxLength: 12 })
          .filter((ps) => ps.some((p) => p.bandwidthKbps >= 50)),
        fc.double({ min: 0, max: 20_000, noNaN: true }),
        fc.integer({ min: 1, max: 3_000_000 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(50, 100, 0.5),
        fc.constantFrom(1500, 0, 1),
        fc.integer({ min: 1, max: 300 }),
        fc.option(fc.double({ min: -0.2, max: 3, noNaN: true }), { nil: undefined }),
        (periods, startMs, sizeBytes, cuts, minMs, minBytes, maxCount, pace) => {
          const link = new LinkModel({ name: 'random', periods }, 'sabre');
          const byCalls = link.begin(startMs, sizeBytes);
          const walked = link.begin(startMs, sizeBytes);
          const span = byCalls.endMs - startMs;
          // a few walks in a row, each to a random time (as a session's checks cut the chain), as the source does
          const state = (): ProgressWalk => ({
            lastMs: startMs,
            lastBytes: 0,
            nextMs: Math.max(startMs + minMs, byCalls.timeAtBytes(minBytes)),
            clockMs: startMs,
            count: 0,
            full: false,
            untilMs: 0,
            // a pace line ending around the download's own end (before, after, or none)
            paceByMs: pace === undefined ? Number.NaN : startMs + pace * span,
            maxCount,
            minMs,
            minBytes,
          });
          const a = state();
          const b = { ...a, nextMs: Math.max(startMs + minMs, walked.timeAtBytes(minBytes)) };
          const timesA: number[] = [];
          const timesB: number[] = [];
          for (const cut of [...cuts].sort((x, y) => x - y)) {
            a.untilMs = b.untilMs = startMs + cut * span * 1.1;
            a.count = b.count = 0;
            walkByCalls(byCalls, a, timesA);
            walked.walkProgress!(b, timesB);
            expect(b).toEqual(a);
            expect(timesB.slice(0, b.count)).toEqual(timesA.slice(0, a.count));
            if (a.full) {
              // the source computes the next point at the chunk's timer
              a.nextMs = Math.max(a.lastMs + minMs, byCalls.timeAtBytes(a.lastBytes + minBytes));
              b.nextMs = Math.max(b.lastMs + minMs, walked.timeAtBytes(b.lastBytes + minBytes));
            }
          }
          // and the cursors left behind answer alike: at the point reported next (as fire() asks), then later
          expect(walked.loadedBytesAt(b.nextMs)).toBe(byCalls.loadedBytesAt(a.nextMs));
          const laterMs = b.nextMs + cuts[0]! * span;
          expect(walked.loadedBytesAt(laterMs)).toBe(byCalls.loadedBytesAt(laterMs));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the throughput rule on pace', () => {
  it('never abandons at a point the source counts on pace, even where it would abandon otherwise', () => {
    // a ladder whose top the measured rate never supports and whose lowest is tiny: off pace, it abandons
    const ctxFor = (segmentDurationMs: number) =>
      makeContext({ bitratesKbps: [1, 1e6, 2e6], segmentDurationMs, latencyMs: 0 });
    const rule = createThroughput({ abandonGraceMs: 0 });
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e8, noNaN: true }),
        fc.double({ min: 0, max: 2000, noNaN: true }),
        fc.double({ min: 500, max: 10_000, noNaN: true }),
        fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.double({ min: 1, max: 1e7, noNaN: true })),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (startMs, ttfbMs, segmentDurationMs, totalBytes, at, above) => {
          const ctx = ctxFor(segmentDurationMs);
          const firstByteMs = startMs + ttfbMs;
          const base: DownloadProgress = {
            segmentIndex: 1,
            renditionIndex: 2,
            startMs,
            firstByteMs,
            nowMs: firstByteMs,
            loadedBytes: 0,
            totalBytes,
          };
          const paceByMs = rule.abandonQuietOnPaceMs(base, ctx);
          const spanMs = paceByMs - firstByteMs;
          if (!(spanMs > 1)) return; // no point on pace
          const nowMs = firstByteMs + 1 + at * (spanMs - 1);
          // the fewest bytes the source's test lets through at nowMs (and some more)
          let loadedBytes = (totalBytes * (nowMs - firstByteMs)) / spanMs;
          while (!(loadedBytes * spanMs >= totalBytes * (nowMs - firstByteMs)))
            loadedBytes = loadedBytes + Math.max(Number.MIN_VALUE, loadedBytes * Number.EPSILON);
          loadedBytes += above * above * (totalBytes - loadedBytes);
          if (!(loadedBytes <= totalBytes && nowMs >= firstByteMs + 1)) return;
          const progress: DownloadProgress = { ...base, nowMs, loadedBytes };
          expect(rule.shouldAbandon(progress, ctx)).toBeNull();
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('BOLA-E before the first byte', () => {
  it('never abandons before the quiet time it gives while nothing has arrived, whenever the first byte comes', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 30_000, noNaN: true }),
        fc.double({ min: 0, max: 30_000, noNaN: true }),
        fc.integer({ min: 1, max: 9 }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 100, max: 20_000, noNaN: true }),
        (startLevelMs, levelMs, renditionIndex, rate, firstByteAt, pointAt, loaded, throughputKbps) => {
          const bolaE = createBolaE();
          // out of startup, with a placeholder from the first decision
          const first = makeContext({
            bitratesKbps: BBB_KBPS,
            segmentDurationMs: 3000,
            bufferTargetMs: 25_000,
          });
          bolaE.choose({
            ...first,
            bufferLevelMs: startLevelMs,
            throughput: { throughputKbps, sampleCount: 1 },
          });
          const ctx = { ...first, bufferLevelMs: levelMs, playbackRate: rate };
          const startMs = 5000;
          const nowMs = startMs + 50;
          const totalBytes = (BBB_KBPS[renditionIndex]! * 3000) / 8;
          const before: DownloadProgress = {
            segmentIndex: 1,
            renditionIndex,
            startMs,
            firstByteMs: null,
            nowMs,
            loadedBytes: 0,
            totalBytes,
          };
          expect(bolaE.shouldAbandon(before, ctx)).toBeNull();
          const untilMs = bolaE.abandonQuietUntilMs(before, ctx);
          if (!(untilMs > nowMs)) return;
          const endMs = Number.isFinite(untilMs) ? untilMs : nowMs + 60_000;
          // a later point before it, the first byte anywhere from now to that point, any bytes
          const atMs = nowMs + pointAt * (endMs - nowMs) * (1 - 1e-12);
          if (!(atMs < untilMs)) return;
          const firstByteMs = nowMs + firstByteAt * (atMs - nowMs);
          const later: DownloadProgress = {
            ...before,
            firstByteMs,
            nowMs: atMs,
            loadedBytes: loaded * totalBytes,
          };
          const drainedMs = Math.max(0, levelMs - (atMs - nowMs) * rate);
          expect(bolaE.shouldAbandon(later, { ...ctx, bufferLevelMs: drainedMs })).toBeNull();
        },
      ),
      { numRuns: 3000 },
    );
  });
});
