/**
 * `assemble`: the pipeline end to end. Parse (done by the caller or here), resolve
 * slots into an assembly tree, measure candidates exactly, select under the budget,
 * render, report.
 *
 * @module
 */
import type { CountStore, ParseStore } from './cache/store.js'
import { createTokenCounter, type EncodingName, type TokenCounter } from './count/index.js'
import { BudgetExceededError, IncludeError, InvalidOptionError, PromptfoldError } from './errors.js'
import { diagnostic } from './parse/diagnostics.js'
import { DEFAULT_MAX_DOCUMENT_BYTES, digestOf, type PromptDocument, parseDocument } from './parse/document.js'
import type { Frontmatter } from './parse/frontmatter.js'
import type { Reference } from './parse/references.js'
import { DEFAULT_SCHEMES, type MatchQuery, normalizeUri } from './parse/uri.js'
import { minDepth } from './render/headings.js'
import type { Decision } from './render/lines.js'
import { createPieceMeasure, createSelectionMeasure } from './render/measure.js'
import { type DocNode, renderChunks, type SlotEntry, walkBody } from './render/render.js'
import type { AssemblyReport, ReferenceReport } from './report/schema.js'
import { type Resolver, type ResolvedDocument, toResolved } from './resolve/resolver.js'
import { selectGreedy } from './select/greedy.js'
import type { Item, Strategy } from './select/items.js'
import { selectOptimal } from './select/optimal.js'
import { candidateValues } from './select/value.js'
import type { Diagnostic } from './types.js'

/** Options for {@link assemble}. */
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
   * (`LIMIT_MAX_DOCUMENTS`); the slots left over are deferred with the reason.
   */
  maxDocuments?: number
  /**
   * Largest resolved document, in UTF-8 bytes. Default {@link DEFAULT_MAX_DOCUMENT_BYTES} (5 MiB).
   * A larger one is not parsed: its references become `missing` with the reason, and a
   * `LIMIT_MAX_DOCUMENT_BYTES` diagnostic names it. Also the parse limit when `doc` is a string.
   */
  maxDocumentBytes?: number
  /**
   * Milliseconds to wait for one resolver (or `match`) call before it counts as `missing`
   * with a `RESOLVE_TIMEOUT` reason. Default `10000`.
   */
  resolveTimeout?: number
  /**
   * Expands dynamic `scheme://match?query=...` slots into URIs (for example a library's `match`).
   * Default: none (dynamic slots are deferred).
   */
  match?: MatchFunction
  /** Values for `${name}` placeholders in dynamic match slots. Default `{}`. */
  vars?: Readonly<Record<string, string>>
  /**
   * Persistent store of counts (e.g. {@link fileCountStore}) consulted before counting, so a
   * new process can skip building the encoder. Default: none (in-memory caching only).
   */
  countStore?: CountStore
  /**
   * Persistent store of parsed documents (see `fileParseStore`): resolved documents found
   * there are not parsed again. Default: none (an in-memory cache is always used).
   */
  parseStore?: ParseStore
  /** URI schemes recognised when `doc` is given as a string. Default `['orchestr8']`. */
  schemes?: readonly string[]
}

/** Turns a dynamic match query into the URIs of matching documents, best first. */
export type MatchFunction = (query: MatchQuery, context: { from?: string | undefined }) => readonly string[] | Promise<readonly string[]>

/** Replace `${name}` placeholders in a match query from `vars`; report the names left unfilled. */
export function fillPlaceholders(query: MatchQuery, vars: Readonly<Record<string, string>>): { query: MatchQuery; unfilled: string[] } {
  const unfilled = new Set<string>()
  const fill = (s: string) =>
    s.replace(/\$\{([^}]*)\}/g, (m, name: string) => {
      const v = Object.hasOwn(vars, name) ? vars[name] : undefined
      if (v === undefined) {
        unfilled.add(name)
        return m
      }
      return v
    })
  const params: Record<string, string> = {}
  for (const [k, v] of Object.entries(query.params)) params[k] = fill(v)
  const filled: MatchQuery = { ...query, query: fill(query.query), categories: query.categories.map(fill), tags: query.tags.map(fill), params }
  return { query: filled, unfilled: [...unfilled].sort() }
}

/** Result of {@link assemble}. */
export interface Assembly {
  /** The assembled prompt. */
  text: string
  /** What was done and why, with exact token counts. */
  report: AssemblyReport
}

/** A slot occurrence that can be inlined. */
interface Candidate {
  index: number
  parent: number
  entry: SlotEntry
  child: DocNode
  ref: Reference
  /** Target URI (differs from `ref.uri` for dynamic match slots). */
  uri: string
  owner: DocNode
  depth: number
  value: number
  weight: number
  tokens: number
}

/** A report row being built. */
interface Row {
  ref: Reference
  /** Target URI when it differs from `ref.uri` (dynamic match slots). */
  uri?: string
  owner: DocNode
  depth: number
  entry?: SlotEntry
  decision: Decision
  reason: string
  tokens: number | null
  declaredTokens: number | null
}

const DEFAULTS = { maxDepth: 2, maxDocuments: 100, resolveTimeout: 10_000, maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES } as const

/** The message of anything thrown, even values that cannot be turned into a string. */
function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error)
  } catch {
    return Object.prototype.toString.call(error)
  }
}

/** What resolving one URI gave: a parsed document, or why not. */
interface Resolution {
  doc?: PromptDocument<Frontmatter>
  reason?: string
  decision?: Decision
  /** Diagnostics of the resolved document, reported when (and in the order) the assembly uses it. */
  diagnostics?: Diagnostic[]
  /** True when `maxDocuments` stopped the fetch. */
  limited?: boolean
}

/** Parsed documents by digest + uri, shared across assemblies (documents are never mutated). */
const parseCache = new Map<string, PromptDocument<Frontmatter>>()
const PARSE_CACHE_MAX = 2000

/** Parse a resolved document, reusing an earlier parse of the same content, URI, path and schemes. */
function cachedParse(source: string, uri: string, path: string | undefined, schemes: readonly string[], parseStore: ParseStore | undefined): PromptDocument<Frontmatter> {
  const key = `${digestOf(source)}\u0000${uri}\u0000${path ?? ''}\u0000${schemes.join(',')}`
  let doc = parseCache.get(key)
  if (!doc) {
    doc = parseDocument(source, { uri, schemes, ...(path !== undefined ? { path } : {}), ...(parseStore ? { parseStore } : {}) })
    if (parseCache.size >= PARSE_CACHE_MAX) parseCache.clear()
    parseCache.set(key, doc)
  }
  return doc
}

function checkInteger(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(name, `must be an integer >= ${min}, got ${String(value)}`)
  }
  return value
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []
}

/**
 * Assemble a prompt from a document under a token budget.
 *
 * The core is always kept; slots are inlined by value while the exactly counted text
 * fits `budget`. Throws {@link BudgetExceededError} when the core alone does not fit,
 * {@link IncludeError} when a forced `include` cannot be inlined, and
 * {@link InvalidOptionError} for bad options. Content problems never throw.
 *
 * @example
 * const { text, report } = await assemble(doc, { budget: 3000, resolver: fileSystemResolver({ root }) })
 */
export async function assemble(doc: PromptDocument<unknown> | string, options: AssembleOptions = {}): Promise<Assembly> {
  const t0 = performance.now()
  const budget = options.budget ?? Number.POSITIVE_INFINITY
  if (typeof budget !== 'number' || Number.isNaN(budget)) throw new InvalidOptionError('budget', `must be a number of tokens, got ${String(budget)}`)
  if (budget < 0) throw new InvalidOptionError('budget', `must not be negative, got ${budget}`)
  const strategy = options.strategy ?? 'greedy'
  if (strategy !== 'greedy' && strategy !== 'optimal') throw new InvalidOptionError('strategy', `must be 'greedy' or 'optimal', got ${String(strategy)}`)
  const maxDepth = checkInteger('maxDepth', options.maxDepth ?? DEFAULTS.maxDepth, 0)
  const maxDocuments = checkInteger('maxDocuments', options.maxDocuments ?? DEFAULTS.maxDocuments, 0)
  const resolveTimeout = options.resolveTimeout ?? DEFAULTS.resolveTimeout
  if (typeof resolveTimeout !== 'number' || !(resolveTimeout > 0)) throw new InvalidOptionError('resolveTimeout', `must be a positive number of milliseconds, got ${String(resolveTimeout)}`)
  const maxDocumentBytes = options.maxDocumentBytes ?? DEFAULTS.maxDocumentBytes
  if (typeof maxDocumentBytes !== 'number' || !(maxDocumentBytes > 0)) throw new InvalidOptionError('maxDocumentBytes', `must be a positive number of bytes, got ${String(maxDocumentBytes)}`)
  const schemes = options.schemes ?? DEFAULT_SCHEMES
  if (options.query !== undefined && typeof options.query !== 'string') throw new InvalidOptionError('query', 'must be a string')
  const query = options.query?.trim() ? options.query.trim() : undefined
  for (const name of ['include', 'exclude'] as const) {
    const v = options[name]
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) throw new InvalidOptionError(name, 'must be an array of URI strings')
  }
  const include = new Set((options.include ?? []).map(normalizeUri))
  const exclude = new Set((options.exclude ?? []).map(normalizeUri))

  const counter = pickCounter(options)
  const root: PromptDocument<unknown> = typeof doc === 'string' ? parseDocument(doc, { schemes, maxDocumentBytes, ...(options.parseStore ? { parseStore: options.parseStore } : {}) }) : doc
  if (!root || typeof root.source !== 'string' || !Array.isArray(root.references)) throw new InvalidOptionError('doc', 'must be a document from parseDocument or a markdown string')

  const diagnostics: Diagnostic[] = [...root.diagnostics]
  const rootNode: DocNode = { doc: root, shift: 0, slots: new Map() }
  const candidates: Candidate[] = []
  const rows: Row[] = []
  const firstByUri = new Map<string, number>()
  const resolver = options.resolver
  const resolved = new Map<string, Promise<Resolution>>()
  /** Distinct URIs handed to the resolver so far (bounded by `maxDocuments`). */
  let fetches = 0
  let limitReported = false
  let depthReported = false
  /** URIs whose document diagnostics are already in the report. */
  const diagnosed = new Set<string>()

  /** Race `work` against `resolveTimeout`; the signal is aborted when time runs out. */
  const withTimeout = async <T>(work: (signal: AbortSignal) => T | Promise<T>, what: string): Promise<T> => {
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    try {
      return await Promise.race([
        Promise.resolve().then(() => work(controller.signal)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            controller.abort()
            reject(new PromptfoldError('RESOLVE_TIMEOUT', `${what} did not answer within ${resolveTimeout} ms`))
          }, resolveTimeout)
        }),
      ])
    } finally {
      if (timer) clearTimeout(timer)
    }
  }

  const resolveUri = (uri: string, from: string | undefined): Promise<Resolution> => {
    let p = resolved.get(uri)
    if (!p) {
      if (resolver && fetches >= maxDocuments) return Promise.resolve({ limited: true, reason: `limit: maxDocuments (${maxDocuments}) documents already resolved` })
      fetches++
      p = (async (): Promise<Resolution> => {
        if (!resolver) return { reason: 'no resolver was given' }
        try {
          const result = await withTimeout((signal) => resolver(uri, { from, signal }), 'resolver')
          const found: ResolvedDocument | undefined = toResolved(result, uri)
          if (!found) return { reason: 'not found' }
          const canonical = found.uri ? normalizeUri(found.uri) : uri
          const bytes = Buffer.byteLength(found.source, 'utf8')
          if (bytes > maxDocumentBytes) {
            const name = found.path ?? canonical
            const message = `${name} is ${bytes} bytes, over the maxDocumentBytes limit of ${maxDocumentBytes}; not read`
            return { reason: `LIMIT_EXCEEDED: ${message}`, decision: 'missing', diagnostics: [diagnostic('LIMIT_MAX_DOCUMENT_BYTES', 'error', message, { file: name, line: 1 })] }
          }
          const target = cachedParse(found.source, canonical, found.path, schemes, options.parseStore)
          const own: Diagnostic[] = [...(found.diagnostics ?? [])]
          for (const d of target.diagnostics) if (d.severity !== 'info') own.push(d.file ? d : { ...d, file: found.path ?? canonical })
          return { doc: target, diagnostics: own }
        } catch (error) {
          const code = error instanceof PromptfoldError ? error.code : 'RESOLVER_ERROR'
          const decision: Decision = code === 'ACCESS_DENIED' ? 'invalid' : 'missing'
          return { reason: `${code}: ${errorMessage(error)}`, decision }
        }
      })()
      resolved.set(uri, p)
    }
    return p
  }

  /** Report a resolved document's own diagnostics once, when the assembly first uses it (deterministic order). */
  const useResolution = (uri: string, res: Resolution, node: DocNode, r: Reference): void => {
    if (res.limited && !limitReported) {
      limitReported = true
      diagnostics.push(diagnostic('LIMIT_MAX_DOCUMENTS', 'warning', `Stopped resolving after ${maxDocuments} documents (maxDocuments), first left out: ${uri}`, where(node, r)))
    }
    if (diagnosed.has(uri)) return
    diagnosed.add(uri)
    for (const d of res.diagnostics ?? []) diagnostics.push(d)
  }

  const tResolve = performance.now()
  const rootAncestors = new Set<string>(root.uri ? [root.uri] : [])

  async function expand(node: DocNode, depth: number, ancestors: Set<string>, parent: number, floorDepth: number): Promise<void> {
    const refs = node.doc.references
    const slotIdx = refs.map((r, i) => (r.kind === 'slot' ? i : -1)).filter((i) => i >= 0)
    // Fetch every plain slot target of this document concurrently; decide in order.
    for (const i of slotIdx) {
      const r = refs[i] as Reference
      if (!r.parsed.invalid && r.parsed.search === undefined && !ancestors.has(r.uri) && depth <= maxDepth) void resolveUri(r.uri, node.doc.uri)
    }
    const mentionRows: Row[] = []
    for (const [i, r] of refs.entries()) {
      if (r.kind !== 'slot') {
        if (depth === 1) mentionRows.push(await otherRow(r, node, ancestors))
        continue
      }
      const entry: SlotEntry = { uri: r.uri, raw: r.raw }
      node.slots.set(i, entry)
      if (r.parsed.match && !r.parsed.invalid && options.match) {
        await expandMatch(r, entry, node, depth, ancestors, parent, floorDepth)
        continue
      }
      const row: Row = { ref: r, owner: node, depth, entry, decision: 'deferred', reason: '', tokens: null, declaredTokens: null }
      rows.push(row)
      if (r.parsed.invalid) {
        fixRow(row, 'invalid', `invalid reference: ${r.parsed.invalid}`)
        continue
      }
      if (r.parsed.search !== undefined) {
        fixRow(row, 'deferred', r.parsed.match ? 'dynamic match reference: pass a `match` function (a library) to expand it' : 'reference with a query string is not inlined')
        continue
      }
      await processTarget(r, r.uri, entry, row, node, depth, ancestors, parent, floorDepth)
    }
    rows.push(...mentionRows)
  }

  function where(node: DocNode, r: Reference): { file: string | undefined; line: number; column: number } {
    return { file: node.doc.path ?? node.doc.uri, line: r.position.line, column: r.position.column }
  }

  function fixRow(row: Row, decision: Exclude<Decision, 'inlined'>, reason: string): void {
    if (row.entry) row.entry.fixed = decision
    row.decision = decision
    row.reason = reason
  }

  /** Expand a dynamic `match` slot into one slot entry per matched URI. */
  async function expandMatch(r: Reference, entry: SlotEntry, node: DocNode, depth: number, ancestors: Set<string>, parent: number, floorDepth: number): Promise<void> {
    const mq = r.parsed.match as MatchQuery
    const filled = fillPlaceholders(mq, options.vars ?? {})
    entry.expansion = []
    const row0: Row = { ref: r, owner: node, depth, entry, decision: 'deferred', reason: '', tokens: null, declaredTokens: null }
    if (filled.unfilled.length > 0) {
      rows.push(row0)
      fixRow(row0, 'deferred', `dynamic match reference has unfilled placeholders: ${filled.unfilled.map((v) => `\${${v}}`).join(', ')} (pass them in \`vars\`)`)
      diagnostics.push(diagnostic('MATCH_PLACEHOLDER', 'warning', `Unfilled placeholders in ${r.raw.slice(0, 200)}: ${filled.unfilled.join(', ')}`, { file: node.doc.path, line: r.position.line }))
      return
    }
    let uris: string[]
    try {
      const found = await withTimeout(() => (options.match as MatchFunction)(filled.query, { from: node.doc.uri }), 'match')
      if (!Array.isArray(found)) throw new PromptfoldError('MATCH_RESULT', `match returned ${typeof found}; expected an array of URIs`)
      uris = [...new Set(found.filter((u): u is string => typeof u === 'string').map(normalizeUri))]
    } catch (error) {
      rows.push(row0)
      fixRow(row0, 'missing', `missing: match failed: ${error instanceof PromptfoldError ? `${error.code}: ` : ''}${errorMessage(error)}`)
      return
    }
    if (uris.length === 0) {
      rows.push(row0)
      fixRow(row0, 'deferred', `dynamic match reference: no document matched "${filled.query.query}"`)
      return
    }
    for (const uri of uris) {
      const sub: SlotEntry = { uri, raw: r.raw }
      entry.expansion.push(sub)
      const row: Row = { ref: r, uri, owner: node, depth, entry: sub, decision: 'deferred', reason: '', tokens: null, declaredTokens: null }
      rows.push(row)
      await processTarget(r, uri, sub, row, node, depth, ancestors, parent, floorDepth)
    }
  }

  /** Decide one slot target: cycle, duplicate, limits, resolution, exclusion, or a new candidate (then expand it). */
  async function processTarget(
    r: Reference,
    uri: string,
    entry: SlotEntry,
    row: Row,
    node: DocNode,
    depth: number,
    ancestors: Set<string>,
    parent: number,
    floorDepth: number,
  ): Promise<void> {
    if (ancestors.has(uri)) {
      diagnostics.push(diagnostic('REFERENCE_CYCLE', 'warning', `Cycle: ${uri} refers back to a document being assembled; not followed`, where(node, r)))
      return fixRow(row, 'cycle', `cycle: ${uri} is already being assembled above this reference`)
    }
    const first = firstByUri.get(uri)
    if (first !== undefined) {
      entry.firstOccurrence = first
      return fixRow(row, 'duplicate', 'duplicate: the same URI is a slot earlier in the text')
    }
    if (depth > maxDepth) {
      if (!depthReported) {
        depthReported = true
        diagnostics.push(diagnostic('LIMIT_MAX_DEPTH', 'info', `Slots deeper than maxDepth ${maxDepth} are deferred, not followed (first: ${uri})`, where(node, r)))
      }
      return fixRow(row, 'deferred', `beyond maxDepth ${maxDepth}`)
    }
    const res = await resolveUri(uri, node.doc.uri)
    useResolution(uri, res, node, r)
    if (res.limited) return fixRow(row, 'deferred', res.reason ?? 'limit: maxDocuments')
    if (!res.doc) {
      diagnostics.push(diagnostic(res.decision === 'invalid' ? 'REFERENCE_REFUSED' : 'REFERENCE_MISSING', 'warning', `${uri}: ${res.reason ?? 'not found'}`, where(node, r)))
      return fixRow(row, res.decision === 'invalid' ? 'invalid' : 'missing', res.decision === 'invalid' ? `refused: ${res.reason}` : `missing: ${res.reason ?? 'not found'}`)
    }
    // The resolver may name the document differently (a flat path, an alias): dedupe and
    // detect cycles on its canonical URI too.
    const canonical = res.doc.uri
    if (canonical !== undefined && canonical !== uri) {
      if (ancestors.has(canonical)) {
        diagnostics.push(diagnostic('REFERENCE_CYCLE', 'warning', `Cycle: ${uri} (${canonical}) refers back to a document being assembled; not followed`, where(node, r)))
        return fixRow(row, 'cycle', `cycle: ${uri} is ${canonical}, already being assembled above this reference`)
      }
      const firstCanonical = firstByUri.get(canonical)
      if (firstCanonical !== undefined) {
        entry.firstOccurrence = firstCanonical
        return fixRow(row, 'duplicate', `duplicate: ${uri} is ${canonical}, a slot earlier in the text`)
      }
    }
    const target = res.doc
    row.declaredTokens = typeof target.meta.estimatedTokens === 'number' ? target.meta.estimatedTokens : null
    const block = r.block !== undefined ? node.doc.blocks[r.block] : undefined
    const sectionDepth = block && block.sectionDepth > 0 ? Math.min(6, block.sectionDepth + node.shift) : floorDepth
    const child: DocNode = { doc: target, shift: sectionDepth + 1 - minDepth(target.sections), slots: new Map() }
    entry.child = child
    if (exclude.has(uri)) {
      // Known and measured, but never inlined.
      fixRow(row, 'excluded', 'excluded by the `exclude` option')
      excludedRows.push({ row, child })
      return
    }
    entry.candidate = candidates.length
    firstByUri.set(uri, entry.candidate)
    if (canonical !== undefined) firstByUri.set(canonical, entry.candidate)
    const cand: Candidate = { index: candidates.length, parent, entry, child, ref: r, uri, owner: node, depth, value: 0, weight: 0, tokens: 0 }
    candidates.push(cand)
    candidateRows.set(cand.index, row)
    await expand(child, depth + 1, new Set([...ancestors, uri, ...(canonical !== undefined ? [canonical] : [])]), cand.index, sectionDepth + 1)
  }

  async function otherRow(r: Reference, node: DocNode, ancestors: Set<string>): Promise<Row> {
    const row: Row = { ref: r, owner: node, depth: 1, decision: 'deferred', reason: '', tokens: null, declaredTokens: null }
    const what = r.kind === 'mention' ? 'mention: kept in the text as written; only slots are inlined' : 'related resource (frontmatter): listed, not inlined'
    if (r.parsed.invalid) {
      row.decision = 'invalid'
      row.reason = `invalid reference: ${r.parsed.invalid}`
    } else if (r.parsed.search !== undefined) {
      row.reason = what
    } else if (ancestors.has(r.uri)) {
      row.decision = 'cycle'
      row.reason = `cycle: ${r.uri} is the document being assembled`
    } else {
      const res = await resolveUri(r.uri, node.doc.uri)
      useResolution(r.uri, res, node, r)
      if (res.limited) {
        row.reason = `${what}; not resolved: ${res.reason}`
      } else if (res.doc) {
        row.reason = what
        row.declaredTokens = typeof res.doc.meta.estimatedTokens === 'number' ? res.doc.meta.estimatedTokens : null
        otherTargets.push({ row, doc: res.doc })
      } else {
        row.decision = res.decision === 'invalid' ? 'invalid' : 'missing'
        row.reason = `${res.decision === 'invalid' ? 'refused' : 'missing'}: ${res.reason ?? 'not found'}`
      }
    }
    return row
  }

  const candidateRows = new Map<number, Row>()
  const excludedRows: { row: Row; child: DocNode }[] = []
  const otherTargets: { row: Row; doc: PromptDocument<Frontmatter> }[] = []
  await expand(rootNode, 1, rootAncestors, -1, 0)
  const resolveMs = performance.now() - tResolve

  // Measure: each candidate's own body (nested slots deferred), children first.
  const tMeasure = performance.now()
  const none = new Set<number>()
  const measurePieces = createPieceMeasure(counter, options.countStore)
  const bodyTokens = (node: DocNode): number => measurePieces((emit) => walkBody(node, none, emit, true))
  for (let i = candidates.length - 1; i >= 0; i--) {
    const c = candidates[i] as Candidate
    c.tokens = bodyTokens(c.child)
    c.entry.tokens = c.tokens
  }
  for (const { row, child } of excludedRows) {
    const t = bodyTokens(child)
    row.tokens = t
    if (row.entry) row.entry.tokens = t
  }
  for (const row of rows) {
    const first = row.entry?.firstOccurrence
    if (row.entry && first !== undefined) row.entry.tokens = candidates[first]?.tokens
  }
  for (const { row, doc } of otherTargets) row.tokens = bodyTokens({ doc, shift: 0, slots: new Map() })

  // Exact totals by selection. Nothing that rendering reads changes from here on, so the
  // root's text is split once into segments at cuts no selection can move, and each
  // segment is counted once per combination of its own candidates.
  const measure = createSelectionMeasure(counter, rootNode, options.countStore)
  const ancestorsOf = (i: number): Set<number> => {
    const s = new Set<number>()
    let p = candidates[i]?.parent ?? -1
    while (p !== -1) {
      s.add(p)
      p = candidates[p]?.parent ?? -1
    }
    return s
  }
  const coreTokens = measure(none)
  for (const c of candidates) {
    const anc = ancestorsOf(c.index)
    const withIt = new Set(anc).add(c.index)
    c.weight = measure(withIt) - (anc.size === 0 ? coreTokens : measure(anc))
  }
  const values = candidateValues(
    candidates.map((c) => ({
      title: c.child.doc.title,
      useWhen: asStrings(c.child.doc.meta.useWhen),
      tags: asStrings(c.child.doc.meta.tags),
      capabilities: asStrings(c.child.doc.meta.capabilities),
      id: typeof c.child.doc.meta.id === 'string' ? `${c.child.doc.meta.id} ${c.ref.parsed.path}` : c.ref.parsed.path,
      sectionPath: c.ref.sectionPath,
    })),
    query,
  )
  candidates.forEach((c, i) => {
    c.value = values[i] ?? 0
  })
  const all = new Set(candidates.map((c) => c.index))
  const traditional = measure(all)
  const measureMs = performance.now() - tMeasure

  // Forced candidates (include) and their ancestors.
  const forced = new Set<number>()
  for (const uri of include) {
    const idx = firstByUri.get(uri)
    if (idx === undefined) {
      const row = rows.find((r) => r.ref.uri === uri && r.ref.kind === 'slot')
      throw new IncludeError(uri, row ? `Cannot include ${uri}: ${row.reason}` : `Cannot include ${uri}: it is not a slot of this document`, { file: root.path })
    }
    forced.add(idx)
    for (const a of ancestorsOf(idx)) forced.add(a)
  }
  if (coreTokens > budget) throw new BudgetExceededError(budget, coreTokens, { file: root.path })
  const forcedTokens = forced.size > 0 ? measure(forced) : coreTokens
  if (forcedTokens > budget) {
    throw new IncludeError([...include].join(', '), `Cannot include ${[...include].join(', ')}: needs a budget of ${forcedTokens} tokens, ${budget} given`, { file: root.path })
  }

  const tSelect = performance.now()
  const items: Item[] = candidates.map((c) => ({ index: c.index, parent: c.parent, value: c.value, weight: c.weight }))
  let chosen: Set<number>
  if (strategy === 'greedy') {
    chosen = selectGreedy(items, forced, (set) => measure(set) <= budget)
  } else {
    let capacity = Number.isFinite(budget) ? Math.floor(budget) - forcedTokens : Number.MAX_SAFE_INTEGER
    const forcedWeights = items.map((it) => (forced.has(it.index) ? { ...it, weight: 0 } : it))
    for (;;) {
      const result = selectOptimal(forcedWeights, forced, capacity)
      chosen = result.chosen
      for (const f of forced) chosen.add(f)
      if (!result.exact) diagnostics.push(diagnostic('OPTIMAL_SEARCH_LIMIT', 'warning', `Optimal search stopped after ${result.nodes} nodes; the best selection found is used`))
      const total = measure(chosen)
      if (total <= budget) break
      // Token counts of joined pieces are not always additive: shrink and solve again.
      capacity -= total - Math.floor(budget)
    }
    // Costs are not quite additive either way (a duplicate's stand-in line changes with its
    // first occurrence, pieces merge at joins), so the model can leave room unused: fill what
    // still fits, measured exactly, and never settle for less value than greedy finds.
    const fits = (set: ReadonlySet<number>) => measure(set) <= budget
    chosen = selectGreedy(items, chosen, fits)
    const greedy = selectGreedy(items, forced, fits)
    const worth = (set: ReadonlySet<number>) => [...set].reduce((sum, i) => sum + (candidates[i]?.value ?? 0), 0)
    if (worth(greedy) > worth(chosen) || (worth(greedy) === worth(chosen) && measure(greedy) > measure(chosen))) chosen = greedy
  }
  const selectMs = performance.now() - tSelect

  const text = renderChunks(rootNode, chosen).join('')
  const totalTokens = measure(chosen)

  for (const c of candidates) {
    const row = candidateRows.get(c.index) as Row
    row.tokens = c.tokens
    if (chosen.has(c.index)) {
      row.decision = 'inlined'
      row.reason = forced.has(c.index) && include.has(c.uri) ? 'forced by `include`' : forced.has(c.index) ? 'inlined because a nested `include` needs it' : `fits the budget (value ${c.value})`
    } else if (c.parent !== -1 && !chosen.has(c.parent)) {
      row.decision = 'deferred'
      row.reason = 'the document that holds it was not inlined'
    } else {
      row.decision = 'deferred'
      row.reason = Number.isFinite(budget) ? `does not fit: needs ${c.weight} more tokens, ${Math.max(0, Math.floor(budget) - totalTokens)} left` : 'not selected'
    }
  }
  for (const row of rows) {
    if (row.decision === 'duplicate') row.tokens = row.entry?.tokens ?? null
  }

  const topLevel = candidates.filter((c) => c.parent === -1)
  const withOne = topLevel.map((c) => ({ uri: c.uri, tokens: measure(new Set([c.index])) }))
  const pct = (part: number) => (traditional > 0 ? Math.round((part / traditional) * 1000) / 10 : 0)
  const maxOne = withOne.reduce((m, x) => Math.max(m, x.tokens), coreTokens)

  const report: AssemblyReport = {
    version: 1,
    document: {
      uri: root.uri ?? null,
      path: root.path ?? null,
      id: typeof (root.meta as { id?: unknown })?.id === 'string' ? ((root.meta as { id: string }).id) : null,
      title: root.title,
    },
    budget: Number.isFinite(budget) ? budget : null,
    encoding: counter.encoding ?? 'custom',
    strategy,
    query: query ?? null,
    totalTokens,
    coreTokens,
    references: rows.map(toReportRow),
    baselines: { coreOnly: coreTokens, traditional },
    savings: { tokens: traditional - totalTokens, percent: pct(traditional - totalTokens) },
    efficiency: {
      coreOnly: coreTokens,
      withOneExample: withOne,
      allEmbedded: traditional,
      savingsRange: { min: pct(traditional - maxOne), max: pct(traditional - coreTokens) },
    },
    diagnostics: dedupeDiagnostics(diagnostics),
    timings: { resolveMs: round(resolveMs), measureMs: round(measureMs), selectMs: round(selectMs), totalMs: round(performance.now() - t0) },
  }
  return { text, report }

  function toReportRow(row: Row): ReferenceReport {
    const cand = row.entry?.candidate !== undefined ? candidates[row.entry.candidate] : undefined
    return {
      uri: row.uri ?? row.ref.uri,
      raw: row.ref.raw,
      kind: row.ref.kind,
      decision: row.decision,
      reason: row.reason,
      tokens: row.tokens,
      value: cand ? cand.value : null,
      depth: row.depth,
      from: row.owner.doc.uri ?? row.owner.doc.path ?? null,
      line: row.ref.position.line,
      sectionPath: row.ref.sectionPath,
      declaredTokens: row.declaredTokens,
      hintTokens: row.ref.hintTokens ?? null,
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100
}

function dedupeDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>()
  return list.filter((d) => {
    const key = `${d.code}|${d.file ?? ''}|${d.line ?? ''}|${d.column ?? ''}|${d.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

const wrappers = new WeakMap<object, TokenCounter>()

function pickCounter(options: AssembleOptions): TokenCounter {
  if (options.counter !== undefined) {
    const c = options.counter
    if (!c || typeof c.count !== 'function') throw new InvalidOptionError('counter', 'must have a count(text) method')
    // Keep one wrapper per user counter so caches keyed by counter survive across calls. The
    // wrapper checks every answer: a count that is not a whole number of tokens would make
    // every budget comparison meaningless.
    let w = wrappers.get(c)
    if (!w) {
      w = {
        encoding: typeof c.encoding === 'string' ? c.encoding : 'custom',
        count: (t: string) => {
          const n = c.count(t)
          if (!Number.isSafeInteger(n) || n < 0) throw new InvalidOptionError('counter', `count() must return a whole number of tokens >= 0, got ${String(n)}`)
          return n
        },
      }
      wrappers.set(c, w)
    }
    return w
  }
  return createTokenCounter({ ...(options.encoding !== undefined ? { encoding: options.encoding } : {}), ...(options.model !== undefined ? { model: options.model } : {}) })
}
