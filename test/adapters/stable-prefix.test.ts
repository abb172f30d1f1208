import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { assemblyReportSchema } from '../../src/report/schema.js'
import { memoryResolver } from '../../src/resolve/resolver.js'
import { tiktokenCount } from '../helpers/oracle.js'
import { budgetFraction, budgetFrom, runs, scenario } from '../properties/generators.js'
import { run } from '../properties/helpers.js'

const resolver = memoryResolver({
  'orchestr8://examples/a': '# A\n\nAn example about alpha, with some words to cost tokens.\n',
  'orchestr8://examples/b': '# B\n\nAnother example, about beta and gamma, a little longer than the first one.\n',
})
const SOURCE = '---\nid: agent\n---\n\n# Agent\n\nAlways cite sources.\n\n## Examples\n\n```\norchestr8://examples/a\n```\n\nBetween the slots.\n\n```\norchestr8://examples/b\n```\n\nThe end.\n'
const PREFIX = '# Agent\n\nAlways cite sources.\n\n## Examples\n\n'

describe('report.stablePrefix', () => {
  it('ends at the first slot: exact characters and tokens', async () => {
    const { text, report } = await assemble(SOURCE, { resolver, budget: 1000 })
    expect(report.stablePrefix).toEqual({ chars: PREFIX.length, tokens: tiktokenCount(PREFIX) })
    expect(text.slice(0, PREFIX.length)).toBe(PREFIX)
    expect(assemblyReportSchema.parse(JSON.parse(JSON.stringify(report))).stablePrefix).toEqual(report.stablePrefix)
  })

  it('is the whole text when there is no slot, and 0 when the text starts with a slot', async () => {
    const plain = await assemble('# Only core\n\nNothing to load.\n')
    expect(plain.report.stablePrefix).toEqual({ chars: plain.text.length, tokens: tiktokenCount(plain.text) })
    const first = await assemble('```\norchestr8://examples/a\n```\n\nAfter.\n', { resolver })
    expect(first.report.stablePrefix).toEqual({ chars: 0, tokens: 0 })
    const empty = await assemble('')
    expect(empty.report.stablePrefix).toEqual({ chars: 0, tokens: 0 })
  })

  it('counts in the report encoding', async () => {
    const { report } = await assemble(SOURCE, { resolver, encoding: 'cl100k_base' })
    expect(report.stablePrefix).toEqual({ chars: PREFIX.length, tokens: tiktokenCount(PREFIX, 'cl100k_base') })
  })

  it('is the same bytes at every budget, query and strategy (property)', async () => {
    const core = (await assemble(SOURCE, { resolver, budget: 10_000 })).report.coreTokens
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: core, max: core + 80 }), fc.constantFrom('greedy' as const, 'optimal' as const), fc.option(fc.constantFrom('alpha', 'beta gamma'), { nil: undefined }), async (budget, strategy, query) => {
        const { text, report } = await assemble(SOURCE, { resolver, budget, strategy, ...(query === undefined ? {} : { query }) })
        expect(report.stablePrefix).toEqual({ chars: PREFIX.length, tokens: tiktokenCount(PREFIX) })
        expect(text.slice(0, report.stablePrefix?.chars)).toBe(PREFIX)
      }),
      { numRuns: 25 },
    )
  })

  it('over generated documents: the text starts with the same prefix at every budget, counted exactly (property)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.array(budgetFraction, { minLength: 1, maxLength: 3 }), fc.constantFrom('greedy' as const, 'optimal' as const), async (s, fractions, strategy) => {
        const full = await run(s, { strategy })
        const sp = full.report.stablePrefix
        expect(sp).toBeDefined()
        const prefix = full.text.slice(0, sp?.chars)
        expect(sp?.tokens).toBe(prefix.length === 0 ? 0 : tiktokenCount(prefix))
        for (const f of fractions) {
          const budget = budgetFrom(full.report.coreTokens, full.report.baselines.traditional, Math.max(0, f), false)
          const other = await run(s, { budget, strategy }).catch(() => undefined)
          if (other === undefined) continue
          expect(other.report.stablePrefix).toEqual(sp)
          expect(other.text.startsWith(prefix)).toBe(true)
        }
      }),
      runs(30),
    )
  })
})
