/**
 * Hostile budgets and numeric options: 0, negative, fractional, NaN, Infinity, beyond 2^31,
 * and values of the wrong type. Each is either a typed error or an assembly within budget.
 */
import { describe, expect, it } from 'vitest'
import { type AssembleOptions, assemble } from '../../src/assemble/index.js'
import { BudgetExceededError, InvalidOptionError } from '../../src/errors.js'
import { parseDocument } from '../../src/parse/document.js'
import { fileSystemResolver } from '../../src/resolve/fs.js'
import { readFixture, resourcesRoot } from '../helpers/fixtures.js'
import { caught, expectSound, expectTyped } from './helpers.js'

const path = 'agents/mlops-specialist.md'
const doc = parseDocument(readFixture(resourcesRoot, path), { path })
const resolver = fileSystemResolver({ root: resourcesRoot })
const STRATEGIES = ['greedy', 'optimal'] as const

describe('hostile budgets', () => {
  it.each(STRATEGIES)('0 (%s): BudgetExceededError naming the minimum budget, which then works', async (strategy) => {
    const e = expectTyped(await caught(assemble(doc, { resolver, strategy, budget: 0 })), 'BUDGET_EXCEEDED') as BudgetExceededError
    expect(e).toBeInstanceOf(BudgetExceededError)
    expect(e.budget).toBe(0)
    const ok = await assemble(doc, { resolver, strategy, budget: e.minimumBudget })
    expectSound(ok, e.minimumBudget)
    expect(ok.report.totalTokens).toBe(e.minimumBudget)
    const below = await caught(assemble(doc, { resolver, strategy, budget: e.minimumBudget - 0.5 }))
    expect(below).toBeInstanceOf(BudgetExceededError)
  })

  it('0 for a document with no text: fits exactly', async () => {
    const result = await assemble('', { budget: 0 })
    expect(result.report.totalTokens).toBe(0)
    expect(result.text).toBe('')
  })

  it.each([-1, -0.5, -1e-9, Number.NEGATIVE_INFINITY, -(2 ** 31), Number.NaN])('%s: InvalidOptionError on `budget`', async (budget) => {
    for (const strategy of STRATEGIES) {
      const e = expectTyped(await caught(assemble(doc, { resolver, strategy, budget })), 'INVALID_OPTION')
      expect(e).toBeInstanceOf(InvalidOptionError)
      expect((e as InvalidOptionError).option).toBe('budget')
    }
  })

  it.each([['a string', '3000'], ['a bigint', BigInt(3000)], ['an object', { tokens: 3000 }], ['a boolean', true]])('%s: InvalidOptionError on `budget`', async (_n, budget) => {
    const e = expectTyped(await caught(assemble(doc, { resolver, budget: budget as unknown as number })), 'INVALID_OPTION')
    expect((e as InvalidOptionError).option).toBe('budget')
  })

  it('fractional budgets: the total never exceeds them, both strategies', async () => {
    const full = await assemble(doc, { resolver })
    const { coreTokens, baselines } = full.report
    for (const budget of [coreTokens + 0.25, coreTokens + 0.999, 1500.5, 2999.999, baselines.traditional - 0.5, baselines.traditional + 0.5]) {
      for (const strategy of STRATEGIES) {
        const result = await assemble(doc, { resolver, strategy, budget })
        expectSound(result, budget)
        expect(result.report.budget).toBe(budget)
      }
    }
  })

  it.each([Number.POSITIVE_INFINITY, 2 ** 31, 2 ** 31 + 1, 2 ** 32, 2 ** 40, Number.MAX_SAFE_INTEGER, 2 ** 60, Number.MAX_VALUE])('%s: no practical cap; everything resolvable is inlined', async (budget) => {
    for (const strategy of STRATEGIES) {
      const result = await assemble(doc, { resolver, strategy, budget })
      expectSound(result, budget)
      expect(result.report.totalTokens).toBe(result.report.baselines.traditional)
      expect(result.report.budget).toBe(Number.isFinite(budget) ? budget : null)
      expect(result.report.references.filter((r) => r.kind === 'slot').every((r) => r.decision === 'inlined')).toBe(true)
    }
  })

  it('null or undefined budget means no cap', async () => {
    const a = await assemble(doc, { resolver, budget: undefined })
    const b = await assemble(doc, { resolver, budget: null as unknown as number })
    expect(a.text).toBe(b.text)
    expect(a.report.budget).toBeNull()
  })
})

describe('hostile numeric options', () => {
  const bad: [keyof AssembleOptions, unknown][] = [
    ['maxDepth', -1],
    ['maxDepth', 1.5],
    ['maxDepth', Number.NaN],
    ['maxDepth', '2'],
    ['maxDocuments', -1],
    ['maxDocuments', Number.NaN],
    ['maxDocuments', 0.5],
    ['resolveTimeout', 0],
    ['resolveTimeout', -5],
    ['resolveTimeout', Number.NaN],
    ['resolveTimeout', '100'],
    ['strategy', 'best'],
    ['include', 'orchestr8://x'],
    ['exclude', [1, 2]],
    ['query', 42],
    ['counter', { count: 'no' }],
  ]
  it.each(bad)('%s = %s: InvalidOptionError naming the option', async (option, value) => {
    const e = expectTyped(await caught(assemble(doc, { resolver, [option]: value } as AssembleOptions)), 'INVALID_OPTION')
    expect((e as InvalidOptionError).option).toBe(option)
  })

  it('a counter that lies is not trusted for the budget check beyond what it says, and NaN counts are refused', async () => {
    const nan = await caught(assemble(doc, { resolver, budget: 5000, counter: { count: () => Number.NaN } }))
    expect(nan).toBeDefined()
    expectTyped(nan)
  })
})
