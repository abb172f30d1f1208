/**
 * Packed rank data: every token's bytes concatenated in rank order, with one
 * length byte per rank, the form the rank table is built from.
 *
 * Packed data comes from one of two places:
 *
 * - a rank file, `dist/ranks/<encoding>.bin`, written at build time from
 *   js-tiktoken's rank data by `scripts/pack-ranks.ts` and read with one
 *   `readFileSync` (`rank-file.ts`): no base64 and no string per token;
 * - js-tiktoken's rank data itself ({@link packEncodingData}), decoded in one
 *   pass into one byte array, when the rank file is missing or unusable (from
 *   the sources, in a bundle that did not copy the file).
 *
 * Both give the same bytes; `test/count/packed.test.ts` checks every rank and
 * every byte against js-tiktoken's own tables.
 *
 * Rank file layout (format 1), numbers as unsigned 32-bit little-endian:
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 4 | magic `PFRK` |
 * | 4 | 4 | format version, 1 |
 * | 8 | 4 | `rankCount`: ranks 0 … rankCount - 1 |
 * | 12 | 4 | `tokenBytes`: total length of the tokens |
 * | 16 | 4 | length of the encoding's name (UTF-8) |
 * | 20 | 4 | length of the pre-tokenizer pattern (UTF-8) |
 * | 24 | … | the name, the pattern, `rankCount` length bytes (0: no token has this rank), the tokens' bytes in rank order |
 *
 * @module
 */

import type { EncodingData, EncodingName } from './encodings.js'

/** Rank data as one byte array. */
export interface PackedRanks {
  /** The encoding's name. */
  readonly encoding: EncodingName
  /** Pre-tokenizer regular expression source. */
  readonly patStr: string
  /** Length in bytes of the token of each rank, 0 where no token has that rank. Its length is the rank count. */
  readonly lengths: Uint8Array
  /** The tokens' bytes, in rank order, concatenated. */
  readonly bytes: Uint8Array
}

/** First four bytes of a rank file: `PFRK`. */
export const RANK_FILE_MAGIC = 0x4b524650

/** Version of the rank file layout written and read here. */
export const RANK_FILE_VERSION = 1

/** Bytes before the name in a rank file. */
const HEADER_BYTES = 24

/** Longest token a length byte can describe. */
const MAX_TOKEN_BYTES = 255

/** Value of each base64 digit by character code, -1 for other characters. */
const BASE64 = new Int8Array(128).fill(-1)
{
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  for (let i = 0; i < 64; i++) BASE64[digits.charCodeAt(i)] = i
}

const SPACE = 0x20
const NEWLINE = 0x0a
const PAD = 0x3d

/**
 * Decodes js-tiktoken's rank data (`"<tag> <offset> <base64> <base64> …"`
 * lines, the i-th token of a line having rank `offset + i`) into packed form,
 * in one pass over the text: no string per token, no `atob`.
 *
 * @param encoding - The encoding's name.
 * @param data - Rank data from `js-tiktoken/ranks/<encoding>`.
 * @returns The packed ranks.
 * @throws Error when the data is malformed (a character outside base64, a
 *   missing offset), gives one rank twice, or holds a token longer than 255 bytes.
 */
export function packEncodingData(encoding: EncodingName, data: EncodingData): PackedRanks {
  const text = data.bpe_ranks
  const length = text.length
  // Every token is at least one base64 group: 4 characters and a separator make at most 3 bytes.
  let bytes = new Uint8Array(Math.ceil((length * 3) / 4))
  let ranks = new Int32Array(16_384)
  let lengths = new Uint8Array(16_384)
  let tokens = 0
  let used = 0
  let maxRank = -1
  let inOrder = true
  let pos = 0
  while (pos < length) {
    let lineEnd = text.indexOf('\n', pos)
    if (lineEnd < 0) lineEnd = length
    if (lineEnd === pos) {
      pos++
      continue
    }
    // "<tag> <offset> ": the tokens start after the second space.
    const tagEnd = text.indexOf(' ', pos)
    const offsetEnd = tagEnd < 0 || tagEnd >= lineEnd ? -1 : text.indexOf(' ', tagEnd + 1)
    const offset = Number.parseInt(text.slice(tagEnd + 1, offsetEnd < 0 || offsetEnd > lineEnd ? lineEnd : offsetEnd), 10)
    if (tagEnd < 0 || tagEnd >= lineEnd || !Number.isInteger(offset) || offset < 0) {
      throw new Error(`Rank data for ${encoding} has a line without a rank offset at character ${pos}`)
    }
    let rank = offset
    let p = offsetEnd < 0 || offsetEnd > lineEnd ? lineEnd : offsetEnd + 1
    while (p < lineEnd) {
      const start = used
      let acc = 0
      let bits = 0
      let bad = 0
      let c = text.charCodeAt(p)
      while (c !== SPACE && c !== NEWLINE) {
        if (c !== PAD) {
          const digit = c < 128 ? (BASE64[c] as number) : -1
          bad |= digit
          acc = ((acc << 6) | (digit & 63)) & 0xffffff
          bits += 6
          if (bits >= 8) {
            bits -= 8
            bytes[used++] = acc >>> bits
          }
        }
        if (++p >= lineEnd) break
        c = text.charCodeAt(p)
      }
      p++
      const n = used - start
      if (bad < 0) throw new Error(`Rank data for ${encoding} has a character outside base64 in the token of rank ${rank}`)
      if (n === 0) {
        // Two spaces in a row: an empty token, which no piece can match (js-tiktoken maps '' to this rank).
        rank++
        continue
      }
      if (n > MAX_TOKEN_BYTES) throw new Error(`Rank data for ${encoding} has a token of ${n} bytes; at most ${MAX_TOKEN_BYTES} are supported`)
      if (tokens === ranks.length) {
        ranks = grow(ranks)
        lengths = grow(lengths)
      }
      if (rank <= maxRank) inOrder = false
      else maxRank = rank
      ranks[tokens] = rank
      lengths[tokens] = n
      tokens++
      rank++
    }
    pos = lineEnd + 1
  }
  bytes = bytes.subarray(0, used)
  const rankCount = maxRank + 1
  if (inOrder && tokens === rankCount) {
    // Ranks 0, 1, 2, … in order (both shipped encodings): already in rank order.
    return { encoding, patStr: data.pat_str, lengths: lengths.slice(0, tokens), bytes }
  }
  return inRankOrder(encoding, data.pat_str, bytes, ranks.subarray(0, tokens), lengths.subarray(0, tokens), rankCount)
}

/** A copy of `array` twice as long. */
function grow<T extends Int32Array | Uint8Array>(array: T): T {
  const grown = new (array.constructor as new (n: number) => T)(array.length * 2)
  grown.set(array)
  return grown
}

/**
 * Reorders tokens given in data order (`ranks[i]`, `lengths[i]`, bytes
 * consecutive) into rank order. A token repeated in the data keeps its last
 * rank, as in js-tiktoken (whose constructor keys its ranks by the base64
 * text): the earlier ones are dropped. Lines given in rank order, as in both
 * shipped encodings, never come here (the rank table gives a repeated token its
 * highest rank, which is then its last).
 */
function inRankOrder(
  encoding: EncodingName,
  patStr: string,
  bytes: Uint8Array,
  ranks: Int32Array,
  lengths: Uint8Array,
  rankCount: number,
): PackedRanks {
  const starts = new Int32Array(ranks.length)
  const last = new Map<string, number>()
  for (let i = 0, at = 0; i < ranks.length; i++) {
    starts[i] = at
    const n = lengths[i] as number
    last.set(String.fromCharCode.apply(null, bytes.subarray(at, at + n) as unknown as number[]), i)
    at += n
  }
  const byRank = new Uint8Array(rankCount)
  const from = new Int32Array(rankCount)
  for (const i of last.values()) {
    const rank = ranks[i] as number
    if (byRank[rank] !== 0) throw new Error(`Rank data for ${encoding} gives rank ${rank} twice`)
    byRank[rank] = lengths[i] as number
    from[rank] = starts[i] as number
  }
  const out = new Uint8Array(bytes.length)
  let to = 0
  for (let rank = 0; rank < rankCount; rank++) {
    const n = byRank[rank] as number
    out.set(bytes.subarray(from[rank] as number, (from[rank] as number) + n), to)
    to += n
  }
  return { encoding, patStr, lengths: byRank, bytes: out.subarray(0, to) }
}

/**
 * The rank file of packed ranks (layout in the module description).
 *
 * @param packed - Packed ranks.
 * @returns The file's bytes.
 */
export function serializeRankFile(packed: PackedRanks): Uint8Array {
  const encoder = new TextEncoder()
  const name = encoder.encode(packed.encoding)
  const pattern = encoder.encode(packed.patStr)
  const rankCount = packed.lengths.length
  const out = new Uint8Array(HEADER_BYTES + name.length + pattern.length + rankCount + packed.bytes.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, RANK_FILE_MAGIC, true)
  view.setUint32(4, RANK_FILE_VERSION, true)
  view.setUint32(8, rankCount, true)
  view.setUint32(12, packed.bytes.length, true)
  view.setUint32(16, name.length, true)
  view.setUint32(20, pattern.length, true)
  let at = HEADER_BYTES
  out.set(name, at)
  at += name.length
  out.set(pattern, at)
  at += pattern.length
  out.set(packed.lengths, at)
  at += rankCount
  out.set(packed.bytes, at)
  return out
}

/**
 * Reads a rank file. The arrays returned are views of `file`, not copies.
 *
 * @param file - The file's bytes.
 * @param encoding - The encoding the file must be for.
 * @returns The packed ranks, or a short reason why the file cannot be used
 *   (another format, another encoding, inconsistent sizes). Whether the token
 *   lengths add up to the bytes is checked when the table is built.
 */
export function parseRankFile(file: Uint8Array, encoding: EncodingName): PackedRanks | string {
  if (file.length < HEADER_BYTES) return 'too short'
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  if (view.getUint32(0, true) !== RANK_FILE_MAGIC) return 'not a rank file'
  const version = view.getUint32(4, true)
  if (version !== RANK_FILE_VERSION) return `format ${version}, expected ${RANK_FILE_VERSION}`
  const rankCount = view.getUint32(8, true)
  const tokenBytes = view.getUint32(12, true)
  const nameLength = view.getUint32(16, true)
  const patternLength = view.getUint32(20, true)
  const lengthsAt = HEADER_BYTES + nameLength + patternLength
  if (lengthsAt + rankCount + tokenBytes !== file.length) return 'sizes do not add up'
  const decoder = new TextDecoder()
  const name = decoder.decode(file.subarray(HEADER_BYTES, HEADER_BYTES + nameLength))
  if (name !== encoding) return `for ${name}, expected ${encoding}`
  // That the lengths add up to tokenBytes is checked while the table is built (tableFromPacked).
  return {
    encoding,
    patStr: decoder.decode(file.subarray(HEADER_BYTES + nameLength, lengthsAt)),
    lengths: file.subarray(lengthsAt, lengthsAt + rankCount),
    bytes: file.subarray(lengthsAt + rankCount),
  }
}
