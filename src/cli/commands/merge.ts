/**
 * `abrkit merge <shard summaries...> --summary out.json [--jsonl out.jsonl] [--report out.html]`: combines
 * the `--summary` files of the shards of one `abrkit sim --shard i/n` sweep (run on any machines) into the
 * summary, per-segment log and report the unsharded run writes, byte for byte: the summary and report are
 * rebuilt from the per-session rows each shard summary carries (src/sim/batch-merge.ts), added in job
 * order as the unsharded run adds them; the log is the shards' logs concatenated in shard order, each
 * checked against its session rows. Shard logs are found by the name a shard summary records, next to the
 * summary, unless `--logs` lists them (in the order of the summaries).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { AbrkitError } from '../../core/errors.js';
import type { MergedRun } from '../../sim/batch-merge.js';
import { mergeShardSummaries } from '../../sim/batch-merge.js';
import { readTextFile } from '../../sim/read-text.js';
import type { CliContext } from '../context.js';
import { createContext } from '../context.js';
import { UsageError, systemReason } from '../errors.js';
import type { CheckedOutput, InputPath } from '../outputs.js';
import { AtomicOutput, checkOutputs, realTarget, writeOutputFile } from '../outputs.js';
import { printResults, reportHtml } from '../run-sim.js';
import { qoeCi95 } from '../table.js';

export interface MergeFlags {
  readonly summary?: string;
  readonly jsonl?: string;
  readonly report?: string;
  readonly logs?: readonly string[];
  readonly force?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

function readError(e: unknown, path: string): AbrkitError {
  const code = (e as { code?: unknown } | null)?.code;
  const reason = systemReason(typeof code === 'string' ? code : undefined) ?? String(e);
  return new AbrkitError('config', 'SHARD_MERGE_INVALID', reason, { data: { source: path }, cause: e });
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readTextFile(
      path,
      (message, line) =>
        new AbrkitError('config', 'SHARD_MERGE_INVALID', message, {
          data: line === undefined ? { source: path } : { source: path, line },
        }),
    );
  } catch (e) {
    if (e instanceof AbrkitError) throw e;
    throw readError(e, path);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new AbrkitError('config', 'SHARD_MERGE_INVALID', `not JSON: ${(e as Error).message}`, {
      data: { source: path },
      cause: e,
    });
  }
}

/** Appends `path` to `out` in chunks; returns its line count. Fails naming the file when it is not whole. */
function appendLog(out: AtomicOutput, path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw readError(e, path);
  }
  const buf = Buffer.alloc(1 << 20);
  let lines = 0;
  let last = 0x0a;
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        throw readError(e, path);
      }
      if (n === 0) break;
      for (let i = 0; i < n; i++) if (buf[i] === 0x0a) lines++;
      last = buf[n - 1] ?? last;
      out.write(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  if (last !== 0x0a)
    throw new AbrkitError('config', 'SHARD_MERGE_INVALID', 'ends inside a line (a truncated log?)', {
      data: { source: path },
    });
  return lines;
}

/** Runs the command; returns the merged run. */
export async function runMerge(
  files: readonly string[],
  flags: MergeFlags,
  context: CliContext = createContext(),
): Promise<MergedRun> {
  if (files.length === 0) throw new UsageError('merge: name the shard summaries to merge');
  if (flags.summary === undefined && flags.jsonl === undefined && flags.report === undefined)
    throw new UsageError('merge: nothing to write: give --summary, --jsonl and/or --report');
  const sources = files.map((f) => context.resolvePath(f));
  if (flags.logs !== undefined && flags.logs.length !== files.length)
    throw new UsageError(
      `--logs: ${flags.logs.length} logs for ${files.length} summaries (list one log per summary, in the same order)`,
    );
  const inputs: InputPath[] = sources.map((path) => ({ flag: 'shard summary', path }));
  const logArgs = flags.logs?.map((l) => context.resolvePath(l));
  for (const path of logArgs ?? []) inputs.push({ flag: '--logs', path });
  const wanted: { flag: string; path: string }[] = [];
  if (flags.summary !== undefined)
    wanted.push({ flag: '--summary', path: context.resolvePath(flags.summary) });
  if (flags.jsonl !== undefined) wanted.push({ flag: '--jsonl', path: context.resolvePath(flags.jsonl) });
  if (flags.report !== undefined) wanted.push({ flag: '--report', path: context.resolvePath(flags.report) });
  // Shard logs found by name are inputs too: check after reading the summaries.
  const jsons = await Promise.all(sources.map(async (source) => ({ source, json: await readJson(source) })));
  const merged = mergeShardSummaries(jsons);
  const logFor = new Map<string, string>();
  /** Shard summary by the real path of its log. */
  const shardOfLog = new Map<string, string>();
  if (flags.jsonl !== undefined) {
    for (const shard of merged.shards) {
      const given = logArgs?.[sources.indexOf(shard.source)];
      const named = shard.summary.jsonl;
      if (given === undefined && named === undefined)
        throw new AbrkitError(
          'config',
          'SHARD_MERGE_INVALID',
          'this shard wrote no --jsonl log: cannot write a merged --jsonl (or give --logs)',
          { data: { source: shard.source } },
        );
      const path = given ?? join(dirname(shard.source), named ?? '');
      // Shards that logged to one name (the last replacing the others) would repeat one log.
      const real = realTarget(path);
      const other = shardOfLog.get(real);
      if (other !== undefined)
        throw new AbrkitError(
          'config',
          'SHARD_MERGE_INVALID',
          `its log ${path} is also the log of ${other}: each shard needs its own --jsonl (or give --logs)`,
          { data: { source: shard.source } },
        );
      logFor.set(shard.source, path);
      shardOfLog.set(real, shard.source);
      if (given === undefined) inputs.push({ flag: 'shard log', path });
    }
  }
  const checked = checkOutputs(wanted, inputs, flags.force ?? false);
  const out = (flag: string): CheckedOutput | undefined => checked.find((c) => c.flag === flag);
  const written: { label: string; path: string }[] = [];

  const jsonlOut = out('--jsonl');
  if (jsonlOut) {
    const file = new AtomicOutput(jsonlOut);
    try {
      for (const shard of merged.shards) {
        const path = logFor.get(shard.source) ?? '';
        const expected = shard.summary.sessions.rows.reduce((acc, row) => acc + (row[1] ?? 0), 0);
        const lines = appendLog(file, path);
        if (lines !== expected)
          throw new AbrkitError(
            'config',
            'SHARD_MERGE_INVALID',
            `${lines} lines, but shard ${shard.summary.shard.index}/${shard.summary.shard.count}'s summary (${shard.source}) counts ${expected} segments`,
            { data: { source: path } },
          );
      }
      file.commit();
    } catch (e) {
      file.abort();
      throw e;
    }
    written.push({ label: 'per-segment log', path: jsonlOut.path });
  }
  const summaryOut = out('--summary');
  if (summaryOut) {
    writeOutputFile(summaryOut, JSON.stringify(merged.summary, null, 2) + '\n');
    written.push({ label: 'summary', path: summaryOut.path });
  }
  const reportOut = out('--report');
  if (reportOut) {
    writeOutputFile(
      reportOut,
      reportHtml({
        ...(merged.run.title ? { title: merged.run.title } : {}),
        meta: { ...merged.run.meta, sessions: merged.sessions },
        summary: merged.summary,
        series: merged.series,
        ...(merged.example ? { example: merged.example } : {}),
      }),
    );
    written.push({ label: 'report', path: reportOut.path });
  }
  if (!flags.quiet)
    context.io.stderr.write(
      `abrkit merge: ${merged.shards.length} shards, ${merged.sessions} sessions of ${merged.run.algos.length} algorithms on ${merged.run.traces.length} traces\n`,
    );
  printResults(context.io, merged.summary, qoeCi95(merged.series), written);
  return merged;
}

/** Adds `abrkit merge` to the program. */
export function register(program: Command, context: CliContext = createContext()): void {
  program
    .command('merge')
    .description(
      'combine the --summary files (and logs) of abrkit sim --shard i/n runs into the unsharded summary, log and report',
    )
    .argument('<summaries...>', 'every shard summary of one sweep, in any order')
    .option('--summary <file>', 'write the merged summary JSON (as the unsharded run writes it)')
    .option('--jsonl <file>', "write the merged per-segment log (the shards' logs in shard order)")
    .option('--report <file>', 'write the merged HTML report')
    .option(
      '--logs <files...>',
      "the shards' --jsonl logs, one per summary in the same order (default: the name each summary records, in its folder)",
    )
    .option('--force', 'replace existing output files')
    .option('--quiet', 'no line on stderr (as sim --quiet)')
    .option('--verbose', 'print stack traces on errors')
    .action(async (files: string[], flags: MergeFlags) => {
      context.verbose = flags.verbose ?? false;
      await runMerge(files, flags, context);
    });
}
