/**
 * promptfold/testing with jest's own parts: jest's `expect` (the `expect` package, what
 * `@jest/globals` re-exports) takes the matchers through `expect.extend` and fails with their
 * messages; jest's `pretty-format` (what jest's snapshots print with) takes the serializer as a
 * plugin. Nothing in promptfold/testing imports a test runner.
 */
import { join } from 'node:path'
import { expect as jestExpect } from 'expect'
import { format } from 'pretty-format'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Assembly, assemble, fileSystemResolver, parseDocument } from '../../src/index.js'
import { createPromptfoldSerializer, type PromptfoldMatchers, promptfoldMatchers, toCostAtMost, toDefer, toFitBudget, toInline } from '../../src/testing/index.js'
import { readFixture, repoRoot } from '../helpers/fixtures.js'

// Only jest's expect is extended here: vitest's and jest's share their matchers through one
// global registry, so one process extends one of them (matchers.test.ts does vitest's).
jestExpect.extend(promptfoldMatchers)
const expectJest = jestExpect as unknown as <T>(actual: T) => PromptfoldMatchers<void> & { not: PromptfoldMatchers<void> }

const root = join(repoRoot, 'fixtures/testing')
const LONG = 'orchestr8://examples/long-review'
const SHORT = 'orchestr8://examples/short-review'
let tight: Assembly

beforeAll(async () => {
  const doc = parseDocument(readFixture(root, 'agents/reviewer.md'), { path: 'agents/reviewer.md' })
  tight = await assemble(doc, { budget: 200, resolver: fileSystemResolver({ root }), timings: false })
})

/** The message of what jest's expect throws (it must throw). */
function thrown(assertion: () => void): string {
  try {
    assertion()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('nothing was thrown')
}

describe('promptfold/testing with jest', () => {
  it("jest's expect.extend takes the matchers: passing assertions pass, .not included", () => {
    expectJest(tight).toFitBudget(200)
    expectJest(tight).toInline(SHORT)
    expectJest(tight).toDefer(LONG)
    expectJest(tight).not.toInline(LONG)
    expectJest(tight).toCostAtMost(SHORT, 100)
  })

  it("failing assertions throw with the matchers' own messages (the ones matchers.test.ts checks under vitest)", () => {
    expect(thrown(() => expectJest(tight).not.toFitBudget(200))).toBe('expected the assembly not to fit 200 tokens, but it costs 115')
    const cases: [(e: typeof expectJest) => void, { pass: boolean; message: () => string }][] = [
      [(e) => e(tight).toFitBudget(100), toFitBudget.call({ isNot: false }, tight, 100)],
      [(e) => e(tight).toInline(LONG), toInline.call({ isNot: false }, tight, LONG)],
      [(e) => e(tight).toDefer(SHORT), toDefer.call({ isNot: false }, tight, SHORT)],
      [(e) => e(tight).toCostAtMost(SHORT, 10), toCostAtMost.call({ isNot: false }, tight, SHORT, 10)],
    ]
    for (const [fail, direct] of cases) {
      expect(direct.pass).toBe(false)
      expect(thrown(() => fail(expectJest))).toBe(direct.message())
    }
  })

  it("jest's pretty-format takes the serializer: no timings, paths relative to the root", () => {
    const printed = format(tight.report, { plugins: [createPromptfoldSerializer({ root })] })
    expect(printed).not.toContain('timings')
    expect(printed).not.toContain(`${root}/`)
    expect(printed).toContain('"totalTokens": 115')
  })
})
