/**
 * The typed-array match index against a straightforward BM25F scorer (the formula of
 * src/library/match.ts written out per entry, as it was before postings): exact scores, order,
 * fields and terms, on a generated library of a few thousand entries.
 */
import { describe, expect, it } from 'vitest'
import { indexEntry, MATCH_FIELD_B, MATCH_FIELD_WEIGHTS, MATCH_FIELDS, MATCH_K1, type MatchField, MatchIndex, type MatchInput, type MatchOptions, type MatchResult, Vocabulary } from '../../src/library/match.js'
import { normalizeCategory } from '../../src/library/category.js'
import { terms } from '../../src/select/terms.js'
import { mulberry32 as rng } from '../fixtures-count/generators.mjs'

interface RefEntry {
  uri: string
  category: string
  tags: Set<string>
  tf: Record<MatchField, Map<string, number>>
  len: Record<MatchField, number>
}

function refEntry(input: MatchInput): RefEntry {
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
    const m = new Map<string, number>()
    for (const t of raw[f]) m.set(t, (m.get(t) ?? 0) + 1)
    tf[f] = m
    len[f] = raw[f].length
  }
  return { uri: input.uri, category: input.category, tags: new Set(input.tags.map((t) => t.trim().toLowerCase())), tf, len }
}

const stats = new WeakMap<RefEntry[], { df: Map<string, number>; avg: Record<MatchField, number> }>()

/** Document frequencies and average field lengths of a library (worked out once per list). */
function statsOf(entries: RefEntry[]): { df: Map<string, number>; avg: Record<MatchField, number> } {
  const known = stats.get(entries)
  if (known) return known
  const n = entries.length
  const df = new Map<string, number>()
  for (const e of entries) {
    const seen = new Set<string>()
    for (const f of MATCH_FIELDS) for (const t of e.tf[f].keys()) seen.add(t)
    for (const t of seen) df.set(t, (df.get(t) ?? 0) + 1)
  }
  const avg = {} as Record<MatchField, number>
  for (const f of MATCH_FIELDS) {
    let sum = 0
    for (const e of entries) sum += e.len[f]
    avg[f] = n > 0 ? sum / n : 0
  }
  stats.set(entries, { df, avg })
  return { df, avg }
}

/** The reference: every entry scored on its own, all results sorted. */
function refSearch(entries: RefEntry[], query: string, options: MatchOptions = {}): MatchResult[] {
  const q = [...new Set(terms(query))]
  if (q.length === 0) return []
  const categories = options.categories && options.categories.length > 0 ? new Set(options.categories.map(normalizeCategory)) : undefined
  const tags = options.tags && options.tags.length > 0 ? options.tags.map((t) => t.trim().toLowerCase()) : undefined
  const n = entries.length
  const { df, avg } = statsOf(entries)
  const out: MatchResult[] = []
  for (const e of entries) {
    if (categories && !categories.has(e.category)) continue
    if (tags && !tags.every((t) => e.tags.has(t))) continue
    let score = 0
    const fields = new Set<MatchField>()
    const found: string[] = []
    for (const t of q) {
      const idf = Math.log(1 + (n - (df.get(t) ?? 0) + 0.5) / ((df.get(t) ?? 0) + 0.5))
      let pseudo = 0
      for (const f of MATCH_FIELDS) {
        const tf = e.tf[f].get(t)
        if (tf === undefined) continue
        fields.add(f)
        pseudo += (MATCH_FIELD_WEIGHTS[f] * tf) / (1 - MATCH_FIELD_B[f] + (MATCH_FIELD_B[f] * e.len[f]) / (avg[f] || 1))
      }
      if (pseudo > 0) {
        found.push(t)
        score += idf * (pseudo / (MATCH_K1 + pseudo))
      }
    }
    const rounded = Math.round(score * 1e6) / 1e6
    if (rounded <= 0) continue
    if (options.minScore !== undefined && rounded < options.minScore) continue
    out.push({ uri: e.uri, score: rounded, category: e.category, fields: MATCH_FIELDS.filter((f) => fields.has(f)), terms: found })
  }
  out.sort((a, b) => b.score - a.score || (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0))
  const max = options.maxResults ?? 10
  return Number.isFinite(max) ? out.slice(0, Math.max(0, max)) : out
}


const WORDS = (
  'postgres replication backup index query transaction schema migration react component state form router render kafka stream batch ' +
  'warehouse partition spark kubernetes terraform helm ingress secret container deployment training model feature inference drift ' +
  'experiment registry pipeline evaluation embedding auth token oauth encryption audit policy session password certificate tracking ' +
  'serving latency budget error dashboard alert cache pool testing data rust async ownership lifetime metric tracing ' +
  'İstanbul Straße ΣΊΣΥΦΟΣ café naïve x a the running runs ran 42 v2'
).split(' ')
const CATEGORIES = ['agent', 'example', 'pattern', 'skill', 'guide', 'Examples']

function generate(count: number, seed: number): MatchInput[] {
  const r = rng(seed)
  const pick = () => WORDS[Math.floor(r() * WORDS.length)] as string
  const phrase = (n: number) => Array.from({ length: 1 + Math.floor(r() * n) }, pick).join(' ')
  const list = (n: number, m: number) => Array.from({ length: Math.floor(r() * n) }, () => phrase(m))
  return Array.from({ length: count }, (_, i) => {
    const category = normalizeCategory(CATEGORIES[i % CATEGORIES.length] as string)
    const input: MatchInput = {
      // Duplicate titles and shuffled URIs: ties are broken by URI, not by input order.
      uri: `orchestr8://${category}s/${pick()}-${(i * 7919) % count}`,
      category,
      tags: list(4, 1).map((t) => (r() < 0.2 ? ` ${t.toUpperCase()} ` : t)),
      title: i % 97 === 0 ? 'Same Title Here' : phrase(6),
      useWhen: list(3, 10),
      capabilities: list(3, 8),
      headings: list(12, 5),
      name: `${pick()}-${pick()}_${i}`,
    }
    if (i % 11 === 0) input.description = phrase(20)
    return input
  })
}

/** Exact equality (numbers compared by their shortest round-trip form), with vitest's diff on a mismatch. */
function same(actual: MatchResult[], expected: MatchResult[], what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual, what).toEqual(expected)
}

describe('MatchIndex equals a straightforward BM25F scorer', () => {
  const inputs = generate(3000, 7)
  const reference = inputs.map(refEntry)
  const vocabulary = new Vocabulary()
  const index = new MatchIndex(inputs.map((i) => indexEntry(i, vocabulary)))
  const r = rng(99)
  const queries = Array.from({ length: 120 }, () => Array.from({ length: 1 + Math.floor(r() * 6) }, () => (r() < 0.1 ? 'zzqx' : (WORDS[Math.floor(r() * WORDS.length)] as string))).join(' '))
  queries.push('same title here', 'the and of', '', 'Postgres POSTGRES postgres replicas', 'trackings served')

  it('on every query: exact scores, order, fields and terms, for several maxResults', () => {
    for (const q of queries) {
      const expected = refSearch(reference, q, { maxResults: Number.POSITIVE_INFINITY })
      for (const maxResults of [undefined, 0, 1, 3, 25, Number.POSITIVE_INFINITY]) {
        const options = maxResults === undefined ? {} : { maxResults }
        same(index.search(q, options), expected.slice(0, maxResults ?? 10), `${q} ${maxResults}`)
      }
    }
  })

  it('with category and tag filters and minScore', () => {
    const all = index.search('postgres kafka model', { maxResults: Number.POSITIVE_INFINITY })
    expect(all.length).toBeGreaterThan(100)
    const cut = all[40]?.score ?? 0
    const cases: MatchOptions[] = [
      { categories: ['examples'] },
      { categories: ['Agent', 'pattern'], maxResults: 50 },
      { categories: ['nothing-like-this'] },
      { tags: ['postgres'] },
      { tags: ['POSTGRES ', 'kafka'], maxResults: Number.POSITIVE_INFINITY },
      { tags: ['no-such-tag'] },
      { minScore: cut, maxResults: Number.POSITIVE_INFINITY },
      { minScore: cut, maxResults: 5, categories: ['example'] },
    ]
    for (const q of queries.slice(0, 40)) for (const options of cases) same(index.search(q, options), refSearch(reference, q, options), `${q} ${JSON.stringify(options)}`)
  })

  it('entries indexed in vocabularies of their own give the same results', () => {
    const separate = new MatchIndex(inputs.slice(0, 500).map((i) => indexEntry(i)))
    const shared = new MatchIndex(inputs.slice(0, 500).map((i) => indexEntry(i, vocabulary)))
    for (const q of queries.slice(0, 30)) same(separate.search(q, { maxResults: 20 }), shared.search(q, { maxResults: 20 }), q)
    const first = reference.slice(0, 500)
    for (const q of queries.slice(0, 10)) same(separate.search(q, { maxResults: 20 }), refSearch(first, q, { maxResults: 20 }), q)
  })

  it('an empty index answers nothing', () => {
    expect(new MatchIndex([]).search('postgres')).toEqual([])
  })
})

describe('Vocabulary.termIds', () => {
  it('gives the ids of terms(text), in order, for ASCII and non-ASCII text (words remembered per vocabulary)', () => {
    const pool = ['Deploying', 'models', 'the', 'a', 'MLOps', 'x1', 'Überprüfung', 'naïve', 'データ', 'İstanbul', 'K-8', '42', 'don’t', 'ﬁle', 'Σίσυφος']
    const random = rng(7)
    const vocabulary = new Vocabulary()
    for (let run = 0; run < 400; run++) {
      const n = Math.floor(random() * 12)
      const sep = [' ', '\n', ', ', '/', '-']
      const text = Array.from({ length: n }, () => `${pool[Math.floor(random() * pool.length)]}${sep[Math.floor(random() * sep.length)]}`).join('')
      // Twice: the second answer comes from the remembered words.
      for (let again = 0; again < 2; again++) expect(vocabulary.termIds(text), text).toEqual(terms(text).map((t) => vocabulary.id(t)))
    }
    expect(vocabulary.size).toBeGreaterThan(8)
  })
})
