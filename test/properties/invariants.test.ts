/**
 * Invariants of `assemble` over generated documents, libraries, budgets and strategies:
 * - the total never exceeds the budget (or the core alone does not fit: BudgetExceededError
 *   with the exact minimum);
 * - the reported total equals a fresh count of the text (js-tiktoken, the independent oracle);
 * - every reference in the report has exactly one decision, and every reference of the root
 *   document is in the report;
 * - the stable prefix (the core before the first slot) is the same bytes at every budget;
 * - same input, same bytes, however the resolver's answers are timed.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Assembly } from '../../src/assemble/index.js'
import { BudgetExceededError } from '../../src/errors.js'
import { parseDocument } from '../../src/parse/document.js'
import { bodyRange } from '../../src/render/render.js'
import { assemblyReportSchema } from '../../src/report/schema.js'
import { memoryResolver, type Resolver } from '../../src/resolve/resolver.js'
import { tiktokenCount } from '../helpers/oracle.js'
import { budgetFraction, budgetFrom, ROOT_PATH, runs, scenario } from './generators.js'
import { libraryMatch, run, stable } from './helpers.js'
import { CAUSE_DECISION } from '../../src/report/causes.js'

const strategy = fc.constantFrom('greedy' as const, 'optimal' as const)
const DECISIONS = new Set(['inlined', 'deferred', 'missing', 'cycle', 'duplicate', 'excluded', 'invalid'])

/** Every root reference appears in the report at depth 1, once (dynamic match slots once per matched URI). */
function expectEveryReferenceOnce(source: string, result: Assembly, matching: boolean): void {
  const doc = parseDocument(source, { path: ROOT_PATH })
  const rows = result.report.references.filter((r) => r.depth === 1)
  const key = (kind: string, raw: string, line: number) => `${kind}\u0000${raw}\u0000${line}`
  const seen = new Map<string, number>()
  for (const r of rows) seen.set(key(r.kind, r.raw, r.line), (seen.get(key(r.kind, r.raw, r.line)) ?? 0) + 1)
  const expected = new Map<string, number>()
  for (const r of doc.references) expected.set(key(r.kind, r.raw, r.position.line), (expected.get(key(r.kind, r.raw, r.position.line)) ?? 0) + 1)
  for (const [k, n] of expected) {
    const got = seen.get(k) ?? 0
    const dynamic = matching && k.startsWith('slot\u0000') && k.includes('://match?')
    if (dynamic) expect(got, k).toBeGreaterThanOrEqual(n)
    else expect(got, k).toBe(n)
  }
  for (const k of seen.keys()) expect(expected.has(k), `unexpected report row ${k}`).toBe(true)
  for (const r of result.report.references) {
    expect(DECISIONS.has(r.decision)).toBe(true)
    // Every outcome has a cause code that goes with its decision, and the reason is written from it.
    expect(CAUSE_DECISION[r.cause]).toBe(r.decision)
    expect(r.reason.length).toBeGreaterThan(0)
  }
  // A slot that was inlined has no stand-in line left in the text.
  for (const r of rows) {
    if (r.kind === 'slot' && r.decision === 'inlined') expect(result.text.includes(`→ Load on demand: ${r.uri} (`)).toBe(false)
  }
}

describe('assemble invariants (fast-check)', () => {
  it('within budget, exact total, one decision per reference, schema-valid report', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, budgetFraction, fc.boolean(), strategy, fc.boolean(), async (s, fraction, fractional, strat, matching) => {
        const match = matching ? { match: libraryMatch(s), vars: { task: 'serving' } } : {}
        const full = await run(s, { strategy: strat, ...match })
        expect(full.report.totalTokens).toBe(tiktokenCount(full.text))
        expect(full.report.totalTokens).toBe(full.report.baselines.traditional)
        const budget = budgetFrom(full.report.coreTokens, full.report.baselines.traditional, fraction, fractional)
        let result: Assembly
        try {
          result = await run(s, { budget, strategy: strat, ...match })
        } catch (error) {
          expect(error).toBeInstanceOf(BudgetExceededError)
          expect(budget).toBeLessThan(full.report.coreTokens)
          expect((error as BudgetExceededError).minimumBudget).toBe(full.report.coreTokens)
          return
        }
        expect(budget).toBeGreaterThanOrEqual(full.report.coreTokens)
        expect(result.report.totalTokens).toBeLessThanOrEqual(budget)
        expect(result.report.totalTokens).toBe(tiktokenCount(result.text))
        expect(result.report.coreTokens).toBe(full.report.coreTokens)
        expect(assemblyReportSchema.safeParse(result.report).success).toBe(true)
        expectEveryReferenceOnce(s.root, result, matching)
      }),
      runs(700),
    )
  })

  it('the core before the first slot is the same bytes at every budget', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.array(budgetFraction, { minLength: 2, maxLength: 4 }), strategy, async (s, fractions, strat) => {
        const doc = parseDocument(s.root, { path: ROOT_PATH })
        const { start } = bodyRange(doc)
        const firstSlot = doc.blocks[0]?.start
        const full = await run(s, { strategy: strat })
        const texts = [full.text]
        for (const f of fractions) {
          const budget = budgetFrom(full.report.coreTokens, full.report.baselines.traditional, Math.max(0, f), false)
          try {
            texts.push((await run(s, { budget, strategy: strat })).text)
          } catch (error) {
            // Below the core (possible when inlining is cheaper than a stand-in line): typed, never partial.
            expect(error).toBeInstanceOf(BudgetExceededError)
          }
        }
        if (firstSlot === undefined) {
          // No slot at all: the text is the core at every budget.
          for (const t of texts) expect(t).toBe(texts[0])
          return
        }
        const prefix = doc.source.slice(start, firstSlot)
        for (const t of texts) expect(t.startsWith(prefix)).toBe(true)
      }),
      runs(300),
    )
  })

  it('same input, same bytes: fresh parse, fresh resolver, answers in any order', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, budgetFraction, strategy, fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }), async (s, fraction, strat, delays) => {
        const full = await run(s, { strategy: strat })
        const budget = Math.max(full.report.coreTokens, budgetFrom(full.report.coreTokens, full.report.baselines.traditional, Math.max(0, fraction), false))
        const a = await run(s, { budget, strategy: strat })
        // Same library behind a resolver whose answers arrive after varying delays.
        const mem = memoryResolver(s.library)
        let call = 0
        const slow: Resolver = async (uri, ctx) => {
          const wait = delays[call++ % delays.length] ?? 0
          await new Promise((r) => setTimeout(r, wait))
          return mem(uri, ctx)
        }
        const b = await run(s, { budget, strategy: strat }, slow)
        expect(stable(b)).toEqual(stable(a))
        const c = await run(structuredClone(s), { budget, strategy: strat })
        expect(stable(c)).toEqual(stable(a))
      }),
      runs(250),
    )
  })
})
