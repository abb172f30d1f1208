/**
 * Stores that keep work between processes: exact token counts of text runs, and
 * parsed documents.
 *
 * Count keys are `<encoding>:<sha256 of the text>` and parse keys digests of the
 * source, options and version, so a changed file can never reuse stale work: its
 * text, and so its key, changes.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'

/** A key-value store of token counts. Any object of this shape can be passed to `assemble` as `countStore`. */
export interface CountStore {
  get(key: string): number | undefined
  set(key: string, value: number): void
}

/** The platform's cache folder for promptfold: `$XDG_CACHE_HOME/promptfold` (Linux), `~/Library/Caches/promptfold` (macOS), `%LOCALAPPDATA%\promptfold\Cache` (Windows). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = homedir()
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'promptfold')
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'promptfold', 'Cache')
  return join(env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(home, '.cache'), 'promptfold')
}

/** A {@link CountStore} backed by one JSON file, loaded once and written back with {@link FileCountStore.flush}. */
export interface FileCountStore extends CountStore {
  /** Path of the backing file. */
  readonly path: string
  /** Number of entries held. */
  readonly size: number
  /** Write new entries to disk (atomically: temp file, then rename). Returns whether anything was written. */
  flush(): boolean
}

/** Options for {@link fileCountStore}. */
export interface FileCountStoreOptions {
  /** Folder to keep the file in. Default {@link defaultCacheDir}(). */
  dir?: string
  /** Most entries kept; when exceeded the store starts over. Default 200,000. */
  maxEntries?: number
}

const FILE = 'counts-v1.json'

/** Read a store file; anything unreadable or malformed reads as empty. */
function load(path: string): Map<string, number> {
  const entries = new Map<string, number>()
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as unknown
    if (data && typeof data === 'object' && !Array.isArray(data)) {
      for (const [k, v] of Object.entries(data as Record<string, unknown>)) if (typeof v === 'number' && Number.isInteger(v) && v >= 0) entries.set(k, v)
    }
  } catch {
    // A missing or torn file is an empty cache.
  }
  return entries
}

/**
 * A count store in a JSON file under `dir`. Safe under concurrent processes: each
 * flush writes a private temp file and renames it into place, so readers see either
 * the old or the new file, never a torn one; a corrupt file is ignored.
 */
export function fileCountStore(options: FileCountStoreOptions = {}): FileCountStore {
  const dir = options.dir ?? defaultCacheDir()
  const maxEntries = options.maxEntries ?? 200_000
  const path = join(dir, FILE)
  let entries = load(path)
  const added = new Map<string, number>()
  let dirty = false
  return {
    path,
    get size() {
      return entries.size
    },
    get: (key) => entries.get(key),
    set(key, value) {
      if (entries.get(key) === value) return
      if (entries.size >= maxEntries) entries = new Map()
      entries.set(key, value)
      added.set(key, value)
      dirty = true
    },
    flush() {
      if (!dirty) return false
      const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
      try {
        mkdirSync(dirname(path), { recursive: true })
        // Merge with what other processes wrote since we loaded, then replace atomically.
        const merged = load(path)
        if (merged.size + added.size > maxEntries) merged.clear()
        for (const [k, v] of added) merged.set(k, v)
        entries = merged
        writeFileSync(tmp, JSON.stringify(Object.fromEntries(merged)))
        renameSync(tmp, path)
        added.clear()
        dirty = false
        return true
      } catch {
        rmSync(tmp, { force: true })
        return false
      }
    },
  }
}

/**
 * A key-value store of parsed documents (plain JSON data, without their source). Any
 * object of this shape can be passed to `parseDocument` and `assemble` as `parseStore`.
 * Keys are SHA-256 digests of the source, the parse options and the promptfold version,
 * so a changed file, option or release never reuses a stale parse.
 */
export interface ParseStore {
  get(key: string): unknown
  set(key: string, value: object): void
}

/** A {@link ParseStore} backed by one JSON file per document, written with {@link FileParseStore.flush}. */
export interface FileParseStore extends ParseStore {
  /** Folder holding the entries. */
  readonly dir: string
  /** Write new entries to disk (each atomically: temp file, then rename). Returns how many were written. */
  flush(): number
}

/** Options for {@link fileParseStore}. */
export interface FileParseStoreOptions {
  /** Folder to keep the entries in (in a `parsed-v1` folder inside it). Default {@link defaultCacheDir}(). */
  dir?: string
  /** Most entries kept on disk; when a flush goes over, the oldest are removed. Default 5,000. */
  maxEntries?: number
}

const PARSED = 'parsed-v1'
const KEY = /^[A-Za-z0-9_-]{16,128}$/

/**
 * A parse store in `dir/parsed-v1`, one small JSON file per parsed document, read only
 * when asked for. Safe under concurrent processes (private temp file, then rename); an
 * unreadable or malformed entry reads as missing.
 */
export function fileParseStore(options: FileParseStoreOptions = {}): FileParseStore {
  const dir = join(options.dir ?? defaultCacheDir(), PARSED)
  const maxEntries = options.maxEntries ?? 5000
  const pending = new Map<string, string>()
  const fileOf = (key: string) => join(dir, `${key}.json`)
  return {
    dir,
    get(key) {
      if (!KEY.test(key)) return undefined
      const waiting = pending.get(key)
      try {
        return JSON.parse(waiting ?? readFileSync(fileOf(key), 'utf8')) as unknown
      } catch {
        return undefined
      }
    },
    set(key, value) {
      if (!KEY.test(key)) return
      pending.set(key, JSON.stringify(value))
    },
    flush() {
      if (pending.size === 0) return 0
      let written = 0
      try {
        mkdirSync(dir, { recursive: true })
      } catch {
        return 0
      }
      for (const [key, json] of pending) {
        const tmp = `${fileOf(key)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
        try {
          writeFileSync(tmp, json)
          renameSync(tmp, fileOf(key))
          written++
        } catch {
          rmSync(tmp, { force: true })
        }
      }
      pending.clear()
      prune(dir, maxEntries)
      return written
    },
  }
}

/** Remove the oldest entries of `dir` beyond `maxEntries`. */
function prune(dir: string, maxEntries: number): void {
  try {
    const names = readdirSync(dir).filter((n) => n.endsWith('.json'))
    if (names.length <= maxEntries) return
    const aged = names.map((n) => {
      try {
        return { n, t: statSync(join(dir, n)).mtimeMs }
      } catch {
        return { n, t: 0 }
      }
    })
    aged.sort((a, b) => a.t - b.t || (a.n < b.n ? -1 : 1))
    for (const { n } of aged.slice(0, names.length - maxEntries)) rmSync(join(dir, n), { force: true })
  } catch {
    // Pruning is best effort.
  }
}
