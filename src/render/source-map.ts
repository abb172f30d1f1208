/**
 * Source maps: for every span of an assembled text, where it came from. Rendering tags each
 * piece with its origin (a range of a document's source, or text promptfold writes); this
 * module walks the pieces of the chosen text again and turns origins into spans, splitting
 * text pieces at the headings a shift rewrote.
 *
 * @module
 */
import type { PromptDocument } from '../parse/document.js'
import type { Point } from '../types.js'
import { headingEdits } from './headings.js'
import { type DocNode, type Piece, pieceOrigin, walkBody } from './render.js'

/** What promptfold itself wrote in a `generated` span. */
export type GeneratedKind = 'pointer' | 'section-heading' | 'closing' | 'separator' | 'fence'

/** One span of the assembled text and where it came from. */
export interface SourceSpan {
  /** First output offset (UTF-16 units). */
  start: number
  /** Output offset just past the span. */
  end: number
  /**
   * `source`: copied from a document, character for character; `rewritten`: a heading of a
   * document whose level promptfold shifted (`from`/`to` give the heading it stands for);
   * `generated`: written by promptfold (`what` says what).
   */
  kind: 'source' | 'rewritten' | 'generated'
  /** For `generated` spans: a load-on-demand or other stand-in line (`pointer`), the `## path` header of an appended file (`section-heading`), a closing line for what an inlined document left open (`closing`), a line break between parts (`separator`), the fence around an inlined file that is not markdown (`fence`). */
  what?: GeneratedKind
  /** The document's path (as resolved), for `source` and `rewritten` spans, and for spans that belong to one document (`closing`, `fence`). */
  path?: string
  /** The document's URI, when known. */
  uri?: string
  /** The reference a `pointer` or `section-heading` stands for. */
  reference?: string
  /** Where the span starts in its document (1-based line and column, 0-based offset), for `source` and `rewritten` spans. */
  from?: Point
  /** Where it ends (exclusive) in its document. */
  to?: Point
}

/** The source map of an assembly: spans that cover the text exactly, in order. */
export interface SourceMap {
  /** Length of the text mapped. */
  length: number
  /** Spans in output order: the first starts at 0, each starts where the last ended, the last ends at `length`. */
  spans: SourceSpan[]
}

/**
 * Documents whose source wraps a file in a fence (an inlined file that is not markdown):
 * `prefix` characters of fence line, then `length` characters of the file's own text.
 */
const wrapped = new WeakMap<PromptDocument<unknown>, { prefix: number; length: number }>()

/** Record that `doc`'s source is a file's text wrapped in a fence (see src/assemble/fetch.ts). */
export function markWrapped(doc: PromptDocument<unknown>, prefix: number, length: number): void {
  wrapped.set(doc, { prefix, length })
}

/**
 * The source map of the text rendered from `root` with `chosen` candidates inlined.
 *
 * @param root The root document node of an assembly tree.
 * @param chosen The inlined candidates.
 */
export function buildSourceMap(root: DocNode, chosen: ReadonlySet<number>): SourceMap {
  const spans: SourceSpan[] = []
  let at = 0
  const push = (span: Omit<SourceSpan, 'start' | 'end'>, length: number): void => {
    if (length === 0) return
    spans.push({ start: at, end: at + length, ...span })
    at += length
  }
  walkBody(root, chosen, (p) => mapPiece(p, push))
  return { length: at, spans }
}

type Push = (span: Omit<SourceSpan, 'start' | 'end'>, length: number) => void

function mapPiece(p: Piece, push: Push): void {
  const origin = pieceOrigin(p)
  if (!origin) return push({ kind: 'generated', what: 'separator' }, p.text.length)
  if (origin.kind === 'generated') {
    const span: Omit<SourceSpan, 'start' | 'end'> = { kind: 'generated', what: origin.what }
    if (origin.reference !== undefined) span.reference = origin.reference
    if (origin.doc) Object.assign(span, docNames(origin.doc))
    return push(span, p.text.length)
  }
  const { node, start, end } = origin
  const doc = node.doc as PromptDocument<unknown>
  let pos = start
  for (const e of headingEdits(doc.source, start, end, doc.sections, node.shift)) {
    sourceRange(doc, pos, e.at, push)
    push({ kind: 'rewritten', ...docNames(doc), from: pointOf(doc, e.at), to: pointOf(doc, e.at + e.length) }, e.text.length)
    pos = e.at + e.length
  }
  sourceRange(doc, pos, end, push)
}

/** Spans for `doc.source[start, end)` copied as is: in a wrapped file, the fence lines are generated. */
function sourceRange(doc: PromptDocument<unknown>, start: number, end: number, push: Push): void {
  const wrap = wrapped.get(doc)
  const inner = wrap ? { from: wrap.prefix, to: wrap.prefix + wrap.length } : { from: 0, to: doc.source.length }
  const cuts = [start, Math.min(end, Math.max(start, inner.from)), Math.max(start, Math.min(end, inner.to)), end]
  for (let i = 0; i < 3; i++) {
    const a = cuts[i] as number
    const b = cuts[i + 1] as number
    if (b <= a) continue
    if (i === 1) push({ kind: 'source', ...docNames(doc), from: pointOf(doc, a), to: pointOf(doc, b) }, b - a)
    else push({ kind: 'generated', what: 'fence', ...docNames(doc) }, b - a)
  }
}

function docNames(doc: PromptDocument<unknown>): { path?: string; uri?: string } {
  const out: { path?: string; uri?: string } = {}
  if (doc.path !== undefined) out.path = doc.path
  if (doc.uri !== undefined) out.uri = doc.uri
  return out
}

const lineStarts = new WeakMap<PromptDocument<unknown>, number[]>()

/** The point of `offset` in `doc` (for a wrapped file: in the file's own text). */
function pointOf(doc: PromptDocument<unknown>, offset: number): Point {
  const wrap = wrapped.get(doc)
  const base = wrap ? wrap.prefix : 0
  let starts = lineStarts.get(doc)
  if (!starts) {
    starts = lineStartsOf(doc.source, base, wrap ? wrap.prefix + wrap.length : doc.source.length)
    lineStarts.set(doc, starts)
  }
  const line = lineAt(starts, offset)
  return { line, column: offset - (starts[line - 1] as number) + 1, offset: offset - base }
}

/** Offsets where the lines of `text[from, to)` start. */
export function lineStartsOf(text: string, from = 0, to = text.length): number[] {
  const starts = [from]
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1)
  return starts
}

/** The 1-based line holding `offset`, given the offsets where lines start ({@link lineStartsOf}). */
export function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0
  let hi = starts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if ((starts[mid] as number) <= offset) lo = mid
    else hi = mid - 1
  }
  return lo + 1
}

/**
 * `value` with a `sourceMap` property built by `build` on first read: not an own enumerable
 * property, so JSON and snapshots of an assembly leave it out.
 */
export function withSourceMap<T extends object>(value: T, build: () => SourceMap): T & { readonly sourceMap: SourceMap } {
  let map: SourceMap | undefined
  Object.defineProperty(value, 'sourceMap', {
    get: () => {
      map ??= build()
      return map
    },
    enumerable: false,
  })
  return value as T & { readonly sourceMap: SourceMap }
}
