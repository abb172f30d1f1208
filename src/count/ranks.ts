/**
 * The rank table: byte sequence → BPE rank, built once per encoding from
 * packed rank data (`packed.ts`), with the lookups the merge loop needs.
 *
 * The tokens' bytes stay packed, in one byte array in rank order
 * ({@link RankTable.tokenBytes}, {@link RankTable.tokenOffsets}). Tokens are
 * indexed by a polynomial hash of their bytes ({@link RankTable.tokenIndex}).
 * The hash of a concatenation follows from the hashes of its halves, so "is
 * token A + token B a token?" and "is this range of the text a token?" are
 * answered without building a string; a candidate found by hash is always
 * compared byte by byte with the packed bytes, so a collision costs time,
 * never exactness. No string and no `Map` entry is made per token: building
 * the table for o200k_base is a pass over 1.4 MB of bytes (~15 ms of CPU here;
 * see docs/performance.md).
 *
 * Text is read as a *byte string*: one UTF-16 code unit per byte, each in
 * 0–255 (see `utf8ByteString` in `bpe.ts`; plain ASCII text is its own byte
 * string).
 *
 * @module
 */

import { loadEncodingData, type EncodingData, type EncodingName } from './encodings.js'
import { packEncodingData, parseRankFile, type PackedRanks } from './packed.js'
import { readRankFile } from '../platform/index.js'

/** Where a rank table's packed data came from: the build's rank file, or js-tiktoken's rank data decoded at run time. */
export type RankSource = 'rank file' | 'js-tiktoken'

/** Rank lookup for one encoding. */
export interface RankTable {
  /** Which encoding this table is for. */
  readonly encoding: EncodingName
  /** Pre-tokenizer regular expression source, for `new RegExp(patStr, 'u…')`. */
  readonly patStr: string
  /** Where the packed data came from. */
  readonly source: RankSource
  /** Every token's bytes, concatenated in rank order. */
  readonly tokenBytes: Uint8Array
  /** Rank → start of its token in {@link tokenBytes}; one more entry, the end of the last token. */
  readonly tokenOffsets: Int32Array
  /** Rank → length in bytes of its token, 0 where no token has that rank. */
  readonly tokenLengths: Uint8Array
  /** Rank → {@link hashBytes} of the token's bytes (0 where no token has that rank). */
  readonly tokenHashes: Int32Array
  /** Rank of each single byte 0–255. */
  readonly byteRanks: Int32Array
  /** Rank of each two-byte token: index `(a << 8) | b` → rank of bytes `a b`, or -1 when it is not a token. */
  readonly bytePairRanks: Int32Array
  /**
   * Open-addressing index of the tokens of 2 or more bytes, two entries per
   * slot: the token's {@link hashBytes}, then its rank (-1 marks an empty slot).
   * At most half full. A byte sequence given two ranks is indexed under the
   * higher one, as js-tiktoken keeps the last.
   */
  readonly tokenIndex: Int32Array
  /**
   * Direct-mapped memo of {@link memoPairRank}: four words per slot, left rank
   * (-1 marks an empty slot), right rank, merged rank or -1, unused.
   */
  readonly pairMemo: Int32Array
  /** Length in bytes of the longest token; longer byte strings are never looked up. */
  readonly maxTokenBytes: number
  /**
   * Byte string → rank, for every ordinary (non-special) token. Built on first
   * access (~100 ms for o200k_base), for tests and diagnostics: counting never
   * reads it.
   */
  readonly ranks: ReadonlyMap<string, number>
  /** Rank → byte string (undefined where no token has the rank). Built on first access, like {@link ranks}. */
  readonly tokens: readonly (string | undefined)[]
}

/** log2 of the slots of {@link RankTable.pairMemo}: 2^14 slots of 16 bytes (256 kB, cache-resident). */
const PAIR_MEMO_BITS = 14

/** Multiplier of {@link hashBytes}. */
const HASH_BASE = 0x01000193

/** `HASH_BASE ** k` modulo 2^32, for k up to 128 (no token is longer; {@link buildRankTable} checks). */
const HASH_POWERS = new Int32Array(129)
HASH_POWERS[0] = 1
for (let k = 1; k < HASH_POWERS.length; k++) HASH_POWERS[k] = Math.imul(HASH_POWERS[k - 1] as number, HASH_BASE)

/**
 * Polynomial hash of `bytes[start, end)` modulo 2^32: the sum of
 * `byte[i] * HASH_BASE ** (end - 1 - i)`. So the hash of A + B is
 * `hash(A) * HASH_BASE ** length(B) + hash(B)`.
 */
function hashBytes(bytes: string, start: number, end: number): number {
  let h = 0
  for (let i = start; i < end; i++) h = (Math.imul(h, HASH_BASE) + bytes.charCodeAt(i)) | 0
  return h
}

/** First slot of `hash` in an index of `mask + 1` slots (the hash's bits mixed, since its low bits are weak). */
function homeSlot(hash: number, mask: number): number {
  let h = Math.imul(hash ^ (hash >>> 16), 0x45d9f3b)
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b)
  return (h ^ (h >>> 16)) & mask
}

/** Whether the tokens of `ranks` `a` and `b`, both `n` bytes long, have the same bytes. */
function sameToken(bytes: Uint8Array, offsets: Int32Array, a: number, b: number, n: number): boolean {
  const x = offsets[a] as number
  const y = offsets[b] as number
  for (let i = 0; i < n; i++) if (bytes[x + i] !== bytes[y + i]) return false
  return true
}

/**
 * Fills `offsets` (one more entry than ranks: the end), `hashes` (by
 * {@link hashBytes}) and the one- and two-byte tables from the packed tokens;
 * returns the longest token's length.
 */
function hashTokens(
  lengths: Uint8Array,
  bytes: Uint8Array,
  offsets: Int32Array,
  hashes: Int32Array,
  byteRanks: Int32Array,
  bytePairRanks: Int32Array,
): number {
  const rankCount = lengths.length
  let longest = 0
  let at = 0
  for (let rank = 0; rank < rankCount; rank++) {
    const n = lengths[rank] as number
    offsets[rank] = at
    const end = at + n
    let hash = 0
    for (let i = at; i < end; i++) hash = (Math.imul(hash, HASH_BASE) + (bytes[i] as number)) | 0
    hashes[rank] = hash
    if (n > 2) {
      if (n > longest) longest = n
    } else if (n === 1) {
      byteRanks[hash] = rank // the hash of one byte is the byte
    } else if (n === 2) {
      bytePairRanks[((bytes[at] as number) << 8) | (bytes[at + 1] as number)] = rank
    }
    at = end
  }
  offsets[rankCount] = at
  return longest
}

/**
 * Puts every token of 2 or more bytes into the empty open-addressing `index`,
 * in rank order. Bytes already indexed under an earlier rank are indexed under
 * the later one instead (js-tiktoken keeps a repeated token's last rank).
 */
function indexTokens(index: Int32Array, lengths: Uint8Array, bytes: Uint8Array, offsets: Int32Array, hashes: Int32Array): void {
  const mask = (index.length >> 1) - 1
  const rankCount = lengths.length
  for (let rank = 0; rank < rankCount; rank++) {
    const n = lengths[rank] as number
    if (n < 2) continue
    const hash = hashes[rank] as number
    let slot = homeSlot(hash, mask)
    let held = index[2 * slot + 1] as number
    while (held !== -1) {
      if (index[2 * slot] === hash && lengths[held] === n && sameToken(bytes, offsets, held, rank, n)) break
      slot = (slot + 1) & mask
      held = index[2 * slot + 1] as number
    }
    index[2 * slot] = hash
    index[2 * slot + 1] = rank
  }
}

/** The fields of a {@link RankTable} that are not built on access: plain data (strings, numbers, typed arrays) a worker thread can send. */
export type RankTableFields = Omit<RankTable, 'ranks' | 'tokens'>

/** The fields of `table` (see {@link RankTableFields}), for sending it to another thread. */
export function rankTableFields(table: RankTable): RankTableFields {
  const { encoding, patStr, source, tokenBytes, tokenOffsets, tokenLengths, tokenHashes, byteRanks, bytePairRanks, tokenIndex, pairMemo, maxTokenBytes } = table
  return { encoding, patStr, source, tokenBytes, tokenOffsets, tokenLengths, tokenHashes, byteRanks, bytePairRanks, tokenIndex, pairMemo, maxTokenBytes }
}

/** The table of `fields` ({@link rankTableFields} of a table built on another thread). */
export function tableFromFields(fields: RankTableFields): RankTable {
  return new PackedRankTable(fields)
}

/**
 * A rank table. A class, with {@link ranks} and {@link tokens} as getters on
 * its prototype: getters in the object itself made every field read in the
 * merge loop slower (measured: counting new base64 text took ~25% longer).
 */
class PackedRankTable implements RankTable {
  readonly encoding: EncodingName
  readonly patStr: string
  readonly source: RankSource
  readonly tokenBytes: Uint8Array
  readonly tokenOffsets: Int32Array
  readonly tokenLengths: Uint8Array
  readonly tokenHashes: Int32Array
  readonly byteRanks: Int32Array
  readonly bytePairRanks: Int32Array
  readonly tokenIndex: Int32Array
  readonly pairMemo: Int32Array
  readonly maxTokenBytes: number
  private rankMap: Map<string, number> | undefined = undefined
  private tokenStrings: (string | undefined)[] | undefined = undefined

  constructor(fields: RankTableFields) {
    this.encoding = fields.encoding
    this.patStr = fields.patStr
    this.source = fields.source
    this.tokenBytes = fields.tokenBytes
    this.tokenOffsets = fields.tokenOffsets
    this.tokenLengths = fields.tokenLengths
    this.tokenHashes = fields.tokenHashes
    this.byteRanks = fields.byteRanks
    this.bytePairRanks = fields.bytePairRanks
    this.tokenIndex = fields.tokenIndex
    this.pairMemo = fields.pairMemo
    this.maxTokenBytes = fields.maxTokenBytes
  }

  /** The token of `rank` as a byte string. */
  private byteString(rank: number): string {
    const start = this.tokenOffsets[rank] as number
    return String.fromCharCode.apply(null, this.tokenBytes.subarray(start, start + (this.tokenLengths[rank] as number)) as unknown as number[])
  }

  get ranks(): ReadonlyMap<string, number> {
    if (this.rankMap === undefined) {
      const map = new Map<string, number>()
      for (let rank = 0; rank < this.tokenLengths.length; rank++) if (this.tokenLengths[rank] !== 0) map.set(this.byteString(rank), rank)
      this.rankMap = map
    }
    return this.rankMap
  }

  get tokens(): readonly (string | undefined)[] {
    if (this.tokenStrings === undefined) {
      const strings = new Array<string | undefined>(this.tokenLengths.length)
      for (let rank = 0; rank < this.tokenLengths.length; rank++) strings[rank] = this.tokenLengths[rank] === 0 ? undefined : this.byteString(rank)
      this.tokenStrings = strings
    }
    return this.tokenStrings
  }
}

/**
 * Builds the rank table from packed rank data, in one pass over the ranks:
 * offsets, hashes, the one- and two-byte tables and the hash index (~15 ms of
 * CPU for o200k_base). The packed arrays are used as they are, not copied.
 *
 * @param packed - Packed rank data (`packed.ts`).
 * @param source - Where it came from, recorded on the table.
 * @returns The table.
 * @throws Error when the data does not give every single byte a rank (BPE
 *   counting relies on it; both supported encodings do), or has a token longer
 *   than 128 bytes.
 */
export function tableFromPacked(packed: PackedRanks, source: RankSource): RankTable {
  const { encoding, lengths, bytes } = packed
  const rankCount = lengths.length
  // Two simple passes, hashing then indexing: each optimizes well on its first run (one pass doing it all took ~1.5x as long).
  const offsets = new Int32Array(rankCount + 1)
  const hashes = new Int32Array(rankCount)
  const byteRanks = new Int32Array(256).fill(-1)
  const bytePairRanks = new Int32Array(1 << 16).fill(-1)
  const longest = hashTokens(lengths, bytes, offsets, hashes, byteRanks, bytePairRanks)
  const maxTokenBytes = longest > 2 ? longest : bytePairRanks.some((rank) => rank >= 0) ? 2 : 1
  if (offsets[rankCount] !== bytes.length) {
    throw new Error(`Rank data for ${encoding} has ${bytes.length} token bytes; its lengths add up to ${offsets[rankCount]}`)
  }
  if (maxTokenBytes >= HASH_POWERS.length) {
    throw new Error(`Rank data for ${encoding} has a token of ${maxTokenBytes} bytes; at most ${HASH_POWERS.length - 1} are supported`)
  }
  for (let b = 0; b < 256; b++) {
    if (byteRanks[b] === -1) throw new Error(`Rank data for ${encoding} has no rank for byte ${b}`)
  }
  // At least twice as many slots as ranks: at most half full.
  let slots = 16
  while (slots < 2 * rankCount) slots *= 2
  const tokenIndex = new Int32Array(2 * slots).fill(-1)
  indexTokens(tokenIndex, lengths, bytes, offsets, hashes)
  return new PackedRankTable({
    encoding,
    patStr: packed.patStr,
    source,
    tokenBytes: bytes,
    tokenOffsets: offsets,
    tokenLengths: lengths,
    tokenHashes: hashes,
    byteRanks,
    bytePairRanks,
    tokenIndex,
    pairMemo: new Int32Array(4 << PAIR_MEMO_BITS).fill(-1),
    maxTokenBytes,
  })
}

/**
 * Builds the rank table from js-tiktoken rank data, decoded in one pass
 * ({@link packEncodingData}; ~45 ms of CPU for o200k_base, where the rank file
 * saves the decoding and js-tiktoken's module).
 *
 * Decoding mirrors js-tiktoken's `Tiktoken` constructor: each line is
 * `"<tag> <offset> <base64> <base64> ..."` and the i-th token gets rank
 * `offset + i`; a repeated token keeps its last rank.
 *
 * @param encoding - Name recorded on the table.
 * @param data - Rank data from `js-tiktoken/ranks/<encoding>`.
 * @returns The table.
 * @throws Error when the data is malformed, or does not give every single
 *   byte a rank (BPE counting relies on it; both supported encodings do).
 */
export function buildRankTable(encoding: EncodingName, data: EncodingData): RankTable {
  return tableFromPacked(packEncodingData(encoding, data), 'js-tiktoken')
}

/**
 * The rank table of `encoding` for counting: from the build's rank file
 * (`dist/ranks/<encoding>.bin`, one read, ~15 ms of CPU in all for
 * o200k_base) when there is a usable one next to the running code, else from
 * js-tiktoken's rank data ({@link buildRankTable}). Both give the same table.
 *
 * @param encoding - A supported encoding.
 * @returns A new table.
 */
export function loadRankTable(encoding: EncodingName): RankTable {
  const given = provided.get(encoding)
  if (given !== undefined) {
    provided.delete(encoding)
    return given
  }
  const file = readRankFile(encoding)
  const packed = file === undefined ? undefined : parseRankFile(file, encoding)
  if (packed !== undefined && typeof packed !== 'string') {
    try {
      return tableFromPacked(packed, 'rank file')
    } catch {
      // A damaged file: js-tiktoken's data below gives the table, or the error.
    }
  }
  return buildRankTable(encoding, loadEncodingData(encoding))
}

/** Tables built elsewhere (see {@link expectRankTable}) that the next {@link loadRankTable} of their encoding takes. */
const provided = new Map<EncodingName, RankTable>()
/** Tables being built elsewhere, by encoding. */
const arriving = new Map<EncodingName, Promise<unknown>>()

/**
 * A table of `encoding` is being built elsewhere (by the parser's worker thread, see
 * `rankTableOffThread`): once it has come, the next {@link loadRankTable} of that encoding
 * takes it instead of building one; {@link rankTableArrival} waits for it. A table that does
 * not come (`undefined`, an error, another encoding) changes nothing.
 *
 * @param encoding - The encoding.
 * @param table - The table, when it comes.
 */
export function expectRankTable(encoding: EncodingName, table: Promise<RankTable | undefined>): void {
  const arrival = table
    .then(
      (t) => {
        if (t !== undefined && t.encoding === encoding) provided.set(encoding, t)
      },
      () => undefined,
    )
    .finally(() => {
      if (arriving.get(encoding) === arrival) arriving.delete(encoding)
    })
  arriving.set(encoding, arrival)
}

/** Resolves once a table of `encoding` expected by {@link expectRankTable} has come or failed (at once when none is). */
export function rankTableArrival(encoding: EncodingName): Promise<unknown> {
  return arriving.get(encoding) ?? Promise.resolve()
}

/**
 * Rank of the token `bytes[start, end)`, or -1 when that byte sequence is not
 * a token; like `ranks.get(bytes.slice(start, end))` without the slice.
 *
 * @param table - Rank table.
 * @param bytes - A byte string (every code unit in 0–255), or any string whose
 *   range `[start, end)` is such.
 * @param start - First byte of the range.
 * @param end - End of the range (exclusive), greater than `start`.
 * @returns The rank, or -1.
 */
export function rangeRank(table: RankTable, bytes: string, start: number, end: number): number {
  const n = end - start
  if (n === 1) return table.byteRanks[bytes.charCodeAt(start)] as number
  if (n === 2) return table.bytePairRanks[(bytes.charCodeAt(start) << 8) | bytes.charCodeAt(start + 1)] as number
  if (n > table.maxTokenBytes) return -1
  const hash = hashBytes(bytes, start, end)
  const index = table.tokenIndex
  const mask = (index.length >> 1) - 1
  for (let slot = homeSlot(hash, mask); ; slot = (slot + 1) & mask) {
    const rank = index[2 * slot + 1] as number
    if (rank === -1) return -1
    if (index[2 * slot] !== hash || table.tokenLengths[rank] !== n) continue
    const packed = table.tokenBytes
    const at = (table.tokenOffsets[rank] as number) - start
    let i = start
    while (i < end && packed[at + i] === bytes.charCodeAt(i)) i++
    if (i === end) return rank
  }
}

/**
 * Rank of the token made of tokens `left` then `right`, or -1 when their
 * concatenation is not a token. Looked up in {@link RankTable.tokenIndex} by
 * the hash of the concatenation, computed from the hashes of the halves; each
 * candidate is compared byte by byte with the packed bytes of the halves. No
 * string is built: this costs about what a memo lookup would (measured:
 * ~60 ns), where building `a + b` and looking it up in a `Map` cost ~7x more.
 *
 * @param table - Rank table.
 * @param left - Rank of the left token.
 * @param right - Rank of the right token.
 * @returns The merged rank, or -1.
 */
export function pairRank(table: RankTable, left: number, right: number): number {
  const leftLength = table.tokenLengths[left] as number
  const rightLength = table.tokenLengths[right] as number
  const n = leftLength + rightLength
  if (n > table.maxTokenBytes) return -1
  const hash = (Math.imul(table.tokenHashes[left] as number, HASH_POWERS[rightLength] as number) + (table.tokenHashes[right] as number)) | 0
  const index = table.tokenIndex
  const mask = (index.length >> 1) - 1
  for (let slot = homeSlot(hash, mask); ; slot = (slot + 1) & mask) {
    const rank = index[2 * slot + 1] as number
    if (rank === -1) return -1
    if (index[2 * slot] !== hash || table.tokenLengths[rank] !== n) continue
    const packed = table.tokenBytes
    const offsets = table.tokenOffsets
    const t = offsets[rank] as number
    const a = offsets[left] as number
    let i = 0
    while (i < leftLength && packed[t + i] === packed[a + i]) i++
    if (i < leftLength) continue
    const b = (offsets[right] as number) - leftLength
    while (i < n && packed[t + i] === packed[b + i]) i++
    if (i === n) return rank
  }
}

/**
 * {@link pairRank} through the small direct-mapped memo
 * {@link RankTable.pairMemo}: long pieces merge the same few pairs over and
 * over (`'a'.repeat(n)`, a script's characters), and a memo hit touches one
 * cache line where the lookup touches several.
 *
 * @param table - Rank table.
 * @param left - Rank of the left token.
 * @param right - Rank of the right token.
 * @returns The merged rank, or -1.
 */
export function memoPairRank(table: RankTable, left: number, right: number): number {
  const memo = table.pairMemo
  const i = ((Math.imul(left, 0x9e3779b1) ^ Math.imul(right, 0x85ebca77)) >>> (32 - PAIR_MEMO_BITS)) << 2
  if (memo[i] === left && memo[i + 1] === right) return memo[i + 2] as number
  const merged = pairRank(table, left, right)
  memo[i] = left
  memo[i + 1] = right
  memo[i + 2] = merged
  return merged
}
