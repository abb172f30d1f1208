import { describe, expect, it } from 'vitest'
import { assemble, fillPlaceholders } from '../../src/assemble/index.js'
import { parseDocument } from '../../src/parse/document.js'
import { parseUri } from '../../src/parse/uri.js'
import { fileSystemResolver } from '../../src/resolve/fs.js'
import { memoryResolver } from '../../src/resolve/resolver.js'
import { casesRoot, readFixture } from '../helpers/fixtures.js'
import { tiktokenCount } from '../helpers/oracle.js'

const resolver = fileSystemResolver({ root: casesRoot })
const load = (path: string) => parseDocument(readFixture(casesRoot, path), { path })
const decisions = (report: Awaited<ReturnType<typeof assemble>>['report']) => report.references.map((r) => [r.kind, r.depth, r.uri.replace('orchestr8://', ''), r.decision])

describe('assemble on fixtures/cases', () => {
  it('kinds.md: slots inlined in order, nested slot at depth 2, mentions and related listed', async () => {
    const { text, report } = await assemble(load('agents/kinds.md'), { resolver })
    expect(decisions(report)).toEqual([
      ['slot', 1, 'examples/epsilon', 'inlined'],
      ['slot', 1, 'examples/delta', 'inlined'],
      ['slot', 2, 'examples/nested-leaf', 'inlined'],
      ['slot', 1, 'examples/gamma', 'inlined'],
      ['slot', 1, 'examples/alpha', 'inlined'],
      ['slot', 1, 'examples/beta', 'inlined'],
      ['mention', 1, 'examples/gamma', 'deferred'],
      ['mention', 1, 'examples/delta', 'deferred'],
      ['related', 1, 'examples/epsilon', 'deferred'],
      ['related', 1, 'alpha', 'missing'],
    ])
    expect(report.totalTokens).toBe(tiktokenCount(text))
  })

  it('maxDepth 1 stops at the nested slot; maxDepth 0 inlines nothing', async () => {
    const one = await assemble(load('agents/kinds.md'), { resolver, maxDepth: 1 })
    expect(one.report.references.find((r) => r.uri.endsWith('nested-leaf'))).toMatchObject({ decision: 'deferred', reason: 'beyond maxDepth 1', tokens: null })
    const zero = await assemble(load('agents/kinds.md'), { resolver, maxDepth: 0 })
    expect(zero.report.references.filter((r) => r.decision === 'inlined')).toEqual([])
    expect(zero.report.totalTokens).toBe(zero.report.coreTokens)
  })

  it('a nested candidate is only inlined with its parent', async () => {
    const doc = load('agents/kinds.md')
    const all = await assemble(doc, { resolver })
    for (let budget = all.report.coreTokens; budget <= all.report.baselines.traditional; budget += 7) {
      const { report } = await assemble(doc, { resolver, budget, strategy: budget % 2 ? 'optimal' : 'greedy' })
      const delta = report.references.find((r) => r.kind === 'slot' && r.uri.endsWith('/delta'))
      const leaf = report.references.find((r) => r.uri.endsWith('nested-leaf'))
      if (leaf?.decision === 'inlined') expect(delta?.decision).toBe('inlined')
      expect(report.totalTokens).toBeLessThanOrEqual(budget)
    }
  })

  it('cycle-a.md: cycle-b inlined once, the way back reported as a cycle with a diagnostic', async () => {
    const { text, report } = await assemble(load('agents/cycle-a.md'), { resolver })
    expect(decisions(report)).toEqual([
      ['slot', 1, 'agents/cycle-b', 'inlined'],
      ['slot', 2, 'agents/cycle-a', 'cycle'],
    ])
    expect(text).toContain('→ Loaded above: orchestr8://agents/cycle-a\n')
    expect(report.diagnostics).toContainEqual(expect.objectContaining({ code: 'REFERENCE_CYCLE', file: 'agents/cycle-b.md', line: 18 }))
  })

  it('self-ref.md: its own slot is a cycle', async () => {
    const { report } = await assemble(load('examples/self-ref.md'), { resolver })
    expect(decisions(report).filter((d) => d[0] === 'slot')).toEqual([['slot', 1, 'examples/self-ref', 'cycle']])
  })

  it('missing.md: the missing slot is reported and the rest still inlined', async () => {
    const { text, report } = await assemble(load('agents/missing.md'), { resolver })
    expect(decisions(report).filter((d) => d[0] === 'slot')).toEqual([
      ['slot', 1, 'examples/does-not-exist', 'missing'],
      ['slot', 1, 'examples/alpha', 'inlined'],
    ])
    expect(report.references[0]?.reason).toBe('missing: not found')
    expect(text).toContain('→ Unavailable: orchestr8://examples/does-not-exist\n')
    expect(report.diagnostics).toContainEqual(expect.objectContaining({ code: 'REFERENCE_MISSING', file: 'agents/missing.md', line: 17 }))
  })

  it('duplicate slots: the same URI is inlined once; later ones point above', async () => {
    const src = '# A\n\n## One\n\n```\norchestr8://x\n```\n\n## Two\n\n```\norchestr8://x\n```\n'
    const { text, report } = await assemble(src, { resolver: memoryResolver({ 'orchestr8://x': '# X\n\nxx\n' }) })
    expect(report.references.map((r) => r.decision)).toEqual(['inlined', 'duplicate'])
    expect(report.references[1]?.tokens).toBe(report.references[0]?.tokens)
    expect(text).toBe('# A\n\n## One\n\n### X\n\nxx\n\n## Two\n\n→ Loaded above: orchestr8://x\n')
  })

  it('dedupes and detects cycles on the canonical URI a resolver returns (aliases, flat paths)', async () => {
    const canonical = 'orchestr8://examples/database/pg'
    const resolver = (uri: string) =>
      uri === 'orchestr8://examples/pg' || uri === canonical ? { source: '# PG\n\n```\norchestr8://examples/pg\n```\n', uri: canonical } : undefined
    const src = '# A\n\n```\norchestr8://examples/pg\n```\n\n```\norchestr8://examples/database/pg\n```\n'
    const { report } = await assemble(src, { resolver })
    expect(report.references.map((r) => [r.depth, r.uri, r.decision])).toEqual([
      [1, 'orchestr8://examples/pg', 'inlined'],
      [2, 'orchestr8://examples/pg', 'cycle'],
      [1, canonical, 'duplicate'],
    ])
  })

  it('dynamic.md: match slots expand through a match function, placeholders from vars', async () => {
    const seen: string[] = []
    const match = (q: { query: string; categories: string[] }) => {
      seen.push(`${q.query}|${q.categories.join(',')}`)
      return q.query === 'experiment tracking' ? ['orchestr8://examples/alpha', 'orchestr8://examples/beta'] : ['orchestr8://examples/gamma']
    }
    const { report } = await assemble(load('agents/dynamic.md'), { resolver, match, vars: { task: 'typescript' } })
    expect(seen).toEqual(['experiment tracking|example', 'typescript|skill'])
    expect(decisions(report)).toEqual([
      ['slot', 1, 'examples/alpha', 'inlined'],
      ['slot', 1, 'examples/beta', 'inlined'],
      ['slot', 1, 'examples/gamma', 'inlined'],
      ['slot', 1, 'examples/bad%zzescape', 'invalid'],
    ])
    const without = await assemble(load('agents/dynamic.md'), { resolver, match })
    expect(without.report.references[2]).toMatchObject({ decision: 'deferred', reason: expect.stringContaining('unfilled placeholders: ${task}') })
    expect(without.report.diagnostics).toContainEqual(expect.objectContaining({ code: 'MATCH_PLACEHOLDER', line: 23 }))
  })

  it('fillPlaceholders fills every field and lists what is left', () => {
    const q = parseUri('orchestr8://match?query=${a}+${b}&categories=${c}').parsed.match
    if (!q) throw new Error('no match query')
    expect(fillPlaceholders(q, { a: 'x', c: 'skill' })).toEqual({
      query: { ...q, query: 'x ${b}', categories: ['skill'], params: { query: 'x ${b}', categories: 'skill' } },
      unfilled: ['b'],
    })
  })

  it('a failing or silent resolver only turns references into missing', async () => {
    const src = '# A\n\n```\norchestr8://a\n```\n\n```\norchestr8://b\n```\n\n```\norchestr8://c\n```\n'
    const resolver = (uri: string) => {
      if (uri.endsWith('//a')) throw new Error('boom')
      if (uri.endsWith('//b')) return new Promise<string>(() => {})
      return Promise.reject(new TypeError('nope'))
    }
    const { report } = await assemble(src, { resolver, resolveTimeout: 50 })
    expect(report.references.map((r) => [r.decision, r.reason])).toEqual([
      ['missing', 'missing: RESOLVER_ERROR: boom'],
      ['missing', 'missing: RESOLVE_TIMEOUT: resolver did not answer within 50 ms'],
      ['missing', 'missing: RESOLVER_ERROR: nope'],
    ])
  })

  it('maxDocuments caps resolution and says so', async () => {
    const { report } = await assemble(load('agents/kinds.md'), { resolver, maxDocuments: 2 })
    expect(report.references.filter((r) => r.kind === 'slot').map((r) => r.decision)).toEqual(['inlined', 'inlined', 'deferred', 'deferred', 'deferred', 'deferred'])
    expect(report.diagnostics).toContainEqual(expect.objectContaining({ code: 'LIMIT_MAX_DOCUMENTS' }))
  })
})
