/**
 * A file whose frontmatter JSON cannot hold (a YAML date) is left out of the persistent library
 * index and read again on every load; that re-reading alone is nothing new to store: the index
 * is not written again (it was written on every load, the whole of it).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { loadLibrary } from '../../src/library/library.js'

const made: string[] = []
afterEach(() => {
  vi.useRealTimers()
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A store in memory that counts its writes. */
function countingStore() {
  const kept = new Map<string, Uint8Array>()
  const store = { writes: 0, get: (key: string) => kept.get(key), set: (key: string, value: Uint8Array) => void (store.writes++, kept.set(key, value)) }
  return store
}

/** Load, then let the index be written (in a later turn). */
async function load(root: string, indexStore: ReturnType<typeof countingStore>) {
  const library = await loadLibrary({ root, indexStore })
  await new Promise((r) => setImmediate(r))
  return library
}

describe('the persistent index and frontmatter JSON cannot hold', () => {
  it('is written once, not on every load, while a file with a YAML date is read again each time', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'promptfold-rewrite-'))
    made.push(root)
    mkdirSync(path.join(root, 'agents'))
    writeFileSync(path.join(root, 'agents/dated.md'), '---\nid: dated\ncreated: 2025-03-14\n---\n# Dated\n')
    writeFileSync(path.join(root, 'agents/plain.md'), '---\nid: plain\n---\n# Plain\n')
    // An hour on: the files were not changed within the moment of a read (a file changed then,
    // "racily", is read again on the next load, and its new check written once).
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 3_600_000)
    const store = countingStore()
    const first = await load(root, store)
    const written = store.writes
    expect(written).toBeGreaterThan(0)
    for (let i = 0; i < 2; i++) {
      const again = await load(root, store)
      expect(store.writes).toBe(written)
      // The dated file as the first load read it (its date a Date, as YAML gives it).
      expect(again.get('orchestr8://agents/dated')?.meta).toStrictEqual(first.get('orchestr8://agents/dated')?.meta)
      expect(again.get('orchestr8://agents/dated')?.meta.created).toBeInstanceOf(Date)
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
    writeFileSync(path.join(root, 'agents/plain.md'), '---\nid: plain\ncreated: 2025-03-15\n---\n# Plain, dated\n')
    await load(root, store)
    expect(store.writes).toBe(3 * written)
    const dated = await load(root, store)
    expect(store.writes).toBe(3 * written)
    expect(dated.get('orchestr8://agents/plain')?.meta.created).toBeInstanceOf(Date)
  })
})
