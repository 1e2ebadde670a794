/**
 * One job of a batch run: simulate a (trace, algorithm) session, turn its log into JSONL lines and session
 * metrics. Shared by the in-process runner and the worker threads, so both give byte-identical output.
 */
import type { AbrOptions } from '../abr/types.js';
import type { SegmentRecord } from '../core/types.js';
import type { NetworkTrace } from '../traces/model.js';
import type { VideoDescription } from '../videos/model.js';
import type { BatchJob } from './batch-plan.js';
import { sessionSeed } from './batch-plan.js';
import type { SessionStats } from './batch-stats.js';
import { sessionStats } from './batch-stats.js';
import type { NetworkModelName } from './network/types.js';
import type { QoeModelName } from './qoe-terms.js';
import { simulateSession, type SimLiveOptions } from './simulate.js';

export type { NetworkModelName, QoeModelName };

/** Everything a batch run needs; plain data, so it can be posted to worker threads. */
export interface BatchSpec {
  readonly video: VideoDescription;
  readonly traces: readonly NetworkTrace[];
  /** Algorithm names, in the order the output lists them. */
  readonly algos: readonly string[];
  /** Options per algorithm name. */
  readonly algoOptions?: Readonly<Record<string, AbrOptions>>;
  readonly network?: NetworkModelName;
  /** A QoE model; `'lolp'` is LoL+'s live QoE (the default with `live`). */
  readonly qoe?: QoeModelName | 'lolp';
  /** Play every session as a live stream (`SimulateOptions.live`). */
  readonly live?: SimLiveOptions;
  /** Base seed; each trace gets its own derived seed, shared by all algorithms on it. */
  readonly seed?: number;
  /**
   * Labelled option sets: an entry of `algos` that is a key here runs `algo` with `options` (so one run can
   * hold several option sets of one algorithm under distinct labels); `algoOptions` does not apply to it.
   */
  readonly variants?: Readonly<Record<string, BatchVariant>>;
  /** Overrides the QoE model's ladder-aware rebuffer penalty per second (`SimulateOptions.rebufferPenaltyPerS`). */
  readonly rebufferPenaltyPerS?: number;
}

/** One labelled algorithm of {@link BatchSpec.variants}: a registry name and its options. */
export interface BatchVariant {
  readonly algo: string;
  readonly options?: AbrOptions;
}

/** What a job sends back. */
export interface SessionResult {
  /** Position of the job in this run's (possibly sharded) job order. */
  readonly position: number;
  readonly stats: SessionStats;
  /** The session's JSONL lines (each ending in "\n"), when asked for. */
  readonly jsonl?: string;
  /** The session's records, when asked for (the report's example session). */
  readonly records?: readonly SegmentRecord[];
}

/** Runs one session and returns its log. Injectable for tests; the default is `simulateSession`. */
export type SessionRunner = (spec: BatchSpec, job: BatchJob) => readonly SegmentRecord[];

/** The default runner: `simulateSession` from src/sim/simulate.ts. */
export const simulateRunner: SessionRunner = (spec, job) => {
  const trace = spec.traces[job.traceIndex];
  const label = spec.algos[job.algoIndex];
  if (!trace || label === undefined) throw new RangeError(`job ${job.job} out of range`);
  const variant =
    spec.variants !== undefined && Object.hasOwn(spec.variants, label) ? spec.variants[label] : undefined;
  const algorithm = variant ? variant.algo : label;
  const options = variant ? variant.options : spec.algoOptions?.[label];
  const { records } = simulateSession({
    video: spec.video,
    trace,
    algorithm,
    ...(options ? { algorithmOptions: options } : {}),
    ...(spec.network ? { network: spec.network } : {}),
    ...(spec.qoe ? { qoe: spec.qoe } : {}),
    ...(spec.rebufferPenaltyPerS !== undefined ? { rebufferPenaltyPerS: spec.rebufferPenaltyPerS } : {}),
    ...(spec.live !== undefined ? { live: spec.live } : {}),
    seed: sessionSeed(spec.seed ?? 1, job.traceIndex),
  });
  return records;
};

/**
 * One JSONL line of the per-segment log: exactly the fields of `SegmentRecord`, in its order
 * (trace, algo, segment, rendition, bitrateKbps, sizeBytes, downloadMs, rebufferMs, bufferMs, qoe, then
 * latencyMs and playbackRate for live sessions only).
 */
export function recordToJsonLine(record: SegmentRecord, trace: string, algo: string): string {
  const line = {
    trace,
    algo,
    segment: record.segment,
    rendition: record.rendition,
    bitrateKbps: record.bitrateKbps,
    sizeBytes: record.sizeBytes,
    downloadMs: record.downloadMs,
    rebufferMs: record.rebufferMs,
    bufferMs: record.bufferMs,
    qoe: record.qoe,
  };
  if (record.latencyMs === undefined) return JSON.stringify(line);
  return JSON.stringify({ ...line, latencyMs: record.latencyMs, playbackRate: record.playbackRate });
}

/** Runs `job` and packages what the caller asked for. */
export function runSessionJob(
  spec: BatchSpec,
  job: BatchJob,
  position: number,
  want: { jsonl: boolean; records: boolean },
  runner: SessionRunner = simulateRunner,
): SessionResult {
  const trace = spec.traces[job.traceIndex];
  const algo = spec.algos[job.algoIndex];
  if (!trace || algo === undefined) throw new RangeError(`job ${job.job} out of range`);
  const records = runner(spec, job);
  const stats = sessionStats(records, { ...job, trace: trace.name, algo });
  let jsonl: string | undefined;
  if (want.jsonl) {
    const lines: string[] = [];
    for (const r of records) lines.push(recordToJsonLine(r, trace.name, algo));
    jsonl = lines.length > 0 ? lines.join('\n') + '\n' : '';
  }
  return {
    position,
    stats,
    ...(jsonl !== undefined ? { jsonl } : {}),
    ...(want.records ? { records: records.map((r) => ({ ...r, trace: trace.name, algo })) } : {}),
  };
}
