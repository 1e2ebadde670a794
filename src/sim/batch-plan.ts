/**
 * The job list of a batch run and how it is cut into shards. Jobs are (trace × algorithm) sessions in a
 * fixed order, trace-major: job `j` runs trace `floor(j / algos)` with algorithm `j mod algos`. A shard
 * `i/n` (1-based i) takes the contiguous block of jobs `[floor((i-1)·N/n), floor(i·N/n))` of the N jobs,
 * so shards 1..n hold each job exactly once and concatenating their JSONL logs in shard order gives the
 * unsharded log byte for byte (`cat shard-*.jsonl`). `--shard auto/N` takes the index from the array-job
 * variable of Kubernetes, AWS Batch or Slurm (passed in: no Node, no globals).
 */
import { invalidArgument } from '../core/errors.js';

/** `--shard i/n`: this process runs shard `index` (1-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** One session to run. */
export interface BatchJob {
  /** Index in the full job list (before sharding). */
  readonly job: number;
  readonly traceIndex: number;
  readonly algoIndex: number;
}

/** Parses `i/n` (1 ≤ i ≤ n, integers). Throws a `TypeError` naming `--shard` otherwise. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw invalidArgument('--shard', `expected i/n such as 1/4, got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw invalidArgument('--shard', `n must be at least 1, got "${text}"`);
  if (index < 1 || index > count)
    throw invalidArgument('--shard', `i must be between 1 and ${count}, got "${text}"`);
  return { index, count };
}

/** Number of jobs a shard holds out of `total`. */
export function shardSize(total: number, shard?: Shard): number {
  if (!shard) return total;
  const [from, to] = shardRange(total, shard);
  return to - from;
}

/** The half-open range of job indices `[from, to)` that `shard` holds out of `total`. */
export function shardRange(total: number, shard: Shard): [number, number] {
  return [
    Math.floor(((shard.index - 1) * total) / shard.count),
    Math.floor((shard.index * total) / shard.count),
  ];
}

/**
 * The jobs of `traceCount × algoCount` sessions that fall into `shard` (all of them without one), in job
 * order. A generator, so a sweep of any size is planned in constant memory.
 */
export function* planJobs(traceCount: number, algoCount: number, shard?: Shard): Generator<BatchJob> {
  if (!Number.isInteger(traceCount) || traceCount < 0)
    throw invalidArgument('traceCount', `must be an integer ≥ 0, got ${traceCount}`);
  if (!Number.isInteger(algoCount) || algoCount < 1)
    throw invalidArgument('algoCount', `must be an integer ≥ 1, got ${algoCount}`);
  const total = traceCount * algoCount;
  const [from, to] = shard ? shardRange(total, shard) : [0, total];
  for (let job = from; job < to; job++) {
    yield { job, traceIndex: Math.floor(job / algoCount), algoIndex: job % algoCount };
  }
}

/** A stable 32-bit seed per trace, the same for every algorithm on it (common random numbers). */
export function sessionSeed(baseSeed: number, traceIndex: number): number {
  let h = (Math.imul(baseSeed | 0, 0x9e3779b1) ^ Math.imul(traceIndex + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Array-job variables that `--shard auto/N` reads, in this order, each a 0-based task index: Kubernetes
 * Indexed Jobs, AWS Batch array jobs, Slurm job arrays (`sbatch --array=0-<N-1>`).
 */
export const SHARD_INDEX_VARIABLES = [
  'JOB_COMPLETION_INDEX',
  'AWS_BATCH_JOB_ARRAY_INDEX',
  'SLURM_ARRAY_TASK_ID',
] as const;

/**
 * `--shard auto/N`: shard `index + 1` of N, where index is the one of {@link SHARD_INDEX_VARIABLES} set in
 * `env` (several may be set if they agree); `i/n` as {@link parseShard}. Throws a `TypeError` naming `--shard`
 * and the variables otherwise.
 */
export function resolveShard(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): Shard & { readonly from?: string } {
  const auto = /^\s*auto\s*\/\s*(\d+)\s*$/.exec(text);
  if (!auto) return parseShard(text);
  const count = Number(auto[1]);
  if (!Number.isSafeInteger(count) || count < 1)
    throw invalidArgument('--shard', `n must be at least 1, got "${text}"`);
  let found: { readonly name: string; readonly index: number } | null = null;
  for (const name of SHARD_INDEX_VARIABLES) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    if (!/^\s*\d+\s*$/.test(raw))
      throw invalidArgument('--shard', `auto: ${name}="${raw}" is not a task index (an integer ≥ 0)`);
    const index = Number(raw);
    // two schedulers' variables that disagree (a Slurm job launched from a Kubernetes pod...): no guess
    if (found !== null && found.index !== index)
      throw invalidArgument(
        '--shard',
        `auto/${count}: ${found.name}=${found.index} and ${name}=${index} disagree (unset one, or give --shard i/${count})`,
      );
    if (found === null) found = { name, index };
  }
  if (found !== null) {
    if (found.index >= count)
      throw invalidArgument(
        '--shard',
        `auto/${count}: ${found.name}=${found.index} is outside 0..${count - 1} (array indices start at 0; with Slurm use --array=0-${count - 1})`,
      );
    return { index: found.index + 1, count, from: found.name };
  }
  throw invalidArgument(
    '--shard',
    `auto/${count}: none of ${SHARD_INDEX_VARIABLES.join(', ')} is set (run as an array job, or give --shard i/${count})`,
  );
}
