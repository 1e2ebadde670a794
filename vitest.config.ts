import { availableParallelism } from 'node:os';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Tests longer than about a minute (the soak) are named `*.long.test.ts` and run by `npm run test:long`
 * (vitest.long.config.ts), not by `npm test`; CI (.ci/run) runs both.
 */
export const LONG_TESTS = ['test/**/*.long.test.ts', 'e2e/**/*.long.test.ts'];

/** What both configs share. */
export const COMMON_TEST_OPTIONS: NonNullable<ViteUserConfig['test']> = {
  testTimeout: 20_000,
  hookTimeout: 60_000,
  pool: 'forks',
  // the default reporter, plus one line per reason tests were skipped (test/support/skip-reasons.ts)
  reporters: ['default', './test/support/skip-reasons.ts'],
};

/**
 * Workers per group. Vitest's default is the core count minus one: ONE worker on a 2-core machine, so every
 * file ran after the other (about 420 s on 2 cores). The unit and property tests are CPU-bound: one worker per
 * core (2 on this machine). The browser tests stay one file at a time: each file already plays its
 * independent sessions concurrently in one chromium where its checks allow it, and two files at once on a
 * loaded 2-core machine starved the pages that measure throughput (measured: 8 of 31 failed). Override with
 * `VITEST_UNIT_WORKERS` / `VITEST_E2E_WORKERS`.
 */
const unitWorkers = Number(process.env.VITEST_UNIT_WORKERS) || Math.max(2, availableParallelism());
const e2eWorkers = Number(process.env.VITEST_E2E_WORKERS) || 1;

export default defineConfig({
  test: {
    ...COMMON_TEST_OPTIONS,
    // two groups, one after the other: the unit tests first (fast feedback), then the browser tests, so a
    // chromium session never competes with a CPU-bound property test for the same core
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...LONG_TESTS],
          maxWorkers: unitWorkers,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          exclude: ['**/node_modules/**', ...LONG_TESTS],
          maxWorkers: e2eWorkers,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
