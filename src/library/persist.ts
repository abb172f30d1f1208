/**
 * The persistent library index: what indexing a library root found, per file, kept in a
 * {@link LibraryIndexStore} between processes (see `loadLibrary`'s `indexStore`).
 *
 * Two binary values per root, laid out so that a load reads them without building an object per
 * file. The index value (under the library's key) holds what a load and a first match need: a
 * header; a JSON part (version, root key, time, the vocabulary of the match rows, and the length
 * and checksum of the details value written with it); columns, one typed array per field (the
 * stat, `checkedAt`, size, role); the paths (one string, a line each); and the built match index,
 * when there was one. The details value (under {@link detailsKey}) holds the rest, read only when
 * first asked for: where each file's row, tags and details are; the match rows as 32-bit words;
 * the strings of the match categories and tags; and each file's details (digest, frontmatter,
 * diagnostics, token counts) as a JSON text of its own, parsed only when that file's entry is
 * asked for ({@link IndexView.details}). An index value of another format, promptfold version,
 * root or byte order, or whose checksum, lengths or contents do not add up, opens to
 * `undefined`: the library is indexed afresh and the values replaced. A details value that is
 * missing, or is not the one written with the index value, or does not add up, leaves every
 * file's details unknown: each file is read again when they are asked for (and the values
 * replaced).
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
const DETAILS_MAGIC = 'PFLIBDET'
/** Bump when the layout or the meaning of a field changes. */
const FORMAT = 5
const BYTE_ORDER = 0x01020304
/**
 * Header of both values: magic (8 bytes), then nine 32-bit words, the last the checksum. The
 * index value's: format, byte order, meta, paths and count lengths, 0 (four times). The details
 * value's: format, byte order, meta length, count, tags, words, details lengths, 0 (twice).
 */
const HEADER_BYTES = 48
const HEADER_WORDS = 9
const CHECKSUM_AT = 44
/** Columns of 64-bit floats: size, mtimeMs, ctimeMs, ino, checkedAt, bytes. */
const F64_COLUMNS = 6
const NONE = 0xffffffff
const ROLES: readonly FileRole[] = ['document', 'skill', 'file']
const BINARY = 1

const align8 = (n: number) => (n + 7) & ~7

/** The key of the details value that goes with the index value of `key` (see the module's description). */
export function detailsKey(key: string): string {
  return `${key}-details`
}

/** The two values of an index (see the module's description): `index` under the library's key, `details` under {@link detailsKey}. */
export interface EncodedIndex {
  index: Uint8Array
  details: Uint8Array
}

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

/** The checksum of a value written by {@link encodeIndex} (its header's checksum word left out), as its header should hold it. */
function valueChecksum(bytes: Uint8Array): number {
  return checksum([bytes.subarray(0, CHECKSUM_AT), bytes.subarray(HEADER_BYTES)])
}

/**
 * Key of the object that stands for a date in a file's details JSON (`{"\u0000date": "<ISO>"}`):
 * YAML reads `created: 2025-03-14` as a `Date`. A mapping that has this key itself is not kept.
 */
const DATE_KEY = '\u0000date'

/**
 * Whether `value` survives the details JSON unchanged: plain objects and arrays of strings,
 * finite numbers, booleans, null and valid dates (see {@link DATE_KEY}); no `undefined` inside.
 */
export function jsonSafe(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0)
  if (depth > 64 || typeof value !== 'object') return false
  if (value instanceof Date) return Object.getPrototypeOf(value) === Date.prototype && Number.isFinite(value.getTime()) && Object.keys(value).length === 0
  if (Array.isArray(value)) return value.every((v) => jsonSafe(v, depth + 1))
  const proto = Object.getPrototypeOf(value)
  if ((proto !== Object.prototype && proto !== null) || Object.hasOwn(value, DATE_KEY)) return false
  return Object.values(value).every((v) => jsonSafe(v, depth + 1))
}

/** Whether `value` holds a date (the details JSON then writes them with {@link DATE_KEY}). */
function holdsDate(value: unknown, depth = 0): boolean {
  if (value instanceof Date) return true
  if (value === null || typeof value !== 'object' || depth > 64) return false
  return (Array.isArray(value) ? value : Object.values(value)).some((v) => holdsDate(v, depth + 1))
}

/** A date as the details JSON writes it (`JSON.stringify`'s replacer: `this[key]` is the value before `toJSON`). */
function writeDate(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key]
  return original instanceof Date ? { [DATE_KEY]: original.toISOString() } : value
}

/** A date as the details JSON wrote it, read back (`JSON.parse`'s reviver). */
function readDate(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const keys = Object.keys(value)
  const iso = (value as Record<string, unknown>)[DATE_KEY]
  return keys.length === 1 && typeof iso === 'string' ? new Date(iso) : value
}

/** A file's details JSON parsed (its dates read back when it holds any). */
function parseDetails(text: string): unknown {
  return text.includes('\\u0000date') ? JSON.parse(text, readDate) : JSON.parse(text)
}

/** A file for {@link encodeIndex}: its details as fields, or as the bytes a stored index held them in. */
export type IndexFile = PersistedFile | (Omit<PersistedFile, keyof FileDetails | 'rawDetails'> & { rawDetails: Uint8Array })

/** Whether a file's persisted form is exact (its frontmatter and diagnostics survive JSON). */
export function persistable(file: IndexFile): file is IndexFile {
  if (file.rawDetails) return true
  if (!('fm' in file)) return false
  return jsonSafe(file.fm.meta) && jsonSafe(file.fm.data) && jsonSafe(file.fm.diagnostics) && jsonSafe(file.readDiagnostics)
}

/** The sections of an index value of `count` files, as byte offsets (the postings, if any, follow at `end`). */
function indexLayout(metaBytes: number, count: number, pathBytes: number) {
  const meta = HEADER_BYTES
  const f64 = align8(meta + metaBytes)
  // u8 columns: role, binary (count each).
  const u8 = f64 + F64_COLUMNS * 8 * count
  const paths = u8 + 2 * count
  return { meta, f64, u8, paths, end: paths + pathBytes }
}

/** The sections of a details value of `count` files, as byte offsets. */
function detailsLayout(metaBytes: number, count: number, tagCount: number, wordCount: number, detailBytes: number) {
  const meta = HEADER_BYTES
  // u32 columns: detailEnd, rowStart, rowLength, category (count each), tagStart (count + 1), then the tag ids and the words.
  const u32 = align8(meta + metaBytes)
  const tagIds = u32 + 4 * (5 * count + 1)
  const words = tagIds + 4 * tagCount
  const details = words + 4 * wordCount
  return { meta, u32, tagIds, words, details, end: details + detailBytes }
}

/** The details of a file as JSON (the fields of {@link FileDetails}, in that order). */
function detailsJson(file: PersistedFile): string {
  const details: FileDetails = { digest: file.digest, fm: file.fm, readDiagnostics: file.readDiagnostics, lines: file.lines }
  if (file.sha256 !== undefined) details.sha256 = file.sha256
  if (file.tokens !== undefined) details.tokens = file.tokens
  return holdsDate(file.fm.meta) || holdsDate(file.fm.data) ? JSON.stringify(details, writeDate) : JSON.stringify(details)
}

/**
 * Encode an index of `files` for the library `key`, as its two values (files whose frontmatter
 * is not plain JSON data or dates are left out: they are read again next time). Only the terms the rows use
 * are kept, unless `postings` are kept too (their term ids are the vocabulary's); postings
 * whose entries are not all kept are left out.
 */
export function encodeIndex(key: string, files: Iterable<IndexFile>, vocabulary: Vocabulary, writtenAt: number, postings?: StoredPostings): EncodedIndex {
  const kept: IndexFile[] = []
  /** Position of each given file among the kept ones (-1: left out). */
  const position: number[] = []
  for (const file of files) {
    if (!persistable(file)) {
      position.push(-1)
      continue
    }
    position.push(kept.length)
    kept.push(file)
  }
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
  const details = encodeDetails(key, kept, remap, writtenAt)
  const n = kept.length
  const p = keptPostings?.parts
  const postingsMeta = p && { entries: p.uriRank.length, total: p.doc.length, tagIds: p.tagIds.length, categoryNames: p.categoryNames, tagNames: p.tagNames }
  const link = { bytes: details.length, checksum: details.readUInt32LE(CHECKSUM_AT) }
  const meta = Buffer.from(JSON.stringify({ version: VERSION, key, writtenAt, terms, details: link, ...(postingsMeta ? { postings: postingsMeta } : {}) }), 'utf8')
  const paths = Buffer.from(kept.map((f) => f.path).join('\n'), 'utf8')
  const at = indexLayout(meta.length, n, paths.length)
  const postingsAt = p ? postingsLayout(at.end, terms.length, p.doc.length, p.uriRank.length, p.tagIds.length) : undefined
  const out = Buffer.alloc(postingsAt?.end ?? at.end)
  out.write(MAGIC, 0, 'latin1')
  new Uint32Array(out.buffer, out.byteOffset + 8, HEADER_WORDS).set([FORMAT, BYTE_ORDER, meta.length, paths.length, n])
  meta.copy(out, at.meta)
  const f64 = new Float64Array(out.buffer, out.byteOffset + at.f64, F64_COLUMNS * n)
  const u8 = new Uint8Array(out.buffer, out.byteOffset + at.u8, 2 * n)
  kept.forEach((file, i) => {
    f64[i] = file.stat.size
    f64[n + i] = file.stat.mtimeMs
    f64[2 * n + i] = file.stat.ctimeMs
    f64[3 * n + i] = file.stat.ino
    f64[4 * n + i] = file.checkedAt
    f64[5 * n + i] = file.bytes
    u8[i] = ROLES.indexOf(file.role)
    u8[n + i] = file.binary ? BINARY : 0
  })
  paths.copy(out, at.paths)
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
  out.writeUInt32LE(valueChecksum(out), CHECKSUM_AT)
  return { index: out, details }
}

/** The details value of the `kept` files (their rows' terms renumbered by `remap`), see the module's description. */
function encodeDetails(key: string, kept: readonly IndexFile[], remap: Int32Array, writtenAt: number): Buffer {
  const n = kept.length
  let wordCount = 0
  let tagCount = 0
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
    wordCount += file.row?.length ?? 0
    tagCount += file.match?.tags.length ?? 0
    detailBytes += file.rawDetails ? file.rawDetails.length : Buffer.byteLength(detailsJson(file as PersistedFile), 'utf8')
    detailEnd[i] = detailBytes
    if (file.match) {
      stringId(file.match.category)
      for (const t of file.match.tags) stringId(t)
    }
  })
  const meta = Buffer.from(JSON.stringify({ version: VERSION, key, writtenAt, strings: [...strings.keys()] }), 'utf8')
  const at = detailsLayout(meta.length, n, tagCount, wordCount, detailBytes)
  const out = Buffer.alloc(at.end)
  out.write(DETAILS_MAGIC, 0, 'latin1')
  new Uint32Array(out.buffer, out.byteOffset + 8, HEADER_WORDS).set([FORMAT, BYTE_ORDER, meta.length, n, tagCount, wordCount, detailBytes])
  meta.copy(out, at.meta)
  const u32 = new Uint32Array(out.buffer, out.byteOffset + at.u32, 5 * n + 1 + tagCount + wordCount)
  u32.set(detailEnd, 0)
  let word = 5 * n + 1 + tagCount
  let tag = 5 * n + 1
  u32[4 * n] = 0
  kept.forEach((file, i) => {
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
  let written = at.details
  for (const file of kept) {
    if (file.rawDetails) {
      out.set(file.rawDetails, written)
      written += file.rawDetails.length
    } else written += out.write(detailsJson(file as PersistedFile), written, 'utf8')
  }
  if (written !== at.end) throw new Error('library index: the details changed while they were written')
  out.writeUInt32LE(valueChecksum(out), CHECKSUM_AT)
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
 * An opened index: its files' stats as columns, read from the index value; their rows, match
 * data and details read from the details value when first asked for (each file's details parsed
 * one file at a time). Files are numbered `0` to `count - 1`, in the order written.
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
  /** File `i`'s match row, a view into the details value (in {@link vocabulary}); `undefined` when it has none or it does not add up. */
  row(i: number): Uint32Array | undefined
  /** File `i`'s match category and tags, when it is an entry (and the details value is sound). */
  match(i: number): MatchInfo | undefined
  /** File `i`'s details, parsed and checked; `undefined` when they do not add up or the details value is not sound (the file is read again). */
  details(i: number): FileDetails | undefined
  /** File `i`'s details as stored (see {@link PersistedFile.rawDetails}); `undefined` when the details value is not sound. */
  rawDetails(i: number): Uint8Array | undefined
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

/**
 * Open an index written by {@link encodeIndex} for `key` from its index value; `undefined` for
 * anything else (damaged, truncated, another format, version, root or byte order). `details`
 * gives its details value (`undefined`: there is none), asked for once, when a file's row, match
 * data or details are first asked for.
 */
export function openIndex(value: Uint8Array, key: string, details?: () => Uint8Array | undefined): IndexView | undefined {
  try {
    return open(value, key, details)
  } catch {
    return undefined
  }
}

/** A value as a Buffer whose typed-array views can be aligned (an unaligned value is copied once), if it has a header of `magic` and this format and byte order. */
function sound(value: Uint8Array, magic: string): { bytes: Buffer; head: Uint32Array } | undefined {
  if (!(value instanceof Uint8Array) || value.length < HEADER_BYTES) return undefined
  const bytes = value.byteOffset % 8 === 0 ? Buffer.from(value.buffer, value.byteOffset, value.length) : Buffer.from(value)
  if (bytes.toString('latin1', 0, 8) !== magic) return undefined
  const head = new Uint32Array(bytes.buffer, bytes.byteOffset + 8, HEADER_WORDS)
  if (head[0] !== FORMAT || head[1] !== BYTE_ORDER) return undefined
  return { bytes, head }
}

/**
 * The paths an index value lists (one a line) and how many, read from its header alone, before
 * the value is checked (see {@link openIndex}): to start work on them early, whose results are
 * used only once the value opens. `undefined` when the header does not describe such a value.
 */
export function peekPaths(value: Uint8Array): { text: string; count: number } | undefined {
  if (!(value instanceof Uint8Array) || value.length < HEADER_BYTES) return undefined
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.length)
  if (bytes.toString('latin1', 0, 8) !== MAGIC || bytes.readUInt32LE(8) !== FORMAT || bytes.readUInt32LE(12) !== BYTE_ORDER) return undefined
  const at = indexLayout(bytes.readUInt32LE(16), bytes.readUInt32LE(24), bytes.readUInt32LE(20))
  if (bytes.length < at.end) return undefined
  return { text: bytes.toString('utf8', at.paths, at.end), count: bytes.readUInt32LE(24) }
}

function open(value: Uint8Array, key: string, loadDetails: (() => Uint8Array | undefined) | undefined): IndexView | undefined {
  const opened = sound(value, MAGIC)
  if (!opened) return undefined
  const { bytes, head } = opened
  const [, , metaBytes, pathBytes, n] = head as unknown as number[]
  const at = indexLayout(metaBytes as number, n as number, pathBytes as number)
  if (bytes.length < at.end) return undefined
  if (valueChecksum(bytes) !== bytes.readUInt32LE(CHECKSUM_AT)) return undefined
  const count = n as number
  const data = JSON.parse(bytes.toString('utf8', at.meta, at.meta + (metaBytes as number))) as Record<string, unknown>
  if (data === null || typeof data !== 'object' || data.version !== VERSION || data.key !== key || !isNumber(data.writtenAt)) return undefined
  if (!isStrings(data.terms) || !isObject(data.details) || !isCount(data.details.bytes) || !isCount(data.details.checksum)) return undefined
  const vocabulary = Vocabulary.of(data.terms)
  if (vocabulary.size !== data.terms.length) return undefined
  const postings = data.postings === undefined ? undefined : storedPostings(bytes, at.end, data.postings, vocabulary.size, count)
  if (postings === null || bytes.length !== (postings?.end ?? at.end)) return undefined
  const paths = count === 0 ? [] : bytes.toString('utf8', at.paths, at.paths + (pathBytes as number)).split('\n')
  if (paths.length !== count || paths.some((p) => p === '')) return undefined
  const f64 = new Float64Array(bytes.buffer, bytes.byteOffset + at.f64, F64_COLUMNS * count)
  const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset + at.u8, 2 * count)
  // Every column checked once, so that reading one later cannot go wrong.
  for (let i = 0; i < count; i++) {
    if ((u8[i] as number) >= ROLES.length || (u8[count + i] as number) > BINARY) return undefined
    for (let c = 0; c < F64_COLUMNS; c++) if (!Number.isFinite(f64[c * count + i])) return undefined
  }
  const link = { bytes: data.details.bytes, checksum: data.details.checksum, writtenAt: data.writtenAt }
  let detailsPart: DetailsPart | null | undefined
  /** The details value, opened on first use (`undefined`: missing or not sound, every file's details unknown). */
  const part = (): DetailsPart | undefined => {
    if (detailsPart === undefined) {
      detailsPart = null
      try {
        const value = loadDetails?.()
        if (value !== undefined) detailsPart = openDetails(value, key, count, vocabulary.size, link) ?? null
      } catch {
        detailsPart = null
      }
    }
    return detailsPart ?? undefined
  }
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
    row: (i) => part()?.row(i),
    match: (i) => part()?.match(i),
    rawDetails: (i) => part()?.rawDetails(i),
    details(i) {
      const raw = part()?.rawDetails(i)
      if (raw === undefined) return undefined
      try {
        return fileDetails(parseDetails(Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('utf8')))
      } catch {
        return undefined
      }
    },
  }
}

/** What the details value of an index gives (see {@link IndexView}). */
interface DetailsPart {
  row(i: number): Uint32Array | undefined
  match(i: number): MatchInfo | undefined
  rawDetails(i: number): Uint8Array
}

/**
 * Open the details value of an index of `count` files and `terms` terms, written with it (its
 * length and checksum as `link` says, at the same time); `undefined` for anything else.
 */
function openDetails(value: Uint8Array, key: string, count: number, terms: number, link: { bytes: number; checksum: number; writtenAt: number }): DetailsPart | undefined {
  const opened = sound(value, DETAILS_MAGIC)
  if (!opened || opened.bytes.length !== link.bytes) return undefined
  const { bytes, head } = opened
  const [, , metaBytes, n, tagCount, wordCount, detailBytes] = head as unknown as number[]
  if (n !== count || bytes.readUInt32LE(CHECKSUM_AT) !== link.checksum) return undefined
  const at = detailsLayout(metaBytes as number, count, tagCount as number, wordCount as number, detailBytes as number)
  if (bytes.length !== at.end || valueChecksum(bytes) !== link.checksum) return undefined
  const data = JSON.parse(bytes.toString('utf8', at.meta, at.meta + (metaBytes as number))) as Record<string, unknown>
  if (!isObject(data) || data.version !== VERSION || data.key !== key || data.writtenAt !== link.writtenAt || !isStrings(data.strings)) return undefined
  const strings = data.strings
  const u32 = new Uint32Array(bytes.buffer, bytes.byteOffset + at.u32, 5 * count + 1 + (tagCount as number) + (wordCount as number))
  const tagBase = 5 * count + 1
  const words = u32.subarray(tagBase + (tagCount as number))
  // Every column checked once, so that reading one later cannot go wrong.
  let previousEnd = 0
  let previousTag = 0
  if (u32[4 * count] !== 0) return undefined
  for (let i = 0; i < count; i++) {
    const end = u32[i] as number
    if (end < previousEnd || end > (detailBytes as number)) return undefined
    previousEnd = end
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
  return {
    row(i) {
      const length = u32[2 * count + i] as number
      if (length === 0) return undefined
      const start = u32[count + i] as number
      // Checked when asked for (a load that takes the stored postings reads no row): one that does not add up is worked out again.
      for (let j = start + 7; j < start + length; j += 2) {
        const x = words[j + 1] as number
        if ((words[j] as number) >= terms || (x & 7) >= 7 || x >>> 3 === 0) return undefined
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
    rawDetails: (i) => bytes.subarray(at.details + (i === 0 ? 0 : (u32[i - 1] as number)), at.details + (u32[i] as number)),
  }
}

/**
 * Decode a whole index written by {@link encodeIndex} for `key` (its two values), every file's
 * details parsed; `undefined` for anything else, or when the details value is not the sound one
 * written with the index value (see {@link openIndex}).
 */
export function decodeIndex(value: Uint8Array | EncodedIndex, key: string, details?: Uint8Array): PersistedIndex | undefined {
  const both = value instanceof Uint8Array ? { index: value, details } : value
  const view = openIndex(both.index, key, () => both.details)
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
