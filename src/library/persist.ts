/**
 * The persistent library index: what indexing a library root found, per file, kept in a
 * {@link LibraryIndexStore} between processes (see `loadLibrary`'s `indexStore`).
 *
 * One binary value per root, laid out so that a load reads it without building an object per
 * file: a header; a JSON part (version, root key, time, the vocabulary of the match rows and
 * the strings of the match categories and tags); then columns, one typed array per field (the
 * stat, `checkedAt`, size, role, where each file's row, tags and details are); the match rows as
 * 32-bit words; the paths (one string, a line each); and each file's details (digest,
 * frontmatter, diagnostics, token counts) as a JSON text of its own, parsed only when that file's
 * entry is asked for ({@link IndexView.details}). A value of another format, promptfold version,
 * root or byte order, or whose checksum, lengths or contents do not add up, opens to `undefined`:
 * the library is indexed afresh and the value replaced.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import * as zlib from 'node:zlib'
import type { Frontmatter, FrontmatterResult } from '../parse/frontmatter.js'
import type { Diagnostic } from '../types.js'
import { VERSION } from '../version.js'
import { type MatchIndexParts, Vocabulary } from './match.js'

/** What identifies a file's content without reading it: size, times and inode. */
export interface FileStat {
  size: number
  mtimeMs: number
  ctimeMs: number
  ino: number
}

/** Role of a file in the library: a document, a skill's `SKILL.md`, or another file of a skill folder. */
export type FileRole = 'document' | 'skill' | 'file'

/** What the index keeps of a file's content, parsed only when asked for (see {@link IndexView.details}). */
export interface FileDetails {
  /** SHA-256 of the text. */
  digest: string
  /** SHA-256 of the bytes (files of skills). */
  sha256?: string
  /** Frontmatter (documents and `SKILL.md`); `bodyOffset` and `present` as `readFrontmatter` gave them. */
  fm: FrontmatterResult<Frontmatter>
  readDiagnostics: Diagnostic[]
  /** Lines of the frontmatter keys `category` and `id`, for the entry's diagnostics. */
  lines: { category?: number; id?: number }
  /** Exact token counts of the text, by encoding. */
  tokens?: Record<string, number>
}

/** What an entry contributes to the match index besides its row: its category and its tags as the `tags` filter compares them. */
export interface MatchInfo {
  category: string
  tags: readonly string[]
}

/** What the index keeps of one file (all of it but its text). */
export interface PersistedFile extends FileDetails {
  /** Path relative to the root. */
  path: string
  role: FileRole
  /** The file's stat when its content was read. */
  stat: FileStat
  /** `Date.now()` just before that stat: a file modified less than {@link RACY_MS} before it is read again next time. */
  checkedAt: number
  bytes: number
  /** Binary file of a skill folder. */
  binary?: boolean
  /** The match row (see `matchRow`), in the index's vocabulary. */
  row?: Uint32Array
  /** An entry's category and tags for the match index (files that are no entry have none). */
  match?: MatchInfo
  /**
   * The details as a stored index held them ({@link IndexView.rawDetails}): written as they are
   * instead of the detail fields above (a file known from the index, its details unchanged, is
   * never decoded to be written again).
   */
  rawDetails?: Uint8Array
}

/**
 * A built match index to keep with the files (see `MatchIndex.parts`): its arrays but the URIs,
 * and which file each of its entries is, as an index in the files given to {@link encodeIndex}.
 */
export interface StoredPostings {
  parts: Omit<MatchIndexParts, 'uris'>
  /** The file of each entry, in the index's entry order (indexes in the list of files). */
  entries: ArrayLike<number>
}

/** A decoded index: its files by path and the vocabulary of their rows. */
export interface PersistedIndex {
  files: Map<string, PersistedFile>
  vocabulary: Vocabulary
  /** When the index was written (`Date.now()`). */
  writtenAt: number
}

/** A file changed this close (ms) to the moment it was read may have changed again within the same timestamp: it is read again (as git does with "racily clean" files). */
export const RACY_MS = 2000

const MAGIC = 'PFLIBIDX'
/** Bump when the layout or the meaning of a field changes. */
const FORMAT = 3
const BYTE_ORDER = 0x01020304
/** Header: magic (8 bytes), then 32-bit words: format, byte order, meta, paths, count, tags, words, details lengths, checksum. */
const HEADER_BYTES = 48
const CHECKSUM_AT = 44
/** Columns of 64-bit floats: size, mtimeMs, ctimeMs, ino, checkedAt, bytes. */
const F64_COLUMNS = 6
const NONE = 0xffffffff
const ROLES: readonly FileRole[] = ['document', 'skill', 'file']
const BINARY = 1

const align8 = (n: number) => (n + 7) & ~7

/** Checksum of the bytes: CRC-32 where Node has it, else the first 32 bits of an MD5. */
function checksum(parts: readonly Uint8Array[]): number {
  const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32
  if (typeof crc32 === 'function') {
    let value = 0
    // Empty parts are skipped: Node 20's crc32 answers 0 for an empty array over an empty ArrayBuffer, whatever the value.
    for (const p of parts) if (p.length > 0) value = crc32(p, value)
    return value >>> 0
  }
  const hash = createHash('md5')
  for (const p of parts) hash.update(p)
  return hash.digest().readUInt32LE(0)
}

/** Whether `value` survives JSON unchanged (plain objects and arrays of strings, finite numbers, booleans, null; no `undefined` inside). */
export function jsonSafe(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0)
  if (depth > 64 || typeof value !== 'object') return false
  if (Array.isArray(value)) return value.every((v) => jsonSafe(v, depth + 1))
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return false
  return Object.values(value).every((v) => jsonSafe(v, depth + 1))
}

/** A file for {@link encodeIndex}: its details as fields, or as the bytes a stored index held them in. */
export type IndexFile = PersistedFile | (Omit<PersistedFile, keyof FileDetails | 'rawDetails'> & { rawDetails: Uint8Array })

/** Whether a file's persisted form is exact (its frontmatter and diagnostics survive JSON). */
export function persistable(file: IndexFile): file is IndexFile {
  if (file.rawDetails) return true
  if (!('fm' in file)) return false
  return jsonSafe(file.fm.meta) && jsonSafe(file.fm.data) && jsonSafe(file.fm.diagnostics) && jsonSafe(file.readDiagnostics)
}

/** The sections of an index value of `count` files, as byte offsets. */
function layout(metaBytes: number, count: number, tagCount: number, wordCount: number, pathBytes: number, detailBytes: number) {
  const meta = HEADER_BYTES
  const f64 = align8(meta + metaBytes)
  // u32 columns: detailEnd, rowStart, rowLength, category (count each), tagStart (count + 1), then the tag ids and the words.
  const u32 = f64 + F64_COLUMNS * 8 * count
  const tagIds = u32 + 4 * (4 * count + count + 1)
  const words = tagIds + 4 * tagCount
  const u8 = words + 4 * wordCount
  const paths = align8(u8 + 2 * count)
  const details = paths + pathBytes
  return { meta, f64, u32, tagIds, words, u8, paths, details, end: details + detailBytes }
}

/** The details of a file as JSON (the fields of {@link FileDetails}, in that order). */
function detailsJson(file: PersistedFile): string {
  const details: FileDetails = { digest: file.digest, fm: file.fm, readDiagnostics: file.readDiagnostics, lines: file.lines }
  if (file.sha256 !== undefined) details.sha256 = file.sha256
  if (file.tokens !== undefined) details.tokens = file.tokens
  return JSON.stringify(details)
}

/**
 * Encode an index of `files` for the library `key` (files whose frontmatter is not plain JSON
 * are left out: they are read again next time). Only the terms the rows use are kept, unless
 * `postings` are kept too (their term ids are the vocabulary's); postings whose entries are not
 * all kept are left out.
 */
export function encodeIndex(key: string, files: Iterable<IndexFile>, vocabulary: Vocabulary, writtenAt: number, postings?: StoredPostings): Uint8Array {
  const kept: IndexFile[] = []
  /** Position of each given file among the kept ones (-1: left out). */
  const position: number[] = []
  let wordCount = 0
  let tagCount = 0
  for (const file of files) {
    if (!persistable(file)) {
      position.push(-1)
      continue
    }
    position.push(kept.length)
    kept.push(file)
    wordCount += file.row?.length ?? 0
    tagCount += file.match?.tags.length ?? 0
  }
  const n = kept.length
  // Each file's details as JSON (or as stored), measured, then written into the value: the JSON
  // is made twice rather than held, so that a first write does not hold every file's text at once.
  const detailEnd = new Uint32Array(n)
  let detailBytes = 0
  const strings = new Map<string, number>()
  const stringId = (s: string) => {
    let id = strings.get(s)
    if (id === undefined) strings.set(s, (id = strings.size))
    return id
  }
  kept.forEach((file, i) => {
    detailBytes += file.rawDetails ? file.rawDetails.length : Buffer.byteLength(detailsJson(file as PersistedFile), 'utf8')
    detailEnd[i] = detailBytes
    if (file.match) {
      stringId(file.match.category)
      for (const t of file.match.tags) stringId(t)
    }
  })
  const entryFiles = postings && Array.from(postings.entries, (i) => position[i] ?? -1)
  const keptPostings = postings && entryFiles && entryFiles.every((i) => i >= 0) && entryFiles.length === postings.parts.uriRank.length ? postings : undefined
  // Terms used by some row, renumbered in order of first use (all of them, in order, when postings are kept).
  const remap = new Int32Array(vocabulary.size).fill(-1)
  const terms: string[] = []
  if (keptPostings) for (let t = 0; t < vocabulary.size; t++) terms.push(vocabulary.term((remap[t] = t)) ?? '')
  for (const file of kept) {
    const row = file.row
    if (!row) continue
    for (let i = 7; i < row.length; i += 2) {
      const w = row[i] as number
      if ((remap[w] as number) < 0) {
        remap[w] = terms.length
        terms.push(vocabulary.term(w) ?? '')
      }
    }
  }
  const p = keptPostings?.parts
  const postingsMeta = p && { entries: p.uriRank.length, total: p.doc.length, tagIds: p.tagIds.length, categoryNames: p.categoryNames, tagNames: p.tagNames }
  const meta = Buffer.from(JSON.stringify({ version: VERSION, key, writtenAt, terms, strings: [...strings.keys()], ...(postingsMeta ? { postings: postingsMeta } : {}) }), 'utf8')
  const paths = Buffer.from(kept.map((f) => f.path).join('\n'), 'utf8')
  const at = layout(meta.length, n, tagCount, wordCount, paths.length, detailBytes)
  const postingsAt = p ? postingsLayout(at.end, terms.length, p.doc.length, p.uriRank.length, p.tagIds.length) : undefined
  const out = Buffer.alloc(postingsAt?.end ?? at.end)
  out.write(MAGIC, 0, 'latin1')
  const head = new Uint32Array(out.buffer, out.byteOffset + 8, 10)
  head.set([FORMAT, BYTE_ORDER, meta.length, paths.length, n, tagCount, wordCount, detailBytes])
  meta.copy(out, at.meta)
  const f64 = new Float64Array(out.buffer, out.byteOffset + at.f64, F64_COLUMNS * n)
  const u32 = new Uint32Array(out.buffer, out.byteOffset + at.u32, 5 * n + 1 + tagCount + wordCount)
  const u8 = new Uint8Array(out.buffer, out.byteOffset + at.u8, 2 * n)
  u32.set(detailEnd, 0)
  let word = 5 * n + 1 + tagCount
  let tag = 5 * n + 1
  u32[4 * n] = 0
  kept.forEach((file, i) => {
    f64[i] = file.stat.size
    f64[n + i] = file.stat.mtimeMs
    f64[2 * n + i] = file.stat.ctimeMs
    f64[3 * n + i] = file.stat.ino
    f64[4 * n + i] = file.checkedAt
    f64[5 * n + i] = file.bytes
    u8[i] = ROLES.indexOf(file.role)
    u8[n + i] = file.binary ? BINARY : 0
    const row = file.row
    u32[n + i] = word - (5 * n + 1 + tagCount)
    u32[2 * n + i] = row ? row.length : 0
    if (row) {
      for (let j = 0; j < row.length; j++) u32[word + j] = j >= 7 && (j - 7) % 2 === 0 ? (remap[row[j] as number] as number) : (row[j] as number)
      word += row.length
    }
    u32[3 * n + i] = file.match ? (strings.get(file.match.category) as number) : NONE
    for (const t of file.match?.tags ?? []) u32[tag++] = strings.get(t) as number
    u32[4 * n + i + 1] = tag - (5 * n + 1)
  })
  paths.copy(out, at.paths)
  let written = at.details
  for (const file of kept) {
    if (file.rawDetails) {
      out.set(file.rawDetails, written)
      written += file.rawDetails.length
    } else written += out.write(detailsJson(file as PersistedFile), written, 'utf8')
  }
  if (written !== at.details + detailBytes) throw new Error('library index: the details changed while they were written')
  if (p && postingsAt && entryFiles) {
    const start = new Int32Array(out.buffer, out.byteOffset + postingsAt.start, terms.length + 1)
    start.set(p.start.subarray(0, Math.min(p.start.length, terms.length + 1)))
    // Terms added to the vocabulary after the index was built have no postings.
    start.fill(p.doc.length, p.start.length)
    new Float64Array(out.buffer, out.byteOffset + postingsAt.part, p.part.length).set(p.part)
    new Int32Array(out.buffer, out.byteOffset + postingsAt.doc, p.doc.length).set(p.doc)
    new Int32Array(out.buffer, out.byteOffset + postingsAt.uriRank, p.uriRank.length).set(p.uriRank)
    new Int32Array(out.buffer, out.byteOffset + postingsAt.category, p.category.length).set(p.category)
    new Int32Array(out.buffer, out.byteOffset + postingsAt.tagStart, p.tagStart.length).set(p.tagStart)
    new Int32Array(out.buffer, out.byteOffset + postingsAt.tagIds, p.tagIds.length).set(p.tagIds)
    new Int32Array(out.buffer, out.byteOffset + postingsAt.entryFiles, entryFiles.length).set(entryFiles)
    out.set(p.fields, postingsAt.fields)
  }
  out.writeUInt32LE(checksum([out.subarray(0, CHECKSUM_AT), out.subarray(HEADER_BYTES)]), CHECKSUM_AT)
  return out
}

/** Where the postings' arrays lie, after the rest of the value (`from`): `part`, then the 32-bit arrays, then `fields`. */
function postingsLayout(from: number, terms: number, total: number, entries: number, tagIds: number) {
  const part = align8(from)
  const start = part + 8 * total
  const doc = start + 4 * (terms + 1)
  const uriRank = doc + 4 * total
  const category = uriRank + 4 * entries
  const tagStart = category + 4 * entries
  const tagIdsAt = tagStart + 4 * (entries + 1)
  const entryFiles = tagIdsAt + 4 * tagIds
  const fields = entryFiles + 4 * entries
  return { part, start, doc, uriRank, category, tagStart, tagIds: tagIdsAt, entryFiles, fields, end: fields + total }
}

/**
 * An opened index: its files' stats, rows and match data as columns, their details parsed one
 * file at a time when asked for. Files are numbered `0` to `count - 1`, in the order written.
 */
export interface IndexView {
  readonly count: number
  readonly writtenAt: number
  /** Terms of the rows. */
  readonly vocabulary: Vocabulary
  /** Path of each file. */
  readonly paths: readonly string[]
  /** Role of file `i`. */
  role(i: number): FileRole
  /** The stat of file `i` when it was read. */
  stat(i: number): FileStat
  /** Whether file `i` still has the stat `stat` (without building a {@link FileStat}). */
  sameStat(i: number, size: number, mtimeMs: number, ctimeMs: number, ino: number): boolean
  checkedAt(i: number): number
  bytes(i: number): number
  binary(i: number): boolean
  /** File `i`'s match row, a view into the index (in {@link vocabulary}). */
  row(i: number): Uint32Array | undefined
  /** File `i`'s match category and tags, when it is an entry. */
  match(i: number): MatchInfo | undefined
  /** File `i`'s details, parsed and checked; `undefined` when they do not add up (the file is read again). */
  details(i: number): FileDetails | undefined
  /** File `i`'s details as stored (see {@link PersistedFile.rawDetails}). */
  rawDetails(i: number): Uint8Array
  /** The match index kept with the files, if one was (see {@link StoredPostings}; `entries` are file numbers of this index). */
  readonly postings: StoredPostings | undefined
}

/** The postings of an index value (`null`: they do not add up), checked once so that searching them cannot go wrong. */
function storedPostings(bytes: Buffer, from: number, meta: unknown, terms: number, files: number): { value: StoredPostings; end: number } | null {
  if (!isObject(meta) || !isCount(meta.entries) || !isCount(meta.total) || !isCount(meta.tagIds) || !isStrings(meta.categoryNames) || !isStrings(meta.tagNames)) return null
  const { entries: n, total, tagIds: tagCount, categoryNames, tagNames } = meta
  const at = postingsLayout(from, terms, total, n, tagCount)
  if (bytes.length < at.end) return null
  const i32 = (offset: number, length: number) => new Int32Array(bytes.buffer, bytes.byteOffset + offset, length)
  const part = new Float64Array(bytes.buffer, bytes.byteOffset + at.part, total)
  const start = i32(at.start, terms + 1)
  const doc = i32(at.doc, total)
  const uriRank = i32(at.uriRank, n)
  const category = i32(at.category, n)
  const tagStart = i32(at.tagStart, n + 1)
  const tagIds = i32(at.tagIds, tagCount)
  const entryFiles = i32(at.entryFiles, n)
  const fields = new Uint8Array(bytes.buffer, bytes.byteOffset + at.fields, total)
  if (start[0] !== 0 || start[terms] !== total || tagStart[0] !== 0 || tagStart[n] !== tagCount) return null
  for (let t = 0; t < terms; t++) if ((start[t] as number) > (start[t + 1] as number)) return null
  for (let k = 0; k < total; k++) {
    const d = doc[k] as number
    const x = part[k] as number
    if (d < 0 || d >= n || !(x > 0 && x <= 1) || (fields[k] as number) === 0 || (fields[k] as number) >= 128) return null
  }
  const ranked = new Uint8Array(n)
  for (let d = 0; d < n; d++) {
    const rank = uriRank[d] as number
    if (rank < 0 || rank >= n || ranked[rank] === 1) return null
    ranked[rank] = 1
    const c = category[d] as number
    if (c < 0 || c >= categoryNames.length || (tagStart[d] as number) > (tagStart[d + 1] as number)) return null
    const file = entryFiles[d] as number
    if (file < 0 || file >= files || (d > 0 && file <= (entryFiles[d - 1] as number))) return null
  }
  for (let k = 0; k < tagCount; k++) if ((tagIds[k] as number) < 0 || (tagIds[k] as number) >= tagNames.length) return null
  return { value: { parts: { start, doc, part, fields, uriRank, category, categoryNames, tagStart, tagIds, tagNames }, entries: entryFiles }, end: at.end }
}

/** Open an index written by {@link encodeIndex} for `key`; `undefined` for anything else (damaged, truncated, another format, version, root or byte order). */
export function openIndex(value: Uint8Array, key: string): IndexView | undefined {
  try {
    return open(value, key)
  } catch {
    return undefined
  }
}

function open(value: Uint8Array, key: string): IndexView | undefined {
  if (!(value instanceof Uint8Array) || value.length < HEADER_BYTES) return undefined
  // Typed-array views need aligned offsets: an unaligned value is copied once.
  const bytes = value.byteOffset % 8 === 0 ? Buffer.from(value.buffer, value.byteOffset, value.length) : Buffer.from(value)
  if (bytes.toString('latin1', 0, 8) !== MAGIC) return undefined
  const head = new Uint32Array(bytes.buffer, bytes.byteOffset + 8, 10)
  const [format, order, metaBytes, pathBytes, n, tagCount, wordCount, detailBytes] = head as unknown as number[]
  if (format !== FORMAT || order !== BYTE_ORDER) return undefined
  const at = layout(metaBytes as number, n as number, tagCount as number, wordCount as number, pathBytes as number, detailBytes as number)
  if (bytes.length < at.end) return undefined
  if (checksum([bytes.subarray(0, CHECKSUM_AT), bytes.subarray(HEADER_BYTES)]) !== bytes.readUInt32LE(CHECKSUM_AT)) return undefined
  const count = n as number
  const data = JSON.parse(bytes.toString('utf8', at.meta, at.meta + (metaBytes as number))) as Record<string, unknown>
  if (data === null || typeof data !== 'object' || data.version !== VERSION || data.key !== key || !isNumber(data.writtenAt)) return undefined
  if (!isStrings(data.terms) || !isStrings(data.strings)) return undefined
  const vocabulary = Vocabulary.of(data.terms)
  if (vocabulary.size !== data.terms.length) return undefined
  const strings = data.strings
  const postings = data.postings === undefined ? undefined : storedPostings(bytes, at.end, data.postings, vocabulary.size, count)
  if (postings === null || bytes.length !== (postings?.end ?? at.end)) return undefined
  const paths = count === 0 ? [] : bytes.toString('utf8', at.paths, at.paths + (pathBytes as number)).split('\n')
  if (paths.length !== count || paths.some((p) => p === '')) return undefined
  const f64 = new Float64Array(bytes.buffer, bytes.byteOffset + at.f64, F64_COLUMNS * count)
  const u32 = new Uint32Array(bytes.buffer, bytes.byteOffset + at.u32, 5 * count + 1 + (tagCount as number) + (wordCount as number))
  const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset + at.u8, 2 * count)
  const tagBase = 5 * count + 1
  const wordBase = tagBase + (tagCount as number)
  const words = u32.subarray(wordBase)
  // Every column checked once, so that reading one later cannot go wrong.
  let previousEnd = 0
  let previousTag = 0
  if (u32[4 * count] !== 0) return undefined
  for (let i = 0; i < count; i++) {
    const end = u32[i] as number
    if (end < previousEnd || end > (detailBytes as number)) return undefined
    previousEnd = end
    if ((u8[i] as number) >= ROLES.length || (u8[count + i] as number) > BINARY) return undefined
    for (let c = 0; c < F64_COLUMNS; c++) if (!Number.isFinite(f64[c * count + i])) return undefined
    const start = u32[count + i] as number
    const length = u32[2 * count + i] as number
    if (length !== 0 && (length < 7 || (length - 7) % 2 !== 0 || start + length > words.length)) return undefined
    const category = u32[3 * count + i] as number
    if (category !== NONE && category >= strings.length) return undefined
    const tagEnd = u32[4 * count + i + 1] as number
    if (tagEnd < previousTag || tagEnd > (tagCount as number) || (category === NONE && tagEnd !== previousTag)) return undefined
    for (let t = previousTag; t < tagEnd; t++) if ((u32[tagBase + t] as number) >= strings.length) return undefined
    previousTag = tagEnd
  }
  if (previousEnd !== detailBytes || previousTag !== tagCount) return undefined
  const detailsAt = at.details
  return {
    count,
    postings: postings?.value,
    writtenAt: data.writtenAt,
    vocabulary,
    paths,
    role: (i) => ROLES[u8[i] as number] as FileRole,
    stat: (i) => ({ size: f64[i] as number, mtimeMs: f64[count + i] as number, ctimeMs: f64[2 * count + i] as number, ino: f64[3 * count + i] as number }),
    sameStat: (i, size, mtimeMs, ctimeMs, ino) => f64[i] === size && f64[count + i] === mtimeMs && f64[2 * count + i] === ctimeMs && f64[3 * count + i] === ino,
    checkedAt: (i) => f64[4 * count + i] as number,
    bytes: (i) => f64[5 * count + i] as number,
    binary: (i) => u8[count + i] === BINARY,
    row(i) {
      const length = u32[2 * count + i] as number
      if (length === 0) return undefined
      const start = u32[count + i] as number
      // Checked when asked for (a load that takes the stored postings reads no row): one that does not add up is worked out again.
      for (let j = start + 7; j < start + length; j += 2) {
        const x = words[j + 1] as number
        if ((words[j] as number) >= vocabulary.size || (x & 7) >= 7 || x >>> 3 === 0) return undefined
      }
      return words.subarray(start, start + length)
    },
    match(i) {
      const category = u32[3 * count + i] as number
      if (category === NONE) return undefined
      const tags: string[] = []
      for (let t = u32[4 * count + i] as number, end = u32[4 * count + i + 1] as number; t < end; t++) tags.push(strings[u32[tagBase + t] as number] as string)
      return { category: strings[category] as string, tags }
    },
    rawDetails: (i) => bytes.subarray(detailsAt + (i === 0 ? 0 : (u32[i - 1] as number)), detailsAt + (u32[i] as number)),
    details(i) {
      try {
        return fileDetails(JSON.parse(bytes.toString('utf8', detailsAt + (i === 0 ? 0 : (u32[i - 1] as number)), detailsAt + (u32[i] as number))))
      } catch {
        return undefined
      }
    },
  }
}

/** Decode a whole index written by {@link encodeIndex} for `key`, every file's details parsed; `undefined` for anything else (see {@link openIndex}). */
export function decodeIndex(value: Uint8Array, key: string): PersistedIndex | undefined {
  const view = openIndex(value, key)
  if (!view) return undefined
  const files = new Map<string, PersistedFile>()
  for (let i = 0; i < view.count; i++) {
    const details = view.details(i)
    const path = view.paths[i] as string
    if (!details || files.has(path)) return undefined
    const file: PersistedFile = { path, role: view.role(i), stat: view.stat(i), checkedAt: view.checkedAt(i), bytes: view.bytes(i), ...details }
    if (view.binary(i)) file.binary = true
    const row = view.row(i)
    if (row) file.row = row
    const match = view.match(i)
    if (match) file.match = match
    files.set(path, file)
  }
  return { files, vocabulary: view.vocabulary, writtenAt: view.writtenAt }
}

const isNumber = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n)
const isCount = (n: unknown): n is number => isNumber(n) && Number.isInteger(n) && n >= 0
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string')
const HEX64 = /^[0-9a-f]{64}$/

function isDiagnostics(v: unknown): v is Diagnostic[] {
  return Array.isArray(v) && v.every((d) => isObject(d) && typeof d.code === 'string' && typeof d.severity === 'string' && typeof d.message === 'string')
}

/** One file's details, checked field by field; `undefined` when anything is off. */
function fileDetails(raw: unknown): FileDetails | undefined {
  if (!isObject(raw)) return undefined
  const { digest, sha256, fm, readDiagnostics, lines, tokens } = raw
  if (typeof digest !== 'string' || !HEX64.test(digest)) return undefined
  if (sha256 !== undefined && (typeof sha256 !== 'string' || !HEX64.test(sha256))) return undefined
  if (!isObject(fm) || !isObject(fm.meta) || !isObject(fm.data) || !isCount(fm.bodyOffset) || typeof fm.present !== 'boolean' || !isDiagnostics(fm.diagnostics)) return undefined
  const meta = fm.meta
  if (!isStrings(meta.tags) || !isStrings(meta.capabilities) || !isStrings(meta.useWhen)) return undefined
  if (!isDiagnostics(readDiagnostics) || !isObject(lines) || !Object.values(lines).every(isCount)) return undefined
  const details: FileDetails = { digest, fm: fm as unknown as FrontmatterResult<Frontmatter>, readDiagnostics, lines: lines as FileDetails['lines'] }
  if (sha256 !== undefined) details.sha256 = sha256
  if (tokens !== undefined) {
    if (!isObject(tokens) || !Object.values(tokens).every(isCount)) return undefined
    details.tokens = tokens as Record<string, number>
  }
  return details
}
