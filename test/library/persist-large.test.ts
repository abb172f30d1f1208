/**
 * The persistent library index of a library large enough for its stats to be taken ahead on
 * another thread (`statAhead`, STAT_AHEAD_MIN_FILES files or more): unchanged files are trusted
 * whichever thread statted them, an edit that keeps the size and modification time is seen at
 * either end of the list. Slow tier (thousands of files written and read).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { fileLibraryIndexStore, type LibraryIndexStore } from '../../src/cache/store.js'
import { loadLibrary } from '../../src/library/index.js'
import { decodeIndex, detailsKey, encodeIndex, openIndex } from '../../src/library/persist.js'
import { STAT_AHEAD_MIN_FILES, type StatsAhead } from '../../src/library/stat-ahead.js'

/** Each thread `loadLibrary` starts (the loads that use it wait until it has statted every file, when `waitAhead`), and how many stats it gave. */
const started: { ahead: StatsAhead; given: number }[] = []
let waitAhead = false
vi.mock('../../src/library/stat-ahead.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/library/stat-ahead.js')>()
  return {
    ...original,
    statAhead(...args: Parameters<typeof original.statAhead>) {
      const ahead = original.statAhead(...args)
      if (ahead) {
        const counted = { ahead, given: 0 }
        started.push(counted)
        const take = ahead.take.bind(ahead)
        ahead.take = (i, out) => take(i, out) && ++counted.given > 0
      }
      const sleep = new Int32Array(new SharedArrayBuffer(4))
      for (let waited = 0; ahead && waitAhead && !ahead.finished() && waited < 30_000; waited += 5) Atomics.wait(sleep, 0, 0, 5)
      return ahead
    },
  }
})

const FILES = STAT_AHEAD_MIN_FILES + 100
const HOUR_AGO = Math.floor((Date.now() - 3600_000) / 1000)
let base: string
let root: string

const rel = (i: number) => `d${String(i % 97).padStart(2, '0')}/doc-${String(i).padStart(5, '0')}.md`
const uri = (i: number) => `orchestr8://${rel(i).replace(/\.md$/, '')}`

beforeAll(() => {
  base = path.join(tmpdir(), `promptfold-persist-large-${process.pid}-${Math.random().toString(36).slice(2)}`)
  root = path.join(base, 'root')
  for (let i = 0; i < FILES; i++) {
    const file = path.join(root, rel(i))
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, `---\nid: doc-${i}\ntags: [t${i % 50}]\n---\n\n# Document ${i} about topic${i % 300}\n\nBody of document ${i}.\n`)
    utimesSync(file, HOUR_AGO, HOUR_AGO)
  }
})

afterAll(() => rmSync(base, { recursive: true, force: true }))

describe('a library of STAT_AHEAD_MIN_FILES documents or more, loaded from its index', () => {
  it('trusts unchanged files and sees an edit of the same size and modification time at either end of the list', async () => {
    const cache = path.join(base, 'cache')
    const files = fileLibraryIndexStore({ dir: cache })
    const first = await loadLibrary({ root, indexStore: files, maxFiles: 100_000 })
    expect(first.entries).toHaveLength(FILES)
    first.match('document topic7')
    await new Promise<void>((resolve) => setImmediate(resolve))
    await files.flush()
    const key = (readdirSync(path.join(cache, 'library-v1')).find((f) => !f.endsWith('-details.idx')) as string).replace(/\.idx$/, '')
    const index = readFileSync(path.join(cache, 'library-v1', `${key}.idx`))
    const details = readFileSync(path.join(cache, 'library-v1', `${detailsKey(key)}.idx`))
    const view = openIndex(index, key, () => details)
    const decoded = decodeIndex(index, key, details)
    if (!view?.postings || !decoded) throw new Error('no index')
    expect(decoded.files.size).toBe(FILES)
    // Every file checked long after its last change (ctime cannot be set back), the first, a middle and the last one's digest made up: trusted, they show it.
    const fake = (n: number) => String(n).repeat(64)
    const marked = new Map([rel(0), rel(FILES >> 1), rel(FILES - 1)].map((p, n) => [p, fake(n + 1)]))
    const trusted = [...decoded.files.values()].map((f) => ({ ...f, checkedAt: Math.max(f.stat.mtimeMs, f.stat.ctimeMs) + 10_000, ...(marked.has(f.path) ? { digest: marked.get(f.path) as string } : {}) }))
    const value = encodeIndex(key, trusted, decoded.vocabulary, decoded.writtenAt, view.postings)
    const store: LibraryIndexStore = { get: (k) => (k === key ? value.index : value.details), set: () => undefined }
    // Every stat taken by the thread before the walk: the stored files are trusted on its stats.
    waitAhead = true
    const warm = await loadLibrary({ root, indexStore: store, maxFiles: 100_000 })
    expect(started.map((s) => s.given)).toEqual([FILES])
    expect(warm.match('document topic7', { maxResults: 5 })).toStrictEqual(first.match('document topic7', { maxResults: 5 }))
    expect([0, FILES >> 1, FILES - 1].map((i) => warm.get(uri(i))?.digest)).toEqual([fake(1), fake(2), fake(3)])
    // The first and the last file edited, their size and modification time kept: both read again.
    for (const i of [0, FILES - 1]) {
      const file = path.join(root, rel(i))
      const text = readFileSync(file, 'utf8')
      const edited = text.replace(`# Document ${i} `, `# Xqzvabcd ${i} `)
      expect(edited.length).toBe(text.length)
      const { atime, mtime } = statSync(file)
      writeFileSync(file, edited)
      utimesSync(file, atime, mtime)
    }
    const edited = await loadLibrary({ root, indexStore: store, maxFiles: 100_000 })
    // Two files changed: their stats, as the thread gave them, are not the stored ones.
    expect(started.map((s) => s.given)).toEqual([FILES, FILES])
    // And with the calling thread statting the files it reaches first.
    waitAhead = false
    const racing = await loadLibrary({ root, indexStore: store, maxFiles: 100_000 })
    expect(racing.match('xqzvabcd', { maxResults: 5 }).map((r) => r.uri)).toEqual([uri(0), uri(FILES - 1)])
    expect([0, FILES >> 1, FILES - 1].map((i) => racing.get(uri(i))?.digest)).toEqual([0, FILES >> 1, FILES - 1].map((i) => edited.get(uri(i))?.digest))
    expect(edited.match('xqzvabcd', { maxResults: 5 }).map((r) => r.uri)).toEqual([uri(0), uri(FILES - 1)])
    const fresh = await loadLibrary({ root, maxFiles: 100_000 })
    expect([0, FILES >> 1, FILES - 1].map((i) => edited.get(uri(i))?.digest)).toEqual([fresh.get(uri(0))?.digest, fake(2), fresh.get(uri(FILES - 1))?.digest])
    expect(edited.source(uri(0))).toContain('# Xqzvabcd 0 about topic0')
  })
})
