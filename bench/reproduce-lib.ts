/**
 * Reproduction of the published simulators' results (../shared/data/reference), shared by
 * bench/reproduce.ts and test/sim/reproduce.test.ts:
 * - Pensieve's test-time simulator running BB and robustMPC on the HSDPA 3G traces (per-chunk logs);
 * - Sabre's per-session metrics for bola, bolae, throughput, dynamic on the same traces with bbb.json.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { AbrAlgorithm } from '../src/abr/types.js';
import type { SegmentRecord } from '../src/core/types.js';
import { simulateSession } from '../src/sim/simulate.js';
import type { PlayoutSummary as SessionSummary } from '../src/qoe/playout-summary.js';
import type { NetworkTrace } from '../src/traces/model.js';
import type { VideoDescription } from '../src/videos/model.js';

/** One line of a Pensieve log: `time_s bitrate_kbps buffer_s rebuffer_s chunk_bytes delay_ms reward`. */
export interface PensieveLogLine {
  readonly timeS: number;
  readonly bitrateKbps: number;
  readonly bufferS: number;
  readonly rebufferS: number;
  readonly chunkBytes: number;
  readonly delayMs: number;
  readonly reward: number;
}

export function readPensieveLog(path: string): PensieveLogLine[] {
  const lines: PensieveLogLine[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/).map(Number);
    if (f.length < 7) continue;
    const [timeS, bitrateKbps, bufferS, rebufferS, chunkBytes, delayMs, reward] = f as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    lines.push({ timeS, bitrateKbps, bufferS, rebufferS, chunkBytes, delayMs, reward });
  }
  return lines;
}

/** How one session's records agree with a reference log. */
export interface ChunkAgreement {
  readonly trace: string;
  readonly chunks: number;
  readonly bitrateMatches: number;
  readonly maxRewardError: number;
  readonly simQoe: number;
  readonly refQoe: number;
  /** First chunk whose bitrate differs, or -1. */
  readonly firstMismatch: number;
}

export function compareToLog(
  trace: string,
  records: readonly SegmentRecord[],
  log: readonly PensieveLogLine[],
): ChunkAgreement {
  const n = Math.max(records.length, log.length);
  let matches = 0;
  let maxErr = 0;
  let simQoe = 0;
  let refQoe = 0;
  let firstMismatch = -1;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    const l = log[i];
    if (r) simQoe += r.qoe;
    if (l) refQoe += l.reward;
    if (!r || !l) {
      maxErr = Number.POSITIVE_INFINITY;
      if (firstMismatch < 0) firstMismatch = i;
      continue;
    }
    if (r.bitrateKbps === l.bitrateKbps) matches++;
    else if (firstMismatch < 0) firstMismatch = i;
    maxErr = Math.max(maxErr, Math.abs(r.qoe - l.reward));
  }
  return { trace, chunks: n, bitrateMatches: matches, maxRewardError: maxErr, simQoe, refQoe, firstMismatch };
}

/** Runs `makeAlgorithm()` on each trace with Pensieve's network and compares with `log_sim_<prefix>_<trace>`. */
export function reproducePensieve(
  traces: readonly NetworkTrace[],
  video: VideoDescription,
  referenceDir: string,
  prefix: 'bb' | 'mpc',
  makeAlgorithm: () => AbrAlgorithm,
): ChunkAgreement[] {
  return traces.map((trace) => {
    const { records } = simulateSession({
      video,
      trace,
      algorithm: makeAlgorithm(),
      network: 'pensieve',
      qoe: 'lin',
    });
    const log = readPensieveLog(`${referenceDir}/log_sim_${prefix}_${basename(trace.name)}`);
    return compareToLog(trace.name, records, log);
  });
}

/** Sabre's reference metrics file. */
export interface SabreReference {
  readonly means: Readonly<Record<string, SabreMetrics>>;
  readonly sessions: Readonly<Record<string, Readonly<Record<string, SabreMetrics>>>>;
}

export interface SabreMetrics {
  readonly avgBitrateKbps: number;
  readonly rebufferRatio: number;
  readonly rebufferS: number;
  readonly rebufferEvents: number;
  readonly avgBitrateChangeKbps: number;
  readonly score: number;
  readonly playTimeS: number;
}

export function readSabreReference(path: string): SabreReference {
  return JSON.parse(readFileSync(path, 'utf8')) as SabreReference;
}

/** Our summary in Sabre's metric names. */
export function toSabreMetrics(s: SessionSummary): SabreMetrics {
  return {
    avgBitrateKbps: s.timeAvgBitrateKbps,
    rebufferRatio: s.rebufferRatio,
    rebufferS: s.rebufferMs / 1000,
    rebufferEvents: s.rebufferCount,
    avgBitrateChangeKbps: s.timeAvgBitrateChangeKbps,
    score: s.timeAvgScore,
    playTimeS: s.playTimeMs / 1000,
  };
}

/** Mean of each metric over sessions. */
export function meanMetrics(list: readonly SabreMetrics[]): SabreMetrics {
  const keys = [
    'avgBitrateKbps',
    'rebufferRatio',
    'rebufferS',
    'rebufferEvents',
    'avgBitrateChangeKbps',
    'score',
    'playTimeS',
  ] as const;
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = list.reduce((a, m) => a + m[k], 0) / Math.max(1, list.length);
  return out as unknown as SabreMetrics;
}

/** Runs algorithm `name` with Sabre's network on each trace; returns per-trace and mean metrics. */
export function reproduceSabre(
  traces: readonly NetworkTrace[],
  video: VideoDescription,
  algorithm: string,
): { sessions: Record<string, SabreMetrics>; means: SabreMetrics } {
  const sessions: Record<string, SabreMetrics> = {};
  for (const trace of traces) {
    const { summary } = simulateSession({ video, trace, algorithm, network: 'sabre' });
    sessions[basename(trace.name)] = toSabreMetrics(summary);
  }
  return { sessions, means: meanMetrics(Object.values(sessions)) };
}

/** Relative difference |a - b| / |b|. */
export function relativeError(a: number, b: number): number {
  return b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b);
}
