/**
 * Rendering: the assembly tree plus a set of chosen candidates in, text chunks out.
 *
 * Core text is copied byte for byte; each slot block is replaced by the inlined
 * bodies of its chosen targets (headings shifted) or by one-line stand-ins.
 *
 * @module
 */
import type { PromptDocument } from '../parse/document.js'
import { shiftHeadings } from './headings.js'
import { aboveLine, type Decision, deferredLine, invalidLine, missingLine } from './lines.js'

/** What happens to one slot occurrence, as far as rendering is concerned. */
export interface SlotEntry {
  /** Normalized URI. */
  uri: string
  /** Text as written. */
  raw: string
  /** Candidate index when the slot can be inlined. */
  candidate?: number
  /** Inlined document when the slot is a candidate. */
  child?: DocNode
  /** Decision when the slot is not a candidate. */
  fixed?: Exclude<Decision, 'inlined'>
  /** For duplicates: the candidate index of the first occurrence. */
  firstOccurrence?: number
  /** Measured cost of the target's body, when known (stated in the stand-in line). */
  tokens?: number
  /** For dynamic match slots: one entry per matched URI, rendered in order. */
  expansion?: SlotEntry[]
}

/** A document in the assembly tree. */
export interface DocNode {
  // biome-ignore lint: any frontmatter type
  doc: PromptDocument<any>
  /** Heading shift applied to this document's headings. */
  shift: number
  /** Slot entries by index into `doc.references`. */
  slots: Map<number, SlotEntry>
}

/** Start of the first non-blank line of the body and end of the last one. */
export function bodyRange(doc: Pick<PromptDocument<unknown>, 'source' | 'bodyOffset'>): { start: number; end: number } {
  const s = doc.source
  let start = doc.bodyOffset
  for (;;) {
    const nl = s.indexOf('\n', start)
    if (nl === -1 || s.slice(start, nl).trim() !== '') break
    start = nl + 1
  }
  let end = s.length
  while (end > start && /\s/.test(s[end - 1] ?? '')) end--
  if (end < s.length) {
    const nl = s.indexOf('\n', end)
    end = nl === -1 ? s.length : nl + 1
  }
  return { start, end: Math.max(start, end) }
}

/** Render the line or body that stands for one slot entry. */
function renderSlot(entry: SlotEntry, chosen: ReadonlySet<number>, out: string[]): void {
  if (entry.expansion && entry.expansion.length > 0) {
    entry.expansion.forEach((sub, i) => {
      if (i > 0) out.push('\n')
      renderSlot(sub, chosen, out)
    })
    return
  }
  if (entry.candidate !== undefined) {
    if (chosen.has(entry.candidate) && entry.child) {
      renderBody(entry.child, chosen, out, true)
      return
    }
    out.push(deferredLine(entry.uri, entry.tokens))
    return
  }
  switch (entry.fixed) {
    case 'missing':
      out.push(missingLine(entry.uri))
      return
    case 'cycle':
      out.push(aboveLine(entry.uri))
      return
    case 'duplicate':
      out.push(entry.firstOccurrence !== undefined && chosen.has(entry.firstOccurrence) ? aboveLine(entry.uri) : deferredLine(entry.uri, entry.tokens))
      return
    case 'invalid':
      out.push(invalidLine(entry.raw))
      return
    default:
      out.push(deferredLine(entry.uri, entry.tokens))
  }
}

/**
 * Push the chunks of one document's body.
 * @param asChild When true the body is made to end with a newline.
 */
export function renderBody(node: DocNode, chosen: ReadonlySet<number>, out: string[], asChild = false): void {
  const { doc, shift } = node
  const { start, end } = bodyRange(doc)
  let pos = start
  for (const block of doc.blocks) {
    if (block.start < pos || block.end > end) continue
    if (block.start > pos) out.push(shiftHeadings(doc.source, pos, block.start, doc.sections, shift))
    block.references.forEach((refIndex, i) => {
      const entry = node.slots.get(refIndex)
      if (i > 0) out.push('\n')
      if (entry) renderSlot(entry, chosen, out)
      else out.push(invalidLine(doc.references[refIndex]?.raw ?? ''))
    })
    pos = block.end
  }
  if (end > pos) out.push(shiftHeadings(doc.source, pos, end, doc.sections, shift))
  if (asChild) {
    const last = out[out.length - 1]
    if (last !== undefined && !last.endsWith('\n')) out.push('\n')
  }
}

/** Render the whole text for a set of chosen candidates, as chunks. */
export function renderChunks(root: DocNode, chosen: ReadonlySet<number>): string[] {
  const out: string[] = []
  renderBody(root, chosen, out)
  return out.filter((c) => c !== '')
}
