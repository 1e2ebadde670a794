/**
 * Worker-thread entry of the batch runner (src/sim/batch.ts). Receives the batch spec once (workerData),
 * then chunks of jobs; answers each chunk with its session results, or with the first error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from './batch-errors.js';
import { traceFromWire, type TraceWire } from '../traces/columns.js';
import type { NetworkTrace } from '../traces/model.js';
import type { BatchJob } from './batch-plan.js';
import type { BatchSpec, SessionResult } from './batch-session.js';
import { runSessionJob } from './batch-session.js';

/** Data the parent hands a worker at start: the spec without its traces (they come with the jobs). */
export interface BatchWorkerData {
  readonly spec: Omit<BatchSpec, 'traces'>;
  readonly jsonl: boolean;
}

/** A chunk of work: jobs with their positions in the run's output order. */
export interface BatchWorkerRequest {
  readonly type: 'jobs';
  readonly jobs: readonly { readonly job: BatchJob; readonly position: number; readonly records: boolean }[];
  /**
   * The traces these jobs use, by trace index. Jobs are trace-major, so a chunk needs one or a few: a
   * worker never holds the whole trace set, whatever the sweep's size.
   */
  readonly traces: Readonly<Record<number, TraceWire>>;
}

export type BatchWorkerResponse =
  | { readonly type: 'results'; readonly results: readonly SessionResult[] }
  | { readonly type: 'error'; readonly error: ReturnType<typeof serializeError> };

const port = parentPort;
if (port) {
  const { spec: base, jsonl } = workerData as BatchWorkerData;
  port.on('message', (request: BatchWorkerRequest) => {
    let response: BatchWorkerResponse;
    try {
      const traces: NetworkTrace[] = [];
      for (const [index, wire] of Object.entries(request.traces)) traces[Number(index)] = traceFromWire(wire);
      const spec: BatchSpec = { ...base, traces };
      const results = request.jobs.map((j) =>
        runSessionJob(spec, j.job, j.position, { jsonl, records: j.records }),
      );
      response = { type: 'results', results };
    } catch (error) {
      response = { type: 'error', error: serializeError(error) };
    }
    port.postMessage(response);
  });
}
