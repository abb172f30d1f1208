/**
 * The persistent library index (`loadLibrary`'s `indexStore`): the same library whether
 * loaded fresh or from the index, never stale after an edit, a damaged index ignored and
 * replaced.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type FileLibraryIndexStore, type FileLibraryIndexStoreOptions, fileLibraryIndexStore, type LibraryIndexStore } from '../../src/cache/store.js'
import type { PromptfoldError } from '../../src/errors.js'
import { createTokenCounter } from '../../src/count/index.js'
import { type Library, type LoadLibraryOptions, loadLibrary } from '../../src/library/index.js'
import { type IndexedEntry, MatchIndex, Vocabulary } from '../../src/library/match.js'
import { decodeIndex, detailsKey, type EncodedIndex, encodeIndex, openIndex, type PersistedFile, type PersistedIndex, peekPaths } from '../../src/library/persist.js'
import { fixtureLibrary, repoRoot } from './helpers.js'

const QUERIES = ['restore postgres to a point in time', 'react component testing', 'kafka consumer groups', 'pdf form filling', 'incident postmortem template', 'data quality']
const HOUR_AGO = Math.floor((Date.now() - 3600_000) / 1000)

let base: string
let root: string
let cache: string

/** Every file below `dir`, mtime and atime set an hour back (a library not edited in the last seconds). */
function age(dir: string): void {
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const file = path.join(dir, name)
    if (statSync(file).isFile()) utimesSync(file, HOUR_AGO, HOUR_AGO)
  }
}

beforeEach(() => {
  base = path.join(tmpdir(), `promptfold-persist-${process.pid}-${Math.random().toString(36).slice(2)}`)
  root = path.join(base, 'root')
  cache = path.join(base, 'cache')
  cpSync(fixtureLibrary, root, { recursive: true })
  cpSync(path.join(repoRoot, 'fixtures', 'skills'), path.join(root, 'skillset'), { recursive: true })
  // A binary file in a skill, and frontmatter that is not plain JSON (a YAML date): never kept in the index, read every time.
  writeFileSync(path.join(root, 'skillset', 'data', 'csv-cleanup', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]))
  writeFileSync(path.join(root, 'guides', 'dated.md'), '---\nid: dated\ncreated: 2024-01-02\ntags: [release]\n---\n\n# Dated Guide\n\nShip it.\n')
  age(root)
})

afterEach(async () => {
  await settle()
  stores.length = 0
  rmSync(base, { recursive: true, force: true })
})

/** File stores made by the tests (their writes are waited for by `settle`). */
const stores: FileLibraryIndexStore[] = []

/** A file store in `dir`, its writes waited for by `settle`. */
function fileStore(options: FileLibraryIndexStoreOptions): FileLibraryIndexStore {
  const store = fileLibraryIndexStore(options)
  stores.push(store)
  return store
}

/** The index is encoded in the next turn of the event loop and written in the background: let it be. */
async function settle(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve))
  await Promise.all(stores.map((s) => s.flush()))
}

async function withIndex(more: Partial<LoadLibraryOptions> = {}): Promise<Library> {
  const library = await loadLibrary({ root, indexStore: fileStore({ dir: cache }), ...more })
  await settle()
  return library
}

/** Everything a load produces that callers see: entries, diagnostics, match results, titles. */
function observed(library: Library): unknown {
  return {
    entries: library.entries,
    diagnostics: library.diagnostics,
    matches: QUERIES.map((q) => library.match(q, { maxResults: 8 })),
    filtered: library.match('postgres', { categories: ['example'], tags: ['postgres'], maxResults: 100 }),
  }
}

/** The index values' files (one per library; each has its details value's file next to it, see {@link stored}). */
function indexFiles(): string[] {
  const dir = path.join(cache, 'library-v1')
  try {
    return readdirSync(dir)
      .filter((f) => !f.endsWith('-details.idx'))
      .sort()
      .map((f) => path.join(dir, f))
  } catch {
    return []
  }
}

/** The key of an index value's file. */
const keyOf = (file: string | undefined) => path.basename(file as string, '.idx')

/** The file of the details value that goes with the index value's `file`. */
const detailsFile = (file: string | undefined) => path.join(path.dirname(file as string), `${detailsKey(keyOf(file))}.idx`)

/** Both values of the index whose index value's file is `file`, as written. */
function stored(file: string | undefined): EncodedIndex {
  return { index: readFileSync(file as string), details: readFileSync(detailsFile(file)) }
}

/** A store that holds `value` for every library (each part under its key), and gives what is set to `set`. */
function memoryStore(value: EncodedIndex, set: (key: string, value: Uint8Array) => void = () => undefined): LibraryIndexStore {
  return { get: (key) => (key.endsWith('-details') ? value.details : value.index), set }
}

/** The index a load with the file store wrote (after loading once), decoded, and its key. */
async function storedIndex(): Promise<{ key: string; index: PersistedIndex }> {
  await withIndex()
  const [file] = indexFiles()
  const key = keyOf(file)
  const index = decodeIndex(stored(file), key)
  if (!index) throw new Error('no index')
  return { key, index }
}

/** Replace a file's text without a refresh (the library cannot know). */
function swap(rel: string, text: string): void {
  writeFileSync(path.join(root, rel), text)
}

describe('loadLibrary with an index store', () => {
  it('gives the same entries, diagnostics and matches loaded fresh, on the first run and from the index', async () => {
    const fresh = observed(await loadLibrary({ root }))
    const first = await withIndex()
    expect(observed(first)).toStrictEqual(fresh)
    await settle()
    expect(indexFiles()).toHaveLength(1)
    const warm = await withIndex()
    expect(observed(warm)).toStrictEqual(fresh)
    expect(warm.title('orchestr8://agents/postgres-specialist')).toBe(first.title('orchestr8://agents/postgres-specialist'))
    expect(await warm('orchestr8://agents/postgres-specialist')).toEqual(await first('orchestr8://agents/postgres-specialist'))
    expect(warm.get('skill://skillset/data/csv-cleanup')?.files?.map((f) => f.path)).toEqual(['SKILL.md', 'logo.png', 'scripts/profile.py'])
  })

  it('reads and parses no unchanged file: entries, matches and counts come from the index', async () => {
    const first = await withIndex()
    const uri = 'orchestr8://examples/database/postgres-replication'
    const rel = 'examples/database/postgres-replication.md'
    const original = readFileSync(path.join(root, rel), 'utf8')
    const tokens = first.tokens(uri)
    const before = first.match('replicas failing over', { maxResults: 3 })
    await settle()
    const fresh = await loadLibrary({ root })
    const warm = await withIndex()
    // The file now says something else, and the library was not told: what the index holds is what it sees.
    const { mtimeMs } = statSync(path.join(root, rel))
    swap(rel, original.replace(/replica/gi, 'mirrors'))
    utimesSync(path.join(root, rel), HOUR_AGO, mtimeMs / 1000)
    expect(warm.match('replicas failing over', { maxResults: 3 })).toEqual(before)
    expect(warm.tokens(uri)).toBe(tokens)
    expect(warm.get(uri)).toEqual(fresh.get(uri))
    // Its text was never read: it is read now, as it is now (the library loaded without an index kept its text).
    expect(warm.source(uri)).toContain('mirrors')
    expect(fresh.source(uri)).toBe(original)
  })

  it('sees an edit that keeps the size and the modification time (utimes)', async () => {
    await withIndex()
    const rel = 'examples/database/postgres-replication.md'
    const file = path.join(root, rel)
    const text = readFileSync(file, 'utf8')
    const edited = text.replace('postgres', 'POSTGRES')
    expect(edited.length).toBe(text.length)
    const { atime, mtime } = statSync(file)
    writeFileSync(file, edited)
    utimesSync(file, atime, mtime)
    expect(statSync(file).mtimeMs).toBe(mtime.getTime())
    const warm = await withIndex()
    const fresh = await loadLibrary({ root })
    expect(observed(warm)).toStrictEqual(observed(fresh))
    expect(warm.get('orchestr8://examples/database/postgres-replication')?.digest).toBe(fresh.get('orchestr8://examples/database/postgres-replication')?.digest)
    expect(warm.source('orchestr8://examples/database/postgres-replication')).toBe(edited)
  })

  it('sees deleted, added and renamed files', async () => {
    await withIndex()
    unlinkSync(path.join(root, 'examples/web/component-testing.md'))
    writeFileSync(path.join(root, 'examples/web/new-one.md'), '---\nid: new-one\ntags: [react]\n---\n\n# Brand New Hooks Guide\n\nHooks.\n')
    renameSync(path.join(root, 'examples/data/kafka-consumer-groups.md'), path.join(root, 'examples/data/kafka-groups.md'))
    renameSync(path.join(root, 'skillset/data/csv-cleanup/scripts/profile.py'), path.join(root, 'skillset/data/csv-cleanup/scripts/profiler.py'))
    const warm = await withIndex()
    const fresh = await loadLibrary({ root })
    expect(observed(warm)).toStrictEqual(observed(fresh))
    const uris = warm.entries.map((e) => e.uri)
    expect(uris).not.toContain('orchestr8://examples/web/component-testing')
    expect(uris).toContain('orchestr8://examples/web/new-one')
    expect(uris).toContain('orchestr8://examples/data/kafka-groups')
    expect(warm.match('brand new hooks', { maxResults: 1 })[0]?.uri).toBe('orchestr8://examples/web/new-one')
    expect(warm.get('skill://skillset/data/csv-cleanup')?.files?.map((f) => f.path)).toEqual(['SKILL.md', 'logo.png', 'scripts/profiler.py'])
  })

  it('reads again a file modified within 2 s of when it was read, and one whose stat differs; trusts the rest', async () => {
    await withIndex()
    const [file] = indexFiles()
    const key = keyOf(file)
    const index = decodeIndex(stored(file), key)
    expect(index).toBeDefined()
    if (!index) return
    const rel = 'examples/web/component-testing.md'
    const real = index.files.get(rel) as PersistedFile
    const fake = '0'.repeat(64)
    /** The stored index with this file's digest and frontmatter made up, and its `checkedAt` moved. */
    const tampered = (checkedAt: number, stat = real.stat) => {
      const files = [...index.files.values()].map((f) => (f.path === rel ? { ...f, stat, checkedAt, digest: fake, fm: { ...f.fm, meta: { ...f.fm.meta, tags: ['made-up'] } } } : f))
      return encodeIndex(key, files, index.vocabulary, index.writtenAt)
    }
    const store = (value: EncodedIndex): LibraryIndexStore => memoryStore(value)
    const uri = 'orchestr8://examples/web/component-testing'
    const changed = Math.max(real.stat.mtimeMs, real.stat.ctimeMs)
    // Same stat, checked long after the last modification: trusted, not read (the made-up fields show).
    const trusted = await loadLibrary({ root, indexStore: store(tampered(changed + 10_000)) })
    await settle()
    expect(trusted.get(uri)?.digest).toBe(fake)
    expect(trusted.get(uri)?.meta.tags).toEqual(['made-up'])
    // Same stat, but modified less than 2 s before it was checked: read again, by digest.
    const racy = await loadLibrary({ root, indexStore: store(tampered(changed + 1000)) })
    const fresh = await loadLibrary({ root })
    expect(racy.get(uri)).toEqual(fresh.get(uri))
    // Another size (or inode, or time): read again.
    const moved = await loadLibrary({ root, indexStore: store(tampered(changed + 10_000, { ...real.stat, ino: real.stat.ino + 1 })) })
    expect(moved.get(uri)).toEqual(fresh.get(uri))
  })

  it('ignores a damaged, truncated or foreign index and writes a sound one in its place', async () => {
    const fresh = observed(await loadLibrary({ root }))
    await withIndex()
    const [file] = indexFiles()
    const good = readFileSync(file as string)
    const goodDetails = readFileSync(detailsFile(file))
    const flipped = Buffer.from(good)
    flipped[Math.floor(good.length / 2)] = (flipped[Math.floor(good.length / 2)] as number) ^ 0xff
    const foreign = Buffer.from(good)
    foreign.writeUInt32LE(99, 8)
    const damaged = [good.subarray(0, good.length - 5), good.subarray(0, 20), flipped, foreign, Buffer.from('not an index at all'), Buffer.alloc(0)]
    for (const value of damaged) {
      writeFileSync(file as string, value)
      writeFileSync(detailsFile(file), goodDetails)
      const faults: PromptfoldError[] = []
      const library = await withIndex({ indexStore: fileStore({ dir: cache, onFault: (e) => faults.push(e) }) })
      expect(observed(library)).toStrictEqual(fresh)
      expect(faults).toEqual([])
      // Replaced by a sound index, which the next load uses (its two values written by the match's save too).
      await settle()
      expect(decodeIndex(stored(file), keyOf(file))).toBeDefined()
    }
    // Another library's index under this key: ignored too.
    const key = keyOf(file)
    expect(decodeIndex(good, key, goodDetails)).toBeDefined()
    expect(decodeIndex(good, 'someone-elses-key', goodDetails)).toBeUndefined()
    expect(decodeIndex(encodeIndex('someone-elses-key', [], new Vocabulary(), 0), key)).toBeUndefined()
  })

  it('keeps one index per root and schemes; a store that cannot be written is a fault, and the library loads all the same', async () => {
    await withIndex()
    await withIndex({ schemes: ['acme', 'orchestr8'] })
    expect(indexFiles()).toHaveLength(2)
    writeFileSync(path.join(base, 'not-a-folder'), 'x')
    const faults: PromptfoldError[] = []
    const library = await loadLibrary({ root, indexStore: fileLibraryIndexStore({ dir: path.join(base, 'not-a-folder'), onFault: (e) => faults.push(e) }) })
    expect(library.match('postgres replication', { maxResults: 1 })[0]?.uri).toBe('orchestr8://examples/database/postgres-replication')
    expect(faults.map((f) => f.code)).toEqual(['CACHE_FAULT'])
  })

  it('keeps token counts of the shared counters only', async () => {
    const first = await withIndex()
    const uri = 'orchestr8://agents/frontend-specialist'
    const custom = { encoding: 'o200k_base', count: (text: string) => text.length }
    expect(first.tokens(uri, { counter: custom })).toBe(first.source(uri)?.length)
    const exact = first.tokens(uri, { counter: createTokenCounter({ encoding: 'cl100k_base' }) })
    first.match('save now')
    await settle()
    const index = decodeIndex(stored(indexFiles()[0]), keyOf(indexFiles()[0]))
    expect(index?.files.get('agents/frontend-specialist.md')?.tokens).toEqual({ cl100k_base: exact })
  })

  it('matches from the index before any entry is asked for: the same results as a fresh load, and as after the entries are built', async () => {
    const fresh = await loadLibrary({ root })
    const first = await withIndex()
    first.match('warm up')
    await settle()
    const warm = await withIndex()
    // Asked for before `entries`: the match index comes from the stored rows, categories and tags.
    const options = [{ maxResults: 8 }, { categories: ['example'], maxResults: 100 }, { tags: ['postgres'], maxResults: 100 }, { categories: ['skill'], maxResults: 100 }]
    const before = QUERIES.flatMap((q) => options.map((o) => warm.match(q, o)))
    expect(before).toStrictEqual(QUERIES.flatMap((q) => options.map((o) => fresh.match(q, o))))
    expect(before.flat().length).toBeGreaterThan(20)
    expect(warm.match('csv cleanup profile', { maxResults: 1 })[0]?.uri).toBe('skill://skillset/data/csv-cleanup')
    expect(warm.entries).toStrictEqual(fresh.entries)
    expect(warm.diagnostics).toStrictEqual(fresh.diagnostics)
  })

  it('uses the category and tags the index holds for an unchanged file, as it uses its frontmatter', async () => {
    const { key, index } = await storedIndex()
    const rel = 'examples/database/postgres-replication.md'
    const stored = index.files.get(rel) as PersistedFile
    expect(stored.match).toEqual({ category: 'example', tags: expect.arrayContaining(['postgres']) })
    // Checked long after the last change (ctime cannot be set back): trusted, not read.
    const files = [...index.files.values()].map((f) => ({ ...f, checkedAt: Math.max(f.stat.mtimeMs, f.stat.ctimeMs) + 10_000, ...(f.path === rel ? { match: { category: 'made-up', tags: ['made-up'] } } : {}) }))
    const value = encodeIndex(key, files, index.vocabulary, index.writtenAt)
    const library = await loadLibrary({ root, indexStore: memoryStore(value) })
    expect(library.match('postgres replication', { categories: ['made-up'], tags: ['made-up'] }).map((r) => r.uri)).toEqual(['orchestr8://examples/database/postgres-replication'])
  })

  it('reads a file again when its stored details do not add up (the rest of the index is used), and writes a sound index', async () => {
    const { key, index } = await storedIndex()
    const rel = 'examples/database/postgres-replication.md'
    const trusted = (f: PersistedFile) => ({ ...f, checkedAt: Math.max(f.stat.mtimeMs, f.stat.ctimeMs) + 10_000 })
    const broken = [...index.files.values()].map((f) => (f.path === rel ? { ...trusted(f), rawDetails: Buffer.from('{"digest":"not a digest"}') } : trusted(f)))
    const value = encodeIndex(key, broken, index.vocabulary, index.writtenAt)
    expect(decodeIndex(value, key)).toBeUndefined()
    const written = new Map<string, Uint8Array>()
    const library = await loadLibrary({ root, indexStore: memoryStore(value, (k, v) => written.set(k, v)) })
    const fresh = await loadLibrary({ root })
    expect(observed(library)).toStrictEqual(observed(fresh))
    await settle()
    expect([...written.keys()].sort()).toEqual([key, detailsKey(key)].sort())
    const rewritten = decodeIndex(written.get(key) as Uint8Array, key, written.get(detailsKey(key)))
    expect(rewritten?.files.get(rel)?.digest).toMatch(/^[0-9a-f]{64}$/)
    expect(rewritten?.files.get(rel)?.digest).toBe(fresh.get('orchestr8://examples/database/postgres-replication')?.digest)
    expect(rewritten?.files.get(rel)?.fm).toStrictEqual(index.files.get(rel)?.fm)
  })

  it('keeps the details of unchanged files in the next index', async () => {
    const first = await withIndex()
    first.match('rows')
    await settle()
    const [file] = indexFiles()
    const before = stored(file)
    const library = await withIndex()
    // A new file: the index is written again; the files known before keep their bytes.
    writeFileSync(path.join(root, 'guides', 'added.md'), '---\nid: added\n---\n\n# Added\n')
    await library.refresh()
    await settle()
    const after = decodeIndex(stored(file), keyOf(file))
    const old = decodeIndex(before, keyOf(file))
    expect(after?.files.size).toBe((old?.files.size ?? 0) + 1)
    const details = (f: PersistedFile | undefined) => f && { digest: f.digest, sha256: f.sha256, fm: f.fm, readDiagnostics: f.readDiagnostics, lines: f.lines, tokens: f.tokens, match: f.match }
    for (const [p, f] of old?.files ?? []) expect(details(after?.files.get(p))).toStrictEqual(details(f))
  })

  it('is off by default: nothing is written without an index store', async () => {
    const before = process.env.XDG_CACHE_HOME
    process.env.XDG_CACHE_HOME = cache
    try {
      const library = await loadLibrary({ root })
      library.match('postgres')
    } finally {
      if (before === undefined) delete process.env.XDG_CACHE_HOME
      else process.env.XDG_CACHE_HOME = before
    }
    expect(() => readdirSync(cache)).toThrow()
  })

  it('rejects an index store that is not one', async () => {
    await expect(loadLibrary({ root, indexStore: {} as LibraryIndexStore })).rejects.toThrow(/indexStore/)
    await expect(loadLibrary({ root, indexStore: null as unknown as LibraryIndexStore })).rejects.toThrow(/indexStore/)
  })
})

describe('the match index kept in the index store', () => {
  const OPTIONS = [{ maxResults: 8 }, { categories: ['example'], maxResults: 100 }, { tags: ['postgres'], maxResults: 100 }, { categories: ['skill'], maxResults: 100 }, { maxResults: Number.POSITIVE_INFINITY }]
  const results = (library: Library) => QUERIES.flatMap((q) => OPTIONS.map((o) => library.match(q, o)))
  const opened = () => {
    const [file] = indexFiles()
    const { index, details } = stored(file)
    return openIndex(index, keyOf(file), () => details)
  }

  beforeEach(() => {
    // Frontmatter that JSON keeps exactly: every entry is in the index, and so can the match index be.
    unlinkSync(path.join(root, 'guides', 'dated.md'))
  })

  it('is written with the first match; its arrays are those built from the stored rows; matching from it gives what a fresh load gives', async () => {
    const fresh = await loadLibrary({ root })
    const first = await withIndex()
    expect(opened()?.postings).toBeUndefined()
    first.match('warm up')
    await settle()
    const view = opened()
    const stored = view?.postings
    if (!view || !stored) throw new Error('no postings')
    // The same arrays as an index built again from the stored rows, categories and tags.
    expect(Array.from(stored.entries, (i) => view.paths[i])).toEqual(fresh.entries.map((e) => e.path))
    const entries: IndexedEntry[] = Array.from(stored.entries, (i, k) => ({ uri: fresh.entries[k]?.uri as string, category: view.match(i)?.category ?? '', tags: view.match(i)?.tags ?? [], vocabulary: view.vocabulary, row: view.row(i) as Uint32Array }))
    const { uris, ...rebuilt } = new MatchIndex(entries).parts()
    expect(uris).toHaveLength(entries.length)
    expect({ ...stored.parts }).toStrictEqual(rebuilt)
    const warm = await withIndex()
    expect(results(warm)).toStrictEqual(results(fresh))
    expect(warm.entries).toStrictEqual(fresh.entries)
  })

  it('an index written before any match gets its postings at the next process that matches', async () => {
    await withIndex()
    expect(opened()?.postings).toBeUndefined()
    const second = await withIndex()
    second.match('postgres')
    await settle()
    expect(opened()?.postings).toBeDefined()
  })

  it('is not used once a file changed, was added or removed: the results are those of a fresh load', async () => {
    const first = await withIndex()
    first.match('warm up')
    await settle()
    expect(opened()?.postings).toBeDefined()
    const rel = 'examples/database/postgres-replication.md'
    swap(rel, readFileSync(path.join(root, rel), 'utf8').replace(/replica/gi, 'mirror'))
    writeFileSync(path.join(root, 'guides', 'added.md'), '---\nid: added\ntags: [postgres]\n---\n\n# Postgres Added Guide\n')
    unlinkSync(path.join(root, 'examples/web/component-testing.md'))
    const warm = await withIndex()
    const fresh = await loadLibrary({ root })
    expect(results(warm)).toStrictEqual(results(fresh))
    expect(warm.match('mirror postgres', { maxResults: 1 })[0]?.uri).toBe('orchestr8://examples/database/postgres-replication')
  })

  it('a first match from it reads the index value only; the details value is read once, when entries are first asked for', async () => {
    const fresh = await loadLibrary({ root })
    const first = await withIndex()
    first.match('warm up')
    await settle()
    const [file] = indexFiles()
    const key = keyOf(file)
    // Every file checked long after its last change (ctime cannot be set back): trusted, not read.
    const { index, details } = stored(file)
    const view = openIndex(index, key, () => details)
    const decoded = decodeIndex(index, key, details)
    if (!view?.postings || !decoded) throw new Error('no postings')
    const files = [...decoded.files.values()].map((f) => ({ ...f, checkedAt: Math.max(f.stat.mtimeMs, f.stat.ctimeMs) + 10_000 }))
    const trusted = encodeIndex(key, files, decoded.vocabulary, decoded.writtenAt, view.postings)
    const gets: string[] = []
    const store = memoryStore(trusted)
    const warm = await loadLibrary({ root, indexStore: { get: (k) => (gets.push(k), store.get(k)), set: () => gets.push('set') } })
    expect(warm.match('postgres replication', { maxResults: 5 })).toStrictEqual(fresh.match('postgres replication', { maxResults: 5 }))
    expect(gets).toEqual([key])
    expect(warm.entries).toStrictEqual(fresh.entries)
    expect(warm.get('orchestr8://examples/database/postgres-replication')?.digest).toBe(fresh.get('orchestr8://examples/database/postgres-replication')?.digest)
    expect(gets).toEqual([key, detailsKey(key)])
  })

  it('sees an edit of the same size and modification time made after it was written, before any entry is asked for', async () => {
    const first = await withIndex()
    first.match('warm up')
    await settle()
    const rel = 'examples/database/postgres-replication.md'
    const file = path.join(root, rel)
    const text = readFileSync(file, 'utf8')
    const edited = text.replace(/replication/gi, 'zqxwvutsrpo')
    expect(edited).not.toBe(text)
    expect(edited.length).toBe(text.length)
    const { atime, mtime } = statSync(file)
    writeFileSync(file, edited)
    utimesSync(file, atime, mtime)
    const warm = await withIndex()
    expect(warm.match('zqxwvutsrpo', { maxResults: 3 }).map((r) => r.uri)).toEqual(['orchestr8://examples/database/postgres-replication'])
    expect(results(warm)).toStrictEqual(results(await loadLibrary({ root })))
  })

  it('lists the paths of an index value from its header alone (peekPaths); nothing for a value of another kind', async () => {
    const { key, index } = await storedIndex()
    const { index: value, details } = stored(indexFiles()[0])
    expect(peekPaths(value)).toEqual({ text: [...index.files.keys()].join('\n'), count: index.files.size })
    expect(peekPaths(encodeIndex(key, [], new Vocabulary(), 0).index)).toEqual({ text: '', count: 0 })
    expect(peekPaths(details)).toBeUndefined()
    // Written before any match, the value ends with its paths: one byte short, they are not all there.
    expect(peekPaths(value.subarray(0, value.length - 1))).toBeUndefined()
    expect(peekPaths(value.subarray(0, 40))).toBeUndefined()
    expect(peekPaths(Buffer.from('not an index at all, not at all, not at all, no'))).toBeUndefined()
  })

  it('a missing, damaged or foreign details value: every file is read again, the library is a fresh load, and both values are written anew', async () => {
    const fresh = await loadLibrary({ root })
    const { key, index } = await storedIndex()
    const [file] = indexFiles()
    const good = stored(file)
    // A sound details value of another write (the same files, their tags made up): not the one written with this index value.
    const madeUp = [...index.files.values()].map((f) => ({ ...f, fm: { ...f.fm, meta: { ...f.fm.meta, tags: ['made-up'] } }, ...(f.match ? { match: { ...f.match, tags: ['made-up'] } } : {}) }))
    const foreign = encodeIndex(key, madeUp, index.vocabulary, index.writtenAt).details
    expect(decodeIndex(good.index, key, foreign)).toBeUndefined()
    expect(decodeIndex(good.index, key, good.details)).toBeDefined()
    const flipped = Buffer.from(good.details)
    flipped[Math.floor(flipped.length / 2)] = (flipped[Math.floor(flipped.length / 2)] as number) ^ 0xff
    const cases: [string, Uint8Array | undefined][] = [
      ['missing', undefined],
      ['truncated', good.details.subarray(0, good.details.length - 3)],
      ['flipped', flipped],
      ['foreign', foreign],
      ['empty', new Uint8Array(0)],
    ]
    for (const [name, details] of cases) {
      const written = new Map<string, Uint8Array>()
      const store: LibraryIndexStore = { get: (k) => (k === key ? good.index : details), set: (k, v) => written.set(k, v) }
      const library = await loadLibrary({ root, indexStore: store })
      expect([name, observed(library)]).toStrictEqual([name, observed(fresh)])
      expect(library.get('orchestr8://examples/database/postgres-replication')?.meta.tags).toEqual(fresh.get('orchestr8://examples/database/postgres-replication')?.meta.tags)
      await settle()
      expect([name, [...written.keys()].sort()]).toEqual([name, [key, detailsKey(key)].sort()])
      const rewritten = decodeIndex(written.get(key) as Uint8Array, key, written.get(detailsKey(key)))
      expect([name, rewritten?.files.size]).toEqual([name, index.files.size])
    }
  })
})

describe('fileLibraryIndexStore', () => {
  it('writes in the background: get sees a value at once, flush waits for the file, the last of several values wins', async () => {
    const store = fileLibraryIndexStore({ dir: cache })
    const key = 'k'.repeat(43)
    const file = path.join(cache, 'library-v1', `${key}.idx`)
    const values = [1, 2, 3].map((n) => new Uint8Array(1000).fill(n))
    for (const v of values) store.set(key, v)
    expect(store.get(key)).toBe(values[2])
    await store.flush()
    expect(new Uint8Array(readFileSync(file))).toEqual(values[2])
    expect(readdirSync(path.join(cache, 'library-v1'))).toEqual([`${key}.idx`])
    // Another store (another process) reads the file.
    expect(new Uint8Array(fileLibraryIndexStore({ dir: cache }).get(key) ?? [])).toEqual(values[2])
  })

  it('a write that fails is a fault, told once, and turns the store off', async () => {
    const faults: PromptfoldError[] = []
    const store = fileLibraryIndexStore({ dir: cache, onFault: (e) => faults.push(e) })
    const key = 'k'.repeat(43)
    // The index file's place is taken by a folder: the rename fails.
    mkdirSync(path.join(cache, 'library-v1', `${key}.idx`, 'x'), { recursive: true })
    store.set(key, new Uint8Array(10))
    await store.flush()
    expect(faults.map((f) => f.code)).toEqual(['CACHE_FAULT'])
    expect(store.get(key)).toBeUndefined()
    expect(readdirSync(path.join(cache, 'library-v1'))).toEqual([`${key}.idx`])
  })
})

describe('large libraries', () => {
  it('an ALIAS_AMBIGUOUS warning lists five claimants and counts the others', async () => {
    const dir = path.join(base, 'copies')
    for (let i = 0; i < 7; i++) {
      mkdirSync(path.join(dir, `c${i}`), { recursive: true })
      writeFileSync(path.join(dir, `c${i}`, 'same.md'), `# Copy ${i}\n`)
    }
    const library = await loadLibrary({ root: dir })
    const warning = library.diagnostics.find((d) => d.code === 'ALIAS_AMBIGUOUS' && d.file === 'c3/same.md')
    const listed = [0, 1, 2, 3, 4].map((i) => `orchestr8://c${i}/same (file name)`).join(', ')
    expect(warning?.message).toBe(`The name "same" is claimed by 7 documents: ${listed} and 2 more; it resolves to none of them`)
  })
})

describe('maxFiles is never a silent cap', () => {
  it('a library cut short at maxFiles says where, for documents and for other files', async () => {
    const library = await loadLibrary({ root, maxFiles: 5 })
    expect(library.entries.length).toBeLessThanOrEqual(5)
    const limits = library.diagnostics.filter((d) => d.code === 'LIMIT_MAX_FILES')
    expect(limits.length).toBeGreaterThanOrEqual(1)
    expect(limits[0]).toMatchObject({ severity: 'warning', message: 'Stopped indexing after 5 files (maxFiles)' })
    mkdirSync(path.join(base, 'others'))
    for (let i = 0; i < 4; i++) writeFileSync(path.join(base, 'others', `script-${i}.py`), 'print(1)\n')
    writeFileSync(path.join(base, 'others', 'doc.md'), '# Doc\n')
    const others = await loadLibrary({ root: path.join(base, 'others'), maxFiles: 2 })
    expect(others.entries.map((e) => e.path)).toEqual(['doc.md'])
    expect(others.diagnostics.filter((d) => d.code === 'LIMIT_MAX_FILES').map((d) => [d.severity, d.file])).toEqual([['warning', 'script-2.py']])
  })
})
