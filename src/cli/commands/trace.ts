/**
 * `abrkit trace from-session <exported.json>` and `abrkit trace from-har <file.har>`: a network trace from a
 * recorded session (the player's `exportSession()` as JSON, or a Chrome DevTools HAR export), written as
 * Sabre network JSON (default) or another trace format, to a file or stdout. The trace then drives
 * `abrkit sim --traces` and `abrkit serve --trace`. The conversions are pure (src/traces/har.ts,
 * src/traces/session-export.ts); this file reads and writes.
 */
import type { Command } from 'commander';
import { AbrkitError } from '../../core/errors.js';
import { asTraceFormat, TRACE_FORMATS, writeTrace } from '../../traces/detect.js';
import { HAR_PROGRESS_EVERY, parseHarTrace, summarizeSkips } from '../../traces/har.js';
import type { NetworkTrace } from '../../traces/model.js';
import { traceDurationMs, traceMeanBandwidthKbps } from '../../traces/model.js';
import { periodCount } from '../../traces/columns.js';
import { parseSessionExport } from '../../traces/session-export.js';
import { readTextFile } from '../../sim/read-text.js';
import { TRACE_ERROR_CODES } from '../../traces/text.js';
import type { CliContext } from '../context.js';
import { createContext } from '../context.js';
import { UsageError } from '../errors.js';
import type { CheckedOutput } from '../outputs.js';
import { checkOutputs, writeOutputFile } from '../outputs.js';
import { traceWarningLine } from '../trace-warnings.js';

export interface TraceCommandOptions {
  /** Output file; stdout when absent. */
  readonly out?: string;
  /** `sabre` (default), `pensieve`, `mahimahi` or `csv`. */
  readonly format?: string;
  /** Trace name (default: the input file's name). */
  readonly name?: string;
  /** from-har: media entries are those whose URL matches this regular expression. */
  readonly match?: string;
  /** Replace an existing `out` file. */
  readonly force?: boolean;
}

/** `--out`, checked before reading: not the input, not an existing file without `--force`. */
function checkOut(
  options: TraceCommandOptions,
  input: string,
  context: CliContext,
): CheckedOutput | undefined {
  if (options.out === undefined) return undefined;
  return checkOutputs(
    [{ flag: '--out', path: context.resolvePath(options.out) }],
    [{ flag: 'input', path: input }],
    options.force ?? false,
  )[0];
}

/** Runs `trace from-session`; returns the trace and the text written. */
export async function runFromSession(
  file: string,
  options: TraceCommandOptions,
  context: CliContext = createContext(),
): Promise<{ trace: NetworkTrace; text: string }> {
  const format = checkFormat(options.format);
  const path = context.resolvePath(file);
  const output = checkOut(options, path, context);
  const result = parseSessionExport(
    await readText(path),
    path,
    options.name === undefined ? {} : { name: options.name },
  );
  const how =
    result.from === 'trace'
      ? `from the export's trace (${result.records} segment records)`
      : `from ${result.records} segment records (no "trace" in the export: downloads back to back, latency 0)`;
  warn(context, path, result.warnings);
  return emit(result.trace, format, how, output, context);
}

/** Runs `trace from-har`; returns the trace and the text written. */
export async function runFromHar(
  file: string,
  options: TraceCommandOptions,
  context: CliContext = createContext(),
): Promise<{ trace: NetworkTrace; text: string }> {
  const format = checkFormat(options.format);
  let match: RegExp | undefined;
  if (options.match !== undefined) {
    try {
      match = new RegExp(options.match);
    } catch (e) {
      throw new UsageError(
        `--match: not a regular expression: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  const path = context.resolvePath(file);
  const output = checkOut(options, path, context);
  const result = parseHarTrace(await readText(path), path, {
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(match === undefined ? {} : { match }),
    onProgress: (done, total) => {
      // Only files large enough to take a moment (the reader calls every HAR_PROGRESS_EVERY entries).
      if (total >= HAR_PROGRESS_EVERY)
        context.io.stderr.write(`${path}: ${done} of ${total} HAR entries read\n`);
    },
  });
  warn(context, path, result.warnings);
  const how =
    `from ${result.downloads.length} media downloads` +
    (result.skipped.length > 0 ? ` (skipped: ${summarizeSkips(result.skipped)})` : '') +
    `, ${result.otherEntries} other entries ignored`;
  return emit(result.trace, format, how, output, context);
}

/** One line on stderr per thing the reader changed or left out (slow periods read as outages, ...). */
function warn(context: CliContext, path: string, warnings: readonly string[]): void {
  for (const w of warnings) context.io.stderr.write(traceWarningLine(path, w));
}

function checkFormat(format: string | undefined): NonNullable<ReturnType<typeof asTraceFormat>> {
  const chosen = asTraceFormat(format ?? 'sabre');
  if (chosen === undefined)
    throw new UsageError(`--format: must be one of ${TRACE_FORMATS.join(', ')}, got '${String(format)}'`);
  return chosen;
}

async function readText(path: string): Promise<string> {
  try {
    return await readTextFile(
      path,
      (message, line, kind) =>
        new AbrkitError('trace', TRACE_ERROR_CODES[kind], message, {
          data: line === undefined ? { source: path } : { source: path, line },
        }),
    );
  } catch (e) {
    if (e instanceof AbrkitError) throw e;
    const code = (e as { code?: unknown } | null)?.code;
    const reason = code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e);
    throw new AbrkitError('trace', 'TRACE_NOT_FOUND', reason, { data: { source: path }, cause: e });
  }
}

function emit(
  trace: NetworkTrace,
  format: NonNullable<ReturnType<typeof asTraceFormat>>,
  how: string,
  output: CheckedOutput | undefined,
  context: CliContext,
): { trace: NetworkTrace; text: string } {
  const log = (line: string) => context.io.stderr.write(`${line}\n`);
  const text = writeTrace(trace, format);
  log(
    `${trace.name}: ${periodCount(trace)} periods, ${(traceDurationMs(trace) / 1000).toFixed(1)} s, ` +
      `mean ${Math.round(traceMeanBandwidthKbps(trace))} kbps, ${how}`,
  );
  if (output === undefined) context.io.stdout.write(text);
  else {
    writeOutputFile(output, text);
    log(`wrote ${output.path} (${format})`);
  }
  return { trace, text };
}

/** Adds `abrkit trace from-session` and `abrkit trace from-har` to the program. */
export function register(program: Command, context: CliContext = createContext()): void {
  const trace = program
    .command('trace')
    .description('make a network trace from a recorded session (player export or DevTools HAR)');
  const common = (cmd: Command): Command =>
    cmd
      .option('-o, --out <file>', 'output file (default: stdout)')
      .option('-f, --format <format>', `trace format to write: ${TRACE_FORMATS.join(', ')}`, 'sabre')
      .option('--name <name>', 'trace name (default: the input file name)')
      .option('--force', 'replace an existing --out file');
  common(
    trace
      .command('from-session')
      .description(
        'the observed throughput of an exported player session (JSON.stringify(player.exportSession()))',
      )
      .argument('<exported.json>', 'the exported session'),
  ).action(async (file: string, options: TraceCommandOptions) => {
    await runFromSession(file, options, context);
  });
  common(
    trace
      .command('from-har')
      .description(
        'the link throughput seen by the media downloads of a HAR 1.2 file (Chrome DevTools "Save all as HAR")',
      )
      .argument('<file.har>', 'the HAR export')
      .option(
        '--match <regex>',
        'media entries are those whose URL matches (default: by extension / MIME type)',
      ),
  ).action(async (file: string, options: TraceCommandOptions) => {
    await runFromHar(file, options, context);
  });
}
