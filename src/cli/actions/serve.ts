/**
 * `promptfold serve`: the implementation (loaded when the command runs).
 *
 * @module
 */
import { fileParseStore } from '../../index.js'
import { type ServeOptions, serve } from '../../mcp/index.js'
import type { ServeCommandOptions } from '../commands/serve.js'
import { checkRoot } from '../document.js'

/** Run `serve` until the client disconnects. */
export async function runServe(root: string, options: ServeCommandOptions): Promise<void> {
  checkRoot(root, '')
  const serveOptions: ServeOptions = {}
  if (options.defaultBudget !== undefined) serveOptions.defaultBudget = options.defaultBudget
  if (options.maxBudget !== undefined) serveOptions.maxBudget = options.maxBudget
  if (options.encoding !== undefined) serveOptions.encoding = options.encoding
  if (options.cache !== false) serveOptions.parseStore = fileParseStore()
  await serve(root, serveOptions)
}
