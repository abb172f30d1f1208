/**
 * Levels of detail over generated documents and libraries: never over the budget, the total a
 * fresh count, one level per reference, optimal worth at least greedy, and greedy with levels worth at least greedy without.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BudgetExceededError } from '../../src/errors.js'
import { tiktokenCount } from '../helpers/oracle.js'
import { budgetFraction, budgetFrom, runs, scenario } from './generators.js'
import { run } from './helpers.js'

const LEVELS = ['full', 'summary', 'outline', 'pointer'] as const

describe('assemble({ levels })', () => {
  it('never exceeds the budget, totals are exact, each candidate reference has one level, optimal >= greedy', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, budgetFraction, async (s, fraction) => {
        const full = await run(s, { levels: LEVELS, timings: false })
        const budget = budgetFrom(full.report.coreTokens, full.report.baselines.traditional, fraction, false)
        const results: Array<Awaited<ReturnType<typeof run>>> = []
        for (const strategy of ['greedy', 'optimal'] as const) {
          try {
            results.push(await run(s, { budget, strategy, levels: LEVELS, timings: false }))
          } catch (error) {
            if (error instanceof BudgetExceededError) return
            throw error
          }
        }
        for (const r of results) {
          expect(r.report.totalTokens).toBeLessThanOrEqual(budget)
          expect(r.report.totalTokens).toBe(tiktokenCount(r.text))
          for (const row of r.report.references) {
            if (row.level === undefined) continue
            if (row.decision === 'inlined') expect(['full', 'summary', 'outline']).toContain(row.level)
            else expect(row.level).toBe('pointer')
            if (row.level === 'full') expect(row.nextLevel).toBeUndefined()
          }
        }
        const sum = (r: (typeof results)[number] | undefined) => r?.report.references.filter((x) => x.decision === 'inlined').reduce((n, x) => n + (x.value ?? 0), 0) ?? 0
        expect(sum(results[1])).toBeGreaterThanOrEqual(sum(results[0]))
        // Levels never leave greedy worse off than whole-or-pointer (values with levels are 100 times finer).
        const plain = await run(s, { budget, strategy: 'greedy', timings: false })
        expect(sum(results[0])).toBeGreaterThanOrEqual(sum(plain) * 100)
      }),
      runs(80),
    )
  })
})
