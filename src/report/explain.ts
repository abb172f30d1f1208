/**
 * `formatSourceMap`: which file and line each part of an assembled prompt came from, as the
 * lines `promptfold assemble --explain` prints.
 *
 * @module
 */
import { type GeneratedKind, lineAt, lineStartsOf, type SourceMap, type SourceSpan } from '../render/source-map.js'

/** One part of the prompt: a run of spans from one document (or one thing promptfold wrote). */
export interface ExplainedPart {
  /** First line of the prompt (1-based). */
  fromLine: number
  /** Last line of the prompt. */
  toLine: number
  /** The document's path (or URI), for text copied from a document. */
  source?: string
  /** First and last line of that document. */
  sourceLines?: [number, number]
  /** Whether promptfold shifted headings in it. */
  rewritten: boolean
  /** For text promptfold wrote: what it is. */
  generated?: GeneratedKind
  /** The reference a pointer or section heading stands for. */
  reference?: string
}

/** What each generated kind is called in an explanation. */
const GENERATED_NAMES: Readonly<Record<GeneratedKind, string>> = {
  pointer: 'pointer',
  'section-heading': 'section heading',
  closing: 'closing line',
  separator: 'line break',
  fence: 'fence',
}

/**
 * The parts of a prompt, from its source map: consecutive spans of one document are one part
 * (their lines in the prompt and in the document); each thing promptfold wrote is one part,
 * except line breaks between parts, which join the part before them.
 *
 * @param text The assembled text.
 * @param map Its source map (`assembly.sourceMap`).
 */
export function explainParts(text: string, map: SourceMap): ExplainedPart[] {
  const lineAt = lineIndex(text)
  const parts: Array<ExplainedPart & { key: string }> = []
  let last: (ExplainedPart & { key: string }) | undefined
  for (const span of map.spans) {
    const key = partKey(span)
    if (span.kind === 'generated' && span.what === 'separator' && last) {
      last.toLine = lineAt(span.end - 1)
      continue
    }
    if (last && last.key === key) {
      last.toLine = lineAt(span.end - 1)
      if (span.kind === 'rewritten') last.rewritten = true
      if (span.to && last.sourceLines) last.sourceLines[1] = endLine(span)
      continue
    }
    const part: ExplainedPart & { key: string } = { key, fromLine: lineAt(span.start), toLine: lineAt(span.end - 1), rewritten: span.kind === 'rewritten' }
    if (span.kind === 'generated') {
      part.generated = span.what ?? 'separator'
      if (span.reference !== undefined) part.reference = span.reference
      if (span.path !== undefined) part.source = span.path
    } else {
      part.source = span.path ?? span.uri ?? '(document)'
      if (span.from) part.sourceLines = [span.from.line, endLine(span)]
    }
    parts.push(part)
    last = part
  }
  return parts.map(({ key: _key, ...p }) => p)
}

/**
 * The explanation as lines of text: `lines 1-23  agents/x.md:17-39`, `line 24  promptfold:
 * pointer for orchestr8://examples/y`.
 *
 * @param text The assembled text.
 * @param map Its source map (`assembly.sourceMap`).
 */
export function formatSourceMap(text: string, map: SourceMap): string {
  const parts = explainParts(text, map)
  const where = (p: ExplainedPart) => (p.fromLine === p.toLine ? `line ${p.fromLine}` : `lines ${p.fromLine}-${p.toLine}`)
  const width = Math.max(0, ...parts.map((p) => where(p).length))
  const out = ['Where the prompt came from']
  for (const p of parts) {
    let what: string
    if (p.generated !== undefined) {
      what = `promptfold: ${GENERATED_NAMES[p.generated]}${p.reference !== undefined ? ` for ${p.reference}` : ''}${p.source !== undefined ? ` (${p.source})` : ''}`
    } else {
      const lines = p.sourceLines ? (p.sourceLines[0] === p.sourceLines[1] ? `:${p.sourceLines[0]}` : `:${p.sourceLines[0]}-${p.sourceLines[1]}`) : ''
      what = `${p.source}${lines}${p.rewritten ? ' (headings shifted)' : ''}`
    }
    out.push(`  ${where(p).padEnd(width)}  ${what}`)
  }
  return `${out.join('\n')}\n`
}

/** Spans of one document (copied or rewritten) share a key; each generated span has its own. */
function partKey(span: SourceSpan): string {
  if (span.kind === 'generated') return `generated\u0000${span.start}`
  return `doc\u0000${span.uri ?? ''}\u0000${span.path ?? ''}`
}

/** The last line a span covers in its document (a span ending at a line start ends on the line before). */
function endLine(span: SourceSpan): number {
  if (!span.to) return 0
  return span.to.column === 1 && span.from && span.to.line > span.from.line ? span.to.line - 1 : span.to.line
}

/** 1-based line of an offset of `text`. */
function lineIndex(text: string): (offset: number) => number {
  const starts = lineStartsOf(text)
  return (offset) => lineAt(starts, offset)
}
