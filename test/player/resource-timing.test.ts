import { describe, expect, it } from 'vitest';
import type { DownloadSample } from '../../src/core/types.js';
import { EwmaEstimator } from '../../src/estimators/ewma-estimator.js';
import { networkTimed, type ResourceTimingSource } from '../../src/player/resource-timing.js';

type Entry = { startTime: number; responseStart?: number; responseEnd?: number };

function timing(entries: Record<string, Entry[]>): ResourceTimingSource {
  return { getEntriesByName: (name, type) => (type === 'resource' ? (entries[name] ?? []) : []) };
}

const URL_A = 'http://127.0.0.1:1/ladder/144p/seg_00000.m4s';

/** A 35 kB segment paced over 164 ms from 1020 ms, read by a starved page in one burst at 1400 ms. */
const burst: DownloadSample = { startMs: 1000, firstByteMs: 1398, endMs: 1400, sizeBytes: 35_000 };

describe('networkTimed: byte times from the network stack, not from the script reads', () => {
  it('replaces first and last byte with the entry of that request', () => {
    const t = timing({ [URL_A]: [{ startTime: 1000.4, responseStart: 1020, responseEnd: 1184 }] });
    expect(networkTimed(URL_A, burst, t)).toEqual({ ...burst, firstByteMs: 1020, endMs: 1184 });
  });

  it('feeds the estimator the link rate where the script reads would read three times the link', () => {
    const t = timing({ [URL_A]: [{ startTime: 1000.4, responseStart: 1020, responseEnd: 1184 }] });
    const kbps = (sample: DownloadSample): number => {
      const e = new EwmaEstimator({ cacheHitMs: 0 });
      e.addSample(sample);
      return e.estimate().throughputKbps;
    };
    // the script's window (2 ms) is floored at 50 ms: 5600 kbps; the network's 164 ms: 1707 kbps
    expect(kbps(burst)).toBeCloseTo(5600, 0);
    expect(kbps(networkTimed(URL_A, burst, t)!)).toBeCloseTo((35_000 * 8) / 164, 6);
  });

  it('takes the latest entry within the request, skipping an earlier fetch of the same URL', () => {
    const t = timing({
      [URL_A]: [
        { startTime: 10, responseStart: 20, responseEnd: 30 },
        { startTime: 1001, responseStart: 1050, responseEnd: 1300 },
      ],
    });
    expect(networkTimed(URL_A, burst, t)).toMatchObject({ firstByteMs: 1050, endMs: 1300 });
    // an entry that ended after the last read is another (later) fetch: not this one
    const later = timing({ [URL_A]: [{ startTime: 1001, responseStart: 1050, responseEnd: 1500 }] });
    expect(networkTimed(URL_A, burst, later)).toBeUndefined();
  });

  it('says when there is no entry (not yet, or never), and keeps the script times of an opaque one', () => {
    // no entry (not added yet, buffer full, another URL), no API
    expect(networkTimed(URL_A, burst, timing({}))).toBeUndefined();
    expect(networkTimed(URL_A, burst, undefined)).toBeUndefined();
    // cross-origin without Timing-Allow-Origin: responseStart 0
    const opaque = timing({ [URL_A]: [{ startTime: 1001, responseStart: 0, responseEnd: 1184 }] });
    expect(networkTimed(URL_A, burst, opaque)).toBe(burst);
  });
});
