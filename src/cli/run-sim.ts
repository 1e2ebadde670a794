/**
 * Runs a batch for `abrkit sim` and `abrkit demo-sim` and writes what was asked: the per-segment JSONL
 * in job order, the summary JSON, the HTML report, and the comparison table on stdout, with progress on
 * stderr (a bar on a terminal, a line every few seconds otherwise; none with `quiet`).
 *
 * Outputs are checked before any session runs (see src/cli/outputs.ts: no two on one path, none on an
 * input, no existing file replaced without `force`) and written atomically. SIGINT or SIGTERM stops the
 * run: workers end, every output is left as it was before the run (or absent), and the error (exit 130)
 * says so. A sharded run's summary also carries what `abrkit merge` needs (src/sim/batch-merge.ts).
 */
import { basename } from 'node:path';
import type { SegmentRecord } from '../core/types.js';
import type { Shard } from '../sim/batch-plan.js';
import { shardRange } from '../sim/batch-plan.js';
import type { ShardRunInfo } from '../sim/batch-merge.js';
import { shardSummary } from '../sim/batch-merge.js';
import type { BatchSpec, SessionRunner } from '../sim/batch-session.js';
import type { AlgoSeries, BatchSummary, SessionStats } from '../sim/batch-stats.js';
import { POSITIVE_SCOPE_NOTE, SummaryAccumulator } from '../sim/batch-stats.js';
import { defaultWorkerCount, runBatch } from '../sim/batch.js';
import { buildReportHtml } from '../sim/report.js';
import type { CliIo } from './errors.js';
import { InterruptedError } from './errors.js';
import type { CheckedOutput, InputPath } from './outputs.js';
import { AtomicOutput, checkOutputs, writeOutputFile } from './outputs.js';
import type { ProgressOptions } from './progress.js';
import { createProgress } from './progress.js';
import { comparisonTable, qoeCi95 } from './table.js';
import { periodCount } from '../traces/columns.js';
import type { NetworkTrace } from '../traces/model.js';
import { resolve } from 'node:path';

export interface SimRunOptions {
  readonly spec: BatchSpec;
  readonly io: CliIo;
  readonly workers?: number;
  readonly shard?: Shard;
  readonly jsonlPath?: string;
  readonly summaryPath?: string;
  readonly reportPath?: string;
  readonly reportTitle?: string;
  readonly reportMeta?: Readonly<Record<string, string | number>>;
  /**
   * Job (index in the unsharded job order) whose session the report shows as its example. Default 0. A
   * shard that does not hold it shows its own first session.
   */
  readonly examplePosition?: number;
  /** In-process stand-in for `simulateSession` (tests). */
  readonly runner?: SessionRunner;
  /** Replace existing output files. */
  readonly force?: boolean;
  /** Files and folders the run reads: no output may land on them. */
  readonly inputs?: readonly InputPath[];
  /** No progress on stderr. */
  readonly quiet?: boolean;
  /** Progress timing (tests). */
  readonly progress?: Omit<ProgressOptions, 'quiet' | 'unit'>;
  /** Stops the run as SIGINT does (tests). */
  readonly signal?: AbortSignal;
  /** Stop cleanly on SIGINT/SIGTERM while running. Default true. */
  readonly handleSignals?: boolean;
}

export interface SimRunResult {
  readonly summary: BatchSummary;
  readonly qoeCi95: Record<string, number>;
  readonly sessions: number;
  /** Worker threads used (0 = in this thread). */
  readonly workers: number;
}

/** The per-algorithm table and the output paths, on stdout. */
export function printResults(
  io: CliIo,
  summary: BatchSummary,
  ci: Record<string, number>,
  written: readonly { readonly label: string; readonly path: string }[],
): void {
  io.stdout.write(comparisonTable(summary, ci));
  io.stdout.write('QoE: sum of per-segment QoE per session; ± is the 95% CI of the mean (Student t).\n');
  const algos = Object.values(summary.algos);
  if (algos.some((a) => a.optimalFraction !== undefined))
    io.stdout.write(
      "of optimal: mean QoE over the traces the offline optimum ran on / the optimum's mean there.\n",
    );
  if (algos.some((a) => a.optimalFractionScope === 'positive')) io.stdout.write(`${POSITIVE_SCOPE_NOTE}\n`);
  for (const w of written) io.stdout.write(`${w.label}: ${w.path}\n`);
}

/** The report's HTML for a finished (or merged) run. */
export function reportHtml(input: {
  readonly title?: string;
  readonly meta: Readonly<Record<string, string | number>>;
  readonly summary: BatchSummary;
  readonly series: readonly AlgoSeries[];
  readonly example?: { trace: string; algo: string; records: readonly SegmentRecord[] };
}): string {
  return buildReportHtml({
    ...(input.title ? { title: input.title } : {}),
    meta: input.meta,
    summary: input.summary,
    qoeCi95: qoeCi95(input.series),
    series: input.series,
    ...(input.example ? { example: input.example } : {}),
  });
}

/** Runs `body` with SIGINT/SIGTERM turned into `controller.abort()`. */
async function withSignals<T>(
  enabled: boolean,
  controller: AbortController,
  body: () => Promise<T>,
): Promise<T> {
  if (!enabled) return body();
  const onSignal = (signal: NodeJS.Signals): void => {
    controller.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Memory the trace periods may take in worker threads, bytes. Each worker holds its own copy of the traces of
 * its jobs and the link model's tables over them (about {@link WORKER_BYTES_PER_PERIOD} bytes a period), so
 * one 200 MB trace of 10 million periods would cost about 400 MB in each worker (issue 18).
 */
export const WORKER_TRACE_BUDGET_BYTES = 192 * 1024 * 1024;
/** Bytes a period costs in a worker: columns (16-24), the link's cumulative times and latencies (16), slack. */
export const WORKER_BYTES_PER_PERIOD = 48;

/**
 * The worker threads to use for `requested` when the largest trace holds `maxPeriods` periods: fewer when
 * their copies would pass {@link WORKER_TRACE_BUDGET_BYTES}; 0 (this thread, which already holds the traces)
 * when not even two fit.
 */
export function workersForTraceSize(requested: number, maxPeriods: number): number {
  const fit = Math.floor(WORKER_TRACE_BUDGET_BYTES / Math.max(1, maxPeriods * WORKER_BYTES_PER_PERIOD));
  if (requested <= fit) return requested;
  return fit >= 2 ? fit : 0;
}

function largestTrace(traces: readonly NetworkTrace[]): number {
  let most = 0;
  for (const t of traces) most = Math.max(most, periodCount(t));
  return most;
}

/** Runs the batch and writes the outputs. */
export async function runSimulation(options: SimRunOptions): Promise<SimRunResult> {
  const { spec, io } = options;
  const wanted: { flag: string; path: string }[] = [];
  if (options.jsonlPath !== undefined)
    wanted.push({ flag: '--jsonl', path: resolve(io.cwd, options.jsonlPath) });
  if (options.summaryPath !== undefined)
    wanted.push({ flag: '--summary', path: resolve(io.cwd, options.summaryPath) });
  if (options.reportPath !== undefined)
    wanted.push({ flag: '--report', path: resolve(io.cwd, options.reportPath) });
  const checked = checkOutputs(wanted, options.inputs ?? [], options.force ?? false);
  const out = (flag: string): CheckedOutput | undefined => checked.find((c) => c.flag === flag);
  const jsonlOut = out('--jsonl');
  const summaryOut = out('--summary');
  const reportOut = out('--report');

  const cores = defaultWorkerCount();
  if (options.workers !== undefined && options.workers > cores) {
    io.stderr.write(
      `abrkit: warning: --workers ${options.workers} is more than the ${cores} cores; using ${cores} ` +
        '(more threads only add memory)\n',
    );
  }
  const requestedWorkers = Math.min(options.workers ?? cores, cores);
  const maxPeriods = largestTrace(spec.traces);
  const workers =
    options.runner !== undefined ? options.workers : workersForTraceSize(requestedWorkers, maxPeriods);
  if (workers !== undefined && workers < requestedWorkers && requestedWorkers > 1) {
    io.stderr.write(
      `abrkit: note: a trace holds ${maxPeriods} periods, about ${Math.round((maxPeriods * WORKER_BYTES_PER_PERIOD) / 1e6)} MB ` +
        `in each worker thread; using ${workers === 0 ? 'this thread only' : `${workers} workers`} ` +
        `(instead of ${requestedWorkers})\n`,
    );
  }

  const totalJobs = spec.traces.length * spec.algos.length;
  const [fromJob, toJob] = options.shard ? shardRange(totalJobs, options.shard) : [0, totalJobs];
  const exampleJob = options.examplePosition ?? 0;
  const holdsExample = exampleJob >= fromJob && exampleJob < toJob;
  const keepRows = options.shard !== undefined && summaryOut !== undefined;
  const localExample = holdsExample ? exampleJob - fromJob : 0;
  const wantExample = reportOut !== undefined || (keepRows && holdsExample);

  const controller = new AbortController();
  const outer = options.signal;
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });

  const progress = createProgress(io, {
    ...options.progress,
    quiet: options.quiet ?? false,
    unit: 'sessions',
  });
  let jsonl: AtomicOutput | undefined;
  let done = 0;
  let total = toJob - fromJob;
  try {
    jsonl = jsonlOut ? new AtomicOutput(jsonlOut) : undefined;
    const acc = new SummaryAccumulator(spec.algos);
    const rows: SessionStats[] = [];
    let example: { trace: string; algo: string; records: readonly SegmentRecord[] } | undefined;
    const info = await withSignals(options.handleSignals ?? true, controller, () =>
      runBatch(spec, {
        ...(workers !== undefined ? { workers } : {}),
        ...(options.shard ? { shard: options.shard } : {}),
        ...(options.runner ? { runner: options.runner } : {}),
        signal: controller.signal,
        jsonl: jsonl !== undefined,
        examplePosition: wantExample ? localExample : null,
        onResult: (r) => {
          acc.add(r.stats);
          if (keepRows) rows.push(r.stats);
          if (r.records) example = { trace: r.stats.trace, algo: r.stats.algo, records: r.records };
          if (jsonl && r.jsonl) jsonl.write(r.jsonl);
        },
        onProgress: (d, t) => {
          done = d;
          total = t;
          progress.update(d, t);
        },
      }),
    );
    progress.stop(true);

    const summary = acc.summary();
    const ci = qoeCi95(acc.series);
    const written: { label: string; path: string }[] = [];
    jsonl?.commit();
    if (jsonl) written.push({ label: 'per-segment log', path: jsonl.path });
    if (summaryOut) {
      const content =
        keepRows && options.shard
          ? shardSummary({
              summary,
              shard: options.shard,
              run: runInfo(options, exampleJob),
              stats: rows,
              ...(holdsExample && example ? { example } : {}),
              ...(jsonlOut ? { jsonl: basename(jsonlOut.path) } : {}),
            })
          : summary;
      writeOutputFile(summaryOut, JSON.stringify(content, null, 2) + '\n');
      written.push({ label: 'summary', path: summaryOut.path });
    }
    if (reportOut) {
      writeOutputFile(
        reportOut,
        reportHtml({
          ...(options.reportTitle ? { title: options.reportTitle } : {}),
          meta: {
            ...options.reportMeta,
            sessions: info.sessions,
            ...(options.shard ? { shard: `${options.shard.index}/${options.shard.count}` } : {}),
          },
          summary,
          series: acc.series,
          ...(example ? { example } : {}),
        }),
      );
      written.push({ label: 'report', path: reportOut.path });
    }
    printResults(io, summary, ci, written);
    return { summary, qoeCi95: ci, sessions: info.sessions, workers: info.workers };
  } catch (error) {
    progress.stop(false);
    jsonl?.abort();
    if (controller.signal.aborted) {
      const reason: unknown = controller.signal.reason;
      const what = reason instanceof InterruptedError ? `interrupted (${reason.message})` : 'stopped';
      const kept = checked.filter((c) => !c.special).map((c) => c.path);
      throw new InterruptedError(
        `${what} after ${done}/${total} sessions: wrote nothing` +
          (kept.length > 0 ? `; ${kept.join(', ')} left as before the run (or absent)` : ''),
      );
    }
    throw error;
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/** What a shard summary records about its run. */
function runInfo(options: SimRunOptions, exampleJob: number): ShardRunInfo {
  const { video, traces, algos, ...settings } = options.spec;
  const totalJobs = traces.length * algos.length;
  return {
    algos,
    traces: traces.map((t) => t.name),
    settings: { ...settings, video: video.name },
    ...(options.reportTitle ? { title: options.reportTitle } : {}),
    meta: { ...options.reportMeta },
    exampleJob: exampleJob < totalJobs ? exampleJob : null,
  };
}
