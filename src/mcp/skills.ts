/**
 * The MCP Skills extension (SEP-2640, `io.modelcontextprotocol/skills`) over a promptfold
 * library: the entries of kind `skill` (folders holding a `SKILL.md`) as skill entries, their
 * files as `skill://` resources, their folders as directory resources.
 *
 * - `skills/list` ({@link listSkills}): every skill, ordered by skill path, paginated with an
 *   opaque cursor; each entry is `{ uri, frontmatter, resources }`: the `SKILL.md` URI, the
 *   frontmatter as written (YAML rendered as a JSON object), and every file of the skill with
 *   its `sha256:<hex>` digest and size in bytes.
 * - `skills/get` ({@link getSkill}): the same entry for one `SKILL.md` URI.
 * - `resources/read` of `skill://<skill-path>/<file>` ({@link readSkillFile}): text files as
 *   `text`, others as base64 `blob`, with a MIME type from the extension.
 * - `resources/directory/read` ({@link readSkillDirectory}): the direct children of a skill
 *   folder (`skill://<skill-path>`, `skill://<skill-path>/<folder>`), or of a folder above
 *   skills (`skill://acme` for `skill://acme/billing/refunds`).
 *
 * `<skill-path>` is the skill folder relative to the library root, or the root's own name for
 * a skill at the root, so its last segment is the folder's name (the skill's `name` when the
 * skill follows the Agent Skills naming rule). Failures throw {@link SkillsRequestError}
 * with a {@link SkillsErrorCode}; the server maps codes to JSON-RPC errors.
 *
 * @module
 */
import { basename } from 'node:path'
import { RequestSchema, type Resource, ResourceSchema, ResultSchema } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { PromptfoldError } from '../errors.js'
import type { Library, LibraryEntry, SkillFile } from '../library/library.js'
import { readFrontmatter } from '../parse/frontmatter.js'
import { MAX_URI_LENGTH, splitQuery } from '../parse/uri.js'
import { SKILL_SCHEME, skillUri } from './skill-uri.js'

/** Identifier of the Skills extension, the key under `capabilities.extensions`. */
export { SKILLS_EXTENSION } from './handshake.js'

export { SKILL_SCHEME, skillUri } from './skill-uri.js'

/** MIME type of a directory resource (SEP-2640, directory listing). */
export const DIRECTORY_MIME_TYPE = 'inode/directory'

/** Default number of skills in one `skills/list` page, and of children in one `resources/directory/read` page. */
export const DEFAULT_SKILLS_PAGE_SIZE = 50

/** Why a Skills request failed. The server answers {@link SKILLS_ERROR_RPC_CODES}. */
export type SkillsErrorCode =
  /** `skills/get` of a URI that is not the `SKILL.md` of a skill this library serves. */
  | 'SKILL_NOT_FOUND'
  /** `resources/read` of a `skill://` URI naming no file of a served skill. */
  | 'SKILL_FILE_NOT_FOUND'
  /** `resources/directory/read` of a URI that is not a folder of a served skill (or above one). */
  | 'NOT_A_DIRECTORY'
  /** A `skill://` URI that cannot be parsed: bad escape, `.`/`..`/empty segment, NUL, too long. */
  | 'INVALID_SKILL_URI'
  /** A cursor this server did not give out. */
  | 'INVALID_CURSOR'

/** JSON-RPC error code of each {@link SkillsErrorCode}: `-32602` (invalid params) as SEP-2640 says, except a missing file, which answers the server's resource-not-found `-32002`. */
export const SKILLS_ERROR_RPC_CODES: Readonly<Record<SkillsErrorCode, number>> = {
  SKILL_NOT_FOUND: -32602,
  SKILL_FILE_NOT_FOUND: -32002,
  NOT_A_DIRECTORY: -32602,
  INVALID_SKILL_URI: -32602,
  INVALID_CURSOR: -32602,
}

/** The message of each {@link SkillsErrorCode}, the one place they are worded. */
export function describeSkillsError(code: SkillsErrorCode, subject: string, detail?: string): string {
  switch (code) {
    case 'SKILL_NOT_FOUND':
      return `No skill is served at ${subject}`
    case 'SKILL_FILE_NOT_FOUND':
      return `Resource not found: ${subject}`
    case 'NOT_A_DIRECTORY':
      return `${subject} is not a directory resource`
    case 'INVALID_SKILL_URI':
      return `Invalid skill URI ${subject}: ${detail ?? 'malformed'}`
    case 'INVALID_CURSOR':
      return `Invalid cursor ${subject}: not one this server gave out`
  }
}

/** A Skills request that cannot be answered; `code` says why, `subject` is the URI or cursor (shortened). */
export class SkillsRequestError extends PromptfoldError {
  /** The URI or cursor the request named, at most 200 characters. */
  readonly subject: string
  declare readonly code: SkillsErrorCode
  constructor(code: SkillsErrorCode, subject: string, detail?: string) {
    const short = subject.length > 200 ? `${subject.slice(0, 200)}…` : subject
    super(code, describeSkillsError(code, short, detail))
    this.name = 'SkillsRequestError'
    this.subject = short
  }
}

/** One file of a skill entry's manifest (SEP-2640 `SkillResource`). */
export interface SkillResourceRef {
  /** `skill://<skill-path>/<file>`. */
  uri: string
  /** `sha256:` and the 64 lowercase hex digits of the SHA-256 of the file's bytes. */
  digest: string
  /** Length of the file in bytes. */
  size: number
}

/** A skill entry as `skills/list` and `skills/get` give it (SEP-2640 `Skill`). */
export interface SkillEntryResult {
  /** URI of the skill's `SKILL.md`. */
  uri: string
  /** The `SKILL.md` frontmatter as written, rendered as a JSON object (every field kept). */
  frontmatter: Record<string, unknown>
  /** Every file of the skill, `SKILL.md` included, sorted by path. */
  resources: SkillResourceRef[]
}

/** Result of `skills/list`. */
export interface ListSkillsResult {
  [key: string]: unknown
  skills: SkillEntryResult[]
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string
}

/** Result of `resources/directory/read`. */
export interface ReadDirectoryResult {
  [key: string]: unknown
  resources: Resource[]
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string
}

/** One content item of a `resources/read` of a skill file. */
export type SkillFileContent = { uri: string; mimeType: string; text: string } | { uri: string; mimeType: string; blob: string }

/** Options of the paginated calls. */
export interface SkillsPageOptions {
  /** Cursor from the previous page. */
  cursor?: string | undefined
  /** Items in a page. Default {@link DEFAULT_SKILLS_PAGE_SIZE}. */
  pageSize?: number | undefined
}

/** A skill of a library with its skill path. */
export interface ServedSkill {
  /** The library entry (kind `skill`). */
  entry: LibraryEntry
  /** `<skill-path>`: the folder relative to the root, or the root's name for a skill at the root. */
  skillPath: string
  /** The skill folder relative to the root (`''` at the root). */
  folder: string
}

/** Where a `skill://` URI points: a skill, and a path inside its folder (`''` for the folder itself). */
export interface SkillLocation {
  skill: ServedSkill
  /** Path relative to the skill folder; `''` names the folder. */
  file: string
  /** Query string after `?`, when any. */
  search?: string
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Every skill of the library, ordered by skill path (plain `<` comparison). */
export function servedSkills(library: Library): ServedSkill[] {
  const rootName = basename(library.root)
  return library.entries
    .filter((e) => e.kind === 'skill')
    .map((entry) => {
      const folder = entry.folder ?? entry.path.replace(/\/?SKILL\.md$/, '')
      return { entry, folder, skillPath: folder === '' ? rootName : folder }
    })
    .sort((a, b) => compare(a.skillPath, b.skillPath))
}

/** The decoded segments of a `skill://` URI's path and its query, or undefined for another scheme. Throws INVALID_SKILL_URI. */
export function parseSkillUri(uri: string): { segments: string[]; search?: string } | undefined {
  const sep = uri.indexOf('://')
  if (sep === -1 || uri.slice(0, sep).toLowerCase() !== SKILL_SCHEME) return undefined
  if (uri.length > MAX_URI_LENGTH) throw new SkillsRequestError('INVALID_SKILL_URI', uri, `longer than ${MAX_URI_LENGTH} characters`)
  const split = splitQuery(uri.slice(sep + 3))
  const search = split.search
  const rest = split.path.endsWith('/') ? split.path.slice(0, -1) : split.path
  const segments = rest.split('/').map((raw) => {
    let s: string
    try {
      s = decodeURIComponent(raw)
    } catch {
      throw new SkillsRequestError('INVALID_SKILL_URI', uri, 'malformed percent-escape')
    }
    if (s === '' || s === '.' || s === '..') throw new SkillsRequestError('INVALID_SKILL_URI', uri, 'empty, "." or ".." segment')
    if (/[/\\\u0000]/.test(s)) throw new SkillsRequestError('INVALID_SKILL_URI', uri, 'encoded separator or NUL in a segment')
    return s
  })
  return search === undefined ? { segments } : { segments, search }
}

/** The skill a `skill://` URI points into (the deepest skill whose path is a prefix: nested skills win), and the path inside it. */
export function locateSkillUri(library: Library, uri: string): SkillLocation | undefined {
  const parsed = parseSkillUri(uri)
  if (!parsed) return undefined
  const bySkillPath = new Map(servedSkills(library).map((s) => [s.skillPath, s]))
  for (let i = parsed.segments.length; i >= 1; i--) {
    const skill = bySkillPath.get(parsed.segments.slice(0, i).join('/'))
    if (!skill) continue
    const location: SkillLocation = { skill, file: parsed.segments.slice(i).join('/') }
    if (parsed.search !== undefined) location.search = parsed.search
    return location
  }
  return undefined
}

/** The skill whose `SKILL.md` a URI names (any query ignored), or undefined. */
export function skillAt(library: Library, uri: string): ServedSkill | undefined {
  const found = locateSkillUri(library, uri)
  return found?.file === 'SKILL.md' ? found.skill : undefined
}

/**
 * A frontmatter value as JSON. The YAML loader reads `2024-05-01` as a date: a date at
 * midnight UTC is given back as written (`2024-05-01`, what a YAML 1.2 reader keeps as a
 * string), other dates as ISO strings; big integers and non-finite numbers as strings.
 */
function toJson(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return String(value)
    const iso = value.toISOString()
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso
  }
  if (depth > 64) return null
  if (Array.isArray(value)) return value.map((v) => toJson(v, depth + 1))
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJson(v, depth + 1)
    return out
  }
  return null
}

// Frontmatter as JSON per entry, while its content (digest) is unchanged.
const frontmatterCache = new WeakMap<LibraryEntry, { digest: string; json: Record<string, unknown> }>()

/**
 * The frontmatter of a skill's `SKILL.md` as written, rendered as JSON. Read from the entry's
 * source with the library's own frontmatter reader (YAML only: no markdown parse, which the
 * first `skills/list` of a session would otherwise pay for every skill).
 */
function frontmatterOf(library: Library, entry: LibraryEntry): Record<string, unknown> {
  const cached = frontmatterCache.get(entry)
  if (cached?.digest === entry.digest) return cached.json
  const source = library.source(entry.uri)
  const data = source === undefined ? (library.document(entry.uri)?.data ?? {}) : readFrontmatter(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source).data
  const json = toJson(data) as Record<string, unknown>
  frontmatterCache.set(entry, { digest: entry.digest, json })
  return json
}

/**
 * Every file of a skill folder, by path: the skill's own files and those of the skills nested
 * in its folder (SEP-2640: from the enclosing skill, a nested skill's files are supporting
 * files, listed in both entries).
 */
export function skillFiles(skill: ServedSkill, all: readonly ServedSkill[]): SkillFile[] {
  const byPath = new Map((skill.entry.files ?? []).map((f) => [f.path, f]))
  const prefix = skill.folder === '' ? '' : `${skill.folder}/`
  for (const nested of all) {
    if (nested === skill || nested.folder === skill.folder || !nested.folder.startsWith(prefix)) continue
    const below = nested.folder.slice(prefix.length)
    for (const f of nested.entry.files ?? []) {
      const path = `${below}/${f.path}`
      if (!byPath.has(path)) byPath.set(path, { ...f, path })
    }
  }
  return [...byPath.values()].sort((a, b) => compare(a.path, b.path))
}

/** The skill entry of one skill: `SKILL.md` URI, frontmatter as written, manifest of files (`all`: every served skill, for nested ones). */
export function skillEntry(library: Library, skill: ServedSkill, all: readonly ServedSkill[] = servedSkills(library)): SkillEntryResult {
  const files = skillFiles(skill, all)
  return {
    uri: skillUri(skill.skillPath, 'SKILL.md'),
    frontmatter: frontmatterOf(library, skill.entry),
    resources: files.map((f) => ({ uri: skillUri(skill.skillPath, f.path), digest: `sha256:${f.sha256}`, size: f.bytes })),
  }
}

function pageSizeOf(options: SkillsPageOptions): number {
  const n = options.pageSize ?? DEFAULT_SKILLS_PAGE_SIZE
  return Number.isSafeInteger(n) && n >= 1 ? n : DEFAULT_SKILLS_PAGE_SIZE
}

/** An opaque cursor: the key the next page starts after. */
function encodeCursor(kind: 'skills' | 'dir', after: string): string {
  return Buffer.from(JSON.stringify([kind, after]), 'utf8').toString('base64url')
}

function decodeCursor(kind: 'skills' | 'dir', cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === 2 && value[0] === kind && typeof value[1] === 'string') return value[1]
  } catch {
    // falls through to the error below
  }
  throw new SkillsRequestError('INVALID_CURSOR', cursor)
}

/** One page of `keys` (sorted) after the cursor's key; keyset pagination, so a page boundary survives a refresh. */
function page<T>(items: readonly T[], key: (item: T) => string, kind: 'skills' | 'dir', options: SkillsPageOptions): { items: T[]; nextCursor?: string } {
  const after = decodeCursor(kind, options.cursor)
  const start = after === undefined ? 0 : items.findIndex((item) => key(item) > after)
  const size = pageSizeOf(options)
  const slice = start === -1 ? [] : items.slice(start, start + size)
  const last = slice[slice.length - 1]
  const more = start !== -1 && start + size < items.length
  return more && last !== undefined ? { items: slice, nextCursor: encodeCursor(kind, key(last)) } : { items: slice }
}

/** `skills/list`: one page of skill entries, ordered by skill path. */
export function listSkills(library: Library, options: SkillsPageOptions = {}): ListSkillsResult {
  const all = servedSkills(library)
  const { items, nextCursor } = page(all, (s) => s.skillPath, 'skills', options)
  const result: ListSkillsResult = { skills: items.map((s) => skillEntry(library, s, all)) }
  if (nextCursor !== undefined) result.nextCursor = nextCursor
  return result
}

/** `skills/get`: the entry of the skill whose `SKILL.md` `uri` names. Throws SKILL_NOT_FOUND (or INVALID_SKILL_URI). */
export function getSkill(library: Library, uri: string): { skill: SkillEntryResult } {
  const found = locateSkillUri(library, uri)
  if (!found || found.file !== 'SKILL.md' || found.search !== undefined) throw new SkillsRequestError('SKILL_NOT_FOUND', uri)
  return { skill: skillEntry(library, found.skill) }
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  md: 'text/markdown',
  markdown: 'text/markdown',
  mdc: 'text/markdown',
  txt: 'text/plain',
  py: 'text/x-python',
  js: 'text/javascript',
  mjs: 'text/javascript',
  cjs: 'text/javascript',
  ts: 'text/x-typescript',
  tsx: 'text/x-typescript',
  sh: 'text/x-shellscript',
  bash: 'text/x-shellscript',
  json: 'application/json',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  toml: 'application/toml',
  xml: 'application/xml',
  xsd: 'application/xml',
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  csv: 'text/csv',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  ttf: 'font/ttf',
  otf: 'font/otf',
  woff: 'font/woff',
  woff2: 'font/woff2',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
}

/** MIME type of a file from its extension (lower-cased); undefined for an extension not in the table. */
export function mimeTypeFromExtension(path: string): string | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1)
  const dot = name.lastIndexOf('.')
  return dot > 0 ? MIME_TYPES[name.slice(dot + 1).toLowerCase()] : undefined
}

/** The bytes as text when they are exactly valid UTF-8 (a BOM kept), so the text re-encodes to the digested bytes. */
function exactText(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * `resources/read` of a skill file (`skill://<skill-path>/<file>`, no query): read through
 * `library.readFile` (confined to the root). Text (the library found it text and its bytes are
 * exactly UTF-8) as `text`, anything else as base64 `blob`. The skill's own URI
 * `skill://<skill-path>` (the library's canonical URI of the skill) reads as its `SKILL.md`.
 * Throws SKILL_FILE_NOT_FOUND when the URI names no file of a served skill.
 */
export async function readSkillFile(library: Library, uri: string): Promise<SkillFileContent> {
  const found = locateSkillUri(library, uri)
  const path = found?.file === '' ? 'SKILL.md' : found?.file
  const listed = found && path ? skillFiles(found.skill, servedSkills(library)).find((f) => f.path === path) : undefined
  if (!found || !path || !listed) throw new SkillsRequestError('SKILL_FILE_NOT_FOUND', uri)
  const rootPath = found.skill.folder === '' ? path : `${found.skill.folder}/${path}`
  const file = await library.readFile(rootPath)
  if (!file) throw new SkillsRequestError('SKILL_FILE_NOT_FOUND', uri)
  const canonical = skillUri(found.skill.skillPath, path)
  const known = mimeTypeFromExtension(path)
  const text = file.text !== undefined ? exactText(file.bytes) : undefined
  if (text !== undefined) return { uri: canonical, mimeType: known ?? 'text/plain', text }
  return { uri: canonical, mimeType: known ?? 'application/octet-stream', blob: Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength).toString('base64') }
}

/** The direct children of `dir` (`''` for the top) among slash-separated `paths`: file names and folder names. */
function childrenOf(paths: readonly string[], dir: string): { files: string[]; folders: string[] } {
  const prefix = dir === '' ? '' : `${dir}/`
  const files = new Set<string>()
  const folders = new Set<string>()
  for (const p of paths) {
    if (!p.startsWith(prefix)) continue
    const rest = p.slice(prefix.length)
    const slash = rest.indexOf('/')
    if (slash === -1) files.add(rest)
    else folders.add(rest.slice(0, slash))
  }
  return { files: [...files], folders: [...folders] }
}

/**
 * `resources/directory/read`: the direct children of a folder of a skill (from its manifest:
 * files with name, MIME type and size, folders as `inode/directory`), or of a folder above
 * skills (the next segments of the skill paths below it), by name, paginated. Throws
 * NOT_A_DIRECTORY for anything else (a file, an unknown path, a URI with a query).
 */
export function readSkillDirectory(library: Library, uri: string, options: SkillsPageOptions = {}): ReadDirectoryResult {
  const parsed = parseSkillUri(uri)
  if (!parsed || parsed.search !== undefined) throw new SkillsRequestError('NOT_A_DIRECTORY', uri)
  const dir = parsed.segments.join('/')
  const found = locateSkillUri(library, uri)
  const children: Resource[] = []
  if (found) {
    const manifest = skillFiles(found.skill, servedSkills(library))
    const { files, folders } = childrenOf(
      manifest.map((f) => f.path),
      found.file,
    )
    if (files.length === 0 && folders.length === 0) throw new SkillsRequestError('NOT_A_DIRECTORY', uri)
    const base = found.file === '' ? '' : `${found.file}/`
    for (const name of files) {
      const size = manifest.find((f) => f.path === base + name)?.bytes
      const mimeType = mimeTypeFromExtension(name)
      children.push({ uri: skillUri(found.skill.skillPath, base + name), name, ...(mimeType ? { mimeType } : {}), ...(size !== undefined ? { size } : {}) })
    }
    for (const name of folders) children.push({ uri: skillUri(found.skill.skillPath, base + name), name, mimeType: DIRECTORY_MIME_TYPE })
  } else {
    const { folders } = childrenOf(
      servedSkills(library).map((s) => `${s.skillPath}/SKILL.md`),
      dir,
    )
    if (folders.length === 0) throw new SkillsRequestError('NOT_A_DIRECTORY', uri)
    for (const name of folders) children.push({ uri: skillUri(`${dir}/${name}`), name, mimeType: DIRECTORY_MIME_TYPE })
  }
  children.sort((a, b) => compare(a.name, b.name))
  const { items, nextCursor } = page(children, (r) => r.name, 'dir', options)
  return nextCursor === undefined ? { resources: items } : { resources: items, nextCursor }
}

const cursorParams = z.looseObject({ cursor: z.string().optional() })

/** `skills/list` request: optional `cursor`. */
export const ListSkillsRequestSchema = RequestSchema.extend({ method: z.literal('skills/list'), params: cursorParams.optional() })

/** `skills/get` request: `uri` of a `SKILL.md`. */
export const GetSkillRequestSchema = RequestSchema.extend({ method: z.literal('skills/get'), params: z.looseObject({ uri: z.string() }) })

/** `resources/directory/read` request: `uri` of a directory resource, optional `cursor`. */
export const ReadDirectoryRequestSchema = RequestSchema.extend({
  method: z.literal('resources/directory/read'),
  params: z.looseObject({ uri: z.string(), cursor: z.string().optional() }),
})

const SkillEntrySchema = z.looseObject({
  uri: z.string(),
  frontmatter: z.record(z.string(), z.unknown()),
  resources: z.union([z.array(z.looseObject({ uri: z.string(), digest: z.string(), size: z.number() })), z.literal('dynamic')]),
})

/** Result of `skills/list`, for clients: `client.request({ method: 'skills/list', params }, ListSkillsResultSchema)`. */
export const ListSkillsResultSchema = ResultSchema.extend({ skills: z.array(SkillEntrySchema), nextCursor: z.string().optional() })

/** Result of `skills/get`, for clients. */
export const GetSkillResultSchema = ResultSchema.extend({ skill: SkillEntrySchema })

/** Result of `resources/directory/read`, for clients. */
export const ReadDirectoryResultSchema = ResultSchema.extend({ resources: z.array(ResourceSchema), nextCursor: z.string().optional() })
