/**
 * `assembleTask`: the best documents of a library for a task, assembled into one prompt
 * under one hard budget, with one report covering every document considered.
 *
 * How it works: the library is ranked for the task ({@link Library.match}); the best
 * agents come first, then the examples, skills and other documents they link to that match
 * the task (most relevant first), then the other matching documents. The chosen documents
 * are written as slots, in that order, into a small generated root document, which
 * `assemble` fills under the budget with the library as resolver. Slot values fall with
 * position, so the greedy selection takes documents in this order, each one if it still
 * fits, and the text is measured exactly: the budget is never exceeded. Documents that are
 * not inlined stay in the text as one `→ Load on demand: <uri> (<tokens> tokens)` line.
 *
 * @module
 */
import { type Assembly, assemble } from '../assemble/index.js'
import { createTokenCounter, type EncodingName, type TokenCounter } from '../count/index.js'
import { BudgetExceededError, InvalidOptionError, PromptfoldError } from '../errors.js'
import { parseDocument } from '../parse/document.js'
import type { AssemblyReport } from '../report/schema.js'
import type { Strategy } from '../select/items.js'
import type { Library, LibraryEntry } from './library.js'
import { normalizeUri } from '../parse/uri.js'
import { terms } from '../select/terms.js'
import { SKILL_SCHEME } from './library.js'
import type { MatchResult } from './match.js'

/** Options of {@link assembleTask}. */
export interface AssembleTaskOptions {
  /** Hard cap on the tokens of the returned text. Required. */
  budget: number
  /** Only documents of these categories are considered. Default: all. */
  categories?: readonly string[]
  /** Only documents carrying every one of these tags are considered. Default: no filter. */
  tags?: readonly string[]
  /** Most agents taken. Default `1`. */
  maxAgents?: number
  /** Most documents listed in the prompt (inlined or as a load-on-demand line). Default `8`. */
  maxDocuments?: number
  /** Smallest match score considered. Default: any score above 0. */
  minScore?: number
  /** Selection strategy passed to `assemble`. Default `'greedy'`. */
  strategy?: Strategy
  /** URIs never inlined (they stay as load-on-demand lines). */
  exclude?: readonly string[]
  /** Values for `${name}` placeholders in dynamic match slots. */
  vars?: Readonly<Record<string, string>>
  /** Text placed before the documents; part of the budget. Default: none. */
  header?: string
  /** Encoding to count with. Default `'o200k_base'`. */
  encoding?: EncodingName
  /** Model whose encoding to count with. */
  model?: string
  /** Any object with `count(text)`; overrides `encoding` and `model`. */
  counter?: TokenCounter | { count(text: string): number; encoding?: string }
}

/** Why a document was listed. */
export type TaskRole = 'agent' | 'linked' | 'match'

/** What happened to one considered document. */
export interface TaskDocumentReport {
  uri: string
  category: string
  /** `agent`: a best-matching agent; `linked`: referenced by a chosen agent; `match`: matched the task on its own. */
  role: TaskRole
  /** Chosen agent that links to it (role `linked`). */
  linkedFrom: string | null
  /** 1-based rank in the library's match for the task. */
  rank: number
  /** Match score (BM25F). */
  score: number
  /** Fields the task matched. */
  fields: string[]
  /** `inlined`, `deferred` (a load-on-demand line), `omitted` (not listed), or the assembly's decision (`missing`, `excluded`, ...). */
  decision: string
  /** Why, in one sentence. */
  reason: string
  /** Measured tokens the document's body costs when inlined, when known. */
  tokens: number | null
}

/** Report of {@link assembleTask}. */
export interface TaskReport {
  query: string
  budget: number
  encoding: string
  /** Exact tokens of the returned text (never above `budget`). */
  totalTokens: number
  /** Every document considered, in priority order, then those left out. */
  documents: TaskDocumentReport[]
  /** The report of the underlying assembly of the generated root document. */
  assembly: AssemblyReport
}

/** Result of {@link assembleTask}. */
export interface TaskAssembly {
  text: string
  report: TaskReport
}

interface Pick {
  result: MatchResult
  role: TaskRole
  linkedFrom: string | null
}

function positiveInt(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new InvalidOptionError(name, `must be a non-negative integer, got ${String(value)}`)
  return value
}

/** The root document: optional header, then one fenced slot per document. */
function rootText(header: string | undefined, uris: readonly string[]): string {
  const parts: string[] = []
  if (header !== undefined && header !== '') parts.push(header.endsWith('\n') ? header : `${header}\n`)
  for (const uri of uris) parts.push(`\`\`\`\n${uri}\n\`\`\`\n`)
  return parts.join('\n')
}

/**
 * Assemble the best documents of `library` for `query` into one prompt under `budget`.
 *
 * Agents come first, then the documents they link to that match the task (most relevant
 * first), then the other matching documents. Throws {@link BudgetExceededError} only when
 * not even the header fits; otherwise lower-ranked documents are dropped until the
 * load-on-demand lines fit. The returned text never exceeds `budget` (verified by an exact
 * count).
 *
 * @example
 * const { text, report } = await assembleTask(library, 'track experiments and register models', { budget: 8000 })
 */
export async function assembleTask(library: Library, query: string, options: AssembleTaskOptions): Promise<TaskAssembly> {
  if (!library || typeof library.match !== 'function') throw new InvalidOptionError('library', 'must be a library from loadLibrary')
  if (typeof query !== 'string') throw new InvalidOptionError('query', 'must be a string')
  const budget = options?.budget
  if (typeof budget !== 'number' || !Number.isFinite(budget) || budget < 0) throw new InvalidOptionError('budget', `must be a finite, non-negative number of tokens, got ${String(budget)}`)
  const maxAgents = positiveInt('maxAgents', options.maxAgents ?? 1)
  const maxDocuments = positiveInt('maxDocuments', options.maxDocuments ?? 8)
  if (options.header !== undefined && typeof options.header !== 'string') throw new InvalidOptionError('header', 'must be a string')

  const counter: TokenCounter = pickCounter(options)
  const matchOptions: Parameters<Library['match']>[1] = { maxResults: Number.POSITIVE_INFINITY }
  if (options.categories) matchOptions.categories = options.categories
  if (options.tags) matchOptions.tags = options.tags
  if (options.minScore !== undefined) matchOptions.minScore = options.minScore
  const ranked = library.match(query, matchOptions)
  const rank = new Map(ranked.map((r, i) => [r.uri, i + 1]))
  const byUri = new Map(ranked.map((r) => [r.uri, r]))

  // Priority: agents (and Agent Skills), then what they link to (relevant to the task), then everything else.
  const picks: Pick[] = []
  const taken = new Set<string>()
  const isAgent = (r: MatchResult) => r.category === 'agent' || library.get(r.uri)?.kind === 'skill'
  const agents = ranked.filter(isAgent).slice(0, maxAgents)
  for (const a of agents) {
    picks.push({ result: a, role: 'agent', linkedFrom: null })
    taken.add(a.uri)
  }
  const linked: Pick[] = []
  for (const a of agents) linked.push(...linkedPicks(library, a, query, byUri, taken))
  linked.sort((x, y) => y.result.score - x.result.score || (x.result.uri < y.result.uri ? -1 : 1))
  picks.push(...linked)
  for (const r of ranked) {
    if (taken.has(r.uri) || isAgent(r)) continue
    taken.add(r.uri)
    picks.push({ result: r, role: 'match', linkedFrom: null })
  }
  const leftAgents = ranked.filter((r) => isAgent(r) && !agents.includes(r))
  const schemes = library.entries.some((e) => e.kind === 'skill') ? [...library.schemes, SKILL_SCHEME] : library.schemes

  // Assemble the longest prefix of the listing whose load-on-demand lines fit.
  const listed = picks.slice(0, maxDocuments)
  const attempt = (k: number): Promise<Assembly> => {
    const text = rootText(options.header, listed.slice(0, k).map((p) => p.result.uri))
    const root = parseDocument(text, { schemes })
    return assemble(root, {
      budget,
      resolver: library,
      counter,
      maxDepth: 1,
      ...(options.strategy !== undefined ? { strategy: options.strategy } : {}),
      ...(options.exclude !== undefined ? { exclude: options.exclude } : {}),
      ...(options.vars !== undefined ? { vars: options.vars } : {}),
      match: library.resolveMatch,
      schemes,
    })
  }
  let k = listed.length
  let assembly: Assembly | undefined
  let coreNeed: number | undefined
  try {
    assembly = await attempt(k)
  } catch (error) {
    if (!(error instanceof BudgetExceededError)) throw error
    coreNeed = error.minimumBudget
    // Binary search for the largest k whose core fits (core cost grows with k).
    let lo = 0
    let hi = k - 1
    let best: { k: number; assembly: Assembly } | undefined
    let last: BudgetExceededError = error
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      try {
        const a = await attempt(mid)
        best = { k: mid, assembly: a }
        lo = mid + 1
      } catch (inner) {
        if (!(inner instanceof BudgetExceededError)) throw inner
        last = inner
        hi = mid - 1
      }
    }
    // Nothing fits, not even the header alone (k = 0 was tried last).
    if (!best) throw last
    k = best.k
    assembly = best.assembly
  }

  const { text, report: assemblyReport } = assembly
  const measured = counter.count(text)
  if (measured > budget || measured !== assemblyReport.totalTokens) {
    throw new PromptfoldError('BUDGET_VIOLATION', `assembleTask: measured ${measured} tokens (report says ${assemblyReport.totalTokens}) against a budget of ${budget}`)
  }

  const rows = new Map<string, AssemblyReport['references'][number]>()
  for (const row of assemblyReport.references) if (row.depth === 1 && row.kind === 'slot' && !rows.has(row.uri)) rows.set(row.uri, row)
  const documents: TaskDocumentReport[] = []
  const describe = (p: Pick): Omit<TaskDocumentReport, 'decision' | 'reason' | 'tokens'> => ({
    uri: p.result.uri,
    category: p.result.category,
    role: p.role,
    linkedFrom: p.linkedFrom,
    rank: rank.get(p.result.uri) ?? 0,
    score: p.result.score,
    fields: p.result.fields,
  })
  const why: Record<TaskRole, string> = {
    agent: 'best-matching agent',
    linked: 'linked from the chosen agent and relevant to the task',
    match: 'matches the task',
  }
  listed.forEach((p, i) => {
    if (i < k) {
      const row = rows.get(normalizeUri(p.result.uri))
      const decision = row?.decision ?? 'missing'
      const reason = row ? `${why[p.role]}; ${row.decision === 'deferred' ? `load-on-demand line: ${row.reason}` : row.reason}` : 'not found in the assembly'
      documents.push({ ...describe(p), decision, reason, tokens: row?.tokens ?? null })
    } else {
      documents.push({
        ...describe(p),
        decision: 'omitted',
        reason: `${why[p.role]}, but even its load-on-demand line does not fit: listing all ${listed.length} documents needs ${coreNeed ?? '?'} tokens before any is inlined`,
        tokens: null,
      })
    }
  })
  for (const p of picks.slice(listed.length)) {
    documents.push({ ...describe(p), decision: 'omitted', reason: `ranked below the ${maxDocuments} documents listed (maxDocuments)`, tokens: null })
  }
  for (const r of leftAgents) {
    documents.push({ ...describe({ result: r, role: 'agent', linkedFrom: null }), decision: 'omitted', reason: `only the best ${maxAgents} agent(s) are taken (maxAgents)`, tokens: null })
  }

  return {
    text,
    report: { query, budget, encoding: counter.encoding, totalTokens: measured, documents, assembly: assemblyReport },
  }
}

/**
 * What a chosen agent or skill links to, as picks: library documents it references (that match
 * the task), and for a skill also the files of its folder its body names (`link` and `path`
 * references, as `skill://` URIs), scored by the query terms in their path and title so the
 * most relevant come first, in order of first mention among equals.
 */
function linkedPicks(library: Library, agent: MatchResult, query: string, byUri: ReadonlyMap<string, MatchResult>, taken: Set<string>): Pick[] {
  const out: Pick[] = []
  const entry = library.get(agent.uri)
  const doc = library.document(agent.uri)
  const wanted = new Set(terms(query))
  const refs = doc?.references ?? []
  refs.forEach((ref, order) => {
    if (ref.parsed.invalid || ref.parsed.search !== undefined) return
    if ((ref.kind === 'link' || ref.kind === 'path') && entry?.kind === 'skill') {
      const folder = entry.folder ?? ''
      const inside = folder === '' ? ref.uri : ref.uri.startsWith(`${folder}/`) ? ref.uri.slice(folder.length + 1) : undefined
      if (inside === undefined) return
      const uri = `${entry.uri}/${inside}`
      if (taken.has(uri) || library.document(uri) === undefined && !entry.files?.some((f) => f.path === inside)) return
      taken.add(uri)
      const title = library.document(uri)?.title ?? ''
      const found = terms(`${inside.replace(/[-_/.]/g, ' ')} ${title}`).filter((t) => wanted.has(t))
      // Relevance first (one point per query term found), then order of first mention.
      const score = new Set(found).size + (refs.length - order) / (refs.length + 1) / 1000
      out.push({ result: { uri, score: Math.round(score * 1e6) / 1e6, category: 'file', fields: [], terms: [...new Set(found)] }, role: 'linked', linkedFrom: agent.uri })
      return
    }
    const target: LibraryEntry | undefined = library.get(ref.uri)
    const result = target ? byUri.get(target.uri) : undefined
    if (!target || !result || taken.has(target.uri) || target.category === 'agent' || target.kind === 'skill') return
    taken.add(target.uri)
    out.push({ result, role: 'linked', linkedFrom: agent.uri })
  })
  return out
}

const wrappers = new WeakMap<object, TokenCounter>()

function pickCounter(options: AssembleTaskOptions): TokenCounter {
  const c = options.counter
  if (c !== undefined) {
    if (!c || typeof c.count !== 'function') throw new InvalidOptionError('counter', 'must have a count(text) method')
    if (typeof c.encoding === 'string') return c as TokenCounter
    let w = wrappers.get(c)
    if (!w) wrappers.set(c, (w = { encoding: 'custom', count: (t: string) => c.count(t) }))
    return w
  }
  return createTokenCounter({ ...(options.encoding !== undefined ? { encoding: options.encoding } : {}), ...(options.model !== undefined ? { model: options.model } : {}) })
}
