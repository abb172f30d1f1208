/**
 * The markdown parser: one unified processor with remark-parse, built once.
 *
 * micromark (under remark-parse) copies its whole event list each time a container (list,
 * block quote) closes, so a long document made of many short lists or quotes takes time
 * quadratic in its length: 10,000 list items between paragraphs took minutes. A long body is
 * therefore parsed in segments cut only where nothing can carry over from one segment to the
 * next (see {@link segmentCuts}), and the trees are joined with positions shifted back; the
 * result is the tree a single parse gives.
 *
 * @module
 */
import type { Root } from 'mdast'
import type { Node } from 'unist'
import { localRequire, once } from '../lazy.js'
import type * as Engine from './markdown-engine.js'

/**
 * The markdown stack, loaded on first use: from the bundled `markdown-engine.cjs` next to
 * the built code, or (running from source) from the packages themselves.
 */
const engine = once((): typeof Engine => {
  const require = localRequire()
  try {
    return require('./markdown-engine.cjs') as typeof Engine
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown }
    if (code !== 'MODULE_NOT_FOUND' || !String(message).includes('markdown-engine')) throw error
  }
  return { unified: (require('unified') as typeof import('unified')).unified, remarkParse: (require('remark-parse') as typeof import('remark-parse')).default }
})

let processor: ReturnType<typeof create> | undefined

function create() {
  const { unified, remarkParse } = engine()
  return unified().use(remarkParse).freeze()
}

/** Bodies longer than this many characters are parsed in segments of about this size. */
export const SEGMENT_CHARS = 16 * 1024

/** A line that opens an HTML block which, unlike other blocks, can run across blank lines (CommonMark kinds 1-5). */
const HTML_OPEN = /^ {0,3}(?:<(script|pre|style|textarea)(?=[\s>]|$)|(<!--)|(<\?)|(<!\[CDATA\[)|(<![A-Za-z]))/i
/** A fence line: up to three spaces, then three or more backticks or tildes. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/
/** A list item marker at the start of a line (a cut there would split one list in two). */
const LIST_MARKER = /^(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/
/** A link reference definition: it may be used anywhere in the document, so such bodies are never cut. */
const DEFINITION = /^ {0,3}\[[^\]\n]+\]:/m

function htmlCloser(m: RegExpExecArray): RegExp {
  if (m[1]) return new RegExp(`</${m[1]}>`, 'i')
  if (m[2]) return /-->/
  if (m[3]) return /\?>/
  if (m[4]) return /\]\]>/
  return />/
}

/**
 * Offsets (line starts) where `text` can be cut into independently parsed segments of about
 * `size` characters. A cut is made only before a line that starts at column 1 with a
 * character other than a list marker, right after a blank line, outside any fence or
 * multi-line HTML block: there every container and leaf block has ended, and the new line
 * cannot continue anything. Bodies with link reference definitions are never cut.
 */
export function segmentCuts(text: string, size: number): number[] {
  if (text.length <= size || DEFINITION.test(text)) return []
  const cuts: number[] = []
  let last = 0
  let fence: { char: string; length: number } | undefined
  let html: RegExp | undefined
  let blank = false
  let at = 0
  const eol = /\r\n|\r|\n/g
  while (at < text.length) {
    // Lines end as markdown ends them: at \r\n, \n or a lone \r.
    eol.lastIndex = at
    const m = eol.exec(text)
    const end = m ? m.index + m[0].length : text.length
    const line = text.slice(at, m ? m.index : text.length)
    const isBlank = /^[ \t]*$/.test(line)
    if (fence) {
      const f = FENCE.exec(line)
      if (f?.[1] && f[1][0] === fence.char && f[1].length >= fence.length && line.slice(f[0].length).trim() === '') fence = undefined
    } else if (html) {
      if (html.test(line)) html = undefined
    } else {
      if (blank && !isBlank && at - last >= size && /^[^\s]/.test(line) && !LIST_MARKER.test(line) && !FENCE.test(line) && !HTML_OPEN.test(line)) {
        cuts.push(at)
        last = at
      }
      const f = FENCE.exec(line)
      const h = HTML_OPEN.exec(line)
      if (f?.[1]) fence = { char: f[1][0] as string, length: f[1].length }
      else if (h) {
        const closer = htmlCloser(h)
        if (!closer.test(line.slice(h[0].length))) html = closer
      }
    }
    blank = isBlank
    at = end
  }
  return cuts
}

/** Shift every position in `tree` by `offset` characters and `lines` lines. */
function shift(tree: Node, offset: number, lines: number): void {
  const stack: Node[] = [tree]
  while (stack.length > 0) {
    const node = stack.pop() as Node & { children?: Node[] }
    const p = node.position
    if (p) {
      if (p.start.offset !== undefined) p.start.offset += offset
      if (p.end.offset !== undefined) p.end.offset += offset
      p.start.line += lines
      p.end.line += lines
    }
    if (node.children) for (const c of node.children) stack.push(c)
  }
}

/**
 * Parse markdown into an mdast tree (positions relative to `text`).
 * @param segmentChars Segment size for long bodies (see the module notes); `Infinity` parses in one go.
 */
export function parseMarkdown(text: string, segmentChars: number = SEGMENT_CHARS): Root {
  processor ??= create()
  const cuts = segmentCuts(text, segmentChars)
  if (cuts.length === 0) return processor.parse(text)
  const whole = processor.parse('')
  let from = 0
  let lines = 0
  for (const to of [...cuts, text.length]) {
    const part = text.slice(from, to)
    const tree = processor.parse(part)
    shift(tree, from, lines)
    whole.children.push(...tree.children)
    lines += lineEndings(part)
    from = to
  }
  const lastLineStart = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1
  whole.position = { start: { line: 1, column: 1, offset: 0 }, end: { line: lines + 1, column: text.length - lastLineStart + 1, offset: text.length } }
  return whole
}

/** Line endings as markdown counts them: `\r\n`, `\n` and a lone `\r` are one each. */
function lineEndings(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++
  }
  return n
}
