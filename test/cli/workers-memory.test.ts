/**
 * Worker threads each copy the traces of their jobs (issue 18: a 200 MB Pensieve trace took 6.3 GB with 2
 * workers): `abrkit sim` uses fewer workers, or none, when the largest trace would pass the budget.
 */
import { describe, expect, it } from 'vitest';
import {
  WORKER_BYTES_PER_PERIOD,
  WORKER_TRACE_BUDGET_BYTES,
  workersForTraceSize,
} from '../../src/cli/run-sim.js';

describe('workersForTraceSize', () => {
  const fitting = (workers: number) =>
    Math.floor(WORKER_TRACE_BUDGET_BYTES / (workers * WORKER_BYTES_PER_PERIOD));

  it('keeps the requested workers for ordinary traces', () => {
    expect(workersForTraceSize(2, 5000)).toBe(2);
    expect(workersForTraceSize(8, fitting(8))).toBe(8);
    expect(workersForTraceSize(0, 50_000_000)).toBe(0);
  });

  it('uses as many as fit, and this thread alone when two do not (a 10-million-period trace)', () => {
    expect(workersForTraceSize(8, fitting(3))).toBe(3);
    expect(workersForTraceSize(2, fitting(2) + 1)).toBe(0);
    expect(workersForTraceSize(2, 10_000_000)).toBe(0);
  });
});
