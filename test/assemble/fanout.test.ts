/**
 * Dynamic `match` fan-out is bounded (issue 17, item 4): every `match` search counts against
 * `maxMatches` in one assembly, one slot expands into at most `maxMatchResults` URIs, and the
 * URIs a search returns that are already resolved cost no new resolver call.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import type { MatchFunction } from '../../src/assemble/settings.js'
import { ASSEMBLE_DEFAULTS, settingsFrom } from '../../src/assemble/settings.js'
import { InvalidOptionError } from '../../src/errors.js'
import { type Library, loadLibrary } from '../../src/library/index.js'
import { parseDocument } from '../../src/parse/document.js'
import type { MatchQuery } from '../../src/parse/uri.js'
import { describeCause } from '../../src/report/causes.js'
import { memoryResolver, type Resolver } from '../../src/resolve/resolver.js'

/** 40 skills that all match "skill". */
const SKILLS = 40
let base: string
let library: Library

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), 'promptfold-fanout-'))
  mkdirSync(path.join(base, 'skills'))
  for (let i = 0; i < SKILLS; i++) writeFileSync(path.join(base, 'skills', `s${i}.md`), `---\nid: s${i}\n---\n# Skill ${i}\n\nBody ${i}.\n`)
  library = await loadLibrary({ root: base })
})
afterAll(() => rmSync(base, { recursive: true, force: true }))

/** An agent with `n` dynamic slots, one per paragraph (slot i on line 3 + 2i). */
function agent(n: number, uri: (i: number) => string): ReturnType<typeof parseDocument> {
  let source = '# Agent\n\n'
  for (let i = 0; i < n; i++) source += `**→ Load:** ${uri(i)}\n\n`
  return parseDocument(source, { path: 'agents/fan.md' })
}


describe('1,000 dynamic slots asking for 1,000 results each, over a library, default options', () => {
  const raw = 'orchestr8://match?query=skill&maxResults=1000'

  it('assembles in well under a second: 20 searches of 20 URIs, the other 980 slots deferred with MAX_MATCHES', async () => {
    const doc = agent(1000, () => raw)
    await assemble('# Warm\n\nThe counter is built once.\n') // the encoder's first build is not fan-out
    const t = performance.now()
    const { report } = await assemble(doc, { resolver: library })
    const ms = performance.now() - t
    expect(ms).toBeLessThan(1000)

    const rows = report.references
    // Slot 1 gives 20 candidates, slots 2-20 give 20 duplicates each, slots 21-1000 are not searched.
    expect(rows.length).toBe(20 + 19 * 20 + 980)
    const first20 = rows.slice(0, 20)
    const ranked = library.match('skill', { maxResults: 20 }).map((m) => m.uri)
    expect(ranked.length).toBe(20)
    expect(first20.map((r) => [r.uri, r.decision, r.cause])).toEqual(ranked.map((u) => [u, 'inlined', 'FITS']))
    expect(rows.slice(20, 400).every((r) => r.decision === 'duplicate' && r.cause === 'DUPLICATE')).toBe(true)
    const deferred = rows.slice(400)
    expect(deferred.length).toBe(980)
    expect(new Set(deferred.map((r) => `${r.uri} ${r.decision} ${r.cause} ${r.reason}`))).toEqual(new Set([`${raw} deferred MAX_MATCHES limit: maxMatches (20) match searches already made`]))
    expect(deferred.map((r) => r.line).slice(0, 2)).toEqual([3 + 2 * 20, 3 + 2 * 21])

    const limits = report.diagnostics.filter((d) => d.code.startsWith('LIMIT_'))
    expect(limits.length).toBe(21)
    expect(limits.slice(0, 2)).toEqual([
      { code: 'LIMIT_MAX_MATCH_RESULTS', severity: 'warning', message: `${raw}: maxResults=1,000 is over maxMatchResults 20; asked for 20`, file: 'agents/fan.md', line: 3, column: 13 },
      { code: 'LIMIT_MAX_MATCH_RESULTS', severity: 'warning', message: `${raw}: maxResults=1,000 is over maxMatchResults 20; asked for 20`, file: 'agents/fan.md', line: 5, column: 13 },
    ])
    expect(limits.filter((d) => d.code === 'LIMIT_MAX_MATCH_RESULTS').map((d) => d.line)).toEqual(Array.from({ length: 20 }, (_, i) => 3 + 2 * i))
    expect(limits[20]).toEqual({
      code: 'LIMIT_MAX_MATCHES',
      severity: 'warning',
      message: `Stopped expanding dynamic slots after 20 match searches (maxMatches), first left out: ${raw}`,
      file: 'agents/fan.md',
      line: 43,
      column: 13,
    })
  })
})

/** A match function that records what it was asked and answers `answer(query)`. */
function recording(answer: (q: MatchQuery) => readonly string[]) {
  const asked: MatchQuery[] = []
  const match: MatchFunction = (q) => {
    asked.push(q)
    return answer(q)
  }
  return { match, asked }
}

/** A memory resolver over docs d0..d(n-1), counting calls. */
function counted(n: number) {
  const docs: Record<string, string> = {}
  for (let i = 0; i < n; i++) docs[`orchestr8://lib/d${i}`] = `# D${i}\n\nBody ${i}.\n`
  const inner = memoryResolver(docs)
  const calls: string[] = []
  const resolver: Resolver = (uri, ctx) => {
    calls.push(uri)
    return inner(uri, ctx)
  }
  return { resolver, calls }
}

describe('maxMatches (default 20)', () => {
  it('defaults to 20, and is checked', () => {
    expect(ASSEMBLE_DEFAULTS.maxMatches).toBe(20)
    expect(settingsFrom({}).maxMatches).toBe(20)
    expect(settingsFrom({ maxMatches: 0 }).maxMatches).toBe(0)
    for (const bad of [-1, 1.5, Number.NaN, '3']) {
      expect(() => settingsFrom({ maxMatches: bad as number })).toThrow(InvalidOptionError)
      expect(() => settingsFrom({ maxMatches: bad as number })).toThrow(`Invalid option \`maxMatches\`: must be an integer >= 0, got ${String(bad)}`)
    }
  })

  it('counts every search, at any depth, and calls match no more than that', async () => {
    const { resolver } = counted(4)
    const nested = '# Nested\n\n' + [0, 1, 2].map((i) => `**→ Load:** orchestr8://match?query=n${i}\n\n`).join('')
    const docs = memoryResolver({ 'orchestr8://lib/nested': nested })
    const both: Resolver = (uri, ctx) => (uri === 'orchestr8://lib/nested' ? docs(uri, ctx) : resolver(uri, ctx))
    const { match, asked } = recording((q) => (q.query === 'n1' ? [] : ['orchestr8://lib/d0']))
    const doc = parseDocument('# Root\n\n**→ Load:** orchestr8://lib/nested\n\n**→ Load:** orchestr8://match?query=root\n', { path: 'agents/root.md' })
    const { report } = await assemble(doc, { resolver: both, match, maxMatches: 3 })
    expect(asked.map((q) => q.query)).toEqual(['n0', 'n1', 'n2'])
    expect(report.references.map((r) => [r.uri, r.cause])).toEqual([
      ['orchestr8://lib/nested', 'FITS'],
      ['orchestr8://lib/d0', 'FITS'],
      ['orchestr8://match?query=n1', 'NO_MATCH'],
      ['orchestr8://lib/d0', 'DUPLICATE'],
      ['orchestr8://match?query=root', 'MAX_MATCHES'],
    ])
    expect(report.diagnostics.filter((d) => d.code === 'LIMIT_MAX_MATCHES')).toEqual([
      { code: 'LIMIT_MAX_MATCHES', severity: 'warning', message: 'Stopped expanding dynamic slots after 3 match searches (maxMatches), first left out: orchestr8://match?query=root', file: 'agents/root.md', line: 5, column: 13 },
    ])
  })

  it('0 searches nothing: every dynamic slot is deferred, reported once', async () => {
    const { match, asked } = recording(() => ['orchestr8://lib/d0'])
    const { resolver } = counted(1)
    const { report } = await assemble(agent(3, (i) => `orchestr8://match?query=q${i}`), { resolver, match, maxMatches: 0 })
    expect(asked).toEqual([])
    expect(report.references.map((r) => [r.decision, r.cause, r.reason])).toEqual(Array.from({ length: 3 }, () => ['deferred', 'MAX_MATCHES', 'limit: maxMatches (0) match searches already made']))
    expect(report.diagnostics.filter((d) => d.code === 'LIMIT_MAX_MATCHES').map((d) => d.line)).toEqual([3])
    expect(describeCause('MAX_MATCHES', { limit: 1000 })).toBe('limit: maxMatches (1,000) match searches already made')
  })
})

describe('maxMatchResults (default 20)', () => {
  it('defaults to 20, and is checked', () => {
    expect(ASSEMBLE_DEFAULTS.maxMatchResults).toBe(20)
    expect(settingsFrom({}).maxMatchResults).toBe(20)
    for (const bad of [0, -1, 2.5]) {
      expect(() => settingsFrom({ maxMatchResults: bad })).toThrow(`Invalid option \`maxMatchResults\`: must be an integer >= 1, got ${bad}`)
    }
  })

  it('asks for at most maxMatchResults; a slot within it is asked as written, without a warning', async () => {
    const { resolver } = counted(10)
    const { match, asked } = recording((q) => Array.from({ length: q.maxResults ?? 1 }, (_, i) => `orchestr8://lib/d${i}`))
    const doc = agent(2, (i) => `orchestr8://match?query=q${i}&maxResults=${i === 0 ? 3 : 5}`)
    const { report } = await assemble(doc, { resolver, match, maxMatchResults: 4 })
    expect(asked.map((q) => q.maxResults)).toEqual([3, 4])
    expect(report.references.map((r) => [r.uri, r.cause])).toEqual([
      ['orchestr8://lib/d0', 'FITS'],
      ['orchestr8://lib/d1', 'FITS'],
      ['orchestr8://lib/d2', 'FITS'],
      ['orchestr8://lib/d0', 'DUPLICATE'],
      ['orchestr8://lib/d1', 'DUPLICATE'],
      ['orchestr8://lib/d2', 'DUPLICATE'],
      ['orchestr8://lib/d3', 'FITS'],
    ])
    expect(report.diagnostics.filter((d) => d.code === 'LIMIT_MAX_MATCH_RESULTS')).toEqual([
      { code: 'LIMIT_MAX_MATCH_RESULTS', severity: 'warning', message: 'orchestr8://match?query=q1&maxResults=5: maxResults=5 is over maxMatchResults 4; asked for 4', file: 'agents/fan.md', line: 5, column: 13 },
    ])
  })

  it('cuts a match function that answers with more, keeping the first distinct URIs', async () => {
    const { resolver, calls } = counted(30)
    const flood = Array.from({ length: 10_000 }, (_, i) => `orchestr8://lib/d${i % 30}`)
    const { match } = recording(() => ['orchestr8://lib/d0', 'orchestr8://lib/d0.md', ...flood])
    const { report } = await assemble(agent(1, () => 'orchestr8://match?query=all'), { resolver, match })
    expect(report.references.map((r) => r.uri)).toEqual(Array.from({ length: 20 }, (_, i) => `orchestr8://lib/d${i}`))
    expect(calls.length).toBe(20)
    expect(report.diagnostics.filter((d) => d.code === 'LIMIT_MAX_MATCH_RESULTS').map((d) => d.message)).toEqual([
      'orchestr8://match?query=all: match returned 10,002 URIs, over maxMatchResults 20; the first 20 are used',
    ])
  })
})

describe('URIs a search returns that are already resolved cost nothing new', () => {
  it('neither a resolver call nor a place under maxDocuments', async () => {
    const { resolver, calls } = counted(3)
    const { match } = recording(() => ['orchestr8://lib/d2', 'orchestr8://lib/d1', 'orchestr8://lib/d0'])
    const source = '# Root\n\n' + ['orchestr8://lib/d0', 'orchestr8://lib/d1', 'orchestr8://lib/d2'].map((u) => `**→ Load:** ${u}\n\n`).join('') + '**→ Load:** orchestr8://match?query=again\n\n**→ Load:** orchestr8://match?query=more\n'
    const { report } = await assemble(parseDocument(source, { path: 'agents/again.md' }), { resolver, match, maxDocuments: 3 })
    expect(calls.sort()).toEqual(['orchestr8://lib/d0', 'orchestr8://lib/d1', 'orchestr8://lib/d2'])
    expect(report.references.map((r) => r.cause)).toEqual(['FITS', 'FITS', 'FITS', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE'])
    expect(report.diagnostics.filter((d) => d.code.startsWith('LIMIT_'))).toEqual([])
  })
})
