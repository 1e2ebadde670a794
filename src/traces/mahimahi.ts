/**
 * Mahimahi link traces (Netravali et al., "Mahimahi: Accurate Record-and-Replay for HTTP", USENIX ATC
 * 2015; ravinet/mahimahi, `mm-link`): one integer millisecond timestamp a line, each a delivery
 * opportunity for one 1500-byte packet; several lines may share a millisecond; the file repeats with a
 * period of its last timestamp.
 *
 * Conversion to periods (a documented choice): the trace is cut into fixed windows of `binMs` (default
 * 1000 ms); window k covers (k*binMs, (k+1)*binMs] (a timestamp 0 counts in window 0) and the last window
 * ends at the last timestamp. Each window's bandwidth is its opportunities * 12000 bits / its duration, so
 * the bytes over the whole trace are exact. A run of empty windows becomes a single zero-bandwidth period
 * (same delivery, fewer periods).
 */
import { invalidArgument } from '../core/errors.js';
import { PeriodTableBuilder, packedTrace, periodTable } from './columns.js';
import { CrawlCounter } from './limits.js';
import { LineSplitter, type CommonReadOptions, type TraceTextReader } from './lines.js';
import type { NetworkTrace } from './model.js';
import { TRACE_ERROR_CODES, parseNumber, quote, traceError, traceNameFromPath } from './text.js';
import { TRACE_LIMITS, checkWritableTrace, latencyProblem, validateTrace } from './validate.js';

/** Bytes a mahimahi delivery opportunity carries (one MTU-sized packet). */
export const MAHIMAHI_PACKET_BYTES = 1500;
const PACKET_BITS = MAHIMAHI_PACKET_BYTES * 8;

/** Default window for turning opportunities into periods, ms. */
export const MAHIMAHI_DEFAULT_BIN_MS = 1000;

export interface MahimahiReadOptions extends CommonReadOptions {
  /** Window width, ms (> 0). Default {@link MAHIMAHI_DEFAULT_BIN_MS}. */
  readonly binMs?: number;
  /** Latency given to every period, ms (mahimahi models delay in a separate shell). Default 0. */
  readonly latencyMs?: number;
}

/**
 * Reads a mahimahi trace into periods of `binMs` (see the file comment). Timestamps must be integers >= 0,
 * non-decreasing, and the last must be > 0 (it is the trace's duration).
 */
export function parseMahimahiTrace(
  text: string,
  source: string,
  options: MahimahiReadOptions = {},
): NetworkTrace {
  const reader = createMahimahiReader(source, options);
  reader.push(text);
  return reader.end();
}

/**
 * The streaming form of {@link parseMahimahiTrace}: feed it the text in chunks. Memory holds the windows
 * (periods), not the lines. A window slower than 1 kbps (one packet in a window over 12 s, with a large
 * `binMs`) is read as an outage and counted in a warning (`options.onWarning`).
 */
export function createMahimahiReader(source: string, options: MahimahiReadOptions = {}): TraceTextReader {
  const binMs = options.binMs ?? MAHIMAHI_DEFAULT_BIN_MS;
  const latencyMs = options.latencyMs ?? 0;
  if (!(Number.isInteger(binMs) && binMs >= TRACE_LIMITS.minPeriodMs && binMs <= 3_600_000))
    throw invalidArgument('binMs', `must be a whole number of ms in 1..3600000, got ${binMs}`);
  const badLatency = latencyProblem(latencyMs);
  if (badLatency !== null) throw invalidArgument('latencyMs', `${badLatency}, got ${latencyMs}`);
  // Windows are built as the lines go; a run of empty windows becomes one zero-bandwidth period, so a long
  // gap costs one period, not one per empty bin.
  const periods = new PeriodTableBuilder(1024, source);
  const crawls = new CrawlCounter();
  let currentBin = 0;
  let currentCount = 0;
  let builtUntilMs = 0; // where the periods built so far end
  const flush = (endMs: number): void => {
    if (currentCount === 0) return;
    const startMs = currentBin * binMs;
    if (startMs > builtUntilMs) {
      periods.push(startMs - builtUntilMs, 0, latencyMs);
    }
    const durationMs = endMs - startMs;
    const kbps = crawls.keep(
      (currentCount * PACKET_BITS) / durationMs,
      () => `the window ending at ${endMs} ms`,
    );
    periods.push(durationMs, kbps, latencyMs);
    builtUntilMs = endMs;
    currentCount = 0;
  };
  let previousMs = 0;
  let lastLine = 0;
  const splitter = new LineSplitter(source, (line, row) => {
    if (!/^\d+$/.test(row)) {
      // Say why: several columns, a fraction, a sign, or not a number at all.
      if (/\s/.test(row)) {
        throw traceError(
          TRACE_ERROR_CODES.badColumns,
          `expected one integer timestamp (ms) a line`,
          source,
          line,
        );
      }
      parseNumber(row, 'timestamp_ms', source, line);
      throw traceError(
        TRACE_ERROR_CODES.badNumber,
        `timestamp_ms must be an integer >= 0, got ${quote(row)}`,
        source,
        line,
      );
    }
    const timeMs = Number(row);
    if (!Number.isSafeInteger(timeMs)) {
      throw traceError(TRACE_ERROR_CODES.badNumber, `timestamp_ms is too large: ${quote(row)}`, source, line);
    }
    if (timeMs < previousMs) {
      throw traceError(
        TRACE_ERROR_CODES.notIncreasing,
        `timestamp ${timeMs} ms is before the previous line's ${previousMs} ms`,
        source,
        line,
      );
    }
    const bin = Math.max(0, Math.ceil(timeMs / binMs) - 1);
    if (bin !== currentBin) {
      flush((currentBin + 1) * binMs);
      currentBin = bin;
    }
    currentCount++;
    previousMs = timeMs;
    lastLine = line;
  });
  return {
    push: (chunk: string): void => splitter.push(chunk),
    end(): NetworkTrace {
      splitter.end();
      const totalMs = previousMs;
      if (totalMs <= 0) {
        throw traceError(
          TRACE_ERROR_CODES.zeroDuration,
          'the last timestamp (the trace duration) is 0 ms',
          source,
          lastLine,
        );
      }
      flush(totalMs); // the last window ends at the last timestamp
      const trace = validateTrace(
        packedTrace({ name: traceNameFromPath(source), table: periods.finish(), sourceFormat: 'mahimahi' }),
        source,
      );
      const warning = crawls.warning(source);
      if (warning !== null) options.onWarning?.(warning);
      return trace;
    },
  };
}

/**
 * Writes a trace as mahimahi opportunities. The trace lasts `round(total duration)` ms, and the last line
 * is that duration (mahimahi's loop period). Packet n is sent at the first whole millisecond by which the
 * trace has delivered n * 12000 bits (fractional bytes accumulate across periods, never rounded per period),
 * so every window of a trace read from mahimahi gets back its exact count; the total is
 * round(total bits / 12000), the last packet placed at the end. Throws `AbrkitError('trace', 'TRACE_EMPTY')`
 * if that total is 0 (mahimahi needs at least one opportunity).
 */
export function writeMahimahiTrace(trace: NetworkTrace): string {
  checkWritableTrace(trace, 'trace');
  const table = periodTable(trace);
  const { durationsMs, bandwidthsKbps } = table;
  let totalMs = 0;
  let totalBits = 0;
  for (let i = 0; i < table.length; i++) {
    totalMs += durationsMs[i]!;
    totalBits += bandwidthsKbps[i]! * durationsMs[i]!;
  }
  const endMs = Math.max(1, Math.round(totalMs));
  const packets = Math.round(totalBits / PACKET_BITS);
  if (packets === 0) {
    throw traceError(
      TRACE_ERROR_CODES.empty,
      `trace "${trace.name}" delivers ${totalBits} bits, less than half a 1500-byte packet: mahimahi cannot hold it`,
      trace.name,
    );
  }
  const out: number[] = [];
  let periodIndex = 0;
  let periodStartMs = 0;
  let bitsBefore = 0; // bits delivered before the current period
  for (let n = 1; n < packets; n++) {
    const target = n * PACKET_BITS;
    const tolerance = target * 1e-12;
    // Advance to the period in which the cumulative bits reach `target`.
    while (
      periodIndex < table.length &&
      bitsBefore + bandwidthsKbps[periodIndex]! * durationsMs[periodIndex]! < target - tolerance
    ) {
      bitsBefore += bandwidthsKbps[periodIndex]! * durationsMs[periodIndex]!;
      periodStartMs += durationsMs[periodIndex]!;
      periodIndex++;
    }
    let atMs: number;
    if (periodIndex >= table.length) atMs = totalMs;
    else {
      const kbps = bandwidthsKbps[periodIndex]!;
      const within = kbps > 0 ? (target - bitsBefore) / kbps : 0;
      atMs = periodStartMs + Math.min(Math.max(within, 0), durationsMs[periodIndex]!);
    }
    // Whole ms, forgiving float noise: a packet due at exactly 3000 ms stays in the (2000, 3000] bin.
    out.push(Math.min(endMs, Math.max(1, Math.ceil(atMs - 1e-6))));
  }
  out.push(endMs);
  return `${out.join('\n')}\n`;
}
