/**
 * Phase 1 of `assemble`: the options a caller gives, checked once and turned into
 * {@link Settings} with every default applied. Later phases read settings only.
 *
 * @module
 */
import { type Level, levelsFrom, type PartialLevel } from './levels.js'
import type { CountStore, ParseStore } from '../cache/types.js'
import { createTokenCounter, type EncodingName, type TokenCounter } from '../count/index.js'
import { InvalidOptionError } from '../errors.js'
import { DEFAULT_MAX_DOCUMENT_BYTES, type PromptDocument, parseDocument } from '../parse/document.js'
import { DEFAULT_SCHEMES, type MatchQuery, normalizeUri } from '../parse/uri.js'
import type { Resolver } from '../resolve/resolver.js'
import type { Strategy } from '../select/items.js'

/** Options for `assemble`. */
export interface AssembleOptions {
  /** Hard cap on the tokens of the returned text. Default `Infinity` (no cap). */
  budget?: number
  /** Resolves slot URIs to documents. Default: none (every slot is `missing`). */
  resolver?: Resolver
  /** Encoding to count with. Default `'o200k_base'`. Ignored when `counter` is given. */
  encoding?: EncodingName
  /** Model whose encoding to count with (e.g. `'gpt-4o'`). Ignored when `counter` is given. */
  model?: string
  /** Any object with `count(text): number`. Default: the shared counter for `encoding`/`model`. */
  counter?: TokenCounter | { count(text: string): number; encoding?: string }
  /** Task description: values candidates by relevance instead of position. Default: none. */
  query?: string
  /** `'greedy'` (default) or `'optimal'`. */
  strategy?: Strategy
  /** URIs that must be inlined (error if they cannot be). Default `[]`. */
  include?: readonly string[]
  /** URIs that must not be inlined. Default `[]`. */
  exclude?: readonly string[]
  /** How deep slots inside inlined documents are followed. Default `2`. */
  maxDepth?: number
  /**
   * Most documents fetched in one assembly: distinct URIs handed to the resolver (slot,
   * mention and related targets alike). Default `100`. Hitting it is reported
   * (`LIMIT_MAX_DOCUMENTS`); the slots left over are deferred with the cause `MAX_DOCUMENTS`.
   */
  maxDocuments?: number
  /**
   * Most `match` searches in one assembly: dynamic `match?` slots expanded, at any depth
   * (each call of the `match` function counts, even when it finds nothing). Default `20`,
   * above the 13 dynamic references of the largest real agent measured. Hitting it is
   * reported once (`LIMIT_MAX_MATCHES`); the dynamic slots left over are deferred with the
   * cause `MAX_MATCHES`, without calling `match`.
   */
  maxMatches?: number
  /**
   * Most URIs one dynamic `match?` slot expands into. Default `20`. A slot asking for more
   * (`maxResults=1000`) is asked with this many instead, and a `match` function answering
   * with more is cut to its first this many; either way a `LIMIT_MAX_MATCH_RESULTS` warning
   * names the slot.
   */
  maxMatchResults?: number
  /**
   * Largest resolved document, in UTF-8 bytes. Default {@link DEFAULT_MAX_DOCUMENT_BYTES} (5 MiB).
   * A larger one is not parsed: its references become `missing` (cause `TOO_LARGE`), and a
   * `LIMIT_MAX_DOCUMENT_BYTES` diagnostic names it. Also the parse limit of every document
   * parsed here (`doc` given as a string, resolved documents).
   */
  maxDocumentBytes?: number
  /**
   * Milliseconds to wait for one resolver (or `match`) call before it counts as `missing`
   * with the cause `RESOLVE_TIMEOUT`. Default `10000`.
   */
  resolveTimeout?: number
  /**
   * Expands dynamic `scheme://match?query=...` slots into URIs. Default: the resolver's
   * `resolveMatch` when the resolver is a library, else none (dynamic slots are deferred,
   * cause `DYNAMIC`).
   */
  match?: MatchFunction
  /** Values for `${name}` placeholders in dynamic match slots. Default `{}`. */
  vars?: Readonly<Record<string, string>>
  /**
   * Persistent store of counts (e.g. `fileCountStore`) consulted before counting, so a
   * new process can skip building the encoder. Default: none (in-memory caching only).
   */
  countStore?: CountStore
  /**
   * Persistent store of parsed documents (see `fileParseStore`): resolved documents found
   * there are not parsed again. Default: none (the in-memory parse cache is always used).
   */
  parseStore?: ParseStore
  /**
   * URI schemes recognised when parsing (`doc` given as a string, resolved documents).
   * Default: the resolver's `schemes` when it is a library, else `['orchestr8']`.
   */
  schemes?: readonly string[]
  /**
   * Measure wall-clock time per phase into `report.timings`. Default `true`. With `false`
   * every timing is `0`, so that identical runs give identical reports (snapshot tests):
   * `timings` is the only field that otherwise differs between them.
   */
  timings?: boolean
  /**
   * Levels of detail each reference may be placed at: `full` (the document), `summary` (its
   * frontmatter `summary`, a section titled "Summary", else its first paragraph), `outline`
   * (its headings as a nested list), `pointer` (the reference as written). Both strategies
   * choose one level per reference; `full` and `pointer` must be listed. Default: none, which
   * is `['full', 'pointer']` (whole or left as written, as before levels).
   */
  levels?: readonly Level[]
  /**
   * Value of the partial levels, as a fraction of the full document's value. Default
   * `{ summary: 0.5, outline: 0.25 }` (see `LEVEL_VALUES`); outline must be worth less than summary.
   */
  levelValues?: Partial<Record<PartialLevel, number>>
}

/** Turns a dynamic match query into the URIs of matching documents, best first. */
export type MatchFunction = (query: MatchQuery, context: { from?: string | undefined }) => readonly string[] | Promise<readonly string[]>

/** {@link AssembleOptions} checked, with every default applied. Plain data: no phase changes it. */
export interface Settings {
  /** Token cap; `Infinity` for none. */
  budget: number
  strategy: Strategy
  maxDepth: number
  maxDocuments: number
  maxMatches: number
  maxMatchResults: number
  maxDocumentBytes: number
  resolveTimeout: number
  schemes: readonly string[]
  /** Trimmed task description, or undefined when none (or blank). */
  query: string | undefined
  /** Normalized URIs that must be inlined. */
  include: ReadonlySet<string>
  /** Normalized URIs that must not be inlined. */
  exclude: ReadonlySet<string>
  counter: TokenCounter
  resolver: Resolver | undefined
  match: MatchFunction | undefined
  /** Whether a URI the resolver did not find is a search rather than a document (a library knows). */
  isSearch: ((uri: string) => boolean) | undefined
  vars: Readonly<Record<string, string>>
  countStore: CountStore | undefined
  parseStore: ParseStore | undefined
  /** Whether `report.timings` is measured (else all `0`). */
  timings: boolean
  /** The levels of detail allowed; undefined when `levels` was not given (whole or pointer). */
  levels: ReadonlySet<Level> | undefined
  /** Value of the partial levels as a fraction of the full value. */
  levelValues: Readonly<Record<PartialLevel, number>>
}

/** Defaults of the numeric limits. */
export const ASSEMBLE_DEFAULTS = { maxDepth: 2, maxDocuments: 100, maxMatches: 20, maxMatchResults: 20, resolveTimeout: 10_000, maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES } as const

/**
 * Check `options` and apply defaults. Throws {@link InvalidOptionError} naming the first
 * bad option.
 *
 * @param options What the caller passed (may be anything at run time).
 */
export function settingsFrom(options: AssembleOptions): Settings {
  const budget = options.budget ?? Number.POSITIVE_INFINITY
  if (typeof budget !== 'number' || Number.isNaN(budget)) throw new InvalidOptionError('budget', `must be a number of tokens, got ${String(budget)}`)
  if (budget < 0) throw new InvalidOptionError('budget', `must not be negative, got ${budget}`)
  const strategy = options.strategy ?? 'greedy'
  if (strategy !== 'greedy' && strategy !== 'optimal') throw new InvalidOptionError('strategy', `must be 'greedy' or 'optimal', got ${String(strategy)}`)
  const resolveTimeout = options.resolveTimeout ?? ASSEMBLE_DEFAULTS.resolveTimeout
  if (typeof resolveTimeout !== 'number' || !(resolveTimeout > 0)) throw new InvalidOptionError('resolveTimeout', `must be a positive number of milliseconds, got ${String(resolveTimeout)}`)
  const maxDocumentBytes = options.maxDocumentBytes ?? ASSEMBLE_DEFAULTS.maxDocumentBytes
  if (typeof maxDocumentBytes !== 'number' || !(maxDocumentBytes > 0)) throw new InvalidOptionError('maxDocumentBytes', `must be a positive number of bytes, got ${String(maxDocumentBytes)}`)
  if (options.query !== undefined && typeof options.query !== 'string') throw new InvalidOptionError('query', 'must be a string')
  const timings = options.timings ?? true
  if (typeof timings !== 'boolean') throw new InvalidOptionError('timings', `must be true or false, got ${String(timings)}`)
  const library = searchable(options.resolver)
  const levels = levelsFrom(options.levels, options.levelValues)
  return {
    budget,
    strategy,
    maxDepth: checkInteger('maxDepth', options.maxDepth ?? ASSEMBLE_DEFAULTS.maxDepth, 0),
    maxDocuments: checkInteger('maxDocuments', options.maxDocuments ?? ASSEMBLE_DEFAULTS.maxDocuments, 0),
    maxMatches: checkInteger('maxMatches', options.maxMatches ?? ASSEMBLE_DEFAULTS.maxMatches, 0),
    maxMatchResults: checkInteger('maxMatchResults', options.maxMatchResults ?? ASSEMBLE_DEFAULTS.maxMatchResults, 1),
    maxDocumentBytes,
    resolveTimeout,
    schemes: options.schemes ?? library?.schemes ?? DEFAULT_SCHEMES,
    query: options.query?.trim() ? options.query.trim() : undefined,
    include: uriSet('include', options.include),
    exclude: uriSet('exclude', options.exclude),
    counter: pickCounter(options),
    resolver: options.resolver,
    match: options.match ?? library?.resolveMatch,
    isSearch: library?.isSearch,
    vars: options.vars ?? {},
    countStore: options.countStore,
    parseStore: options.parseStore,
    timings,
    levels: levels.levels,
    levelValues: levels.values,
  }
}

/**
 * A resolver that can also search, look up and names its schemes, as a loaded library does.
 * Given one as `resolver`, `assemble` expands dynamic `match?` slots with it, parses with its
 * schemes unless `match` / `schemes` say otherwise, and takes a search URI it does not
 * resolve (`scheme://match`) for a search (cause `DYNAMIC`), as `library.graph()` does:
 * whoever assembles over a library (the CLI, MCP, `lint`, a caller) gets the same answer.
 */
function searchable(resolver: Resolver | undefined): { schemes: readonly string[]; resolveMatch: MatchFunction; isSearch: (uri: string) => boolean } | undefined {
  const r = resolver as (Resolver & { schemes?: unknown; resolveMatch?: unknown; lookup?: unknown }) | undefined
  if (typeof r !== 'function' || typeof r.resolveMatch !== 'function' || typeof r.lookup !== 'function' || !Array.isArray(r.schemes)) return undefined
  const lookup = r.lookup as (ref: string) => { error?: { code?: string } }
  return { schemes: r.schemes as readonly string[], resolveMatch: r.resolveMatch as MatchFunction, isSearch: (uri) => lookup(uri).error?.code === 'DYNAMIC' }
}

function checkInteger(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(name, `must be an integer >= ${min}, got ${String(value)}`)
  }
  return value
}

function uriSet(name: 'include' | 'exclude', value: unknown): Set<string> {
  if (value !== undefined && (!Array.isArray(value) || value.some((x) => typeof x !== 'string'))) throw new InvalidOptionError(name, 'must be an array of URI strings')
  return new Set(((value as string[] | undefined) ?? []).map(normalizeUri))
}

/** One checking wrapper per user counter, so caches keyed by counter survive across calls. */
const wrappers = new WeakMap<object, TokenCounter>()

/**
 * The counter to use: the caller's (wrapped so that an answer that is not a whole number
 * of tokens throws instead of making every budget comparison meaningless), else the
 * shared counter of `encoding` / `model`.
 */
function pickCounter(options: AssembleOptions): TokenCounter {
  if (options.counter === undefined) {
    return createTokenCounter({ ...(options.encoding !== undefined ? { encoding: options.encoding } : {}), ...(options.model !== undefined ? { model: options.model } : {}) })
  }
  const c = options.counter
  if (!c || typeof c.count !== 'function') throw new InvalidOptionError('counter', 'must have a count(text) method')
  let w = wrappers.get(c)
  if (!w) {
    w = {
      encoding: typeof c.encoding === 'string' ? c.encoding : 'custom',
      count: (t: string) => {
        const n = c.count(t) as unknown
        if (typeof (n as { then?: unknown } | null)?.then === 'function') {
          throw new InvalidOptionError('counter', 'count() returned a Promise: pass an async counter to assembleWithCounter(doc, { counter, ... }), which chooses with a local proxy and verifies with it')
        }
        if (!Number.isSafeInteger(n) || (n as number) < 0) throw new InvalidOptionError('counter', `count() must return a whole number of tokens >= 0, got ${String(n)}`)
        return n as number
      },
    }
    wrappers.set(c, w)
  }
  return w
}

/**
 * The document to assemble: `doc` itself, or `doc` parsed (with the settings' schemes, limit
 * and parse store) when it is source text. The one place for `assemble` and the entry points
 * built on its phases (`assembleWithCounter`, `fitPreview`).
 *
 * @param doc A document from `parseDocument`, or markdown source.
 * @param settings The assembly's settings.
 */
export function rootDocument(doc: PromptDocument<unknown> | string, settings: Settings): PromptDocument<unknown> {
  const root =
    typeof doc === 'string'
      ? parseDocument(doc, { schemes: settings.schemes, maxDocumentBytes: settings.maxDocumentBytes, ...(settings.parseStore ? { parseStore: settings.parseStore } : {}) })
      : doc
  if (!root || typeof root.source !== 'string' || !Array.isArray(root.references)) throw new InvalidOptionError('doc', 'must be a document from parseDocument or a markdown string')
  return root
}
