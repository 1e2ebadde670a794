/**
 * What a shard's `--summary` carries so that `abrkit merge` can rebuild exactly the unsharded run's
 * summary, log and report: besides the shard's own per-algorithm lines, the run it belongs to (algorithms,
 * trace names, settings, report header), its block of the job list, one row of metrics per session (for
 * exact means and medians: the merge adds the sessions back in job order, as the unsharded run does), the
 * example session's records when the shard holds it, and the name of its per-segment log.
 *
 * No Node: the CLI reads the files and hands the parsed JSON here.
 */
import type { SegmentRecord } from '../core/types.js';
import { AbrkitError } from '../core/errors.js';
import type { Shard } from './batch-plan.js';
import { shardRange } from './batch-plan.js';
import type { AlgoSeries, BatchSummary, SessionStats } from './batch-stats.js';
import { SummaryAccumulator } from './batch-stats.js';

/** The run a shard belongs to: equal in every shard of one sweep. */
export interface ShardRunInfo {
  /** Algorithm names, in the run's order. */
  readonly algos: readonly string[];
  /** Trace names, in the run's order. */
  readonly traces: readonly string[];
  /** Settings that change results (network, QoE model, seed, algorithm options), to refuse mixing runs. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** The report's title and header lines of the unsharded run. */
  readonly title?: string;
  readonly meta: Readonly<Record<string, string | number>>;
  /** Job whose session the report shows as its example, or null for none. */
  readonly exampleJob: number | null;
}

/** Field order of a row of {@link ShardSummary.sessions}. */
export const SESSION_FIELDS = ['job', 'segments', 'qoe', 'bitrateKbpsMean', 'rebufferS', 'switches'] as const;

/** A shard's `--summary` file. */
export interface ShardSummary extends BatchSummary {
  readonly shard: {
    readonly index: number;
    readonly count: number;
    /** Half-open range of job indices this shard ran. */
    readonly fromJob: number;
    readonly toJob: number;
    readonly totalJobs: number;
  };
  readonly run: ShardRunInfo;
  readonly sessions: { readonly fields: typeof SESSION_FIELDS; readonly rows: readonly number[][] };
  readonly example?: {
    readonly trace: string;
    readonly algo: string;
    readonly records: readonly SegmentRecord[];
  };
  /** File name (no folder) of the shard's `--jsonl` log, when it wrote one. */
  readonly jsonl?: string;
}

/** Builds a shard's summary file content. `stats` in job order. */
export function shardSummary(input: {
  readonly summary: BatchSummary;
  readonly shard: Shard;
  readonly run: ShardRunInfo;
  readonly stats: readonly SessionStats[];
  readonly example?: ShardSummary['example'];
  readonly jsonl?: string;
}): ShardSummary {
  const totalJobs = input.run.traces.length * input.run.algos.length;
  const [fromJob, toJob] = shardRange(totalJobs, input.shard);
  return {
    ...input.summary,
    shard: { index: input.shard.index, count: input.shard.count, fromJob, toJob, totalJobs },
    run: input.run,
    sessions: {
      fields: SESSION_FIELDS,
      rows: input.stats.map((s) => [s.job, s.segments, s.qoe, s.bitrateKbpsMean, s.rebufferS, s.switches]),
    },
    ...(input.example ? { example: input.example } : {}),
    ...(input.jsonl !== undefined ? { jsonl: input.jsonl } : {}),
  };
}

/** What merging the shards of one run gives. */
export interface MergedRun {
  readonly summary: BatchSummary;
  readonly series: readonly AlgoSeries[];
  readonly run: ShardRunInfo;
  readonly sessions: number;
  readonly example?: ShardSummary['example'];
  /** The shards in index order, with where each came from. */
  readonly shards: readonly { readonly source: string; readonly summary: ShardSummary }[];
}

function mergeError(source: string, problem: string): AbrkitError {
  return new AbrkitError('config', 'SHARD_MERGE_INVALID', problem, { data: { source } });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIntegerIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** Checks one parsed shard summary's shape; throws naming `source` and the field. */
export function checkShardSummary(json: unknown, source: string): ShardSummary {
  if (!isRecord(json) || !isRecord(json['algos']))
    throw mergeError(source, 'not an abrkit --summary file (no "algos")');
  const shard = json['shard'];
  if (!isRecord(shard))
    throw mergeError(
      source,
      'not a shard summary (no "shard"): write it with abrkit sim --shard i/n --summary',
    );
  const count = shard['count'];
  if (!isIntegerIn(count, 1, Number.MAX_SAFE_INTEGER))
    throw mergeError(source, 'shard.count: not an integer ≥ 1');
  if (!isIntegerIn(shard['index'], 1, count)) throw mergeError(source, `shard.index: not in 1..${count}`);
  const run = json['run'];
  if (
    !isRecord(run) ||
    !Array.isArray(run['algos']) ||
    !Array.isArray(run['traces']) ||
    !isRecord(run['meta'])
  )
    throw mergeError(source, 'run: missing or malformed (algos, traces, meta)');
  if (!run['algos'].every((a) => typeof a === 'string') || run['algos'].length === 0)
    throw mergeError(source, 'run.algos: expected algorithm names');
  if (!run['traces'].every((a) => typeof a === 'string'))
    throw mergeError(source, 'run.traces: expected trace names');
  const totalJobs = run['traces'].length * run['algos'].length;
  if (shard['totalJobs'] !== totalJobs)
    throw mergeError(
      source,
      `shard.totalJobs: ${String(shard['totalJobs'])}, but run lists ${totalJobs} jobs`,
    );
  const [fromJob, toJob] = shardRange(totalJobs, { index: shard['index'], count });
  if (shard['fromJob'] !== fromJob || shard['toJob'] !== toJob)
    throw mergeError(
      source,
      `shard: jobs [${String(shard['fromJob'])}, ${String(shard['toJob'])}) are not shard ${String(shard['index'])}/${count}'s [${fromJob}, ${toJob})`,
    );
  const sessions = json['sessions'];
  if (!isRecord(sessions) || !Array.isArray(sessions['rows']) || !Array.isArray(sessions['fields']))
    throw mergeError(source, 'sessions: missing (a summary written before abrkit could merge shards?)');
  if (JSON.stringify(sessions['fields']) !== JSON.stringify(SESSION_FIELDS))
    throw mergeError(source, `sessions.fields: expected ${SESSION_FIELDS.join(', ')}`);
  const rows = sessions['rows'];
  if (rows.length !== toJob - fromJob)
    throw mergeError(
      source,
      `sessions: ${rows.length} rows, expected ${toJob - fromJob} (jobs ${fromJob}..${toJob - 1})`,
    );
  rows.forEach((row, i) => {
    if (
      !Array.isArray(row) ||
      row.length !== SESSION_FIELDS.length ||
      row[0] !== fromJob + i ||
      !row.every((v) => typeof v === 'number' && Number.isFinite(v))
    )
      throw mergeError(
        source,
        `sessions.rows[${i}]: expected [${SESSION_FIELDS.join(', ')}] for job ${fromJob + i}`,
      );
  });
  return json as unknown as ShardSummary;
}

/**
 * Merges the shard summaries of one run (any order; each shard exactly once) into the unsharded run's
 * summary and series, byte for byte the same once serialised.
 */
export function mergeShardSummaries(
  inputs: readonly { readonly source: string; readonly json: unknown }[],
): MergedRun {
  if (inputs.length === 0) throw mergeError('merge', 'no shard summaries given');
  const shards = inputs.map((i) => ({ source: i.source, summary: checkShardSummary(i.json, i.source) }));
  const first = shards[0];
  if (!first) throw mergeError('merge', 'no shard summaries given');
  const count = first.summary.shard.count;
  const runKey = JSON.stringify(first.summary.run);
  const byIndex = new Map<number, (typeof shards)[number]>();
  for (const s of shards) {
    if (s.summary.shard.count !== count)
      throw mergeError(
        s.source,
        `shard ${s.summary.shard.index}/${s.summary.shard.count} is not from a run of ${count} shards (${first.source})`,
      );
    if (JSON.stringify(s.summary.run) !== runKey)
      throw mergeError(
        s.source,
        `not the same run as ${first.source} (algorithms, traces or settings differ)`,
      );
    const twin = byIndex.get(s.summary.shard.index);
    if (twin)
      throw mergeError(s.source, `shard ${s.summary.shard.index}/${count} given twice (also ${twin.source})`);
    byIndex.set(s.summary.shard.index, s);
  }
  const missing: number[] = [];
  for (let i = 1; i <= count; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length > 0)
    throw mergeError(
      'merge',
      `missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}`,
    );
  const ordered = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
  const run = first.summary.run;
  const acc = new SummaryAccumulator(run.algos);
  const algoCount = run.algos.length;
  let example: ShardSummary['example'];
  for (const s of ordered) {
    for (const row of s.summary.sessions.rows) {
      const [job = 0, segments = 0, qoe = 0, bitrateKbpsMean = 0, rebufferS = 0, switches = 0] = row;
      const traceIndex = Math.floor(job / algoCount);
      const algoIndex = job % algoCount;
      acc.add({
        job,
        traceIndex,
        algoIndex,
        trace: run.traces[traceIndex] ?? '',
        algo: run.algos[algoIndex] ?? '',
        segments,
        qoe,
        bitrateKbpsMean,
        rebufferS,
        switches,
      });
    }
    if (s.summary.example) example = s.summary.example;
  }
  return {
    summary: acc.summary(),
    series: acc.series,
    run,
    sessions: first.summary.shard.totalJobs,
    ...(example ? { example } : {}),
    shards: ordered,
  };
}
