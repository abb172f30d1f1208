/**
 * A failing resolver (throws, rejects, never answers, answers garbage) only turns its
 * references into `missing` with a reason: the text and every other decision are exactly
 * what they are when those documents simply do not exist.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Assembly } from '../../src/assemble/index.js'
import { BudgetExceededError } from '../../src/errors.js'
import { memoryResolver, type Resolver } from '../../src/resolve/resolver.js'
import { tiktokenCount } from '../helpers/oracle.js'
import { budgetFraction, budgetFrom, runs, type Scenario, scenario } from './generators.js'
import { run } from './helpers.js'

type Failure = 'throw' | 'reject' | 'hang' | 'garbage' | 'throw-null' | 'throw-object' | 'slow-reject'
const failure = fc.constantFrom<Failure>('throw', 'reject', 'hang', 'garbage', 'throw-null', 'throw-object', 'slow-reject')
const TIMEOUT = 30

/** A resolver that fails in the given way for `failing` URIs and answers from the library otherwise. */
function failingResolver(s: Scenario, failing: ReadonlySet<string>, how: Failure): Resolver {
  const mem = memoryResolver(s.library)
  return (uri, ctx) => {
    if (!failing.has(uri)) return mem(uri, ctx)
    switch (how) {
      case 'throw':
        throw new Error(`boom ${uri}`)
      case 'reject':
        return Promise.reject(new Error(`rejected ${uri}`))
      case 'hang':
        return new Promise(() => {})
      case 'garbage':
        return 42 as unknown as string
      case 'throw-null':
        throw null
      case 'throw-object':
        // A thrown value that cannot even be turned into a string.
        throw Object.create(null)
      case 'slow-reject':
        return new Promise((_, reject) => setTimeout(() => reject(new Error('late')), TIMEOUT * 3))
    }
  }
}

/** Decisions by (depth, kind, raw, line, uri), without reasons. */
function decisions(result: Assembly): string[] {
  return result.report.references.map((r) => `${r.depth}|${r.kind}|${r.line}|${r.uri}|${r.decision}`)
}

describe('failing resolvers (fast-check)', () => {
  it('only turn their references into `missing` with a reason', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, budgetFraction, failure, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), fc.constantFrom('greedy' as const, 'optimal' as const), async (s, fraction, how, picks, strategy) => {
        if (s.docs.length === 0) return
        const failing = new Set(picks.map((p) => s.docs[p % s.docs.length] as string))
        // Baseline: the failing documents simply do not exist.
        const absent: Scenario = { ...s, library: Object.fromEntries(Object.entries(s.library).filter(([u]) => !failing.has(u))) }
        const fullAbsent = await run(absent, { strategy, resolveTimeout: TIMEOUT })
        const budget = budgetFrom(fullAbsent.report.coreTokens, fullAbsent.report.baselines.traditional, fraction, false)
        let expected: Assembly | undefined
        try {
          expected = await run(absent, { budget, strategy, resolveTimeout: TIMEOUT })
        } catch (error) {
          expect(error).toBeInstanceOf(BudgetExceededError)
        }
        let got: Assembly | undefined
        try {
          got = await run(s, { budget, strategy, resolveTimeout: TIMEOUT }, failingResolver(s, failing, how))
        } catch (error) {
          expect(error).toBeInstanceOf(BudgetExceededError)
          expect(expected).toBeUndefined()
          return
        }
        expect(expected).toBeDefined()
        if (!expected) return
        expect(got.text).toBe(expected.text)
        expect(got.report.totalTokens).toBe(tiktokenCount(got.text))
        expect(decisions(got)).toEqual(decisions(expected))
        for (const r of got.report.references) {
          if (!failing.has(r.uri) || r.decision === 'cycle' || r.decision === 'invalid' || r.decision === 'duplicate') continue
          if (r.reason.startsWith('beyond maxDepth') || r.reason.includes('maxDocuments') || r.reason.startsWith('dynamic') || r.reason.includes('query string')) continue
          expect(r.decision).toBe('missing')
          expect(r.reason).toMatch(how === 'hang' || how === 'slow-reject' ? /RESOLVE_TIMEOUT/ : how === 'garbage' ? /RESOLVER_RESULT/ : /RESOLVER_ERROR/)
        }
      }),
      runs(250),
    )
  })
})
