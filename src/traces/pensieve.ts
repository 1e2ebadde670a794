/**
 * Pensieve's "cooked" trace format (Mao, Netravali, Alizadeh, "Neural Adaptive Video Streaming with
 * Pensieve", SIGCOMM 2017; hongzimao/pensieve, sim/load_trace.py and test/fixed_env.py): one sample a
 * line, `time_s<whitespace>throughput_Mbps`. Line i's throughput holds over (time[i-1], time[i]]; the
 * simulator starts at time[0] with its pointer on line 1 and wraps to line 1 at the end, so line 0's
 * throughput is never used for delivery.
 */
import type { NetworkTrace, TracePeriod } from './model.js';
import {
  TRACE_ERROR_CODES,
  checkNonNegative,
  formatFloat,
  formatScaled,
  parseNumberScaled,
  roundDurationMs,
  forEachLine,
  traceError,
  traceNameFromPath,
} from './text.js';
import { invalidArgument } from '../core/errors.js';
import {
  bandwidthProblem,
  checkWritableTrace,
  durationProblem,
  latencyProblem,
  validateTrace,
} from './validate.js';

/** Pensieve's fixed round-trip time, ms (fixed_env.py `LINK_RTT`), given to every period read from a cooked file. */
export const PENSIEVE_DEFAULT_LATENCY_MS = 80;

export interface PensieveReadOptions {
  /** Latency given to every period, ms. Default {@link PENSIEVE_DEFAULT_LATENCY_MS}. */
  readonly latencyMs?: number;
}

/**
 * Reads a Pensieve cooked trace. Period i-1 runs from time[i-1] to time[i] at throughput[i] (converted to
 * kbps); durations are rounded to whole nanoseconds to drop floating-point noise. The raw samples are kept,
 * unchanged, in `trace.pensieve` for the Pensieve network model. Times must be strictly increasing (a zero
 * slot is an error) and throughputs >= 0; there must be at least two lines.
 */
export function parsePensieveTrace(
  text: string,
  source: string,
  options: PensieveReadOptions = {},
): NetworkTrace {
  const latencyMs = options.latencyMs ?? PENSIEVE_DEFAULT_LATENCY_MS;
  const badLatency = latencyProblem(latencyMs);
  if (badLatency !== null) throw invalidArgument('latencyMs', `${badLatency}, got ${latencyMs}`);
  let firstLine: number | undefined;
  const timesS: number[] = [];
  const throughputsMbps: number[] = [];
  const periods: TracePeriod[] = [];
  let previousMs = 0;
  forEachLine(text, source, (line, row) => {
    firstLine ??= line;
    const fields = row.split(/\s+/);
    if (fields.length !== 2) {
      throw traceError(
        TRACE_ERROR_CODES.badColumns,
        `expected 2 columns (time_s throughput_Mbps), got ${fields.length}`,
        source,
        line,
      );
    }
    const [timeS, timeMs] = parseNumberScaled(fields[0] ?? '', 'time_s', source, line, 3);
    // Scaled in decimal: "1.285" Mbps is exactly 1285 kbps.
    const [mbps, kbps] = parseNumberScaled(fields[1] ?? '', 'throughput_Mbps', source, line, 3);
    const bandwidthKbps = checkNonNegative(kbps, 'throughput_Mbps', source, line, fields[1]);
    const slow = bandwidthProblem(bandwidthKbps);
    if (slow !== null) {
      throw traceError(
        TRACE_ERROR_CODES.badValue,
        `throughput_Mbps ${fields[1] ?? ''} (${bandwidthKbps} kbps) ${slow}`,
        source,
        line,
      );
    }
    if (timesS.length === 0 && timeS < 0) {
      throw traceError(TRACE_ERROR_CODES.badValue, `time_s ${fields[0] ?? ''} must be >= 0`, source, line);
    }
    const previousS = timesS[timesS.length - 1];
    if (previousS !== undefined) {
      if (!(timeS > previousS)) {
        throw traceError(
          TRACE_ERROR_CODES.notIncreasing,
          `time_s ${timeS} is not after the previous line's ${previousS}`,
          source,
          line,
        );
      }
      const durationMs = roundDurationMs(timeMs - previousMs);
      if (!(durationMs > 0) || !Number.isFinite(durationMs)) {
        throw traceError(
          TRACE_ERROR_CODES.badDuration,
          `slot from ${previousS} s to ${timeS} s has no usable duration (${durationMs} ms)`,
          source,
          line,
        );
      }
      const short = durationProblem(durationMs);
      if (short !== null) {
        throw traceError(
          TRACE_ERROR_CODES.badDuration,
          `slot from ${previousS} s to ${fields[0] ?? ''} s lasts ${durationMs} ms, which ${short}`,
          source,
          line,
        );
      }
      periods.push({ durationMs, bandwidthKbps, latencyMs });
    }
    timesS.push(timeS);
    previousMs = timeMs;
    throughputsMbps.push(mbps);
  });
  if (periods.length === 0) {
    throw traceError(
      TRACE_ERROR_CODES.zeroDuration,
      'a cooked trace needs at least two lines: its total duration is 0',
      source,
      firstLine,
    );
  }
  return validateTrace(
    {
      name: traceNameFromPath(source),
      periods,
      sourceFormat: 'pensieve',
      pensieve: { timesS, throughputsMbps },
    },
    source,
  );
}

/**
 * Writes a trace as Pensieve cooked text, tab-separated, one sample a line.
 * - A trace read from a cooked file (with `trace.pensieve`) is written from those raw samples, so reading
 *   and writing gives back the same sample count and values.
 * - Otherwise the conversion of data/README.md: line 0 = `0.0 b0`, line i = the end of period i-1 in
 *   seconds and the bandwidth of period i-1 in Mbps. Latency is dropped (Pensieve uses a fixed RTT).
 */
export function writePensieveTrace(trace: NetworkTrace): string {
  checkWritableTrace(trace, 'trace');
  const raw = trace.pensieve;
  const rows: string[] = [];
  if (raw !== undefined) {
    for (let i = 0; i < raw.timesS.length; i++) {
      rows.push(`${formatFloat(raw.timesS[i] ?? 0)}\t${formatFloat(raw.throughputsMbps[i] ?? 0)}`);
    }
  } else {
    const first = trace.periods[0];
    // Units change by shifting decimal digits (formatScaled), so the reader gets back the same doubles.
    rows.push(`0.0\t${formatScaled(first?.bandwidthKbps ?? 0, -3)}`);
    let endMs = 0;
    for (const p of trace.periods) {
      endMs += p.durationMs;
      // Whole nanoseconds, as the reader rounds durations.
      rows.push(`${formatScaled(Math.round(endMs * 1e6) / 1e6, -3)}\t${formatScaled(p.bandwidthKbps, -3)}`);
    }
  }
  return `${rows.join('\n')}\n`;
}
