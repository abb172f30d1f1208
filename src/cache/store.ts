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
import { closeSync, constants, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { rename, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { PromptfoldError } from '../errors.js'
import type { CountStore, ParseStore } from './types.js'

export type { CountStore, ParseStore } from './types.js'

/** The platform's cache folder for promptfold: `$XDG_CACHE_HOME/promptfold` (Linux), `~/Library/Caches/promptfold` (macOS), `%LOCALAPPDATA%\promptfold\Cache` (Windows). */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>> = process.env, platform: string = process.platform): string {
  const home = homedir()
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'promptfold')
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'promptfold', 'Cache')
  return join(env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(home, '.cache'), 'promptfold')
}

/**
 * Called once, at a store's first fault: a cache path that is not a folder, an entry that is
 * not a regular file (a FIFO, a device, a symbolic link), too large, malformed or not the
 * entry of its key, or a read or write that failed for another reason than "not there yet".
 * The error is a `PromptfoldError` with code `CACHE_FAULT`, the path in `file` and the system
 * error, if any, in `cause`. From then on the store is off: it reads nothing and writes nothing,
 * so the work is done again, exactly as without a store.
 */
export type CacheFaultHandler = (error: PromptfoldError) => void

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
  /** Told of the store's first fault, after which the store is off (see {@link CacheFaultHandler}). Default: none (the store turns off silently). */
  onFault?: CacheFaultHandler
}

const FILE = 'counts-v1.json'
/** Largest count file read or written (bytes): 200,000 entries of real keys take about 13 MB. */
export const MAX_COUNT_FILE_BYTES = 16 * 1024 * 1024
/** Largest parse entry read or written (bytes); a larger parse is not kept. */
export const MAX_PARSE_ENTRY_BYTES = 8 * 1024 * 1024
/** A count key: `<encoding>:<digest>` (the digest is base64 of a SHA-256 in practice). */
const COUNT_KEY = /^[\w.-]{1,64}:[\w+/=-]{1,128}$/
/** Largest count kept: no text of a JavaScript string has more tokens. */
const MAX_COUNT = 2 ** 32

/** Open flags for a cache entry: never through a final symbolic link, never waiting on a FIFO. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)

/** A fault of a cache path (see {@link CacheFaultHandler}). */
function fault(path: string, what: string, cause?: unknown): PromptfoldError {
  const code = cause instanceof Error ? (cause as NodeJS.ErrnoException).code : undefined
  const reason = code === undefined ? '' : ` (${code}${SYSTEM_REASONS[code] ? `: ${SYSTEM_REASONS[code]}` : ''})`
  return new PromptfoldError('CACHE_FAULT', `Cache ${what}${reason}`, { file: path, cause })
}

/** Plain words for the system errors a cache path most often gives. */
const SYSTEM_REASONS: Record<string, string> = {
  ENOTDIR: 'a folder on its path is not a folder',
  ELOOP: 'a symbolic link',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'a folder on its path cannot be created',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
}

/**
 * Read a cache file whole, or `undefined` when it does not exist. Anything else that is not a
 * regular file of at most `maxBytes` bytes is a fault (thrown): a FIFO is never waited on, a
 * symbolic link never followed, a device never read.
 */
function readEntry(path: string, maxBytes: number): string | undefined {
  const bytes = readEntryBytes(path, maxBytes)
  return bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
}

/**
 * Create the folder `path` and any missing parents, one level at a time: every parent that
 * exists must be a folder, and each `mkdir` is tried once (Node's recursive `mkdir` spins for
 * ever on a path such as `/proc/self/x`, where `mkdir` answers "not found" under a parent that
 * exists). Throws the system error of the first step that fails.
 */
export function makeDirectories(path: string): void {
  const missing: string[] = []
  let at = resolve(path)
  // Each step goes one level up or makes one level, so a path of PATH_MAX (4,096) characters
  // needs fewer steps than this; more means the path keeps changing under us.
  for (let steps = 0; ; steps++) {
    if (steps > 8192) throw Object.assign(new Error(`ELOOP: too many steps, mkdir '${at}'`), { code: 'ELOOP', syscall: 'mkdir', path: at })
    let isDirectory: boolean
    try {
      isDirectory = statSync(at).isDirectory()
    } catch (error) {
      const parent = dirname(at)
      // Not there, or under something that is not a folder (found, and refused, further up).
      const code = (error as NodeJS.ErrnoException).code
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === at) throw error
      missing.push(at)
      at = parent
      continue
    }
    if (isDirectory) break
    // Not a folder: the system's own error, with the path Node's recursive mkdir names (the
    // first level to make under it, ENOTDIR, or the path itself, EEXIST).
    mkdirSync(missing.pop() ?? at)
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir)
    } catch (error) {
      // Made by another process meanwhile: fine when it is a folder.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(dir).isDirectory()) throw error
    }
  }
}

/** Write `text` to `path` atomically (a private temp file, then rename); the temp file is removed on failure. */
function writeAtomically(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    writeFileSync(tmp, text, { flag: 'wx' })
    renameSync(tmp, path)
  } catch (error) {
    try {
      rmSync(tmp, { force: true })
    } catch {
      // Nothing to remove (the folder is not one): the write's own error is the one to tell.
    }
    throw error
  }
}

/** `text` as a JSON object, or a fault naming `path` (`what` is 'file' or 'entry'). */
function jsonObject(text: string, path: string, what: 'file' | 'entry'): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw fault(path, `${what} is not JSON`, error)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fault(path, `${what} is not a JSON object`)
  return value as Record<string, unknown>
}

/** Read a count file; a missing file reads as empty; anything else but entries promptfold writes is a fault (thrown). */
function load(path: string): Map<string, number> {
  const entries = new Map<string, number>()
  const text = readEntry(path, MAX_COUNT_FILE_BYTES)
  if (text === undefined) return entries
  const data = jsonObject(text, path, 'file')
  for (const [k, v] of Object.entries(data)) {
    if (!isCountEntry(k, v)) throw fault(path, 'file holds an entry that is not a count')
    entries.set(k, v)
  }
  return entries
}

/** Whether `key` and `value` are a count entry as promptfold writes them. */
function isCountEntry(key: string, value: unknown): value is number {
  return COUNT_KEY.test(key) && typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_COUNT
}

/**
 * A count store in a JSON file under `dir`. Safe under concurrent processes: each
 * flush writes a private temp file and renames it into place, so readers see either
 * the old or the new file, never a torn one. The file is untrusted input: it is read only
 * when it is a regular file of at most {@link MAX_COUNT_FILE_BYTES} bytes holding only count
 * entries; anything else is a fault (see {@link CacheFaultHandler}) and turns the store off.
 * Entries whose key or value is not of that form are not kept.
 */
export function fileCountStore(options: FileCountStoreOptions = {}): FileCountStore {
  const dir = options.dir ?? defaultCacheDir()
  const maxEntries = options.maxEntries ?? 200_000
  const path = join(dir, FILE)
  let off = false
  const turnOff = (error: unknown): void => {
    if (off) return
    off = true
    entries = new Map()
    added.clear()
    options.onFault?.(error instanceof PromptfoldError ? error : fault(path, 'file cannot be used', error))
  }
  let entries = new Map<string, number>()
  const added = new Map<string, number>()
  try {
    entries = load(path)
  } catch (error) {
    turnOff(error)
  }
  return {
    path,
    get size() {
      return entries.size
    },
    get: (key) => (off ? undefined : entries.get(key)),
    set(key, value) {
      if (off || entries.get(key) === value || !isCountEntry(key, value)) return
      if (entries.size >= maxEntries) entries = new Map()
      entries.set(key, value)
      added.set(key, value)
    },
    flush() {
      if (off || added.size === 0) return false
      try {
        makeDirectories(dir)
        // Merge with what other processes wrote since we loaded, then replace atomically.
        let merged = load(path)
        if (merged.size + added.size > maxEntries) merged.clear()
        for (const [k, v] of added) merged.set(k, v)
        let json = JSON.stringify(Object.fromEntries(merged))
        if (Buffer.byteLength(json) > MAX_COUNT_FILE_BYTES) {
          // Start over with this run's entries; if even they are too many, keep nothing.
          merged = new Map(added)
          json = JSON.stringify(Object.fromEntries(merged))
          if (Buffer.byteLength(json) > MAX_COUNT_FILE_BYTES) {
            added.clear()
            return false
          }
        }
        writeAtomically(path, json)
        entries = merged
        added.clear()
        return true
      } catch (error) {
        turnOff(error instanceof PromptfoldError ? error : fault(path, 'file cannot be written', error))
        return false
      }
    },
  }
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
  /** Told of the store's first fault, after which the store is off (see {@link CacheFaultHandler}). Default: none (the store turns off silently). */
  onFault?: CacheFaultHandler
}

const PARSED = 'parsed-v1'
const KEY = /^[A-Za-z0-9_-]{16,128}$/
/** The field of a parse entry on disk that holds its own key (a file renamed or copied to another key is refused). */
const KEY_FIELD = '$key'

/**
 * A parse store in `dir/parsed-v1`, one small JSON file per parsed document, read only
 * when asked for. Safe under concurrent processes (private temp file, then rename). Entries
 * are untrusted input: one is read only when it is a regular file (opened without following a
 * symbolic link or waiting on a FIFO) of at most {@link MAX_PARSE_ENTRY_BYTES} bytes, holding a
 * JSON object that names its own key; anything else is a fault (see {@link CacheFaultHandler})
 * and turns the store off. An entry with no key at all (written by an earlier version) is a
 * miss, replaced at the next flush. What the entry holds is checked again by `parseDocument` against
 * the source it is asked for. Only plain objects up to that size are kept.
 */
export function fileParseStore(options: FileParseStoreOptions = {}): FileParseStore {
  const dir = join(options.dir ?? defaultCacheDir(), PARSED)
  const maxEntries = options.maxEntries ?? 5000
  const pending = new Map<string, string>()
  const fileOf = (key: string) => join(dir, `${key}.json`)
  let off = false
  const turnOff = (error: PromptfoldError): void => {
    if (off) return
    off = true
    pending.clear()
    options.onFault?.(error)
  }
  /** The stored value of `key`, `undefined` when there is none; a fault is thrown. */
  const read = (key: string): unknown => {
    const path = fileOf(key)
    const text = pending.get(key) ?? readEntry(path, MAX_PARSE_ENTRY_BYTES)
    if (text === undefined) return undefined
    const value = jsonObject(text, path, 'entry')
    if (!Object.hasOwn(value, KEY_FIELD)) return undefined // written before entries held their key: a miss, replaced at the next flush
    const { [KEY_FIELD]: own, ...rest } = value
    if (own !== key) throw fault(path, 'entry is not the entry of its key')
    return rest
  }
  return {
    dir,
    get(key) {
      if (off || !KEY.test(key)) return undefined
      try {
        return read(key)
      } catch (error) {
        turnOff(error instanceof PromptfoldError ? error : fault(fileOf(key), 'entry cannot be read', error))
        return undefined
      }
    },
    set(key, value) {
      if (off || !KEY.test(key) || value === null || typeof value !== 'object' || Array.isArray(value) || Object.hasOwn(value, KEY_FIELD)) return
      const json = JSON.stringify({ [KEY_FIELD]: key, ...value })
      if (json.length > MAX_PARSE_ENTRY_BYTES || Buffer.byteLength(json) > MAX_PARSE_ENTRY_BYTES) return
      pending.set(key, json)
    },
    flush() {
      if (off || pending.size === 0) return 0
      let written = 0
      try {
        makeDirectories(dir)
        for (const [key, json] of pending) {
          writeAtomically(fileOf(key), json)
          written++
        }
      } catch (error) {
        turnOff(fault(dir, 'folder cannot be written', error))
        return written
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

/**
 * A store of library indexes, two binary values per library (see `loadLibrary`'s `indexStore`:
 * the index, read at load, and its details, read on first use): what indexing a library root
 * found, so the next load of the same root reads and parses only the files that changed. Any
 * object of this shape can be passed to `loadLibrary`.
 */
export interface LibraryIndexStore {
  /** The value last stored under `key`, or `undefined`. */
  get(key: string): Uint8Array | undefined
  /** Store `value` under `key` (replacing the previous one). */
  set(key: string, value: Uint8Array): void
}

/** A {@link LibraryIndexStore} backed by one file per value (two per library) in a folder. */
export interface FileLibraryIndexStore extends LibraryIndexStore {
  /** Folder holding the index files. */
  readonly dir: string
  /**
   * Resolves once every value stored so far is on disk (or the store turned off). `set` returns
   * at once and writes in the background; a process that ends normally waits for the write
   * anyway (it keeps the event loop alive), so only a caller that reads the file itself, or
   * calls `process.exit()`, needs this.
   */
  flush(): Promise<void>
}

/** Options for {@link fileLibraryIndexStore}. */
export interface FileLibraryIndexStoreOptions {
  /** Folder to keep the index files in (in a `library-v1` folder inside it). Default {@link defaultCacheDir}(). */
  dir?: string
  /** Told of the store's first fault, after which the store is off (see {@link CacheFaultHandler}). Default: none (the store turns off silently). */
  onFault?: CacheFaultHandler
}

/** Largest library index file read or written (bytes); 50,000 documents take about 49 MB (the index, with its match postings) and 96 MB (its details). */
export const MAX_LIBRARY_INDEX_BYTES = 512 * 1024 * 1024

const LIBRARY_INDEXES = 'library-v1'

/**
 * A library index store in `dir/library-v1`, one file per value (two per library root), written in the
 * background on `set` (atomically: a private temp file, then rename, so concurrent processes see
 * the old or the new index, never a torn one; `get` in the same process sees a value being
 * written at once; see {@link FileLibraryIndexStore.flush}). A file is read only when it is a regular file (opened
 * without following a symbolic link or waiting on a FIFO) of at most
 * {@link MAX_LIBRARY_INDEX_BYTES} bytes; anything else, or a failed write, is a fault (see
 * {@link CacheFaultHandler}) and turns the store off. What a file holds is checked by
 * `loadLibrary` (format, version, checksum): a damaged one is ignored and replaced.
 */
export function fileLibraryIndexStore(options: FileLibraryIndexStoreOptions = {}): FileLibraryIndexStore {
  const dir = join(options.dir ?? defaultCacheDir(), LIBRARY_INDEXES)
  const fileOf = (key: string) => join(dir, `${key}.idx`)
  let off = false
  const turnOff = (error: PromptfoldError): void => {
    if (off) return
    off = true
    options.onFault?.(error)
  }
  /** Values being written, by key: the latest one, and when its write (and every earlier one of the key) is done. */
  const pending = new Map<string, { value: Uint8Array; done: Promise<void> }>()
  /** Write `value` as the file of `key` unless a later value came meanwhile (that one is written instead). */
  const write = async (key: string, value: Uint8Array, latest: () => boolean): Promise<void> => {
    if (off || !latest()) return
    const path = fileOf(key)
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
    try {
      await writeFile(tmp, value, { flag: 'wx' })
      await rename(tmp, path)
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => undefined)
      turnOff(fault(dir, 'folder cannot be written', error))
    }
  }
  return {
    dir,
    get(key) {
      if (off || !KEY.test(key)) return undefined
      const writing = pending.get(key)
      if (writing) return writing.value
      try {
        return readEntryBytes(fileOf(key), MAX_LIBRARY_INDEX_BYTES)
      } catch (error) {
        turnOff(error instanceof PromptfoldError ? error : fault(fileOf(key), 'entry cannot be read', error))
        return undefined
      }
    },
    set(key, value) {
      if (off || !KEY.test(key) || !(value instanceof Uint8Array) || value.length > MAX_LIBRARY_INDEX_BYTES) return
      try {
        makeDirectories(dir)
      } catch (error) {
        turnOff(fault(dir, 'folder cannot be written', error))
        return
      }
      // Writes of one key one after the other; a value replaced before its turn is not written.
      const entry = { value, done: Promise.resolve() }
      const before = pending.get(key)?.done ?? Promise.resolve()
      entry.done = before.then(() => write(key, value, () => pending.get(key) === entry))
      pending.set(key, entry)
      void entry.done.then(() => {
        if (pending.get(key) === entry) pending.delete(key)
      })
    },
    async flush() {
      while (pending.size > 0) await Promise.all([...pending.values()].map((p) => p.done))
    },
  }
}

/**
 * Read a cache file's bytes whole, or `undefined` when it does not exist. Anything else that is
 * not a regular file of at most `maxBytes` bytes is a fault (thrown), as for {@link readEntry}.
 */
function readEntryBytes(path: string, maxBytes: number): Uint8Array | undefined {
  let fd: number
  try {
    fd = openSync(path, READ_FLAGS)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw fault(path, 'entry cannot be read', error)
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) throw fault(path, 'entry is not a regular file')
    if (stat.size > maxBytes) throw fault(path, `entry is ${stat.size} bytes, over the limit of ${maxBytes}`)
    const buffer = Buffer.allocUnsafe(stat.size + 1)
    let length = 0
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null)
      if (n === 0) break
      length += n
      if (length > maxBytes) throw fault(path, `entry is over the limit of ${maxBytes} bytes`)
      if (length === buffer.length) break
    }
    return buffer.subarray(0, length)
  } catch (error) {
    if (error instanceof PromptfoldError) throw error
    throw fault(path, 'entry cannot be read', error)
  } finally {
    closeSync(fd)
  }
}
