/**
 * `parseDocument`: source text in, a plain document model out.
 *
 * @module
 */
import { sha256 } from '../platform/index.js'
import type { Root } from 'mdast'
import type { ParseStore } from '../cache/types.js'
import { InvalidOptionError } from '../errors.js'
import type { Diagnostic, Point } from '../types.js'
import { diagnostic } from './diagnostics.js'
import { findFrontmatter, type Frontmatter, type FrontmatterSchema, frontmatterKeyLine, frontmatterSchema, readFrontmatter } from './frontmatter.js'
import { refusalDiagnostic } from './bounded.js'
import { parseMarkdownBounded } from './markdown.js'
import { extractReferences, type Reference, type SlotBlock } from './references.js'
import { documentFolder, extractRelativeReferences } from './paths.js'
import { createLocator, extractSections, type Locator, type Section } from './sections.js'
import { DEFAULT_SCHEMES, parseUri } from './uri.js'
import { isOpenEnd, type OpenEnd, openEndOf } from '../render/close.js'
import { formatNumber } from '../report/number.js'
import { VERSION } from '../version.js'
import { utf8Length } from '../count/bpe.js'

/** Options for {@link parseDocument}. */
export interface ParseOptions<M = Frontmatter> {
  /** Path of the document, used in diagnostics and (when relative) to derive its URI. Default: none. */
  path?: string
  /** Canonical URI of the document (used for cycle detection). Default: derived from a relative `path`. */
  uri?: string
  /** URI schemes recognised as references. Default `['orchestr8']`. */
  schemes?: readonly string[]
  /** Frontmatter schema (anything with zod's `safeParse`). Default {@link frontmatterSchema}. */
  schema?: FrontmatterSchema<M>
  /**
   * Largest source parsed, in UTF-8 bytes. Default {@link DEFAULT_MAX_DOCUMENT_BYTES} (5 MiB).
   * A larger source is kept as it is but not analysed: no frontmatter, sections or references,
   * and an error diagnostic `LIMIT_MAX_DOCUMENT_BYTES`. `Infinity` turns the limit off.
   */
  maxDocumentBytes?: number
  /**
   * Where parsed documents are kept between processes (see `fileParseStore`). A document
   * already there is not parsed again: no YAML, no zod, no markdown parser is loaded for it.
   * Used only with the default `schema`. Default: none.
   */
  parseStore?: ParseStore
  /**
   * Whether markdown links to relative paths and relative paths in inline code are references
   * (kinds `link` and `path`, Agent Skills), resolved against the document's folder. They need a
   * relative `path`; without one (or with this off) local links stay text and a
   * `LINKS_NOT_FOLLOWED` warning says so. Default `true`.
   */
  relativeReferences?: boolean
  /**
   * Whether a file exists, by its path from the root the document's `path` is relative to
   * (`skills/pdf/forms.md`); may answer true for a file that exists only in another letter
   * case (resolution then reports it). Relative paths in inline code count as references only
   * when it answers true (many are illustrations). Default: none, every such path counts and
   * a path whose file is not found is dropped when the document is assembled.
   */
  fileExists?: (path: string) => boolean
}

/** Default largest document parsed or resolved (5 MiB of UTF-8). */
export const DEFAULT_MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

/** A parsed prompt document. Plain data: safe to serialize (except nothing), cache and share. */
export interface PromptDocument<M = Frontmatter> {
  /** Path given in the options, if any. */
  path?: string
  /** Canonical URI, if given or derivable from `path`. */
  uri?: string
  /** Source text as given (a leading BOM removed). */
  source: string
  /** SHA-256 of `source` (hex): a safe cache key. */
  digest: string
  /** Validated frontmatter. */
  meta: M
  /** Frontmatter as parsed, every key kept (including ones the schema rejected). */
  data: Record<string, unknown>
  /** Offset in `source` where the body (after frontmatter) begins. */
  bodyOffset: number
  /** The document's title: its first heading, else `meta.id`, else the file name. */
  title: string
  /** Core sections (the heading tree, flattened in document order). */
  sections: Section[]
  /** Every reference: slots, mentions, links and paths in document order, then `related` from frontmatter. */
  references: Reference[]
  /** Blocks of the body that slots replace when rendered. */
  blocks: SlotBlock[]
  /** Problems found while parsing. Parsing never throws for content problems. */
  diagnostics: Diagnostic[]
  /** Set when the body ends inside a fence, comment or `<pre>` never closed: what inlining the document closes after it. */
  openEnd?: OpenEnd
}

/** Derive `scheme://path` from a relative file path such as `agents/x.md` (or a Cursor rule's `rules/x.mdc`). */
export function uriFromPath(path: string, scheme: string = DEFAULT_SCHEMES[0] ?? 'orchestr8'): string | undefined {
  const p = path.replace(/\\/g, '/').replace(/^\.\//, '')
  if (p === '' || p.startsWith('/') || p.startsWith('../') || /^[a-z]:/i.test(p)) return undefined
  return `${scheme}://${p.replace(/\.mdc?$/i, '')}`
}

/** SHA-256 hex digest of a string. */
export function digestOf(text: string): string {
  return sha256(text, 'hex')
}

/**
 * Parse a markdown prompt document: frontmatter, core sections and references.
 *
 * Never throws for content problems (bad YAML, bad URIs, odd markdown): they are
 * collected in `diagnostics`.
 *
 * @example
 * const doc = parseDocument(source, { path: 'agents/mlops-specialist.md' })
 * doc.references.filter((r) => r.kind === 'slot')
 */
export function parseDocument<M = Frontmatter>(source: string, options: ParseOptions<M> = {}): PromptDocument<M> {
  if (typeof source !== 'string') throw new TypeError('parseDocument: `source` must be a string')
  const store = options.parseStore
  if (store === undefined || options.schema !== undefined) return existingPaths(parseNow(source, options), options.fileExists)
  const bom = source.charCodeAt(0) === 0xfeff
  const text = bom ? source.slice(1) : source
  const digest = digestOf(text)
  // The BOM is not in the digest but leaves a diagnostic: it is part of the key.
  const key = storeKey(digest, bom, options)
  const kept = revive<M>(store.get(key), text, digest)
  if (kept) return existingPaths(kept, options.fileExists)
  const doc = parseNow(source, options, digest)
  const stored = storable(doc)
  if (stored) store.set(key, stored)
  return existingPaths(doc, options.fileExists)
}

/** The document without its `path` references whose file does not exist (the same object when nothing is dropped or without `fileExists`). */
export function existingPaths<M>(doc: PromptDocument<M>, fileExists: ((path: string) => boolean) | undefined): PromptDocument<M> {
  if (fileExists === undefined || !doc.references.some((r) => r.kind === 'path')) return doc
  const kept = doc.references.filter((r) => r.kind !== 'path' || fileExists(r.uri))
  return kept.length === doc.references.length ? doc : { ...doc, ...withReferences(kept, doc.blocks) }
}

/** References in a new order or subset, and blocks re-pointed at their slots' new indices. */
function withReferences(references: Reference[], blocks: readonly SlotBlock[]): { references: Reference[]; blocks: SlotBlock[] } {
  const out = blocks.map((b) => ({ ...b, references: [] as number[] }))
  references.forEach((r, i) => {
    if (r.block !== undefined) out[r.block]?.references.push(i)
  })
  return { references, blocks: out }
}

/** Bump when what parseDocument produces changes shape or meaning (the version is in the key too). */
const PARSE_FORMAT = 4

/** Key of a parse in a {@link ParseStore}: the source's digest, every option that changes the result, the version. */
function storeKey(digest: string, bom: boolean, options: ParseOptions<unknown>): string {
  const opts = JSON.stringify([bom, options.path ?? null, options.uri ?? null, options.schemes ?? DEFAULT_SCHEMES, options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES, options.relativeReferences ?? true])
  return sha256(`promptfold-parse\u0000${PARSE_FORMAT}\u0000${VERSION}\u0000${digest}\u0000${opts}`, 'base64url')
}

/** Whether `value` survives JSON unchanged (plain objects and arrays of strings, finite numbers, booleans, null). */
function jsonSafe(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (depth > 64 || typeof value !== 'object') return false
  if (Array.isArray(value)) return value.every((v) => jsonSafe(v, depth + 1))
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return false
  return Object.values(value).every((v) => v === undefined || jsonSafe(v, depth + 1))
}

/** What a store keeps of a document (all but its source and digest), or undefined when its frontmatter is not plain JSON data (a YAML date, say). */
function storable(doc: PromptDocument<unknown>): object | undefined {
  if (!jsonSafe(doc.meta) || !jsonSafe(doc.data)) return undefined
  const { source: _source, digest: _digest, ...rest } = doc
  return { format: PARSE_FORMAT, ...rest }
}

const isInt = (n: unknown, max: number): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max

/** A stored parse back as a document of `text`, or undefined when it is missing or does not fit `text`. */
function revive<M>(value: unknown, text: string, digest: string): PromptDocument<M> | undefined {
  if (value === null || typeof value !== 'object') return undefined
  const v = value as Record<string, unknown>
  const n = text.length
  if (v.format !== PARSE_FORMAT || !isInt(v.bodyOffset, n) || typeof v.title !== 'string') return undefined
  if (v.meta === null || typeof v.meta !== 'object' || v.data === null || typeof v.data !== 'object') return undefined
  const { sections, references, blocks, diagnostics } = v
  if (!Array.isArray(sections) || !Array.isArray(references) || !Array.isArray(blocks) || !Array.isArray(diagnostics)) return undefined
  for (const b of blocks as SlotBlock[]) {
    if (!b || !isInt(b.start, n) || !isInt(b.end, n) || b.start > b.end || !Array.isArray(b.references)) return undefined
    if (!b.references.every((i) => isInt(i, references.length - 1))) return undefined
  }
  for (const s of sections as Section[]) if (!s || !isInt(s.start?.offset, n) || !isInt(s.end?.offset, n)) return undefined
  for (const r of references as Reference[]) if (!r || typeof r.uri !== 'string' || !r.parsed || !isInt(r.position?.offset, n)) return undefined
  if (v.openEnd !== undefined && !isOpenEnd(v.openEnd)) return undefined
  // Same key order as a fresh parse; a stored source or digest is never trusted.
  const { format: _format, source: _source, digest: _digest, ...rest } = v
  return { source: text, digest, ...rest } as unknown as PromptDocument<M>
}

/** Parse `source` (see {@link parseDocument}), without a store; `digest`, when known, is that of the text without its BOM. */
function parseNow<M>(source: string, options: ParseOptions<M>, digest?: string): PromptDocument<M> {
  const file = options.path
  const schemes = options.schemes ?? DEFAULT_SCHEMES
  const diagnostics: Diagnostic[] = []
  let text = source
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1)
    diagnostics.push(diagnostic('BOM', 'info', 'Leading byte-order mark removed', { file, line: 1 }))
  }

  const maxBytes = options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES
  if (typeof maxBytes !== 'number' || !(maxBytes > 0)) throw new InvalidOptionError('maxDocumentBytes', `must be a positive number of bytes, got ${String(maxBytes)}`)
  const bytes = utf8Length(text)
  const textDigest = digest ?? digestOf(text)
  if (bytes > maxBytes) {
    diagnostics.push(
      diagnostic(
        'LIMIT_MAX_DOCUMENT_BYTES',
        'error',
        `Document is ${bytes} bytes, over the maxDocumentBytes limit of ${maxBytes}: kept as plain text, its frontmatter, sections and references were not read`,
        { file, line: 1 },
      ),
    )
    return unanalysed(text, textDigest, options, diagnostics)
  }
  const binary = detectBinary(text)
  if (binary) {
    const why = `${formatNumber(binary.suspects)} of its ${formatNumber(binary.chars)} characters are control characters or U+FFFD replacement characters (the first at line ${formatNumber(binary.line)})`
    diagnostics.push(
      diagnostic('CONTENT_BINARY', 'error', `Content is binary, not text: ${why}; kept as plain text, its frontmatter, sections and references were not read`, { file, line: 1 }),
    )
    return unanalysed(text, textDigest, options, diagnostics)
  }

  const fm = readFrontmatter<M>(text, options.schema, file)
  diagnostics.push(...fm.diagnostics)

  const body = text.slice(fm.bodyOffset)
  const locate = createLocator(text, fm.bodyOffset)
  // Parsed within a limit of CPU time; a refused body (an empty tree) is kept as plain text.
  const { tree, refusal } = parseMarkdownBounded(body)
  if (refusal !== undefined) diagnostics.push(refusalDiagnostic(refusal, { file, line: locate.point(0).line }))
  const sections = extractSections(tree, body.length, locate)
  const found = extractReferences(tree, text, locate, sections, { schemes, file })
  diagnostics.push(...found.diagnostics)
  const relative = relativeReferences(tree, text, locate, sections, options)
  diagnostics.push(...relative.diagnostics)
  const inBody = withReferences(
    [...found.references, ...relative.references].sort((a, b) => a.position.offset - b.position.offset),
    found.blocks,
  )

  const references = [...inBody.references, ...relatedReferences(fm.data, text, fm.bodyOffset, schemes, file, diagnostics, (o) => locate.point(o - fm.bodyOffset))]

  const meta = fm.meta as M & Partial<Frontmatter>
  const base = baseName(file)
  if (base !== undefined && typeof meta.id === 'string' && meta.id !== base) {
    diagnostics.push(
      diagnostic('ID_MISMATCH', 'warning', `Frontmatter id "${meta.id}" differs from the file name "${base}"`, { file, line: frontmatterKeyLine(text, 'id') ?? 1 }),
    )
  }
  const doc: PromptDocument<M> = {
    source: text,
    digest: textDigest,
    meta: fm.meta,
    data: fm.data,
    bodyOffset: fm.bodyOffset,
    title: sections.find((s) => s.title !== '')?.title ?? (typeof meta.id === 'string' ? meta.id : (baseName(file) ?? '')),
    sections,
    references,
    blocks: inBody.blocks,
    diagnostics,
  }
  if (file !== undefined) doc.path = file
  const uri = options.uri !== undefined ? parseUri(options.uri).parsed.uri : file !== undefined ? uriFromPath(file, schemes[0]) : undefined
  if (uri !== undefined) doc.uri = uri
  const openEnd = openEndOf(tree, body, locate, found.blocks)
  if (openEnd !== undefined) doc.openEnd = openEnd
  return doc
}

/**
 * Links and paths of a body (see src/parse/paths.ts), or none and a `LINKS_NOT_FOLLOWED`
 * warning when the body links local files that cannot be followed from here (no relative
 * `path`, or `relativeReferences: false`).
 */
function relativeReferences(tree: Root, text: string, locate: Locator, sections: Section[], options: ParseOptions<unknown>): { references: Reference[]; diagnostics: Diagnostic[] } {
  const folder = options.relativeReferences === false ? undefined : documentFolder(options.path)
  if (folder !== undefined) return extractRelativeReferences(tree, text, locate, sections, { folder, file: options.path })
  const found = extractRelativeReferences(tree, text, locate, sections, { folder: '' })
  const links = [...found.references, ...found.outside].filter((r) => r.kind === 'link').sort((a, b) => a.position.offset - b.position.offset)
  if (links.length === 0) return { references: [], diagnostics: [] }
  const first = links[0] as (typeof links)[number]
  const why = options.relativeReferences === false ? 'relativeReferences is off' : 'the document has no path relative to a root'
  const message = `The document has ${formatNumber(links.length)} link${links.length === 1 ? '' : 's'} to local files (first ${first.raw}), but ${why}: they are left as text and count as nothing`
  return { references: [], diagnostics: [diagnostic('LINKS_NOT_FOLLOWED', 'warning', message, { file: options.path, line: first.position.line, column: first.position.column })] }
}

/**
 * A document that is not analysed (over `maxDocumentBytes`, or binary): kept whole as core
 * text, with the error diagnostic the caller pushed; no frontmatter, sections or references.
 */
function unanalysed<M>(text: string, digest: string, options: ParseOptions<M>, diagnostics: Diagnostic[]): PromptDocument<M> {
  const file = options.path
  const block = findFrontmatter(text)
  const bodyOffset = block !== undefined && block !== 'unterminated' ? block.bodyOffset : 0
  const schema = options.schema ?? (frontmatterSchema as unknown as FrontmatterSchema<M>)
  const empty = schema.safeParse({})
  const meta = (empty.success ? empty.data : {}) as M
  const doc: PromptDocument<M> = {
    source: text,
    digest,
    meta,
    data: {},
    bodyOffset,
    title: baseName(file) ?? '',
    sections: [],
    references: [],
    blocks: [],
    diagnostics,
  }
  if (file !== undefined) doc.path = file
  const uri = options.uri !== undefined ? parseUri(options.uri).parsed.uri : file !== undefined ? uriFromPath(file, (options.schemes ?? DEFAULT_SCHEMES)[0]) : undefined
  if (uri !== undefined) doc.uri = uri
  return doc
}

/**
 * Fewest suspect characters (C0 controls other than tab, line feed, form feed and carriage
 * return, and U+FFFD) that make a text binary, whatever its length. See {@link detectBinary}.
 */
export const BINARY_MIN_SUSPECTS = 8

/** Smallest share of suspect characters (of all UTF-16 code units) that makes a text binary. See {@link detectBinary}. */
export const BINARY_SUSPECT_SHARE = 0.2

/** Why {@link detectBinary} calls a text binary. */
export interface BinaryContent {
  /** Too many control or replacement characters (the one reason today; a union may grow). */
  reason: 'suspects'
  /** 1-based line of the first suspect character. */
  line: number
  /** Suspect characters in the text. */
  suspects: number
  /** Length of the text in UTF-16 code units. */
  chars: number
}

/**
 * Whether a decoded text is binary content rather than text, and why. The rule:
 *
 * it is binary when at least {@link BINARY_MIN_SUSPECTS} (8) characters, and at least
 * {@link BINARY_SUSPECT_SHARE} (20 %) of all its UTF-16 code units, are suspects: C0 control
 * characters other than tab, line feed, form feed and carriage return (NUL included), or
 * U+FFFD (what a decoder writes for bytes that are not UTF-8).
 *
 * A single NUL does not make a document binary: a stray one (or one written into a URI on
 * purpose) must not cost the whole document its references, which are then refused one by
 * one with a typed reason; UTF-16 and binary files read as UTF-8 are far over the share.
 *
 * Text in any script, emoji and code, correctly decoded, holds no suspect at all. The
 * tolerance lets stray ones through: an ANSI escape in pasted terminal output, a quoted
 * U+FFFD, and a Latin-1 file read as UTF-8, where only the accented letters (a few percent of
 * a text, under 15 % even in dense samples) become U+FFFD. Random bytes decoded as UTF-8 are
 * 55 % suspects on average (28 of the 128 ASCII byte values are suspect controls, and almost
 * every byte above 0x7F decodes to U+FFFD); of 3 million samples of 64 random bytes, none was
 * under 24 %. One pass, no allocation.
 */
export function detectBinary(text: string): BinaryContent | undefined {
  // Most texts hold no suspect at all: one regex scan says so, far faster than the loop.
  if (!SUSPECT.test(text)) return undefined
  let line = 1
  let suspects = 0
  let firstSuspectLine = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10) {
      line++
      continue
    }
    if (c >= 32 ? c !== 0xfffd : c === 9 || c === 12 || c === 13) continue
    if (suspects === 0) firstSuspectLine = line
    suspects++
  }
  if (suspects >= BINARY_MIN_SUSPECTS && suspects >= BINARY_SUSPECT_SHARE * text.length) return { reason: 'suspects', line: firstSuspectLine, suspects, chars: text.length }
  return undefined
}

/** A suspect character of {@link detectBinary}: a control but tab, line feed, form feed and carriage return, or U+FFFD. */
const SUSPECT = /[\x00-\x08\x0B\x0E-\x1F\uFFFD]/

function baseName(file: string | undefined): string | undefined {
  if (file === undefined) return undefined
  return file.replace(/\\/g, '/').split('/').pop()?.replace(/\.mdc?$/i, '')
}

/**
 * Related references from frontmatter: every entry of `relatedResources` (URIs or bare
 * ids), plus URIs of a known scheme in any other top-level key (e.g. `prerequisite:`).
 */
function relatedReferences(
  data: Record<string, unknown>,
  text: string,
  bodyOffset: number,
  schemes: readonly string[],
  file: string | undefined,
  diagnostics: Diagnostic[],
  pointAt: (offset: number) => Point,
): Reference[] {
  const out: Reference[] = []
  const fmText = text.slice(0, bodyOffset)
  const isUri = (v: string) => /^@?[a-z][a-z0-9+.-]*:\/\//i.test(v)
  const known = (v: string) => schemes.some((s) => v.replace(/^@/, '').toLowerCase().startsWith(`${s.toLowerCase()}://`))
  const lineStarts = [0]
  for (let i = fmText.indexOf('\n'); i !== -1; i = fmText.indexOf('\n', i + 1)) lineStarts.push(i + 1)
  let searchFrom = 0
  for (const [key, value] of Object.entries(data)) {
    const items = (Array.isArray(value) ? value : [value]).filter((x): x is string => typeof x === 'string' && x.trim() !== '')
    const all = key === 'relatedResources'
    if (!all && !items.some((x) => isUri(x.trim()) && known(x.trim()))) continue
    const keyLine = frontmatterKeyLine(fmText, key)
    searchFrom = keyLine === undefined ? 0 : (lineStarts[keyLine - 1] ?? 0)
    for (const item of items) {
      const raw = item.trim()
      if (!all && !(isUri(raw) && known(raw))) continue
      const at = fmText.indexOf(raw, searchFrom)
      if (at !== -1) searchFrom = at + raw.length
      const position: Point = at === -1 ? { line: 1, column: 1, offset: 0 } : pointAt(at)
      const { parsed, warnings } = isUri(raw) ? parseUri(raw) : { parsed: { uri: raw, scheme: '', path: raw, legacy: false }, warnings: [] }
      for (const w of warnings) diagnostics.push(diagnostic('REFERENCE_QUERY', 'warning', `Related resource ${raw}: ${w}`, { file, line: position.line }))
      out.push({ uri: parsed.uri, raw, kind: 'related', position, sectionPath: [], parsed })
    }
  }
  return out.sort((a, b) => a.position.offset - b.position.offset)
}
