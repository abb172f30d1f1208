/**
 * Levels of detail: a referenced document can be placed whole (`full`), as its `summary`,
 * as its `outline` (its headings, as a nested list), or as a `pointer` (the reference as
 * written: today's deferred line). This module makes the summary and outline of a document
 * and the small documents that render them; `expand` offers them as candidates, chained
 * (`outline` -> `summary` -> `full`), so both strategies choose one level per reference.
 *
 * @module
 */
import { InvalidOptionError } from '../errors.js'
import { type PromptDocument, parseDocument } from '../parse/document.js'
import type { Section } from '../parse/sections.js'

/** Where a reference can be placed, from the most to the least detail. */
export type Level = 'full' | 'summary' | 'outline' | 'pointer'

/** Every level, most detail first. */
export const LEVELS = ['full', 'summary', 'outline', 'pointer'] as const satisfies readonly Level[]

/** The levels between `full` and `pointer` that `expand` can offer. */
export type PartialLevel = 'summary' | 'outline'

/** Where a summary came from: frontmatter `summary`, a section the author titled as one, or an extract. */
export type SummarySource = 'frontmatter' | 'section' | 'extract'

/**
 * Default value of each level as a fraction of the document's full value. A summary carries
 * the document's point and when to use it (about half of what the whole is worth to a model
 * that can still load the rest); an outline carries its structure, what it covers (a quarter);
 * a pointer carries only that it exists.
 */
export const LEVEL_VALUES: Readonly<Record<PartialLevel, number>> = { summary: 0.5, outline: 0.25 }

/** Section titles an author uses to mark a summary (compared lower-cased, without trailing colon). */
const SUMMARY_TITLES = new Set(['summary', 'tl;dr', 'tldr', 'overview', 'at a glance'])

/** Longest extract taken from a first paragraph, in characters. */
const MAX_EXTRACT_CHARS = 600

/** The levels an assembly may use, checked: each known, `full` and `pointer` always included. */
export function levelsFrom(levels: unknown, values: unknown): { levels: ReadonlySet<Level> | undefined; values: Readonly<Record<PartialLevel, number>> } {
  let set: Set<Level> | undefined
  if (levels !== undefined) {
    if (!Array.isArray(levels) || levels.some((l) => !LEVELS.includes(l as Level))) {
      throw new InvalidOptionError('levels', `must be a list of ${LEVELS.map((l) => `'${l}'`).join(', ')}, got ${JSON.stringify(levels)}`)
    }
    set = new Set(levels as Level[])
    if (!set.has('full') || !set.has('pointer')) throw new InvalidOptionError('levels', "must include 'full' and 'pointer' (a reference can always be inlined whole, or left as written)")
  }
  const out: Record<PartialLevel, number> = { ...LEVEL_VALUES }
  if (values !== undefined) {
    if (values === null || typeof values !== 'object') throw new InvalidOptionError('levelValues', 'must be an object such as { summary: 0.5, outline: 0.25 }')
    for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
      if (k !== 'summary' && k !== 'outline') throw new InvalidOptionError('levelValues', `has no level "${k}" (summary, outline)`)
      if (typeof v !== 'number' || !(v > 0 && v < 1)) throw new InvalidOptionError('levelValues', `${k} must be a fraction between 0 and 1, got ${String(v)}`)
      out[k] = v
    }
    if (out.outline >= out.summary) throw new InvalidOptionError('levelValues', `outline (${out.outline}) must be worth less than summary (${out.summary})`)
  }
  return { levels: set, values: out }
}

/**
 * The summary of a document: its frontmatter `summary`, else the text of a section titled
 * "Summary" (or "TL;DR", "Overview", "At a glance"), else an extract: its first paragraph (at
 * most 600 characters, cut at a sentence end). Undefined when the document has none of these.
 */
export function summaryOf(doc: PromptDocument<unknown>): { text: string; source: SummarySource } | undefined {
  const declared = (doc.meta as { summary?: unknown } | undefined)?.summary ?? doc.data.summary
  if (typeof declared === 'string' && declared.trim() !== '') return { text: declared.trim(), source: 'frontmatter' }
  const marked = doc.sections.find((s) => SUMMARY_TITLES.has(s.title.trim().toLowerCase().replace(/:$/, '')))
  if (marked) {
    const text = sectionText(doc, marked)
    if (text !== '') return { text, source: 'section' }
  }
  const paragraph = firstParagraph(doc)
  return paragraph === undefined ? undefined : { text: paragraph, source: 'extract' }
}

/** The outline of a document: its headings below the title, as a nested list (undefined with fewer than two). */
export function outlineOf(doc: PromptDocument<unknown>): string | undefined {
  const titled = doc.sections.filter((s) => s.title.trim() !== '')
  const top = Math.min(...titled.map((s) => s.depth))
  // The title (a lone top-level heading first) is named by the pointer; list what is under it.
  const below = titled.length > 1 && titled.filter((s) => s.depth === top).length === 1 && titled[0]?.depth === top ? titled.slice(1) : titled
  if (below.length < 2) return undefined
  const base = Math.min(...below.map((s) => s.depth))
  return below.map((s) => `${'  '.repeat(s.depth - base)}- ${s.title.trim()}`).join('\n')
}

/**
 * The document that renders `uri` at a partial level: a lead line naming the reference (so a
 * model can still load the whole), then the summary or outline. References in it are text.
 */
export function levelDocument(level: PartialLevel, uri: string, text: string): PromptDocument<unknown> {
  const lead = level === 'summary' ? `→ Summary of ${uri} (load the full document on demand):` : `→ Outline of ${uri} (load the full document on demand):`
  const doc = parseDocument(`${lead}\n\n${text}\n`, { schemes: ['promptfold-level'], uri: `${uri}#${level}` })
  return { ...doc, references: [], blocks: [], sections: [], diagnostics: [] }
}

/** The body text of a section, without its heading line and without nested headings' lines. */
function sectionText(doc: PromptDocument<unknown>, section: Section): string {
  const from = doc.source.indexOf('\n', section.start.offset)
  const body = from === -1 ? '' : doc.source.slice(from + 1, section.end.offset)
  return body
    .split('\n')
    .filter((l) => !/^ {0,3}#{1,6}(\s|$)/.test(l))
    .join('\n')
    .trim()
}

/** The first paragraph of prose in a document's body (not a heading, list, fence, table, quote or HTML), cut at a sentence end. */
function firstParagraph(doc: PromptDocument<unknown>): string | undefined {
  const body = doc.source.slice(doc.bodyOffset)
  let inFence = false
  const lines: string[] = []
  for (const line of body.split(/\r?\n/)) {
    if (/^ {0,3}(`{3,}|~{3,})/.test(line)) {
      inFence = !inFence
      if (lines.length > 0) break
      continue
    }
    if (inFence) continue
    if (line.trim() === '') {
      if (lines.length > 0) break
      continue
    }
    if (lines.length === 0 && /^ {0,3}(#|[-*+] |\d+[.)] |>|\||<|---|\*\*\*)/.test(line)) continue
    lines.push(line.trim())
  }
  if (lines.length === 0) return undefined
  const text = lines.join(' ')
  if (text.length <= MAX_EXTRACT_CHARS) return text
  const cut = text.slice(0, MAX_EXTRACT_CHARS)
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('! '), cut.lastIndexOf('? '))
  return end > 80 ? cut.slice(0, end + 1) : `${cut.trimEnd()}…`
}
