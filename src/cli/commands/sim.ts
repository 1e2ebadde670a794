/**
 * `abrkit sim`: run every (trace × algorithm) session of a sweep through the trace-driven simulator, in
 * parallel over worker threads, optionally one shard of it, and write the per-segment log (JSONL), a summary
 * (JSON) and an HTML report.
 *
 * Output contracts:
 * - `--jsonl`: one line per segment with exactly the `SegmentRecord` fields in order (trace, algo, segment,
 *   rendition, bitrateKbps, sizeBytes, downloadMs, rebufferMs, bufferMs, qoe; with `--live` then latencyMs,
 *   playbackRate), streamed as sessions finish,
 *   sessions in job order (trace as given, then algorithm as given) whatever `--workers`.
 * - `--summary`: `{ algos: { <algo>: { sessions, qoeMean, qoeMedian, bitrateKbpsMean, rebufferSMean,
 *   switchesMean, latencyMsMean? (--live), optimalFraction?, optimalFractionScope? } } }`. A session's QoE is the
 *   sum of its segments' QoE terms; `optimalFraction` (with `optimal` among the algorithms) is mean QoE / the
 *   optimum's mean QoE over the same traces (`optimumFraction` in src/sim/batch-stats.ts, as `abrkit suite`),
 *   over the traces the optimum scores > 0 on only where its own mean is ≤ 0 (`optimalFractionScope`
 *   "positive").
 * - stdout: the comparison table; "± 95% CI" is the half-width of the 95% confidence interval of the mean
 *   session QoE from Student's t distribution with n-1 degrees of freedom.
 * - `--shard i/n` (1-based i): the i-th of n contiguous blocks of jobs (trace-major order); `cat` of the shards' JSONL equals the unsharded log.
 *   Shards 1..n hold every session exactly once; session counts add up. `--shard auto/n` takes i from the
 *   array-job index (JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX or SLURM_ARRAY_TASK_ID, 0-based). A
 *   shard's `--summary` also carries `shard`, `run`, `sessions` (and `example`, `jsonl`): what
 *   `abrkit merge` needs to rebuild the unsharded summary, log and report exactly.
 * - `--traces`: files, folders or generator specs (`step:4000x20s,500x20s`, as `abrkit serve` takes);
 *   `--video`: a file, folder, URL or `synthetic[:...]`.
 * - Outputs: refused before any session runs when two share a path, one is an input, or one exists
 *   (without `--force`); written atomically (temp file + rename). SIGINT leaves them as before (exit 130).
 * - Progress on stderr (a bar on a terminal, a line every few seconds otherwise); `--quiet` for none.
 * - `--seed`: each trace gets a seed derived from it, the same for every algorithm (common random numbers).
 * - Exit codes: 0 ok; 1 bad input (a file, an option value an algorithm refuses, an output that cannot be
 *   written); 2 usage (unknown flag or algorithm, malformed flag value, clashing outputs); 130 interrupted.
 *   One line on stderr; the stack with `--verbose`.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { AbrkitError } from '../../core/errors.js';
import type { TraceFormat } from '../../traces/model.js';
import type { Shard } from '../../sim/batch-plan.js';
import { resolveShard } from '../../sim/batch-plan.js';
import type { BatchSpec, NetworkModelName, QoeModelName } from '../../sim/batch-session.js';
import { collectAlgoOptions, parseAlgoList } from '../algo-options.js';
import { UsageError } from '../errors.js';
import type { CliContext } from '../context.js';
import { createContext } from '../context.js';
import { resolveTraces, resolveVideo, withTracePath } from '../inputs.js';
import { resolveAlgorithms } from '../registry-access.js';
import { runSimulation } from '../run-sim.js';
import { MAX_REBUFFER_PENALTY_PER_S } from '../../sim/qoe-terms.js';
import { loopVideo } from '../../videos/loop.js';
import type { VideoDescription } from '../../videos/model.js';
import { VIDEO_LIMITS } from '../../videos/validate.js';

interface SimFlags {
  video?: string;
  traces?: string[];
  algo?: string[];
  network?: NetworkModelName;
  qoe?: QoeModelName | 'lolp';
  live?: boolean;
  latencyTargetMs?: string;
  liveDurationS?: string;
  jsonl?: string;
  summary?: string;
  report?: string;
  workers?: string;
  shard?: string;
  seed?: string;
  algoOptions?: string;
  opt: string[];
  traceFormat?: TraceFormat;
  playableSegments?: string;
  rebufferPenalty?: string;
  force?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/** Defaults of `--network` and `--qoe` (src/sim/simulate.ts), named in the report's header. */
export const DEFAULT_NETWORK_MODEL: NetworkModelName = 'abrkit';
export const DEFAULT_QOE_MODEL: QoeModelName = 'lin';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A flag holding an integer ≥ 0; a `UsageError` naming the flag otherwise. */
export function parseCount(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n))
    throw new UsageError(`${flag}: expected an integer ≥ 0, got "${text}"`);
  return n;
}

/**
 * `--workers N`: an integer ≥ 0 (0 or 1 = run in this thread). More than the core count is accepted here
 * and capped, with a warning, by `runSimulation`.
 */
export function parseWorkers(text: string): number {
  return parseCount('--workers', text);
}

function parseSeed(text: string): number {
  const n = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || !Number.isSafeInteger(n))
    throw new UsageError(`--seed: expected an integer, got "${text}"`);
  return n;
}

/** `--rebuffer-penalty <perS>`: a number from 0 to {@link MAX_REBUFFER_PENALTY_PER_S}; a `UsageError` otherwise. */
export function parseRebufferPenalty(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > MAX_REBUFFER_PENALTY_PER_S)
    throw new UsageError(
      `--rebuffer-penalty: expected a number from 0 to ${MAX_REBUFFER_PENALTY_PER_S}, got "${text}"`,
    );
  return n;
}

/** `--live-duration-s <s>`: a number of seconds > 0 (at most a week); a `UsageError` otherwise. */
export function parseLiveDuration(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !(n > 0) || n > 604_800)
    throw new UsageError(`--live-duration-s: expected a number of seconds > 0, got "${text}"`);
  return n;
}

/** `--latency-target-ms <ms>`: a number > 0 (at most a day); a `UsageError` otherwise. */
export function parseLatencyTarget(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !(n > 0) || n > 86_400_000)
    throw new UsageError(`--latency-target-ms: expected a number of ms > 0, got "${text}"`);
  return n;
}

/** Segments of `video` that `--live-duration-s` plays, at most a video's {@link VIDEO_LIMITS}.maxSegments. */
function liveSegmentCount(durationS: number, video: VideoDescription): number {
  const count = Math.ceil((durationS * 1000) / video.segmentDurationMs);
  if (count > VIDEO_LIMITS.maxSegments)
    throw new UsageError(
      `--live-duration-s: ${durationS} s of ${video.segmentDurationMs} ms segments is ${count} segments, ` +
        `more than the ${VIDEO_LIMITS.maxSegments} a video may have`,
    );
  return count;
}

function parseShardFlag(text: string): Shard {
  try {
    const { index, count } = resolveShard(text, process.env);
    return { index, count };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

export function register(program: Command, context: CliContext = createContext()): void {
  program
    .command('sim')
    .description('simulate every (trace × algorithm) session and compare the algorithms')
    .option(
      '--video <path>',
      'video (required): Sabre movie JSON, a Pensieve video_size_N folder, an HLS master playlist (path, URL or folder), or synthetic[:seed=N,segments=N,segmentS=S,bitratesKbps=a/b/...]',
    )
    .option(
      '--traces <paths...>',
      'traces (required): files or folders (Sabre JSON, Pensieve cooked, mahimahi, CSV) or generator specs such as step:4000x20s,500x20s, constant:2000, markov:seed=1 (as abrkit serve --trace)',
    )
    .option(
      '--algo <names...>',
      'algorithm name(s), comma-separated or repeated (default: the default algorithm)',
    )
    .addOption(
      new Option(
        '--trace-format <format>',
        'read every trace in this format (default: detected per file)',
      ).choices(['sabre', 'pensieve', 'mahimahi', 'csv']),
    )
    .option(
      '--playable-segments <n>',
      "segments a session plays (e.g. 48 for Pensieve's envivio, which lists 49)",
    )
    .addOption(new Option('--network <model>', 'network model').choices(['pensieve', 'sabre', 'abrkit']))
    .addOption(
      new Option(
        '--qoe <model>',
        'QoE model (lolp: LoL+ five-term live QoE, the default with --live)',
      ).choices(['lin', 'log', 'hd', 'lolp']),
    )
    .option(
      '--live',
      'play the video as a live stream: segments become available on the live clock, the buffer is bounded by the latency target, the playback rate catches up (1.0-1.1)',
    )
    .option(
      '--live-duration-s <s>',
      'with --live: loop the video to this many seconds, as abrkit serve --live loops a ladder (default: the video once)',
    )
    .option(
      '--latency-target-ms <ms>',
      'with --live: the latency target and the join latency, ms (default 3 segment durations, as hls.js)',
    )
    .option(
      '--rebuffer-penalty <perS>',
      'QoE penalty per second of stall (default ladder-aware: lin top Mbps, log ln(top/bottom), hd 8); planners get it too',
    )
    .option('--jsonl <file>', 'write the per-segment log, one JSON object per line')
    .option(
      '--summary <file>',
      'write the per-algorithm summary as JSON (with optimal among --algo, optimalFraction = mean QoE / the optimum’s mean QoE over the same traces)',
    )
    .option('--report <file>', 'write a self-contained HTML report')
    .option('--workers <n>', 'worker threads (default: the core count; 0 or 1 runs in this thread)')
    .option(
      '--shard <i/n>',
      'run only the i-th of n contiguous blocks of (trace x algo) jobs; concatenated shard logs equal the whole run; auto/n takes i from JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX or SLURM_ARRAY_TASK_ID (0-based); abrkit merge combines the shard summaries',
    )
    .option('--seed <n>', 'base seed (each trace derives its own, shared by all algorithms)')
    .option(
      '--algo-options <json>',
      'algorithm options as JSON: {"algo": {"key": value}} (or flat with one --algo)',
    )
    .option('--opt <algo.key=value>', 'one algorithm option (repeatable)', collect, [])
    .option('--force', 'replace existing output files')
    .option('--quiet', 'no progress on stderr')
    .option('--verbose', 'print stack traces on errors')
    .action(async (flags: SimFlags) => {
      context.verbose = flags.verbose ?? false;
      // Checked here rather than by commander, so a misspelt flag (--vidoe) is reported as unknown first.
      if (flags.video === undefined)
        throw new UsageError("required option '--video <path>' not specified (see abrkit sim --help)");
      if (flags.traces === undefined || flags.traces.length === 0)
        throw new UsageError("required option '--traces <paths...>' not specified (see abrkit sim --help)");
      const algos = flags.algo ? parseAlgoList(flags.algo) : undefined;
      const workers = flags.workers !== undefined ? parseWorkers(flags.workers) : undefined;
      const shard = flags.shard !== undefined ? parseShardFlag(flags.shard) : undefined;
      const seed = flags.seed !== undefined ? parseSeed(flags.seed) : undefined;
      const { names, options } = resolveAlgorithms(algos, (list) =>
        collectAlgoOptions(list, flags.algoOptions, flags.opt),
      );
      const playable =
        flags.playableSegments !== undefined
          ? parseCount('--playable-segments', flags.playableSegments)
          : undefined;
      if (playable === 0) throw new UsageError('--playable-segments: expected an integer ≥ 1, got "0"');
      const { video: source, inputs: videoInputs } = await resolveVideo(
        flags.video,
        context,
        playable !== undefined ? { playableSegmentCount: playable } : {},
      );
      const video =
        flags.liveDurationS === undefined
          ? source
          : loopVideo(source, liveSegmentCount(parseLiveDuration(flags.liveDurationS), source));
      const {
        traces,
        inputs: traceInputs,
        sources,
      } = await resolveTraces(flags.traces, context, flags.traceFormat, flags.quiet ?? false);
      if (traces.length === 0) {
        throw new AbrkitError('trace', 'NO_TRACES', 'no trace files found', {
          data: { source: flags.traces.join(' ') },
        });
      }
      if (flags.latencyTargetMs !== undefined && flags.live !== true)
        throw new UsageError('--latency-target-ms needs --live');
      if (flags.liveDurationS !== undefined && flags.live !== true)
        throw new UsageError('--live-duration-s needs --live');
      const targetLatencyMs =
        flags.live !== true
          ? undefined
          : flags.latencyTargetMs === undefined
            ? 3 * video.segmentDurationMs
            : parseLatencyTarget(flags.latencyTargetMs);
      const spec: BatchSpec = {
        video,
        traces,
        algos: names,
        algoOptions: options,
        ...(flags.network ? { network: flags.network } : {}),
        ...(flags.qoe ? { qoe: flags.qoe } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(targetLatencyMs !== undefined ? { live: { targetLatencyMs } } : {}),
        ...(flags.rebufferPenalty !== undefined
          ? { rebufferPenaltyPerS: parseRebufferPenalty(flags.rebufferPenalty) }
          : {}),
      };
      const traceArgs = flags.traces;
      // A session's error names its trace by name: say which file that was.
      await runSimulation({
        spec,
        io: context.io,
        inputs: [...videoInputs, ...traceInputs],
        force: flags.force ?? false,
        quiet: flags.quiet ?? false,
        ...(workers !== undefined ? { workers } : {}),
        ...(shard ? { shard } : {}),
        ...(flags.jsonl !== undefined ? { jsonlPath: flags.jsonl } : {}),
        ...(flags.summary !== undefined ? { summaryPath: flags.summary } : {}),
        ...(flags.report !== undefined ? { reportPath: flags.report } : {}),
        reportMeta: {
          video: `${video.name} (${video.renditions.length} renditions, ${video.segmentSizesBytes.length} segments of ${video.segmentDurationMs} ms)`,
          traces: `${traces.length} from ${traceArgs.join(', ')}`,
          network:
            (flags.network ?? `${DEFAULT_NETWORK_MODEL} (default)`) +
            (targetLatencyMs === undefined ? '' : `, live, latency target ${targetLatencyMs} ms`),
          qoe:
            flags.qoe ??
            (targetLatencyMs === undefined ? `${DEFAULT_QOE_MODEL} (default)` : 'lolp (default with --live)'),
        },
      }).catch((e: unknown) => {
        throw withTracePath(e, sources);
      });
    });
}
