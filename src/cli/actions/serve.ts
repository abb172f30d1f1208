/**
 * `promptfold serve`: the implementation (loaded when the command runs).
 *
 * @module
 */
import { type ServeOptions, serve } from '../../mcp/index.js'
import { openCaches } from '../cache.js'
import type { ServeCommandOptions } from '../commands/serve.js'
import { checkRoot } from '../document.js'

/** Run `serve` until the client disconnects. */
export async function runServe(root: string, options: ServeCommandOptions): Promise<void> {
  checkRoot(root, '')
  const serveOptions: ServeOptions = {}
  if (options.defaultBudget !== undefined) serveOptions.defaultBudget = options.defaultBudget
  if (options.maxBudget !== undefined) serveOptions.maxBudget = options.maxBudget
  if (options.encoding !== undefined) serveOptions.encoding = options.encoding
  if (options.maxFiles !== undefined) serveOptions.maxFiles = options.maxFiles
  // The CLI's caches, as assemble and report open them: a fault turns them off with one warning.
  // Token counts persist too: the next session lists them without counting (docs/mcp.md).
  const caches = openCaches(options.cache)
  if (caches) {
    const store: ServeOptions['parseStore'] & { flush(): void } = { ...caches.parseStore, flush: () => caches.flush() }
    serveOptions.parseStore = store
    serveOptions.countStore = caches.countStore
    // The persistent library index (docs/library.md): the next session loads the library without
    // reading unchanged files. A fault turns every store off, with one warning.
    serveOptions.indexStore = caches.indexStore
  }
  await serve(root, serveOptions)
}
