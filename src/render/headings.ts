/**
 * Heading shifts: an inlined document's headings move down so that its top level
 * sits just under the section that holds the slot.
 *
 * @module
 */
import type { Section } from '../parse/sections.js'

const ATX = /^( {0,3})(#{1,6})(?=[ \t]|\r?\n|$)/
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*(?:\r?\n|$)/

/** Smallest heading depth in a list of sections (1 when there are none). */
export function minDepth(sections: readonly Section[]): number {
  let m = 7
  for (const s of sections) if (s.depth < m) m = s.depth
  return m === 7 ? 1 : m
}

/** One heading rewritten by a shift: `source[at, at + length)` is replaced by `text`. */
export interface HeadingEdit {
  /** Offset in the source of the replaced text. */
  at: number
  /** Length of the replaced text (its `#` marks; a whole setext heading with its underline). */
  length: number
  /** What is written instead. */
  text: string
}

/**
 * The edits that move every heading starting inside `source[start, end)` by `shift` levels
 * (clamped to 1-6), in order; setext headings become ATX headings. The one place heading
 * shifts are decided: {@link shiftHeadings} applies them, source maps read them.
 */
export function headingEdits(source: string, start: number, end: number, sections: readonly Section[], shift: number): HeadingEdit[] {
  const edits: HeadingEdit[] = []
  if (shift === 0) return edits
  let pos = start
  // Sections are in document order: start at the first one inside the range (binary search),
  // so rendering a document block by block stays linear in its number of headings.
  let lo = 0
  let hi = sections.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((sections[mid]?.start.offset ?? 0) < start) lo = mid + 1
    else hi = mid
  }
  for (let i = lo; i < sections.length; i++) {
    const s = sections[i] as Section
    const at = s.start.offset
    if (at >= end) break
    if (at < pos) continue
    const depth = Math.min(6, Math.max(1, s.depth + shift))
    const lineEnd = nextLine(source, at)
    const line = source.slice(at, lineEnd)
    const atx = ATX.exec(line)
    if (atx) {
      edits.push({ at, length: atx[0].length, text: (atx[1] ?? '') + '#'.repeat(depth) })
      pos = at + atx[0].length
      continue
    }
    const underlineEnd = nextLine(source, lineEnd)
    if (SETEXT_UNDERLINE.test(source.slice(lineEnd, underlineEnd)) && underlineEnd <= end) {
      const eol = line.endsWith('\r\n') ? '\r\n' : '\n'
      edits.push({ at, length: underlineEnd - at, text: `${'#'.repeat(depth)} ${line.trim()}${eol}` })
      pos = underlineEnd
    }
  }
  return edits
}

/**
 * Text of `source[start, end)` with every heading that starts inside it moved by
 * `shift` levels (clamped to 1-6). Setext headings become ATX headings.
 */
export function shiftHeadings(source: string, start: number, end: number, sections: readonly Section[], shift: number): string {
  if (shift === 0) return source.slice(start, end)
  let out = ''
  let pos = start
  for (const e of headingEdits(source, start, end, sections, shift)) {
    out += source.slice(pos, e.at) + e.text
    pos = e.at + e.length
  }
  return out + source.slice(pos, end)
}

function nextLine(source: string, offset: number): number {
  const i = source.indexOf('\n', offset)
  return i === -1 ? source.length : i + 1
}
