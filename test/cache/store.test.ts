import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { defaultCacheDir, fileCountStore } from '../../src/cache/store.js'
import { parseDocument } from '../../src/parse/document.js'
import { fileSystemResolver } from '../../src/resolve/fs.js'
import { readFixture, resourcesRoot } from '../helpers/fixtures.js'

const dirs: string[] = []
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'promptfold-cache-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('fileCountStore', () => {
  it('follows platform conventions for its folder', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux')).toBe('/x/cache/promptfold')
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux')).toMatch(/\.cache\/promptfold$/)
    expect(defaultCacheDir({}, 'darwin')).toMatch(/Library\/Caches\/promptfold$/)
  })

  it('round-trips through disk, and ignores a corrupt file', () => {
    const dir = tmp()
    const a = fileCountStore({ dir })
    expect(a.flush()).toBe(false)
    a.set('o200k_base:abc', 12)
    expect(a.flush()).toBe(true)
    expect(fileCountStore({ dir }).get('o200k_base:abc')).toBe(12)
    writeFileSync(a.path, '{not json')
    expect(fileCountStore({ dir }).size).toBe(0)
  })

  it('concurrent writers never leave a torn file and keep each other\'s entries', () => {
    const dir = tmp()
    const stores = Array.from({ length: 5 }, () => fileCountStore({ dir }))
    stores.forEach((s, i) => {
      for (let k = 0; k < 100; k++) s.set(`k${i}:${k}`, k)
    })
    for (const s of stores) s.flush()
    const data = JSON.parse(readFileSync(join(dir, 'counts-v1.json'), 'utf8')) as Record<string, number>
    expect(Object.keys(data).length).toBe(500)
  })

  it('lets a later assembly skip the counter entirely, with identical results', async () => {
    const dir = tmp()
    const path = 'agents/mlops-specialist.md'
    const doc = parseDocument(readFixture(resourcesRoot, path), { path })
    const resolver = fileSystemResolver({ root: resourcesRoot })
    const store = fileCountStore({ dir })
    // A custom counter with its own identity so no in-memory cache is shared with other tests.
    const { createTokenCounter } = await import('../../src/count/index.js')
    const real = createTokenCounter()
    const first = await assemble(doc, { budget: 3000, resolver, countStore: store, counter: { encoding: 'o200k_base', count: (t) => real.count(t) } })
    store.flush()
    const refusing = {
      encoding: 'o200k_base',
      count: (): number => {
        throw new Error('the encoder should not be needed')
      },
    }
    const second = await assemble(doc, { budget: 3000, resolver, countStore: fileCountStore({ dir }), counter: refusing })
    expect(second.text).toBe(first.text)
    expect(second.report.totalTokens).toBe(first.report.totalTokens)
  })
})
