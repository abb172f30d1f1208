/**
 * Core sections: the heading tree of a document.
 *
 * @module
 */
import GithubSlugger from 'github-slugger'
import type { Heading, Root } from 'mdast'
import type { Point } from '../types.js'
import { nodesOfType, textOf } from './walk.js'

/** A section of a document: a heading and everything up to the next heading of the same or a higher level. */
export interface Section {
  /** Heading text, markup removed. */
  title: string
  /** Heading level, 1-6. */
  depth: number
  /** GitHub-style slug, unique within the document. */
  slug: string
  /** Titles from the outermost enclosing section down to this one. */
  path: string[]
  /** Start of the heading line (file coordinates). */
  start: Point
  /** End of the section (exclusive): start of the next heading at this depth or above, or end of file. */
  end: Point
}

/** Maps body-relative mdast positions to file coordinates. */
export interface Locator {
  /** File offset of body offset `o`. */
  offset(o: number): number
  /** File point for a body offset. */
  point(o: number): Point
}

/** Build a locator for a body that starts at `bodyOffset` in `source`. */
export function createLocator(source: string, bodyOffset: number): Locator {
  const lineStarts: number[] = [0]
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) lineStarts.push(i + 1)
  return {
    offset: (o) => bodyOffset + o,
    point(o) {
      const abs = bodyOffset + o
      let lo = 0
      let hi = lineStarts.length - 1
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1
        if ((lineStarts[mid] ?? 0) <= abs) lo = mid
        else hi = mid - 1
      }
      return { line: lo + 1, column: abs - (lineStarts[lo] ?? 0) + 1, offset: abs }
    },
  }
}

/** Extract the heading tree of a parsed body as a flat, document-ordered list of sections. */
export function extractSections(tree: Root, bodyLength: number, locate: Locator): Section[] {
  const slugger = new GithubSlugger()
  // Walked with an explicit stack: a tree thousands of levels deep is walked like any other.
  const headings: Heading[] = nodesOfType(tree, 'heading')
  const sections: Section[] = []
  const stack: Section[] = []
  for (const [i, h] of headings.entries()) {
    const title = textOf(h).trim()
    const startOffset = h.position?.start.offset ?? 0
    let endOffset = bodyLength
    for (let j = i + 1; j < headings.length; j++) {
      const next = headings[j]
      if (next && next.depth <= h.depth) {
        endOffset = next.position?.start.offset ?? bodyLength
        break
      }
    }
    while (stack.length > 0 && (stack[stack.length - 1]?.depth ?? 0) >= h.depth) stack.pop()
    const section: Section = {
      title,
      depth: h.depth,
      slug: slugger.slug(title),
      path: [...stack.map((s) => s.title), title],
      start: locate.point(startOffset),
      end: locate.point(endOffset),
    }
    stack.push(section)
    sections.push(section)
  }
  return sections
}

/**
 * The innermost section containing file offset `offset`, if any: the last one that starts at
 * or before it (no heading starts between it and `offset`, so it has not ended yet). Binary
 * search: a document with 10,000 headings and 10,000 references stays linear.
 */
export function sectionAt(sections: readonly Section[], offset: number): Section | undefined {
  let lo = 0
  let hi = sections.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((sections[mid]?.start.offset ?? 0) <= offset) lo = mid + 1
    else hi = mid
  }
  const s = sections[lo - 1]
  return s !== undefined && offset < s.end.offset ? s : undefined
}
