/**
 * Bounded state of a fault plan (issue 18): the outage list a spec may hold, and the per-URL request counts
 * (a client asking for endless distinct URLs must not grow the server's memory). In a file of its own: the
 * 200k decisions would otherwise leave garbage collection to the timing tests of faults.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { isAbrkitError } from '../../src/core/errors.js';
import {
  MAX_COUNTED_URLS,
  MAX_OUTAGES,
  checkFaultSpec,
  createFaultPlan,
  parseFaultSpec,
} from '../../src/shaping/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isAbrkitError(e) ? e.code : `not an AbrkitError: ${String(e)}`;
  }
  return undefined;
}

describe('fault plan bounds', () => {
  it('keeps bounded state: at most MAX_OUTAGES outages, and the counts of the last MAX_COUNTED_URLS URLs', () => {
    const outages = Array.from({ length: MAX_OUTAGES + 1 }, (_, i) => ({ fromMs: i * 10, toMs: i * 10 + 5 }));
    expect(codeOf(() => checkFaultSpec({ outages }))).toBe('FAULT_SPEC_INVALID');
    expect(codeOf(() => checkFaultSpec({ outages: outages.slice(1) }))).toBeUndefined();
    // first=1 faults each URL once; a URL pushed out by MAX_COUNTED_URLS newer ones counts from 0 again
    const plan = createFaultPlan(parseFaultSpec('404=1,first=1'), 1);
    expect(plan.decide('/a', 10)).not.toBeNull();
    expect(plan.decide('/a', 10)).toBeNull();
    for (let i = 0; i < MAX_COUNTED_URLS - 1; i++) plan.decide(`/u${i}`, 10);
    expect(plan.decide('/a', 10)).toBeNull(); // still remembered: MAX_COUNTED_URLS held at once
    for (let i = 0; i < MAX_COUNTED_URLS; i++) plan.decide(`/v${i}`, 10);
    expect(plan.decide('/a', 10)).not.toBeNull();
  });
});
