import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { createTokenCounter } from '../../src/count/index.js'
import { BudgetExceededError } from '../../src/errors.js'
import { assembleTask, type Library, loadLibrary } from '../../src/library/index.js'
import { fixtureLibrary } from './helpers.js'

let library: Library
const counter = createTokenCounter()
beforeAll(async () => {
  library = await loadLibrary({ root: fixtureLibrary })
})

const u = (p: string) => `orchestr8://${p}`
const QUERY = 'set up postgres replication and failover with tested backups'

describe('assembleTask', () => {
  it('puts the best agent first, then its relevant linked documents by relevance, then other matches', async () => {
    const { report } = await assembleTask(library, QUERY, { budget: 100_000 })
    const listed = report.documents.filter((d) => d.decision !== 'omitted')
    expect(listed[0]).toMatchObject({ uri: u('agents/postgres-specialist'), role: 'agent', decision: 'inlined' })
    const linked = listed.filter((d) => d.role === 'linked')
    expect(linked.map((d) => d.uri).slice(0, 2)).toEqual([u('examples/database/postgres-backup-recovery'), u('examples/database/postgres-replication')])
    for (const d of linked) expect(d.linkedFrom).toBe(u('agents/postgres-specialist'))
    for (let i = 1; i < linked.length; i++) expect((linked[i - 1]?.score ?? 0) >= (linked[i]?.score ?? 0)).toBe(true)
    const roles = listed.map((d) => d.role)
    expect(roles.indexOf('match') === -1 || roles.lastIndexOf('linked') < roles.indexOf('match')).toBe(true)
  })

  it('reports every document the task matched, and why each was or was not taken', async () => {
    const { report } = await assembleTask(library, QUERY, { budget: 1500 })
    const matched = library.match(QUERY, { maxResults: Number.POSITIVE_INFINITY }).map((r) => r.uri)
    expect(report.documents.map((d) => d.uri).sort()).toEqual([...matched].sort())
    for (const d of report.documents) {
      expect(['inlined', 'deferred', 'omitted']).toContain(d.decision)
      expect(d.reason.length).toBeGreaterThan(10)
      expect(d.rank).toBe(matched.indexOf(d.uri) + 1)
    }
    expect(report.documents.filter((d) => d.decision === 'omitted' && d.role === 'agent').every((d) => /maxAgents/.test(d.reason))).toBe(true)
    expect(report.documents.filter((d) => d.decision === 'omitted' && d.role !== 'agent').every((d) => /maxDocuments|does not fit/.test(d.reason))).toBe(true)
    expect(report.assembly.budget).toBe(1500)
  })

  it('renders inlined documents in full and the others as load-on-demand lines with their cost', async () => {
    const { text, report } = await assembleTask(library, QUERY, { budget: 1200 })
    for (const d of report.documents) {
      if (d.decision === 'inlined') expect(text).toContain(`# ${library.title(d.uri)}`)
      if (d.decision === 'deferred') expect(text).toContain(`→ Load on demand: ${d.uri} (${d.tokens} tokens)`)
      // Omitted documents get no load line of their own (an inlined agent may still mention them).
      if (d.decision === 'omitted') expect(text).not.toContain(`→ Load on demand: ${d.uri} (`)
    }
    expect(report.documents.some((d) => d.decision === 'inlined')).toBe(true)
    expect(report.documents.some((d) => d.decision === 'deferred')).toBe(true)
  })

  it('never exceeds the budget, and the reported total is an exact count of the text', async () => {
    const queries = [QUERY, 'react forms accessibility', 'kafka streaming consumers and airflow batches', 'cache', 'nothing matches zzqx']
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 6000 }), fc.constantFrom(...queries), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 10 }), async (budget, query, maxAgents, maxDocuments) => {
        const { text, report } = await assembleTask(library, query, { budget, maxAgents, maxDocuments })
        const n = counter.count(text)
        expect(n).toBeLessThanOrEqual(budget)
        expect(report.totalTokens).toBe(n)
        expect(report.assembly.totalTokens).toBe(n)
        expect(report.documents.filter((d) => d.role === 'agent' && d.decision !== 'omitted').length).toBeLessThanOrEqual(maxAgents)
        expect(report.documents.filter((d) => d.decision !== 'omitted').length).toBeLessThanOrEqual(maxDocuments)
      }),
      { numRuns: 40 },
    )
  })

  it('drops lower-ranked load lines when even they do not fit, and is deterministic', async () => {
    const a = await assembleTask(library, QUERY, { budget: 25 })
    expect(counter.count(a.text)).toBeLessThanOrEqual(25)
    expect(a.report.documents.some((d) => d.decision === 'omitted' && /does not fit/.test(d.reason))).toBe(true)
    const b = await assembleTask(library, QUERY, { budget: 25 })
    expect(b.text).toBe(a.text)
    expect(b.report.documents).toEqual(a.report.documents)
  })

  it('throws BudgetExceededError only when the header alone does not fit', async () => {
    const header = '# Task\n\nRestore the orders database to yesterday noon.\n'
    const need = counter.count(header)
    await expect(assembleTask(library, QUERY, { budget: need - 1, header })).rejects.toBeInstanceOf(BudgetExceededError)
    const { text } = await assembleTask(library, QUERY, { budget: need, header })
    expect(text).toBe(header)
    const empty = await assembleTask(library, QUERY, { budget: 0 })
    expect(empty.text).toBe('')
  })

  it('honours categories, exclude and validates options', async () => {
    const { report } = await assembleTask(library, QUERY, { budget: 100_000, categories: ['examples'] })
    expect(report.documents.every((d) => d.category === 'example')).toBe(true)
    const ex = await assembleTask(library, QUERY, { budget: 100_000, exclude: [u('examples/database/postgres-replication')] })
    expect(ex.report.documents.find((d) => d.uri === u('examples/database/postgres-replication'))?.decision).toBe('excluded')
    await expect(assembleTask(library, QUERY, { budget: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTION' })
    await expect(assembleTask(library, QUERY, { budget: Number.POSITIVE_INFINITY })).rejects.toMatchObject({ code: 'INVALID_OPTION' })
    await expect(assembleTask(library, QUERY, { budget: 10, maxDocuments: 1.5 })).rejects.toMatchObject({ code: 'INVALID_OPTION' })
  })
})

describe('dynamic match slots through the library', () => {
  it('fills ${placeholders} from vars and inlines the matched examples', async () => {
    const doc = library.document('frontend-specialist')
    if (!doc) throw new Error('missing')
    const { text, report } = await assemble(doc, { resolver: library, match: library.resolveMatch, vars: { framework: 'react' }, budget: 100_000 })
    const dynamic = report.references.filter((r) => r.raw.startsWith('orchestr8://match?'))
    expect(dynamic.map((r) => [r.uri, r.decision])).toEqual([
      [u('examples/web/component-testing'), 'inlined'],
      // The second match is already inlined above (a slot of this agent): not inlined twice.
      [expect.stringMatching(/^orchestr8:\/\/examples\/web\//), 'duplicate'],
    ])
    expect(text).toContain('# React Component Testing'.replace('# ', ''))
  })

  it('a library as the resolver brings its search and schemes: the same answer without passing match', async () => {
    const doc = library.document('frontend-specialist')
    if (!doc) throw new Error('missing')
    const explicit = await assemble(doc, { resolver: library, match: library.resolveMatch, vars: { framework: 'react' }, budget: 100_000})
    const implied = await assemble(doc, { resolver: library, vars: { framework: 'react' }, budget: 100_000 })
    expect(implied.text).toBe(explicit.text)
    expect(implied.report.references).toEqual(explicit.report.references)
    const plain = await assemble(doc, { resolver: (uri, context) => library(uri, context), vars: { framework: 'react' }, budget: 100_000 })
    expect(plain.report.references.find((r) => r.raw.startsWith('orchestr8://match?'))?.cause).toBe('DYNAMIC')
  })

  it('the bare search endpoint is a search, not a missing document: DYNAMIC for a slot, listed for a mention', async () => {
    const source = '# Agent\n\nSearch with orchestr8://match when unsure.\n\n```\norchestr8://match\n```\n'
    const { report } = await assemble(source, { resolver: library })
    expect(report.references.map((r) => [r.kind, r.uri, r.decision, r.cause])).toEqual([
      ['slot', 'orchestr8://match', 'deferred', 'DYNAMIC'],
      ['mention', 'orchestr8://match', 'deferred', 'MENTION'],
    ])
    expect(report.diagnostics.filter((d) => d.code === 'REFERENCE_MISSING')).toEqual([])
  })

  it('leaves an unfilled placeholder deferred with a warning', async () => {
    const doc = library.document('frontend-specialist')
    if (!doc) throw new Error('missing')
    const { report } = await assemble(doc, { resolver: library, match: library.resolveMatch, budget: 100_000 })
    expect(report.references.find((r) => r.raw.startsWith('orchestr8://match?'))?.decision).toBe('deferred')
    expect(report.diagnostics.some((d) => d.code === 'MATCH_PLACEHOLDER')).toBe(true)
  })
})
