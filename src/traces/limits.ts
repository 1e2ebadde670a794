/**
 * The physical limits of a network trace (README "Reliability", docs/reliability.md), with no imports so that
 * the player's recorder can use them without bundling the validators (src/traces/validate.ts).
 */

/**
 * Limits every trace meets:
 * - `minBandwidthKbps`: a period's bandwidth is exactly 0 (an outage) or at least 1 kbps (issue 18). A period
 *   slower than that moves under 125 bytes a second, which no video segment survives: it is an outage in all
 *   but name. Readers and recordings therefore read a bandwidth above 0 and below 1 kbps as 0 and say how
 *   many they changed ({@link TraceWarning}); validators refuse it in a trace built in code.
 * - `maxBandwidthKbps`: 1e9 kbps (1 Tbit/s).
 * - `minPeriodMs`: 1 ms, the resolution of every trace format.
 * - `maxLatencyMs`: 600 000 ms (10 minutes), far above any request's time to first byte.
 * - `maxTraceDurationMs`: 1e12 ms (about 31 years) for the whole trace, so sums of periods stay exact
 *   enough to locate a time in the loop.
 * - `maxPeriods`: 50 million periods in one trace.
 */
export const TRACE_LIMITS = {
  minBandwidthKbps: 1,
  maxBandwidthKbps: 1e9,
  minPeriodMs: 1,
  maxLatencyMs: 600_000,
  maxTraceDurationMs: 1e12,
  maxPeriods: 50_000_000,
} as const;

/** A bandwidth above 0 and below {@link TRACE_LIMITS}`.minBandwidthKbps`: read as an outage (0). */
export function isCrawl(kbps: number): boolean {
  return kbps > 0 && kbps < TRACE_LIMITS.minBandwidthKbps;
}

/** Code of the warning a reader gives when it reads crawling periods as outages. */
export const TRACE_CRAWL_AS_OUTAGE = 'TRACE_CRAWL_AS_OUTAGE';

/** Something a reader changed in what it read, and how often (not an error: the trace was read). */
export interface TraceWarning {
  readonly code: typeof TRACE_CRAWL_AS_OUTAGE;
  /** The file (or name) read. */
  readonly source: string;
  /** Periods changed. */
  readonly count: number;
  /** What and where, e.g. `3 periods slower than 1 kbps read as outages (0 kbps): the slowest 0.18 kbps, first at line 12`. */
  readonly message: string;
}

/** Counts the crawling periods a reader turns into outages, and words the warning. */
export class CrawlCounter {
  count = 0;
  private slowestKbps = Number.POSITIVE_INFINITY;
  private first = '';

  /** Returns the bandwidth to keep: 0 for a crawl (counted; `where` names the first one), else `kbps`. */
  keep(kbps: number, where: () => string): number {
    if (!isCrawl(kbps)) return kbps;
    if (this.count === 0) this.first = where();
    this.count++;
    if (kbps < this.slowestKbps) this.slowestKbps = kbps;
    return 0;
  }

  /** The warning, or null when nothing was changed. */
  warning(source: string): TraceWarning | null {
    if (this.count === 0) return null;
    return {
      code: TRACE_CRAWL_AS_OUTAGE,
      source,
      count: this.count,
      message:
        `${this.count} period${this.count === 1 ? '' : 's'} slower than ${TRACE_LIMITS.minBandwidthKbps} kbps ` +
        `read as outages (0 kbps): the slowest ${this.slowestKbps} kbps, the first at ${this.first}`,
    };
  }
}
