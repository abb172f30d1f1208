import { describe, expect, it } from 'vitest'
import { createLookupIndex, entryName, type LookupEntry, lookupReference } from '../../src/library/lookup.js'

const u = (p: string) => `orchestr8://${p}`
const entry = (path: string, id?: string): LookupEntry => ({ uri: u(path.replace(/\.md$/, '')), path, ...(id !== undefined ? { id } : {}) })

// A small library in path order, with one ambiguous alias and one ambiguous flat path.
const entries: LookupEntry[] = [
  entry('agents/runner.md', 'task-runner'),
  entry('examples/db/pooling.md'),
  entry('examples/db/replicas.md'),
  entry('examples/web/replicas.md'),
  entry('guides/start.md'),
  entry('patterns/cache.md', 'pooling'),
  entry('top.md'),
]
const index = createLookupIndex(entries, ['orchestr8', 'skill'])
const find = (ref: string) => lookupReference(index, ref)
const hit = (ref: string) => {
  const r = find(ref)
  return r.ok ? [r.entry.path, r.via] : [r.code, r.message, r.candidates ?? null]
}

describe('createLookupIndex', () => {
  it('files every claim on a name (id, then file name) and every nested entry under its category and file name', () => {
    expect([...index.names.entries()].map(([name, claims]) => [name, claims.map((c) => `${c.entry.path} (${c.how})`)])).toEqual([
      ['task-runner', ['agents/runner.md (id)']],
      ['runner', ['agents/runner.md (file name)']],
      ['pooling', ['examples/db/pooling.md (file name)', 'patterns/cache.md (id)']],
      ['replicas', ['examples/db/replicas.md (file name)', 'examples/web/replicas.md (file name)']],
      ['start', ['guides/start.md (file name)']],
      ['cache', ['patterns/cache.md (file name)']],
      ['top', ['top.md (file name)']],
    ])
    expect([...index.flat.entries()].map(([k, list]) => [k.replace('\u0000', ' '), list.map((e) => e.path)])).toEqual([
      ['agent runner', ['agents/runner.md']],
      ['example pooling', ['examples/db/pooling.md']],
      ['example replicas', ['examples/db/replicas.md', 'examples/web/replicas.md']],
      ['guide start', ['guides/start.md']],
      ['pattern cache', ['patterns/cache.md']],
    ])
    expect(index.schemes).toEqual(['orchestr8', 'skill'])
  })

  it('an id equal to the file name is one claim', () => {
    const one = createLookupIndex([entry('skills/a.md', 'a')], ['orchestr8'])
    expect(one.names.get('a')?.map((c) => c.how)).toEqual(['id'])
  })

  it('entryName is the file name without .md', () => {
    expect([entryName('a/b/c.md'), entryName('top.MD'), entryName('x')]).toEqual(['c', 'top', 'x'])
  })
})

describe('lookupReference: each way a target resolves', () => {
  it('exact path: a URI of any served scheme, also with @, .md, a trailing slash and white space', () => {
    expect(hit(u('examples/db/replicas'))).toEqual(['examples/db/replicas.md', 'uri'])
    expect(hit('@orchestr8://examples/db/replicas.md/')).toEqual(['examples/db/replicas.md', 'uri'])
    expect(hit('  skill://guides/start \n')).toEqual(['guides/start.md', 'uri'])
    expect(hit('examples/web/replicas.md')).toEqual(['examples/web/replicas.md', 'uri'])
    expect(hit(u('top'))).toEqual(['top.md', 'uri'])
  })

  it('id: a bare id or scheme://id names the one entry claiming it', () => {
    expect(hit('task-runner')).toEqual(['agents/runner.md', 'alias'])
    expect(hit(u('task-runner'))).toEqual(['agents/runner.md', 'alias'])
  })

  it('file name: a bare file name (also with .md) names the one entry with that name', () => {
    expect(hit('runner')).toEqual(['agents/runner.md', 'alias'])
    expect(hit('start.md')).toEqual(['guides/start.md', 'alias'])
    expect(hit('cache')).toEqual(['patterns/cache.md', 'alias'])
  })

  it('flat path: scheme://<category>/<name> finds the unique nested file, the category in either number', () => {
    expect(hit(u('examples/pooling'))).toEqual(['examples/db/pooling.md', 'flat'])
    expect(hit(u('example/pooling'))).toEqual(['examples/db/pooling.md', 'flat'])
    expect(hit('examples/pooling')).toEqual(['examples/db/pooling.md', 'flat'])
  })

  it('ambiguous flat path: every candidate listed, none picked', () => {
    expect(hit(u('examples/replicas'))).toEqual([
      'AMBIGUOUS',
      'orchestr8://examples/replicas could be any of orchestr8://examples/db/replicas, orchestr8://examples/web/replicas',
      [u('examples/db/replicas'), u('examples/web/replicas')],
    ])
  })

  it('ambiguous alias: a name claimed by an id and a file name, or by two file names, names none', () => {
    expect(hit('pooling')).toEqual(['AMBIGUOUS', '"pooling" names 2 documents: orchestr8://examples/db/pooling, orchestr8://patterns/cache', [u('examples/db/pooling'), u('patterns/cache')]])
    expect(hit(u('replicas'))).toEqual([
      'AMBIGUOUS',
      '"replicas" names 2 documents: orchestr8://examples/db/replicas, orchestr8://examples/web/replicas',
      [u('examples/db/replicas'), u('examples/web/replicas')],
    ])
  })

  it('refused: traversal, absolute paths, NUL, double encoding and invalid URIs are ACCESS_DENIED', () => {
    expect(hit(u('../secret'))).toEqual(['ACCESS_DENIED', 'refused orchestr8://../secret: ".." segment in path', null])
    expect(hit('orchestr8:///etc/passwd')).toEqual(['ACCESS_DENIED', 'refused orchestr8:///etc/passwd: absolute path "/etc/passwd" (expected orchestr8://<path>)', null])
    expect(hit(u('examples/%252e%252e/x'))).toEqual(['ACCESS_DENIED', 'refused orchestr8://examples/%252e%252e/x: percent-encoded separator or dot in path', null])
    expect(hit('../../etc/passwd')).toEqual(['ACCESS_DENIED', 'refused ../../etc/passwd: ".." segment in path', null])
    expect(hit('top\u0000')).toEqual(['ACCESS_DENIED', 'refused: NUL character in reference', null])
    expect(hit('orchestr8://')).toEqual(['ACCESS_DENIED', 'refused orchestr8://: empty path', null])
  })

  it('dynamic: query URIs and the search endpoint are searches, not documents', () => {
    expect(hit(u('match?query=pooling'))).toEqual(['DYNAMIC', 'orchestr8://match?query=pooling has a query string: it is a search, not a document', null])
    expect(hit(u('examples/db/pooling?v=2'))).toEqual(['DYNAMIC', 'orchestr8://examples/db/pooling?v=2 has a query string: it is a search, not a document', null])
    expect(hit(u('match'))).toEqual(['DYNAMIC', 'orchestr8://match is the search endpoint, not a document', null])
    expect(hit(u('examples/match'))).toEqual(['DYNAMIC', 'orchestr8://examples/match is the search endpoint, not a document', null])
  })

  it('not found: unknown names and paths, unserved schemes, empty and non-string references', () => {
    expect(hit('nope')).toEqual(['NOT_FOUND', 'no document is named "nope"', null])
    expect(hit(u('nope'))).toEqual(['NOT_FOUND', 'orchestr8://nope is not in the library', null])
    expect(hit(u('examples/nope'))).toEqual(['NOT_FOUND', 'orchestr8://examples/nope is not in the library', null])
    expect(hit('https://example.com/top')).toEqual(['NOT_FOUND', 'scheme "https" is not served by this library (orchestr8, skill)', null])
    expect(hit('   ')).toEqual(['NOT_FOUND', 'empty reference', null])
    expect(hit(42 as unknown as string)).toEqual(['NOT_FOUND', 'reference must be a string', null])
  })

  it('quotes at most 120 characters of a long reference', () => {
    const long = u(`examples/${'x'.repeat(300)}`)
    const r = find(long)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.message).toBe(`${long.slice(0, 120)}… is not in the library`)
  })
})
