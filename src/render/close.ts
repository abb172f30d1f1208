/**
 * Closing what an inlined document leaves open. A body that ends inside a fenced code
 * block, an HTML comment or another HTML block that runs to its end tag (`<pre>`,
 * `<script>`, `<style>`, `<textarea>`, `<?`, `<!X`, `<![CDATA[`) would swallow every line
 * after its slot: the core's later sections would become code or comment. The markdown
 * parse finds such an end ({@link openEndOf}, run once by `parseDocument`); rendering
 * writes its closing line right after the inlined body ({@link closingPiece}).
 *
 * @module
 */
import type { Root } from 'mdast'
import type { PromptDocument } from '../parse/document.js'
import type { SlotBlock } from '../parse/references.js'
import type { Locator } from '../parse/sections.js'
import { type Piece, piece, tagPiece } from './render.js'

/** A construct left open at the end of a document's body (see `PromptDocument.openEnd`). */
export interface OpenEnd {
  /** A fenced code block, an HTML comment, or another HTML block that runs to its end condition. */
  kind: 'fence' | 'comment' | 'html'
  /** The line that closes it, without a line break: the opening fence (same character, same length), `-->`, `</pre>`, `?>`, `>` or `]]>`. */
  close: string
  /** 1-based line of the document (frontmatter included) where it opens. */
  line: number
}

/** A fence line: up to three spaces, then three or more backticks or tildes. */
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/
/** The start of an HTML block that can run across blank lines (CommonMark kinds 1-5). */
const HTML_OPEN = /^ {0,3}<(?:(script|pre|style|textarea)(?=[\s>]|$)|(!--)|(\?)|(!\[CDATA\[)|(![A-Za-z]))/i
/** What {@link OpenEnd.close} may hold (also checked when a stored parse is read back). */
const CLOSE = /^(?:`{3,}|~{3,}|-->|<\/(?:script|pre|style|textarea)>|\?>|>|\]\]>)$/

/**
 * The construct that the body of a parsed document ends inside, if any: the last
 * top-level node of the markdown parse is a fenced code block or an HTML block of kinds
 * 1-5 that reaches the end of the body without its closing line. A construct that a slot
 * block replaces (a fence of slots) is not counted: rendering drops it.
 *
 * @param tree The mdast tree of `body`.
 * @param body The body text the tree was parsed from.
 * @param locate Maps body offsets to the document's lines.
 * @param blocks The document's slot blocks (file offsets).
 */
export function openEndOf(tree: Root, body: string, locate: Locator, blocks: readonly SlotBlock[]): OpenEnd | undefined {
  const last = tree.children[tree.children.length - 1]
  if (!last || (last.type !== 'code' && last.type !== 'html')) return undefined
  const start = last.position?.start.offset
  // A closed block ends at its closing line, before any line break after it: only an
  // unclosed one (or one closed on the body's very last line) reaches the end.
  if (start === undefined || last.position?.end.offset !== body.length) return undefined
  const at = locate.offset(start)
  if (blocks.some((b) => b.start <= at && at < b.end)) return undefined
  const text = body.slice(start)
  const firstBreak = text.search(/[\r\n]/)
  const first = firstBreak === -1 ? text : text.slice(0, firstBreak)
  const lastLine = text.slice(Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1)
  const line = locate.point(start).line
  if (last.type === 'code') {
    const fence = FENCE_OPEN.exec(first)?.[1]
    if (fence === undefined) return undefined // indented code ends at the first line that is not
    const char = fence[0] === '`' ? '`' : '~'
    const closing = new RegExp(`^ {0,3}${char}{${fence.length},}[ \\t]*$`)
    if (firstBreak !== -1 && closing.test(lastLine)) return undefined
    return { kind: 'fence', close: fence, line }
  }
  const m = HTML_OPEN.exec(first)
  if (!m) return undefined // kinds 6 and 7 end at the first blank line
  const close = m[1] ? `</${m[1].toLowerCase()}>` : m[2] ? '-->' : m[3] ? '?>' : m[4] ? ']]>' : '>'
  // The end condition is a line that contains the closer; on the opening line it may share
  // characters with the opener, as micromark reads it (`<!-->` and `<?>` are closed).
  const searched = firstBreak === -1 ? first.slice(first.indexOf('<') + 1) : lastLine
  if (searched.toLowerCase().includes(close)) return undefined
  return { kind: m[2] ? 'comment' : 'html', close, line }
}

/** Whether `value` is a well-formed {@link OpenEnd} (a stored parse is checked with this before it is used). */
export function isOpenEnd(value: unknown): value is OpenEnd {
  if (value === null || typeof value !== 'object') return false
  const v = value as Record<string, unknown>
  return (
    (v.kind === 'fence' || v.kind === 'comment' || v.kind === 'html') &&
    typeof v.close === 'string' &&
    CLOSE.test(v.close) &&
    typeof v.line === 'number' &&
    Number.isInteger(v.line) &&
    v.line >= 1
  )
}

/** What is open, in words, for diagnostics. */
export function describeOpenEnd(open: OpenEnd): string {
  const what = open.kind === 'fence' ? 'a fenced code block' : open.kind === 'comment' ? 'an HTML comment' : 'an HTML block'
  return `${what} opened at line ${open.line} and never closed`
}

const closers = new WeakMap<object, Piece>()

/**
 * The piece that closes what `doc`'s body leaves open (its closing line and `\n`), or
 * undefined when the body is well formed. The same piece comes back for the same document.
 */
export function closingPiece(doc: Pick<PromptDocument<unknown>, 'openEnd'>): Piece | undefined {
  const open = doc.openEnd
  if (open === undefined) return undefined
  let p = closers.get(open)
  if (!p) {
    p = tagPiece(piece(`${open.close}\n`), { kind: 'generated', what: 'closing', doc: doc as PromptDocument<unknown> })
    closers.set(open, p)
  }
  return p
}
