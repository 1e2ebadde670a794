/**
 * Batch runner: every (trace × algorithm) session of a sweep, in-process or spread over worker threads,
 * with results delivered in job order (trace, then algorithm as given) whatever order workers finish in.
 * Only results that arrive ahead of their turn are buffered, no more jobs are handed out than a bounded
 * window, and each chunk of jobs carries only the traces it uses, so memory stays flat however many
 * sessions run (the caller's own trace list aside). Node-only (node:worker_threads, node:os).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { invalidArgument } from '../core/errors.js';
import { traceToWire, type TraceWire } from '../traces/columns.js';
import { deserializeError } from './batch-errors.js';
import type { BatchJob, Shard } from './batch-plan.js';
import { planJobs, shardSize } from './batch-plan.js';
import type { BatchSpec, SessionResult, SessionRunner } from './batch-session.js';
import { runSessionJob, simulateRunner } from './batch-session.js';
import type { BatchWorkerData, BatchWorkerRequest, BatchWorkerResponse } from './batch-worker.js';

export interface RunBatchOptions {
  /**
   * Worker threads; 0 or 1 runs in this thread. Default: the core count. More than the core count is
   * capped at it (each worker holds its own copy of the video and its share of traces, and more threads
   * than cores only add memory): `BatchRunInfo.workers` says how many ran.
   */
  readonly workers?: number;
  /** Stops the run: no new session starts, workers are terminated, the promise rejects with the reason. */
  readonly signal?: AbortSignal;
  readonly shard?: Shard;
  /** Produce each session's JSONL lines (`SessionResult.jsonl`). */
  readonly jsonl?: boolean;
  /** Position (in this run's order) of a session whose records to return, for the report. Default 0. */
  readonly examplePosition?: number | null;
  /** Called once per session, in job order; awaited (return a promise to apply back-pressure). */
  readonly onResult: (result: SessionResult) => void | Promise<void>;
  readonly onProgress?: (done: number, total: number) => void;
  /** In-process runs only (a function cannot cross into a worker): replaces `simulateSession`. */
  readonly runner?: SessionRunner;
  /** Jobs per message to a worker. Default: adapted to the run's size, at most 32. */
  readonly chunkSize?: number;
}

export interface BatchRunInfo {
  /** Sessions run (this shard's). */
  readonly sessions: number;
  /** Worker threads used (0 = in-process). */
  readonly workers: number;
}

/** Default worker count: the cores Node may use. */
export function defaultWorkerCount(): number {
  return availableParallelism();
}

/** Runs the sessions of `spec` (one shard of them with `options.shard`). */
export async function runBatch(spec: BatchSpec, options: RunBatchOptions): Promise<BatchRunInfo> {
  if (spec.algos.length === 0) throw invalidArgument('algos', 'at least one algorithm is needed');
  const workers = options.workers ?? defaultWorkerCount();
  if (!Number.isInteger(workers) || workers < 0)
    throw invalidArgument('workers', `must be an integer ≥ 0, got ${workers}`);
  const total = shardSize(spec.traces.length * spec.algos.length, options.shard);
  const jobs = planJobs(spec.traces.length, spec.algos.length, options.shard);
  const examplePosition = options.examplePosition === undefined ? 0 : options.examplePosition;
  options.signal?.throwIfAborted();
  const threadCount = Math.min(workers, total, defaultWorkerCount());
  if (threadCount <= 1 || options.runner) {
    await runInProcess(spec, options, jobs, total, examplePosition);
    return { sessions: total, workers: 0 };
  }
  await runInWorkers(spec, options, jobs, total, examplePosition, threadCount);
  return { sessions: total, workers: threadCount };
}

async function runInProcess(
  spec: BatchSpec,
  options: RunBatchOptions,
  jobs: Iterator<BatchJob>,
  total: number,
  examplePosition: number | null,
): Promise<void> {
  const runner = options.runner ?? simulateRunner;
  const jsonl = options.jsonl ?? false;
  let position = 0;
  let lastYield = Date.now();
  for (let next = jobs.next(); !next.done; next = jobs.next()) {
    options.signal?.throwIfAborted();
    const result = runSessionJob(
      spec,
      next.value,
      position,
      { jsonl, records: position === examplePosition },
      runner,
    );
    await options.onResult(result);
    position++;
    options.onProgress?.(position, total);
    if (Date.now() - lastYield > 50) {
      // Let timers (the progress bar) and I/O run.
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = Date.now();
    }
  }
}

/** The worker module next to this one: .ts when running from sources (tsx, vitest), .js from dist. */
function workerEntry(): { url: URL; fromSources: boolean } {
  const fromSources = import.meta.url.endsWith('.ts');
  return {
    url: new URL(fromSources ? './batch-worker.ts' : './batch-worker.js', import.meta.url),
    fromSources,
  };
}

/** URL of tsx's ESM register API, resolved from this package (not from the user's working directory). */
function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('tsx/package.json');
  return pathToFileURL(join(dirname(pkg), 'dist', 'esm', 'api', 'index.mjs')).href;
}

function startWorker(data: BatchWorkerData): Worker {
  const { url, fromSources } = workerEntry();
  if (!fromSources) return new Worker(url, { workerData: data });
  // From TypeScript sources: register tsx's loader inside the worker thread first (loader hooks are per
  // thread), then import the .ts entry.
  const bootstrap =
    `import(${JSON.stringify(tsxApiUrl())})` +
    `.then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })` +
    `.catch((e) => { setImmediate(() => { throw e; }); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

function runInWorkers(
  spec: BatchSpec,
  options: RunBatchOptions,
  jobs: Iterator<BatchJob>,
  total: number,
  examplePosition: number | null,
  threadCount: number,
): Promise<void> {
  const chunkSize = options.chunkSize ?? Math.max(1, Math.min(32, Math.ceil(total / (threadCount * 8))));
  // Results allowed in flight or waiting for their turn: bounds memory whatever the run's size.
  const window = threadCount * chunkSize * 4;
  const { traces: allTraces, ...rest } = spec;
  const data: BatchWorkerData = { spec: rest, jsonl: options.jsonl ?? false };

  return new Promise<void>((resolve, reject) => {
    const threads: Worker[] = [];
    const inFlight = new Map<Worker, number>(); // chunks per worker
    const pending = new Map<number, SessionResult>();
    let dispatched = 0;
    let outstandingJobs = 0;
    let emitted = 0;
    let failed = false;
    let flushing: Promise<void> = Promise.resolve();

    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      signal?.removeEventListener('abort', onAbort);
      for (const t of threads) void t.terminate();
      reject(error instanceof Error ? error : new Error(String(error)));
    };

    const signal = options.signal;
    const onAbort = (): void => fail(signal?.reason ?? new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (): void => {
      signal?.removeEventListener('abort', onAbort);
      Promise.all(threads.map((t) => t.terminate())).then(() => resolve(), fail);
    };

    const refill = (): void => {
      if (failed) return;
      for (const t of threads) {
        while (
          (inFlight.get(t) ?? 0) < 2 &&
          dispatched < total &&
          outstandingJobs + pending.size + chunkSize <= Math.max(window, chunkSize)
        ) {
          const chunk: BatchWorkerRequest['jobs'][number][] = [];
          while (chunk.length < chunkSize && dispatched < total) {
            const next = jobs.next();
            if (next.done) break;
            chunk.push({ job: next.value, position: dispatched, records: dispatched === examplePosition });
            dispatched++;
          }
          if (chunk.length === 0) return;
          outstandingJobs += chunk.length;
          inFlight.set(t, (inFlight.get(t) ?? 0) + 1);
          const traces: Record<number, TraceWire> = {};
          for (const { job } of chunk) {
            const trace = allTraces[job.traceIndex];
            // Packed traces travel as their columns (src/traces/columns.ts), not as period objects.
            if (trace) traces[job.traceIndex] = traceToWire(trace);
          }
          const request: BatchWorkerRequest = { type: 'jobs', jobs: chunk, traces };
          t.postMessage(request);
        }
      }
    };

    const flush = (): void => {
      flushing = flushing
        .then(async () => {
          for (let r = pending.get(emitted); r !== undefined && !failed; r = pending.get(emitted)) {
            pending.delete(emitted);
            emitted++;
            await options.onResult(r);
            options.onProgress?.(emitted, total);
          }
          if (failed) return;
          if (emitted === total) finish();
          else refill();
        })
        .catch(fail);
    };

    for (let i = 0; i < threadCount; i++) {
      const t = startWorker(data);
      threads.push(t);
      inFlight.set(t, 0);
      t.on('message', (response: BatchWorkerResponse) => {
        if (failed) return;
        if (response.type === 'error') {
          fail(deserializeError(response.error));
          return;
        }
        inFlight.set(t, (inFlight.get(t) ?? 1) - 1);
        outstandingJobs -= response.results.length;
        for (const r of response.results) pending.set(r.position, r);
        flush();
      });
      t.on('error', fail);
      t.on('exit', (code) => {
        if (!failed && emitted < total)
          fail(new Error(`batch worker exited with code ${code} before the run finished`));
      });
    }
    refill();
  });
}
