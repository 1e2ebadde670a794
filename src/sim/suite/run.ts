/**
 * Runs a suite: reads the suite file, resolves each set's data (paths relative to the suite file; `$SHARED/`
 * is `ABRKIT_SHARED_DATA`, else `../shared/data` beside the repo root), skips sets whose data is absent,
 * samples traces (sample.ts), and runs every algorithm on every sampled trace with `runBatch`, then the
 * offline optimum on its sample. Per-trace numbers stay in memory (a few per session). Node-only.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AbrkitError } from '../../core/errors.js';
import { defaultRebufferPenaltyPerS } from '../../qoe/objective.js';
import type { TraceWarning } from '../../traces/limits.js';
import type { NetworkTrace } from '../../traces/model.js';
import type { VideoDescription } from '../../videos/model.js';
import { runBatch } from '../batch.js';
import type { BatchSpec, BatchVariant, SessionRunner } from '../batch-session.js';
import { OPTIMAL_ALGORITHM } from '../batch-stats.js';
import { loadTraces } from '../load-trace.js';
import { readTextFile } from '../read-text.js';
import { isVideoSpec, videoFromSpec } from '../../cli/demo-data.js';
import { loadVideo } from '../load-video.js';
import type { SetResults, TraceSeries } from './analysis.js';
import type { SetMeta } from './format.js';
import { generateSuiteTraces, sampleEvenly, sampleIndices } from './sample.js';
import { parseSuite, type SuiteSet, type SuiteSpec } from './spec.js';

/** Where a suite's `$SHARED/` points: `ABRKIT_SHARED_DATA`, else `../shared/data` beside the repo root. */
export function sharedDataDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const fromEnv = env['ABRKIT_SHARED_DATA'];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  return join(repoRoot(), '..', 'shared', 'data');
}

/** The repo (package) root: three folders up from this module in src/ and dist/ alike, else the cwd. */
function repoRoot(): string {
  const fromModule = fileURLToPath(new URL('../../../', import.meta.url));
  return existsSync(join(fromModule, 'package.json')) ? fromModule : process.cwd();
}

const SHARED_PREFIX = '$SHARED/';

/** A path of the suite file resolved: `$SHARED/...`, absolute, a URL, or relative to the suite's folder. */
export function resolveSuitePath(path: string, suiteDir: string, sharedDir: string): string {
  if (path.startsWith(SHARED_PREFIX)) return join(sharedDir, path.slice(SHARED_PREFIX.length));
  if (/^https?:\/\//i.test(path) || isAbsolute(path)) return path;
  return resolve(suiteDir, path);
}

/** Reads and checks a suite file (`SUITE_INVALID` naming the file and the JSON path). */
export async function loadSuiteFile(path: string): Promise<SuiteSpec> {
  let text: string;
  try {
    text = await readTextFile(
      path,
      (message, line) =>
        new AbrkitError('config', 'SUITE_READ_FAILED', message, {
          data: line === undefined ? { source: path } : { source: path, line },
        }),
    );
  } catch (e) {
    if (e instanceof AbrkitError) throw e;
    const code = (e as { code?: unknown } | null)?.code;
    throw new AbrkitError(
      'config',
      code === 'ENOENT' ? 'SUITE_NOT_FOUND' : 'SUITE_READ_FAILED',
      code === 'ENOENT' ? 'no such suite file' : `cannot read: ${e instanceof Error ? e.message : String(e)}`,
      { data: { source: path }, cause: e },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AbrkitError(
      'config',
      'SUITE_INVALID',
      `not JSON: ${e instanceof Error ? e.message : String(e)}`,
      {
        data: { source: path },
        cause: e,
      },
    );
  }
  return parseSuite(json, path);
}

/** What the runner reports as it goes. */
export type SuiteEvent =
  | { readonly type: 'skip'; readonly set: string; readonly reason: string }
  | {
      readonly type: 'set-start';
      readonly set: string;
      readonly index: number;
      readonly count: number;
      readonly sessions: number;
    }
  | { readonly type: 'progress'; readonly set: string; readonly done: number; readonly total: number }
  | { readonly type: 'set-done'; readonly set: string; readonly wallMs: number };

export interface RunSuiteOptions {
  /** The suite file's path: relative paths in it resolve against its folder. */
  readonly suitePath: string;
  /** Worker threads per batch (default: the core count; 0 or 1 in this thread). */
  readonly workers?: number;
  /** Overrides every set's rebuffer penalty per second. */
  readonly rebufferPenaltyPerS?: number;
  /** Run only the sets with these names or families. */
  readonly only?: readonly string[];
  /** `$SHARED/` (default {@link sharedDataDir}). */
  readonly sharedDir?: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: SuiteEvent) => void;
  /** Called with each set's results as it finishes. */
  readonly onSetDone?: (set: SuiteSetRun) => void;
  /**
   * Told what a trace reader changed in a file it read (periods slower than 1 kbps read as outages), one
   * warning per file, as `abrkit sim` says them (`TraceReadOptions.onWarning`).
   */
  readonly onTraceWarning?: (warning: TraceWarning) => void;
  /** In-process runs only (tests): replaces `simulateSession`. */
  readonly runner?: SessionRunner;
}

/** One set that ran. */
export interface SuiteSetRun {
  readonly spec: SuiteSet;
  readonly results: SetResults;
  readonly meta: SetMeta;
  /** Resolved paths (traces: as given, before sampling). */
  readonly videoPath: string;
  readonly tracePaths: readonly string[];
  readonly wallMs: number;
}

export interface SuiteRun {
  readonly spec: SuiteSpec;
  readonly sets: readonly SuiteSetRun[];
  readonly skipped: readonly { readonly set: string; readonly reason: string }[];
  readonly wallMs: number;
}

/** A generated video played for its first `playableSegments` segments (checked by the suite's parser). */
function withPlayableSegments(
  video: VideoDescription,
  playableSegments: number | undefined,
): VideoDescription {
  return playableSegments === undefined ? video : { ...video, playableSegmentCount: playableSegments };
}

/** Runs the sets of `spec` in order; see the file comment. */
export async function runSuite(spec: SuiteSpec, options: RunSuiteOptions): Promise<SuiteRun> {
  const started = Date.now();
  const suiteDir = dirname(resolve(options.suitePath));
  const sharedDir = options.sharedDir ?? sharedDataDir();
  const emit = options.onEvent ?? (() => undefined);
  const selected = spec.sets
    .map((set, index) => ({ set, index }))
    .filter(
      ({ set }) => !options.only || options.only.includes(set.name) || options.only.includes(set.family),
    );
  if (options.only && selected.length === 0) {
    throw new AbrkitError('config', 'SUITE_NO_SET', `no set or family named ${options.only.join(', ')}`, {
      data: { source: options.suitePath, known: spec.sets.map((s) => s.name) },
    });
  }
  const runs: SuiteSetRun[] = [];
  const skipped: { set: string; reason: string }[] = [];
  let position = 0;
  for (const { set, index } of selected) {
    position++;
    options.signal?.throwIfAborted();
    const where = `sets[${index}]`;
    const generated = isVideoSpec(set.video);
    const videoPath = generated ? set.video : resolveSuitePath(set.video, suiteDir, sharedDir);
    const tracePaths =
      set.traces.type === 'files'
        ? set.traces.paths.map((p) => resolveSuitePath(p, suiteDir, sharedDir))
        : [];
    const missing = [...(generated ? [] : [videoPath]), ...tracePaths].find(
      (p) => !/^https?:\/\//i.test(p) && !existsSync(p),
    );
    if (missing !== undefined) {
      const reason = `${missing} not found${missing.startsWith(sharedDir) ? ' (set ABRKIT_SHARED_DATA to the shared data folder)' : ''}`;
      skipped.push({ set: set.name, reason });
      emit({ type: 'skip', set: set.name, reason });
      continue;
    }
    const setStarted = Date.now();
    const video = generated
      ? withPlayableSegments(videoFromSpec(set.video), set.playableSegments)
      : await loadVideo(
          videoPath,
          set.playableSegments !== undefined ? { playableSegmentCount: set.playableSegments } : {},
        );
    const { traces, total } = await setTraces(
      set,
      tracePaths,
      options.suitePath,
      where,
      options.onTraceWarning,
    );
    const optimalIndices = sampleIndices(traces.length, set.optimalSample ?? 0);
    const penalty = options.rebufferPenaltyPerS ?? set.rebufferPenalty;
    const labels = spec.algorithms.map((a) => a.label);
    const variants: Record<string, BatchVariant> = {};
    for (const a of spec.algorithms)
      variants[a.label] = a.options ? { algo: a.algo, options: a.options } : { algo: a.algo };
    const base = {
      video,
      network: set.network,
      qoe: set.qoe,
      ...(penalty !== undefined ? { rebufferPenaltyPerS: penalty } : {}),
    };
    const sessions = traces.length * labels.length + optimalIndices.length;
    emit({ type: 'set-start', set: set.name, index: position, count: selected.length, sessions });
    const progress = (done: number): void => emit({ type: 'progress', set: set.name, done, total: sessions });

    const series = await runSeries(
      { ...base, traces, algos: labels, variants },
      traces.length,
      options,
      (done) => progress(done),
    );
    let optimal: SetResults['optimal'];
    if (optimalIndices.length > 0) {
      const optimalTraces = optimalIndices.map((i) => traces[i] as NetworkTrace);
      const o = await runSeries(
        {
          ...base,
          traces: optimalTraces,
          algos: [OPTIMAL_ALGORITHM],
          ...(set.optimalResolutionMs !== undefined
            ? { algoOptions: { [OPTIMAL_ALGORITHM]: { resolutionMs: set.optimalResolutionMs } } }
            : {}),
        },
        optimalTraces.length,
        options,
        (done) => progress(traces.length * labels.length + done),
      );
      const os = o[OPTIMAL_ALGORITHM];
      if (os) optimal = { traceIndices: optimalIndices, series: os };
    }
    const wallMs = Date.now() - setStarted;
    emit({ type: 'set-done', set: set.name, wallMs });
    const results: SetResults = {
      name: set.name,
      family: set.family,
      traces: traces.map((t) => t.name),
      algorithms: series,
      ...(optimal ? { optimal } : {}),
    };
    const setRun: SuiteSetRun = {
      spec: set,
      results,
      meta: {
        network: set.network,
        qoe: set.qoe,
        rebufferPenaltyPerS:
          penalty ??
          defaultRebufferPenaltyPerS(
            set.qoe,
            video.renditions.map((r) => r.bitrateKbps),
          ),
        video: describeVideo(video),
        traceCount: traces.length,
        traceTotal: total,
        optimalCount: optimalIndices.length,
      },
      videoPath,
      tracePaths: set.traces.type === 'files' ? tracePaths : [],
      wallMs,
    };
    runs.push(setRun);
    options.onSetDone?.(setRun);
  }
  return { spec, sets: runs, skipped, wallMs: Date.now() - started };
}

/** "envivio: 6 renditions 300-4300 kbps, 48 segments of 4 s". */
export function describeVideo(video: VideoDescription): string {
  const kbps = video.renditions.map((r) => r.bitrateKbps);
  const segments = video.playableSegmentCount ?? video.segmentSizesBytes.length;
  return (
    `${video.name}: ${kbps.length} renditions ${Math.round(kbps[0] ?? 0)}-${Math.round(kbps[kbps.length - 1] ?? 0)} kbps, ` +
    `${segments} segments of ${video.segmentDurationMs / 1000} s`
  );
}

/** The set's traces after sampling, and how many the source held. Files are read only once sampled. */
async function setTraces(
  set: SuiteSet,
  tracePaths: readonly string[],
  source: string,
  where: string,
  onWarning: ((warning: TraceWarning) => void) | undefined,
): Promise<{ traces: NetworkTrace[]; total: number }> {
  if (set.traces.type === 'generate') {
    let all: NetworkTrace[];
    try {
      all = generateSuiteTraces(set.traces);
    } catch (e) {
      throw new AbrkitError(
        'config',
        'SUITE_INVALID',
        `${where}.traces.generate: ${e instanceof Error ? e.message : String(e)}`,
        { data: { source, path: `${where}.traces.generate` }, cause: e },
      );
    }
    return { traces: sampleEvenly(all, set.sample), total: all.length };
  }
  const files = listTraceFiles(tracePaths);
  const chosen = sampleEvenly(files, set.sample);
  return {
    traces: await loadTraces(chosen, undefined, onWarning ? { onWarning } : {}),
    total: files.length,
  };
}

/**
 * Trace files in the order `loadTraces` reads them: a file as given, a folder's regular files sorted by
 * name, without hidden files and READMEs.
 */
export function listTraceFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (!statSync(path).isDirectory()) {
      files.push(path);
      continue;
    }
    const names = readdirSync(path)
      .filter((n) => !n.startsWith('.') && !/^readme/i.test(n))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    files.push(...names.map((n) => join(path, n)).filter((f) => statSync(f).isFile()));
  }
  return files;
}

/** Runs a batch and returns each algorithm's per-trace series, index-aligned with `spec.traces`. */
async function runSeries(
  spec: BatchSpec,
  traceCount: number,
  options: RunSuiteOptions,
  onProgress: (done: number) => void,
): Promise<Record<string, TraceSeries>> {
  const out: Record<
    string,
    { qoe: number[]; rebufferS: number[]; switches: number[]; bitrateKbpsMean: number[] }
  > = {};
  for (const label of spec.algos) {
    out[label] = {
      qoe: new Array<number>(traceCount).fill(Number.NaN),
      rebufferS: new Array<number>(traceCount).fill(Number.NaN),
      switches: new Array<number>(traceCount).fill(Number.NaN),
      bitrateKbpsMean: new Array<number>(traceCount).fill(Number.NaN),
    };
  }
  await runBatch(spec, {
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.runner ? { runner: options.runner } : {}),
    examplePosition: null,
    onResult: ({ stats }) => {
      const s = out[stats.algo];
      if (!s) return;
      s.qoe[stats.traceIndex] = stats.qoe;
      s.rebufferS[stats.traceIndex] = stats.rebufferS;
      s.switches[stats.traceIndex] = stats.switches;
      s.bitrateKbpsMean[stats.traceIndex] = stats.bitrateKbpsMean;
    },
    onProgress: (done) => onProgress(done),
  });
  return out;
}
