/**
 * Hostile references: malformed URIs, 100 KB URIs, unknown schemes, targets that are missing,
 * the document itself, or a long cycle. One generator per case.
 */
import { describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { parseDocument } from '../../src/parse/document.js'
import { findUris, parseUri } from '../../src/parse/uri.js'
import { memoryResolver } from '../../src/resolve/resolver.js'
import { assembleAround } from './harness.js'
import { elapsed, expectDiagnostic, expectSound, expectWellFormed } from './helpers.js'

interface UriCase {
  name: string
  /** The reference as written in the document. */
  raw: () => string
  /** Expected reason fragment in `parsed.invalid`. */
  invalid: RegExp
  /** A bare scheme: invalid as a slot, but in prose it names the scheme and is no reference. */
  bare?: boolean
}

const KB100 = 100 * 1024

export const MALFORMED: UriCase[] = [
  { name: 'empty path (orchestr8://)', raw: () => 'orchestr8://', invalid: /empty path/, bare: true },
  { name: 'absolute path (orchestr8:///x)', raw: () => 'orchestr8:///x', invalid: /absolute path/ },
  { name: 'bad percent escape (%zz)', raw: () => 'orchestr8://examples/%zz', invalid: /malformed percent-escape/ },
  { name: 'truncated percent escape (%E0%A4%A)', raw: () => 'orchestr8://examples/%E0%A4%A', invalid: /malformed percent-escape/ },
  { name: 'lone percent sign', raw: () => 'orchestr8://examples/100%', invalid: /malformed percent-escape/ },
  { name: 'encoded NUL', raw: () => 'orchestr8://examples/x%00y', invalid: /NUL/ },
  { name: '100 KB URI of letters', raw: () => `orchestr8://${'a'.repeat(KB100)}`, invalid: /limit 4096/ },
  { name: '100 KB URI of balanced braces', raw: () => `orchestr8://a${'{}'.repeat(KB100 / 2)}`, invalid: /limit 4096/ },
  { name: '100 KB URI of dots then a letter', raw: () => `orchestr8://a${'.'.repeat(KB100)}b`, invalid: /limit 4096/ },
  { name: '100 KB URI of percent signs', raw: () => `orchestr8://a${'%'.repeat(KB100)}`, invalid: /limit 4096/ },
  { name: '100 KB URI of slashes', raw: () => `orchestr8://${'/'.repeat(KB100)}a`, invalid: /limit 4096/ },
  { name: '100 KB match query', raw: () => `orchestr8://match?query=${'x&'.repeat(KB100 / 2)}`, invalid: /limit 4096/ },
  { name: '100 KB of %2e%2e/', raw: () => `orchestr8://${'%2e%2e/'.repeat(KB100 / 7)}secret`, invalid: /limit 4096/ },
]

describe('malformed references', () => {
  it.each(MALFORMED.map((c) => [c.name, c] as const))('%s: invalid, diagnosed with file and line, fast', async (_n, c) => {
    const raw = c.raw()
    const source = `---\nid: bad\n---\n# Bad\n\nSome prose first.\n\n**→ Load:** ${raw}\n\nAnd a mention of ${raw} in prose.\n`
    const { value: doc, ms } = await elapsed(() => parseDocument(source, { path: 'agents/bad.md' }))
    expect(ms).toBeLessThan(5_000)
    expectWellFormed(doc.diagnostics)
    const refs = doc.references.filter((r) => r.parsed.invalid)
    expect(refs.map((r) => r.kind)).toEqual(c.bare ? ['slot'] : ['slot', 'mention'])
    for (const r of refs) expect(r.parsed.invalid).toMatch(c.invalid)
    // Reported once per occurrence, with the file, line and column; messages stay short.
    const diags = doc.diagnostics.filter((d) => d.code === 'REFERENCE_INVALID')
    expect(diags.map((d) => [d.file, d.line])).toEqual([['agents/bad.md', 8], ...(c.bare ? [] : [['agents/bad.md', 10]])])
    for (const d of diags) expect(d.message.length).toBeLessThan(400)

    const result = await assemble(doc, { resolver: memoryResolver({}) })
    expectSound(result)
    expect(result.report.references.filter((r) => r.depth === 1).map((r) => r.decision)).toEqual(c.bare ? ['invalid'] : ['invalid', 'invalid'])
    for (const r of result.report.references) expect(r.reason.length + r.uri.length).toBeLessThan(1_000)
    // The slot becomes one short stand-in line; the mention stays as written.
    expect(result.text).toContain('→ Invalid reference: ')
    expect(result.text).toContain(`And a mention of ${raw} in prose.`)
  })

  it.each(MALFORMED.map((c) => [c.name, c] as const))('%s: as a resolved document, the assembly around it goes on', async (_n, c) => {
    const { hostileRow, report } = await assembleAround(`# Target\n\n\`\`\`\n${c.raw()}\n\`\`\`\n`)
    expect(hostileRow.decision).toBe('inlined')
    expect(report.references.find((r) => r.depth === 2)?.decision).toBe('invalid')
    expectDiagnostic(report.diagnostics, 'REFERENCE_INVALID', { file: 'orchestr8://lib/hostile', line: 4 })
  })

  it('100 KB of closing braces after a URI are text, not part of it', async () => {
    const source = `# T\n\n**→ Load:** orchestr8://a${'}'.repeat(KB100)}\n`
    const { value: doc, ms } = await elapsed(() => parseDocument(source))
    expect(ms).toBeLessThan(5_000)
    expect(doc.references.map((r) => [r.kind, r.uri])).toEqual([['mention', 'orchestr8://a']])
  })

  it('findUris and parseUri stay linear on 1 MB of URI-ish text', async () => {
    for (const s of ['}', '.', '%', '/', '?', '&', '@', ':', '{']) {
      const text = `orchestr8://a${s.repeat(1024 * 1024)}`
      const { ms } = await elapsed(() => findUris(text).map((m) => parseUri(m.raw)))
      expect(ms, `1 MB of ${s}`).toBeLessThan(2_000)
    }
  })
})

describe('unknown schemes', () => {
  it.each([
    ['a decorated slot', '**→ Load:** skill://examples/x', 3],
    ['a list item', '- agent://examples/x', 3],
    ['an unlabelled fence', '```\nfoo://a\nbar://b\n```', 4],
    ['a legacy @ slot', '@skill://examples/x', 3],
  ])('%s of an unknown scheme is diagnosed and kept as text', async (_n, block, line) => {
    const source = `# T\n\n${block}\n`
    const doc = parseDocument(source, { path: 'agents/u.md' })
    expect(doc.references).toEqual([])
    expectDiagnostic(doc.diagnostics, 'REFERENCE_UNKNOWN_SCHEME', { file: 'agents/u.md', line })
    const { text } = await assemble(doc)
    expect(text).toBe(source)
  })

  it('web links and unknown schemes in running prose are plain text, not diagnosed', () => {
    const doc = parseDocument('# T\n\nhttps://example.com/x\n\nSee foo://x for more.\n', { path: 'agents/u.md' })
    expect(doc.diagnostics.filter((d) => d.code === 'REFERENCE_UNKNOWN_SCHEME')).toEqual([])
  })

  it('a configured scheme set makes them references', () => {
    const doc = parseDocument('# T\n\n**→ Load:** skill://examples/x\n', { schemes: ['orchestr8', 'skill'] })
    expect(doc.references.map((r) => [r.kind, r.uri])).toEqual([['slot', 'skill://examples/x']])
  })
})

describe('references that point to nothing, to themselves, or in a long cycle', () => {
  it('a missing target is `missing` with a reason and a diagnostic with file and line', async () => {
    const { hostileRow, report, text } = await assembleAround('# Target\n\n```\norchestr8://lib/nowhere\n```\n')
    expect(hostileRow.decision).toBe('inlined')
    expect(report.references.find((r) => r.uri === 'orchestr8://lib/nowhere')).toMatchObject({ decision: 'missing', reason: 'missing: not found', depth: 2 })
    expectDiagnostic(report.diagnostics, 'REFERENCE_MISSING', { file: 'orchestr8://lib/hostile', line: 4 })
    expect(text).toContain('→ Unavailable: orchestr8://lib/nowhere\n')
  })

  it('a document whose slot points to itself: a cycle, never followed', async () => {
    const { hostileRow, report, text } = await assembleAround('# Target\n\nSelf:\n\n- orchestr8://lib/hostile\n')
    expect(hostileRow.decision).toBe('inlined')
    expect(report.references.filter((r) => r.uri === 'orchestr8://lib/hostile').map((r) => [r.depth, r.decision])).toEqual([
      [1, 'inlined'],
      [2, 'cycle'],
    ])
    expectDiagnostic(report.diagnostics, 'REFERENCE_CYCLE', { file: 'orchestr8://lib/hostile', line: 5 })
    expect(text).toContain('→ Loaded above: orchestr8://lib/hostile\n')
  })

  it('the root referring to itself (slot, mention, related) is a cycle', async () => {
    const source = '---\nrelatedResources: [orchestr8://agents/self]\n---\n# Self\n\n```\norchestr8://agents/self\n```\n\nSee orchestr8://agents/self too.\n'
    const { report } = await assemble(parseDocument(source, { path: 'agents/self.md' }), { resolver: memoryResolver({ 'orchestr8://agents/self': source }) })
    expect(report.references.map((r) => [r.kind, r.decision])).toEqual([
      ['slot', 'cycle'],
      ['mention', 'cycle'],
      ['related', 'cycle'],
    ])
  })

  it('a cycle of 200 documents is cut where it closes, at any maxDepth', async () => {
    const n = 200
    const lib: Record<string, string> = {}
    for (let i = 0; i < n; i++) lib[`orchestr8://ring/d${i}`] = `# D${i}\n\nStep ${i}.\n\n\`\`\`\norchestr8://ring/d${(i + 1) % n}\n\`\`\`\n`
    const root = parseDocument(lib['orchestr8://ring/d0'] as string, { uri: 'orchestr8://ring/d0', path: 'ring/d0.md' })
    const { value: result, ms } = await elapsed(() => assemble(root, { resolver: memoryResolver(lib), maxDepth: n + 5, maxDocuments: n + 5 }))
    expect(ms).toBeLessThan(20_000)
    expectSound(result)
    const decisions = result.report.references.map((r) => r.decision)
    expect(decisions.filter((d) => d === 'inlined')).toHaveLength(n - 1)
    expect(decisions.at(-1)).toBe('cycle')
    expect(result.report.references.at(-1)).toMatchObject({ uri: 'orchestr8://ring/d0', depth: n })
    expectDiagnostic(result.report.diagnostics, 'REFERENCE_CYCLE', { line: 6 })
    for (let i = 0; i < n; i++) expect(result.text).toContain(`Step ${i}.`)
  })
})
