/**
 * The persistent library index: what indexing a library root found, per file, kept in a
 * {@link LibraryIndexStore} between processes (see `loadLibrary`'s `indexStore`).
 *
 * One binary value per root: a header, a JSON part (one line for the version, root and
 * vocabulary of the match rows, then one line per file: stat, digest, frontmatter, diagnostics,
 * token counts; lines, so that neither writing nor reading holds the whole part as one string)
 * and the match rows as 32-bit words. A value of another format, promptfold version, root or byte order, or whose
 * checksum, lengths or contents do not add up, decodes to `undefined`: the library is indexed
 * afresh and the value replaced.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import * as zlib from 'node:zlib'
import type { Frontmatter, FrontmatterResult } from '../parse/frontmatter.js'
import type { Diagnostic } from '../types.js'
import { VERSION } from '../version.js'
import { Vocabulary } from './match.js'

/** What identifies a file's content without reading it: size, times and inode. */
export interface FileStat {
  size: number
  mtimeMs: number
  ctimeMs: number
  ino: number
}

/** Role of a file in the library: a document, a skill's `SKILL.md`, or another file of a skill folder. */
export type FileRole = 'document' | 'skill' | 'file'

/** What the index keeps of one file (all of it but its text). */
export interface PersistedFile {
  /** Path relative to the root. */
  path: string
  role: FileRole
  /** The file's stat when its content was read. */
  stat: FileStat
  /** `Date.now()` just before that stat: a file modified less than {@link RACY_MS} before it is read again next time. */
  checkedAt: number
  /** SHA-256 of the text. */
  digest: string
  bytes: number
  /** SHA-256 of the bytes (files of skills). */
  sha256?: string
  /** Binary file of a skill folder. */
  binary?: boolean
  /** Frontmatter (documents and `SKILL.md`); `bodyOffset` and `present` as `readFrontmatter` gave them. */
  fm: FrontmatterResult<Frontmatter>
  readDiagnostics: Diagnostic[]
  /** Lines of the frontmatter keys `category` and `id`, for the entry's diagnostics. */
  lines: { category?: number; id?: number }
  /** The match row (see `matchRow`), in the index's vocabulary. */
  row?: Uint32Array
  /** Exact token counts of the text, by encoding. */
  tokens?: Record<string, number>
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
const FORMAT = 2
const HEADER_BYTES = 28
const BYTE_ORDER = 0x01020304

/** Checksum of the JSON and row parts: CRC-32 where Node has it, else the first 32 bits of an MD5. */
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

/** Whether a file's persisted form is exact (its frontmatter and diagnostics survive JSON). */
export function persistable(file: PersistedFile): boolean {
  return jsonSafe(file.fm.meta) && jsonSafe(file.fm.data) && jsonSafe(file.fm.diagnostics) && jsonSafe(file.readDiagnostics)
}

/** Encode an index of `files` for the library `key` (files whose frontmatter is not plain JSON are left out: they are read again next time). */
export function encodeIndex(key: string, files: Iterable<PersistedFile>, vocabulary: Vocabulary, writtenAt: number): Uint8Array {
  const remap = new Int32Array(vocabulary.size).fill(-1)
  const table: string[] = []
  const words: number[] = []
  const lines: Buffer[] = []
  for (const file of files) {
    if (!persistable(file)) continue
    const { row, ...rest } = file
    const json: Record<string, unknown> = { ...rest }
    if (row) {
      json.row = [words.length, row.length]
      for (let i = 0; i < row.length; i++) {
        const w = row[i] as number
        if (i >= 7 && (i - 7) % 2 === 0) {
          let id = remap[w] as number
          if (id < 0) {
            id = table.length
            remap[w] = id
            table.push(vocabulary.term(w) ?? '')
          }
          words.push(id)
        } else words.push(w)
      }
    }
    lines.push(Buffer.from(`${JSON.stringify(json)}\n`, 'utf8'))
  }
  const json = Buffer.concat([Buffer.from(`${JSON.stringify({ version: VERSION, key, writtenAt, terms: table })}\n`, 'utf8'), ...lines])
  const pad = (4 - (json.length % 4)) % 4
  const rows = new Uint8Array(Uint32Array.from(words).buffer)
  const jsonPart = pad > 0 ? Buffer.concat([json, Buffer.alloc(pad)]) : json
  const header = Buffer.alloc(HEADER_BYTES)
  header.write(MAGIC, 0, 'latin1')
  header.writeUInt32LE(FORMAT, 8)
  header.writeUInt32LE(json.length, 12)
  header.writeUInt32LE(words.length, 16)
  header.writeUInt32LE(checksum([jsonPart, rows]), 20)
  new Uint32Array(header.buffer, header.byteOffset + 24, 1)[0] = BYTE_ORDER
  return Buffer.concat([header, jsonPart, rows])
}

/** Decode an index written by {@link encodeIndex} for `key`; `undefined` for anything else (damaged, truncated, another format, version, root or byte order). */
export function decodeIndex(value: Uint8Array, key: string): PersistedIndex | undefined {
  try {
    return decode(value, key)
  } catch {
    return undefined
  }
}

function decode(value: Uint8Array, key: string): PersistedIndex | undefined {
  if (!(value instanceof Uint8Array) || value.length < HEADER_BYTES) return undefined
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.length)
  if (bytes.toString('latin1', 0, 8) !== MAGIC || bytes.readUInt32LE(8) !== FORMAT) return undefined
  const order = new Uint32Array(bytes.buffer.slice(bytes.byteOffset + 24, bytes.byteOffset + 28))[0]
  if (order !== BYTE_ORDER) return undefined
  const jsonLength = bytes.readUInt32LE(12)
  const wordCount = bytes.readUInt32LE(16)
  const jsonEnd = HEADER_BYTES + jsonLength + ((4 - (jsonLength % 4)) % 4)
  if (bytes.length !== jsonEnd + wordCount * 4) return undefined
  if (checksum([bytes.subarray(HEADER_BYTES, jsonEnd), bytes.subarray(jsonEnd)]) !== bytes.readUInt32LE(20)) return undefined
  const jsonStop = HEADER_BYTES + jsonLength
  let at = bytes.indexOf(10, HEADER_BYTES)
  if (at < 0 || at >= jsonStop || bytes[jsonStop - 1] !== 10) return undefined
  const data = JSON.parse(bytes.toString('utf8', HEADER_BYTES, at)) as Record<string, unknown>
  if (data === null || typeof data !== 'object' || data.version !== VERSION || data.key !== key || !isNumber(data.writtenAt)) return undefined
  if (!Array.isArray(data.terms) || !data.terms.every((t) => typeof t === 'string')) return undefined
  const vocabulary = Vocabulary.of(data.terms as string[])
  if (vocabulary.size !== data.terms.length) return undefined
  // Copied once: the words of a stored value need not be 4-byte aligned.
  const words = new Uint32Array(wordCount)
  new Uint8Array(words.buffer).set(bytes.subarray(jsonEnd))
  const files = new Map<string, PersistedFile>()
  // One file per line, each parsed on its own.
  for (let from = at + 1; from < jsonStop; from = at + 1) {
    at = bytes.indexOf(10, from)
    const file = persistedFile(JSON.parse(bytes.toString('utf8', from, at)), words, vocabulary.size)
    if (!file || files.has(file.path)) return undefined
    files.set(file.path, file)
  }
  return { files, vocabulary, writtenAt: data.writtenAt }
}

const isNumber = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n)
const isCount = (n: unknown): n is number => isNumber(n) && Number.isInteger(n) && n >= 0
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string')
const HEX64 = /^[0-9a-f]{64}$/
const ROLES: readonly FileRole[] = ['document', 'skill', 'file']

function isDiagnostics(v: unknown): v is Diagnostic[] {
  return Array.isArray(v) && v.every((d) => isObject(d) && typeof d.code === 'string' && typeof d.severity === 'string' && typeof d.message === 'string')
}

/** One file of a decoded index, checked field by field; `undefined` when anything is off. */
function persistedFile(raw: unknown, words: Uint32Array, terms: number): PersistedFile | undefined {
  if (!isObject(raw)) return undefined
  const { path, role, stat, checkedAt, digest, bytes, sha256, binary, fm, readDiagnostics, lines, row, tokens } = raw
  if (typeof path !== 'string' || path === '' || !ROLES.includes(role as FileRole) || !isNumber(checkedAt) || typeof digest !== 'string' || !HEX64.test(digest) || !isCount(bytes)) return undefined
  if (!isObject(stat) || !isCount(stat.size) || !isNumber(stat.mtimeMs) || !isNumber(stat.ctimeMs) || !isCount(stat.ino)) return undefined
  if (sha256 !== undefined && (typeof sha256 !== 'string' || !HEX64.test(sha256))) return undefined
  if (binary !== undefined && binary !== true) return undefined
  if (!isObject(fm) || !isObject(fm.meta) || !isObject(fm.data) || !isCount(fm.bodyOffset) || typeof fm.present !== 'boolean' || !isDiagnostics(fm.diagnostics)) return undefined
  const meta = fm.meta
  if (!isStrings(meta.tags) || !isStrings(meta.capabilities) || !isStrings(meta.useWhen)) return undefined
  if (!isDiagnostics(readDiagnostics) || !isObject(lines) || !Object.values(lines).every(isCount)) return undefined
  const file: PersistedFile = {
    path,
    role: role as FileRole,
    stat: { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino },
    checkedAt,
    digest,
    bytes,
    fm: fm as unknown as FrontmatterResult<Frontmatter>,
    readDiagnostics,
    lines: lines as PersistedFile['lines'],
  }
  if (sha256 !== undefined) file.sha256 = sha256
  if (binary) file.binary = true
  if (tokens !== undefined) {
    if (!isObject(tokens) || !Object.values(tokens).every(isCount)) return undefined
    file.tokens = tokens as Record<string, number>
  }
  if (row !== undefined) {
    if (!Array.isArray(row) || row.length !== 2 || !isCount(row[0]) || !isCount(row[1])) return undefined
    const [at, length] = row as [number, number]
    if (at + length > words.length || length < 7 || (length - 7) % 2 !== 0) return undefined
    const r = words.subarray(at, at + length)
    for (let i = 7; i < length; i += 2) {
      const x = r[i + 1] as number
      if ((r[i] as number) >= terms || (x & 7) >= 7 || x >>> 3 === 0) return undefined
    }
    file.row = r
  }
  return file
}
