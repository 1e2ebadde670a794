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

export default defineConfig({
  test: {
    ...COMMON_TEST_OPTIONS,
    include: ['test/**/*.test.ts', 'e2e/**/*.e2e.test.ts'],
    exclude: ['**/node_modules/**', ...LONG_TESTS],
  },
});
