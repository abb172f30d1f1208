import { defineConfig } from 'vitest/config'

/** Conformance step: reads the shared orchestr8 corpus in ../shared (run separately by .ci/run). */
export default defineConfig({
  test: {
    include: ['test/conformance/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
