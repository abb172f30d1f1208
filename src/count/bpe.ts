/**
 * Byte-pair merging of one pre-tokenized piece, producing exactly the parts
 * js-tiktoken produces.
 *
 * js-tiktoken's `bytePairMerge` repeatedly merges the adjacent pair of parts
 * whose concatenation has the lowest rank, the leftmost one on ties, until no
 * adjacent pair is a token. It rescans every pair after each merge, which is
 * quadratic in the piece length (`'a'.repeat(10_000)` takes ~12 s). Here:
 *
 * - {@link mergeSimple} does the same rescan on flat arrays; it is the fastest
 *   choice for the short pieces ordinary text is made of;
 * - {@link mergeHeap} keeps the candidate pairs in a binary min-heap keyed by
 *   (rank, left offset) over a doubly linked list of parts, with lazy
 *   invalidation: O(n log n), for long pieces.
 *
 * Both return the parts' boundaries and agree on every input. Counting uses
 * them on a range of the text in place ({@link countRangeTokens}): no piece is
 * cut out, pairs of single bytes come from a flat table and other pairs from
 * {@link pairRank} by hash, without building a string (through a small memo
 * in the heap merge, whose long pieces repeat the same pairs).
 *
 * Every part stays a token: it starts as a single byte (all 256 bytes have a
 * rank, checked by `buildRankTable`) and only ranked pairs merge. So
 * js-tiktoken's filtering of parts without a rank never removes anything and
 * the token count is the number of parts.
 *
 * @module
 */

import { memoPairRank, pairRank, rangeRank, type RankTable } from './ranks.js'

/** Pieces up to this many bytes use {@link mergeSimple}, longer ones {@link mergeHeap}. */
export const SIMPLE_MERGE_MAX_BYTES = 128

/** Stands for "no rank": larger than every real rank. */
const NO_RANK = 0x7fffffff

/** Rank of `bytes[start, end)`, or {@link NO_RANK}. */
function rankOf(table: RankTable, bytes: string, start: number, end: number): number {
  const rank = rangeRank(table, bytes, start, end)
  return rank < 0 ? NO_RANK : rank
}

/**
 * How many bytes `text` takes in UTF-8, as `TextEncoder` writes it (a lone surrogate is
 * U+FFFD, 3 bytes): what `Buffer.byteLength(text, 'utf8')` says, without `Buffer` (the
 * portable core runs where there is none).
 *
 * @param text - Any string.
 * @returns Its length in UTF-8 bytes.
 */
export function utf8Length(text: string): number {
  const length = text.length
  let bytes = length
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) bytes += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: two code units, four bytes.
      bytes += 2
      i++
    } else bytes += 2
  }
  return bytes
}

/**
 * UTF-8 encodes `text` into a byte string (one code unit 0–255 per byte),
 * exactly like `TextEncoder`: a lone surrogate becomes U+FFFD (`EF BF BD`).
 * An all-ASCII string is returned as is.
 *
 * @param text - Any string.
 * @returns Its UTF-8 bytes as a byte string.
 */
export function utf8ByteString(text: string): string {
  const length = text.length
  let i = 0
  while (i < length && text.charCodeAt(i) < 0x80) i++
  if (i === length) return text
  const codes: number[] = []
  for (let k = 0; k < i; k++) codes.push(text.charCodeAt(k))
  for (; i < length; i++) {
    let c = text.charCodeAt(i)
    if (c < 0x80) {
      codes.push(c)
    } else if (c < 0x800) {
      codes.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f))
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < length ? text.charCodeAt(i + 1) : 0
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
          i++
          codes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f))
          continue
        }
        c = 0xfffd
      }
      codes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f))
    }
  }
  let out = ''
  for (let k = 0; k < codes.length; k += 8192) {
    out += String.fromCharCode.apply(null, codes.slice(k, k + 8192))
  }
  return out
}

/** {@link pairRank} with {@link NO_RANK} for "not a token". */
function pair(table: RankTable, left: number, right: number): number {
  const rank = pairRank(table, left, right)
  return rank < 0 ? NO_RANK : rank
}

/** {@link memoPairRank} with {@link NO_RANK} for "not a token". */
function memoPair(table: RankTable, left: number, right: number): number {
  const rank = memoPairRank(table, left, right)
  return rank < 0 ? NO_RANK : rank
}

/** Rank of the two-byte token `a b`, or {@link NO_RANK}, from the flat table. */
function bytePair(table: RankTable, a: number, b: number): number {
  const rank = table.bytePairRanks[(a << 8) | b] as number
  return rank < 0 ? NO_RANK : rank
}

// Scratch arrays of the simple merge, reused so that counting allocates
// nothing per short piece; grown (only ever by tests) for longer pieces.
let scratchIds = new Int32Array(SIMPLE_MERGE_MAX_BYTES)
let scratchPairs = new Int32Array(SIMPLE_MERGE_MAX_BYTES)

/**
 * The simple merge of `bytes[start, end)` (at least one byte) into the scratch
 * arrays: leaves the parts' token ids in `scratchIds[0 … parts)` and returns
 * the number of parts. Parts are tracked by token id only (a part's length is
 * its token's length), so a merge shifts two short arrays.
 */
function mergeSimpleScratch(table: RankTable, bytes: string, start: number, end: number): number {
  const n = end - start
  if (n > scratchIds.length) {
    scratchIds = new Int32Array(n)
    scratchPairs = new Int32Array(n)
  }
  const ids = scratchIds
  const pairs = scratchPairs // pairs[i]: rank of parts i and i+1 merged, NO_RANK if not a token
  const byteRanks = table.byteRanks
  let left = bytes.charCodeAt(start)
  ids[0] = byteRanks[left] as number
  for (let i = 1; i < n; i++) {
    const right = bytes.charCodeAt(start + i)
    ids[i] = byteRanks[right] as number
    pairs[i - 1] = bytePair(table, left, right)
    left = right
  }
  let parts = n
  for (;;) {
    let min = NO_RANK
    let at = -1
    for (let i = 0; i < parts - 1; i++) {
      const r = pairs[i] as number
      if (r < min) {
        min = r
        at = i
      }
    }
    if (at < 0) break
    // Merge parts `at` and `at + 1`: drop part at+1; later parts and pairs shift left.
    ids[at] = min
    parts--
    for (let i = at + 1; i < parts; i++) ids[i] = ids[i + 1] as number
    for (let i = at + 1; i < parts - 1; i++) pairs[i] = pairs[i + 1] as number
    if (at + 1 < parts) pairs[at] = pair(table, min, ids[at + 1] as number)
    if (at > 0) pairs[at - 1] = pair(table, ids[at - 1] as number, min)
  }
  return parts
}

/**
 * Merges `bytes` by rescanning all adjacent pairs after every merge, like
 * js-tiktoken, on flat arrays. O(n²) worst case: counting uses it for
 * pieces of at most {@link SIMPLE_MERGE_MAX_BYTES} bytes.
 *
 * Parts are tracked by token id (every part is a token), so a pair's rank is a
 * {@link pairRank} lookup rather than a slice and a string hash.
 *
 * @param table - Rank table.
 * @param bytes - The piece as a byte string.
 * @returns Part boundaries: `[0, …, bytes.length]`; part k is `[b[k], b[k+1])`.
 */
export function mergeSimple(table: RankTable, bytes: string): number[] {
  if (bytes.length === 0) return [0]
  const parts = mergeSimpleScratch(table, bytes, 0, bytes.length)
  const bounds: number[] = [0]
  let at = 0
  for (let k = 0; k < parts; k++) {
    at += table.tokenLengths[scratchIds[k] as number] as number
    bounds.push(at)
  }
  return bounds
}

/**
 * Merges `bytes` with a binary min-heap of candidate pairs keyed by
 * (rank, left offset) over a doubly linked list of parts. A heap entry is
 * checked when popped (lazy invalidation): it is current when its left part
 * still exists and the pair starting there still has that rank. Every current
 * pair has an entry with its exact key, so a current entry that pops is a
 * minimum by (rank, offset) — the same pair js-tiktoken merges next.
 * O(n log n) time, O(n) memory.
 *
 * @param table - Rank table.
 * @param bytes - The piece as a byte string.
 * @returns Part boundaries, as {@link mergeSimple}.
 */
export function mergeHeap(table: RankTable, bytes: string): number[] {
  const n = bytes.length
  if (n < 2) return n === 0 ? [0] : [0, 1]
  const { parts, next } = mergeHeapLinks(table, bytes, 0, n)
  const bounds: number[] = new Array<number>(parts + 1)
  let s = 0
  for (let k = 0; k < parts; k++) {
    bounds[k] = s
    s = next[s] as number
  }
  bounds[parts] = n
  return bounds
}

// The heap of the heap merge: binary min-heap of numbers in a Float64Array,
// as plain functions (closures made per piece were slow to optimize).

/** Moves `key` down from slot `i` of the heap `heap[0, size)` to its place. */
function siftDown(heap: Float64Array, size: number, i: number, key: number): void {
  const half = size >> 1
  while (i < half) {
    let child = 2 * i + 1
    let c = heap[child] as number
    const right = child + 1
    if (right < size && (heap[right] as number) < c) {
      child = right
      c = heap[right] as number
    }
    if (c >= key) break
    heap[i] = c
    i = child
  }
  heap[i] = key
}

/** Adds `key` at slot `i` (the heap's size) and moves it up to its place. */
function siftUp(heap: Float64Array, i: number, key: number): void {
  while (i > 0) {
    const parent = (i - 1) >> 1
    const p = heap[parent] as number
    if (p <= key) break
    heap[i] = p
    i = parent
  }
  heap[i] = key
}

/** `heap` if it has room for a key after its first `size`, else a copy twice as large. */
function withRoom(heap: Float64Array, size: number): Float64Array {
  if (size < heap.length) return heap
  const grown = new Float64Array(heap.length * 2)
  grown.set(heap)
  return grown
}

/**
 * The heap merge of `bytes[start, end)` (at least two bytes): returns the
 * number of parts and the links between them, parts being named by their
 * offset in the range (`next[s]` is the start of the part after the one at
 * `s`, the range length after the last).
 */
function mergeHeapLinks(
  table: RankTable,
  bytes: string,
  start: number,
  end: number,
): { parts: number; next: Int32Array } {
  const n = end - start
  // Parts are named by their start offset. next[s] is the start of the
  // following part (n after the last); prev[s] the start of the previous one;
  // ids[s] its token id.
  const next = new Int32Array(n)
  const prev = new Int32Array(n)
  const ids = new Int32Array(n)
  // rank[s]: current rank of the pair (part s, next part); NO_RANK if none or s is gone.
  const rank = new Int32Array(n)
  // Heap keys: rank * n + start. Exact in a double: ranks < 2^18, n < 2^35.
  const scale = n
  let heap: Float64Array = new Float64Array(Math.max(16, n))
  let size = 0

  const byteRanks = table.byteRanks
  for (let i = 0; i < n; i++) {
    next[i] = i + 1
    prev[i] = i - 1
    ids[i] = byteRanks[bytes.charCodeAt(start + i)] as number
  }
  for (let i = 0; i + 1 < n; i++) {
    const r = bytePair(table, bytes.charCodeAt(start + i), bytes.charCodeAt(start + i + 1))
    rank[i] = r
    if (r !== NO_RANK) heap[size++] = r * scale + i
  }
  rank[n - 1] = NO_RANK
  // Heapify (Floyd).
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(heap, size, i, heap[i] as number)

  let parts = n
  while (size > 0) {
    const key = heap[0] as number
    const last = heap[--size] as number
    if (size > 0) siftDown(heap, size, 0, last)
    const r = Math.floor(key / scale)
    const s = key - r * scale
    if (rank[s] !== r) continue // stale
    // Merge part s with the part starting at t = next[s]; the merged part ends at u.
    const t = next[s] as number
    const u = next[t] as number
    next[s] = u
    if (u < n) prev[u] = s
    ids[s] = r
    rank[t] = NO_RANK
    parts--
    const after = u < n ? memoPair(table, r, ids[u] as number) : NO_RANK
    rank[s] = after
    if (after !== NO_RANK) {
      heap = withRoom(heap, size)
      siftUp(heap, size++, after * scale + s)
    }
    if (s > 0) {
      const p = prev[s] as number
      const before = memoPair(table, ids[p] as number, r)
      rank[p] = before
      if (before !== NO_RANK) {
        heap = withRoom(heap, size)
        siftUp(heap, size++, before * scale + p)
      }
    }
  }
  return { parts, next }
}

/**
 * Number of tokens js-tiktoken's `encode` produces for one piece: 1 when the
 * whole piece is a token (js-tiktoken checks that before merging) or a single
 * byte, otherwise the number of parts after merging.
 *
 * @param table - Rank table.
 * @param bytes - The piece as a byte string (see {@link utf8ByteString}).
 * @returns The token count (0 for an empty piece).
 */
export function countPieceTokens(table: RankTable, bytes: string): number {
  return countRangeTokens(table, bytes, 0, bytes.length)
}

/**
 * {@link countPieceTokens} of the piece `bytes[start, end)`, without cutting it
 * out: the whole-piece lookup goes through {@link rangeRank} and the merges read
 * the bytes in place. Allocates nothing for pieces of at most
 * {@link SIMPLE_MERGE_MAX_BYTES} bytes.
 *
 * @param table - Rank table.
 * @param bytes - A string whose range `[start, end)` is a byte string (every
 *   code unit in 0–255), e.g. a plain-ASCII piece inside the text it was found in.
 * @param start - Start of the piece.
 * @param end - End of the piece (exclusive).
 * @returns The token count (0 for an empty piece).
 */
export function countRangeTokens(table: RankTable, bytes: string, start: number, end: number): number {
  const n = end - start
  if (n <= 1) return n < 0 ? 0 : n
  if (n === 2) return bytePair(table, bytes.charCodeAt(start), bytes.charCodeAt(start + 1)) === NO_RANK ? 2 : 1
  if (n <= table.maxTokenBytes && rangeRank(table, bytes, start, end) >= 0) return 1
  return n <= SIMPLE_MERGE_MAX_BYTES ? mergeSimpleScratch(table, bytes, start, end) : mergeHeapLinks(table, bytes, start, end).parts
}

/**
 * The token ids js-tiktoken's `encode` produces for one piece (whole-piece
 * shortcut included). Slower than {@link countPieceTokens}; for tests and
 * diagnostics.
 *
 * @param table - Rank table.
 * @param bytes - The piece as a byte string.
 * @param merge - Merge to use; by default chosen by length like {@link countPieceTokens}.
 * @returns Token ids, in order.
 */
export function encodePieceTokens(
  table: RankTable,
  bytes: string,
  merge?: (table: RankTable, bytes: string) => number[],
): number[] {
  const n = bytes.length
  if (n === 0) return []
  const whole = rangeRank(table, bytes, 0, n)
  if (whole >= 0) return [whole]
  const run = merge ?? (n <= SIMPLE_MERGE_MAX_BYTES ? mergeSimple : mergeHeap)
  const bounds = run(table, bytes)
  const ids: number[] = []
  for (let k = 0; k + 1 < bounds.length; k++) {
    ids.push(rankOf(table, bytes, bounds[k] as number, bounds[k + 1] as number))
  }
  return ids
}
