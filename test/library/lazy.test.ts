import { writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'

// Count every full parse and every token count the library does.
const calls = vi.hoisted(() => ({ parse: 0, count: 0 }))
vi.mock('../../src/parse/document.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/parse/document.js')>()
  return {
    ...original,
    parseDocument: (...args: Parameters<typeof original.parseDocument>) => {
      calls.parse++
      return original.parseDocument(...args)
    },
  }
})

const { loadLibrary } = await import('../../src/library/index.js')
const { fixtureLibrary, tempCopy } = await import('./helpers.js')
const { scanHeadings } = await import('../../src/library/headings.js')
const { readFrontmatter } = await import('../../src/parse/frontmatter.js')

describe('laziness', () => {
  it('indexes from frontmatter only: loading, listing and resolving never parse a body', async () => {
    calls.parse = 0
    const lib = await loadLibrary({ root: fixtureLibrary })
    expect(lib.entries).toHaveLength(25)
    await lib('postgres-specialist', {})
    lib.get('orchestr8://examples/postgres-backup-recovery')
    lib.lookup('connection-pooling')
    lib.source('sql-indexing')
    expect(calls.parse).toBe(0)
  })

  it('titles read the parse; matching reads a heading scan that agrees with it, else the parse; each body parsed once and shared with document() and graph()', async () => {
    calls.parse = 0
    const lib = await loadLibrary({ root: fixtureLibrary })
    expect(lib.title('postgres-specialist')).toBe('PostgreSQL Specialist')
    expect(calls.parse).toBe(1)
    // Bodies the scan is not certain about (src/library/headings.ts) are parsed for matching; the others are not.
    const bodyOf = (source: string) => source.slice(readFrontmatter(source, undefined, undefined).bodyOffset)
    const declined = lib.entries.filter((e) => e.path !== 'agents/postgres-specialist.md' && scanHeadings(bodyOf(lib.source(e.uri) ?? '')) === undefined).length
    expect(declined).toBeLessThan(24)
    lib.match('postgres replication failover')
    expect(calls.parse).toBe(1 + declined)
    lib.match('react state')
    lib.title('postgres-specialist')
    expect(calls.parse).toBe(1 + declined)
    lib.document('sql-indexing')
    lib.graph()
    expect(calls.parse).toBe(25)
    lib.graph()
    expect(calls.parse).toBe(25)
  })

  it('parses a body on first use and caches it by content', async () => {
    const { dir, cleanup } = tempCopy(fixtureLibrary)
    try {
      calls.parse = 0
      const lib = await loadLibrary({ root: dir })
      const a = lib.document('postgres-specialist')
      expect(calls.parse).toBe(1)
      expect(lib.document(`orchestr8://agents/postgres-specialist`)).toBe(a)
      expect(calls.parse).toBe(1)
      // The graph parses every other document once.
      lib.graph()
      expect(calls.parse).toBe(25)
      lib.graph()
      expect(calls.parse).toBe(25)
      // A refresh that changes one file re-parses only that one.
      const file = path.join(dir, 'skills', 'query-plans.md')
      writeFileSync(file, '---\nid: query-plans\ncategory: skill\n---\n# Query Plans, Revised\n')
      await lib.refresh()
      lib.graph()
      expect(calls.parse).toBe(26)
      expect(lib.document('postgres-specialist')).toBe(a)
    } finally {
      cleanup()
    }
  })

  it('counts tokens on first use only, per counter, keyed by content', async () => {
    const lib = await loadLibrary({ root: fixtureLibrary })
    const counter = { encoding: 'fake', count: vi.fn((t: string) => t.length) }
    expect(lib.tokens('sql-indexing', { counter })).toBe(lib.source('sql-indexing')?.length)
    lib.tokens('sql-indexing', { counter })
    lib.tokens('orchestr8://skills/sql-indexing', { counter })
    expect(counter.count).toHaveBeenCalledTimes(1)
  })
})
