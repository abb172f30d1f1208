/**
 * `loadLibrary`: every `.md` file below a root, indexed from frontmatter only, with
 * aliases, categories, lazy parsing and counting, a reference graph, BM25F matching and
 * a resolver.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { statSync } from 'node:fs'
import { realpath } from 'node:fs/promises'
import * as nodePath from 'node:path'
import type { LibraryIndexStore, ParseStore } from '../cache/store.js'
import { createTokenCounter, type EncodingName, type TokenCounter } from '../count/index.js'
import { InvalidOptionError, AccessDeniedError, PromptfoldError } from '../errors.js'
import { diagnostic } from '../parse/diagnostics.js'
import { detectBinary, digestOf, existingPaths, type PromptDocument, parseDocument } from '../parse/document.js'
import { type Frontmatter, type FrontmatterResult, frontmatterKeyLine, readFrontmatter } from '../parse/frontmatter.js'
import { DEFAULT_SCHEMES, type MatchQuery } from '../parse/uri.js'
import type { ResolveContext, ResolvedDocument } from '../resolve/resolver.js'
import type { Diagnostic, ReferenceKind } from '../types.js'
import { normalizeCategory } from './category.js'
import { scanHeadings } from './headings.js'
import { type DanglingReference, elementaryCycles, type GraphEdge, type GraphOptions, type LibraryGraph, type LookupVia, type OtherReference } from './graph.js'
import { createFileIndex, createLookupIndex, entryName, type FileIndex, type FileLookup, type LookupIndex, type LookupResult, lookupFile, lookupReference } from './lookup.js'
import { type IndexedEntry, MatchIndex, type MatchOptions, type MatchResult, type MatchText, matchRows, matchTags, Vocabulary } from './match.js'
import { detailsKey, type EncodedIndex, encodeIndex, type FileDetails, type FileRole, type FileStat, type IndexFile, type IndexView, type MatchInfo, openIndex, peekPaths, persistable, RACY_MS, type StoredPostings } from './persist.js'
import { decodeUtf8 } from '../resolve/fs.js'
import { DOCUMENT_FILE, documentUri, type FoundFile, readBytes, readSource, SKILL_FILE, scanRoot, skillPathOf } from './scan.js'
import { type StatsAhead, statAhead } from './stat-ahead.js'

/** Options of {@link loadLibrary}. */
export interface LoadLibraryOptions {
  /** Folder holding the library. Every `.md` file below it becomes an entry; nothing outside it is read. */
  root: string
  /** URI schemes served. The first one names the entries' canonical URIs. Default `['orchestr8']`. */
  schemes?: readonly string[]
  /** Largest file read, in bytes; larger files are entries with an error diagnostic. Default 5 MiB. */
  maxBytes?: number
  /**
   * Most files indexed. Default `10000`. A library cut short says so: a `LIMIT_MAX_FILES`
   * warning in `library.diagnostics` naming the first file left out.
   */
  maxFiles?: number
  /**
   * Where parsed bodies are kept between processes (see `fileParseStore`): an entry parsed
   * before, with the same content, is read back instead of parsed again, so the first `match`,
   * `title` or `graph()` of a new process costs a read rather than a parse. Default: none
   * (parses are cached in this library only).
   */
  parseStore?: ParseStore
  /**
   * Where the library index is kept between processes (see `fileLibraryIndexStore`): per file,
   * its size, times, inode and content digest, frontmatter, diagnostics, match terms and token
   * counts already known, and the built match index once the library was matched. The next load
   * of the same root (and schemes) reads and parses only files that changed: a file whose stat
   * differs, or was modified within 2 s of when it was read (its timestamp cannot be trusted), is
   * read again and compared by content digest. A load from the index works out entries when they
   * are first asked for, and takes the stored match index back when no file changed. With 8,192
   * stored files or more, their stats are taken on a worker thread while the root is walked.
   * Written (in the next turn of the event loop) after a load, a first `match` and a `refresh()`
   * that learnt anything (token counts of the shared counters go with the next write). Kept as
   * two values: under the library's key what a load and a first match need (stats, paths, the
   * match index), and under that key with `-details` appended the rest (digests, frontmatter,
   * match rows), read only when first needed. A damaged, truncated or foreign index is ignored
   * and replaced; details that are missing or not the ones written with the index mean every
   * file is read again. Default: none (nothing is kept between processes; the result is the
   * same with or without one).
   */
  indexStore?: LibraryIndexStore
}

/** One file of a skill folder, as in a Skills manifest. */
export interface SkillFile {
  /** Path relative to the skill folder, forward slashes: `SKILL.md`, `reference/forms.md`. */
  path: string
  /** Size in bytes. */
  bytes: number
  /** SHA-256 of the file's bytes (hex). */
  sha256: string
}

/** A file of a library read with `library.readFile`. */
export interface LibraryFile {
  /** Path relative to the root, forward slashes. */
  path: string
  /** The file's bytes. */
  bytes: Uint8Array
  /** SHA-256 of `bytes` (hex). */
  sha256: string
  /** The text, when the file is text (valid or repaired UTF-8, not binary); absent for binary files. */
  text?: string
}

/**
 * One document or skill of a library. Built from its path and frontmatter only.
 *
 * A folder holding a `SKILL.md` is one entry of kind `skill` (Agent Skills): `path` is its
 * `SKILL.md`, `files` every file of the folder. Other `.md` (and `.mdc`) files are entries of
 * kind `document`, one each.
 */
export interface LibraryEntry {
  /** `document` (one markdown file) or `skill` (a folder holding `SKILL.md`). */
  kind: 'document' | 'skill'
  /**
   * Canonical URI. Documents: `<scheme>://<path without .md>`
   * (`orchestr8://examples/ml/mlops-mlflow-tracking`); skills: `skill://<skill-path>`, where
   * `<skill-path>` is the skill folder relative to the root (the root's own name for a skill at
   * the root). A skill's files are `skill://<skill-path>/<file>` (`.../SKILL.md` included), as
   * the MCP Skills extension names them.
   */
  uri: string
  /** Path relative to the root, forward slashes: `examples/ml/mlops-mlflow-tracking.md`, `pdf/SKILL.md`. */
  path: string
  /** Skills: frontmatter `name` when it is a non-empty string, else the folder's name. */
  name?: string
  /** Skills: frontmatter `description` when it is a string. */
  description?: string
  /** Skills: the skill folder relative to the root (`''` for a skill at the root). */
  folder?: string
  /** Skills: every file of the folder, recursively, sorted by path (`SKILL.md` included). */
  files?: SkillFile[]
  /** Frontmatter `id`, when given. */
  id?: string
  /** Names that resolve to this entry alone: its `id` and its file name, unless another entry claims them too. */
  aliases: string[]
  /** Normalized (lower-case, singular) category: frontmatter `category`, else the first folder. */
  category: string
  /** Validated frontmatter. */
  meta: Frontmatter
  /** SHA-256 of the file's text (empty for unreadable files). */
  digest: string
  /** Size of the file in bytes. */
  bytes: number
  /** Problems with this entry: frontmatter, reading, id/file name, aliases. Body problems appear in `library.document(uri)`. */
  diagnostics: Diagnostic[]
}

/** What `library.refresh()` changed, as canonical URIs. */
export interface RefreshResult {
  added: string[]
  changed: string[]
  removed: string[]
  /** Entries whose content was unchanged (their parses and counts were kept). */
  unchanged: number
}

/**
 * Result of looking a reference up in a library (`library.lookup`): `entry` and `via` when one
 * entry is found, else `error`. The decision is {@link lookupReference}'s (src/library/lookup.ts).
 */
export interface LibraryLookup {
  entry?: LibraryEntry
  via?: LookupVia
  /** Why nothing was found. */
  error?: { code: 'NOT_FOUND' | 'AMBIGUOUS' | 'ACCESS_DENIED' | 'DYNAMIC'; message: string; candidates?: string[] }
}

/** A {@link LookupResult} in the public shape of {@link LibraryLookup}. */
function toLibraryLookup(found: LookupResult<LibraryEntry>): LibraryLookup {
  if (found.ok) return { entry: found.entry, via: found.via }
  const error: NonNullable<LibraryLookup['error']> = { code: found.code, message: found.message }
  if (found.candidates) error.candidates = found.candidates
  return { error }
}

/** Options of `library.tokens()`. */
export interface TokensOptions {
  /** Counter to use. Default: the shared `o200k_base` counter. */
  counter?: TokenCounter
}

/**
 * A loaded library. It is also a {@link Resolver}: call it (or `library.resolve`) with a URI,
 * a bare id or a flat path, and pass it as `resolver` to `assemble`.
 */
export interface Library {
  (uri: string, context?: ResolveContext): Promise<ResolvedDocument | undefined>
  /** Real path of the root. */
  readonly root: string
  readonly schemes: readonly string[]
  /** Every entry, sorted by path. Replaced (not mutated) by `refresh()`. */
  readonly entries: readonly LibraryEntry[]
  /** Library-wide problems: skipped links, limits, plus every entry's diagnostics. */
  readonly diagnostics: readonly Diagnostic[]
  /** Increases on every refresh that changed something. */
  readonly version: number
  /** The resolver (same as calling the library). */
  readonly resolve: (uri: string, context?: ResolveContext) => Promise<ResolvedDocument | undefined>
  /** Find the entry a URI, bare id or flat path names, without diagnostics. */
  lookup(ref: string): LibraryLookup
  /** The entry a reference names, when exactly one does. */
  get(ref: string): LibraryEntry | undefined
  /**
   * Source text of an entry, as indexed at load or the last refresh. Texts are kept in memory up
   * to 8 Mi characters (a large library, or one loaded from an `indexStore`, keeps less): a text
   * not kept is read again when asked for, checked against the entry's digest; a file changed
   * on disk since is returned as it is now (call `refresh()` to index it again).
   */
  source(ref: string): string | undefined
  /** The parsed entry, parsed on first use and cached by content. */
  document(ref: string): PromptDocument<Frontmatter> | undefined
  /** The entry's title: `library.document(ref).title` (its first heading, else its id, else its file name); parses the entry on first use. */
  title(ref: string): string | undefined
  /** Exact tokens of the entry's whole text, counted on first use and cached by content. */
  tokens(ref: string, options?: TokensOptions): number | undefined
  /**
   * Read a file of the library by its path relative to the root (`pdf/reference/forms.md`) or
   * a skill file's `skill://` URI: a document, a skill's `SKILL.md`, any other file of a skill
   * folder, or any other file below the root (outside hidden folders and `node_modules`).
   * Confined to the root like every read; `undefined` when no such file is in the library.
   */
  readFile(path: string): Promise<LibraryFile | undefined>
  /** Re-read the root: pick up added, changed (by content) and removed files. */
  refresh(): Promise<RefreshResult>
  /** The reference graph: edges by kind, dangling targets, cycles. */
  graph(options?: GraphOptions): LibraryGraph
  /** Rank entries for a task description (BM25F). */
  match(query: string, options?: MatchOptions): MatchResult[]
  /**
   * Resolve a dynamic `match?query=` reference to URIs (for `assemble`'s `match` option).
   * Unfilled `${placeholders}` are dropped from the query; the referencing document is never
   * returned; `maxResults` defaults to 5.
   */
  resolveMatch(query: MatchQuery, context?: { from?: string | undefined }): string[]
}

/**
 * Per-file state kept across refreshes and, through an `indexStore`, processes (keyed by path,
 * reused while the content is unchanged). The text itself is not part of it: see `textOf`.
 */
interface FileRecord {
  path: string
  real: string
  uri: string
  role: FileRole
  /** For files of a skill folder: that folder relative to the root ('' for the root). */
  skill?: string | undefined
  /** Whether the file could be read (otherwise `readDiagnostics` say why). */
  readable: boolean
  /** SHA-256 of the bytes (skill files, for manifests). */
  sha256?: string
  /** Binary file of a skill folder: its text is not kept. */
  binary?: boolean
  /** SHA-256 of the text ('' when unreadable). */
  digest: string
  bytes: number
  fm: FrontmatterResult<Frontmatter>
  readDiagnostics: Diagnostic[]
  /** Lines of the frontmatter keys `category` and `id` (for the entry's diagnostics). */
  lines: { category?: number; id?: number }
  /** The stat of the file when its content was read, and `Date.now()` just before. */
  stat?: FileStat
  checkedAt: number
  /** The entry's match row (see `matchRow`), in the library's vocabulary, once known. */
  row?: Uint32Array
  /** Heading titles from the scan of the body when it was read (`null`: the scan declined, the body is parsed for them). */
  titles?: string[] | null
  /** Exact token counts of the text by encoding (shared counters only), once known. */
  tokens?: Record<string, number>
}

/**
 * What a walk of the root found. Everything but `records`, `byPath` and `otherFiles` is worked
 * out on first use (a load from the index store that only matches builds no entry).
 */
/**
 * A record known from the stored index (file `i` of `view`): its stat, row and match data read
 * from the index's columns, its details (digest, frontmatter, diagnostics, counts) parsed on
 * first use. Details that do not add up are replaced by a read of the file (`reread`).
 */
class StoredRecord implements FileRecord {
  readonly readable = true
  titles?: string[] | null
  #details: FileDetails | undefined
  /** The file as read again, when the stored details did not add up. */
  #fresh: FileRecord | undefined
  #row: Uint32Array | undefined | null = null
  /** Whether the details differ from what the index holds (token counts were added). */
  #changed = false

  constructor(
    readonly view: IndexView,
    readonly i: number,
    readonly path: string,
    readonly real: string,
    readonly uri: string,
    readonly role: FileRole,
    readonly skill: string | undefined,
    readonly reread: (record: StoredRecord) => FileRecord,
  ) {}

  /** The same stored file found at another real path or URI. */
  moved(real: string, uri: string, skill: string | undefined): StoredRecord {
    const copy = new StoredRecord(this.view, this.i, this.path, real, uri, this.role, skill, this.reread)
    copy.#details = this.#details
    copy.#fresh = this.#fresh
    copy.#row = this.#row
    copy.#changed = this.#changed
    copy.titles = this.titles
    return copy
  }

  #source(): FileDetails {
    if (this.#fresh) return this.#fresh
    if (this.#details) return this.#details
    const details = this.view.details(this.i)
    if (details) return (this.#details = details)
    this.#fresh = this.reread(this)
    return this.#fresh
  }

  get fresh(): FileRecord | undefined {
    return this.#fresh
  }
  get stat(): FileStat | undefined {
    return this.#fresh ? this.#fresh.stat : this.view.stat(this.i)
  }
  get checkedAt(): number {
    return this.#fresh ? this.#fresh.checkedAt : this.view.checkedAt(this.i)
  }
  get bytes(): number {
    return this.#fresh ? this.#fresh.bytes : this.view.bytes(this.i)
  }
  get binary(): boolean | undefined {
    return this.#fresh ? this.#fresh.binary : this.view.binary(this.i) || undefined
  }
  get digest(): string {
    return this.#source().digest
  }
  get sha256(): string | undefined {
    return this.#source().sha256
  }
  get fm(): FrontmatterResult<Frontmatter> {
    return this.#source().fm
  }
  get readDiagnostics(): Diagnostic[] {
    return this.#source().readDiagnostics
  }
  get lines(): { category?: number; id?: number } {
    return this.#source().lines
  }
  get tokens(): Record<string, number> | undefined {
    return this.#source().tokens
  }
  set tokens(value: Record<string, number> | undefined) {
    const source = this.#source()
    if (value) source.tokens = value
    else delete source.tokens
    this.#changed = true
  }
  get row(): Uint32Array | undefined {
    if (this.#fresh) return this.#fresh.row
    if (this.#row === null) this.#row = this.view.row(this.i)
    return this.#row
  }
  set row(value: Uint32Array | undefined) {
    if (this.#fresh) this.#fresh.row = value
    else this.#row = value
  }
  /** The match category and tags the index holds (undefined once the file was read again). */
  get match(): MatchInfo | undefined {
    return this.#fresh ? undefined : this.view.match(this.i)
  }
  /** The details as the index holds them, when they are still what this record says. */
  get rawDetails(): Uint8Array | undefined {
    return this.#fresh || this.#changed ? undefined : this.view.rawDetails(this.i)
  }
}

/** What matching needs of an entry (see `matchRow`): its fields that {@link matchFacts} works out from its record. */
type MatchFacts = Pick<LibraryEntry, 'kind' | 'uri' | 'path' | 'id' | 'name' | 'description' | 'meta'>

/**
 * Whether the persistent index can hold a record read now: its frontmatter and diagnostics
 * survive the details JSON (dates do, a `!!binary` value does not). A file it cannot hold is left
 * out of the index and read again on every load; that alone is nothing new to store.
 */
function storable(r: FileRecord): boolean {
  return r.stat !== undefined && persistable({ path: r.path, role: r.role, stat: r.stat, checkedAt: r.checkedAt, digest: r.digest, bytes: r.bytes, fm: r.role === 'skill' ? r.fm : { ...r.fm, data: {} }, readDiagnostics: r.readDiagnostics, lines: r.lines })
}

/** Entries whose match rows are worked out together (`rowsOf`): their texts are held meanwhile. */
const ROWS_CHUNK = 1024

/** A record as a plain object (a stored one's details parsed), to copy with changes. */
function plainRecord(r: FileRecord): FileRecord {
  const out: FileRecord = {
    path: r.path,
    real: r.real,
    uri: r.uri,
    role: r.role,
    skill: r.skill,
    readable: r.readable,
    digest: r.digest,
    bytes: r.bytes,
    fm: r.fm,
    readDiagnostics: r.readDiagnostics,
    lines: r.lines,
    checkedAt: r.checkedAt,
  }
  if (r.sha256 !== undefined) out.sha256 = r.sha256
  if (r.binary) out.binary = true
  if (r.stat !== undefined) out.stat = r.stat
  if (r.row !== undefined) out.row = r.row
  if (r.titles !== undefined) out.titles = r.titles
  if (r.tokens !== undefined) out.tokens = r.tokens
  return out
}

interface State {
  records: Map<string, FileRecord>
  entries: LibraryEntry[]
  /** What every reference is looked up in (see src/library/lookup.ts). */
  lookup: LookupIndex<LibraryEntry>
  byPath: Map<string, FileRecord>
  /** Every file relative references can name (documents and skill files). */
  files: FileIndex
  /** Files outside skills that are not documents (known, read only when asked for). */
  otherFiles: Map<string, FoundFile>
  /** Skill entries by `<skill-path>` (the part of their `skill://` URIs before the file). */
  skills: Map<string, LibraryEntry>
  scanDiagnostics: Diagnostic[]
  diagnostics: Diagnostic[]
  /** Whether entries, lookup and diagnostics were worked out yet. */
  readonly built: boolean
}

const DEFAULT_MAX_BYTES = 5 * 1024 * 1024

/** Most UTF-16 code units of file text a library keeps in memory (beyond it, text is read again from disk when needed, and checked by digest). */
const SOURCE_BUDGET = 8 * 1024 * 1024

/** Most claimants an `ALIAS_AMBIGUOUS` warning lists by URI (the others are counted). */
const ALIAS_CLAIMANTS = 5

/** URI scheme of skill entries and their files (as the MCP Skills extension names them). */
export const SKILL_SCHEME = 'skill'

/** Frontmatter of a file that is not a document (a skill's other files): none, and no diagnostic. */
function noFrontmatter(): FrontmatterResult<Frontmatter> {
  return { ...readFrontmatter<Frontmatter>('', undefined, undefined), diagnostics: [] }
}

/** A `skill://` URI. */
const SKILL_URI = /^skill:\/\//i

/** Whether a found file is its skill's SKILL.md. */
function isSkillFile(file: { path: string; skill?: string | undefined }): boolean {
  return file.skill !== undefined && file.path === (file.skill === '' ? SKILL_FILE : `${file.skill}/${SKILL_FILE}`)
}
/** Most files a library indexes unless `maxFiles` says otherwise. */
export const DEFAULT_MAX_FILES = 10_000

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Load every `.md` file below `root` as a library entry.
 *
 * Only frontmatter is read to index; bodies are parsed and counted when first needed and
 * cached by content. Broken documents stay entries with diagnostics. Symbolic links that
 * lead outside the root are skipped; nothing outside the root is ever read.
 *
 * @example
 * const library = await loadLibrary({ root: 'resources' })
 * library.match('set up experiment tracking', { categories: ['example'] })
 * await assemble(doc, { resolver: library, budget: 3000 })
 */
export async function loadLibrary(options: LoadLibraryOptions): Promise<Library> {
  if (!options || typeof options.root !== 'string' || options.root === '') throw new InvalidOptionError('root', 'must be a non-empty path')
  const schemes = (options.schemes ?? DEFAULT_SCHEMES).map((s) => s.toLowerCase())
  if (schemes.length === 0 || schemes.some((s) => !/^[a-z][a-z0-9+.-]*$/.test(s))) throw new InvalidOptionError('schemes', 'must be a non-empty list of URI scheme names')
  const scheme = schemes[0] as string
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES
  const store = options.parseStore
  if (store !== undefined && (store === null || typeof store.get !== 'function' || typeof store.set !== 'function')) {
    throw new InvalidOptionError('parseStore', 'must be a store with get(key) and set(key, value) methods, such as fileParseStore()')
  }
  const indexStore = options.indexStore
  if (indexStore !== undefined && (indexStore === null || typeof indexStore.get !== 'function' || typeof indexStore.set !== 'function')) {
    throw new InvalidOptionError('indexStore', 'must be a store with get(key) and set(key, value) methods, such as fileLibraryIndexStore()')
  }
  let base: string
  try {
    base = await realpath(nodePath.resolve(options.root))
  } catch (error) {
    throw new InvalidOptionError('root', `cannot open ${options.root}: ${(error as Error).message}`)
  }

  const parseCache = new Map<string, PromptDocument<Frontmatter>>()
  /** Each parse with the `path` references whose file exists in a file set (see `parseOnce`). */
  const existing = new WeakMap<PromptDocument<Frontmatter>, { files: FileIndex; doc: PromptDocument<Frontmatter> }>()
  const tokenCache = new WeakMap<TokenCounter, Map<string, number>>()
  /** Texts read, by `<path>\0<digest>`, oldest first, within {@link SOURCE_BUDGET}. */
  const sources = new Map<string, string>()
  let sourceChars = 0
  let matchIndex: { version: number; index: MatchIndex } | undefined
  let refreshing: Promise<RefreshResult> | undefined
  /** Key of this library in the index store: its root and schemes. */
  const indexKey = createHash('sha256').update(`promptfold-library\u0000${base}\u0000${schemes.join(',')}`).digest('base64url')
  const storedValue = indexStore?.get(indexKey)
  // The stored files are statted on another thread from here (their paths read from the value's header,
  // the stats used only if the value opens), while the root is walked and the value checked.
  const listed = storedValue !== undefined ? peekPaths(storedValue) : undefined
  const ahead = listed ? statAhead(base, listed.text, listed.count) : undefined
  let walked: ReturnType<typeof scanRoot>
  let persisted: IndexView | undefined
  try {
    walked = scanRoot(base, { maxFiles })
    persisted = indexStore && storedValue !== undefined ? openStored(indexStore, storedValue) : undefined
  } catch (error) {
    ahead?.stop()
    throw error
  }
  /** Terms of every match row of this library. */
  const vocabulary = persisted?.vocabulary ?? new Vocabulary()
  /** Something the index store does not have yet was learnt (a read, a row, a count). */
  let unsaved = false
  let saving: ReturnType<typeof setImmediate> | undefined
  /** What {@link trustedStored} is given by `ahead` (one object, filled for each file). */
  const aheadStat: FileStat = { size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0 }
  let state: State = buildState(new Map(), persisted, persisted ? ahead : (ahead?.stop(), undefined), walked)
  let version = 0
  if (unsaved) scheduleSave()

  /** Store the index just after the current work (a first `match` right after the load adds its rows to the same write). */
  function scheduleSave(): void {
    if (!indexStore || saving !== undefined) return
    saving = setImmediate(() => {
      saving = undefined
      if (unsaved) saveIndex()
    })
  }

  /** The stored index of this library (`value`, as `from` gave it), if it is sound. */
  function openStored(from: LibraryIndexStore, value: Uint8Array): IndexView | undefined {
    // The details value is read only when a file's details, row or match data are first asked for.
    return openIndex(value, indexKey, () => from.get(detailsKey(indexKey)))
  }

  /** Store what is known of every readable file (see `indexStore`). */
  function saveIndex(): void {
    unsaved = false
    if (!indexStore) return
    const files: IndexFile[] = []
    // The built match index goes with the files when it is this state's and each of its entries is a file written.
    const built = matchIndex && matchIndex.version === version ? matchIndex.index : undefined
    const entryFiles: number[] = []
    for (const r of state.records.values()) {
      if (built && isEntryRecord(r)) entryFiles.push(r.readable && r.stat !== undefined ? files.length : -1)
      if (!r.readable || r.stat === undefined) continue
      const raw = r instanceof StoredRecord ? r.rawDetails : undefined
      const stat = r.stat
      let file: IndexFile
      if (raw) file = { path: r.path, role: r.role, stat, checkedAt: r.checkedAt, bytes: r.bytes, rawDetails: raw }
      else {
        // The raw frontmatter (`data`) is read for skills only (name, description).
        const fm = r.role === 'skill' ? r.fm : { ...r.fm, data: {} }
        file = { path: r.path, role: r.role, stat, checkedAt: r.checkedAt, digest: r.digest, bytes: r.bytes, fm, readDiagnostics: r.readDiagnostics, lines: r.lines }
        if (r.sha256 !== undefined) file.sha256 = r.sha256
        if (r.tokens) file.tokens = r.tokens
      }
      if (r.binary) file.binary = true
      if (r.row) file.row = r.row
      const match = isEntryRecord(r) ? matchInfoOf(r) : undefined
      if (match) file.match = match
      files.push(file)
    }
    const postings: StoredPostings | undefined = built && entryFiles.every((i) => i >= 0) ? { parts: built.parts(), entries: entryFiles } : undefined
    let value: EncodedIndex
    try {
      value = encodeIndex(indexKey, files, vocabulary, Date.now(), postings)
    } catch {
      // Not written (the next load reads what changed, as without an index).
      return
    }
    // The details first: a load that sees the new index value is likelier to find them too (one that finds others reads the files again).
    indexStore.set(detailsKey(indexKey), value.details)
    indexStore.set(indexKey, value.index)
  }

  /**
   * Walk the root and read every file that changed (synchronously: see `readSource`), reusing
   * unchanged records. `ahead`: the stats of the stored files (`saved`'s paths), being taken on
   * another thread; `walked`: the walk, when it was done already.
   */
  function buildState(previous: Map<string, FileRecord>, saved?: IndexView, ahead?: StatsAhead, walked?: ReturnType<typeof scanRoot>): State {
    let scan: ReturnType<typeof scanRoot>
    const records = new Map<string, FileRecord>()
    let found = 0
    try {
      scan = walked ?? scanRoot(base, { maxFiles })
      // Stored paths are in path order, as the walk's: one pass over both finds each file's.
      let at = 0
      for (const file of scan.files) {
        let stored: number | undefined
        if (saved) {
          while (at < saved.count && (saved.paths[at] as string) < file.path) at++
          if (at < saved.count && saved.paths[at] === file.path) stored = at++
        }
        const before = previous.get(file.path)
        const record = (stored !== undefined && !before ? trustedStored(file, saved as IndexView, stored, ahead) : undefined) ?? recordOf(file, before ?? (stored !== undefined ? fromIndex(file, saved as IndexView, stored) : undefined))
        if (stored !== undefined && record.readable) found++
        records.set(file.path, record)
      }
    } finally {
      ahead?.stop()
    }
    // A stored file gone, or no longer readable: the stored index is out of date.
    if (saved && found !== saved.count) unsaved = true
    return index(records, scan.others, scan.diagnostics)
  }

  /** The role of a found file: a document, its skill's SKILL.md, or another file of a skill folder. */
  function roleOf(file: FoundFile): FileRole {
    return file.skill === undefined ? 'document' : isSkillFile(file) ? 'skill' : 'file'
  }

  /** A record from the stored index (its file `i`), for the file found at its path. */
  function fromIndex(file: FoundFile, saved: IndexView, i: number): FileRecord {
    return new StoredRecord(saved, i, file.path, file.real, fileUri(file), saved.role(i), file.skill, reread)
  }

  /**
   * The record of file `i` of the stored index, when the found file's stat vouches for it (as
   * {@link trusted} decides, without building a record first); else `undefined`. Its stat is the
   * one `ahead` took, if it took it (a file found not through a link is at the stored path).
   */
  function trustedStored(file: FoundFile, saved: IndexView, i: number, ahead: StatsAhead | undefined): FileRecord | undefined {
    const role = roleOf(file)
    if (saved.role(i) !== role) return undefined
    let s: FileStat | undefined
    if (ahead && !file.linked && ahead.take(i, aheadStat)) s = aheadStat
    else {
      try {
        const taken = statSync(file.real, { throwIfNoEntry: false })
        if (taken?.isFile()) s = taken
      } catch {
        return undefined
      }
    }
    if (!s || s.size > maxBytes || !saved.sameStat(i, s.size, s.mtimeMs, s.ctimeMs, s.ino)) return undefined
    const checkedAt = saved.checkedAt(i)
    if (!(s.mtimeMs < checkedAt - RACY_MS && s.ctimeMs < checkedAt - RACY_MS)) return undefined
    return new StoredRecord(saved, i, file.path, file.real, fileUri(file), role, file.skill, reread)
  }

  /** A stored record whose details did not add up: its file read as if it were not known. */
  function reread(record: StoredRecord): FileRecord {
    unsaved = true
    scheduleSave()
    return recordOf({ path: record.path, real: record.real, linked: true, ...(record.skill !== undefined ? { skill: record.skill } : {}) }, undefined)
  }

  /** A known record, for a file found at `real` with `uri`: itself when nothing moved. */
  function relocated(known: FileRecord, file: FoundFile, uri: string): FileRecord {
    if (known.real === file.real && known.uri === uri && known.skill === file.skill) return known
    if (known instanceof StoredRecord) return known.moved(file.real, uri, file.skill)
    return { ...known, real: file.real, uri, skill: file.skill }
  }

  /** Whether a known record still holds for a file of this stat without reading it: same stat, not modified within {@link RACY_MS} of when it was read. */
  function trusted(known: FileRecord, stat: FileStat): boolean {
    const was = known.stat
    if (!known.readable || was === undefined || stat.size > maxBytes) return false
    if (was.size !== stat.size || was.mtimeMs !== stat.mtimeMs || was.ctimeMs !== stat.ctimeMs || was.ino !== stat.ino) return false
    return stat.mtimeMs < known.checkedAt - RACY_MS && stat.ctimeMs < known.checkedAt - RACY_MS
  }

  /** The stat of a found file, or undefined when it cannot be taken. */
  function statOf(file: FoundFile): FileStat | undefined {
    try {
      const s = statSync(file.real, { throwIfNoEntry: false })
      return s?.isFile() ? { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino } : undefined
    } catch {
      return undefined
    }
  }

  /** The record of a found file: a known one when its stat vouches for it, else from reading it (a known one still, when its content is the same). */
  function recordOf(file: FoundFile, old: FileRecord | undefined): FileRecord {
    const role = roleOf(file)
    const uri = fileUri(file)
    const known = old && old.role === role ? old : undefined
    if (known) {
      const stat = statOf(file)
      if (stat && trusted(known, stat)) return relocated(known, file, uri)
    }
    const checkedAt = Date.now()
    const read = readSource(file, base, maxBytes, role !== 'document')
    if (!read.ok) {
      if (known?.readable) unsaved = true
      const fm = readFrontmatter<Frontmatter>('', undefined, file.path)
      return { path: file.path, real: file.real, uri, role, skill: file.skill, readable: false, digest: '', bytes: 0, fm: { ...fm, diagnostics: [] }, readDiagnostics: read.diagnostics, lines: {}, checkedAt }
    }
    const digest = digestOf(read.source)
    if (known && known.readable && known.digest === digest) {
      const same: FileRecord = { ...plainRecord(known), real: file.real, uri, skill: file.skill, readDiagnostics: read.diagnostics, stat: read.stat, checkedAt }
      // Its new stat to store (unless the index leaves it out, see `storable`).
      if (storable(same)) unsaved = true
      return same
    }
    const text = read.source.charCodeAt(0) === 0xfeff ? read.source.slice(1) : read.source
    // A skill's other files are not documents: no frontmatter is read, binary files keep no text.
    const frontmatter = role === 'file' ? noFrontmatter() : readFrontmatter<Frontmatter>(text, undefined, file.path)
    // The raw frontmatter (`data`) is read for skills only (their name and description). Cloned:
    // its strings are slices of the file's text, which would stay in memory with them.
    // structuredClone copies them flat; a plain copy by concatenation and slicing, faster, keeps
    // each a slice of its copy (measured: ~30 MB more at 50,000 documents).
    const fm = structuredClone(role === 'document' ? { ...frontmatter, data: {} } : frontmatter)
    const record: FileRecord = { path: file.path, real: file.real, uri, role, skill: file.skill, readable: true, digest, bytes: read.bytes, fm, readDiagnostics: read.diagnostics, lines: {}, stat: read.stat, checkedAt }
    // Something to store, unless the index leaves the file out (see `storable`); and the stored
    // entry of a file that changed into one it leaves out is out of date.
    if (storable(record) || known instanceof StoredRecord) unsaved = true
    if (read.sha256 !== undefined) record.sha256 = read.sha256
    if (role === 'file') {
      if (detectBinary(read.source)) Object.assign(record, { binary: true, readDiagnostics: [] })
      else keepSource(record, read.source, false)
      return record
    }
    if (typeof record.fm.meta.category === 'string') record.lines.category = frontmatterKeyLine(read.source, 'category')
    if (typeof record.fm.meta.id === 'string') record.lines.id = frontmatterKeyLine(read.source, 'id')
    // Headings for matching (see `scannedHeadings`): scanned when a match first needs them, from
    // the text kept; now, while the text is at hand, when it is not kept (it would be read again).
    if (!keepSource(record, read.source, false)) record.titles = detectBinary(text) ? null : structuredClone(scanHeadings(text.slice(fm.bodyOffset)) ?? null)
    return record
  }

  /**
   * Keep a record's text in memory while it fits {@link SOURCE_BUDGET}: the oldest texts make room
   * for a text read when asked for; a text read by a walk is kept only if it fits (a walk of a
   * library larger than the budget would otherwise pass every text through the kept ones, and
   * the heap would hold them all as garbage of the long-lived generation before collecting it).
   * Returns whether the text is kept.
   */
  function keepSource(record: FileRecord, source: string, evict = true): boolean {
    const key = `${record.path}\u0000${record.digest}`
    if (sources.has(key)) return true
    if (source.length > SOURCE_BUDGET || (!evict && sourceChars + source.length > SOURCE_BUDGET)) return false
    sources.set(key, source)
    sourceChars += source.length
    for (const [k, v] of sources) {
      if (sourceChars <= SOURCE_BUDGET) break
      sources.delete(k)
      sourceChars -= v.length
    }
    return true
  }

  /**
   * The text of a record and its digest: kept from the load, else read now. A file changed on
   * disk since the load (another digest) is returned as it is now, with its own digest, which
   * every cache uses as key; `refresh()` indexes it again.
   */
  function textOf(record: FileRecord): { source: string; digest: string } | undefined {
    if (!record.readable || record.binary) return undefined
    const kept = sources.get(`${record.path}\u0000${record.digest}`)
    if (kept !== undefined) return { source: kept, digest: record.digest }
    const read = readSource({ path: record.path, real: record.real, linked: true }, base, maxBytes)
    if (!read.ok) return undefined
    const digest = digestOf(read.source)
    if (digest === record.digest) keepSource(record, read.source)
    return { source: read.source, digest }
  }

  /** Canonical URI of a found file: `skill://<skill-path>/<file>` in a skill folder, else `<scheme>://<path without .md>`. */
  function fileUri(file: { path: string; skill?: string | undefined }): string {
    if (file.skill === undefined) return documentUri(scheme, file.path)
    const inside = file.skill === '' ? file.path : file.path.slice(file.skill.length + 1)
    return `${SKILL_SCHEME}://${skillPath(file.skill)}/${inside}`
  }

  /** `<skill-path>` of a skill folder: the folder, or the root's own name for a skill at the root. */
  function skillPath(folder: string): string {
    return skillPathOf(folder, base)
  }

  /** The state of a walk: entries, lookups and diagnostics worked out on first use. */
  function index(records: Map<string, FileRecord>, others: FoundFile[], scanDiagnostics: Diagnostic[]): State {
    let derived: Pick<State, 'entries' | 'lookup' | 'skills' | 'diagnostics'> | undefined
    let files: FileIndex | undefined
    const derive = () => (derived ??= deriveEntries(records, scanDiagnostics))
    return {
      records,
      byPath: records,
      otherFiles: new Map(others.map((f) => [f.path, f])),
      scanDiagnostics,
      get entries() {
        return derive().entries
      },
      get lookup() {
        return derive().lookup
      },
      get skills() {
        return derive().skills
      },
      get diagnostics() {
        return derive().diagnostics
      },
      get files() {
        files ??= createFileIndex([...[...records.values()].map((r) => [r.path, r.skill ?? null] as const), ...others.map((f) => [f.path, null] as const)])
        return files
      },
      get built() {
        return derived !== undefined
      },
    }
  }

  /** Entries (sorted by path), their aliases and the lookup, the skills and every diagnostic. */
  function deriveEntries(records: Map<string, FileRecord>, scanDiagnostics: Diagnostic[]): Pick<State, 'entries' | 'lookup' | 'skills' | 'diagnostics'> {
    const sorted = [...records.values()].sort((a, b) => compare(a.path, b.path))
    const skillFiles = new Map<string, SkillFile[]>()
    for (const r of sorted) {
      if (r.skill === undefined) continue
      let list = skillFiles.get(r.skill)
      if (!list) skillFiles.set(r.skill, (list = []))
      list.push({ path: r.skill === '' ? r.path : r.path.slice(r.skill.length + 1), bytes: r.bytes, sha256: r.sha256 ?? '' })
    }
    const entries: LibraryEntry[] = []
    for (const r of sorted) {
      if (r.skill !== undefined) {
        if (isSkillFile(r)) entries.push(skillEntry(r, skillFiles.get(r.skill) ?? []))
        continue
      }
      entries.push(documentEntry(r))
    }
    // Names (ids and file names) claimed by one entry are its aliases; by several, none of theirs.
    const lookup = createLookupIndex(entries, schemes)
    for (const entry of entries) {
      const names = entry.kind === 'skill' ? (entry.name ? [entry.name] : []) : entry.id && entry.id !== entryName(entry.path) ? [entry.id, entryName(entry.path)] : [entryName(entry.path)]
      for (const name of names) {
        const claims = lookup.names.get(name) ?? []
        if (claims.length === 1) entry.aliases.push(name)
        else {
          // At most ALIAS_CLAIMANTS listed: a name copied across a large library would repeat every claimant in every claimant's warning.
          const listed = claims.slice(0, ALIAS_CLAIMANTS).map((c) => `${c.entry.uri} (${c.how})`)
          const who = claims.length > ALIAS_CLAIMANTS ? `${listed.join(', ')} and ${claims.length - ALIAS_CLAIMANTS} more` : listed.join(', ')
          entry.diagnostics.push(diagnostic('ALIAS_AMBIGUOUS', 'warning', `The name "${name}" is claimed by ${claims.length} documents: ${who}; it resolves to none of them`, { file: entry.path }))
        }
      }
    }
    const skills = new Map(entries.filter((e) => e.kind === 'skill').map((e) => [e.uri.slice(SKILL_SCHEME.length + 3), e]))
    const diagnostics = [...scanDiagnostics, ...entries.flatMap((e) => e.diagnostics)]
    return { entries, lookup, skills, diagnostics }
  }

  /** Whether a record is an entry's: a document, or a skill's SKILL.md. */
  function isEntryRecord(r: FileRecord): boolean {
    return r.skill === undefined || isSkillFile(r)
  }

  /** The URI of a record's entry (see {@link isEntryRecord}): a skill's is its folder's. */
  function entryUriOf(r: FileRecord): string {
    return r.skill === undefined ? r.uri : `${SKILL_SCHEME}://${skillPath(r.skill)}`
  }

  /** A document's category: frontmatter `category` (normalized), else its first folder's, else `uncategorized`. */
  function categoryOf(r: FileRecord): { category: string; declared: string | undefined; fromFolder: string | undefined; folder: string | undefined } {
    const folder = r.path.includes('/') ? (r.path.split('/')[0] as string) : undefined
    const declared = typeof r.fm.meta.category === 'string' ? normalizeCategory(r.fm.meta.category) : undefined
    const fromFolder = folder !== undefined ? normalizeCategory(folder) : undefined
    return { category: declared || fromFolder || 'uncategorized', declared, fromFolder, folder }
  }

  /** What an entry's record gives the match index besides its row: from the index store's columns when it has them (no details parsed). */
  function matchInfoOf(r: FileRecord): MatchInfo {
    const stored = r instanceof StoredRecord ? r.match : undefined
    if (stored) return stored
    return { category: r.skill !== undefined ? 'skill' : categoryOf(r).category, tags: matchTags(r.fm.meta.tags) }
  }

  function documentEntry(r: FileRecord): LibraryEntry {
    const diagnostics: Diagnostic[] = [...r.readDiagnostics, ...r.fm.diagnostics]
    const { category, declared, fromFolder, folder } = categoryOf(r)
    if (declared && fromFolder && declared !== fromFolder) {
      diagnostics.push(
        diagnostic('CATEGORY_MISMATCH', 'info', `Frontmatter category "${r.fm.meta.category}" differs from the folder "${folder}"; the frontmatter wins`, {
          file: r.path,
          line: r.lines.category,
        }),
      )
    }
    const id = typeof r.fm.meta.id === 'string' ? r.fm.meta.id.trim() : undefined
    const file = entryName(r.path)
    if (id && id !== file) {
      diagnostics.push(
        diagnostic('ID_MISMATCH', 'warning', `Frontmatter id "${id}" differs from the file name "${file}"; both name this document`, {
          file: r.path,
          line: r.lines.id,
        }),
      )
    }
    const entry: LibraryEntry = { kind: 'document', uri: r.uri, path: r.path, aliases: [], category, meta: r.fm.meta, digest: r.digest, bytes: r.bytes, diagnostics }
    if (id) entry.id = id
    return entry
  }

  /** The entry of a skill folder, from its SKILL.md record and the manifest of its files. */
  function skillEntry(r: FileRecord, files: SkillFile[]): LibraryEntry {
    const folder = r.skill ?? ''
    const data = r.fm.data
    const entry: LibraryEntry = {
      kind: 'skill',
      uri: `${SKILL_SCHEME}://${skillPath(folder)}`,
      path: r.path,
      name: skillName(r),
      folder,
      files,
      aliases: [],
      category: 'skill',
      meta: r.fm.meta,
      digest: r.digest,
      bytes: r.bytes,
      diagnostics: [...r.readDiagnostics, ...r.fm.diagnostics.filter((d) => d.code !== 'FRONTMATTER_INVALID_FIELD')],
    }
    if (typeof data.description === 'string') entry.description = data.description.trim()
    return entry
  }

  /** A skill's name: frontmatter `name` when it is a non-empty string, else its folder's. */
  function skillName(r: FileRecord): string {
    const declared = typeof r.fm.data.name === 'string' ? r.fm.data.name.trim() : ''
    return declared !== '' ? declared : nodePath.posix.basename(skillPath(r.skill ?? ''))
  }

  /** What matching needs of an entry, from its record alone (the entry's fields, as {@link documentEntry} and {@link skillEntry} set them). */
  function matchFacts(r: FileRecord): MatchFacts {
    if (r.skill !== undefined) {
      const description = r.fm.data.description
      return { kind: 'skill', uri: entryUriOf(r), path: r.path, meta: r.fm.meta, name: skillName(r), ...(typeof description === 'string' ? { description: description.trim() } : {}) }
    }
    const id = typeof r.fm.meta.id === 'string' ? r.fm.meta.id.trim() : undefined
    return { kind: 'document', uri: r.uri, path: r.path, meta: r.fm.meta, ...(id ? { id } : {}) }
  }

  function recordOfEntry(entry: Pick<LibraryEntry, 'path'>): FileRecord | undefined {
    return state.byPath.get(entry.path)
  }

  function find(ref: string): LookupResult<LibraryEntry> {
    if (typeof ref === 'string' && SKILL_URI.test(ref.trim())) {
      const file = skillFilePath(ref.trim())
      const entry = file !== undefined ? (entryOfSkillFile(file) ?? entryOfSkillFile(`${file}.md`)) : undefined
      return entry ? { ok: true, entry, via: 'uri' } : { ok: false, code: 'NOT_FOUND', message: `${ref.trim()} names no skill of the library` }
    }
    const found = lookupReference(state.lookup, ref)
    if (found.ok || found.code !== 'NOT_FOUND' || typeof ref !== 'string') return found
    // A skill by the path of its SKILL.md.
    const skill = entryOfSkillFile(ref.trim()) ?? entryOfSkillFile(`${ref.trim()}.md`)
    return skill ? { ok: true, entry: skill, via: 'uri' } : found
  }

  /** A `skill://<skill-path>[/<file>]` URI as a path from the root (the skill's SKILL.md for `skill://<skill-path>`), if it names a skill. */
  function skillFilePath(uri: string): string | undefined {
    const rest = uri.slice(uri.indexOf('://') + 3).replace(/\/+$/, '')
    // Skills may nest: the longest skill path that prefixes the URI wins.
    for (let cut = rest.length; cut > 0; cut = rest.lastIndexOf('/', cut - 1)) {
      const skill = state.skills.get(rest.slice(0, cut))
      if (skill) {
        const inside = rest.slice(cut + 1)
        const folder = skill.folder ?? ''
        const file = inside === '' ? SKILL_FILE : inside
        return folder === '' ? file : `${folder}/${file}`
      }
    }
    return undefined
  }

  /** The entry whose file is `path` (a document, or a skill's SKILL.md), if any. */
  function entryAt(path: string): LibraryEntry | undefined {
    const record = state.byPath.get(path)
    if (!record) return undefined
    return record.skill === undefined ? state.lookup.byUri.get(record.uri) : entryOfSkillFile(path)
  }

  /** The skill entry whose SKILL.md is `path`, if it is one. */
  function entryOfSkillFile(path: string): LibraryEntry | undefined {
    const record = state.byPath.get(path)
    if (!record || record.skill === undefined || !isSkillFile(record)) return undefined
    return state.skills.get(skillPath(record.skill))
  }

  /** The path (from the root) of the file holding a reference, from the `from` a resolver is told (a URI or a path). */
  function pathOfFrom(from: string | undefined): string | undefined {
    if (from === undefined) return undefined
    const entry = state.lookup.byUri.get(from)
    if (entry) return entry.path
    if (state.byPath.has(from)) return from
    return SKILL_URI.test(from) ? skillFilePath(from) : undefined
  }

  /** Find the file a relative reference names: a path from the root, or a `skill://` URI of a file. */
  function findFile(ref: string, from?: string): FileLookup {
    const text = ref.trim()
    if (!SKILL_URI.test(text)) return lookupFile(state.files, text, pathOfFrom(from))
    const path = skillFilePath(text)
    if (path === undefined) return { ok: false, code: 'NOT_FOUND', message: `${text} names no skill of the library` }
    // A skill file's URI may have lost its `.md` to normalization (`skill://pdf/forms`), as other URIs do.
    const found = lookupFile(state.files, path, pathOfFrom(from))
    return !found.ok && found.code === 'NOT_FOUND' && state.byPath.has(`${path}.md`) ? lookupFile(state.files, `${path}.md`, pathOfFrom(from)) : found
  }

  /** Resolve a file by path (a `link` or `path` reference, or a skill file's URI). */
  function resolveFile(uri: string, context: ResolveContext): ResolvedDocument | undefined {
    const found = findFile(uri, context.from)
    if (!found.ok) {
      if (found.code === 'ACCESS_DENIED') throw new AccessDeniedError(uri, found.message)
      if (found.code === 'CASE_MISMATCH') throw new PromptfoldError('CASE_MISMATCH', found.message)
      return undefined
    }
    const record = state.byPath.get(found.path)
    if (!record) return otherFile(found.path)
    if (record.binary) throw new PromptfoldError('BINARY_FILE', `${found.path} is not text`)
    const text = textOf(record)
    if (text === undefined) throw new PromptfoldError('ENTRY_UNREADABLE', `${found.path} could not be read: ${record.readDiagnostics.map((d) => d.message).join('; ') || 'it is no longer there'}`)
    const doc: ResolvedDocument = { source: text.source, uri: found.path, path: found.path }
    if (record.readDiagnostics.length > 0) doc.diagnostics = [...record.readDiagnostics]
    return doc
  }

  /** A file outside skills that is no document (a script next to a document), read now. */
  function otherFile(path: string): ResolvedDocument | undefined {
    const file = state.otherFiles.get(path)
    if (!file) return undefined
    const read = readSource({ ...file, linked: true }, base, maxBytes)
    if (!read.ok) throw new PromptfoldError('ENTRY_UNREADABLE', read.diagnostics.map((d) => d.message).join('; '))
    if (detectBinary(read.source)) throw new PromptfoldError('BINARY_FILE', `${path} is not text`)
    const doc: ResolvedDocument = { source: read.source, uri: path, path }
    if (read.diagnostics.length > 0) doc.diagnostics = read.diagnostics
    return doc
  }

  /** Whether a reference names a file rather than an entry: a `link` or `path`, a skill file's URI, or the exact path of a file that is no entry. */
  function isFileReference(uri: string, context: ResolveContext): boolean {
    if (context.kind === 'link' || context.kind === 'path') return true
    const text = uri.trim()
    if (SKILL_URI.test(text)) return !find(text).ok
    return state.byPath.has(text) && state.byPath.get(text)?.skill !== undefined && !entryOfSkillFile(text)
  }

  function lookup(ref: string): LibraryLookup {
    return toLibraryLookup(find(ref))
  }

  async function resolve(uri: string, context: ResolveContext = {}): Promise<ResolvedDocument | undefined> {
    if (isFileReference(uri, context)) return resolveFile(uri, context)
    const found = find(uri)
    if (!found.ok) {
      if (found.code === 'ACCESS_DENIED') throw new AccessDeniedError(uri, found.message)
      if (found.code === 'AMBIGUOUS') throw new PromptfoldError('AMBIGUOUS_REFERENCE', found.message)
      return undefined
    }
    const entry = found.entry
    const record = recordOfEntry(entry)
    const text = record ? textOf(record) : undefined
    if (!record || text === undefined) {
      throw new PromptfoldError('ENTRY_UNREADABLE', `${entry.uri} could not be read: ${entry.diagnostics.map((d) => d.message).join('; ') || 'it is no longer there'}`)
    }
    const diagnostics: Diagnostic[] = [...record.readDiagnostics]
    const from = context.from !== undefined ? (state.lookup.byUri.get(context.from)?.path ?? context.from) : undefined
    if (found.via === 'flat') {
      diagnostics.push(diagnostic('RESOLVED_FLAT_PATH', 'warning', `${uri} resolved to ${entry.uri} by category folder and file name; write the full path`, { file: from }))
    } else if (found.via === 'alias') {
      diagnostics.push(diagnostic('RESOLVED_BY_ALIAS', 'info', `${uri} resolved to ${entry.uri} by its name`, { file: from }))
    }
    const doc: ResolvedDocument = { source: text.source, uri: entry.uri, path: entry.path }
    if (diagnostics.length > 0) doc.diagnostics = diagnostics
    return doc
  }

  function sourceOf(ref: string): { entry: LibraryEntry; source: string; digest: string } | undefined {
    const found = find(ref)
    return found.ok ? sourceOfEntry(found.entry) : undefined
  }

  function sourceOfEntry<E extends Pick<LibraryEntry, 'path'>>(entry: E): { entry: E; source: string; digest: string } | undefined {
    const record = recordOfEntry(entry)
    const text = record ? textOf(record) : undefined
    return text ? { entry, ...text } : undefined
  }

  /** The parse of an entry, made on first use and cached by content (the one source of its title, headings and references). */
  function parsed(entry: LibraryEntry): PromptDocument<Frontmatter> | undefined {
    return parsedWithDigest(entry)?.doc
  }

  /** {@link parsed}, with the digest of the text parsed (the entry's, unless the file changed since it was indexed). */
  function parsedWithDigest(entry: Pick<LibraryEntry, 'path' | 'uri'>): { doc: PromptDocument<Frontmatter>; digest: string } | undefined {
    const found = sourceOfEntry(entry)
    return found ? { doc: parseOnce(found.source, found.digest, entry.path, entry.uri), digest: found.digest } : undefined
  }

  /** Parse a file of the library once per content and name; `path` references count only when their file is in the library (in any letter case). */
  function parseOnce(source: string, digest: string, path: string, uri: string): PromptDocument<Frontmatter> {
    const key = `${digest}\u0000${uri}`
    let doc = parseCache.get(key)
    if (!doc) {
      doc = parseDocument(source, { path, uri, schemes, ...(store ? { parseStore: store } : {}) })
      parseCache.set(key, doc)
    }
    // Which `path` references count depends on the files there are now: filtered per file set.
    const seen = existing.get(doc)
    if (seen && seen.files === state.files) return seen.doc
    const kept = existingPaths(doc, (p) => state.files.folded.has(p.toLowerCase()))
    existing.set(doc, { files: state.files, doc: kept })
    return kept
  }

  function document(ref: string): PromptDocument<Frontmatter> | undefined {
    const found = find(ref)
    if (found.ok) return parsed(found.entry)
    // A markdown file of a skill folder (not an entry of its own), by its path or skill:// URI.
    const file = findFile(ref)
    const record = file.ok ? state.byPath.get(file.path) : undefined
    if (!record || !DOCUMENT_FILE.test(record.path)) return undefined
    const text = textOf(record)
    return text ? parseOnce(text.source, text.digest, record.path, record.path) : undefined
  }

  async function readFile(path: string): Promise<LibraryFile | undefined> {
    if (typeof path !== 'string') throw new InvalidOptionError('path', 'must be a string')
    const found = findFile(path)
    const record = found.ok ? (state.byPath.get(found.path) ?? state.otherFiles.get(found.path)) : undefined
    if (!record) return undefined
    const read = readBytes({ path: record.path, real: record.real, linked: true }, base, maxBytes)
    if (!read.ok) throw new PromptfoldError('ENTRY_UNREADABLE', read.diagnostics.map((d) => d.message).join('; '))
    const file: LibraryFile = { path: record.path, bytes: new Uint8Array(read.bytes), sha256: createHash('sha256').update(read.bytes).digest('hex') }
    const text = decodeUtf8(read.bytes).text
    if (!detectBinary(text)) file.text = text
    return file
  }

  /** Title and other headings of an entry, from its parse (non-empty section titles in document order), and the digest of the text parsed. */
  function headingsOf(entry: MatchFacts): { title: string; headings: string[]; digest: string | undefined } {
    const found = parsedWithDigest(entry)
    if (!found) return { title: entry.id ?? entryName(entry.path), headings: [], digest: undefined }
    const titles = found.doc.sections.map((s) => s.title).filter((t) => t !== '')
    return { title: found.doc.title, headings: titles.slice(1), digest: found.digest }
  }

  /** The encoding of a counter whose counts may be kept in the index: one of the shared counters of `createTokenCounter`. */
  function sharedEncoding(counter: TokenCounter): string | undefined {
    try {
      return createTokenCounter({ encoding: counter.encoding as EncodingName }) === counter ? counter.encoding : undefined
    } catch {
      return undefined
    }
  }

  function tokens(ref: string, options: TokensOptions = {}): number | undefined {
    const found = find(ref)
    const record = found.ok ? recordOfEntry(found.entry) : undefined
    if (!found.ok || !record || !record.readable) return undefined
    const counter = options.counter ?? createTokenCounter()
    const encoding = sharedEncoding(counter)
    const known = encoding !== undefined ? record.tokens?.[encoding] : undefined
    if (known !== undefined) return known
    const text = textOf(record)
    if (!text) return undefined
    let cache = tokenCache.get(counter)
    if (!cache) tokenCache.set(counter, (cache = new Map()))
    let n = cache.get(text.digest)
    if (n === undefined) {
      n = counter.count(text.source)
      cache.set(text.digest, n)
    }
    if (encoding !== undefined && text.digest === record.digest) {
      record.tokens = { ...record.tokens, [encoding]: n }
      unsaved = true
    }
    return n
  }

  /**
   * Title and headings of an entry from a line scan of its body (src/library/headings.ts),
   * when the body is plain enough for the scan to be certain to agree with the parse; else
   * `undefined` (the caller parses). The title falls back as the parse's does.
   */
  function scannedHeadings(e: MatchFacts, record: FileRecord | undefined): { title: string; headings: string[]; digest: string } | undefined {
    if (!record) return undefined
    let scanned = record.titles
    if (scanned === undefined) {
      const text = textOf(record)
      if (!text || text.digest !== record.digest) return undefined
      const source = text.source.charCodeAt(0) === 0xfeff ? text.source.slice(1) : text.source
      scanned = detectBinary(source) ? null : (scanHeadings(source.slice(record.fm.bodyOffset)) ?? null)
    }
    const titles = scanned?.filter((t) => t !== '')
    if (!titles) return undefined
    const id = record.fm.meta.id
    const title = titles[0] ?? (typeof id === 'string' ? id : (e.path.split('/').pop()?.replace(/\.mdc?$/i, '') ?? ''))
    return { title, headings: titles.slice(1), digest: record.digest }
  }

  /** What an entry's match row is worked out from: its text, and the digest of the content its headings were read from (when read). */
  function matchTextOf(e: MatchFacts, record: FileRecord | undefined): { text: MatchText; digest: string | undefined } {
    const { title, headings, digest } = scannedHeadings(e, record) ?? headingsOf(e)
    const folders = e.path.split('/').slice(0, -1).join(' ')
    const text: MatchText = {
      tags: e.meta.tags,
      title,
      useWhen: e.meta.useWhen,
      capabilities: e.meta.capabilities,
      headings,
      name: e.kind === 'skill' ? [e.name ?? '', folders].join(' ') : [e.id ?? '', entryName(e.path), folders].join(' '),
      ...(e.description !== undefined ? { description: e.description } : {}),
    }
    return { text, digest }
  }

  /** Keep a row on the record it was worked out for, when worked out from the content the record describes. */
  function keepRow(record: FileRecord | undefined, row: Uint32Array, digest: string | undefined): void {
    if (record && (digest === undefined || digest === record.digest)) {
      record.row = row
      // The headings were kept for this row alone.
      record.titles = undefined
      if (record.readable) unsaved = true
    }
  }

  /**
   * The match rows of entries, in order: kept on their records (and in the index store) once worked
   * out from their frontmatter and headings; those not known yet worked out together (`matchRows`).
   */
  function rowsOf(list: readonly { facts: () => MatchFacts; record: FileRecord | undefined }[]): Uint32Array[] {
    const rows = list.map((item) => item.record?.row)
    // A chunk at a time: the texts (every heading of every entry) are let go once read.
    for (let from = 0; from < list.length; from += ROWS_CHUNK) {
      const missing: { i: number; record: FileRecord | undefined; text: MatchText; digest: string | undefined }[] = []
      for (let i = from; i < Math.min(from + ROWS_CHUNK, list.length); i++) {
        const item = list[i] as (typeof list)[number]
        if (rows[i] === undefined) missing.push({ i, record: item.record, ...matchTextOf(item.facts(), item.record) })
      }
      const made = matchRows(
        missing.map((m) => m.text),
        vocabulary,
      )
      missing.forEach((m, k) => {
        const row = made[k] as Uint32Array
        keepRow(m.record, row, m.digest)
        rows[m.i] = row
      })
    }
    return rows as Uint32Array[]
  }

  /** The match input of every entry from the records alone (entries are not built for it): rows as stored, or worked out. */
  function indexedFromRecords(): IndexedEntry[] {
    const records = [...state.records.values()].filter(isEntryRecord)
    const rows = rowsOf(records.map((r) => ({ facts: () => matchFacts(r), record: r })))
    return records.map((r, i) => {
      const { category, tags } = matchInfoOf(r)
      return { uri: entryUriOf(r), category, tags, vocabulary, row: rows[i] as Uint32Array }
    })
  }

  /** The match input of built entries. */
  function builtIndexed(entries: readonly LibraryEntry[]): IndexedEntry[] {
    const rows = rowsOf(entries.map((e) => ({ facts: () => e, record: recordOfEntry(e) })))
    return entries.map((e, i) => ({ uri: e.uri, category: e.category, tags: matchTags(e.meta.tags), vocabulary, row: rows[i] as Uint32Array }))
  }

  /**
   * The match index kept in the index store, when this state's entries are exactly those it was
   * built from: each entry's record is the stored file the index names, trusted as stored.
   */
  function storedMatchIndex(): MatchIndex | undefined {
    const stored = persisted?.postings
    if (!stored) return undefined
    const uris: string[] = []
    for (const r of state.records.values()) {
      if (!isEntryRecord(r)) continue
      if (!(r instanceof StoredRecord) || r.view !== persisted || r.fresh !== undefined || stored.entries[uris.length] !== r.i) return undefined
      uris.push(entryUriOf(r))
    }
    if (uris.length !== stored.entries.length) return undefined
    return new MatchIndex([], { parts: { ...stored.parts, uris }, vocabulary })
  }

  function matchIndexNow(): MatchIndex {
    if (matchIndex && matchIndex.version === version) return matchIndex.index
    const kept = storedMatchIndex()
    if (kept) {
      matchIndex = { version, index: kept }
      return kept
    }
    const indexed: IndexedEntry[] = !state.built ? indexedFromRecords() : builtIndexed(state.entries)
    const built = new MatchIndex(indexed)
    matchIndex = { version, index: built }
    // An index stored without its postings (written before any match), every entry as stored: written again with them.
    if (persisted && !persisted.postings && [...state.records.values()].every((r) => !isEntryRecord(r) || (r instanceof StoredRecord && r.fresh === undefined))) unsaved = true
    if (unsaved) scheduleSave()
    return built
  }

  function match(query: string, matchOptions: MatchOptions = {}): MatchResult[] {
    if (typeof query !== 'string') throw new InvalidOptionError('query', 'must be a string')
    const { maxResults, minScore } = matchOptions
    if (maxResults !== undefined && !(maxResults === Number.POSITIVE_INFINITY || (Number.isInteger(maxResults) && maxResults >= 0))) {
      throw new InvalidOptionError('maxResults', `must be a non-negative integer, got ${String(maxResults)}`)
    }
    if (minScore !== undefined && (typeof minScore !== 'number' || Number.isNaN(minScore))) throw new InvalidOptionError('minScore', 'must be a number')
    return matchIndexNow().search(query, matchOptions)
  }

  function resolveMatch(query: MatchQuery, context: { from?: string | undefined } = {}): string[] {
    const text = query.query.replace(/\$\{[^}]*\}/g, ' ')
    const origin = context.from !== undefined ? find(context.from) : undefined
    const from = origin?.ok ? origin.entry.uri : undefined
    const max = query.maxResults ?? 5
    const opts: MatchOptions = { categories: query.categories, tags: query.tags, maxResults: max + 1 }
    if (query.minScore !== undefined) opts.minScore = query.minScore
    return match(text, opts)
      .filter((r) => r.uri !== from)
      .slice(0, max)
      .map((r) => r.uri)
  }

  function graph(graphOptions: GraphOptions = {}): LibraryGraph {
    const edges = new Map<string, GraphEdge>()
    const dangling = new Map<string, DanglingReference>()
    const dynamic: OtherReference[] = []
    const invalid: OtherReference[] = []
    for (const entry of state.entries) {
      const doc = parsed(entry)
      if (!doc) continue
      for (const ref of doc.references) {
        const base: OtherReference = { from: entry.uri, uri: ref.uri, kind: ref.kind, raw: ref.raw, line: ref.position.line }
        if (ref.kind === 'link' || ref.kind === 'path') {
          const file = findFile(ref.uri, entry.path)
          const to = file.ok ? (entryAt(file.path)?.uri ?? file.path) : undefined
          const key = `${entry.uri}\u0000${to ?? ref.uri}\u0000${ref.kind}`
          if (to !== undefined) {
            if (!edges.has(key)) edges.set(key, { from: entry.uri, to, kind: ref.kind, raw: ref.raw, line: ref.position.line, via: 'path' })
          } else if (!file.ok && file.code === 'ACCESS_DENIED') invalid.push(base)
          else if (!file.ok && !dangling.has(key)) dangling.set(key, { ...base, reason: file.code === 'CASE_MISMATCH' ? 'case-mismatch' : 'not-found' })
          continue
        }
        const found = find(ref.uri)
        if (found.ok) {
          const key = `${entry.uri}\u0000${found.entry.uri}\u0000${ref.kind}`
          if (!edges.has(key)) edges.set(key, { from: entry.uri, to: found.entry.uri, kind: ref.kind, raw: ref.raw, line: ref.position.line, via: found.via })
        } else if (found.code === 'ACCESS_DENIED') {
          invalid.push(base)
        } else if (found.code === 'DYNAMIC') {
          dynamic.push(base)
        } else {
          const key = `${entry.uri}\u0000${ref.uri}\u0000${ref.kind}`
          if (!dangling.has(key)) dangling.set(key, { ...base, reason: found.code === 'AMBIGUOUS' ? 'ambiguous' : 'not-found' })
        }
      }
    }
    const kindOrder: Record<ReferenceKind, number> = { slot: 0, mention: 1, related: 2, link: 3, path: 4 }
    const edgeList = [...edges.values()].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to) || kindOrder[a.kind] - kindOrder[b.kind])
    const danglingList = [...dangling.values()].sort((a, b) => compare(a.from, b.from) || compare(a.uri, b.uri) || kindOrder[a.kind] - kindOrder[b.kind])
    const kinds = new Set(graphOptions.cycleKinds ?? ['slot', 'mention', 'related', 'link', 'path'])
    const adjacency = new Map<string, string[]>()
    for (const e of edgeList) {
      if (!kinds.has(e.kind)) continue
      let list = adjacency.get(e.from)
      if (!list) adjacency.set(e.from, (list = []))
      list.push(e.to)
    }
    const { cycles, truncated } = elementaryCycles(adjacency, graphOptions.maxCycles)
    return { edges: edgeList, dangling: danglingList, cycles, cyclesTruncated: truncated, dynamic, invalid }
  }

  async function doRefresh(): Promise<RefreshResult> {
    const before = state
    const next = buildState(before.records)
    const added: string[] = []
    const changed: string[] = []
    const removed: string[] = []
    let unchanged = 0
    for (const [path, r] of next.records) {
      const old = before.records.get(path)
      if (!old) added.push(r.uri)
      else if (old !== r && (old.digest !== r.digest || old.readable !== r.readable)) changed.push(r.uri)
      else unchanged++
    }
    for (const [path, r] of before.records) if (!next.records.has(path)) removed.push(r.uri)
    state = next
    if (added.length + changed.length + removed.length > 0) {
      version++
      // Drop cached parses and texts of content no longer present.
      const live = new Set(next.entries.map((e) => `${e.digest}\u0000${e.uri}`))
      for (const key of parseCache.keys()) if (!live.has(key)) parseCache.delete(key)
      for (const [key, text] of sources) {
        const cut = key.indexOf('\u0000')
        if (next.records.get(key.slice(0, cut))?.digest === key.slice(cut + 1)) continue
        sources.delete(key)
        sourceChars -= text.length
      }
    }
    if (unsaved) scheduleSave()
    return { added: added.sort(compare), changed: changed.sort(compare), removed: removed.sort(compare), unchanged }
  }

  function refresh(): Promise<RefreshResult> {
    // One refresh at a time; a call during a refresh runs after it.
    const run = (refreshing ?? Promise.resolve()).catch(() => undefined).then(doRefresh)
    refreshing = run
    return run
  }

  const library = ((uri: string, context?: ResolveContext) => resolve(uri, context)) as Library
  const methods = {
    resolve: (uri: string, context?: ResolveContext) => resolve(uri, context),
    lookup,
    get: (ref: string) => {
      const found = find(ref)
      return found.ok ? found.entry : undefined
    },
    source: (ref: string) => sourceOf(ref)?.source,
    document,
    readFile,
    title: (ref: string) => {
      const found = find(ref)
      return found.ok ? headingsOf(found.entry).title : undefined
    },
    tokens,
    refresh,
    graph,
    match,
    resolveMatch,
  }
  for (const [name, value] of Object.entries(methods)) Object.defineProperty(library, name, { value, enumerable: true })
  Object.defineProperties(library, {
    root: { value: base, enumerable: true },
    schemes: { value: Object.freeze([...schemes]), enumerable: true },
    entries: { get: () => state.entries, enumerable: true },
    diagnostics: { get: () => state.diagnostics, enumerable: true },
    version: { get: () => version, enumerable: true },
  })
  return library
}

/** Whether a value is a loaded library. */
export function isLibrary(value: unknown): value is Library {
  return typeof value === 'function' && typeof (value as Partial<Library>).match === 'function' && Array.isArray((value as Partial<Library>).entries)
}
