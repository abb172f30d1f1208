/**
 * References: finding `scheme://` URIs in the markdown tree and deciding their kind.
 *
 * - A **slot** stands alone as a block: a fenced block (unlabelled, `markdown` or
 *   `text`) holding only references, or a paragraph / list item that is only one
 *   reference plus a short decoration such as `**→ Load:**`.
 * - A **mention** sits in running text (prose, headings, lists with other text, or a
 *   `(~N tokens)` catalogue entry).
 * - A URI in a fenced block of any other language is code, not a reference.
 * - A bare scheme (`orchestr8://`, nothing after it but slashes) in running text names the
 *   scheme, not a document: it is not a reference (see {@link isBareScheme}).
 *
 * @module
 */
import type { Code, ListItem, Nodes, Root } from 'mdast'
import type { Diagnostic, Point, ReferenceKind } from '../types.js'
import { diagnostic } from './diagnostics.js'
import { type Locator, type Section, sectionAt } from './sections.js'
import { findUris, type ParsedUri, parseUri } from './uri.js'
import { walkTree } from './walk.js'

/** A reference found in a document. */
export interface Reference {
  /** Normalized URI (`scheme://path[?query]`), or the bare id for `related` entries without a scheme. */
  uri: string
  /** Text as written, e.g. `@orchestr8://examples/x`. */
  raw: string
  kind: ReferenceKind
  /** Where `raw` starts (for `related`: the frontmatter line). */
  position: Point
  /** Titles of the sections enclosing the reference, outermost first. */
  sectionPath: string[]
  /** The `(~N tokens)` hint written next to the reference, if any. */
  hintTokens?: number
  /** Parsed URI (scheme, path, match query, why it is invalid). */
  parsed: ParsedUri
  /** For slots: index into {@link SlotBlock} list of the document. */
  block?: number
}

/** A block of the source that a slot (or several slots in one fence) replaces when rendered. */
export interface SlotBlock {
  /** File offset of the first character of the block's first line. */
  start: number
  /** File offset just past the block's last line terminator (or end of file). */
  end: number
  /** Indices of the slot references in this block, in order. */
  references: number[]
  /** Depth of the section the block sits in (0 before any heading). */
  sectionDepth: number
}

/** Options for {@link extractReferences}. */
export interface ExtractOptions {
  schemes: readonly string[]
  file?: string | undefined
}

/** Fence languages whose content is prose-like: references there are slots or mentions. */
const PROSE_LANGS = new Set(['', 'markdown', 'md', 'text', 'txt', 'plaintext', 'plain'])

/** A `(~N tokens)` hint right after a reference on the same line. */
const HINT = /^[`*_]*\s*(?:[—–-]\s*)?\(\s*~?\s*(\d[\d,_]*(?:\.\d+)?)\s*(k)?\s*tokens?\s*\)/i

/** Longest decoration (after markup is stripped) that still lets a reference stand alone as a slot. */
const MAX_DECORATION_WORDS = 4

function parseHint(after: string): number | undefined {
  const m = HINT.exec(after)
  if (!m || m[1] === undefined) return undefined
  const n = Number(m[1].replace(/[,_]/g, '')) * (m[2] ? 1000 : 1)
  return Number.isFinite(n) ? Math.round(n) : undefined
}

/** Whether `rest` (a block's text with its one reference removed) is only decoration. */
function isDecoration(rest: string): boolean {
  const text = rest
    .replace(/[*_`~>#|→⇒➜➡►▶•·\-–—[\]()!]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  if (text === '') return true
  const words = text.split(' ')
  return words.length <= MAX_DECORATION_WORDS && /:$/.test(text)
}

/**
 * Whether a URI is only a scheme: `orchestr8://` or `@orchestr8://`, with nothing after it but
 * slashes. Prose names a scheme that way ("link fragments with `orchestr8://` URIs"); in running
 * text it is not a reference. Where it stands alone as a slot it is still one (invalid: an
 * empty path), so an emptied slot is reported.
 */
export function isBareScheme(raw: string): boolean {
  const sep = raw.indexOf('://')
  return sep !== -1 && /^\/*$/.test(raw.slice(sep + 3))
}

function lineStart(source: string, offset: number): number {
  const i = source.lastIndexOf('\n', offset - 1)
  return i === -1 ? 0 : i + 1
}

function lineEnd(source: string, offset: number): number {
  const i = source.indexOf('\n', offset)
  return i === -1 ? source.length : i + 1
}

/**
 * Find every slot and mention in a parsed body.
 * Positions are turned into file coordinates with `locate`.
 */
export function extractReferences(
  tree: Root,
  source: string,
  locate: Locator,
  sections: readonly Section[],
  options: ExtractOptions,
): { references: Reference[]; blocks: SlotBlock[]; diagnostics: Diagnostic[] } {
  const references: Reference[] = []
  const blocks: SlotBlock[] = []
  const diagnostics: Diagnostic[] = []

  const add = (raw: string, fileOffset: number, kind: ReferenceKind, block?: number): number => {
    const { parsed, warnings } = parseUri(raw)
    const position = locate.point(fileOffset - locate.offset(0))
    const section = sectionAt(sections, fileOffset)
    const ref: Reference = {
      uri: parsed.uri,
      raw,
      kind,
      position,
      sectionPath: section ? [...section.path] : [],
      parsed,
    }
    const hint = parseHint(source.slice(fileOffset + raw.length, lineEnd(source, fileOffset + raw.length)))
    if (hint !== undefined) ref.hintTokens = hint
    if (block !== undefined) ref.block = block
    if (parsed.invalid) {
      diagnostics.push(
        diagnostic('REFERENCE_INVALID', 'warning', `Reference ${truncate(raw)} is invalid: ${parsed.invalid}`, {
          file: options.file,
          line: position.line,
          column: position.column,
        }),
      )
    }
    for (const w of warnings) {
      diagnostics.push(diagnostic('REFERENCE_QUERY', 'warning', `Reference ${truncate(raw)}: ${w}`, { file: options.file, line: position.line, column: position.column }))
    }
    if (parsed.legacy) {
      diagnostics.push(
        diagnostic('REFERENCE_LEGACY_AT', 'info', `Reference ${truncate(raw)} uses the older \`@\` syntax`, {
          file: options.file,
          line: position.line,
          column: position.column,
        }),
      )
    }
    references.push(ref)
    return references.length - 1
  }

  const sectionDepthAt = (offset: number): number => sectionAt(sections, offset)?.depth ?? 0

  const unknownScheme = (m: ForeignUri, base: number): void => {
    const position = locate.point(base + m.index - locate.offset(0))
    diagnostics.push(
      diagnostic(
        'REFERENCE_UNKNOWN_SCHEME',
        'info',
        `${truncate(m.raw)} stands where a reference would, but \`${m.scheme}\` is not a reference scheme (${options.schemes.join(', ')}); kept as text`,
        { file: options.file, line: position.line, column: position.column },
      ),
    )
  }

  walkTree(tree, (node: Nodes, ancestors: readonly Nodes[]) => {
    const pos = node.position
    if (!pos || pos.start.offset === undefined || pos.end.offset === undefined) return
    const start = locate.offset(pos.start.offset)
    const end = locate.offset(pos.end.offset)

    if (node.type === 'code') {
      const lang = ((node as Code).lang ?? '').toLowerCase()
      if (!PROSE_LANGS.has(lang)) return 'skip'
      const raw = source.slice(start, end)
      // Content lines: skip the opening fence line (and the closing one, found by the parser).
      const firstNl = raw.indexOf('\n')
      if (firstNl === -1) return 'skip'
      const found = findUris(raw, options.schemes).filter((m) => m.index > firstNl)
      if (found.length === 0) {
        const foreign = foreignUris(raw.slice(firstNl), options.schemes)
        if (foreign.length > 0 && onlyUris((node as Code).value, foreign)) for (const m of foreign) unknownScheme(m, start + firstNl)
        return 'skip'
      }
      if (onlyUris((node as Code).value, found)) {
        const b: SlotBlock = { start: lineStart(source, start), end: lineEnd(source, end), references: [], sectionDepth: sectionDepthAt(start) }
        blocks.push(b)
        const bi = blocks.length - 1
        for (const m of found) b.references.push(add(m.raw, start + m.index, 'slot', bi))
      } else {
        for (const m of found) if (!isBareScheme(m.raw)) add(m.raw, start + m.index, 'mention')
      }
      return 'skip'
    }

    if (node.type === 'paragraph' || node.type === 'heading' || node.type === 'html' || node.type === 'definition' || node.type === 'tableCell') {
      const raw = source.slice(start, end)
      const found = findUris(raw, options.schemes)
      if (found.length === 0) {
        // A lone URI of another scheme where a slot would be: say why it is not a reference.
        const foreign = node.type === 'paragraph' ? foreignUris(raw, options.schemes) : []
        const one = foreign.length === 1 ? foreign[0] : undefined
        if (one && isDecoration(raw.slice(0, one.index) + raw.slice(one.index + one.raw.length))) unknownScheme(one, start)
        return 'skip'
      }
      const only = found.length === 1 ? found[0] : undefined
      if (node.type === 'paragraph' && only) {
        const after = raw.slice(only.index + only.raw.length)
        const rest = raw.slice(0, only.index) + after
        if (parseHint(after) === undefined && isDecoration(rest)) {
          // A paragraph that is the only child of a list item stands for the whole item.
          const parent = ancestors[ancestors.length - 1]
          const item = parent && parent.type === 'listItem' && (parent as ListItem).children.length === 1 ? parent : undefined
          const bStart = item?.position?.start.offset !== undefined ? locate.offset(item.position.start.offset) : start
          const bEnd = item?.position?.end.offset !== undefined ? locate.offset(item.position.end.offset) : end
          const b: SlotBlock = { start: lineStart(source, bStart), end: lineEnd(source, bEnd), references: [], sectionDepth: sectionDepthAt(start) }
          blocks.push(b)
          b.references.push(add(only.raw, start + only.index, 'slot', blocks.length - 1))
          return 'skip'
        }
      }
      for (const m of found) if (!isBareScheme(m.raw)) add(m.raw, start + m.index, 'mention')
      return 'skip'
    }
    return undefined
  })

  references.sort((a, b) => a.position.offset - b.position.offset)
  // Re-point blocks at the sorted indices.
  const order = new Map(references.map((r, i) => [r, i]))
  for (const b of blocks) b.references = []
  for (const r of references) if (r.block !== undefined) blocks[r.block]?.references.push(order.get(r) ?? 0)
  return { references, blocks, diagnostics }
}

/** Schemes of ordinary links, never reported as unknown reference schemes. */
const WEB_SCHEMES = new Set(['http', 'https', 'mailto', 'ftp'])

/** A `scheme://` URI of a scheme that is not a reference scheme. */
interface ForeignUri {
  raw: string
  index: number
  scheme: string
}

/** URIs in `text` whose scheme is neither a reference scheme nor a web scheme. Linear in `text`. */
function foreignUris(text: string, schemes: readonly string[]): ForeignUri[] {
  const known = new Set(schemes.map((x) => x.toLowerCase()))
  const out: ForeignUri[] = []
  for (const m of text.matchAll(/@?(?<![\w.+-])([a-z][a-z0-9+.-]*):\/\/[^\s`'"<>()[\]|\\*]*/gi)) {
    const scheme = (m[1] ?? '').toLowerCase()
    if (!known.has(scheme) && !WEB_SCHEMES.has(scheme)) out.push({ raw: m[0], index: m.index, scheme })
  }
  return out
}

/** Whether `text` holds the matched URIs, in order, and nothing else but white space. Linear in `text`. */
function onlyUris(text: string, found: readonly { raw: string }[]): boolean {
  let from = 0
  for (const m of found) {
    const at = text.indexOf(m.raw, from)
    if (at === -1 || !/^\s*$/.test(text.slice(from, at))) return false
    from = at + m.raw.length
  }
  return /^\s*$/.test(text.slice(from))
}

function truncate(s: string): string {
  return s.length > 120 ? `${s.slice(0, 120)}…` : s
}
