/**
 * The CLI's persistent caches: token counts, parsed documents and the library index, under the
 * platform's cache folder (`$XDG_CACHE_HOME/promptfold` on Linux). `--no-cache` turns them off.
 *
 * The cache is untrusted input: at the first fault of any store (a path that is not a
 * folder, an entry that is a FIFO, a device, a symbolic link, too large or malformed, a write
 * that fails) all are turned off for the rest of the run, with one warning on stderr; the
 * run goes on exactly as with `--no-cache`, so its output is the same bytes.
 *
 * @module
 */
import type { PromptfoldError } from '../errors.js'
import { type CountStore, defaultCacheDir, fileCountStore, fileLibraryIndexStore, fileParseStore, type LibraryIndexStore, type ParseStore } from '../index.js'
import { styles } from './io.js'

/** The stores, and one call to write what they learned. */
export interface Caches {
  countStore: CountStore
  parseStore: ParseStore
  /** The persistent library index (docs/library.md): written when a library is loaded. */
  indexStore: LibraryIndexStore
  /** Write what the stores learned (nothing after a fault). */
  flush(): void
  /** The first fault, once one happened (it was told on stderr). */
  readonly fault: PromptfoldError | undefined
}

/**
 * Open the caches, or `undefined` when `enabled` is false. `warn` is told of the first fault
 * of any store, once (default: one `warning:` line on stderr).
 */
export function openCaches(enabled: boolean | undefined, warn: (error: PromptfoldError) => void = warnOnStderr): Caches | undefined {
  if (enabled === false) return undefined
  let fault: PromptfoldError | undefined
  const onFault = (error: PromptfoldError): void => {
    if (fault !== undefined) return
    fault = error
    warn(error)
  }
  const counts = fileCountStore({ onFault })
  const parses = fileParseStore({ onFault })
  const indexes = fileLibraryIndexStore({ onFault })
  return {
    countStore: {
      get: (key) => (fault === undefined ? counts.get(key) : undefined),
      set: (key, value) => {
        if (fault === undefined) counts.set(key, value)
      },
    },
    parseStore: {
      get: (key) => (fault === undefined ? parses.get(key) : undefined),
      set: (key, value) => {
        if (fault === undefined) parses.set(key, value)
      },
    },
    indexStore: {
      get: (key) => (fault === undefined ? indexes.get(key) : undefined),
      set: (key, value) => {
        if (fault === undefined) indexes.set(key, value)
      },
    },
    flush() {
      if (fault === undefined) counts.flush()
      if (fault === undefined) parses.flush()
    },
    get fault() {
      return fault
    },
  }
}

/** One line on stderr: what went wrong, where, and that the run goes on without the cache. */
function warnOnStderr(error: PromptfoldError): void {
  const s = styles(process.stderr)
  process.stderr.write(`${s.yellow('warning:')} ${error.message}: ${error.file ?? defaultCacheDir()}; working without the cache (fix or remove ${defaultCacheDir()}, or use --no-cache)\n`)
}
