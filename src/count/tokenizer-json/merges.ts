/**
 * Byte-pair merging by a `tokenizer.json` merge list, exactly as Hugging Face
 * BPE merges: repeatedly apply the adjacent pair whose merge comes first in
 * the list (the leftmost such pair on ties) until no adjacent pair is a merge.
 *
 * Unlike tiktoken, the merge list and not the vocabulary decides: a pair whose
 * concatenation is a token but that is not listed never merges, and two merges
 * giving the same token have their own ranks. (Llama 3's list gives one token
 * up to 80 merges; Qwen's and DeepSeek's leave most splits of a token out; so
 * tiktoken's rule, merge by the concatenation's rank, would count differently.)
 *
 * The vocabulary is a `RankTable` (`../ranks.ts`) with token ids as ranks, so a
 * pair's concatenation is found by hash without building a string
 * (`pairRank`). A merge is then identified by its result and the length of its
 * left part: {@link MergeTable} keeps, for each result token, its merges' left
 * lengths and ranks.
 *
 * @module
 */

import { pairRank, type RankTable } from '../ranks.js'

/** The merge list, indexed by result token. */
export interface MergeTable {
  /** The vocabulary, token ids as ranks. */
  readonly table: RankTable
  /** Token id → first index of its merges in {@link leftLengths} / {@link ranks}; one more entry, the end. */
  readonly starts: Int32Array
  /** Length in bytes of the left part of each merge. */
  readonly leftLengths: Uint8Array
  /** Position of each merge in the merge list (its rank; lower merges first). */
  readonly ranks: Int32Array
}

/** Pieces up to this many bytes merge by rescanning; longer ones through a heap. */
export const SIMPLE_MERGE_MAX_BYTES = 128

/** Stands for "not a merge": larger than every merge rank. */
const NONE = 0x7fffffff

/** 2^32: heap keys are `rank * 2^32 + position`. */
const POSITION_SPAN = 4294967296

/**
 * Builds the merge table from merges given as (left id, right id, result id)
 * in merge-list order. A merge listed twice keeps its last rank (as the
 * reference's map of merges does).
 *
 * @param table - The vocabulary.
 * @param merges - Flat triples: left id, right id, result id, per merge.
 * @returns The merge table.
 */
export function buildMergeTable(table: RankTable, merges: Int32Array): MergeTable {
  const tokenCount = table.tokenLengths.length
  const count = merges.length / 3
  const starts = new Int32Array(tokenCount + 1)
  for (let k = 0; k < count; k++) {
    const result = merges[3 * k + 2] as number
    starts[result + 1] = (starts[result + 1] as number) + 1
  }
  for (let t = 0; t < tokenCount; t++) starts[t + 1] = (starts[t] as number) + (starts[t + 1] as number)
  // fill[t]: next free slot of token t's merges (a repeated merge takes its first slot again, keeping the last rank).
  const fill = starts.slice(0, tokenCount)
  const leftLengths = new Uint8Array(count)
  const ranks = new Int32Array(count)
  for (let k = 0; k < count; k++) {
    const leftLength = table.tokenLengths[merges[3 * k] as number] as number
    const result = merges[3 * k + 2] as number
    let at = starts[result] as number
    const end = fill[result] as number
    while (at < end && leftLengths[at] !== leftLength) at++
    if (at === end) fill[result] = end + 1
    leftLengths[at] = leftLength
    ranks[at] = k
  }
  // Slots left unused by repeated merges keep left length 0, which no token has: they never match.
  return { table, starts, leftLengths, ranks }
}

/** Result token of the last successful {@link mergeRank}. */
let mergedToken = -1

/** Rank of the merge of tokens `left` and `right`, or {@link NONE}; sets {@link mergedToken}. */
function mergeRank(m: MergeTable, left: number, right: number): number {
  const result = pairRank(m.table, left, right)
  if (result < 0) return NONE
  const leftLength = m.table.tokenLengths[left] as number
  const end = m.starts[result + 1] as number
  for (let k = m.starts[result] as number; k < end; k++) {
    if (m.leftLengths[k] === leftLength) {
      mergedToken = result
      return m.ranks[k] as number
    }
  }
  return NONE
}

const scratchIds = new Int32Array(SIMPLE_MERGE_MAX_BYTES)
const scratchRanks = new Int32Array(SIMPLE_MERGE_MAX_BYTES)
const scratchResults = new Int32Array(SIMPLE_MERGE_MAX_BYTES)

/** The rescanning merge of `bytes` (at most {@link SIMPLE_MERGE_MAX_BYTES}); returns the number of parts. */
function countSimple(m: MergeTable, bytes: string): number {
  const n = bytes.length
  const ids = scratchIds
  const ranks = scratchRanks
  const results = scratchResults
  const byteRanks = m.table.byteRanks
  for (let i = 0; i < n; i++) ids[i] = byteRanks[bytes.charCodeAt(i)] as number
  for (let i = 0; i + 1 < n; i++) {
    ranks[i] = mergeRank(m, ids[i] as number, ids[i + 1] as number)
    results[i] = mergedToken
  }
  let parts = n
  for (;;) {
    let best = NONE
    let at = -1
    for (let i = 0; i + 1 < parts; i++) {
      const r = ranks[i] as number
      if (r < best) {
        best = r
        at = i
      }
    }
    if (at < 0) return parts
    ids[at] = results[at] as number
    ids.copyWithin(at + 1, at + 2, parts)
    ranks.copyWithin(at + 1, at + 2, parts - 1)
    results.copyWithin(at + 1, at + 2, parts - 1)
    parts--
    if (at > 0) {
      ranks[at - 1] = mergeRank(m, ids[at - 1] as number, ids[at] as number)
      results[at - 1] = mergedToken
    }
    if (at + 1 < parts) {
      ranks[at] = mergeRank(m, ids[at] as number, ids[at + 1] as number)
      results[at] = mergedToken
    }
  }
}

/**
 * The heap merge of `bytes`: parts in a linked list by start position, candidate
 * merges in a binary min-heap keyed by (rank, position), checked when popped
 * (a merge rank names one pair of tokens, so an entry is current exactly when
 * its position still starts a part followed by a part and that pair still has
 * the entry's rank). O(n log n).
 */
function countHeap(m: MergeTable, bytes: string): number {
  const n = bytes.length
  const ids = new Int32Array(n)
  const next = new Int32Array(n)
  const prev = new Int32Array(n)
  const alive = new Uint8Array(n).fill(1)
  let heap = new Float64Array(n)
  let size = 0
  const push = (key: number): void => {
    if (size === heap.length) {
      const grown = new Float64Array(heap.length * 2)
      grown.set(heap)
      heap = grown
    }
    let i = size++
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent] as number
      if (p <= key) break
      heap[i] = p
      i = parent
    }
    heap[i] = key
  }
  const pop = (): number => {
    const top = heap[0] as number
    const last = heap[--size] as number
    let i = 0
    for (;;) {
      let child = 2 * i + 1
      if (child >= size) break
      if (child + 1 < size && (heap[child + 1] as number) < (heap[child] as number)) child++
      const c = heap[child] as number
      if (c >= last) break
      heap[i] = c
      i = child
    }
    if (size > 0) heap[i] = last
    return top
  }
  const byteRanks = m.table.byteRanks
  for (let i = 0; i < n; i++) {
    ids[i] = byteRanks[bytes.charCodeAt(i)] as number
    next[i] = i + 1 < n ? i + 1 : -1
    prev[i] = i - 1
  }
  for (let i = 0; i + 1 < n; i++) {
    const r = mergeRank(m, ids[i] as number, ids[i + 1] as number)
    if (r !== NONE) push(r * POSITION_SPAN + i)
  }
  let parts = n
  while (size > 0) {
    const key = pop()
    const rank = Math.floor(key / POSITION_SPAN)
    const pos = key - rank * POSITION_SPAN
    const right = next[pos] as number
    if (alive[pos] === 0 || right < 0) continue
    if (mergeRank(m, ids[pos] as number, ids[right] as number) !== rank) continue
    ids[pos] = mergedToken
    alive[right] = 0
    const after = next[right] as number
    next[pos] = after
    if (after >= 0) prev[after] = pos
    parts--
    const before = prev[pos] as number
    if (before >= 0) {
      const r = mergeRank(m, ids[before] as number, ids[pos] as number)
      if (r !== NONE) push(r * POSITION_SPAN + before)
    }
    if (after >= 0) {
      const r = mergeRank(m, ids[pos] as number, ids[after] as number)
      if (r !== NONE) push(r * POSITION_SPAN + pos)
    }
  }
  return parts
}

/**
 * Number of tokens BPE makes of `bytes` by the merge list (every byte is a
 * token, and every merge's result is one, so the count is the number of parts).
 *
 * @param m - The merge table.
 * @param bytes - A byte string (one code unit 0–255 per byte), not empty.
 * @returns The token count.
 */
export function countMerged(m: MergeTable, bytes: string): number {
  const n = bytes.length
  if (n < 2) return n
  return n <= SIMPLE_MERGE_MAX_BYTES ? countSimple(m, bytes) : countHeap(m, bytes)
}
