/**
 * Rendering: the assembly tree plus a set of chosen candidates in, text chunks out.
 *
 * Core text is copied byte for byte; each slot block is replaced by the inlined
 * bodies of its chosen targets (headings shifted) or by one-line stand-ins.
 *
 * @module
 */
import type { PromptDocument } from '../parse/document.js'
import { closingPiece } from './close.js'
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
  /**
   * For a file a document links by relative path (`link` and `path` references): the heading of
   * the section it is appended in after the body, when chosen (its path). Such an entry renders
   * nothing when not inlined: the link in the body still reads right.
   */
  appendix?: string
  /** With levels of detail: the partial levels of the candidate, least detail first; rendered when chosen and `candidate` (full) is not. */
  levels?: Array<{ level: 'summary' | 'outline'; candidate: number; child: DocNode }>
}

/** A document in the assembly tree. */
export interface DocNode {
  // biome-ignore lint: any frontmatter type
  doc: PromptDocument<any>
  /** Heading shift applied to this document's headings. */
  shift: number
  /** Slot entries by index into `doc.references`. */
  slots: Map<number, SlotEntry>
  /** Indices into `doc.references` of the files appended after the body when chosen (see {@link SlotEntry.appendix}), in order. */
  appendix?: number[]
}

/** Heading depth of the section a linked file is appended in (`## path`); its own headings go below. */
export const APPENDIX_DEPTH = 2

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

/**
 * One immutable piece of rendered text. The same piece object (and `id`) comes back
 * every time the same text is rendered in an assembly, so measuring can key runs by
 * ids instead of hashing text.
 */
export interface Piece {
  /** The text. */
  readonly text: string
  /** Unique per piece object in this process. */
  readonly id: number
  /** Ends with a line break (`\n` or `\r`). */
  readonly endsWithBreak: boolean
  /** Starts with a character that is neither white space nor `/` (see `isSafeCut`). */
  readonly cutBefore: boolean
}

let nextId = 1

/** Make a piece for `text`. */
export function piece(text: string): Piece {
  const last = text.charCodeAt(text.length - 1)
  return { text, id: nextId++, endsWithBreak: last === 10 || last === 13, cutBefore: startsSafely(text) }
}

function startsSafely(text: string): boolean {
  const first = text.codePointAt(0)
  if (first === undefined || first === 0x2f) return false
  if (first < 0x80) return first !== 0x20 && (first < 0x09 || first > 0x0d)
  return !/\s/u.test(String.fromCodePoint(first))
}

/**
 * Where a piece's text comes from, for source maps: a range of a document's source (shown
 * with its headings shifted by the node's shift), or text promptfold writes itself.
 */
export type PieceOrigin =
  | { kind: 'text'; node: DocNode; start: number; end: number }
  | { kind: 'generated'; what: 'pointer' | 'section-heading' | 'closing' | 'separator'; reference?: string; doc?: PromptDocument<unknown> }

const origins = new WeakMap<Piece, PieceOrigin>()

/** Where `p` comes from (see {@link PieceOrigin}); undefined for pieces made outside rendering. */
export function pieceOrigin(p: Piece): PieceOrigin | undefined {
  return origins.get(p)
}

/** Record where a piece comes from, and return it. */
export function tagPiece(p: Piece, origin: PieceOrigin): Piece {
  origins.set(p, origin)
  return p
}

const NEWLINE = tagPiece(piece('\n'), { kind: 'generated', what: 'separator' })

/** A document's body as static pieces and slot positions, computed once per node. */
export type Part = Piece | { readonly refIndex: number; readonly raw: string }

const templates = new WeakMap<DocNode, Part[]>()

/** The piece of `node`'s source `[start, end)`, its headings shifted, tagged with that range. */
function textPiece(node: DocNode, start: number, end: number): Piece {
  return tagPiece(piece(shiftHeadings(node.doc.source, start, end, node.doc.sections, node.shift)), { kind: 'text', node, start, end })
}

function template(node: DocNode): Part[] {
  let parts = templates.get(node)
  if (parts) return parts
  parts = []
  const { doc } = node
  const { start, end } = bodyRange(doc)
  let pos = start
  for (const block of doc.blocks) {
    if (block.start < pos || block.end > end) continue
    if (block.start > pos) parts.push(textPiece(node, pos, block.start))
    block.references.forEach((refIndex, i) => {
      if (i > 0) parts.push(NEWLINE)
      parts.push({ refIndex, raw: doc.references[refIndex]?.raw ?? '' })
    })
    pos = block.end
  }
  if (end > pos) parts.push(textPiece(node, pos, end))
  for (const refIndex of node.appendix ?? []) parts.push({ refIndex, raw: doc.references[refIndex]?.raw ?? '' })
  templates.set(node, parts)
  return parts
}

/** Stand-in lines of one entry, made once (a deferred line again when its stated cost changes). */
interface Lines {
  deferred?: { tokens: number | undefined; piece: Piece }
  missing?: Piece
  above?: Piece
  invalid?: Piece
  heading?: Piece
}
const lineCache = new WeakMap<object, Lines>()
const invalidByRaw = new Map<string, Piece>()

function linesOf(entry: SlotEntry): Lines {
  let lines = lineCache.get(entry)
  if (!lines) {
    lines = {}
    lineCache.set(entry, lines)
  }
  return lines
}

/** A one-line stand-in for a reference. */
function pointer(text: string, reference: string): Piece {
  return tagPiece(piece(text), { kind: 'generated', what: 'pointer', reference })
}

function deferredPiece(entry: SlotEntry): Piece {
  const lines = linesOf(entry)
  if (!lines.deferred || lines.deferred.tokens !== entry.tokens) lines.deferred = { tokens: entry.tokens, piece: pointer(deferredLine(entry.uri, entry.tokens), entry.uri) }
  return lines.deferred.piece
}

function invalidPiece(raw: string): Piece {
  let p = invalidByRaw.get(raw)
  if (!p) {
    p = pointer(invalidLine(raw), raw)
    if (invalidByRaw.size >= 10_000) invalidByRaw.clear()
    invalidByRaw.set(raw, p)
  }
  return p
}

/** Receives pieces in text order; remembers the last one for the newline rule of inlined bodies. */
interface Sink {
  emit: (p: Piece) => void
  last: Piece | undefined
}

function slotPieces(entry: SlotEntry, chosen: ReadonlySet<number>, sink: Sink): void {
  if (entry.appendix !== undefined) return appendixPieces(entry, chosen, sink)
  if (entry.expansion && entry.expansion.length > 0) {
    entry.expansion.forEach((sub, i) => {
      if (i > 0) put(sink, NEWLINE)
      slotPieces(sub, chosen, sink)
    })
    return
  }
  if (entry.candidate !== undefined) {
    if (chosen.has(entry.candidate) && entry.child) bodyPieces(entry.child, chosen, sink, true)
    else {
      const level = highestLevel(entry, chosen)
      if (level) bodyPieces(level.child, chosen, sink, true)
      else put(sink, deferredPiece(entry))
    }
    return
  }
  const lines = linesOf(entry)
  switch (entry.fixed) {
    case 'missing':
      lines.missing ??= pointer(missingLine(entry.uri), entry.uri)
      put(sink, lines.missing)
      return
    case 'cycle':
      lines.above ??= pointer(aboveLine(entry.uri), entry.uri)
      put(sink, lines.above)
      return
    case 'duplicate':
      if (entry.firstOccurrence !== undefined && chosen.has(entry.firstOccurrence)) {
        lines.above ??= pointer(aboveLine(entry.uri), entry.uri)
        put(sink, lines.above)
      } else put(sink, deferredPiece(entry))
      return
    case 'invalid':
      lines.invalid ??= pointer(invalidLine(entry.raw), entry.raw)
      put(sink, lines.invalid)
      return
    default:
      put(sink, deferredPiece(entry))
  }
}

/** The most detailed partial level of an entry that is chosen, if any. */
function highestLevel(entry: SlotEntry, chosen: ReadonlySet<number>): { child: DocNode } | undefined {
  const levels = entry.levels
  if (!levels) return undefined
  for (let i = levels.length - 1; i >= 0; i--) if (chosen.has((levels[i] as { candidate: number }).candidate)) return levels[i]
  return undefined
}

/** A linked file after the body: `## path` and its text when chosen, else nothing. */
function appendixPieces(entry: SlotEntry, chosen: ReadonlySet<number>, sink: Sink): void {
  const child = entry.candidate !== undefined && chosen.has(entry.candidate) ? entry.child : highestLevel(entry, chosen)?.child
  if (!child) return
  const lines = linesOf(entry)
  lines.heading ??= tagPiece(piece(`\n${'#'.repeat(APPENDIX_DEPTH)} ${entry.appendix}\n\n`), { kind: 'generated', what: 'section-heading', reference: entry.uri })
  if (sink.last !== undefined && !sink.last.endsWithBreak) put(sink, NEWLINE)
  put(sink, lines.heading)
  bodyPieces(child, chosen, sink, true)
}

function put(sink: Sink, p: Piece): void {
  sink.last = p
  sink.emit(p)
}

function bodyPieces(node: DocNode, chosen: ReadonlySet<number>, sink: Sink, asChild: boolean): void {
  for (const part of template(node)) {
    if ('text' in part) put(sink, part)
    else {
      const entry = node.slots.get(part.refIndex)
      if (entry) slotPieces(entry, chosen, sink)
      else put(sink, invalidPiece(part.raw))
    }
  }
  if (!asChild) return
  if (sink.last !== undefined && !sink.last.text.endsWith('\n')) put(sink, NEWLINE)
  // What the body leaves open (a fence, a comment, a <pre>) is closed here, so the text after the slot keeps its structure.
  const closing = closingPiece(node.doc)
  if (closing) put(sink, closing)
}

/**
 * Walk the pieces of one document's body with `chosen` candidates inlined.
 * Pieces are cached per node and entry, so walking again costs no string work.
 * @param asChild When true the body is made to end with a newline, and what it leaves open is closed (see `closingPiece`).
 */
export function walkBody(node: DocNode, chosen: ReadonlySet<number>, emit: (p: Piece) => void, asChild = false): void {
  bodyPieces(node, chosen, { emit, last: undefined }, asChild)
}

/**
 * A stretch of a document's pieces between two cuts that no selection can move:
 * the text is cut there (see `isSafeCut`) whatever is inlined, so the count of the
 * whole is the sum of the counts of its segments, and a segment's count depends
 * only on which of its `deps` are chosen.
 */
export interface Segment {
  /** Pieces and slots, in order. */
  readonly parts: readonly Part[]
  /** The piece just before the segment (for the newline rule of inlined bodies). */
  readonly before: Piece | undefined
  /** Candidates whose choice changes the segment's text, ascending. */
  readonly deps: readonly number[]
}

const segmentCache = new WeakMap<DocNode, Segment[]>()

/** Offsets inside `text` where a cut is always safe: after a line break, before a non-space other than `/`. */
function safeCuts(text: string): number[] {
  const cuts: number[] = []
  let i = text.indexOf('\n')
  while (i !== -1 && i + 1 < text.length) {
    if (startsSafely(text.slice(i + 1, i + 3))) cuts.push(i + 1)
    i = text.indexOf('\n', i + 1)
  }
  return cuts
}

/** Candidates that the text of `entry` depends on. */
function entryDeps(entry: SlotEntry, into: Set<number>, seen: Set<DocNode>): void {
  for (const sub of entry.expansion ?? []) entryDeps(sub, into, seen)
  for (const l of entry.levels ?? []) into.add(l.candidate)
  if (entry.candidate !== undefined) {
    into.add(entry.candidate)
    if (entry.child && !seen.has(entry.child)) {
      seen.add(entry.child)
      for (const part of template(entry.child)) {
        if ('text' in part) continue
        const e = entry.child.slots.get(part.refIndex)
        if (e) entryDeps(e, into, seen)
      }
    }
  }
  if (entry.fixed === 'duplicate' && entry.firstOccurrence !== undefined) into.add(entry.firstOccurrence)
}

/**
 * Split a document's body into {@link Segment}s: its text pieces are cut at their
 * first and last safe line starts, and every stretch between such cuts is one segment.
 */
export function segmentsOf(node: DocNode): readonly Segment[] {
  let segments = segmentCache.get(node)
  if (segments) return segments
  segments = []
  let parts: Part[] = []
  let before: Piece | undefined
  const close = (last: Piece | undefined): void => {
    if (parts.length > 0) {
      const deps = new Set<number>()
      const seen = new Set<DocNode>()
      for (const part of parts) {
        if ('text' in part) continue
        const e = node.slots.get(part.refIndex)
        if (e) entryDeps(e, deps, seen)
      }
      ;(segments as Segment[]).push({ parts, before, deps: [...deps].sort((a, b) => a - b) })
    }
    parts = []
    before = last
  }
  for (const part of template(node)) {
    if (!('text' in part)) {
      parts.push(part)
      continue
    }
    const cuts = safeCuts(part.text)
    if (cuts.length === 0) {
      parts.push(part)
      continue
    }
    const first = cuts[0] as number
    const last = cuts[cuts.length - 1] as number
    const head = piece(part.text.slice(0, first))
    parts.push(head)
    close(head)
    if (last > first) {
      const middle = piece(part.text.slice(first, last))
      parts.push(middle)
      close(middle)
    }
    parts.push(piece(part.text.slice(last)))
  }
  close(undefined)
  segmentCache.set(node, segments)
  return segments
}

/** Walk the pieces of one segment of `node` with `chosen` candidates inlined. */
export function walkSegment(node: DocNode, segment: Segment, chosen: ReadonlySet<number>, emit: (p: Piece) => void): void {
  const sink: Sink = { emit, last: segment.before }
  for (const part of segment.parts) {
    if ('text' in part) put(sink, part)
    else {
      const entry = node.slots.get(part.refIndex)
      if (entry) slotPieces(entry, chosen, sink)
      else put(sink, invalidPiece(part.raw))
    }
  }
}

/**
 * Push the chunks of one document's body.
 * @param asChild When true the body is made to end with a newline, and what it leaves open is closed.
 */
export function renderBody(node: DocNode, chosen: ReadonlySet<number>, out: string[], asChild = false): void {
  walkBody(node, chosen, (p) => out.push(p.text), asChild)
}

/** Render the whole text for a set of chosen candidates, as chunks. */
export function renderChunks(root: DocNode, chosen: ReadonlySet<number>): string[] {
  const out: string[] = []
  renderBody(root, chosen, out)
  return out.filter((c) => c !== '')
}
