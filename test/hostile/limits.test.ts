/**
 * Resource limits: maximum document size (`maxDocumentBytes`), depth (`maxDepth`) and number of
 * fetched documents (`maxDocuments`) per assembly have safe defaults, and hitting one is reported.
 * Also: callbacks that never answer (resolver, match) are cut off by `resolveTimeout`.
 */
import { describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { DEFAULT_MAX_DOCUMENT_BYTES, parseDocument } from '../../src/parse/document.js'
import { memoryResolver, type Resolver } from '../../src/resolve/resolver.js'
import { bigDocument } from './generators.js'
import { assembleAround } from './harness.js'
import { elapsed, expectDiagnostic, expectSound } from './helpers.js'

/** A resolver that answers every URI after `ms`, counting calls and the most in flight at once. */
function countingResolver(ms = 1) {
  const stats = { calls: 0, inFlight: 0, maxInFlight: 0 }
  const resolver: Resolver = async (uri) => {
    stats.calls++
    stats.inFlight++
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
    await new Promise((r) => setTimeout(r, ms))
    stats.inFlight--
    return `# ${uri.split('/').pop()}\n\nBody.\n`
  }
  return { resolver, stats }
}

describe('maxDocuments (default 100)', () => {
  it.each([
    ['slots', (i: number) => `**→ Load:** orchestr8://lib/d${i}`],
    ['mentions', (i: number) => `See orchestr8://lib/d${i} here.`],
    ['slots and mentions', (i: number) => (i % 2 ? `- orchestr8://lib/d${i}` : `Also orchestr8://lib/d${i}.`)],
  ])('10,000 %s: the resolver is called at most maxDocuments times, and the limit is reported', async (shape, line) => {
    const source = `# Many\n\n${Array.from({ length: 10_000 }, (_, i) => line(i)).join('\n\n')}\n`
    const doc = parseDocument(source, { path: 'agents/many.md' })
    // The default (100) once, a small limit for every shape.
    for (const maxDocuments of shape === 'slots' ? [undefined, 10] : [10]) {
      const { resolver, stats } = countingResolver()
      const { value: result, ms } = await elapsed(() => assemble(doc, { resolver, ...(maxDocuments !== undefined ? { maxDocuments } : {}) }))
      const limit = maxDocuments ?? 100
      expect(stats.calls).toBe(limit)
      expect(stats.maxInFlight).toBeLessThanOrEqual(limit)
      expect(ms).toBeLessThan(30_000)
      expectSound(result)
      expectDiagnostic(result.report.diagnostics, 'LIMIT_MAX_DOCUMENTS', { file: 'agents/many.md' })
      const slots = result.report.references.filter((r) => r.kind === 'slot')
      expect(slots.filter((r) => r.decision === 'inlined').length).toBeLessThanOrEqual(limit)
      for (const r of slots.filter((x) => x.decision === 'deferred')) expect(r.reason).toMatch(/maxDocuments/)
    }
  })

  it('0 resolves nothing and says so', async () => {
    const { resolver, stats } = countingResolver()
    const { report } = await assemble('# A\n\n```\norchestr8://lib/a\n```\n', { resolver, maxDocuments: 0 })
    expect(stats.calls).toBe(0)
    expect(report.references[0]).toMatchObject({ decision: 'deferred', reason: expect.stringMatching(/maxDocuments \(0\)/) })
  })
})

describe('maxDepth (default 2)', () => {
  it('a chain of 50 nested slots stops at maxDepth, reported with LIMIT_MAX_DEPTH', async () => {
    const lib: Record<string, string> = {}
    for (let i = 0; i < 50; i++) lib[`orchestr8://chain/c${i}`] = `# C${i}\n\nLink ${i}.\n\n- orchestr8://chain/c${i + 1}\n`
    for (const maxDepth of [undefined, 0, 5, 49]) {
      const result = await assemble('# Root\n\n- orchestr8://chain/c0\n', { resolver: memoryResolver(lib), ...(maxDepth !== undefined ? { maxDepth } : {}) })
      expectSound(result)
      const depth = maxDepth ?? 2
      expect(result.report.references.filter((r) => r.decision === 'inlined')).toHaveLength(depth)
      const cut = result.report.references.find((r) => r.decision === 'deferred')
      expect(cut).toMatchObject({ depth: depth + 1, reason: `beyond maxDepth ${depth}` })
      expectDiagnostic(result.report.diagnostics, 'LIMIT_MAX_DEPTH')
    }
  })
})

describe(`maxDocumentBytes (default ${DEFAULT_MAX_DOCUMENT_BYTES})`, () => {
  it('a 20 MB resolved document is not parsed: `missing` with the reason, the assembly around it goes on', async () => {
    const big = bigDocument(20 * 1024 * 1024)
    const { value: around, ms } = await elapsed(() => assembleAround(big))
    expect(ms).toBeLessThan(20_000)
    expect(around.hostileRow).toMatchObject({ decision: 'missing', tokens: null })
    expect(around.hostileRow.reason).toMatch(/maxDocumentBytes limit of 5,242,880/)
    expectDiagnostic(around.report.diagnostics, 'LIMIT_MAX_DOCUMENT_BYTES', { file: 'orchestr8://lib/hostile', line: 1 })
    expect(around.text).toContain('→ Unavailable: orchestr8://lib/hostile\n')
  })

  it('is an option, for resolved documents and for a root given as a string', async () => {
    const doc = '# Target\n\nSome body text here.\n'
    // A root given as a string over the limit is kept as plain text (no slots), and says so.
    const r = await assemble(`# Root\n\n- orchestr8://lib/a\n`, { resolver: memoryResolver({ 'orchestr8://lib/a': doc }), maxDocumentBytes: 20 })
    expect(r.report.references).toEqual([])
    expectDiagnostic(r.report.diagnostics, 'LIMIT_MAX_DOCUMENT_BYTES', { line: 1 })
    const parsed = parseDocument(`# Root\n\n- orchestr8://lib/a\n`)
    const r2 = await assemble(parsed, { resolver: memoryResolver({ 'orchestr8://lib/a': doc }), maxDocumentBytes: 20 })
    expect(r2.report.references[0]).toMatchObject({ decision: 'missing', reason: expect.stringMatching(/LIMIT_EXCEEDED/) })
    for (const bad of [0, -1, Number.NaN, '5']) {
      await expect(assemble(parsed, { maxDocumentBytes: bad as number })).rejects.toMatchObject({ code: 'INVALID_OPTION', option: 'maxDocumentBytes' })
    }
  })
})

describe('callbacks that never answer or answer garbage', () => {
  const root = '# Root\n\n**→ Load:** orchestr8://match?query=anything\n\n```\norchestr8://lib/good-a\n```\n'
  const resolver = memoryResolver({ 'orchestr8://lib/good-a': '# A\n\nGood.\n' })

  it.each([
    ['never answers', () => new Promise<string[]>(() => {}), /RESOLVE_TIMEOUT: match did not answer within 50 ms/],
    ['throws', () => {
      throw new Error('index down')
    }, /index down/],
    ['throws a value with no string form', () => {
      throw Object.create(null)
    }, /match failed/],
    ['returns a non-array', () => 42 as unknown as string[], /MATCH_RESULT/],
  ])('a match function that %s: the dynamic slot is `missing` with the reason, the rest goes on', async (_n, match, reason) => {
    const { value: result, ms } = await elapsed(() => assemble(root, { resolver, match, resolveTimeout: 50 }))
    expect(ms).toBeLessThan(5_000)
    expectSound(result)
    expect(result.report.references.map((r) => r.decision)).toEqual(['missing', 'inlined'])
    expect(result.report.references[0]?.reason).toMatch(reason)
    expect(result.text).toContain('Good.')
  })

  it('a resolver that throws values with no string form, null, or undefined: `missing`, never a crash', async () => {
    for (const thrown of [Object.create(null), null, undefined, Symbol('s'), { toString: () => { throw new Error('nope') } }]) {
      const failing: Resolver = (uri) => {
        if (uri.endsWith('/bad')) throw thrown
        return resolver(uri, {})
      }
      const result = await assemble('# R\n\n- orchestr8://lib/bad\n\n- orchestr8://lib/good-a\n', { resolver: failing })
      expectSound(result)
      expect(result.report.references.map((r) => r.decision)).toEqual(['missing', 'inlined'])
      expect(result.report.references[0]?.reason).toMatch(/^missing: RESOLVER_ERROR: /)
    }
  })
})
