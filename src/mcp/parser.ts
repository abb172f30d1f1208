/**
 * The parser's worker thread, started ahead of use (for `serve` and `promptfold serve`).
 *
 * @module
 */
import type { Root } from 'mdast'
import { driveOffThread } from '../parse/offload.js'

/**
 * Start the parser's worker thread (when one can be started) without parsing anything: it
 * loads the markdown engine on the other core while the server code and the library load, so
 * that the first assembled view or warmed document does not wait for it. Starting it again
 * does nothing (the running worker is kept).
 */
export function startParser(): void {
  const nothing = (function* (): Generator<string[], Root, Root[]> {
    return { type: 'root', children: [] }
  })()
  driveOffThread(nothing, Number.POSITIVE_INFINITY).catch(() => undefined)
}
