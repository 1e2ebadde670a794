import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ALGORITHMS, createAlgorithm } from '../../src/abr/registry.js';
import { makeContext, makeProgress } from './context.js';

// online algorithms only: the offline optimum replays a precomputed plan (test/abr/optimal.test.ts)
const NAMES = BUILTIN_ALGORITHMS.filter((i) => !i.offline).map((i) => i.name);

const ladderArb = fc
  .uniqueArray(fc.integer({ min: 50, max: 50000 }), { minLength: 1, maxLength: 12 })
  .map((a) => [...a].sort((x, y) => x - y));

const stepArb = fc.record({
  bufferLevelMs: fc.double({ min: 0, max: 120000, noNaN: true }),
  throughputKbps: fc.double({ min: 0, max: 1e5, noNaN: true }),
  latencyMs: fc.option(fc.double({ min: 0, max: 2000, noNaN: true }), { nil: null }),
  segmentIndex: fc.integer({ min: 0, max: 500 }),
  capFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  loadedFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  elapsedMs: fc.double({ min: 0, max: 20000, noNaN: true }),
});

describe('every built-in algorithm, on arbitrary contexts', () => {
  it('picks a rendition in [0, maxRenditionIndex], a finite non-negative delay, a lower abandonment target', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...NAMES),
        ladderArb,
        fc.integer({ min: 500, max: 10000 }),
        fc.integer({ min: 1000, max: 60000 }),
        fc.array(stepArb, { minLength: 1, maxLength: 15 }),
        (name, bitrates, segmentDurationMs, targetExtraMs, steps) => {
          const algo = createAlgorithm(name);
          let sampleCount = 0;
          for (const s of steps) {
            const maxRenditionIndex = Math.floor(s.capFraction * (bitrates.length - 1));
            const ctx = makeContext({
              bitratesKbps: bitrates,
              segmentDurationMs,
              bufferTargetMs: segmentDurationMs + targetExtraMs,
              bufferLevelMs: s.bufferLevelMs,
              throughputKbps: s.throughputKbps,
              latencyMs: s.latencyMs,
              segmentIndex: s.segmentIndex,
              segmentCount: 501,
              sampleCount,
              maxRenditionIndex,
            });
            const d = algo.choose(ctx);
            expect(Number.isInteger(d.renditionIndex)).toBe(true);
            expect(d.renditionIndex).toBeGreaterThanOrEqual(0);
            expect(d.renditionIndex).toBeLessThanOrEqual(maxRenditionIndex);
            if (d.delayMs !== undefined) {
              expect(Number.isFinite(d.delayMs)).toBe(true);
              expect(d.delayMs).toBeGreaterThanOrEqual(0);
            }
            const totalBytes = (bitrates[d.renditionIndex]! * segmentDurationMs) / 8;
            const progress = makeProgress({
              renditionIndex: d.renditionIndex,
              totalBytes,
              loadedBytes: totalBytes * s.loadedFraction,
              elapsedMs: s.elapsedMs,
              ttfbMs: Math.min(s.elapsedMs, s.latencyMs ?? 0),
            });
            const to = algo.shouldAbandon?.(progress, ctx) ?? null;
            if (to !== null) {
              expect(Number.isInteger(to)).toBe(true);
              expect(to).toBeGreaterThanOrEqual(0);
              expect(to).toBeLessThan(d.renditionIndex);
            }
            algo.onDownloaded?.(
              {
                startMs: 0,
                firstByteMs: 10,
                endMs: 10 + s.elapsedMs,
                sizeBytes: totalBytes,
                aborted: to !== null,
              },
              ctx,
            );
            algo.onIdle?.(s.elapsedMs / 10);
            sampleCount++;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
