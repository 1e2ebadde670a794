import { describe, expect, it } from 'vitest';
import { createAlgorithm } from '../../src/abr/registry.js';
import type { AbrAlgorithm, AbrContext } from '../../src/abr/types.js';
import { ladder } from './context.js';

/**
 * A tiny deterministic session, written here so the expected sequences can be worked out by hand:
 * 3 renditions 300 / 750 / 1500 kbps, 2 s segments of exactly `bitrate * 2 s` bits, 30 segments, buffer target
 * 20 s; the network gives 1500 kbps until t = 30 s and 400 kbps after, no latency. The throughput estimate is
 * the last download's throughput. Before a request the session waits while `buffer + 2 s > 20 s` (reported
 * with onIdle); a download drains the buffer by its duration (stalling at 0) and then adds 2 s.
 */
function runSession(algo: AbrAlgorithm): number[] {
  const renditions = ladder(300, 750, 1500);
  const segMs = 2000;
  const targetMs = 20000;
  const dropAtMs = 30000;
  let nowMs = 0;
  let levelMs = 0;
  let estimate = { throughputKbps: 0, sampleCount: 0 };
  let last: number | null = null;
  const out: number[] = [];
  const ctx = (segmentIndex: number): AbrContext => ({
    nowMs,
    segmentIndex,
    segmentCount: 30,
    segmentDurationMs: segMs,
    renditions,
    segmentSizeBytes: (_s, r) => ((renditions[r]?.bitrateKbps ?? 0) * segMs) / 8,
    lastRenditionIndex: last,
    bufferLevelMs: levelMs,
    bufferTargetMs: targetMs,
    playbackRate: 1,
    throughput: estimate,
    latencyMs: 0,
    maxRenditionIndex: 2,
    startingUp: last === null,
  });
  for (let i = 0; i < 30; i++) {
    const wait = levelMs + segMs - targetMs;
    if (wait > 0) {
      nowMs += wait;
      levelMs -= wait;
      algo.onIdle?.(wait);
    }
    const d = algo.choose(ctx(i));
    if (d.delayMs) {
      nowMs += d.delayMs;
      levelMs = Math.max(0, levelMs - d.delayMs);
    }
    const q = d.renditionIndex;
    let bits = renditions[q]!.bitrateKbps * segMs;
    const start = nowMs;
    if (nowMs < dropAtMs) {
      const fast = Math.min(bits, (dropAtMs - nowMs) * 1500);
      nowMs += fast / 1500;
      bits -= fast;
    }
    nowMs += bits / 400;
    const downloadMs = nowMs - start;
    levelMs = Math.max(0, levelMs - downloadMs) + segMs;
    const sizeBytes = (renditions[q]!.bitrateKbps * segMs) / 8;
    last = q;
    out.push(q);
    algo.onDownloaded?.({ startMs: start, firstByteMs: start, endMs: nowMs, sizeBytes }, ctx(i + 1));
    estimate = { throughputKbps: (sizeBytes * 8) / downloadMs, sampleCount: estimate.sampleCount + 1 };
  }
  return out;
}

const rep = (value: number, count: number) => Array<number>(count).fill(value);

describe('golden decision sequences on a 1500 -> 400 kbps drop', () => {
  it('throughput', () => {
    // Segment 0: no sample yet -> 0 (400 ms). Then 0.9 x 1500 = 1350 kbps fits 750 (1111 ms) but not 1500
    // (2222 ms): 1 at every segment while the estimate is 1500 (the insufficient-buffer rule never bites: the
    // buffer grows 1 s per segment). The buffer reaches 18 s after segment 16; from segment 18 each request
    // waits 1 s for room, so segment k >= 18 starts at 18.4 + 2 (k - 18) s: segment 24 starts at 30.4 s, is
    // still chosen at 1 from the 1500 kbps sample, and downloads at 400 kbps. From segment 25 the estimate is
    // 400 and 0.9 x 400 = 360 kbps only fits 300: 0.
    expect(runSession(createAlgorithm('throughput'))).toEqual([0, ...rep(1, 24), ...rep(0, 5)]);
  });

  it('bba', () => {
    // 3 renditions: 0 below 10 s (and in the 5 s reservoir), 1 in [10, 15) s, 2 from 15 s.
    // At 0 a segment takes 400 ms: +1.6 s per segment, decision levels 0, 2, 3.6, ..., 10 s at segment 6 -> 1.
    // At 1 (1 s downloads) +1 s: 11, 12, 13, 14 -> 1 for segments 6..10, 15 s at segment 11 -> 2, and at 2 the
    // buffer holds at 15 s (2 s downloads), up to segment 22 which starts at 29.4 s and takes 0.6 s at 1500
    // plus 5.25 s at 400: buffer 11.15 s -> 1 (3.75 s) -> 9.4 -> 0 (1.5 s) -> 9.9 -> 0 -> 10.4 -> 1 -> 8.65
    // -> 0 -> 9.15 -> 0 -> 9.65 -> 0.
    expect(runSession(createAlgorithm('bba'))).toEqual([
      ...rep(0, 6),
      ...rep(1, 5),
      ...rep(2, 12),
      1,
      0,
      0,
      1,
      0,
      0,
      0,
    ]);
  });

  it('bola (basic)', () => {
    // V = (20 - 2 s) / (ln 5 + 5) = 2723.4 ms; BOLA prefers 1 over 0 from V (5 - 300 ln 2.5 / 450) = 11953 ms
    // and 2 over 1 from V (5 + 2 ln 2.5 - ln 5) = 14225 ms. Step-ups are capped at the no-safety throughput
    // pick + 1 (the pick is 2 at 1500 kbps, 0 at 400 or 566 kbps).
    // Segment 0 -> 0; at 0 the buffer grows 1.6 s a segment: 11.6 s at segment 7 -> 0, 13.2 s at 8 -> 1,
    // 14.2 s at 9 -> 1, 15.2 s at 10 -> 2, where it holds (2 s downloads). Segment 22 starts at 29.2 s and
    // takes 5.3 s: 11.9 s -> 0 (1.5 s) -> 12.4 s -> 1 (= throughput pick 0 + 1; 3.75 s) -> 10.65 -> 0 ->
    // 11.15 -> 0 -> 11.65 -> 0 -> 12.15 -> 1 -> 10.4 -> 0.
    expect(runSession(createAlgorithm('bola', { basic: true }))).toEqual([
      ...rep(0, 8),
      1,
      1,
      ...rep(2, 13),
      0,
      1,
      0,
      0,
      0,
      1,
      0,
    ]);
  });

  it('dynamic (basic BOLA)', () => {
    // Starts on the throughput rule (1 from segment 1, buffer +1 s a segment; see the throughput case) while
    // BOLA, asked too, says 0 below 11953 ms. Switch to BOLA needs buffer > 10 s and BOLA >= throughput:
    // at segment 10 (11 s) BOLA says 0 < 1, at segment 11 (12 s) BOLA says 1 -> BOLA from there: 1 at 12 s,
    // 13 s, 14 s (segments 11-13), 2 at 15 s (segment 14), holding at 15 s. Segment 22 starts at 29.4 s, takes
    // 5.85 s: 11.15 s -> 0 -> 11.65 -> 0 -> 12.15 -> 1 (throughput pick 0 + 1) -> 10.4 -> 0 -> 10.9 -> 0 ->
    // 11.4 -> 0 -> 11.9 -> 0. The buffer never drops below 10 s, so BOLA stays in charge.
    expect(runSession(createAlgorithm('dynamic', { basic: true }))).toEqual([
      0,
      ...rep(1, 13),
      ...rep(2, 9),
      0,
      0,
      1,
      0,
      0,
      0,
      0,
    ]);
  });
});
