import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { assemble } from '../../src/assemble/index.js'
import { fileParseStore, type ParseStore } from '../../src/cache/store.js'
import { parseDocument } from '../../src/parse/document.js'
import { fileSystemResolver } from '../../src/resolve/fs.js'
import { readFixture, resourcesRoot } from '../helpers/fixtures.js'
import { runs, scenario } from '../properties/generators.js'

const dirs: string[] = []
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'promptfold-parsed-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** An in-memory store that records what it was asked, holding entries as JSON text (as a disk store does). */
function memoryStore(): ParseStore & { entries: Map<string, string>; gets: string[]; sets: string[] } {
  const entries = new Map<string, string>()
  const gets: string[] = []
  const sets: string[] = []
  return {
    entries,
    gets,
    sets,
    get(key) {
      gets.push(key)
      const json = entries.get(key)
      return json === undefined ? undefined : JSON.parse(json)
    },
    set(key, value) {
      sets.push(key)
      entries.set(key, JSON.stringify(value))
    },
  }
}

const AGENT = 'agents/mlops-specialist.md'

describe('parseDocument with a parseStore', () => {
  const source = readFixture(resourcesRoot, AGENT)

  it('stores a parse, then returns it from the store: the same document, byte for byte', () => {
    const store = memoryStore()
    const fresh = parseDocument(source, { path: AGENT, parseStore: store })
    expect(store.sets).toHaveLength(1)
    expect(store.sets[0]).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const again = parseDocument(source, { path: AGENT, parseStore: store })
    expect(store.sets).toHaveLength(1)
    expect(JSON.stringify(again)).toBe(JSON.stringify(fresh))
    expect(again).toEqual(fresh)
    expect(again.source).toBe(source)
    // It really came from the store: change the stored title (still a valid entry) and it shows.
    const key = store.sets[0] as string
    store.entries.set(key, JSON.stringify({ ...JSON.parse(store.entries.get(key) as string), title: 'From the store' }))
    expect(parseDocument(source, { path: AGENT, parseStore: store }).title).toBe('From the store')
  })

  it('keys by content and by every option that changes the result', () => {
    const store = memoryStore()
    parseDocument(source, { path: AGENT, parseStore: store })
    parseDocument(source, { path: 'agents/other.md', parseStore: store })
    parseDocument(source, { path: AGENT, uri: 'orchestr8://x/y', parseStore: store })
    parseDocument(source, { path: AGENT, schemes: ['orchestr8', 'skill'], parseStore: store })
    parseDocument(source, { path: AGENT, maxDocumentBytes: 100, parseStore: store })
    parseDocument(`${source}\nmore\n`, { path: AGENT, parseStore: store })
    expect(new Set(store.sets).size).toBe(6)
    // A BOM does not change the document (it is removed, with a diagnostic in both).
    const bom = parseDocument(`\uFEFF${source}`, { path: AGENT, parseStore: store })
    expect(parseDocument(`\uFEFF${source}`, { path: AGENT, parseStore: store })).toEqual(bom)
    expect(bom.diagnostics.map((d) => d.code)).toContain('BOM')
  })

  it('is not used with a custom schema, nor for frontmatter that is not plain JSON data', () => {
    const store = memoryStore()
    parseDocument(source, { path: AGENT, schema: z.looseObject({}), parseStore: store })
    expect(store.gets).toEqual([])
    const dated = parseDocument('---\nid: d\nreleased: 2024-01-02\n---\n# D\n', { path: 'agents/d.md', parseStore: store })
    expect(dated.data.released).toBeInstanceOf(Date)
    expect(store.sets).toEqual([])
    expect(store.gets).toHaveLength(1)
  })

  it('ignores entries that do not fit: another format, wrong shapes, offsets out of range', () => {
    const store = memoryStore()
    const fresh = parseDocument(source, { path: AGENT, parseStore: store })
    const key = store.sets[0] as string
    const good = JSON.parse(store.entries.get(key) as string)
    const broken = [
      null,
      42,
      'text',
      [],
      { ...good, format: 0 },
      { ...good, bodyOffset: source.length + 1 },
      { ...good, title: 1 },
      { ...good, meta: null },
      { ...good, sections: {} },
      { ...good, blocks: [{ start: 0, end: source.length + 5, references: [] }] },
      { ...good, blocks: [{ start: 0, end: 1, references: [999] }] },
      { ...good, references: [{ uri: 'orchestr8://a' }] },
      { ...good, sections: [{ start: { offset: -1 }, end: { offset: 0 } }] },
    ]
    for (const entry of broken) {
      store.entries.set(key, JSON.stringify(entry))
      expect(parseDocument(source, { path: AGENT, parseStore: store })).toEqual(fresh)
    }
  })

  it('gives back what a fresh parse gives, for generated documents (fast-check)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const store = memoryStore()
        for (const [i, text] of [s.root, ...Object.values(s.library)].entries()) {
          const path = `agents/doc-${i}.md`
          const fresh = parseDocument(text, { path })
          const first = parseDocument(text, { path, parseStore: store })
          const kept = parseDocument(text, { path, parseStore: store })
          expect(first).toEqual(fresh)
          expect(JSON.stringify(kept)).toBe(JSON.stringify(fresh))
        }
      }),
      runs(150),
    )
  })
})

describe('fileParseStore', () => {
  it('keeps entries on disk, one file each, written by flush', () => {
    const dir = tmp()
    const a = fileParseStore({ dir })
    expect(a.dir).toBe(join(dir, 'parsed-v1'))
    const doc = parseDocument(readFixture(resourcesRoot, AGENT), { path: AGENT, parseStore: a })
    expect(readdirSync(dir)).toEqual([])
    expect(a.flush()).toBe(1)
    expect(a.flush()).toBe(0)
    expect(readdirSync(a.dir)).toHaveLength(1)
    const b = fileParseStore({ dir })
    expect(parseDocument(readFixture(resourcesRoot, AGENT), { path: AGENT, parseStore: b })).toEqual(doc)
    expect(b.flush()).toBe(0)
  })

  it('reads a corrupt or missing entry as missing, and refuses keys that are not digests', () => {
    const dir = tmp()
    const store = fileParseStore({ dir })
    const key = 'A'.repeat(43)
    store.set(key, { a: 1 })
    expect(store.get(key)).toEqual({ a: 1 })
    store.flush()
    expect(fileParseStore({ dir }).get(key)).toEqual({ a: 1 })
    writeFileSync(join(store.dir, `${key}.json`), '{"a": 1')
    expect(fileParseStore({ dir }).get(key)).toBeUndefined()
    expect(store.get('B'.repeat(43))).toBeUndefined()
    store.set('../../escape', { x: 1 })
    store.set('', { x: 1 })
    expect(store.flush()).toBe(0)
    expect(store.get('../../escape')).toBeUndefined()
    expect(readdirSync(store.dir)).toEqual([`${key}.json`])
  })

  it('removes the oldest entries beyond maxEntries', () => {
    const dir = tmp()
    const keys = ['a', 'b', 'c', 'd', 'e'].map((c) => c.repeat(43))
    keys.forEach((key, i) => {
      const store = fileParseStore({ dir, maxEntries: 3 })
      store.set(key, { i })
      store.flush()
      // Distinct ages, oldest first, whatever the file system's time resolution.
      utimesSync(join(store.dir, `${key}.json`), 1_000_000 + i, 1_000_000 + i)
    })
    expect(readdirSync(join(dir, 'parsed-v1')).sort()).toEqual(['c', 'd', 'e'].map((c) => `${c.repeat(43)}.json`))
  })
})

describe('assemble with a parseStore', () => {
  it('stores the resolved documents, and an assembly from stored parses is the same', async () => {
    const dir = tmp()
    const store = fileParseStore({ dir })
    const doc = parseDocument(readFixture(resourcesRoot, AGENT), { path: AGENT })
    const first = await assemble(doc, { budget: 3000, resolver: fileSystemResolver({ root: resourcesRoot }), parseStore: store })
    store.flush()
    expect(readdirSync(store.dir)).toHaveLength(4)
    const entries = readdirSync(store.dir).map((f) => JSON.parse(readFileSync(join(store.dir, f), 'utf8')) as { path: string })
    expect(entries.map((e) => e.path).sort()).toEqual([
      'examples/ml/mlops-kubeflow-pipeline.md',
      'examples/ml/mlops-mlflow-tracking.md',
      'examples/ml/mlops-model-serving.md',
      'examples/ml/mlops-monitoring-ab-testing.md',
    ])
    const again = await assemble(doc, { budget: 3000, resolver: fileSystemResolver({ root: resourcesRoot }), parseStore: fileParseStore({ dir }) })
    expect(again.text).toBe(first.text)
    expect(again.report.totalTokens).toBe(2256)
  })
})
