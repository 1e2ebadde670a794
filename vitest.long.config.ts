import { defineConfig } from 'vitest/config';
import { COMMON_TEST_OPTIONS, LONG_TESTS } from './vitest.config.js';

/** `npm run test:long`: the tests too long for `npm test` (see vitest.config.ts). */
export default defineConfig({
  test: { ...COMMON_TEST_OPTIONS, include: LONG_TESTS, testTimeout: 300_000 },
});
