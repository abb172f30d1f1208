/**
 * The CLI's persistent caches: token counts and parsed documents, under the platform's
 * cache folder (`$XDG_CACHE_HOME/promptfold` on Linux). `--no-cache` turns both off.
 *
 * @module
 */
import { type FileCountStore, type FileParseStore, fileCountStore, fileParseStore } from '../index.js'

/** Both stores, and one call to write what they learned. */
export interface Caches {
  countStore: FileCountStore
  parseStore: FileParseStore
  flush(): void
}

/** Open the caches, or `undefined` when `enabled` is false. */
export function openCaches(enabled: boolean | undefined): Caches | undefined {
  if (enabled === false) return undefined
  const countStore = fileCountStore()
  const parseStore = fileParseStore()
  return {
    countStore,
    parseStore,
    flush() {
      countStore.flush()
      parseStore.flush()
    },
  }
}
