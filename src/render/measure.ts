/**
 * Exact token totals of rendered chunks without re-counting the whole text.
 *
 * Chunks are joined into runs that are cut only where the text before ends with a
 * line break and the text after starts with a character that is neither a space
 * nor `/`. No pre-tokenizer piece of the o200k_base or cl100k_base pattern can
 * span such a cut (every alternative that can match a line break ends at a run of
 * line breaks, except o200k_base's punctuation alternative ` ?[^\s\p{L}\p{N}]+[\r\n/]*`,
 * which goes on through slashes: `"```\n/etc"` has the piece `"```\n/"`), so the
 * count of the whole text is exactly the sum of the runs' counts.
 * Runs are cached by content, so re-measuring after one slot changes costs only
 * that slot's run.
 *
 * @module
 */
import { sha256 } from '../platform/index.js'
import type { CountStore } from '../cache/types.js'
import type { TokenCounter } from '../count/index.js'
import { type DocNode, type Piece, segmentsOf, walkSegment } from './render.js'

/** Runs longer than this are cached by SHA-256 digest instead of by content (V8 hashes long strings by length only). */
const MAX_KEY_LENGTH = 8192
const MAX_ENTRIES = 50_000

const caches = new WeakMap<TokenCounter, Map<string, number>>()

/** Whether the text can be cut between `before` and `after` without changing the token count. */
export function isSafeCut(before: string, after: string): boolean {
  const last = before.charCodeAt(before.length - 1)
  if (last !== 10 && last !== 13) return false
  const first = after.codePointAt(0)
  if (first === undefined || first === 0x2f) return false
  // ASCII without a regex: `\s` there is exactly \t \n \v \f \r and space.
  if (first < 0x80) return first !== 0x20 && (first < 0x09 || first > 0x0d)
  return !/\s/u.test(String.fromCodePoint(first))
}

/** Join chunks into runs that can be counted separately. */
export function toRuns(chunks: readonly string[]): string[] {
  const runs: string[] = []
  let current = ''
  for (const c of chunks) {
    if (c === '') continue
    if (current === '') current = c
    else if (isSafeCut(current, c)) {
      runs.push(current)
      current = c
    } else current += c
  }
  if (current !== '') runs.push(current)
  return runs
}

/**
 * Count `text` with a per-counter in-memory cache, then an optional persistent
 * store keyed by encoding and SHA-256, then the counter itself.
 */
export function cachedCount(counter: TokenCounter, text: string, store?: CountStore): number {
  let cache = caches.get(counter)
  if (!cache) {
    cache = new Map()
    caches.set(counter, cache)
  }
  const key = text.length <= MAX_KEY_LENGTH ? text : `\u0000sha256:${sha256(text, 'base64')}:${text.length}`
  let n = cache.get(key)
  if (n === undefined) {
    const storeKey = store ? `${counter.encoding}:${sha256(text, 'base64')}` : ''
    n = store?.get(storeKey)
    if (n === undefined) {
      n = counter.count(text)
      store?.set(storeKey, n)
    }
    if (cache.size >= MAX_ENTRIES) cache.clear()
    cache.set(key, n)
  }
  return n
}

/** Exact token count of the concatenation of `chunks`. */
export function measureChunks(counter: TokenCounter, chunks: readonly string[], store?: CountStore): number {
  let total = 0
  for (const run of toRuns(chunks)) total += cachedCount(counter, run, store)
  return total
}

/** Counts of runs of more than one piece, by their ids in order. */
interface RunTrie {
  count?: number
  next?: Map<number, RunTrie>
}

/** Measures walks of pieces (see `walkBody`); one per assembly. */
export type PieceMeasure = (walk: (emit: (p: Piece) => void) => void) => number

/**
 * Exact totals of piece walks, with runs keyed by piece ids: a walk whose runs were
 * all seen before costs no string work at all, only a pass over its pieces. A run
 * seen for the first time is joined and counted through {@link cachedCount}.
 */
export function createPieceMeasure(counter: TokenCounter, store?: CountStore): PieceMeasure {
  // Most runs are one piece (a stand-in line, an inlined body): keyed by the id itself.
  // Longer runs are looked up in a trie of ids, so no key is ever built.
  const single = new Map<number, number>()
  const joined: RunTrie = { next: new Map() }
  const parts: Piece[] = []
  let total = 0
  const flush = (): void => {
    const n = parts.length
    if (n === 0) return
    const first = parts[0] as Piece
    let count: number | undefined
    if (n === 1) {
      count = single.get(first.id)
      if (count === undefined) {
        count = cachedCount(counter, first.text, store)
        single.set(first.id, count)
      }
    } else {
      let node = joined
      for (let i = 0; i < n; i++) {
        const id = (parts[i] as Piece).id
        node.next ??= new Map()
        let child = node.next.get(id)
        if (child === undefined) {
          child = {}
          node.next.set(id, child)
        }
        node = child
      }
      count = node.count
      if (count === undefined) {
        let text = ''
        for (const p of parts) text += p.text
        count = cachedCount(counter, text, store)
        node.count = count
      }
    }
    total += count
    parts.length = 0
  }
  const emit = (p: Piece): void => {
    if (p.text === '') return
    const n = parts.length
    if (n > 0 && (parts[n - 1] as Piece).endsWithBreak && p.cutBefore) flush()
    parts.push(p)
  }
  return (walk) => {
    total = 0
    parts.length = 0
    walk(emit)
    flush()
    return total
  }
}

/**
 * Exact totals of whole selections of one assembly tree: the sum over the root's
 * segments (see `segmentsOf`), each counted once per combination of its own
 * candidates. Checking one more candidate costs a pass over the segments and one
 * new segment count, however long the text is.
 */
export function createSelectionMeasure(counter: TokenCounter, root: DocNode, store?: CountStore): (chosen: ReadonlySet<number>) => number {
  const measurePieces = createPieceMeasure(counter, store)
  const segments = segmentsOf(root)
  const memo = segments.map(() => new Map<number | string, number>())
  return (chosen) => {
    let total = 0
    for (let s = 0; s < segments.length; s++) {
      const segment = segments[s] as (typeof segments)[number]
      const deps = segment.deps
      let key: number | string
      if (deps.length <= 30) {
        key = 0
        for (let b = 0; b < deps.length; b++) if (chosen.has(deps[b] as number)) key |= 1 << b
      } else {
        key = ''
        for (const d of deps) key += chosen.has(d) ? '1' : '0'
      }
      const seen = memo[s] as Map<number | string, number>
      let n = seen.get(key)
      if (n === undefined) {
        n = measurePieces((emit) => walkSegment(root, segment, chosen, emit))
        seen.set(key, n)
      }
      total += n
    }
    return total
  }
}
