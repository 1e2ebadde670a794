/**
 * When a response's bytes really arrived, from the browser's network stack (Resource Timing,
 * https://www.w3.org/TR/resource-timing/), rather than when the page's script read them.
 *
 * Why (issue 17's CMCD e2e, issue 19's first sample): src/net/fetch-segment.ts times a body by the chunks the
 * script reads. A page whose main thread is busy (startup work, a loaded machine) reads nothing while the
 * bytes arrive; the browser buffers them and the script then reads the whole body in one burst, so the first
 * and last byte look a few ms apart. The estimator measures throughput over that window (first to last byte,
 * `timing: 'transfer'`), floors it at 50 ms, and read a 35 kB segment paced over 164 ms on a 2 Mbps link as
 * 5.7 Mbps, three times the link. The network stack's `responseStart` / `responseEnd` are taken as the bytes
 * come off the socket, whatever the script does, on the same clock as `performance.now()` (the player's).
 */
import type { DownloadSample } from '../core/types.js';

/** The part of `Performance` used here (a fake in tests). */
export interface ResourceTimingSource {
  getEntriesByName(
    name: string,
    type: string,
  ): readonly {
    readonly startTime: number;
    readonly responseStart?: number;
    readonly responseEnd?: number;
  }[];
}

/**
 * `sample` (a fetch of `url` timed by the script's reads) with its first- and last-byte times taken from the
 * network's record of that fetch: the latest Resource Timing entry for `url` that started within the
 * request and ended by the last read. Unchanged when the entry cannot tell (a cross-origin response without
 * `Timing-Allow-Origin`: responseStart 0); undefined when there is no entry: not yet (the browser adds it in a
 * task of its own, after a starved page's burst of reads: wait a task and ask again), no API, or never (the
 * page's timing buffer, 250 entries unless the page raises it, is full: the script's times stay).
 */
export function networkTimed(
  url: string,
  sample: DownloadSample,
  timing: ResourceTimingSource | undefined,
): DownloadSample | undefined {
  // entries are named by absolute URL; a playlist loaded by path gives segment URLs relative to the page
  const name = typeof location === 'object' ? new URL(url, location.href).href : url;
  const entries = timing?.getEntriesByName?.(name, 'resource') ?? [];
  // 1 ms of slack: the two clocks are the same, their readings rounded differently
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    const firstByteMs = e.responseStart ?? 0;
    const endMs = e.responseEnd ?? Infinity;
    if (e.startTime < sample.startMs - 1 || endMs > sample.endMs + 1) continue;
    if (!(firstByteMs >= sample.startMs - 1) || !(endMs >= firstByteMs)) return sample;
    return { ...sample, firstByteMs: Math.max(firstByteMs, sample.startMs), endMs };
  }
  return undefined;
}
