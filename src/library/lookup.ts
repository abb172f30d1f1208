/**
 * How a reference names a library entry: the one place that decides.
 *
 * A reference (a URI of a served scheme, a bare id or file name, or a relative path) is
 * looked up in a plain {@link LookupIndex}, in this order:
 *
 * 1. **exact path**: `scheme://examples/ml/x` is the file `examples/ml/x.md`;
 * 2. **alias**: a one-segment reference (`x`, `scheme://x`) is the entry whose frontmatter `id`
 *    or file name is `x`, when exactly one entry claims that name;
 * 3. **flat path**: `scheme://<category>/<name>` is the entry whose first folder is that category
 *    (in either number, `example` or `examples`) and whose file name is `<name>`, at any depth
 *    below it, when exactly one entry fits.
 *
 * Ambiguity (several entries claim a name or fit a flat path) is a failure with the
 * candidates, never a silent pick. Refused paths (`..`, absolute, NUL, double-encoded
 * separators, invalid URIs) fail with `ACCESS_DENIED`; query URIs and the search endpoint
 * (`scheme://match`) with `DYNAMIC`. Pure: no file is touched.
 *
 * @module
 */
import { parseUri } from '../parse/uri.js'
import { safeSegments } from '../resolve/fs.js'
import { normalizeCategory } from './category.js'
import type { LookupVia } from './graph.js'

/** What the lookup needs to know about an entry. */
export interface LookupEntry {
  /** Canonical URI: `<scheme>://<path without .md>`. */
  readonly uri: string
  /** Path relative to the root, forward slashes, with `.md`. */
  readonly path: string
  /** Frontmatter `id` (trimmed), when given. */
  readonly id?: string | undefined
  /** `skill` for a skill folder's entry: it claims its `name`, not its file name (`SKILL`). Default `document`. */
  readonly kind?: 'document' | 'skill' | undefined
  /** A skill's name. */
  readonly name?: string | undefined
}

/** How an entry claims a name: by its frontmatter `id`, by its file name, or (a skill) by its `name`. */
export type NameClaimKind = 'id' | 'file name' | 'skill name'

/** One entry's claim on a name. */
export interface NameClaim<E extends LookupEntry = LookupEntry> {
  entry: E
  how: NameClaimKind
}

/** A plain index of entries for {@link lookupReference}. Build it with {@link createLookupIndex}. */
export interface LookupIndex<E extends LookupEntry = LookupEntry> {
  /** Schemes served (lower case); the first names canonical URIs. */
  readonly schemes: readonly string[]
  /** Entries by canonical URI. */
  readonly byUri: ReadonlyMap<string, E>
  /** Every claim on each name (ids and file names), in entry order. A name with one claim is an alias. */
  readonly names: ReadonlyMap<string, readonly NameClaim<E>[]>
  /** Entries below a category folder, keyed by `<normalized category>\u0000<file name>`, in entry order. */
  readonly flat: ReadonlyMap<string, readonly E[]>
}

/** Why a lookup found nothing. */
export type LookupErrorCode = 'NOT_FOUND' | 'AMBIGUOUS' | 'ACCESS_DENIED' | 'DYNAMIC'

/** A lookup that found one entry. */
export interface LookupFound<E extends LookupEntry = LookupEntry> {
  ok: true
  entry: E
  /** `uri`: the exact path; `alias`: an id or file name; `flat`: category folder and file name. */
  via: LookupVia
}

/** A lookup that found no single entry. */
export interface LookupFailure {
  ok: false
  code: LookupErrorCode
  /** One sentence naming the reference and why. */
  message: string
  /** For `AMBIGUOUS`: the canonical URIs of every entry that fits. */
  candidates?: string[]
}

/** Result of {@link lookupReference}: a union keyed by `ok`, failures keyed by `code`. */
export type LookupResult<E extends LookupEntry = LookupEntry> = LookupFound<E> | LookupFailure

/** A reference written as a URI: `scheme://...`, also with the older leading `@`. */
const SCHEME_RE = /^@?[a-z][a-z0-9+.-]*:\/\//i

/** Longest part of a reference quoted in a message. */
const SHOWN_CHARS = 120

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** File name of a path without `.md` (or a Cursor rule's `.mdc`). */
export function entryName(path: string): string {
  return (path.split('/').pop() ?? path).replace(/\.mdc?$/i, '')
}

function flatKey(category: string, name: string): string {
  return `${normalizeCategory(category)}\u0000${name}`
}

/**
 * Index entries for {@link lookupReference}. Each entry claims its `id` and its file name
 * (once if they are equal); entries below at least one folder are also filed under their
 * first folder's normalized category and their file name.
 *
 * @param entries Entries in a stable order (the library sorts them by path).
 * @param schemes Schemes served; lower-cased. The first names canonical URIs.
 */
export function createLookupIndex<E extends LookupEntry>(entries: readonly E[], schemes: readonly string[]): LookupIndex<E> {
  const byUri = new Map<string, E>()
  const names = new Map<string, NameClaim<E>[]>()
  const flat = new Map<string, E[]>()
  const claim = (name: string, entry: E, how: NameClaimKind) => {
    let list = names.get(name)
    if (!list) names.set(name, (list = []))
    if (!list.some((c) => c.entry === entry)) list.push({ entry, how })
  }
  for (const entry of entries) {
    byUri.set(entry.uri, entry)
    if (entry.kind === 'skill') {
      if (entry.name) claim(entry.name, entry, 'skill name')
      continue
    }
    const name = entryName(entry.path)
    if (entry.id) claim(entry.id, entry, 'id')
    claim(name, entry, 'file name')
    const parts = entry.path.split('/')
    if (parts.length >= 2) {
      const key = flatKey(parts[0] as string, name)
      const list = flat.get(key)
      if (list) list.push(entry)
      else flat.set(key, [entry])
    }
  }
  return { schemes: schemes.map((s) => s.toLowerCase()), byUri, names, flat }
}

function notFound(message: string): LookupFailure {
  return { ok: false, code: 'NOT_FOUND', message }
}

function byName<E extends LookupEntry>(index: LookupIndex<E>, name: string): LookupResult<E> {
  const claims = index.names.get(name) ?? []
  if (claims.length === 1) return { ok: true, entry: (claims[0] as NameClaim<E>).entry, via: 'alias' }
  if (claims.length > 1) {
    const candidates = claims.map((c) => c.entry.uri).sort(compare)
    return { ok: false, code: 'AMBIGUOUS', message: `"${name}" names ${claims.length} documents: ${candidates.join(', ')}`, candidates }
  }
  return notFound(`no document is named "${name}"`)
}

function byPath<E extends LookupEntry>(index: LookupIndex<E>, path: string, shown: string): LookupResult<E> {
  const segments = safeSegments(path)
  if (typeof segments === 'string') return { ok: false, code: 'ACCESS_DENIED', message: `refused ${shown}: ${segments}` }
  const exact = index.byUri.get(`${index.schemes[0] ?? ''}://${segments.join('/')}`)
  if (exact) return { ok: true, entry: exact, via: 'uri' }
  if (segments.length === 1) {
    const found = byName(index, segments[0] as string)
    return !found.ok && found.code === 'NOT_FOUND' ? notFound(`${shown} is not in the library`) : found
  }
  const candidates = index.flat.get(flatKey(segments[0] as string, segments[segments.length - 1] as string)) ?? []
  if (candidates.length === 1) return { ok: true, entry: candidates[0] as E, via: 'flat' }
  if (candidates.length > 1) {
    const uris = candidates.map((e) => e.uri)
    return { ok: false, code: 'AMBIGUOUS', message: `${shown} could be any of ${uris.join(', ')}`, candidates: uris }
  }
  return notFound(`${shown} is not in the library`)
}

/**
 * Find the entry a reference names (see the module notes for the order and the failures).
 *
 * @param index Built by {@link createLookupIndex}.
 * @param ref A URI of a served scheme (`orchestr8://examples/x`, `@orchestr8://x.md`), a bare
 *   id or file name (`x`, `x.md`), or a relative path (`examples/ml/x`). Surrounding white space
 *   is ignored.
 *
 * @example
 * const index = createLookupIndex([{ uri: 'orchestr8://examples/ml/x', path: 'examples/ml/x.md' }], ['orchestr8'])
 * lookupReference(index, 'orchestr8://examples/x') // { ok: true, entry: ..., via: 'flat' }
 */
export function lookupReference<E extends LookupEntry>(index: LookupIndex<E>, ref: string): LookupResult<E> {
  if (typeof ref !== 'string') return notFound('reference must be a string')
  const text = ref.trim()
  const shown = text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text
  if (text === '') return notFound('empty reference')
  if (SCHEME_RE.test(text)) {
    const { parsed } = parseUri(text)
    if (!index.schemes.includes(parsed.scheme)) return notFound(`scheme "${parsed.scheme}" is not served by this library (${index.schemes.join(', ')})`)
    if (parsed.invalid) return { ok: false, code: 'ACCESS_DENIED', message: `refused ${shown}: ${parsed.invalid}` }
    if (parsed.search !== undefined) return { ok: false, code: 'DYNAMIC', message: `${shown} has a query string: it is a search, not a document` }
    const found = byPath(index, parsed.path, shown)
    if (!found.ok && found.code === 'NOT_FOUND' && /(^|\/)match$/.test(parsed.path)) return { ok: false, code: 'DYNAMIC', message: `${shown} is the search endpoint, not a document` }
    return found
  }
  if (text.includes('\u0000')) return { ok: false, code: 'ACCESS_DENIED', message: 'refused: NUL character in reference' }
  if (text.includes('/') || text.includes('\\')) return byPath(index, text.replace(/\.md$/i, ''), shown)
  return byName(index, text.replace(/\.md$/i, ''))
}

/** The files of a library that relative references (`link`, `path`) can name. Build it with {@link createFileIndex}. */
export interface FileIndex {
  /** Every file by its path from the root: the skill folder holding it (`''` for the root), or `null` for a file outside skills. */
  readonly paths: ReadonlyMap<string, string | null>
  /** Lower-cased path -> the paths spelled that way in some letter case, sorted. */
  readonly folded: ReadonlyMap<string, readonly string[]>
}

/**
 * Index files for {@link lookupFile}.
 *
 * @param files Every file's root-relative path and the skill folder holding it (`null` outside skills).
 */
export function createFileIndex(files: Iterable<readonly [string, string | null]>): FileIndex {
  const paths = new Map<string, string | null>()
  const folded = new Map<string, string[]>()
  for (const [path, skill] of files) {
    paths.set(path, skill)
    const key = path.toLowerCase()
    const list = folded.get(key)
    if (list) list.push(path)
    else folded.set(key, [path])
  }
  for (const list of folded.values()) list.sort(compare)
  return { paths, folded }
}

/** Why a relative reference names no file: as {@link LookupErrorCode}, plus `CASE_MISMATCH` (the file exists in another letter case). */
export type FileLookupErrorCode = 'NOT_FOUND' | 'ACCESS_DENIED' | 'CASE_MISMATCH'

/** Result of {@link lookupFile}: the file's path, or why there is none. */
export type FileLookup =
  | { ok: true; path: string; skill: string | null }
  | { ok: false; code: FileLookupErrorCode; message: string; candidates?: string[] }

/** The skill folder a path lies in (the innermost of `skills`), if any. */
function skillOf(index: FileIndex, path: string): string | null {
  return index.paths.get(path) ?? null
}

/**
 * Find the file a relative reference (`link` or `path` kind, its `uri` a path from the root)
 * names, for a reference written in the file `from` (a path from the root). A reference
 * written in a skill must stay inside that skill's folder (`ACCESS_DENIED` otherwise); a file
 * that exists only in another letter case is `CASE_MISMATCH` (it would break on Linux), with
 * the real spelling as the candidate. Pure: no file is touched.
 */
export function lookupFile(index: FileIndex, path: string, from?: string): FileLookup {
  const segments = safeSegments(path)
  if (typeof segments === 'string') return { ok: false, code: 'ACCESS_DENIED', message: `refused ${path}: ${segments}` }
  const skill = from !== undefined ? skillOf(index, from) : null
  if (skill !== null && skill !== '' && !path.startsWith(`${skill}/`)) {
    return { ok: false, code: 'ACCESS_DENIED', message: `${path} is outside the skill folder ${skill}` }
  }
  if (index.paths.has(path)) return { ok: true, path, skill: skillOf(index, path) }
  const other = index.folded.get(path.toLowerCase())
  if (other && other.length > 0) {
    return { ok: false, code: 'CASE_MISMATCH', message: `${path} exists only as ${other.join(', ')} (another letter case: it breaks on case-sensitive file systems)`, candidates: [...other] }
  }
  return { ok: false, code: 'NOT_FOUND', message: `${path} is not in the library` }
}
