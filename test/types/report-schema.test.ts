/**
 * The hand-written report and frontmatter interfaces and the zod schemas that check them:
 * the `cause` of a report row, the declared schema shapes, and what an assembly produces.
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  type AssemblyReport,
  assemble,
  assemblyReportSchema,
  describeCause,
  type Frontmatter,
  frontmatterSchema,
  memoryResolver,
  parseDocument,
  REFERENCE_CAUSES,
  type ReferenceReport,
  referenceReportSchema,
} from '../../src/index.js'

const row: ReferenceReport = {
  uri: 'orchestr8://examples/a',
  raw: 'orchestr8://examples/a',
  kind: 'slot',
  decision: 'missing',
  reason: 'missing: not found',
  cause: 'NOT_FOUND',
  tokens: null,
  value: null,
  depth: 1,
  from: 'orchestr8://agents/x',
  line: 7,
  sectionPath: ['X', 'Usage'],
  declaredTokens: null,
  hintTokens: 120,
}

describe('ReferenceReport.cause', () => {
  it('is required, and one of REFERENCE_CAUSES', () => {
    expect(referenceReportSchema.parse(row)).toEqual(row)
    const { cause: _, ...withoutCause } = row
    expect(referenceReportSchema.safeParse(withoutCause).error?.issues.map((i) => [i.path.join('.'), i.code])).toEqual([['cause', 'invalid_value']])
    expect(referenceReportSchema.safeParse({ ...row, cause: 'GONE' }).success).toBe(false)
    for (const cause of REFERENCE_CAUSES) expect(referenceReportSchema.safeParse({ ...row, cause }).success, cause).toBe(true)
  })

  it('sits right after `reason` in the schema, as in the interface', () => {
    const keys = Object.keys(referenceReportSchema.shape)
    expect(keys.slice(keys.indexOf('reason'), keys.indexOf('reason') + 2)).toEqual(['reason', 'cause'])
    expect(keys).toEqual(['uri', 'raw', 'kind', 'decision', 'reason', 'cause', 'tokens', 'value', 'depth', 'from', 'line', 'sectionPath', 'declaredTokens', 'hintTokens', 'level', 'nextLevel'])
  })

  it('is what an assembly writes, and its reason is worded from it', async () => {
    const doc = parseDocument('# X\n\n## Usage\n\n```\norchestr8://examples/a\n```\n\n```\norchestr8://examples/big\n```\n', { path: 'agents/x.md' })
    const resolver = memoryResolver({ 'orchestr8://examples/big': `# Big\n\n${'word '.repeat(400)}\n` })
    const { report } = await assemble(doc, { resolver, budget: 50 })
    const stored: AssemblyReport = assemblyReportSchema.parse(JSON.parse(JSON.stringify(report)))
    expect(stored.references.map((r) => [r.uri, r.decision, r.cause])).toEqual([
      ['orchestr8://examples/a', 'missing', 'NOT_FOUND'],
      ['orchestr8://examples/big', 'deferred', 'BUDGET'],
    ])
    expect(stored.references[0]?.reason).toBe(describeCause('NOT_FOUND'))
    expect(stored.references[1]?.reason).toMatch(/^does not fit: needs [\d,]+ more tokens, \d+ left$/)
  })
})

describe('the declared schema types are real zod schemas', () => {
  it('report schemas: nested shapes as declared (`references.element.shape`, `efficiency`)', () => {
    expect(assemblyReportSchema.shape.references.element.shape.cause).toBe(referenceReportSchema.shape.cause)
    expect(assemblyReportSchema.shape.efficiency.shape.savingsRange.parse({ min: 1, max: 2.5 })).toEqual({ min: 1, max: 2.5 })
    expect(assemblyReportSchema.shape.document instanceof z.ZodObject).toBe(true)
  })

  it('frontmatterSchema: extend, nest and parse, with the Frontmatter interface as output', () => {
    const withOwner = frontmatterSchema.extend({ owner: z.string() })
    const parsed: Frontmatter & { owner: string } = withOwner.parse({ id: 3, owner: 'me', extra: [1] })
    expect(parsed).toEqual({ id: '3', owner: 'me', extra: [1], tags: [], capabilities: [], useWhen: [] })
    const nested = z.object({ meta: frontmatterSchema }).parse({ meta: { tags: 'a, b', estimatedTokens: 4 } })
    const meta: Frontmatter = nested.meta
    expect(meta).toEqual({ tags: ['a', 'b'], capabilities: [], useWhen: [], estimatedTokens: 4 })
    expect(Object.keys(frontmatterSchema.shape)).toEqual(['id', 'category', 'tags', 'capabilities', 'useWhen', 'estimatedTokens', 'relatedResources'])
  })
})
