/**
 * Properties of promptfold/testing over generated scenarios (test/properties/generators.ts):
 * the matchers agree with the report rows, `timings: false` makes runs equal, and the
 * serializer prints a measured run exactly as an unmeasured one.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createPromptfoldSerializer, type SnapshotPrinter, toCostAtMost, toDefer, toFitBudget, toInline } from '../../src/testing/index.js'
import { budgetFrom, runs, scenario } from '../properties/generators.js'
import { run, stable } from '../properties/helpers.js'

const json: SnapshotPrinter = (value) => JSON.stringify(value)
const serializer = createPromptfoldSerializer({ root: '/nowhere' })
const print = (value: unknown) => serializer.serialize(value, {}, '', 0, [], json)

describe('promptfold/testing properties', () => {
  it('matchers agree with the report; timings: false runs are equal; the serializer ignores timings', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.double({ min: 0, max: 1, noNaN: true }), async (s, fraction) => {
        const open = await run(s, { timings: false })
        const budget = budgetFrom(open.report.baselines.coreOnly, open.report.baselines.traditional, fraction, false)
        const a = await run(s, { budget, timings: false })
        const b = await run(s, { budget, timings: false })
        const measured = await run(s, { budget })
        // Runs without timings are equal, and equal to a measured run but for its timings.
        expect(a).toEqual(b)
        expect(a.report.timings).toEqual({ resolveMs: 0, measureMs: 0, selectMs: 0, totalMs: 0 })
        expect(stable(measured)).toEqual(stable(a))
        expect(print(measured)).toBe(print(a))
        expect(print(measured.report)).not.toContain('"timings"')

        // toFitBudget is exactly totalTokens <= n.
        const total = a.report.totalTokens
        expect(toFitBudget.call(undefined, a, budget).pass).toBe(true)
        expect(toFitBudget.call(undefined, a, total).pass).toBe(true)
        if (total > 0) expect(toFitBudget.call(undefined, a.report, total - 1).pass).toBe(false)

        // toInline / toDefer / toCostAtMost follow the rows of each URI.
        for (const uri of new Set(a.report.references.map((r) => r.uri))) {
          const rows = a.report.references.filter((r) => r.uri === uri)
          const inlined = toInline.call(undefined, a, uri).pass
          const deferred = toDefer.call(undefined, a, uri).pass
          expect(inlined).toBe(rows.some((r) => r.decision === 'inlined'))
          expect(deferred).toBe(!inlined && rows.some((r) => r.decision === 'deferred'))
          const tokens = rows.find((r) => r.tokens !== null)?.tokens
          if (tokens !== undefined && tokens !== null) {
            expect(toCostAtMost.call(undefined, a, uri, tokens).pass).toBe(true)
            if (tokens > 0) expect(toCostAtMost.call(undefined, a, uri, tokens - 1).pass).toBe(false)
          } else {
            expect(toCostAtMost.call(undefined, a, uri, Number.POSITIVE_INFINITY).pass).toBe(false)
          }
        }
      }),
      runs(40),
    )
  }, 60_000)
})
