/**
 * The cache of short plain-ASCII pieces: token counts of pieces of 3 to
 * {@link ASCII_CACHE_MAX_LENGTH} characters, keyed by the characters themselves
 * packed into four 32-bit words, in one fixed `Int32Array`.
 *
 * Ordinary text repeats its short pieces, and a lookup here costs about one
 * memory access: no string is cut out of the text, hashed or kept, and a full
 * cache just overwrites entries. Text made of never-repeated pieces (base64,
 * hashes) misses every time without growing, clearing or rehashing anything,
 * and leaves no garbage.
 *
 * An entry is 4 words. Word k holds characters 4k … 4k+3, 7 bits each, in bits
 * 0–27; bits 28–31 of word 0 hold the length − 1 and those of word 1 the token
 * count − 1 (a piece of at most 16 bytes has at most 16 tokens). A real key's
 * word 0 is never 0 (length ≥ 3), so zeros mark empty entries. Entries are in
 * sets of {@link SET_WAYS}: a new entry goes first and moves the others one
 * place down, dropping the last.
 *
 * @module
 */

import { countRangeTokens } from './bpe.js'
import type { RankTable } from './ranks.js'

/** Longest piece (in characters) the ASCII cache holds: 16 characters of 7 bits fill its 4 words. */
export const ASCII_CACHE_MAX_LENGTH = 16

/** log2 of the number of entries: 2^17 entries of 16 bytes (2 MB). */
const ENTRY_BITS = 17

/** Entries per set: a set is one 64-byte cache line. */
const SET_WAYS = 4

/** Token counts of short ASCII pieces; see the module description. */
export type AsciiCache = Int32Array

/**
 * An empty ASCII cache.
 *
 * @returns The cache (2 MB).
 */
export function createAsciiCache(): AsciiCache {
  return new Int32Array(4 << ENTRY_BITS)
}

/** Characters `start + 4k …` (up to 4, before `end`) of `text`, 7 bits each. */
function packWord(text: string, start: number, end: number): number {
  let word = 0
  for (let i = start, shift = 0; i < end && shift < 28; i++, shift += 7) word |= text.charCodeAt(i) << shift
  return word
}

/**
 * Tokens in the plain-ASCII piece `text[start, end)` of 3 to
 * {@link ASCII_CACHE_MAX_LENGTH} characters: from the cache, else counted by
 * {@link countRangeTokens} and remembered.
 *
 * @param cache - The cache of `table`'s encoding.
 * @param table - Rank table.
 * @param text - Text containing the piece; the piece's characters are all below 128.
 * @param start - Start of the piece.
 * @param end - End of the piece (exclusive).
 * @returns The piece's token count.
 */
export function countCachedAscii(cache: AsciiCache, table: RankTable, text: string, start: number, end: number): number {
  const n = end - start
  const w0 = packWord(text, start, end) | ((n - 1) << 28)
  const w1 = n > 4 ? packWord(text, start + 4, end) : 0
  const w2 = n > 8 ? packWord(text, start + 8, end) : 0
  const w3 = n > 12 ? packWord(text, start + 12, end) : 0
  let h = Math.imul(w0 ^ Math.imul(w1, 0x9e3779b1) ^ Math.imul(w2, 0x85ebca77) ^ Math.imul(w3, 0xc2b2ae3d), 0x27d4eb2f)
  h ^= h >>> 15
  h = Math.imul(h, 0x165667b1)
  // First word of the set (SET_WAYS entries of 4 words).
  const e = ((h >>> (32 - ENTRY_BITS)) & -SET_WAYS) << 2
  for (let k = e; k < e + 4 * SET_WAYS; k += 4) {
    if (cache[k] === w0 && ((cache[k + 1] as number) & 0x0fffffff) === w1 && cache[k + 2] === w2 && cache[k + 3] === w3) {
      return ((cache[k + 1] as number) >>> 28) + 1
    }
  }
  const tokens = countRangeTokens(table, text, start, end)
  cache.copyWithin(e + 4, e, e + 4 * (SET_WAYS - 1))
  cache[e] = w0
  cache[e + 1] = w1 | ((tokens - 1) << 28)
  cache[e + 2] = w2
  cache[e + 3] = w3
  return tokens
}
