/**
 * Cache path faults (issue 17, item 6): the cache is untrusted input. A regular file or a link
 * to `/dev/null` where the folder should be, an entry that is a FIFO or a link to `/dev/zero`,
 * an entry too large, malformed or not the entry of its key, a folder that cannot be made
 * (`/proc/self/...`): each is one fault, told once, after which the store reads and writes
 * nothing; nothing throws, nothing hangs, and an assembly gives the same bytes as without a store.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { assemble, clearParseCache } from '../../src/assemble/index.js'
import {
  type FileCountStore,
  type FileParseStore,
  fileCountStore,
  fileParseStore,
  MAX_COUNT_FILE_BYTES,
  MAX_PARSE_ENTRY_BYTES,
  makeDirectories,
} from '../../src/cache/store.js'
import { PromptfoldError } from '../../src/errors.js'
import { parseDocument } from '../../src/parse/document.js'
import { fileSystemResolver } from '../../src/resolve/fs.js'
import { readFixture, resourcesRoot } from '../helpers/fixtures.js'

const dirs: string[] = []
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'promptfold-faults-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const KEY = 'A'.repeat(43)
const OTHER = 'B'.repeat(43)
const COUNT_KEY = `o200k_base:${'x'.repeat(43)}=`

/** A store's faults, as told to `onFault`. */
function recorder(): { faults: PromptfoldError[]; onFault: (e: PromptfoldError) => void } {
  const faults: PromptfoldError[] = []
  return { faults, onFault: (e) => faults.push(e) }
}

/** Milliseconds `fn` takes. */
function timed(fn: () => void): number {
  const start = performance.now()
  fn()
  return performance.now() - start
}

/** Use both stores the way an assembly does: read, learn, flush; they must never throw. */
function exercise(counts: FileCountStore, parses: FileParseStore): { count: number | undefined; parse: unknown; flushed: [boolean, number] } {
  const count = counts.get(COUNT_KEY)
  const parse = parses.get(KEY)
  counts.set(COUNT_KEY, 7)
  parses.set(KEY, { a: 1 })
  return { count, parse, flushed: [counts.flush(), parses.flush()] }
}

/** The fault told, checked: one, a typed error with code CACHE_FAULT naming `file`. */
function expectOneFault(faults: PromptfoldError[], file: string, message: RegExp): void {
  expect(faults).toHaveLength(1)
  const [fault] = faults as [PromptfoldError]
  expect(fault).toBeInstanceOf(PromptfoldError)
  expect(fault.code).toBe('CACHE_FAULT')
  expect(fault.file).toBe(file)
  expect(fault.message).toMatch(message)
}

describe('a cache folder that is not a folder', () => {
  for (const [name, make] of [
    ['a regular file', (path: string) => writeFileSync(path, 'not a folder')],
    ['a symbolic link to /dev/null', (path: string) => symlinkSync('/dev/null', path)],
  ] as const) {
    it(`${name}: one fault per store, nothing read, nothing written, nothing thrown`, () => {
      const dir = join(tmp(), 'promptfold')
      make(dir)
      const c = recorder()
      const p = recorder()
      const counts = fileCountStore({ dir, onFault: c.onFault })
      const parses = fileParseStore({ dir, onFault: p.onFault })
      let result: ReturnType<typeof exercise> | undefined
      expect(timed(() => (result = exercise(counts, parses)))).toBeLessThan(2000)
      expect(result).toEqual({ count: undefined, parse: undefined, flushed: [false, 0] })
      // Off after the fault: what is set is not served either.
      expect(counts.get(COUNT_KEY)).toBeUndefined()
      expect(parses.get(KEY)).toBeUndefined()
      expect(counts.flush()).toBe(false)
      expectOneFault(c.faults, join(dir, 'counts-v1.json'), /^Cache entry cannot be read \(ENOTDIR: a folder on its path is not a folder\)$/)
      expectOneFault(p.faults, join(dir, 'parsed-v1', `${KEY}.json`), /^Cache entry cannot be read \(ENOTDIR/)
    })
  }

  it('without onFault, the stores turn off silently and never throw', () => {
    const dir = join(tmp(), 'promptfold')
    writeFileSync(dir, 'x')
    expect(exercise(fileCountStore({ dir }), fileParseStore({ dir }))).toEqual({ count: undefined, parse: undefined, flushed: [false, 0] })
  })
})

describe('cache entries that are not regular files', () => {
  /** A parse store with one valid entry written, and the path of another key's entry. */
  function parseDir(): { dir: string; entry: (key: string) => string } {
    const dir = tmp()
    const s = fileParseStore({ dir })
    s.set(KEY, { a: 1 })
    expect(s.flush()).toBe(1)
    return { dir, entry: (key) => join(dir, 'parsed-v1', `${key}.json`) }
  }

  it('a FIFO as a parse entry is refused at once (was: a hang for ever)', () => {
    const { dir, entry } = parseDir()
    execFileSync('mkfifo', [entry(OTHER)])
    const r = recorder()
    const store = fileParseStore({ dir, onFault: r.onFault })
    let got: unknown = 'unset'
    expect(timed(() => (got = store.get(OTHER)))).toBeLessThan(2000)
    expect(got).toBeUndefined()
    expectOneFault(r.faults, entry(OTHER), /^Cache entry is not a regular file$/)
    // Off: the valid entry is not read any more, and a flush writes nothing.
    expect(store.get(KEY)).toBeUndefined()
    store.set(OTHER, { b: 2 })
    expect(store.flush()).toBe(0)
    expect(r.faults).toHaveLength(1)
  })

  it('a FIFO as the count file is refused at once', () => {
    const dir = tmp()
    execFileSync('mkfifo', [join(dir, 'counts-v1.json')])
    const r = recorder()
    let store: FileCountStore | undefined
    expect(timed(() => (store = fileCountStore({ dir, onFault: r.onFault })))).toBeLessThan(2000)
    expect(store?.size).toBe(0)
    expectOneFault(r.faults, join(dir, 'counts-v1.json'), /^Cache entry is not a regular file$/)
  })

  it('a parse entry or the count file linked to /dev/zero is refused at once (was: 16.8 GB read, then an abort)', () => {
    const { dir, entry } = parseDir()
    symlinkSync('/dev/zero', entry(OTHER))
    symlinkSync('/dev/zero', join(dir, 'counts-v1.json'))
    const p = recorder()
    const c = recorder()
    const elapsed = timed(() => {
      expect(fileParseStore({ dir, onFault: p.onFault }).get(OTHER)).toBeUndefined()
      expect(fileCountStore({ dir, onFault: c.onFault }).size).toBe(0)
    })
    expect(elapsed).toBeLessThan(2000)
    expectOneFault(p.faults, entry(OTHER), /^Cache entry cannot be read \(ELOOP: a symbolic link\)$/)
    expectOneFault(c.faults, join(dir, 'counts-v1.json'), /^Cache entry cannot be read \(ELOOP/)
  })

  it('a symbolic link to a valid entry is refused too (entries are never followed)', () => {
    const { dir, entry } = parseDir()
    symlinkSync(entry(KEY), entry(OTHER))
    const r = recorder()
    expect(fileParseStore({ dir, onFault: r.onFault }).get(OTHER)).toBeUndefined()
    expectOneFault(r.faults, entry(OTHER), /ELOOP/)
  })

  it('a folder as a parse entry is refused', () => {
    const { dir, entry } = parseDir()
    mkdirSync(entry(OTHER))
    const r = recorder()
    expect(fileParseStore({ dir, onFault: r.onFault }).get(OTHER)).toBeUndefined()
    expectOneFault(r.faults, entry(OTHER), /^Cache entry is not a regular file$/)
  })
})

describe('cache entries are validated: size, schema, their own key', () => {
  it('a valid entry is read; a missing one is a miss, not a fault', () => {
    const dir = tmp()
    const a = fileParseStore({ dir })
    a.set(KEY, { a: 1, nested: { b: [1, 'two'] } })
    expect(a.flush()).toBe(1)
    const r = recorder()
    const b = fileParseStore({ dir, onFault: r.onFault })
    expect(b.get(KEY)).toEqual({ a: 1, nested: { b: [1, 'two'] } })
    expect(b.get(OTHER)).toBeUndefined()
    expect(b.get(KEY)).toEqual({ a: 1, nested: { b: [1, 'two'] } })
    expect(r.faults).toEqual([])
    // The entry on disk names its key.
    expect(JSON.parse(readFileSync(join(b.dir, `${KEY}.json`), 'utf8'))).toEqual({ $key: KEY, a: 1, nested: { b: [1, 'two'] } })
  })

  it('an entry copied to another key is refused', () => {
    const dir = tmp()
    const a = fileParseStore({ dir })
    a.set(KEY, { a: 1 })
    a.flush()
    copyFileSync(join(a.dir, `${KEY}.json`), join(a.dir, `${OTHER}.json`))
    const r = recorder()
    const b = fileParseStore({ dir, onFault: r.onFault })
    expect(b.get(OTHER)).toBeUndefined()
    expectOneFault(r.faults, join(a.dir, `${OTHER}.json`), /^Cache entry is not the entry of its key$/)
  })

  for (const [name, text, message] of [
    ['not JSON', '{"$key": "', /^Cache entry is not JSON$/],
    ['an array', `["${KEY}"]`, /^Cache entry is not a JSON object$/],
    ['null', 'null', /^Cache entry is not a JSON object$/],
    ['naming no string key', `{"$key": 1, "a": 1}`, /^Cache entry is not the entry of its key$/],
  ] as const) {
    it(`a parse entry that is ${name} is refused`, () => {
      const dir = tmp()
      mkdirSync(join(dir, 'parsed-v1'))
      writeFileSync(join(dir, 'parsed-v1', `${KEY}.json`), text)
      const r = recorder()
      expect(fileParseStore({ dir, onFault: r.onFault }).get(KEY)).toBeUndefined()
      expectOneFault(r.faults, join(dir, 'parsed-v1', `${KEY}.json`), message)
    })
  }

  it('an entry with no key at all (written by an earlier version) is a miss, not a fault, and is replaced at the next flush', () => {
    const dir = tmp()
    mkdirSync(join(dir, 'parsed-v1'))
    writeFileSync(join(dir, 'parsed-v1', `${KEY}.json`), '{"a": 1}')
    const r = recorder()
    const store = fileParseStore({ dir, onFault: r.onFault })
    expect(store.get(KEY)).toBeUndefined()
    store.set(KEY, { a: 2 })
    expect(store.flush()).toBe(1)
    expect(r.faults).toEqual([])
    expect(fileParseStore({ dir }).get(KEY)).toEqual({ a: 2 })
  })

  it(`a parse entry over ${MAX_PARSE_ENTRY_BYTES} bytes is refused without being read; a larger value is not kept`, () => {
    const dir = tmp()
    mkdirSync(join(dir, 'parsed-v1'))
    const big = `{"$key":"${KEY}","a":"${'x'.repeat(MAX_PARSE_ENTRY_BYTES)}"}`
    writeFileSync(join(dir, 'parsed-v1', `${KEY}.json`), big)
    const r = recorder()
    expect(fileParseStore({ dir, onFault: r.onFault }).get(KEY)).toBeUndefined()
    expectOneFault(r.faults, join(dir, 'parsed-v1', `${KEY}.json`), new RegExp(`^Cache entry is ${big.length} bytes, over the limit of ${MAX_PARSE_ENTRY_BYTES}$`))
    const s = fileParseStore({ dir: tmp() })
    s.set(KEY, { a: 'x'.repeat(MAX_PARSE_ENTRY_BYTES) })
    s.set(OTHER, { a: 'small' })
    expect(s.get(KEY)).toBeUndefined()
    expect(s.flush()).toBe(1)
    expect(readdirSync(s.dir)).toEqual([`${OTHER}.json`])
  })

  it('values that cannot carry their key are not kept (arrays, a value with its own $key)', () => {
    const s = fileParseStore({ dir: tmp() })
    s.set(KEY, [1, 2])
    s.set(OTHER, { $key: KEY })
    expect(s.flush()).toBe(0)
  })

  for (const [name, text, message] of [
    ['not JSON', '{"o200k_base:a": 1', /^Cache file is not JSON$/],
    ['an array', '[1, 2]', /^Cache file is not a JSON object$/],
    ['a negative count', `{"${COUNT_KEY}": -1}`, /^Cache file holds an entry that is not a count$/],
    ['a fractional count', `{"${COUNT_KEY}": 1.5}`, /^Cache file holds an entry that is not a count$/],
    ['a count as a string', `{"${COUNT_KEY}": "7"}`, /^Cache file holds an entry that is not a count$/],
    ['a count over 2^32', `{"${COUNT_KEY}": ${2 ** 32 + 1}}`, /^Cache file holds an entry that is not a count$/],
    ['a key that is not <encoding>:<digest>', '{"no colon": 1}', /^Cache file holds an entry that is not a count$/],
    ['a key of 1,000 characters', `{"o200k_base:${'a'.repeat(990)}": 1}`, /^Cache file holds an entry that is not a count$/],
  ] as const) {
    it(`a count file holding ${name} is refused whole`, () => {
      const dir = tmp()
      writeFileSync(join(dir, 'counts-v1.json'), text)
      const r = recorder()
      const store = fileCountStore({ dir, onFault: r.onFault })
      expect(store.size).toBe(0)
      expect(store.get(COUNT_KEY)).toBeUndefined()
      expectOneFault(r.faults, join(dir, 'counts-v1.json'), message)
      // Off: not rewritten either.
      store.set(COUNT_KEY, 3)
      expect(store.flush()).toBe(false)
      expect(readFileSync(join(dir, 'counts-v1.json'), 'utf8')).toBe(text)
    })
  }

  it(`a count file over ${MAX_COUNT_FILE_BYTES} bytes is refused without being read`, () => {
    const dir = tmp()
    writeFileSync(join(dir, 'counts-v1.json'), Buffer.alloc(MAX_COUNT_FILE_BYTES + 1, 0x20))
    const r = recorder()
    expect(fileCountStore({ dir, onFault: r.onFault }).size).toBe(0)
    expectOneFault(r.faults, join(dir, 'counts-v1.json'), new RegExp(`^Cache entry is ${MAX_COUNT_FILE_BYTES + 1} bytes, over the limit of ${MAX_COUNT_FILE_BYTES}$`))
  })

  it('count entries that are not of the form written are not kept, and are no fault', () => {
    const dir = tmp()
    const r = recorder()
    const store = fileCountStore({ dir, onFault: r.onFault })
    store.set('no colon', 1)
    store.set(COUNT_KEY, -1)
    store.set(COUNT_KEY, Number.NaN)
    expect(store.size).toBe(0)
    expect(store.flush()).toBe(false)
    store.set(COUNT_KEY, 12)
    expect(store.flush()).toBe(true)
    expect(fileCountStore({ dir }).get(COUNT_KEY)).toBe(12)
    expect(r.faults).toEqual([])
  })
})

describe('folders that cannot be made', () => {
  it('XDG_CACHE_HOME=/proc/self: the flush is one fault, at once (was: a recursive mkdir spinning for ever)', () => {
    const dir = '/proc/self/promptfold'
    const c = recorder()
    const p = recorder()
    const counts = fileCountStore({ dir, onFault: c.onFault })
    const parses = fileParseStore({ dir, onFault: p.onFault })
    let result: ReturnType<typeof exercise> | undefined
    expect(timed(() => (result = exercise(counts, parses)))).toBeLessThan(2000)
    expect(result).toEqual({ count: undefined, parse: undefined, flushed: [false, 0] })
    expectOneFault(c.faults, join(dir, 'counts-v1.json'), /^Cache file cannot be written \(ENOENT: a folder on its path cannot be created\)$/)
    expectOneFault(p.faults, join(dir, 'parsed-v1'), /^Cache folder cannot be written \(ENOENT/)
  })

  it('makeDirectories makes each missing level, accepts existing folders, and fails at once where a level cannot be made', () => {
    const root = tmp()
    makeDirectories(join(root, 'a', 'b', 'c'))
    expect(statSync(join(root, 'a', 'b', 'c')).isDirectory()).toBe(true)
    makeDirectories(join(root, 'a', 'b', 'c'))
    makeDirectories(root)
    writeFileSync(join(root, 'file'), 'x')
    expect(() => makeDirectories(join(root, 'file', 'sub', 'deeper'))).toThrow(expect.objectContaining({ code: 'ENOTDIR', syscall: 'mkdir', path: join(root, 'file', 'sub') }))
    expect(() => makeDirectories(join(root, 'file'))).toThrow(expect.objectContaining({ code: 'EEXIST', syscall: 'mkdir', path: join(root, 'file') }))
    expect(existsSync(join(root, 'file', 'sub'))).toBe(false)
    const elapsed = timed(() => {
      expect(() => makeDirectories('/proc/nope/deeper')).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'mkdir', path: '/proc/nope' }))
      expect(() => makeDirectories('/proc/self/promptfold')).toThrow(expect.objectContaining({ code: 'ENOENT' }))
    })
    expect(elapsed).toBeLessThan(2000)
  })
})

/** A report as JSON text, without its timings (the only field that differs between two runs). */
function withoutTimings(report: object): string {
  const { timings: _timings, ...rest } = report as { timings?: unknown }
  return JSON.stringify(rest)
}

describe('an assembly over a faulty cache', () => {
  it('gives the same bytes and report as one without a cache, whatever the fault', async () => {
    const path = 'agents/mlops-specialist.md'
    const source = readFixture(resourcesRoot, path)
    const resolver = fileSystemResolver({ root: resourcesRoot })
    const plain = await assemble(parseDocument(source, { path }), { budget: 3000, resolver })
    const faulty: Array<(dir: string) => void> = [
      (dir) => writeFileSync(dir, 'x'),
      (dir) => symlinkSync('/dev/null', dir),
      (dir) => {
        // Every entry a FIFO or a link to /dev/zero: make a real cache, then replace its entries.
        mkdirSync(join(dir, 'parsed-v1'), { recursive: true })
        execFileSync('mkfifo', [join(dir, 'counts-v1.json')])
      },
    ]
    for (const make of faulty) {
      const dir = join(tmp(), 'promptfold')
      make(dir)
      const r = recorder()
      const countStore = fileCountStore({ dir, onFault: r.onFault })
      const parseStore = fileParseStore({ dir, onFault: r.onFault })
      clearParseCache()
      const run = await assemble(parseDocument(source, { path, parseStore }), { budget: 3000, resolver, countStore, parseStore })
      countStore.flush()
      parseStore.flush()
      expect(run.text).toBe(plain.text)
      expect(withoutTimings(run.report)).toEqual(withoutTimings(plain.report))
      expect(r.faults.length).toBeGreaterThanOrEqual(1)
      expect(r.faults.length).toBeLessThanOrEqual(2) // one per store at most
    }
  })

  it('with every stored parse replaced by a link to /dev/zero, the same bytes as a fresh run', async () => {
    const path = 'agents/mlops-specialist.md'
    const source = readFixture(resourcesRoot, path)
    const resolver = fileSystemResolver({ root: resourcesRoot })
    const dir = tmp()
    const first = fileParseStore({ dir })
    clearParseCache()
    const fresh = await assemble(parseDocument(source, { path, parseStore: first }), { budget: 3000, resolver, parseStore: first })
    expect(first.flush()).toBe(5)
    for (const name of readdirSync(first.dir)) {
      rmSync(join(first.dir, name))
      symlinkSync('/dev/zero', join(first.dir, name))
    }
    const r = recorder()
    const parseStore = fileParseStore({ dir, onFault: r.onFault })
    clearParseCache()
    const again = await assemble(parseDocument(source, { path, parseStore }), { budget: 3000, resolver, parseStore })
    expect(again.text).toBe(fresh.text)
    expect(withoutTimings(again.report)).toEqual(withoutTimings(fresh.report))
    expect(r.faults).toHaveLength(1)
    expect(r.faults[0]?.message).toMatch(/ELOOP/)
  })
})
