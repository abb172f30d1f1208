/**
 * Source maps over generated documents and libraries: every character of the assembled text
 * maps to exactly one span; where nothing was rewritten, the mapped source text equals the
 * output text; rewritten spans are heading marks; generated spans are promptfold's own lines.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BudgetExceededError } from '../../src/errors.js'
import { normalizeUri } from '../../src/parse/uri.js'
import { budgetFraction, budgetFrom, ROOT_URI, runs, scenario } from './generators.js'
import { run } from './helpers.js'

const strategy = fc.constantFrom('greedy' as const, 'optimal' as const)

describe('assembly.sourceMap', () => {
  it('covers the text exactly, and copied spans equal their sources', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, budgetFraction, strategy, async (s, fraction, strat) => {
        const full = await run(s, { strategy: strat })
        const core = await run(s, { budget: full.report.coreTokens, strategy: strat }).catch(() => undefined)
        if (!core) return
        const budget = budgetFrom(full.report.coreTokens, full.report.baselines.traditional, fraction, false)
        let result: Awaited<ReturnType<typeof run>>
        try {
          result = await run(s, { budget, strategy: strat })
        } catch (error) {
          if (error instanceof BudgetExceededError) return
          throw error
        }
        const { text, sourceMap } = result
        expect(sourceMap.length).toBe(text.length)
        let at = 0
        const sources = new Map<string, string>([[ROOT_URI, s.root]])
        for (const [uri, src] of Object.entries(s.library)) sources.set(normalizeUri(uri), src)
        for (const span of sourceMap.spans) {
          expect(span.start).toBe(at)
          expect(span.end).toBeGreaterThan(span.start)
          at = span.end
          const out = text.slice(span.start, span.end)
          if (span.kind === 'source') {
            const src = (sources.get(span.uri ?? '') ?? '').replace(/^\ufeff/, '')
            expect(span.from !== undefined && span.to !== undefined).toBe(true)
            expect(src.slice(span.from?.offset, span.to?.offset)).toBe(out)
          } else if (span.kind === 'rewritten') {
            expect(out).toMatch(/^ {0,3}#{1,6}/)
          } else if (span.what === 'pointer') {
            expect(out.startsWith('→ ')).toBe(true)
          } else if (span.what === 'separator') {
            expect(out).toBe('\n')
          }
        }
        expect(at).toBe(text.length)
        // Every inlined document has text in the map.
        const mapped = new Set(sourceMap.spans.filter((x) => x.kind === 'source').map((x) => x.uri))
        for (const r of result.report.references) if (r.decision === 'inlined' && r.tokens && r.tokens > 0) expect(mapped.has(r.uri), r.uri).toBe(true)
      }),
      runs(120),
    )
  })
})
