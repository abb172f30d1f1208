/**
 * `statAhead`: stats of listed files taken on a worker thread while the caller walks the root
 * (see src/library/stat-ahead.ts), as `statSync` gives them; what it did not take is left to the caller.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ReadStat } from '../../src/library/scan.js'
import { STAT_AHEAD_MIN_FILES, statAhead } from '../../src/library/stat-ahead.js'

let dir: string
/** Paths in path order: 30 documents, a folder and a file that does not exist. */
let paths: string[]

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'promptfold-ahead-'))
  paths = []
  for (let i = 0; i < 30; i++) {
    const rel = `d${i % 3}/doc-${String(i).padStart(2, '0')}.md`
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
    writeFileSync(path.join(dir, rel), `# Document ${i}\n${'x'.repeat(i)}\n`)
    paths.push(rel)
  }
  mkdirSync(path.join(dir, 'folder.md'))
  paths.push('folder.md', 'gone.md')
  paths.sort()
})

afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** The paths as `statAhead` takes them: one a line. */
const list = () => paths.join('\n')

const blank = (): ReadStat => ({ size: -1, mtimeMs: -1, ctimeMs: -1, ino: -1 })

describe('statAhead', () => {
  it('starts no thread for fewer files than asked for, nor for none; by default for STAT_AHEAD_MIN_FILES or more', () => {
    expect(statAhead(dir, list(), paths.length, paths.length + 1)).toBeUndefined()
    expect(statAhead(dir, '', 0, 0)).toBeUndefined()
    expect(statAhead(dir, list(), paths.length)).toBeUndefined()
    expect(STAT_AHEAD_MIN_FILES).toBe(8192)
  })

  it('gives each regular file its stat as statSync gives it (size, times, inode); a folder or a missing file is left to the caller', async () => {
    const ahead = statAhead(dir, list(), paths.length, 1)
    if (!ahead) throw new Error('no thread')
    await ahead.ended
    for (const [i, rel] of paths.entries()) {
      const out = blank()
      const taken = ahead.take(i, out)
      const s = statSync(path.join(dir, rel), { throwIfNoEntry: false })
      if (s?.isFile()) expect([rel, taken, out]).toEqual([rel, true, { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino }])
      else expect([rel, taken, out]).toEqual([rel, false, blank()])
    }
    expect(ahead.take(-1, blank())).toBe(false)
    expect(ahead.take(paths.length, blank())).toBe(false)
    ahead.stop()
  })

  it('takes a file as it is after the call: an edit made before it is in the stat', async () => {
    const rel = paths[paths.length - 1] as string
    const ahead = statAhead(dir, list(), paths.length, 1)
    if (!ahead) throw new Error('no thread')
    await ahead.ended
    writeFileSync(path.join(dir, rel), 'longer than it was before, by a good many bytes\n')
    const again = statAhead(dir, list(), paths.length, 1)
    if (!again) throw new Error('no thread')
    await again.ended
    const out = blank()
    expect(again.take(paths.length - 1, out)).toBe(true)
    expect(out.size).toBe(statSync(path.join(dir, rel)).size)
    again.stop()
    ahead.stop()
  })

  it('once stopped, gives nothing (the caller stats every file itself), and its thread ends', async () => {
    const ahead = statAhead(dir, list(), paths.length, 1)
    if (!ahead) throw new Error('no thread')
    ahead.stop()
    ahead.stop()
    await ahead.ended
    expect(paths.map((_, i) => ahead.take(i, blank()))).toEqual(paths.map(() => false))
  })

  it('stats no path with a .. segment (it would lead out of the root), and nothing when the list has another count', async () => {
    // The root is d0: d1/doc-01.md lies outside it.
    const inner = path.join(dir, 'd0')
    const names = ['../d1/doc-01.md', 'x/../../d1/doc-01.md', '..', 'a..b.md']
    writeFileSync(path.join(inner, 'a..b.md'), 'dots\n')
    const ahead = statAhead(inner, names.join('\n'), names.length, 1)
    if (!ahead) throw new Error('no thread')
    await ahead.ended
    expect(names.map((_, i) => ahead.take(i, blank()))).toEqual([false, false, false, true])
    const miscounted = statAhead(dir, list(), paths.length + 1, 1)
    if (!miscounted) throw new Error('no thread')
    await miscounted.ended
    expect(paths.map((_, i) => miscounted.take(i, blank()))).toEqual(paths.map(() => false))
  })
})

describe('statAhead on one CPU', () => {
  it('starts no thread: it would take turns with the caller', async () => {
    vi.resetModules()
    vi.doMock('node:os', async (importOriginal) => ({ ...(await importOriginal<typeof import('node:os')>()), availableParallelism: () => 1 }))
    try {
      const oneCpu = await import('../../src/library/stat-ahead.js')
      expect(oneCpu.statAhead(dir, list(), paths.length, 1)).toBeUndefined()
    } finally {
      vi.doUnmock('node:os')
      vi.resetModules()
    }
    const ahead = (await import('../../src/library/stat-ahead.js')).statAhead(dir, list(), paths.length, 1)
    expect(ahead).toBeDefined()
    ahead?.stop()
  })
})
