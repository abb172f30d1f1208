/**
 * Selection invariants over generated scenarios:
 * - the inlined set under `optimal` has at least the value of the greedy set;
 * - greedy (and optimal, which fills what still fits) leaves no deferred candidate that would
 *   still fit: forcing the inlined set plus any deferred candidate with `include` needs more
 *   than the budget.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BudgetExceededError, IncludeError } from '../../src/errors.js'
import { budgetFraction, budgetFrom, runs, scenario } from './generators.js'
import { inlinedValue, run } from './helpers.js'

async function orBudgetError<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p
  } catch (error) {
    expect(error).toBeInstanceOf(BudgetExceededError)
    return undefined
  }
}

describe('selection (fast-check)', () => {
  it('optimal inlines at least the value greedy does, within the same budget', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, budgetFraction, fc.boolean(), fc.option(fc.constantFrom('model serving', 'drift monitoring', 'experiment tracking'), { nil: undefined }), async (s, fraction, fractional, query) => {
        const full = await run(s, query ? { query } : {})
        const budget = budgetFrom(full.report.coreTokens, full.report.baselines.traditional, fraction, fractional)
        const greedy = await orBudgetError(run(s, { budget, strategy: 'greedy', ...(query ? { query } : {}) }))
        const optimal = await orBudgetError(run(s, { budget, strategy: 'optimal', ...(query ? { query } : {}) }))
        expect(greedy === undefined).toBe(optimal === undefined)
        if (!greedy || !optimal) return
        expect(optimal.report.totalTokens).toBeLessThanOrEqual(budget)
        expect(inlinedValue(optimal)).toBeGreaterThanOrEqual(inlinedValue(greedy))
      }),
      runs(400),
    )
  })

  it('greedy and optimal leave no deferred candidate that would still fit', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, budgetFraction, fc.boolean(), fc.constantFrom('greedy' as const, 'optimal' as const), async (s, fraction, fractional, strategy) => {
        const full = await run(s)
        const budget = budgetFrom(full.report.coreTokens, full.report.baselines.traditional, fraction, fractional)
        const greedy = await orBudgetError(run(s, { budget, strategy }))
        if (!greedy) return
        const inlined = greedy.report.references.filter((r) => r.decision === 'inlined').map((r) => r.uri)
        // Deferred candidates whose holder is inlined (or the root): they were weighed and left out.
        const deferred = greedy.report.references.filter((r) => r.kind === 'slot' && r.decision === 'deferred' && r.value !== null && !r.reason.startsWith('the document that holds it'))
        for (const c of deferred) {
          let error: unknown
          try {
            const forced = await run(s, { budget, include: [...inlined, c.uri] })
            error = new Error(`${c.uri} was deferred, yet with it the text is ${forced.report.totalTokens} <= ${budget} tokens`)
          } catch (e) {
            error = e
          }
          expect(error, String(error)).toBeInstanceOf(IncludeError)
          expect((error as IncludeError).message).toMatch(/needs a budget of \d+ tokens/)
        }
      }),
      runs(300),
    )
  })
})
