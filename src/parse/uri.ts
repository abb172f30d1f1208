/**
 * Reference URIs: finding them in text, parsing and normalizing them.
 *
 * A reference is `<scheme>://<path>[?<query>]`, optionally written with a leading
 * `@` (the older syntax). Percent-escapes are decoded exactly once.
 *
 * @module
 */

/** Default scheme set. */
export const DEFAULT_SCHEMES: readonly string[] = ['orchestr8']

/** Longest URI accepted, in characters (the `@` of the older form included). Longer ones are `invalid`. */
export const MAX_URI_LENGTH = 4096

/** Parameters of a dynamic `match` reference, e.g. `orchestr8://match?query=...&categories=...`. */
export interface MatchQuery {
  /** Free-text query (decoded). May contain `${placeholders}`. */
  query: string
  /** Category filter, from a comma-separated `categories` (or `category`) parameter. */
  categories: string[]
  /** Tag filter, from a comma-separated `tags` parameter. */
  tags: string[]
  /** `maxResults`, when given and a positive integer. */
  maxResults?: number
  /** `minScore`, when given and a number. */
  minScore?: number
  /** Every parameter as written (decoded), including the ones above. */
  params: Record<string, string>
}

/** A parsed reference URI. */
export interface ParsedUri {
  /** Normalized form: lower-case scheme, no `@`, path decoded once, no trailing `/` or `.md`. */
  uri: string
  /** Scheme without `://`, lower case. */
  scheme: string
  /** Decoded path, without leading or trailing slashes. */
  path: string
  /** Whether the older `@scheme://` form was used. */
  legacy: boolean
  /** Parsed query for `match` references (path `match`, or `<category>/match` which filters on that category), otherwise undefined. */
  match?: MatchQuery
  /** Raw query string without `?`, when any. */
  search?: string
  /** Why the URI is unusable, when it is. An invalid URI is still reported, never inlined. */
  invalid?: string
}

/** Escape a string for use in a RegExp. */
function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')
}

const cache = new Map<string, RegExp>()

/**
 * A global RegExp that finds references of the given schemes in text.
 * A URI stops at white space, quotes, backticks, brackets, `|`, `*` and `<>`.
 */
export function referencePattern(schemes: readonly string[] = DEFAULT_SCHEMES): RegExp {
  const key = schemes.join('\u0000')
  let re = cache.get(key)
  if (!re) {
    const alt = schemes.map(escapeRegExp).join('|')
    re = new RegExp(`@?(?<![\\w.+-])(?:${alt}):\\/\\/[^\\s\`'"<>()\\[\\]|\\\\*]*`, 'gi')
    cache.set(key, re)
  }
  re.lastIndex = 0
  return re
}

/** A reference found in a string: its match and where it sits. */
export interface UriMatch {
  raw: string
  /** Offset of `raw` in the searched string. */
  index: number
}

/** Trailing characters that end a sentence rather than a URI. */
const TRAILING = '.,;:!?'

/**
 * Find every reference of the given schemes in `text`, trimming sentence punctuation.
 * Linear in the length of `text`, however long or odd a URI is.
 */
export function findUris(text: string, schemes: readonly string[] = DEFAULT_SCHEMES): UriMatch[] {
  const out: UriMatch[] = []
  const re = referencePattern(schemes)
  let m: RegExpExecArray | null
  while ((m = re.exec(text)) !== null) {
    const found = m[0]
    let end = found.length
    while (end > 0 && TRAILING.includes(found.charAt(end - 1))) end--
    // Drop unbalanced closing braces that belong to surrounding text.
    let open = 0
    let close = 0
    for (let i = 0; i < end; i++) {
      const c = found.charCodeAt(i)
      if (c === 123) open++
      else if (c === 125) close++
    }
    while (end > 0 && found.charCodeAt(end - 1) === 125 && open < close) {
      end--
      close--
    }
    if (end > 0) out.push({ raw: found.slice(0, end), index: m.index })
  }
  return out
}

/** Result of decoding percent-escapes. */
interface Decoded {
  value: string
  error?: string
}

/** Decode percent-escapes once; a malformed escape leaves the text as written and reports why. */
function decodeOnce(s: string): Decoded {
  if (!s.includes('%')) return { value: s }
  try {
    return { value: decodeURIComponent(s) }
  } catch {
    return { value: s, error: `malformed percent-escape in "${truncate(s, 80)}"` }
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s
}

/** Parse the query part of a `match` reference. */
export function parseMatchQuery(search: string): { match: MatchQuery; errors: string[] } {
  const params: Record<string, string> = {}
  const errors: string[] = []
  for (const part of search.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const rawKey = eq === -1 ? part : part.slice(0, eq)
    const rawValue = eq === -1 ? '' : part.slice(eq + 1)
    const key = decodeOnce(rawKey.replace(/\+/g, ' '))
    const value = decodeOnce(rawValue.replace(/\+/g, ' '))
    if (key.error) errors.push(key.error)
    if (value.error) errors.push(value.error)
    if (!Object.hasOwn(params, key.value)) params[key.value] = value.value
  }
  const list = (v: string | undefined): string[] =>
    v === undefined
      ? []
      : v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
  const match: MatchQuery = {
    query: params.query ?? params.q ?? '',
    categories: list(params.categories ?? params.category),
    tags: list(params.tags ?? params.tag),
    params,
  }
  const max = params.maxResults === undefined ? NaN : Number(params.maxResults)
  if (Number.isInteger(max) && max > 0) match.maxResults = max
  else if (params.maxResults !== undefined) errors.push(`maxResults must be a positive integer, got "${truncate(params.maxResults, 40)}"`)
  const min = params.minScore === undefined ? NaN : Number(params.minScore)
  if (Number.isFinite(min)) match.minScore = min
  else if (params.minScore !== undefined) errors.push(`minScore must be a number, got "${truncate(params.minScore, 40)}"`)
  return { match, errors }
}

/**
 * The part of a URI after `scheme://`, split into its path and its query string (without
 * `?`); a `#fragment` after the path is dropped.
 */
export function splitQuery(rest: string): { path: string; search?: string } {
  let path = rest
  let search: string | undefined
  const q = path.indexOf('?')
  if (q !== -1) {
    search = path.slice(q + 1)
    path = path.slice(0, q)
  }
  const hash = path.indexOf('#')
  if (hash !== -1) path = path.slice(0, hash)
  return search === undefined ? { path } : { path, search }
}

/**
 * Parse and normalize a reference URI (with or without `@`).
 * Never throws: problems are returned in `invalid` (unusable) or `warnings` (recovered).
 */
export function parseUri(raw: string): { parsed: ParsedUri; warnings: string[] } {
  const warnings: string[] = []
  const legacy = raw.startsWith('@')
  const text = legacy ? raw.slice(1) : raw
  const sep = text.indexOf('://')
  const scheme = (sep === -1 ? '' : text.slice(0, sep)).toLowerCase()
  const { path: rest, search } = splitQuery(sep === -1 ? text : text.slice(sep + 3))

  const parsed: ParsedUri = { uri: '', scheme, path: '', legacy }
  if (raw.length > MAX_URI_LENGTH) {
    parsed.invalid = `URI is ${raw.length} characters long (limit ${MAX_URI_LENGTH})`
    parsed.uri = `${scheme}://${truncate(rest, 64)}`
    return { parsed, warnings }
  }
  if (sep === -1 || scheme === '') parsed.invalid = 'not a URI (no scheme)'

  const decoded = decodeOnce(rest)
  if (decoded.error) {
    parsed.invalid = decoded.error
  }
  let path = decoded.value
  if (path.startsWith('/')) parsed.invalid ??= `absolute path "${truncate(path, 80)}" (expected ${scheme}://<path>)`
  if (path.includes('\u0000')) parsed.invalid ??= 'path contains a NUL character'
  path = path.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '').replace(/\/{2,}/g, '/')
  if (path.toLowerCase().endsWith('.md')) path = path.slice(0, -3)
  if (path === '') parsed.invalid ??= 'empty path'
  parsed.path = path

  if (search !== undefined) {
    parsed.search = search
    if (path === 'match' || path.endsWith('/match')) {
      const { match, errors } = parseMatchQuery(search)
      // `scheme://agents/match?query=...` searches the `agents` category unless categories are given.
      const prefix = path === 'match' ? '' : path.slice(0, -'/match'.length)
      if (prefix !== '' && match.categories.length === 0) match.categories = [prefix]
      parsed.match = match
      for (const e of errors) warnings.push(e)
    }
  }
  parsed.uri = `${scheme}://${path}${search !== undefined ? `?${search}` : ''}`
  return { parsed, warnings }
}

/** Normalize a URI or a bare id to its canonical form (`scheme://path`). Bare ids are returned as given. */
export function normalizeUri(raw: string): string {
  const text = raw.trim()
  if (!/^@?[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text
  return parseUri(text).parsed.uri
}
