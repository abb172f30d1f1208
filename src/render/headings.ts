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

/**
 * Text of `source[start, end)` with every heading that starts inside it moved by
 * `shift` levels (clamped to 1-6). Setext headings become ATX headings.
 */
export function shiftHeadings(source: string, start: number, end: number, sections: readonly Section[], shift: number): string {
  if (shift === 0) return source.slice(start, end)
  let out = ''
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
      out += source.slice(pos, at) + (atx[1] ?? '') + '#'.repeat(depth)
      pos = at + atx[0].length
      continue
    }
    const underlineEnd = nextLine(source, lineEnd)
    if (SETEXT_UNDERLINE.test(source.slice(lineEnd, underlineEnd)) && underlineEnd <= end) {
      const eol = line.endsWith('\r\n') ? '\r\n' : '\n'
      out += `${source.slice(pos, at)}${'#'.repeat(depth)} ${line.trim()}${eol}`
      pos = underlineEnd
    }
  }
  return out + source.slice(pos, end)
}

function nextLine(source: string, offset: number): number {
  const i = source.indexOf('\n', offset)
  return i === -1 ? source.length : i + 1
}
