/**
 * The job list of a batch run and how it is cut into shards. Jobs are (trace × algorithm) sessions in a
 * fixed order, trace-major: job `j` runs trace `floor(j / algos)` with algorithm `j mod algos`. A shard
 * `i/n` (1-based i) takes the contiguous block of jobs `[floor((i-1)·N/n), floor(i·N/n))` of the N jobs,
 * so shards 1..n hold each job exactly once and concatenating their JSONL logs in shard order gives the
 * unsharded log byte for byte (`cat shard-*.jsonl`). No Node, no globals.
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
