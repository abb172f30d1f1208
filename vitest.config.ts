import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'
import { SLOW_TESTS } from './vitest.slow.config.js'

/**
 * The quick tier, `npm test`: every test file but the slow tier (vitest.slow.config.ts,
 * `npm run test:slow`) and the conformance suite (vitest.conformance.config.ts);
 * test/tiers.test.ts checks that every test file is in exactly one of the three.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/conformance/**', 'node_modules/**', ...SLOW_TESTS],
    // One test file per core (vitest's default leaves one core to its main process, which
    // only waits here: on a 2-core machine that is one file at a time).
    maxWorkers: availableParallelism(),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
