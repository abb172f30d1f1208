/**
 * Each phase of `assemble` alone, on plain data, and the outcome codes every row carries.
 */
import { describe, expect, it } from 'vitest'
import { choose } from '../../src/assemble/choose.js'
import { expandTree } from '../../src/assemble/expand.js'
import { createFetcher } from '../../src/assemble/fetch.js'
import { assemble, clearParseCache, parseCacheStats } from '../../src/assemble/index.js'
import { measureTree } from '../../src/assemble/measure.js'
import { ParseCache } from '../../src/assemble/parse-cache.js'
import { ASSEMBLE_DEFAULTS, settingsFrom } from '../../src/assemble/settings.js'
import { BudgetExceededError, InvalidOptionError, PromptfoldError } from '../../src/errors.js'
import { parseDocument } from '../../src/parse/document.js'
import { CAUSE_DECISION, describeCause, isDangling, REFERENCE_CAUSES } from '../../src/report/causes.js'
import { memoryResolver, type Resolver } from '../../src/resolve/resolver.js'
import { tiktokenCount } from '../helpers/oracle.js'

const body = (title: string, words: number) => `# ${title}\n\n${Array.from({ length: words }, (_, i) => `word${i}`).join(' ')}\n`
const root = parseDocument(
  [
    '---',
    'id: agent',
    '---',
    '# Agent',
    '',
    'Core text.',
    '',
    '## Examples',
    '',
    '```',
    'orchestr8://ex/a',
    '```',
    '',
    '```',
    'orchestr8://ex/b',
    '```',
    '',
    '```',
    'orchestr8://ex/nowhere',
    '```',
    '',
    'See `orchestr8://ex/a` in prose.',
    '',
  ].join('\n'),
  { path: 'agents/agent.md' },
)
const library = memoryResolver({
  'orchestr8://ex/a': body('A', 40),
  'orchestr8://ex/b': `${body('B', 300)}\n\`\`\`\norchestr8://ex/a\n\`\`\`\n`,
})

describe('settings phase', () => {
  it('applies every default', () => {
    const s = settingsFrom({})
    expect({ budget: s.budget, strategy: s.strategy, maxDepth: s.maxDepth, maxDocuments: s.maxDocuments, maxMatches: s.maxMatches, maxMatchResults: s.maxMatchResults, resolveTimeout: s.resolveTimeout, maxDocumentBytes: s.maxDocumentBytes }).toEqual({
      budget: Number.POSITIVE_INFINITY,
      strategy: 'greedy',
      ...ASSEMBLE_DEFAULTS,
    })
    expect([s.query, [...s.include], [...s.exclude], s.schemes, s.counter.encoding]).toEqual([undefined, [], [], ['orchestr8'], 'o200k_base'])
  })

  it('normalizes include and exclude, trims the query, names the bad option', () => {
    const s = settingsFrom({ include: ['@orchestr8://ex/a.md'], exclude: ['orchestr8://ex/b'], query: '  tracking  ' })
    expect([[...s.include], [...s.exclude], s.query]).toEqual([['orchestr8://ex/a'], ['orchestr8://ex/b'], 'tracking'])
    expect(settingsFrom({ query: '   ' }).query).toBeUndefined()
    for (const [options, option] of [
      [{ budget: -1 }, 'budget'],
      [{ strategy: 'best' }, 'strategy'],
      [{ maxDepth: 1.5 }, 'maxDepth'],
      [{ resolveTimeout: 0 }, 'resolveTimeout'],
      [{ include: 'orchestr8://x' }, 'include'],
    ] as const) {
      const error = (() => {
        try {
          settingsFrom(options as never)
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(InvalidOptionError)
      expect((error as InvalidOptionError).option).toBe(option)
    }
  })
})

describe('fetch phase', () => {
  it('answers each URI once, with a cause when it cannot', async () => {
    let calls = 0
    const resolver: Resolver = (uri) => {
      calls++
      if (uri.endsWith('/boom')) throw new Error('disk on fire')
      if (uri.endsWith('/denied')) throw new PromptfoldError('ACCESS_DENIED', 'outside the root')
      if (uri.endsWith('/twice')) throw new PromptfoldError('AMBIGUOUS_REFERENCE', 'two documents')
      return uri.endsWith('/here') ? '# Here\n' : undefined
    }
    const fetcher = createFetcher(settingsFrom({ resolver, maxDocuments: 5 }))
    const got = await Promise.all(['here', 'here', 'gone', 'boom', 'denied', 'twice', 'sixth'].map((p) => fetcher.fetch(`orchestr8://x/${p}`, undefined)))
    expect(got.map((r) => (r.ok ? `ok ${r.doc.title}` : `${r.cause} ${r.message ?? ''}`.trim()))).toEqual([
      'ok Here',
      'ok Here',
      'NOT_FOUND',
      'RESOLVER_ERROR RESOLVER_ERROR: disk on fire',
      'ACCESS_DENIED ACCESS_DENIED: outside the root',
      'AMBIGUOUS AMBIGUOUS_REFERENCE: two documents',
      'MAX_DOCUMENTS',
    ])
    expect(calls).toBe(5)
  })

  it('times out a resolver that never answers', async () => {
    const fetcher = createFetcher(settingsFrom({ resolver: () => new Promise(() => undefined), resolveTimeout: 20 }))
    expect(await fetcher.fetch('orchestr8://x/slow', undefined)).toEqual({ ok: false, cause: 'RESOLVE_TIMEOUT', message: 'RESOLVE_TIMEOUT: resolver did not answer within 20 ms', diagnostics: [] })
  })
})

describe('expand, measure and choose phases', () => {
  it('expand builds rows with causes and candidates in preorder', async () => {
    const settings = settingsFrom({ resolver: library })
    const tree = await expandTree(root, settings, createFetcher(settings))
    expect(tree.candidates.map((c) => [c.index, c.parent, c.uri])).toEqual([
      [0, -1, 'orchestr8://ex/a'],
      [1, -1, 'orchestr8://ex/b'],
    ])
    expect(tree.rows.map((r) => [r.ref.kind, r.depth, r.ref.uri, r.cause])).toEqual([
      ['slot', 1, 'orchestr8://ex/a', 'NOT_SELECTED'],
      ['slot', 1, 'orchestr8://ex/b', 'NOT_SELECTED'],
      ['slot', 2, 'orchestr8://ex/a', 'DUPLICATE'],
      ['slot', 1, 'orchestr8://ex/nowhere', 'NOT_FOUND'],
      ['mention', 1, 'orchestr8://ex/a', 'MENTION'],
    ])
    expect(tree.diagnostics.map((d) => `${d.code} ${d.file}:${d.line} ${d.message}`)).toEqual(['REFERENCE_MISSING agents/agent.md:19 orchestr8://ex/nowhere: not found'])
  })

  it('measure counts exactly; choose keeps to the budget and throws below the core', async () => {
    const settings = settingsFrom({ resolver: library })
    const tree = await expandTree(root, settings, createFetcher(settings))
    const m = measureTree(tree, settings)
    expect(m.tokens).toEqual([tiktokenCount(body('A', 40).replace(/^# A/, '### A')), m.tokens[1]])
    expect(m.coreTokens).toBeLessThan(m.traditional)
    expect(m.weights[0]).toBe(m.total(new Set([0])) - m.coreTokens)
    const budget = m.total(new Set([0])) + 1
    const choice = choose(tree, m, { ...settings, budget }, root.path)
    expect([...choice.chosen]).toEqual([0])
    expect(() => choose(tree, m, { ...settings, budget: m.coreTokens - 1 }, root.path)).toThrow(BudgetExceededError)
  })
})

describe('causes', () => {
  it('every row of an assembly has a cause that matches its decision, and its reason is written from it', async () => {
    const { report } = await assemble(root, { resolver: library, budget: 150 })
    for (const r of report.references) {
      expect(REFERENCE_CAUSES).toContain(r.cause)
      expect(CAUSE_DECISION[r.cause]).toBe(r.decision)
    }
    expect(report.references.map((r) => [r.uri, r.decision, r.cause])).toEqual([
      ['orchestr8://ex/a', 'inlined', 'FITS'],
      ['orchestr8://ex/b', 'deferred', 'BUDGET'],
      ['orchestr8://ex/a', 'duplicate', 'DUPLICATE'],
      ['orchestr8://ex/nowhere', 'missing', 'NOT_FOUND'],
      ['orchestr8://ex/a', 'deferred', 'MENTION'],
    ])
  })

  it('reasons group numbers, as the rest of the report does', () => {
    expect(describeCause('BUDGET', { needs: 1033, left: 1054 })).toBe('does not fit: needs 1,033 more tokens, 1,054 left')
    expect(describeCause('MAX_DOCUMENTS', { limit: 10000 })).toBe('limit: maxDocuments (10,000) documents already resolved')
    expect(describeCause('DEPTH', { limit: 2 })).toBe('beyond maxDepth 2')
  })

  it('dangling means the target names no single document', () => {
    expect(REFERENCE_CAUSES.filter(isDangling)).toEqual(['NOT_FOUND', 'AMBIGUOUS'])
  })
})

describe('the parse cache', () => {
  const request = (source: string, uri: string) => ({ source, uri, path: undefined, schemes: ['orchestr8'], maxDocumentBytes: 1_000_000, parseStore: undefined })

  it('is bounded by entries, least recently used out first', () => {
    const cache = new ParseCache({ maxEntries: 3, maxChars: 100 })
    const doc = (name: string) => request(`# ${name}\n`.padEnd(20, name.toLowerCase()), `orchestr8://${name}`)
    const a = cache.parse(doc('A'))
    const b = cache.parse(doc('B'))
    cache.parse(doc('C'))
    expect(cache.parse(doc('A'))).toBe(a) // a hit: now the most recent
    cache.parse(doc('D')) // a fourth entry: B, the least recent, goes
    expect(cache.stats()).toEqual({ entries: 3, chars: 60 })
    expect(cache.parse(doc('A'))).toBe(a)
    expect(cache.parse(doc('B'))).not.toBe(b)
  })

  it('is bounded by source size; a document over a quarter of it is parsed but not kept', () => {
    const cache = new ParseCache({ maxEntries: 10, maxChars: 100 })
    for (const name of ['A', 'B', 'C', 'D', 'E']) cache.parse(request(`# ${name}\n`.padEnd(25, 'x'), `orchestr8://${name}`))
    expect(cache.stats()).toEqual({ entries: 4, chars: 100 })
    const big = cache.parse(request('# Big\n'.padEnd(26, 'x'), 'orchestr8://big'))
    expect(big.title).toBe('Big')
    expect(cache.stats()).toEqual({ entries: 4, chars: 100 })
    expect(cache.clear()).toEqual({ entries: 4, chars: 100 })
    expect(cache.stats()).toEqual({ entries: 0, chars: 0 })
  })

  it('keys by everything that changes the parse', () => {
    const cache = new ParseCache()
    const one = cache.parse(request('# T\n', 'orchestr8://t'))
    expect(cache.parse(request('# T\n', 'orchestr8://u'))).not.toBe(one)
    expect(cache.parse({ ...request('# T\n', 'orchestr8://t'), maxDocumentBytes: 2 })).not.toBe(one)
    expect(cache.parse(request('# T\n', 'orchestr8://t'))).toBe(one)
  })

  it('the shared one is what assemble uses, and clearParseCache empties it', async () => {
    clearParseCache()
    await assemble(root, { resolver: library })
    const stats = parseCacheStats()
    expect(stats.entries).toBe(2)
    expect(clearParseCache()).toEqual(stats)
    expect(parseCacheStats()).toEqual({ entries: 0, chars: 0 })
  })
})
