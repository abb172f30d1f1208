/**
 * `promptfold serve <root>`: serve a library over MCP on stdio (see docs/mcp.md).
 *
 * @module
 */
import { statSync } from 'node:fs'
import { Command, InvalidArgumentError } from 'commander'
import type { EncodingName } from '../../index.js'
import { answerInitializeEarly } from '../../mcp/handshake.js'
import { DEFAULT_SCHEMES } from '../../parse/uri.js'
import { VERSION } from '../../version.js'
import { docsFile } from '../about.js'
import { encodingOption, nonNegativeInteger } from '../options.js'

/** A whole number of files, at least 1. */
function positiveIntegerOption(value: string): number {
  const n = nonNegativeInteger(value)
  if (n < 1) throw new InvalidArgumentError('expected a whole number of files, at least 1.')
  return n
}

/** Options of `promptfold serve`. */
export interface ServeCommandOptions {
  defaultBudget?: number
  maxBudget?: number
  encoding?: EncodingName
  /** `false` with `--no-cache`. */
  cache?: boolean
  /** `--max-files N`: most files the library indexes. */
  maxFiles?: number
}

/** Register the command. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the library below ROOT over MCP on stdio: resources, assembled views, matching, a prompt per agent')
    .argument('<root>', 'library folder (every .md file below it is a resource)')
    .option('--default-budget <n>', 'budget of prompts and assembled views that give none (default 8000)', nonNegativeInteger)
    .option('--max-budget <n>', 'largest budget a client may ask for (default 1000000)', nonNegativeInteger)
    .addOption(encodingOption())
    .option('--max-files <n>', 'most files of the library indexed (default 10000; a larger library says on stderr where it stopped)', positiveIntegerOption)
    .option('--no-cache', 'do not keep parsed documents between runs (by default they persist under the platform cache folder, so the next session lists and matches without parsing again)')
    .addHelpText(
      'after',
      () => `
stdout carries JSON-RPC only; one status line goes to stderr. Stops when stdin ends.
Exit codes: 0 ok, 1 failed, 2 bad usage. Details: ${docsFile('mcp.md')}

Example (an MCP client configuration):
  { "command": "npx", "args": ["promptfold", "serve", "/path/to/resources"] }
`,
    )
    .action(async (root: string, options: ServeCommandOptions) => {
      await answerEarly(root, options.maxFiles)
      const { runServe } = await import('../actions/serve.js')
      await runServe(root, options)
    })
}

/**
 * Answer the client's `initialize`, and the `resources/list` requests that follow it, while the
 * server code (the MCP SDK bundled with it, ~60 ms to load) and the library load (see
 * src/mcp/handshake.ts; the list comes from a walk of the folder, src/mcp/early-list.ts), and
 * start the parser's worker thread before the server code loads, so that it boots on the other
 * core meanwhile (the server's code uses that worker: the CLI bundles one copy of both). A
 * `resources/read` that comes meanwhile has its document parsed on that worker at once
 * (src/mcp/early-read.ts). Only when the root is a folder, so that a usage error is told as
 * before, with nothing on stdout.
 */
async function answerEarly(root: string, maxFiles: number | undefined): Promise<void> {
  try {
    if (!statSync(root).isDirectory()) return
  } catch {
    return
  }
  const scheme = DEFAULT_SCHEMES[0] ?? 'orchestr8'
  const walk = import('../../mcp/early-list.js').then((m) => m.earlyWalk(root, { scheme, ...(maxFiles !== undefined ? { maxFiles } : {}) }))
  // A first resources/read that comes meanwhile: its document is read and parsed on the worker now (src/mcp/early-read.ts).
  const onRead = (uri: string) =>
    void walk
      .then((w) => w.fileOf(uri))
      .then((found) => (found !== undefined ? import('../../mcp/early-read.js').then((m) => m.parseAheadEarly(found)) : undefined))
      .catch(() => undefined)
  answerInitializeEarly(process.stdin, process.stdout, { name: 'promptfold', version: VERSION, scheme }, walk.then((w) => w.lister), onRead)
  await import('../../mcp/parser.js').then((m) => m.startParser())
}
