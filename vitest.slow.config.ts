import { defineConfig } from 'vitest/config'

/**
 * The slow tier (`npm run test:slow`, run by `.ci/run` after `npm test`): the property,
 * fuzz and hostile suites, the docs samples (each runs the built package in a child
 * process), and the files that spend seconds checking counts against js-tiktoken or a
 * fresh count over generated inputs (counting, rendering, stored parses), run the CLI
 * again and again over its cache, or type-check a consumer project against the built
 * declarations. Measured on a 2-core machine, these files took about four fifths of the
 * time of the whole suite. Every other test file but the conformance suite is in the
 * quick tier, `npm test` (vitest.config.ts); test/tiers.test.ts checks that every test
 * file is in exactly one tier.
 */
export const SLOW_TESTS: readonly string[] = [
  'test/properties/**/*.test.ts',
  'test/fuzz/**/*.test.ts',
  'test/hostile/**/*.test.ts',
  'test/docs/**/*.test.ts',
  'test/count/bpe.test.ts',
  'test/count/cache.test.ts',
  'test/count/exact.test.ts',
  'test/count/short-pieces.test.ts',
  'test/count/whitespace.test.ts',
  'test/render/**/*.test.ts',
  'test/cache/parse-store.test.ts',
  'test/cli/cache.test.ts',
  'test/library/persist-large.test.ts',
  'test/types/declarations.test.ts',
  'test/mcp/skills-stdio.test.ts',
  'test/report/html-browser.test.ts',
  'test/count/packed-exact.test.ts',
  'test/count/tokenizer-json-exact.test.ts',
  // Runs after the rest (`npm run test:slow` excludes it from the first run): headless Chromium,
  // esbuild and workerd load every core, and the hostile suite's parses are charged CPU time.
  'test/package/bundles.test.ts',
]

export default defineConfig({
  test: {
    include: [...SLOW_TESTS],
    exclude: ['test/conformance/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
