/**
 * Runs a batch for `abrkit sim` and `abrkit demo-sim` and writes what was asked: the per-segment JSONL
 * streamed in job order as sessions finish, the summary JSON, the HTML report, and the comparison table on
 * stdout, with a progress bar on a terminal only.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { SegmentRecord } from '../core/types.js';
import type { Shard } from '../sim/batch-plan.js';
import type { BatchSpec, SessionRunner } from '../sim/batch-session.js';
import type { BatchSummary } from '../sim/batch-stats.js';
import { SummaryAccumulator } from '../sim/batch-stats.js';
import { runBatch } from '../sim/batch.js';
import { buildReportHtml } from '../sim/report.js';
import type { CliIo } from './errors.js';
import { comparisonTable, qoeCi95 } from './table.js';

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
  /** Position (in this run's order) of the session the report shows as its example. Default 0. */
  readonly examplePosition?: number;
  /** In-process stand-in for `simulateSession` (tests). */
  readonly runner?: SessionRunner;
}

export interface SimRunResult {
  readonly summary: BatchSummary;
  readonly qoeCi95: Record<string, number>;
  readonly sessions: number;
}

/** Opens (truncating) an output file now, so a bad path fails before any session runs. */
function openOutput(io: CliIo, path: string): { path: string; fd: number } {
  const full = resolve(io.cwd, path);
  return { path: full, fd: openSync(full, 'w') };
}

/** Runs the batch and writes the outputs. */
export async function runSimulation(options: SimRunOptions): Promise<SimRunResult> {
  const { spec, io } = options;
  const jsonlOut = options.jsonlPath !== undefined ? openOutput(io, options.jsonlPath) : undefined;
  const summaryOut = options.summaryPath !== undefined ? openOutput(io, options.summaryPath) : undefined;
  const reportOut = options.reportPath !== undefined ? openOutput(io, options.reportPath) : undefined;
  let stream: WriteStream | undefined;
  let bar: cliProgress.SingleBar | undefined;
  try {
    if (jsonlOut) stream = createWriteStream('', { fd: jsonlOut.fd, autoClose: false });
    const acc = new SummaryAccumulator(spec.algos);
    let example: { trace: string; algo: string; records: readonly SegmentRecord[] } | undefined;
    if (io.isTTY) {
      bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: 'sessions {bar} {value}/{total} {percentage}% | eta {eta_formatted}',
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
    }
    let started = false;
    const info = await runBatch(spec, {
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.shard ? { shard: options.shard } : {}),
      ...(options.runner ? { runner: options.runner } : {}),
      jsonl: stream !== undefined,
      examplePosition: reportOut ? (options.examplePosition ?? 0) : null,
      onResult: async (r) => {
        acc.add(r.stats);
        if (r.records) example = { trace: r.stats.trace, algo: r.stats.algo, records: r.records };
        if (stream && r.jsonl) {
          if (!stream.write(r.jsonl)) await once(stream, 'drain');
        }
      },
      onProgress: (done, total) => {
        if (!bar) return;
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      },
    });
    if (bar && started) bar.stop();
    bar = undefined;
    if (stream) {
      const s = stream;
      await new Promise<void>((res, rej) => s.end((e?: Error | null) => (e ? rej(e) : res())));
    }

    const summary = acc.summary();
    const ci = qoeCi95(acc.series);
    if (summaryOut) writeSync(summaryOut.fd, JSON.stringify(summary, null, 2) + '\n');
    if (reportOut) {
      const html = buildReportHtml({
        ...(options.reportTitle ? { title: options.reportTitle } : {}),
        meta: {
          ...options.reportMeta,
          sessions: info.sessions,
          ...(options.shard ? { shard: `${options.shard.index}/${options.shard.count}` } : {}),
        },
        summary,
        qoeCi95: ci,
        series: acc.series,
        ...(example ? { example } : {}),
      });
      writeSync(reportOut.fd, html);
    }
    io.stdout.write(comparisonTable(summary, ci));
    io.stdout.write('QoE: sum of per-segment QoE per session; ± is the 95% CI of the mean (Student t).\n');
    if (jsonlOut) io.stdout.write(`per-segment log: ${jsonlOut.path}\n`);
    if (summaryOut) io.stdout.write(`summary: ${summaryOut.path}\n`);
    if (reportOut) io.stdout.write(`report: ${reportOut.path}\n`);
    return { summary, qoeCi95: ci, sessions: info.sessions };
  } finally {
    bar?.stop();
    for (const o of [jsonlOut, summaryOut, reportOut]) if (o) closeSync(o.fd);
  }
}
