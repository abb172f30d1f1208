/**
 * The first `resources/read` of a `promptfold serve` session, started early: when it comes
 * while the server's code and the library still load (`./handshake.ts` sees it first), the
 * document it names is read now and its body sent to the parser's worker, which parses it on
 * the other core meanwhile; the library's parse of the same body then finds the tree ready
 * (`parseMarkdownOffThread`), instead of waiting for it after the library has loaded. Nothing
 * changes in what is answered.
 *
 * @module
 */
import { type FoundFile, readSource } from '../library/scan.js'
import { DEFAULT_MAX_DOCUMENT_BYTES, detectBinary } from '../parse/document.js'
import { findFrontmatter } from '../parse/frontmatter.js'
import { type MarkdownParse, parseMarkdownOffThread } from '../parse/markdown.js'

/** The body `parseDocument` would parse from a source: after the BOM and frontmatter; none when it would not parse it (too large, binary). */
export function markdownBody(source: string | undefined): string | undefined {
  if (source === undefined) return undefined
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source
  if (Buffer.byteLength(text, 'utf8') > DEFAULT_MAX_DOCUMENT_BYTES || detectBinary(text)) return undefined
  const block = findFrontmatter(text)
  return text.slice(block !== undefined && block !== 'unterminated' ? block.bodyOffset : 0)
}

/**
 * Read `found` (a file of the early walk, under its root, as the library reads it) and parse its
 * markdown body off the event loop, for the library's parse to find. Resolves to that parse, or
 * `undefined` when the file is not read or has no body to parse; never rejects.
 *
 * @param found The file and the root's real path, from `earlyWalk(...).fileOf(uri)`.
 */
export async function parseAheadEarly(found: { file: FoundFile; base: string }): Promise<MarkdownParse | undefined> {
  try {
    const read = readSource(found.file, found.base, DEFAULT_MAX_DOCUMENT_BYTES)
    const body = read.ok ? markdownBody(read.source) : undefined
    return body === undefined ? undefined : await parseMarkdownOffThread(body)
  } catch {
    return undefined
  }
}
