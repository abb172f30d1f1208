/**
 * promptfold/testing matchers (toFitBudget, toInline, toDefer, toCostAtMost) used through
 * vitest's expect.extend, and their failure messages as exact strings, over
 * fixtures/testing: an agent with a 35-token example, a 441-token example, a missing one
 * and a mention.
 */
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Assembly, assemble, assembleTask, fileSystemResolver, InvalidOptionError, loadLibrary, parseDocument, type TaskAssembly } from '../../src/index.js'
import { formatRow, type PromptfoldMatchers, promptfoldMatchers, subjectOf, toCostAtMost, toDefer, toFitBudget, toInline } from '../../src/testing/index.js'
import { readFixture, repoRoot } from '../helpers/fixtures.js'
import { tiktokenCount } from '../helpers/oracle.js'

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: vitest's own signature
  interface Matchers<T = any> extends PromptfoldMatchers<T> {}
}

expect.extend(promptfoldMatchers)

const root = join(repoRoot, 'fixtures/testing')
const doc = parseDocument(readFixture(root, 'agents/reviewer.md'), { path: 'agents/reviewer.md' })
const SHORT = 'orchestr8://examples/short-review'
const LONG = 'orchestr8://examples/long-review'
const MISSING = 'orchestr8://examples/missing-review'

let full: Assembly // no budget: both examples inlined, 540 tokens
let tight: Assembly // budget 200: the short example inlined, the long one deferred, 115 tokens
let task: TaskAssembly

beforeAll(async () => {
  const resolver = fileSystemResolver({ root })
  full = await assemble(doc, { resolver, timings: false })
  tight = await assemble(doc, { budget: 200, resolver, timings: false })
  task = await assembleTask(await loadLibrary({ root }), 'code review', { budget: 200 })
})

/** The message a matcher gives, as vitest shows it, called as `expect(...)` would. */
function message(result: { pass: boolean; message: () => string }): string {
  return result.message()
}

/** What `run` throws (it must throw). */
function caught(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error('nothing was thrown')
}

/** The message of what vitest throws for a failed assertion. */
function thrown(assertion: () => void): string {
  return (caught(assertion) as Error).message
}

describe('the fixture', () => {
  it('counts are exact (js-tiktoken on the text)', () => {
    expect(full.report.totalTokens).toBe(540)
    expect(tiktokenCount(full.text)).toBe(540)
    expect(tight.report.totalTokens).toBe(115)
    expect(tiktokenCount(tight.text)).toBe(115)
    expect(task.report.totalTokens).toBe(tiktokenCount(task.text))
  })
})

describe('toFitBudget', () => {
  it('passes when the exact total is at most the budget, for an assembly, a report and a task assembly', () => {
    expect(full).toFitBudget(540)
    expect(full.report).toFitBudget(1000)
    expect(full).not.toFitBudget(539)
    expect(tight).toFitBudget(115)
    expect(task).toFitBudget(200)
    expect(task.report).toFitBudget(task.report.totalTokens)
    expect(task.report).not.toFitBudget(task.report.totalTokens - 1)
  })

  it('says by how much it is over and lists what was inlined, largest first', () => {
    expect(thrown(() => expect(full).toFitBudget(200))).toBe(
      [
        'expected the assembly to fit 200 tokens, but it costs 540 (340 over); inlined, largest first:',
        `  - ${LONG}: inlined, FITS, 441 tokens (fits the budget (value 1))`,
        `  - ${SHORT}: inlined, FITS, 35 tokens (fits the budget (value 2))`,
      ].join('\n'),
    )
    expect(thrown(() => expect(tight.report).toFitBudget(100))).toBe(
      ['expected the report to fit 100 tokens, but it costs 115 (15 over); inlined, largest first:', `  - ${SHORT}: inlined, FITS, 35 tokens (fits the budget (value 2))`].join('\n'),
    )
  })

  it('under .not, says what it costs', () => {
    expect(thrown(() => expect(tight).not.toFitBudget(200))).toBe('expected the assembly not to fit 200 tokens, but it costs 115')
  })

  it('nothing inlined: says so', async () => {
    const core = await assemble(doc, { budget: 96, resolver: fileSystemResolver({ root }), timings: false })
    expect(message(toFitBudget.call({ isNot: false }, core, 90))).toBe('expected the assembly to fit 90 tokens, but it costs 96 (6 over); nothing inlined')
  })

  it('a task assembly: its documents are the rows', () => {
    const total = task.report.totalTokens
    expect(thrown(() => expect(task).toFitBudget(100))).toBe(
      [
        `expected the task assembly to fit 100 tokens, but it costs ${total} (${total - 100} over); inlined, largest first:`,
        '  - orchestr8://agents/reviewer: inlined, 91 tokens (best-matching agent; fits the budget (value 3))',
        `  - ${SHORT}: inlined, 35 tokens (linked from the chosen agent and relevant to the task; fits the budget (value 1))`,
      ].join('\n'),
    )
  })
})

describe('toInline and toDefer', () => {
  it('pass on the decision of the URI’s rows', () => {
    expect(full).toInline(LONG)
    expect(tight).toInline(SHORT)
    expect(tight).toDefer(LONG)
    expect(tight).not.toInline(LONG)
    // The short example is inlined as a slot and deferred as a mention: inlined wins.
    expect(tight).not.toDefer(SHORT)
    expect(tight).not.toDefer(MISSING)
    expect(task).toInline(SHORT)
    expect(task.report).toDefer(LONG)
  })

  it('failure messages show every row of the URI', () => {
    expect(thrown(() => expect(tight).toInline(LONG))).toBe(
      [`expected the assembly to inline ${LONG}, but it was not inlined:`, `  - ${LONG}: deferred, BUDGET, 441 tokens (does not fit: needs 425 more tokens, 85 left)`].join('\n'),
    )
    expect(thrown(() => expect(tight).toDefer(SHORT))).toBe(
      [
        `expected the assembly to defer ${SHORT}, but it was not deferred:`,
        `  - ${SHORT}: inlined, FITS, 35 tokens (fits the budget (value 2))`,
        `  - ${SHORT}: deferred, MENTION, 35 tokens (mention: kept in the text as written; only slots are inlined)`,
      ].join('\n'),
    )
    expect(thrown(() => expect(tight.report).toDefer(MISSING))).toBe(
      [`expected the report to defer ${MISSING}, but it was not deferred:`, `  - ${MISSING}: missing, NOT_FOUND, tokens unknown (missing: not found)`].join('\n'),
    )
  })

  it('under .not, show the rows that made it pass', () => {
    expect(thrown(() => expect(full).not.toInline(LONG))).toBe(
      [`expected the assembly not to inline ${LONG}, but it inlined:`, `  - ${LONG}: inlined, FITS, 441 tokens (fits the budget (value 1))`].join('\n'),
    )
    expect(thrown(() => expect(tight).not.toDefer(LONG))).toBe(
      [`expected the assembly not to defer ${LONG}, but it deferred:`, `  - ${LONG}: deferred, BUDGET, 441 tokens (does not fit: needs 425 more tokens, 85 left)`].join('\n'),
    )
  })

  it('a URI the report does not hold: lists the URIs it does', () => {
    expect(thrown(() => expect(tight).toInline('orchestr8://examples/other'))).toBe(
      `expected the assembly to inline orchestr8://examples/other, but the assembly has no reference to it; references: ${SHORT}, ${LONG}, ${MISSING}`,
    )
    expect(tight).not.toInline('orchestr8://examples/other')
    expect(tight).not.toDefer('orchestr8://examples/other')
  })
})

describe('toCostAtMost', () => {
  it('compares the measured tokens of the URI', () => {
    expect(tight).toCostAtMost(SHORT, 35)
    expect(tight).toCostAtMost(LONG, 441)
    expect(tight).not.toCostAtMost(LONG, 440)
    expect(task).toCostAtMost('orchestr8://agents/reviewer', 91)
  })

  it('failure messages', () => {
    expect(thrown(() => expect(full).toCostAtMost(LONG, 400))).toBe(
      [`expected ${LONG} to cost at most 400 tokens, but it costs 441:`, `  - ${LONG}: inlined, FITS, 441 tokens (fits the budget (value 1))`].join('\n'),
    )
    expect(thrown(() => expect(full).not.toCostAtMost(SHORT, 35))).toBe(
      [
        `expected ${SHORT} not to cost at most 35 tokens, but it costs 35:`,
        `  - ${SHORT}: inlined, FITS, 35 tokens (fits the budget (value 2))`,
        `  - ${SHORT}: deferred, MENTION, 35 tokens (mention: kept in the text as written; only slots are inlined)`,
      ].join('\n'),
    )
    expect(thrown(() => expect(full).toCostAtMost(MISSING, 10))).toBe(
      [`expected ${MISSING} to cost at most 10 tokens, but its tokens are unknown:`, `  - ${MISSING}: missing, NOT_FOUND, tokens unknown (missing: not found)`].join('\n'),
    )
    expect(thrown(() => expect(full.report).toCostAtMost('orchestr8://x', 10))).toBe(
      `expected orchestr8://x to cost at most 10 tokens, but the report has no reference to it; references: ${SHORT}, ${LONG}, ${MISSING}`,
    )
  })
})

describe('without vitest: plain functions of the { pass, message } shape (jest takes the same)', () => {
  it('this is optional; isNot only changes the wording', () => {
    const plain = toInline.call(undefined, tight, LONG)
    expect(plain.pass).toBe(false)
    expect(plain.message()).toBe(toInline.call({ isNot: false }, tight, LONG).message())
    expect(toDefer.call({ isNot: true }, tight, LONG)).toMatchObject({ pass: true })
    expect(toCostAtMost.call(undefined, tight, SHORT, 35).pass).toBe(true)
    expect(Object.keys(promptfoldMatchers)).toEqual(['toFitBudget', 'toInline', 'toDefer', 'toCostAtMost'])
  })

  it('a row is matched by its URI or as written', () => {
    const report = { ...tight.report, references: tight.report.references.map((r) => ({ ...r, raw: r.uri.replace('orchestr8://', '@orchestr8://') })) }
    expect(report).toInline('@orchestr8://examples/short-review')
  })

  it('formatRow writes one row on one line', () => {
    expect(formatRow({ uri: 'a://b', raw: null, decision: 'inlined', cause: null, reason: 'why', tokens: 3 })).toBe('  - a://b: inlined, 3 tokens (why)')
    expect(subjectOf(tight)).toMatchObject({ noun: 'assembly', totalTokens: 115 })
    expect(subjectOf(task.report).noun).toBe('task report')
  })
})

describe('misuse throws (a matcher must not pass under .not on what it cannot read)', () => {
  it('a value that is no assembly or report', () => {
    expect(() => expect({ text: 'x' }).not.toFitBudget(10)).toThrow(InvalidOptionError)
    const error = caught(() => toFitBudget.call(undefined, 'x', 10))
    expect(error).toBeInstanceOf(InvalidOptionError)
    expect((error as InvalidOptionError).code).toBe('INVALID_OPTION')
    expect((error as Error).message).toBe(
      'Invalid option `received`: must be an assembly ({ text, report }), an assembly report, a task assembly or a task report, got string',
    )
    expect(() => toInline.call(undefined, null, SHORT)).toThrow(
      'Invalid option `received`: must be an assembly ({ text, report }), an assembly report, a task assembly or a task report, got null',
    )
    expect(() => toInline.call(undefined, { a: 1, b: 2 }, SHORT)).toThrow('got an object with keys a, b')
  })

  it('a budget, a token count or a URI that is not one', () => {
    expect(() => toFitBudget.call(undefined, tight, -1)).toThrow('Invalid option `budget`: must be a number of tokens >= 0, got -1')
    expect(() => toCostAtMost.call(undefined, tight, SHORT, Number.NaN)).toThrow('Invalid option `tokens`: must be a number of tokens >= 0, got NaN')
    expect(() => toInline.call(undefined, tight, '')).toThrow('Invalid option `uri`: must be a non-empty string, got ')
  })
})
