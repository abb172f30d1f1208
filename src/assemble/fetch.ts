/**
 * Phase 2 of `assemble`: fetching. Every resolver and `match` call goes through here:
 * resolver calls once per URI per assembly, under `resolveTimeout`, counted against
 * `maxDocuments`, size-checked against `maxDocumentBytes`, parsed through the shared parse
 * cache; `match` calls under `resolveTimeout`, counted against `maxMatches`, their answers
 * cut to `maxMatchResults` URIs.
 * What can go wrong becomes a {@link Resolution} with a cause code, never a throw.
 *
 * @module
 */
import { PromptfoldError } from '../errors.js'
import { diagnostic } from '../parse/diagnostics.js'
import type { PromptDocument } from '../parse/document.js'
import type { Frontmatter } from '../parse/frontmatter.js'
import { type MatchQuery, normalizeUri } from '../parse/uri.js'
import type { ReferenceCause } from '../report/causes.js'
import { formatNumber } from '../report/number.js'
import { type ResolvedDocument, toResolved } from '../resolve/resolver.js'
import type { Diagnostic, ReferenceKind } from '../types.js'
import { detectBinary } from '../parse/document.js'
import { markWrapped } from '../render/source-map.js'
import { parseCached } from './parse-cache.js'
import type { Settings } from './settings.js'
import { utf8Length } from '../count/bpe.js'

/** What fetching one URI gave: a parsed document, or why not (a cause code and the message behind it). */
export type Resolution =
  | {
      ok: true
      doc: PromptDocument<Frontmatter>
      /** The document's own diagnostics (and the resolver's), reported when the assembly first uses it. */
      diagnostics: readonly Diagnostic[]
    }
  | {
      ok: false
      cause: ReferenceCause
      /** What the resolver or a limit said, with its error code first (`RESOLVER_ERROR: ...`). */
      message?: string
      diagnostics: readonly Diagnostic[]
    }

/** What one `match` search gave: the URIs to expand the slot into, or why none. */
export type MatchAnswer =
  | {
      ok: true
      /** Distinct normalized URIs, best first, at most `maxMatchResults`. */
      uris: string[]
      /** Why fewer URIs were asked for or kept than the slot or the function gave, if so. */
      clipped?: string
    }
  | {
      ok: false
      /** `MAX_MATCHES` (no search was made) or `MATCH_FAILED`. */
      cause: 'MAX_MATCHES' | 'MATCH_FAILED'
      /** What went wrong, with the error's code first. */
      message?: string
    }

/** Fetches documents for one assembly. */
export interface Fetcher {
  /**
   * Resolve and parse `uri` (once per assembly: later calls share the first answer).
   *
   * @param uri Normalized target URI.
   * @param from URI of the document holding the reference, told to the resolver.
   * @param kind The reference's kind, told to the resolver (a `link` or `path` names a file by its path from the root).
   */
  fetch(uri: string, from: string | undefined, kind?: ReferenceKind): Promise<Resolution>
  /**
   * Run `work` (a resolver or `match` call) under the assembly's `resolveTimeout`; its
   * signal is aborted when time runs out.
   */
  timed<T>(work: (signal: AbortSignal) => T | Promise<T>, what: string): Promise<T>
  /**
   * Expand a dynamic slot's (filled) query with the `match` function: counted against
   * `maxMatches` (past it, `MAX_MATCHES` and no call), asked for at most `maxMatchResults`
   * URIs, and its answer cut to that many. URIs already fetched cost nothing new: they
   * share the first answer of {@link Fetcher.fetch}.
   *
   * @param query The query, placeholders filled.
   * @param from URI of the document holding the slot, told to the function.
   */
  match(query: MatchQuery, from: string | undefined): Promise<MatchAnswer>
}

/**
 * A fetcher for one assembly.
 *
 * @param settings The assembly's settings (resolver, limits, schemes, caches).
 */
export function createFetcher(settings: Settings): Fetcher {
  const started = new Map<string, Promise<Resolution>>()
  /** Distinct URIs handed to the resolver so far (bounded by `maxDocuments`). */
  let fetches = 0
  /** `match` calls made so far (bounded by `maxMatches`). */
  let matches = 0
  const timed = <T>(work: (signal: AbortSignal) => T | Promise<T>, what: string) => withTimeout(work, settings.resolveTimeout, what)
  return {
    timed,
    match(query, from) {
      if (!settings.match || matches >= settings.maxMatches) return Promise.resolve({ ok: false, cause: 'MAX_MATCHES' })
      matches++
      return matchOne(settings, query, from, timed)
    },
    fetch(uri, from, kind) {
      let p = started.get(uri)
      if (!p) {
        if (settings.resolver && fetches >= settings.maxDocuments) return Promise.resolve({ ok: false, cause: 'MAX_DOCUMENTS', diagnostics: [] })
        fetches++
        p = resolveOne(settings, uri, from, kind, timed)
        started.set(uri, p)
      }
      return p
    },
  }
}

/** Ask the resolver for `uri`, check the answer's size, parse it. */
async function resolveOne(settings: Settings, uri: string, from: string | undefined, kind: ReferenceKind | undefined, timed: Fetcher['timed']): Promise<Resolution> {
  const resolver = settings.resolver
  if (!resolver) return { ok: false, cause: 'NO_RESOLVER', diagnostics: [] }
  let found: ResolvedDocument | undefined
  try {
    found = toResolved(await timed((signal) => resolver(uri, kind !== undefined ? { from, signal, kind } : { from, signal }), 'resolver'), uri)
  } catch (error) {
    const code = error instanceof PromptfoldError ? error.code : 'RESOLVER_ERROR'
    return { ok: false, cause: causeOfError(code), message: `${code}: ${errorMessage(error)}`, diagnostics: [] }
  }
  // A library answers nothing for its search endpoint (`scheme://match`): that is a search, not a missing document.
  if (!found) return { ok: false, cause: settings.isSearch?.(uri) ? 'DYNAMIC' : 'NOT_FOUND', diagnostics: [] }
  const relative = kind === 'link' || kind === 'path'
  // A file by path, or a skill's file by its skill:// URI: any kind of file, not only markdown.
  const file = relative || /^skill:\/\//i.test(uri)
  const canonical = relative ? uri : found.uri ? normalizeUri(found.uri) : uri
  const name = found.path ?? canonical
  if (file && detectBinary(found.source)) {
    return { ok: false, cause: 'BINARY', message: `BINARY_FILE: ${name} is not text`, diagnostics: [] }
  }
  const bytes = utf8Length(found.source)
  if (bytes > settings.maxDocumentBytes) {
    const message = `${name} is ${formatNumber(bytes)} bytes, over the maxDocumentBytes limit of ${formatNumber(settings.maxDocumentBytes)}; not read`
    return { ok: false, cause: 'TOO_LARGE', message: `LIMIT_EXCEEDED: ${message}`, diagnostics: [diagnostic('LIMIT_MAX_DOCUMENT_BYTES', 'error', message, { file: name, line: 1 })] }
  }
  const source = file ? asMarkdown(found.source, found.path ?? uri) : found.source
  const parsed = parseCached({ source, uri: canonical, path: found.path ?? (relative ? uri : undefined), schemes: settings.schemes, maxDocumentBytes: settings.maxDocumentBytes, parseStore: settings.parseStore })
  const doc = source === found.source ? parsed : { ...parsed, references: [], blocks: [] }
  if (doc !== parsed) markWrapped(doc, source.indexOf('\n') + 1, found.source.length)
  const diagnostics: Diagnostic[] = [...(found.diagnostics ?? [])]
  for (const d of doc.diagnostics) if (d.severity !== 'info') diagnostics.push(d.file ? d : { ...d, file: name })
  return { ok: true, doc, diagnostics }
}

/** Extensions of files inlined as markdown; any other file is inlined as a fenced code block. */
const MARKDOWN_FILE = /\.(?:md|mdc|markdown|mdx)$/i

/** Fence languages by file extension where the extension itself is not the usual name. */
const FENCE_LANGUAGES: Readonly<Record<string, string>> = { py: 'python', js: 'javascript', mjs: 'javascript', cjs: 'javascript', ts: 'typescript', tsx: 'tsx', rb: 'ruby', rs: 'rust', sh: 'bash', yml: 'yaml', kt: 'kotlin', cs: 'csharp', txt: 'text' }

/**
 * A linked file's text as markdown to inline: markdown files as they are, any other file
 * (a script, data) in a fenced block with a language from its extension, the fence longer
 * than any backtick run inside. Such a block is code: it holds no references.
 */
export function asMarkdown(text: string, path: string): string {
  if (MARKDOWN_FILE.test(path)) return text
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? ''
  const lang = FENCE_LANGUAGES[ext] ?? ext
  let longest = 0
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length)
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return `${fence}${lang}\n${text}${text.endsWith('\n') || text === '' ? '' : '\n'}${fence}\n`
}

/** Call the `match` function once, asking for at most `maxMatchResults` URIs and keeping at most that many. */
async function matchOne(settings: Settings, query: MatchQuery, from: string | undefined, timed: Fetcher['timed']): Promise<MatchAnswer> {
  const cap = settings.maxMatchResults
  const match = settings.match as NonNullable<Settings['match']>
  const asked: MatchQuery = query.maxResults !== undefined && query.maxResults > cap ? { ...query, maxResults: cap } : query
  let found: readonly unknown[]
  const uris = new Set<string>()
  try {
    const answer: unknown = await timed(() => match(asked, { from }), 'match')
    if (!Array.isArray(answer)) throw new PromptfoldError('MATCH_RESULT', `match returned ${typeof answer}; expected an array of URIs`)
    found = answer
    // Distinct URIs, best first; one past the cap is enough to know the answer was cut.
    for (const u of found) {
      if (typeof u === 'string') uris.add(normalizeUri(u))
      if (uris.size > cap) break
    }
  } catch (error) {
    return { ok: false, cause: 'MATCH_FAILED', message: `${error instanceof PromptfoldError ? `${error.code}: ` : ''}${errorMessage(error)}` }
  }
  const kept = [...uris].slice(0, cap)
  const max = formatNumber(cap)
  if (asked !== query) return { ok: true, uris: kept, clipped: `maxResults=${formatNumber(query.maxResults ?? 0)} is over maxMatchResults ${max}; asked for ${max}` }
  if (uris.size > cap) return { ok: true, uris: kept, clipped: `match returned ${formatNumber(found.length)} URIs, over maxMatchResults ${max}; the first ${max} are used` }
  return { ok: true, uris: kept }
}

/** The cause of a resolver's error, by the error's code. */
function causeOfError(code: string): ReferenceCause {
  switch (code) {
    case 'RESOLVE_TIMEOUT':
      return 'RESOLVE_TIMEOUT'
    case 'ACCESS_DENIED':
      return 'ACCESS_DENIED'
    case 'AMBIGUOUS_REFERENCE':
      return 'AMBIGUOUS'
    case 'LIMIT_EXCEEDED':
      return 'TOO_LARGE'
    case 'CASE_MISMATCH':
      return 'CASE_MISMATCH'
    case 'BINARY_FILE':
      return 'BINARY'
    default:
      return 'RESOLVER_ERROR'
  }
}

/**
 * Race `work` against a timer of `ms` milliseconds; the signal given to `work` is aborted
 * when time runs out, and the race rejects with a `RESOLVE_TIMEOUT` error.
 */
async function withTimeout<T>(work: (signal: AbortSignal) => T | Promise<T>, ms: number, what: string): Promise<T> {
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      Promise.resolve().then(() => work(controller.signal)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort()
          reject(new PromptfoldError('RESOLVE_TIMEOUT', `${what} did not answer within ${formatNumber(ms)} ms`))
        }, ms)
      }),
    ])
  } finally {
    if (timer) clearTimeout(timer)
  }
}

/** The message of anything thrown, even values that cannot be turned into a string. */
export function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error)
  } catch {
    return Object.prototype.toString.call(error)
  }
}
