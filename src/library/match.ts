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
 * Terms are integers (a {@link Vocabulary}); an entry is one `Uint32Array` row; the index keeps
 * typed-array postings with each posting's `tf / (k1 + tf)` worked out once, so a query only
 * adds `idf · that` into a reused score array and keeps the best in a heap bounded by
 * `maxResults`. The scores are the same floating-point numbers, summed in the same order, as
 * the per-entry formula above.
 *
 * @module
 */
import { termOfWord, terms } from '../select/terms.js'
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

/** Term frequencies of one entry, per field, in a compact row (see {@link indexEntry}). */
export interface IndexedEntry {
  uri: string
  category: string
  /** Tags, trimmed and lower-case (as the `tags` filter compares them). */
  tags: readonly string[]
  /** The terms' ids live in this vocabulary. */
  vocabulary: Vocabulary
  /**
   * The row: the field lengths (7 numbers, {@link MATCH_FIELDS} order), then one pair per
   * (field, term) with a non-zero frequency: the term's id and `tf << 3 | field`, field-major
   * (every pair of `title`, then of `description`, ...). See {@link matchRow}.
   */
  row: Uint32Array
}

/** Number of fields ({@link MATCH_FIELDS}). */
const FIELDS = 7
const WEIGHTS = Float64Array.from(MATCH_FIELDS, (f) => MATCH_FIELD_WEIGHTS[f])
const B = Float64Array.from(MATCH_FIELDS, (f) => MATCH_FIELD_B[f])

/** What separates words for `terms`: anything but letters and digits. */
const NOT_WORD = /[^\p{L}\p{N}]+/u
/** The same for ASCII text (a faster pattern, the same runs). */
const ASCII_NOT_WORD = /[^a-z0-9]+/
/** Anything past ASCII. */
const NON_ASCII = /[^\x00-\x7f]/
/** Most words a vocabulary remembers the term ids of (past it, new words are stemmed each time). */
const MAX_WORDS = 200_000

/** What {@link AsciiWords.find} gives for a word it does not hold. */
const ABSENT = -2

/**
 * Term ids of plain-ASCII words, found by the word's characters where they stand in a text
 * (no string is cut out to look one up): open addressing over a hash of the characters, which
 * the reader works out as it reads them (`hash = hash * 31 + c`, 32 bits). Holds at most
 * {@link MAX_WORDS} words (past it, new words are stemmed each time they are read).
 */
class AsciiWords {
  #hashes = new Int32Array(1024)
  #ids = new Int32Array(1024)
  #words: (string | undefined)[] = new Array<string | undefined>(1024)
  /** 32 - log2 of the capacity: a slot is the top bits of the hash times the golden ratio. */
  #shift = 22
  #size = 0

  /** The id of the word `text[start, end)` of hash `hash`, or {@link ABSENT}. */
  find(hash: number, text: string, start: number, end: number): number {
    const mask = this.#words.length - 1
    const length = end - start
    for (let slot = Math.imul(hash, 0x9e3779b1) >>> this.#shift; ; slot = (slot + 1) & mask) {
      const word = this.#words[slot]
      if (word === undefined) return ABSENT
      if (this.#hashes[slot] === hash && word.length === length && sameChars(word, text, start)) return this.#ids[slot] as number
    }
  }

  /** Keep the id of `word` (of hash `hash`, not held yet). */
  add(hash: number, word: string, id: number): void {
    if (this.#size >= MAX_WORDS) return
    if (2 * (this.#size + 1) > this.#words.length) this.#grow()
    this.#put(hash, word, id)
    this.#size++
  }

  #put(hash: number, word: string, id: number): void {
    const mask = this.#words.length - 1
    let slot = Math.imul(hash, 0x9e3779b1) >>> this.#shift
    while (this.#words[slot] !== undefined) slot = (slot + 1) & mask
    this.#words[slot] = word
    this.#hashes[slot] = hash
    this.#ids[slot] = id
  }

  #grow(): void {
    const words = this.#words
    const hashes = this.#hashes
    const ids = this.#ids
    this.#words = new Array<string | undefined>(words.length * 2)
    this.#hashes = new Int32Array(words.length * 2)
    this.#ids = new Int32Array(words.length * 2)
    this.#shift--
    words.forEach((word, slot) => {
      if (word !== undefined) this.#put(hashes[slot] as number, word, ids[slot] as number)
    })
  }
}

/** Whether `text` holds `word` at `start`. */
function sameChars(word: string, text: string, start: number): boolean {
  for (let k = 0; k < word.length; k++) if (word.charCodeAt(k) !== text.charCodeAt(start + k)) return false
  return true
}

/** Terms as integer ids: the id of a term is its index in `terms`. Only grows. */
export class Vocabulary {
  readonly #ids = new Map<string, number>()
  readonly #terms: string[] = []
  /** The term id of each lower-cased word seen by {@link termIds} (-1: a stop word or a one-letter word). */
  readonly #words = new Map<string, number>()
  /** The same for the words {@link asciiTermIds} reads, found by their characters in place. */
  readonly #asciiWords = new AsciiWords()

  /** A vocabulary holding `terms`, in that order (ids 0, 1, ...); duplicates keep their first id. */
  static of(terms: readonly string[]): Vocabulary {
    const v = new Vocabulary()
    for (const t of terms) v.id(t)
    return v
  }

  /** The id of `term`, added when new. */
  id(term: string): number {
    let id = this.#ids.get(term)
    if (id === undefined) {
      id = this.#terms.length
      this.#terms.push(term)
      this.#ids.set(term, id)
    }
    return id
  }

  /**
   * The ids of `terms(text)`, in order, terms added when new: the words of the lower-cased text
   * (the runs `terms` finds), each stemmed by `terms` once per vocabulary. The same terms, since
   * `terms` lower-cases (idempotent on a lower-cased word) and splits on the same pattern.
   */
  termIds(text: string): number[] {
    const out: number[] = []
    const lower = text.toLowerCase()
    // split leaves '' at the ends.
    for (const w of lower.split(NON_ASCII.test(lower) ? NOT_WORD : ASCII_NOT_WORD)) {
      if (w === '') continue
      const id = this.#wordId(w)
      if (id >= 0) out.push(id)
    }
    return out
  }

  /**
   * {@link termIds} of each of `texts`, which hold no character past ASCII, in one pass over
   * their joined text: the same ids, learnt in the same order.
   */
  asciiTermIds(texts: readonly string[]): number[][] {
    const out: number[][] = texts.map(() => [])
    if (texts.length === 0) return out
    // Lower-casing ASCII keeps every position; the fields are apart by a character of no word.
    const lower = texts.join('\n').toLowerCase()
    const words = this.#asciiWords
    let field = 0
    let fieldEnd = (texts[0] as string).length
    let start = -1
    let hash = 0
    for (let i = 0; i <= lower.length; i++) {
      const c = i < lower.length ? lower.charCodeAt(i) : 32
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
        if (start < 0) {
          start = i
          hash = 0
        }
        hash = (Math.imul(hash, 31) + c) | 0
        continue
      }
      if (start < 0) continue
      while (start > fieldEnd) fieldEnd += 1 + (texts[++field] as string).length
      // Known words are found in place; a new one is cut out, stemmed and kept.
      let id = words.find(hash, lower, start, i)
      if (id === ABSENT) {
        const cut = lower.slice(start, i)
        // Kept words are copies: a slice of 13 characters or more would keep the batch's text alive.
        const word = cut.length >= 13 ? (' ' + cut).slice(1) : cut
        const stem = termOfWord(word)
        id = stem === undefined ? -1 : this.id(stem)
        words.add(hash, word, id)
      }
      if (id >= 0) (out[field] as number[]).push(id)
      start = -1
    }
    return out
  }

  /** The term id of a lower-cased word (-1: a stop word or a one-letter word), its term added when new. */
  #wordId(word: string): number {
    let id = this.#words.get(word)
    if (id === undefined) {
      const stem = terms(word)[0]
      id = stem === undefined ? -1 : this.id(stem)
      if (this.#words.size < MAX_WORDS) this.#words.set(word, id)
    }
    return id
  }

  /** The id of `term`, if it has one. */
  find(term: string): number | undefined {
    return this.#ids.get(term)
  }

  /** The term of an id. */
  term(id: number): string | undefined {
    return this.#terms[id]
  }

  /** Number of terms. */
  get size(): number {
    return this.#terms.length
  }
}

/** The matchable text of an entry: {@link MatchInput} without its URI and category. */
export type MatchText = Omit<MatchInput, 'uri' | 'category'>

/**
 * The row of one entry (see {@link IndexedEntry.row}): stemmed terms of each field, counted.
 * Rows are plain numbers, so they can be kept on disk next to their vocabulary.
 */
export function matchRow(input: MatchText, vocabulary: Vocabulary): Uint32Array {
  return rowOfFields(fieldTexts(input).map((text) => vocabulary.termIds(text)))
}

/** Joined text of the entries {@link matchRows} cuts into words in one pass (a bounded string). */
const BATCH_CHARS = 1 << 18

/**
 * The rows of many entries, each as {@link matchRow} gives it, the vocabulary learning their
 * terms in the same order. Entries of plain-ASCII text are cut into words in batches, one pass
 * over their fields' joined text (`Vocabulary.asciiTermIds`): a loop that a fresh process runs
 * in optimized code after its first few thousand words, where one call per field stays in the
 * interpreter for most of a first match.
 *
 * @param inputs The entries' text, in order.
 * @param vocabulary Where term ids come from.
 * @returns A row per input, in order.
 */
export function matchRows(inputs: readonly MatchText[], vocabulary: Vocabulary): Uint32Array[] {
  const rows: Uint32Array[] = []
  let batch: string[] = []
  let chars = 0
  const flush = () => {
    const ids = vocabulary.asciiTermIds(batch)
    for (let f = 0; f < ids.length; f += FIELDS) rows.push(rowOfFields(ids.slice(f, f + FIELDS)))
    batch = []
    chars = 0
  }
  for (const input of inputs) {
    const fields = fieldTexts(input)
    if (fields.some((text) => NON_ASCII.test(text))) {
      flush()
      rows.push(rowOfFields(fields.map((text) => vocabulary.termIds(text))))
      continue
    }
    batch.push(...fields)
    for (const text of fields) chars += text.length
    if (chars >= BATCH_CHARS) flush()
  }
  flush()
  return rows
}

/** The text of each field of an entry, in {@link MATCH_FIELDS} order. */
function fieldTexts(input: MatchText): string[] {
  return [
    input.title,
    input.description ?? '',
    input.useWhen.join('\n'),
    input.tags.join(' '),
    input.capabilities.join('\n'),
    input.headings.join('\n'),
    input.name.replace(/[-_/.]/g, ' '),
  ]
}

/** Occurrences of each term id in the field {@link rowOfFields} reads (all zero between calls; grown as ids grow). */
let tally = new Uint32Array(1024)

/** A row (see {@link IndexedEntry.row}) from the term ids of each field, in order. */
function rowOfFields(fields: readonly number[][]): Uint32Array {
  const pairs: number[] = fields.map((ids) => ids.length)
  const firsts: number[] = []
  for (let f = 0; f < FIELDS; f++) {
    const ids = fields[f] as number[]
    // Each distinct id once, in the order of its first occurrence, with its count.
    for (const id of ids) {
      if (id >= tally.length) {
        const grown = new Uint32Array(Math.max(tally.length * 2, id + 1))
        grown.set(tally)
        tally = grown
      }
      const n = tally[id] as number
      tally[id] = n + 1
      if (n === 0) firsts.push(id)
    }
    for (const id of firsts) {
      pairs.push(id, (tally[id] as number) * 8 + f)
      tally[id] = 0
    }
    firsts.length = 0
  }
  return new Uint32Array(pairs)
}

/** Tags as the `tags` filter compares them. */
export function matchTags(tags: readonly string[]): string[] {
  return tags.map((t) => t.trim().toLowerCase())
}

/** Index one entry's fields (in a vocabulary of its own unless one is given). */
export function indexEntry(input: MatchInput, vocabulary: Vocabulary = new Vocabulary()): IndexedEntry {
  return { uri: input.uri, category: input.category, tags: matchTags(input.tags), vocabulary, row: matchRow(input, vocabulary) }
}

/** `entry`'s row with its term ids moved to `vocabulary`. */
function reintern(entry: IndexedEntry, vocabulary: Vocabulary): Uint32Array {
  const row = entry.row.slice()
  for (let i = FIELDS; i + 1 < row.length; i += 2) row[i] = vocabulary.id(entry.vocabulary.term(row[i] as number) ?? '')
  return row
}

/** Dictionary of strings to dense ids (categories, tags). */
function dictionary(): { ids: Map<string, number>; id(s: string): number } {
  const ids = new Map<string, number>()
  return {
    ids,
    id(s) {
      let id = ids.get(s)
      if (id === undefined) ids.set(s, (id = ids.size))
      return id
    },
  }
}

/**
 * The arrays of a built {@link MatchIndex} ({@link MatchIndex.parts}), from which
 * `new MatchIndex([], { parts, vocabulary })` makes the same index again without its rows
 * (src/library/persist.ts keeps them in the library index).
 */
export interface MatchIndexParts {
  readonly uris: readonly string[]
  /** Postings of term `t`: `start[t]` to `start[t + 1]` (exclusive) in `doc`, `part` and `fields`. */
  readonly start: Int32Array
  readonly doc: Int32Array
  readonly part: Float64Array
  readonly fields: Uint8Array
  readonly uriRank: Int32Array
  /** Category id of each entry, an index in `categoryNames`. */
  readonly category: Int32Array
  readonly categoryNames: readonly string[]
  /** Tags of entry `d`: `tagIds[tagStart[d]]` to `tagIds[tagStart[d + 1]]`, indexes in `tagNames`. */
  readonly tagStart: Int32Array
  readonly tagIds: Int32Array
  readonly tagNames: readonly string[]
}

/** A BM25F index over a fixed set of entries. */
export class MatchIndex {
  readonly #n: number
  readonly #uris: string[]
  readonly #vocabulary: Vocabulary
  /** Postings of term `t`: `#start[t]` to `#start[t + 1]` (exclusive) in the arrays below, by entry ascending. */
  readonly #start: Int32Array
  readonly #doc: Int32Array
  /** `tf / (k1 + tf)` of each posting (its field-weighted pseudo-frequency `tf`). */
  readonly #part: Float64Array
  /** Fields the term occurs in, one bit per field. */
  readonly #fields: Uint8Array
  /** Rank of each entry's URI in ascending order (the tie-break). */
  readonly #uriRank: Int32Array
  readonly #categories: Map<string, number>
  readonly #category: Int32Array
  readonly #categoryNames: string[]
  readonly #tags: Map<string, number>
  readonly #tagStart: Int32Array
  readonly #tagIds: Int32Array
  // Reused by every search: no allocation that grows with the library.
  readonly #score: Float64Array
  readonly #seen: Uint8Array
  readonly #touched: Int32Array

  /** Index `entries`, or (with `restore`) take back the arrays of an index built before, in the vocabulary its term ids are in. */
  constructor(entries: readonly IndexedEntry[], restore?: { parts: MatchIndexParts; vocabulary: Vocabulary }) {
    if (restore) {
      const p = restore.parts
      const n = p.uris.length
      this.#n = n
      this.#vocabulary = restore.vocabulary
      this.#uris = [...p.uris]
      this.#start = p.start
      this.#doc = p.doc
      this.#part = p.part
      this.#fields = p.fields
      this.#uriRank = p.uriRank
      this.#category = p.category
      this.#categoryNames = [...p.categoryNames]
      this.#categories = new Map(p.categoryNames.map((c, i) => [c, i]))
      this.#tagStart = p.tagStart
      this.#tagIds = p.tagIds
      this.#tags = new Map(p.tagNames.map((t, i) => [t, i]))
      this.#score = new Float64Array(n)
      this.#seen = new Uint8Array(n)
      this.#touched = new Int32Array(n)
      return
    }
    const n = entries.length
    this.#n = n
    const vocabulary = entries[0]?.vocabulary ?? new Vocabulary()
    this.#vocabulary = vocabulary
    const rows = entries.map((e) => (e.vocabulary === vocabulary ? e.row : reintern(e, vocabulary)))
    this.#uris = entries.map((e) => e.uri)
    const avg = new Float64Array(FIELDS)
    for (let f = 0; f < FIELDS; f++) {
      let sum = 0
      for (const row of rows) sum += row[f] as number
      avg[f] = n > 0 ? sum / n : 0
    }
    const V = vocabulary.size
    // Document frequencies, then postings in entry order.
    const start = new Int32Array(V + 1)
    const mark = new Int32Array(V).fill(-1)
    rows.forEach((row, d) => {
      for (let i = FIELDS; i < row.length; i += 2) {
        const t = row[i] as number
        if (mark[t] !== d) {
          mark[t] = d
          start[t + 1] = (start[t + 1] as number) + 1
        }
      }
    })
    for (let t = 0; t < V; t++) start[t + 1] = (start[t + 1] as number) + (start[t] as number)
    const total = start[V] as number
    const doc = new Int32Array(total)
    const part = new Float64Array(total)
    const fields = new Uint8Array(total)
    const fill = start.slice(0, V)
    const pseudo = new Float64Array(V)
    const mask = new Uint8Array(V)
    const inDoc: number[] = []
    rows.forEach((row, d) => {
      for (let i = FIELDS; i < row.length; i += 2) {
        const t = row[i] as number
        const x = row[i + 1] as number
        const f = x & 7
        const tf = x >>> 3
        const a = avg[f] || 1
        if (mask[t] === 0) inDoc.push(t)
        mask[t] = (mask[t] as number) | (1 << f)
        pseudo[t] = (pseudo[t] as number) + ((WEIGHTS[f] as number) * tf) / (1 - (B[f] as number) + ((B[f] as number) * (row[f] as number)) / a)
      }
      for (const t of inDoc) {
        const p = fill[t] as number
        fill[t] = p + 1
        doc[p] = d
        const ps = pseudo[t] as number
        part[p] = ps / (MATCH_K1 + ps)
        fields[p] = mask[t] as number
        pseudo[t] = 0
        mask[t] = 0
      }
      inDoc.length = 0
    })
    this.#start = start
    this.#doc = doc
    this.#part = part
    this.#fields = fields
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
      const x = this.#uris[a] as string
      const y = this.#uris[b] as string
      return x < y ? -1 : x > y ? 1 : a - b
    })
    this.#uriRank = new Int32Array(n)
    order.forEach((d, rank) => {
      this.#uriRank[d] = rank
    })
    const categories = dictionary()
    this.#category = Int32Array.from(entries, (e) => categories.id(e.category))
    this.#categories = categories.ids
    this.#categoryNames = [...categories.ids.keys()]
    const tags = dictionary()
    const tagIds: number[] = []
    this.#tagStart = new Int32Array(n + 1)
    entries.forEach((e, d) => {
      for (const t of new Set(e.tags)) tagIds.push(tags.id(t))
      this.#tagStart[d + 1] = tagIds.length
    })
    this.#tagIds = Int32Array.from(tagIds)
    this.#tags = tags.ids
    this.#score = new Float64Array(n)
    this.#seen = new Uint8Array(n)
    this.#touched = new Int32Array(n)
  }

  /** Number of indexed entries. */
  get size(): number {
    return this.#n
  }

  /** The built arrays (see {@link MatchIndexParts}); not copies: not to be changed. */
  parts(): MatchIndexParts {
    return {
      uris: this.#uris,
      start: this.#start,
      doc: this.#doc,
      part: this.#part,
      fields: this.#fields,
      uriRank: this.#uriRank,
      category: this.#category,
      categoryNames: this.#categoryNames,
      tagStart: this.#tagStart,
      tagIds: this.#tagIds,
      tagNames: [...this.#tags.keys()],
    }
  }

  /** Rank entries for `query`. Order: score descending, then URI ascending. */
  search(query: string, options: MatchOptions = {}): MatchResult[] {
    const q = [...new Set(terms(query))]
    if (q.length === 0) return []
    const allowed = this.#allowedCategories(options.categories)
    const tags = this.#tagFilter(options.tags)
    if (allowed === null || tags === null) return []
    const maxResults = options.maxResults ?? 10
    const ids = q.map((t) => this.#vocabulary.find(t))
    const touched = this.#accumulate(ids)
    try {
      const best = this.#best(touched, allowed, tags, options.minScore, maxResults)
      return best.map(({ d, score }) => this.#result(d, score, q, ids))
    } finally {
      for (let i = 0; i < touched; i++) {
        const d = this.#touched[i] as number
        this.#score[d] = 0
        this.#seen[d] = 0
      }
    }
  }

  /** Category ids allowed (undefined: all; null: none can match). */
  #allowedCategories(list: readonly string[] | undefined): Uint8Array | undefined | null {
    if (!list || list.length === 0) return undefined
    const allowed = new Uint8Array(this.#categoryNames.length)
    let any = false
    for (const c of list) {
      const id = this.#categories.get(normalizeCategory(c))
      if (id !== undefined) {
        allowed[id] = 1
        any = true
      }
    }
    return any ? allowed : null
  }

  /** Tag ids every result must carry (undefined: no filter; null: a tag no entry has). */
  #tagFilter(list: readonly string[] | undefined): number[] | undefined | null {
    if (!list || list.length === 0) return undefined
    const out: number[] = []
    for (const t of matchTags(list)) {
      const id = this.#tags.get(t)
      if (id === undefined) return null
      out.push(id)
    }
    return out
  }

  /** Add every query term's `idf · part` into the score array; returns how many entries were touched. */
  #accumulate(ids: readonly (number | undefined)[]): number {
    const n = this.#n
    const score = this.#score
    const seen = this.#seen
    const touched = this.#touched
    let count = 0
    for (const t of ids) {
      const df = t === undefined ? 0 : (this.#start[t + 1] as number) - (this.#start[t] as number)
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5))
      if (t === undefined) continue
      for (let p = this.#start[t] as number, end = this.#start[t + 1] as number; p < end; p++) {
        const d = this.#doc[p] as number
        if (seen[d] === 0) {
          seen[d] = 1
          touched[count++] = d
        }
        score[d] = (score[d] as number) + idf * (this.#part[p] as number)
      }
    }
    return count
  }

  /** The best `maxResults` touched entries that pass the filters, best first (a heap bounded by `maxResults`). */
  #best(count: number, allowed: Uint8Array | undefined, tags: number[] | undefined, minScore: number | undefined, maxResults: number): { d: number; score: number }[] {
    const k = Number.isFinite(maxResults) ? Math.min(Math.max(0, maxResults), count) : count
    if (k === 0) return []
    const heapDoc = new Int32Array(k)
    const heapScore = new Float64Array(k)
    const rank = this.#uriRank
    // `a` ranks below `b`: lower score, or the same score and a later URI.
    const worse = (sa: number, da: number, sb: number, db: number) => sa < sb || (sa === sb && (rank[da] as number) > (rank[db] as number))
    let size = 0
    for (let i = 0; i < count; i++) {
      const d = this.#touched[i] as number
      if (allowed && allowed[this.#category[d] as number] !== 1) continue
      if (tags && !this.#hasTags(d, tags)) continue
      const rounded = Math.round((this.#score[d] as number) * 1e6) / 1e6
      if (rounded <= 0) continue
      if (minScore !== undefined && rounded < minScore) continue
      if (size < k) {
        // Sift up: the root is the worst kept.
        let j = size++
        while (j > 0) {
          const parent = (j - 1) >> 1
          if (!worse(rounded, d, heapScore[parent] as number, heapDoc[parent] as number)) break
          heapDoc[j] = heapDoc[parent] as number
          heapScore[j] = heapScore[parent] as number
          j = parent
        }
        heapDoc[j] = d
        heapScore[j] = rounded
      } else if (worse(heapScore[0] as number, heapDoc[0] as number, rounded, d)) {
        siftDown(heapDoc, heapScore, size, d, rounded, worse)
      }
    }
    const out: { d: number; score: number }[] = []
    while (size > 0) {
      out.push({ d: heapDoc[0] as number, score: heapScore[0] as number })
      size--
      if (size > 0) siftDown(heapDoc, heapScore, size, heapDoc[size] as number, heapScore[size] as number, worse)
    }
    return out.reverse()
  }

  #hasTags(d: number, tags: readonly number[]): boolean {
    const from = this.#tagStart[d] as number
    const to = this.#tagStart[d + 1] as number
    for (const t of tags) {
      let found = false
      for (let i = from; i < to; i++) {
        if (this.#tagIds[i] === t) {
          found = true
          break
        }
      }
      if (!found) return false
    }
    return true
  }

  /** The result of entry `d`: the fields and query terms it matched, from the postings. */
  #result(d: number, score: number, q: readonly string[], ids: readonly (number | undefined)[]): MatchResult {
    let mask = 0
    const found: string[] = []
    ids.forEach((t, i) => {
      if (t === undefined) return
      // Postings are in entry order: binary search.
      let lo = this.#start[t] as number
      let hi = (this.#start[t + 1] as number) - 1
      while (lo <= hi) {
        const mid = (lo + hi) >> 1
        const x = this.#doc[mid] as number
        if (x === d) {
          mask |= this.#fields[mid] as number
          found.push(q[i] as string)
          return
        }
        if (x < d) lo = mid + 1
        else hi = mid - 1
      }
    })
    return {
      uri: this.#uris[d] as string,
      score,
      category: this.#categoryNames[this.#category[d] as number] as string,
      fields: MATCH_FIELDS.filter((_, f) => (mask & (1 << f)) !== 0),
      terms: found,
    }
  }
}

/** Put (`d`, `s`) at the root of a heap of `size` and sift it down. */
function siftDown(heapDoc: Int32Array, heapScore: Float64Array, size: number, d: number, s: number, worse: (sa: number, da: number, sb: number, db: number) => boolean): void {
  let j = 0
  for (;;) {
    const l = 2 * j + 1
    if (l >= size) break
    const r = l + 1
    const c = r < size && worse(heapScore[r] as number, heapDoc[r] as number, heapScore[l] as number, heapDoc[l] as number) ? r : l
    if (!worse(heapScore[c] as number, heapDoc[c] as number, s, d)) break
    heapDoc[j] = heapDoc[c] as number
    heapScore[j] = heapScore[c] as number
    j = c
  }
  heapDoc[j] = d
  heapScore[j] = s
}
