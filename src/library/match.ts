/**
 * Matching a task against a library: BM25F over a few fields of each document.
 *
 * Every field is turned into stemmed terms ({@link terms}). For a query term `t` and a
 * document, the field frequencies are combined into one pseudo-frequency
 * `tf = Σ_f w_f · tf_f / ((1 - b_f) + b_f · len_f / avglen_f)` and scored
 * `idf(t) · tf / (k1 + tf)` with `idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))`,
 * where `N` and `df` count the whole library (filters do not change scores, so scores are
 * comparable within one query whatever the filters).
 *
 * @module
 */
import { terms } from '../select/terms.js'
import { normalizeCategory } from './category.js'

/** Fields a document is matched on. */
export type MatchField = 'title' | 'description' | 'useWhen' | 'tags' | 'capabilities' | 'headings' | 'name'

/** Field order used in results. */
export const MATCH_FIELDS: readonly MatchField[] = ['title', 'description', 'useWhen', 'tags', 'capabilities', 'headings', 'name']

/**
 * BM25F field weights `w_f`. `description` is a skill's frontmatter `description` (Agent Skills:
 * what the skill does and when to use it, the text clients choose skills by): weighted like
 * `useWhen`, below the title.
 */
export const MATCH_FIELD_WEIGHTS: Readonly<Record<MatchField, number>> = { title: 3, description: 2, useWhen: 2, tags: 2, capabilities: 1.5, headings: 1, name: 1 }

/** BM25F length normalization `b_f` per field. */
export const MATCH_FIELD_B: Readonly<Record<MatchField, number>> = { title: 0.5, description: 0.75, useWhen: 0.75, tags: 0.3, capabilities: 0.75, headings: 0.75, name: 0.3 }

/** BM25 saturation constant. */
export const MATCH_K1 = 1.2

/** Options of `library.match`. */
export interface MatchOptions {
  /** Only entries of these categories (plural or singular, any case). Default: all. */
  categories?: readonly string[]
  /** Only entries carrying every one of these tags (case-insensitive). Default: no filter. */
  tags?: readonly string[]
  /** Most results returned. Default `10`. */
  maxResults?: number
  /** Smallest score returned. Default: any score above 0. */
  minScore?: number
}

/** One ranked entry. */
export interface MatchResult {
  uri: string
  /** BM25F score (6 decimals). Comparable between results of the same query. */
  score: number
  /** Normalized category of the entry. */
  category: string
  /** Fields in which at least one query term occurs, in {@link MATCH_FIELDS} order. */
  fields: MatchField[]
  /** Stemmed query terms found in the entry. */
  terms: string[]
}

/** What the index needs to know about one entry. */
export interface MatchInput {
  uri: string
  category: string
  tags: readonly string[]
  title: string
  useWhen: readonly string[]
  capabilities: readonly string[]
  headings: readonly string[]
  /** Identifier words: frontmatter id, file name, folders (a skill: its name and folders). */
  name: string
  /** A skill's description. Default: none. */
  description?: string
}

/** Term frequencies of one entry, per field. */
export interface IndexedEntry {
  uri: string
  category: string
  tags: ReadonlySet<string>
  tf: Readonly<Record<MatchField, ReadonlyMap<string, number>>>
  len: Readonly<Record<MatchField, number>>
}

function frequencies(list: readonly string[]): Map<string, number> {
  const m = new Map<string, number>()
  for (const t of list) m.set(t, (m.get(t) ?? 0) + 1)
  return m
}

/** Index one entry's fields. */
export function indexEntry(input: MatchInput): IndexedEntry {
  const raw: Record<MatchField, string[]> = {
    title: terms(input.title),
    description: terms(input.description ?? ''),
    useWhen: terms(input.useWhen.join('\n')),
    tags: terms(input.tags.join(' ')),
    capabilities: terms(input.capabilities.join('\n')),
    headings: terms(input.headings.join('\n')),
    name: terms(input.name.replace(/[-_/.]/g, ' ')),
  }
  const tf = {} as Record<MatchField, Map<string, number>>
  const len = {} as Record<MatchField, number>
  for (const f of MATCH_FIELDS) {
    tf[f] = frequencies(raw[f])
    len[f] = raw[f].length
  }
  return { uri: input.uri, category: input.category, tags: new Set(input.tags.map((t) => t.trim().toLowerCase())), tf, len }
}

/** A BM25F index over a fixed set of entries. */
export class MatchIndex {
  readonly #entries: readonly IndexedEntry[]
  readonly #df = new Map<string, number>()
  readonly #avg = {} as Record<MatchField, number>

  constructor(entries: readonly IndexedEntry[]) {
    this.#entries = entries
    for (const f of MATCH_FIELDS) {
      let sum = 0
      for (const e of entries) sum += e.len[f]
      this.#avg[f] = entries.length > 0 ? sum / entries.length : 0
    }
    for (const e of entries) {
      const seen = new Set<string>()
      for (const f of MATCH_FIELDS) for (const t of e.tf[f].keys()) seen.add(t)
      for (const t of seen) this.#df.set(t, (this.#df.get(t) ?? 0) + 1)
    }
  }

  /** Number of indexed entries. */
  get size(): number {
    return this.#entries.length
  }

  /** Rank entries for `query`. Order: score descending, then URI ascending. */
  search(query: string, options: MatchOptions = {}): MatchResult[] {
    const q = [...new Set(terms(query))]
    if (q.length === 0) return []
    const categories = options.categories && options.categories.length > 0 ? new Set(options.categories.map(normalizeCategory)) : undefined
    const tags = options.tags && options.tags.length > 0 ? options.tags.map((t) => t.trim().toLowerCase()) : undefined
    const maxResults = options.maxResults ?? 10
    const n = this.#entries.length
    const idf = new Map(q.map((t) => [t, Math.log(1 + (n - (this.#df.get(t) ?? 0) + 0.5) / ((this.#df.get(t) ?? 0) + 0.5))]))
    const out: MatchResult[] = []
    for (const e of this.#entries) {
      if (categories && !categories.has(e.category)) continue
      if (tags && !tags.every((t) => e.tags.has(t))) continue
      let score = 0
      const fields = new Set<MatchField>()
      const found: string[] = []
      for (const t of q) {
        let pseudo = 0
        for (const f of MATCH_FIELDS) {
          const tf = e.tf[f].get(t)
          if (tf === undefined) continue
          fields.add(f)
          const avg = this.#avg[f] || 1
          pseudo += (MATCH_FIELD_WEIGHTS[f] * tf) / (1 - MATCH_FIELD_B[f] + (MATCH_FIELD_B[f] * e.len[f]) / avg)
        }
        if (pseudo > 0) {
          found.push(t)
          score += (idf.get(t) ?? 0) * (pseudo / (MATCH_K1 + pseudo))
        }
      }
      const rounded = Math.round(score * 1e6) / 1e6
      if (rounded <= 0) continue
      if (options.minScore !== undefined && rounded < options.minScore) continue
      out.push({ uri: e.uri, score: rounded, category: e.category, fields: MATCH_FIELDS.filter((f) => fields.has(f)), terms: found })
    }
    out.sort((a, b) => b.score - a.score || (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0))
    return Number.isFinite(maxResults) ? out.slice(0, Math.max(0, maxResults)) : out
  }
}
