/**
 * Pensieve's "cooked" trace format (Mao, Netravali, Alizadeh, "Neural Adaptive Video Streaming with
 * Pensieve", SIGCOMM 2017; hongzimao/pensieve, sim/load_trace.py and test/fixed_env.py): one sample a
 * line, `time_s<whitespace>throughput_Mbps`. Line i's throughput holds over (time[i-1], time[i]]; the
 * simulator starts at time[0] with its pointer on line 1 and wraps to line 1 at the end, so line 0's
 * throughput is never used for delivery.
 */
import {
  ExceptionCollector,
  Float64Column,
  Int8Column,
  PENSIEVE_PROBE_SAMPLES,
  PeriodTableBuilder,
  packedTrace,
  pensieveColumns,
  pensieveDerivation,
  periodTable,
  ulpsBetween,
} from './columns.js';
import { CrawlCounter } from './limits.js';
import { LineSplitter, estimatedLines, type CommonReadOptions, type TraceTextReader } from './lines.js';
import type { NetworkTrace } from './model.js';
import {
  TRACE_ERROR_CODES,
  checkNonNegative,
  formatFloat,
  formatScaled,
  parseNumberScaled,
  roundDurationMs,
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

export interface PensieveReadOptions extends CommonReadOptions {
  /** Latency given to every period, ms. Default {@link PENSIEVE_DEFAULT_LATENCY_MS}. */
  readonly latencyMs?: number;
}

/**
 * Reads a Pensieve cooked trace. Period i-1 runs from time[i-1] to time[i] at throughput[i] (converted to
 * kbps); durations are rounded to whole nanoseconds to drop floating-point noise. The raw samples are kept
 * in `trace.pensieve` for the Pensieve network model. Times must be strictly increasing (a zero slot is an
 * error) and throughputs >= 0; there must be at least two lines. A throughput above 0 and below 1 kbps is
 * read as 0 (an outage), in the periods and the raw samples alike, and counted in a warning
 * (`options.onWarning`).
 */
export function parsePensieveTrace(
  text: string,
  source: string,
  options: PensieveReadOptions = {},
): NetworkTrace {
  const reader = createPensieveReader(source, { expectedLength: text.length, ...options });
  reader.push(text);
  return reader.end();
}

/** The streaming form of {@link parsePensieveTrace}: feed it the text in chunks. */
export function createPensieveReader(source: string, options: PensieveReadOptions = {}): TraceTextReader {
  const latencyMs = options.latencyMs ?? PENSIEVE_DEFAULT_LATENCY_MS;
  const badLatency = latencyProblem(latencyMs);
  if (badLatency !== null) throw invalidArgument('latencyMs', `${badLatency}, got ${latencyMs}`);
  let firstLine: number | undefined;
  // The raw samples are kept as what the periods do not say (columns.ts, PensieveDerived): one copy of a
  // 10-million-line trace, not two.
  const first = { timeMs: 0, timeS: 0, mbps: 0 };
  let previousS: number | undefined;
  let samples = 0;
  const timeMsExceptions = new ExceptionCollector();
  const timeSExceptions = new ExceptionCollector();
  const mbpsExceptions = new ExceptionCollector();
  const mbpsUlps = new Int8Column();
  // The first samples' times as read, until the derivation has shown it pays (see PensieveDerived).
  let probeTimesS: number[] | null = [];
  let denseTimesS: Float64Column | null = null;
  const decideTimes = (): void => {
    if (probeTimesS === null) return;
    if ((timeMsExceptions.count + timeSExceptions.count) * 16 > probeTimesS.length) {
      denseTimesS = new Float64Column(Math.max(probeTimesS.length, reservedLines ?? 0));
      for (const t of probeTimesS) denseTimesS.push(t);
    }
    probeTimesS = null;
  };
  let reservedLines: number | undefined;
  const periods = new PeriodTableBuilder(1024, source);
  const crawls = new CrawlCounter();
  let previousMs = 0;
  let reserved = false;
  const splitter = new LineSplitter(source, (line, row) => {
    firstLine ??= line;
    const fields = splitTwo(row);
    if (fields === null) {
      throw traceError(
        TRACE_ERROR_CODES.badColumns,
        `expected 2 columns (time_s throughput_Mbps), got ${row.split(/\s+/).length}`,
        source,
        line,
      );
    }
    const [timeField, rateField] = fields;
    const [timeS, timeMs] = parseNumberScaled(timeField, 'time_s', source, line, 3);
    // Scaled in decimal: "1.285" Mbps is exactly 1285 kbps.
    const [readMbps, readKbps] = parseNumberScaled(rateField, 'throughput_Mbps', source, line, 3);
    checkNonNegative(readKbps, 'throughput_Mbps', source, line, rateField);
    const bandwidthKbps = crawls.keep(readKbps, () => `line ${line}`);
    const mbps = bandwidthKbps === 0 ? 0 : readMbps;
    const fast = bandwidthProblem(bandwidthKbps);
    if (fast !== null) {
      throw traceError(
        TRACE_ERROR_CODES.badValue,
        `throughput_Mbps ${rateField} (${bandwidthKbps} kbps) ${fast}`,
        source,
        line,
      );
    }
    if (previousS === undefined && timeS < 0) {
      throw traceError(TRACE_ERROR_CODES.badValue, `time_s ${timeField} must be >= 0`, source, line);
    }
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
          `slot from ${previousS} s to ${timeField} s lasts ${durationMs} ms, which ${short}`,
          source,
          line,
        );
      }
      periods.push(durationMs, bandwidthKbps, latencyMs);
      if (denseTimesS === null) {
        timeMsExceptions.check(samples, timeMs, pensieveDerivation.timeMs(previousMs, durationMs));
        timeSExceptions.check(samples, timeS, pensieveDerivation.timeS(timeMs));
      }
      const ulps = ulpsBetween(mbps, pensieveDerivation.mbps(bandwidthKbps));
      if (ulps === null) mbpsExceptions.add(samples, mbps);
      mbpsUlps.push(ulps ?? -128);
    } else {
      first.timeMs = timeMs;
      first.timeS = timeS;
      first.mbps = mbps;
      mbpsUlps.push(0);
    }
    if (denseTimesS !== null) denseTimesS.push(timeS);
    else if (probeTimesS !== null) {
      probeTimesS.push(timeS);
      if (probeTimesS.length === PENSIEVE_PROBE_SAMPLES) decideTimes();
    }
    samples++;
    previousS = timeS;
    previousMs = timeMs;
  });
  return {
    push(chunk: string): void {
      splitter.push(chunk);
      if (!reserved) {
        const lines = estimatedLines(splitter, options.expectedLength);
        if (lines !== undefined) {
          reserved = true;
          reservedLines = lines;
          periods.reserve(lines);
          mbpsUlps.reserve(lines);
        }
      }
    },
    end(): NetworkTrace {
      splitter.end();
      decideTimes();
      if (periods.length === 0) {
        throw traceError(
          TRACE_ERROR_CODES.zeroDuration,
          'a cooked trace needs at least two lines: its total duration is 0',
          source,
          firstLine,
        );
      }
      const trace = validateTrace(
        packedTrace({
          name: traceNameFromPath(source),
          table: periods.finish(),
          sourceFormat: 'pensieve',
          pensieve: {
            firstTimeMs: first.timeMs,
            firstTimeS: first.timeS,
            firstMbps: first.mbps,
            timesS: denseTimesS === null ? null : denseTimesS.finish(),
            timeMs: timeMsExceptions.finish(),
            timeS: timeSExceptions.finish(),
            mbpsUlps: mbpsUlps.finish(),
            mbps: mbpsExceptions.finish(),
          },
        }),
        source,
      );
      const warning = crawls.warning(source);
      if (warning !== null) options.onWarning?.(warning);
      return trace;
    },
  };
}

const SPACE = /\s+/;

/** The two whitespace-separated fields of a trimmed line, or null if it has another number of fields. */
function splitTwo(row: string): [string, string] | null {
  const gap = SPACE.exec(row);
  if (gap === null) return null;
  const second = row.slice(gap.index + gap[0].length);
  if (second === '' || SPACE.test(second)) return null;
  return [row.slice(0, gap.index), second];
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
  const raw = pensieveColumns(trace);
  const rows: string[] = [];
  if (raw !== undefined) {
    for (let i = 0; i < raw.timesS.length; i++) {
      rows.push(`${formatFloat(raw.timesS[i] ?? 0)}\t${formatFloat(raw.throughputsMbps[i] ?? 0)}`);
    }
  } else {
    const table = periodTable(trace);
    // Units change by shifting decimal digits (formatScaled), so the reader gets back the same doubles.
    rows.push(`0.0\t${formatScaled(table.bandwidthsKbps[0] ?? 0, -3)}`);
    let endMs = 0;
    for (let i = 0; i < table.length; i++) {
      endMs += table.durationsMs[i]!;
      // Whole nanoseconds, as the reader rounds durations.
      rows.push(
        `${formatScaled(Math.round(endMs * 1e6) / 1e6, -3)}\t${formatScaled(table.bandwidthsKbps[i]!, -3)}`,
      );
    }
  }
  return `${rows.join('\n')}\n`;
}
