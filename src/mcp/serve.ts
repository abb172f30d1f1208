/**
 * `serve(root)`: load a library and serve it over stdio (for `promptfold serve <root>`).
 *
 * @module
 */
import type { Readable, Writable } from 'node:stream'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { type LoadLibraryOptions, loadLibrary } from '../library/library.js'
import { type CreateServerOptions, createServer } from './server.js'

/** How often a persistent `parseStore` is written while serving, in milliseconds. */
const FLUSH_EVERY_MS = 5000

/** Options of {@link serve}. */
export interface ServeOptions extends CreateServerOptions, Omit<LoadLibraryOptions, 'root'> {
  /** Input stream. Default `process.stdin`. */
  stdin?: Readable
  /** Output stream (JSON-RPC only; nothing else is written to it). Default `process.stdout`. */
  stdout?: Writable
  /** Where one-line status messages go. Default `process.stderr`; `null` for silence. */
  log?: Writable | null
}

/**
 * Load the library below `root` and serve it as an MCP server over stdio.
 * Resolves when the client disconnects (stdin ends) or the server is closed.
 */
export async function serve(root: string, options: ServeOptions = {}): Promise<void> {
  const library = await loadLibrary({
    root,
    ...(options.schemes !== undefined ? { schemes: options.schemes } : {}),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    ...(options.maxFiles !== undefined ? { maxFiles: options.maxFiles } : {}),
    ...(options.parseStore !== undefined ? { parseStore: options.parseStore } : {}),
  })
  // Parses made while serving (titles for listing, matching, assembled views) are written to a
  // persistent store every few seconds and at the end, so the next session starts warm.
  const store = options.parseStore as { flush?: () => unknown } | undefined
  const flush = () => void store?.flush?.()
  const flusher = typeof store?.flush === 'function' ? setInterval(flush, FLUSH_EVERY_MS) : undefined
  flusher?.unref()
  const server = createServer(library, options)
  const stdin = options.stdin ?? process.stdin
  const stdout = options.stdout ?? process.stdout
  const log = options.log === undefined ? process.stderr : options.log
  const transport = new StdioServerTransport(stdin, stdout)
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve()
  })
  server.onerror = (error) => log?.write(`promptfold serve: ${error instanceof Error ? error.message : String(error)}\n`)
  await server.connect(transport)
  const broken = library.entries.filter((e) => e.diagnostics.some((d) => d.severity === 'error')).length
  log?.write(`promptfold serve: ${library.entries.length} documents from ${library.root}${broken > 0 ? ` (${broken} with errors)` : ''} over stdio\n`)
  const onEnd = () => void server.close()
  stdin.once('end', onEnd)
  stdin.once('close', onEnd)
  await closed
  if (flusher !== undefined) clearInterval(flusher)
  flush()
  stdin.off('end', onEnd)
  stdin.off('close', onEnd)
}
