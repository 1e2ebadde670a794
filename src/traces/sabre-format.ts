/**
 * The text layout of a Sabre network JSON, with no imports: `writeSabreTrace` (src/traces/sabre.ts) uses it
 * after checking the trace, and the player's recorder uses it alone for the traces `traceFromSamples` makes
 * (within the limits by construction), so the player does not bundle the validators and period columns.
 */
import type { TracePeriod } from './model.js';

/** One period as a line of Sabre's layout; numbers in full (shortest round-trip form). */
export function sabrePeriodLine(durationMs: number, bandwidthKbps: number, latencyMs: number): string {
  return `    {"duration_ms": ${JSON.stringify(durationMs)}, "bandwidth_kbps": ${JSON.stringify(bandwidthKbps)}, "latency_ms": ${JSON.stringify(latencyMs)}}`;
}

/** The whole file for `lines` made by {@link sabrePeriodLine}. */
export function sabreFile(lines: readonly string[]): string {
  return `[\n${lines.join(',\n')}\n]\n`;
}

/** Periods as Sabre network JSON (no checks: give periods within TRACE_LIMITS). */
export function formatSabrePeriods(periods: readonly TracePeriod[]): string {
  return sabreFile(periods.map((p) => sabrePeriodLine(p.durationMs, p.bandwidthKbps, p.latencyMs)));
}
