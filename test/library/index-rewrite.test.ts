/**
 * Frontmatter the persistent library index holds and does not hold. YAML dates (`created:
 * 2025-03-14` reads as a `Date`) are kept, as dates. A value JSON cannot hold (`!!binary`, a
 * Buffer) leaves its file out of the index: it is read again on every load, and that re-reading
 * alone is nothing new to store (the whole index was written again on every load).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { loadLibrary } from '../../src/library/library.js'
import { decodeIndex, encodeIndex, jsonSafe, type PersistedFile } from '../../src/library/persist.js'
import { Vocabulary } from '../../src/library/match.js'

const made: string[] = []
afterEach(() => {
  vi.useRealTimers()
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A store in memory that counts its writes. */
function countingStore() {
  const kept = new Map<string, Uint8Array>()
  const store = { writes: 0, kept, get: (key: string) => kept.get(key), set: (key: string, value: Uint8Array) => void (store.writes++, kept.set(key, value)) }
  return store
}

/** Load, then let the index be written (in a later turn). */
async function load(root: string, indexStore: ReturnType<typeof countingStore>) {
  const library = await loadLibrary({ root, indexStore })
  await new Promise((r) => setImmediate(r))
  return library
}

/** A library of `files`, as an hour ago (a file changed within the moment of a read, "racily", is read again once). */
function library(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'promptfold-rewrite-'))
  made.push(root)
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    writeFileSync(path.join(root, file), text)
  }
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(Date.now() + 3_600_000)
  return root
}

/** A library of `agents/<id>.md` (`doc`) and a plain document, loaded once: its index was written (two values). */
async function firstLoad(doc: string) {
  const id = /id: (\w+)/.exec(doc)?.[1] as string
  const root = library({ [`agents/${id}.md`]: doc, 'agents/plain.md': '---\nid: plain\n---\n# Plain\n' })
  const store = countingStore()
  const first = await load(root, store)
  const written = store.writes
  expect(written).toBe(2)
  return { root, store, first, written }
}

describe('the persistent index and frontmatter dates', () => {
  it('keeps a date as a date: written to the details and read back the same', () => {
    const created = new Date('2025-03-14T00:00:00.000Z')
    const file: PersistedFile = {
      path: 'agents/dated.md',
      role: 'document',
      stat: { size: 1, mtimeMs: 1, ctimeMs: 1, ino: 1 },
      checkedAt: 2,
      bytes: 1,
      digest: 'a'.repeat(64),
      fm: { meta: { id: 'dated', tags: [], capabilities: [], useWhen: [], created, history: [{ at: created }] }, data: {}, bodyOffset: 0, present: true, diagnostics: [] },
      readDiagnostics: [],
      lines: {},
    }
    const value = encodeIndex('k', [file], new Vocabulary(), 3)
    expect(Buffer.from(value.details).toString('utf8')).toContain('"\\u0000date":"2025-03-14T00:00:00.000Z"')
    const meta = decodeIndex(value, 'k')?.files.get('agents/dated.md')?.fm.meta
    expect(meta).toStrictEqual(file.fm.meta)
    expect(meta?.created).toBeInstanceOf(Date)
    // A mapping that has the date's own key, an invalid date, a Buffer: not kept.
    expect([{ '\u0000date': 'x' }, new Date(Number.NaN), Buffer.from('x'), { created }].map((v) => jsonSafe(v))).toStrictEqual([false, false, false, true])
  })

  it('a library with YAML dates is written once, and its dates come back from the index as dates', async () => {
    const { root, store, first, written } = await firstLoad('---\nid: dated\ncreated: 2025-03-14\n---\n# Dated\n')
    const again = await load(root, store)
    expect(store.writes).toBe(written)
    expect(again.get('orchestr8://agents/dated')?.meta).toStrictEqual(first.get('orchestr8://agents/dated')?.meta)
    expect(again.get('orchestr8://agents/dated')?.meta.created).toBeInstanceOf(Date)
  })
})

describe('the persistent index and frontmatter it cannot hold', () => {
  it('is written once, not on every load, while a file with a binary value is read again each time', async () => {
    const { root, store, first, written } = await firstLoad('---\nid: blob\nblob: !!binary aGVsbG8=\n---\n# Blob\n')
    for (let i = 0; i < 2; i++) {
      const again = await load(root, store)
      expect(store.writes).toBe(written)
      expect(again.get('orchestr8://agents/blob')?.meta).toStrictEqual(first.get('orchestr8://agents/blob')?.meta)
    }
    // A refresh that finds nothing changed writes nothing either.
    await first.refresh()
    await new Promise((r) => setImmediate(r))
    expect(store.writes).toBe(written)
    // An edit of a file the index holds is written.
    writeFileSync(path.join(root, 'agents/plain.md'), '---\nid: plain\ntags: [x]\n---\n# Plain, edited\n')
    const edited = await load(root, store)
    expect(edited.get('orchestr8://agents/plain')?.meta.tags).toStrictEqual(['x'])
    expect(store.writes).toBe(2 * written)
    // So is one that makes it a file the index leaves out (its stored entry is out of date), once.
    writeFileSync(path.join(root, 'agents/plain.md'), '---\nid: plain\nblob: !!binary aGk=\n---\n# Plain, with a blob\n')
    await load(root, store)
    expect(store.writes).toBe(3 * written)
    const blob = await load(root, store)
    expect(store.writes).toBe(3 * written)
    expect(blob.get('orchestr8://agents/plain')?.meta.blob).toBeInstanceOf(Uint8Array)
  })
})
