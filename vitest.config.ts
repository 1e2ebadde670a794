import { availableParallelism } from 'node:os';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Tests longer than about a minute (the soaks) are named `*.long.test.ts`; they and the browser files that
 * replay whole sessions of another surface (the demo page, live, chaos, record-replay: 25-67 s each, about
 * 160 s together) run by `npm run test:long` (vitest.long.config.ts), not by `npm test`, so that `npm test`
 * stays near issue 15's 6 minutes on 2 cores; CI (.ci/run) runs both.
 */
export const LONG_TESTS = [
  'test/**/*.long.test.ts',
  'e2e/**/*.long.test.ts',
  'e2e/demo.e2e.test.ts',
  'e2e/live.e2e.test.ts',
  'e2e/chaos.e2e.test.ts',
  'e2e/record-replay.e2e.test.ts',
];

/** What both configs share. */
export const COMMON_TEST_OPTIONS: NonNullable<ViteUserConfig['test']> = {
  testTimeout: 20_000,
  hookTimeout: 60_000,
  pool: 'forks',
  // fast-check's seed: fixed in CI, random locally, FC_SEED to replay (test/support/fast-check-seed.ts)
  setupFiles: ['./test/support/fast-check-seed.ts'],
  // the default reporter, plus one line per reason tests were skipped (test/support/skip-reasons.ts)
  reporters: ['default', './test/support/skip-reasons.ts'],
};

/**
 * Workers per group. Vitest's default is the core count minus one: ONE worker on a 2-core machine, so every
 * file ran after the other (about 420 s on 2 cores). The unit and property tests are CPU-bound: one worker per
 * core (2 here: 114 s for the unit group, load average about 3). The browser tests run one file at a time:
 * each file already plays its independent sessions concurrently in one chromium where its checks allow it.
 * Two e2e files at once (`VITEST_E2E_WORKERS=2`) took the e2e group from about 310 s to 206 s at load 3-6, but
 * timing checks failed then (a live-latency bound, and 8 of 31 checks at load 20), so it is not the default.
 * `VITEST_UNIT_WORKERS` / `VITEST_E2E_WORKERS` override.
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
