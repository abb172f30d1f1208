/**
 * `lint`: check the documents of a library, built on {@link loadLibrary} and `library.graph()`.
 *
 * Findings (codes in brackets):
 * - the warning and error diagnostics of each document (`FRONTMATTER_*`, `REFERENCE_*`,
 *   `ID_MISMATCH`, reading problems), with file and line; an invalid reference URI
 *   (`REFERENCE_INVALID`) is an error here;
 * - `UNRESOLVED_REFERENCE` (error): one per entry of `library.graph().dangling`, a slot,
 *   mention or related resource whose target is not in the library or is ambiguous;
 * - `LINK_BROKEN` (error) and `LINK_CASE_MISMATCH` (error): the dangling links and paths
 *   instead (a link to a file that is not there; a file named in another letter case);
 *   `LINK_OUTSIDE_ROOT` (warning) for a link or path of a skill that leads out of its folder;
 * - skills (entries of kind `skill`): the Agent Skills specification's `SKILL_*` checks of
 *   src/library/skill-lint.ts, and `LINK_TOO_DEEP` (warning) for a file the SKILL.md
 *   references that references further files of the skill;
 * - `SLOT_CYCLE` (error): one per cycle of `library.graph({ cycleKinds: ['slot'] }).cycles`;
 * - `DUPLICATE_ID` (error): two entries with the same frontmatter `id`;
 * - `ESTIMATE_OFF` (error, fixable): frontmatter `estimatedTokens` more than 25% off the
 *   measured count of the document's body (the text after the frontmatter, as written);
 * - `HINT_OFF` (error): a `(~N tokens)` hint more than 25% off the measured cost of the
 *   document it points at (its body with its own slots deferred: the `tokens` column of an
 *   assembly report at `maxDepth: 1`);
 * - `ASSEMBLE_FAILED` (error): the document could not be assembled to measure its hints.
 *
 * @module
 */
import { lstatSync, readFileSync, writeFileSync } from 'node:fs'
import * as nodePath from 'node:path'
import { assemble } from '../assemble/index.js'
import { createTokenCounter, type EncodingName, type TokenCounter } from '../count/index.js'
import { InvalidOptionError } from '../errors.js'
import { frontmatterKeyLine } from '../parse/frontmatter.js'
import type { Reference } from '../parse/references.js'
import { formatNumber } from '../report/number.js'
import type { Diagnostic, DiagnosticCode } from '../types.js'
import type { DanglingReference, GraphEdge } from './graph.js'
import { type Library, type LibraryEntry, loadLibrary } from './library.js'
import { DOCUMENT_FILE } from './scan.js'
import { checkSkill, type SkillProblem, skillProblemMessage } from './skill-lint.js'

/** How far a written token count may be from the measured one before lint reports it: 25%. */
export const LINT_TOLERANCE = 0.25

/** One problem found by {@link lintLibrary}. */
export interface LintFinding {
  /** What was found: a diagnostic code such as `UNRESOLVED_REFERENCE` or `FRONTMATTER_INVALID_YAML`. */
  code: DiagnosticCode
  /** The document, as a path relative to the library root (`agents/x.md`). */
  file: string
  /** 1-based line, when known. */
  line: number | null
  /** 1-based column, when known. */
  column: number | null
  severity: 'error' | 'warning'
  message: string
  /**
   * For `UNRESOLVED_REFERENCE` and `HINT_OFF`: the reference's target, normalized (as in
   * `graph().dangling` and report rows); for `LINK_*`: the file named, as a path from the root.
   */
  uri?: string
  /** For `ESTIMATE_OFF` and `HINT_OFF`: the count written in the file. */
  written?: number
  /** For `ESTIMATE_OFF` and `HINT_OFF`: the measured count. */
  measured?: number
  /** For `ESTIMATE_OFF`: whether `fix` can rewrite it (a plain `estimatedTokens: N` line). */
  fixable?: boolean
  /** Whether `fix` rewrote it (fixed findings count neither as errors nor as warnings). */
  fixed?: boolean
}

/** What {@link lintLibrary} found. */
export interface LintResult {
  /** The documents checked, as paths relative to the root, sorted. */
  files: string[]
  /** Every finding, sorted by file, line, column and code. */
  findings: LintFinding[]
  /** Findings of severity `error` that were not fixed. */
  errorCount: number
  /** Findings of severity `warning` that were not fixed. */
  warningCount: number
  /** Findings that `fix` rewrote. */
  fixedCount: number
}

/** Options of {@link lintLibrary}. */
export interface LintLibraryOptions {
  /**
   * Documents to check: paths relative to the root (or absolute paths inside it) of files or
   * folders (a folder checks every document below it). Default: every document. The whole
   * library is still read, to resolve references and find cycles and duplicate ids.
   */
  paths?: readonly string[]
  /** Rewrite `estimatedTokens` values that are off to the measured count, in place. Default `false`. */
  fix?: boolean
  /** Encoding to measure with. Default `o200k_base`. */
  encoding?: EncodingName
  /** Model whose encoding to measure with (instead of `encoding`). */
  model?: string
  /** Counter to measure with (instead of `encoding` and `model`). */
  counter?: TokenCounter
  /**
   * Called as documents are read and checked: `done` of `total` (every document of the
   * library: all are read), first with `done = 0`, last with `done = total`. Default: none.
   */
  onProgress?: (done: number, total: number) => void
}

/** Options of {@link lint}: the library root and the options of {@link lintLibrary}. */
export interface LintOptions extends LintLibraryOptions {
  /** Folder holding the library (as for `loadLibrary`). */
  root: string
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function isOff(written: number, measured: number): boolean {
  return Math.abs(written - measured) > LINT_TOLERANCE * Math.max(measured, 1)
}

function offBy(written: number, measured: number): string {
  if (measured === 0) return 'the document is empty'
  const pct = Math.round((Math.abs(written - measured) / measured) * 1000) / 10
  return `${pct}% ${written < measured ? 'below' : 'above'}`
}

const ESTIMATE = /^estimatedTokens:[ \t]*(\d+)(?=[ \t]*(?:#[^\r\n]*)?\r?$)/m

/**
 * The file's bytes with the `estimatedTokens` value of its frontmatter replaced, every other
 * byte as it was (it works on bytes as latin1, so invalid UTF-8 elsewhere is kept too), or
 * `undefined` when there is no plain `estimatedTokens: N` line.
 */
function rewriteEstimate(bytes: Buffer, value: number): Buffer | undefined {
  const text = bytes.toString('latin1')
  const start = text.startsWith('\u00ef\u00bb\u00bf') ? 3 : 0
  const open = /^---[ \t]*\r?\n/.exec(text.slice(start))
  if (!open) return undefined
  const bodyStart = start + open[0].length
  const close = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m.exec(text.slice(bodyStart))
  if (!close) return undefined
  const m = ESTIMATE.exec(text.slice(bodyStart, bodyStart + close.index))
  if (!m || m[1] === undefined) return undefined
  const at = bodyStart + m.index + m[0].length - m[1].length
  return Buffer.from(`${text.slice(0, at)}${value}${text.slice(at + m[1].length)}`, 'latin1')
}

/** Whether `rel` (a path from the root) is a file of the skill `entry`, or a folder inside it. */
function insideSkill(entry: LibraryEntry, rel: string): boolean {
  if (entry.kind !== 'skill' || entry.folder === undefined) return false
  const inner = entry.folder === '' ? rel : rel.startsWith(`${entry.folder}/`) ? rel.slice(entry.folder.length + 1) : undefined
  return inner !== undefined && (entry.files ?? []).some((f) => f.path === inner || f.path.startsWith(`${inner}/`))
}

/** The entries that `paths` name (all when none are given), as a set of entry paths; a file or folder inside a skill names the skill. */
function selectEntries(library: Library, paths: readonly string[] | undefined): Set<string> {
  const all = library.entries.map((e) => e.path)
  if (paths === undefined) return new Set(all)
  if (!Array.isArray(paths)) throw new InvalidOptionError('paths', 'must be an array of paths')
  const chosen = new Set<string>()
  for (const p of paths) {
    if (typeof p !== 'string') throw new InvalidOptionError('paths', 'must be an array of paths')
    const rel = (nodePath.isAbsolute(p) ? nodePath.relative(library.root, p) : p).split(nodePath.sep).join('/').replace(/^(\.\/)+/, '').replace(/\/+$/, '')
    if (rel === '..' || rel.startsWith('../') || nodePath.isAbsolute(rel)) throw new InvalidOptionError('paths', `${p} is outside the library root ${library.root}`)
    const hits = rel === '' || rel === '.' ? all : library.entries.filter((e) => e.path === rel || e.path.startsWith(`${rel}/`) || insideSkill(e, rel)).map((e) => e.path)
    if (hits.length === 0) throw new InvalidOptionError('paths', `${p} names no document of the library at ${library.root}`)
    for (const h of hits) chosen.add(h)
  }
  return chosen
}

/** Everything the per-document checks share. */
interface Run {
  library: Library
  counter: TokenCounter
  fix: boolean
  findings: LintFinding[]
  /** Entry paths by frontmatter id. */
  byId: Map<string, string[]>
  /** Every file a relative reference can name (documents, skill files), by lower-cased path from the root; built on first use. */
  folded?: Map<string, string[]>
}

function columnOf(refs: readonly Reference[], line: number, uri: string, kind?: string): number | null {
  const ref = refs.find((r) => r.position.line === line && r.uri === uri && (kind === undefined || r.kind === kind))
  return ref?.position.column ?? null
}

/** The document's own diagnostics (parse, then the entry's that the parse does not repeat). */
function diagnosticFindings(run: Run, entry: LibraryEntry, parsed: readonly Diagnostic[]): void {
  const seen = new Set<string>()
  const pass = (d: Diagnostic) => {
    if (d.severity === 'info' || d.code === 'ALIAS_AMBIGUOUS') return // an ambiguous name matters only where it is used: UNRESOLVED_REFERENCE
    const key = `${d.code}\u0000${d.line ?? ''}`
    if (seen.has(key)) return
    seen.add(key)
    const severity = d.code === 'REFERENCE_INVALID' ? 'error' : d.severity
    run.findings.push({ code: d.code, file: entry.path, line: d.line ?? null, column: d.column ?? null, severity, message: d.message })
  }
  for (const d of parsed) pass(d)
  for (const d of entry.diagnostics) pass(d)
}

function duplicateIdFinding(run: Run, entry: LibraryEntry, source: string): void {
  if (entry.id === undefined) return
  const others = (run.byId.get(entry.id) ?? []).filter((p) => p !== entry.path)
  if (others.length === 0) return
  run.findings.push({ code: 'DUPLICATE_ID', file: entry.path, line: frontmatterKeyLine(source, 'id') ?? null, column: 1, severity: 'error', message: `id "${entry.id}" is also the id of ${others.join(', ')}` })
}

function estimateFinding(run: Run, entry: LibraryEntry, source: string, body: string): void {
  const written = entry.meta.estimatedTokens
  if (typeof written !== 'number') return
  const measured = run.counter.count(body)
  if (!isOff(written, measured)) return
  const file = nodePath.join(run.library.root, entry.path)
  const bytes = readFileSync(file)
  const rewritten = rewriteEstimate(bytes, measured)
  const fixable = rewritten !== undefined
  const finding: LintFinding = {
    code: 'ESTIMATE_OFF',
    file: entry.path,
    line: frontmatterKeyLine(source, 'estimatedTokens') ?? null,
    column: 1,
    severity: 'error',
    message: `estimatedTokens ${formatNumber(written)} is ${offBy(written, measured)} the measured ${formatNumber(measured)} tokens of the body (${run.counter.encoding})${fixable ? '' : '; write it as `estimatedTokens: N` on its own line so --fix can update it'}`,
    written,
    measured,
    fixable,
  }
  if (run.fix && rewritten) {
    writeFileSync(file, rewritten)
    finding.fixed = true
    finding.message = `estimatedTokens ${formatNumber(written)} -> ${formatNumber(measured)} (fixed)`
  }
  run.findings.push(finding)
}

/** Diagnostics after which the frontmatter was read as if there were none: its fields are not checked again. */
const UNREAD_FRONTMATTER: ReadonlySet<DiagnosticCode> = new Set(['FRONTMATTER_ALIASES', 'FRONTMATTER_INVALID_YAML', 'FRONTMATTER_NOT_MAPPING', 'FRONTMATTER_UNTERMINATED'])

/** The name of a skill's folder: the last segment of `entry.folder`, the root's own name for a skill at the root. */
function skillFolderName(library: Library, entry: LibraryEntry): string {
  const folder = entry.folder ?? nodePath.posix.dirname(entry.path)
  return folder === '' || folder === '.' ? nodePath.basename(library.root) : nodePath.posix.basename(folder)
}

/** `SKILL_*`: the Agent Skills specification's checks of a skill's frontmatter and body (src/library/skill-lint.ts). */
function skillFindings(run: Run, entry: LibraryEntry, doc: NonNullable<ReturnType<Library['document']>>): void {
  const unread = Object.keys(doc.data).length === 0 && [...doc.diagnostics, ...entry.diagnostics].some((d) => UNREAD_FRONTMATTER.has(d.code))
  const body = doc.source.slice(doc.bodyOffset)
  const findings = checkSkill({
    folderName: skillFolderName(run.library, entry),
    path: entry.path,
    data: unread ? null : doc.data,
    source: doc.source,
    bodyOffset: doc.bodyOffset,
    bodyTokens: run.counter.count(body),
  })
  for (const f of findings) run.findings.push({ code: f.code, file: f.file, line: f.line, column: f.column, severity: f.severity, message: f.message })
  deepLinkFindings(run, entry, doc)
}

/** A finding about a relative reference, its message from {@link skillProblemMessage}. */
function referenceFinding(run: Run, code: DiagnosticCode, severity: 'error' | 'warning', entry: LibraryEntry, at: { line: number; column: number | null }, problem: SkillProblem, uri: string): void {
  run.findings.push({ code, file: entry.path, line: at.line, column: at.column, severity, message: skillProblemMessage(problem), uri })
}

/** A path from the root as seen from `from`'s folder (as a relative reference in `from` would write it). */
function relativeFrom(from: string, path: string): string {
  return nodePath.posix.relative(nodePath.posix.dirname(from), path)
}

/** Every file a relative reference can name, by lower-cased path from the root (see {@link Run.folded}). */
function foldedFiles(run: Run): Map<string, string[]> {
  if (run.folded) return run.folded
  const folded = new Map<string, string[]>()
  const add = (path: string) => folded.set(path.toLowerCase(), [...(folded.get(path.toLowerCase()) ?? []), path])
  for (const e of run.library.entries) {
    if (e.kind !== 'skill') add(e.path)
    else for (const f of e.files ?? []) add(e.folder ? `${e.folder}/${f.path}` : f.path)
  }
  for (const list of folded.values()) list.sort(compare)
  run.folded = folded
  return folded
}

/**
 * `LINK_BROKEN` (a link whose file does not exist) and `LINK_CASE_MISMATCH` (a link or path
 * whose file exists only in another letter case): the graph's dangling links and paths, one
 * finding each, instead of `UNRESOLVED_REFERENCE`.
 */
function linkFinding(run: Run, entry: LibraryEntry, d: DanglingReference): void {
  const refs = run.library.document(entry.uri)?.references ?? []
  const at = { line: d.line, column: columnOf(refs, d.line, d.uri, d.kind) }
  const field = d.kind === 'path' ? 'path' : 'link'
  if (d.reason === 'case-mismatch') {
    const other = (foldedFiles(run).get(d.uri.toLowerCase()) ?? []).map((p) => relativeFrom(entry.path, p)).join(', ')
    referenceFinding(run, 'LINK_CASE_MISMATCH', 'error', entry, at, { reason: 'link-case', field, found: d.raw, other }, d.uri)
  } else if (!onDisk(run.library, d.uri)) {
    referenceFinding(run, 'LINK_BROKEN', 'error', entry, at, { reason: 'link-broken', field, found: d.raw }, d.uri)
  }
}

/**
 * Whether a regular file (not a link) is at `path` below the root although the library does not
 * list it: a file next to documents that is not markdown (`run.py`), or in a hidden folder. Only
 * its metadata is looked at; such a link is not broken.
 */
function onDisk(library: Library, path: string): boolean {
  try {
    return lstatSync(nodePath.join(library.root, ...path.split('/'))).isFile()
  } catch {
    return false
  }
}

/** Most further files a `LINK_TOO_DEEP` message names. */
const MAX_FURTHER_SHOWN = 5

/**
 * `LINK_TOO_DEEP`: each markdown file of the skill that its SKILL.md references and that
 * references further files of the skill (files other than itself, the SKILL.md and the files
 * the SKILL.md references itself), at the SKILL.md's first reference to it.
 */
function deepLinkFindings(run: Run, entry: LibraryEntry, doc: NonNullable<ReturnType<Library['document']>>): void {
  const folder = entry.folder ?? ''
  const inner = (path: string) => (folder === '' ? path : path.slice(folder.length + 1))
  const files = new Set((entry.files ?? []).map((f) => (folder === '' ? f.path : `${folder}/${f.path}`)))
  const isFileRef = (r: Reference) => (r.kind === 'link' || r.kind === 'path') && files.has(r.uri)
  const direct = new Map<string, Reference>()
  for (const ref of doc.references) if (isFileRef(ref) && !direct.has(ref.uri)) direct.set(ref.uri, ref)
  for (const [target, ref] of direct) {
    if (target === entry.path || !DOCUMENT_FILE.test(target)) continue
    const linked = run.library.document(`${entry.uri}/${inner(target)}`)
    const further = [...new Set((linked?.references ?? []).filter((r) => isFileRef(r) && r.uri !== target && r.uri !== entry.path && !direct.has(r.uri)).map((r) => inner(r.uri)))].sort(compare)
    if (further.length === 0) continue
    const shown = further.slice(0, MAX_FURTHER_SHOWN).join(', ') + (further.length > MAX_FURTHER_SHOWN ? ` and ${further.length - MAX_FURTHER_SHOWN} more` : '')
    referenceFinding(run, 'LINK_TOO_DEEP', 'warning', entry, ref.position, { reason: 'link-too-deep', field: ref.kind === 'path' ? 'path' : 'link', found: ref.raw, other: shown }, target)
  }
}

/** `HINT_OFF`: each hinted reference against the measured cost of its target (report rows at depth 1). */
async function hintFindings(run: Run, entry: LibraryEntry, doc: NonNullable<ReturnType<Library['document']>>): Promise<void> {
  if (!doc.references.some((r) => r.hintTokens !== undefined)) return
  let report
  try {
    report = (await assemble(doc, { resolver: run.library, maxDepth: 1, counter: run.counter, schemes: run.library.schemes })).report
  } catch (error) {
    run.findings.push({ code: 'ASSEMBLE_FAILED', file: entry.path, line: 1, column: 1, severity: 'error', message: `cannot assemble: ${error instanceof Error ? error.message : String(error)}` })
    return
  }
  for (const row of report.references) {
    if (row.depth !== 1 || row.hintTokens === null || row.tokens === null || !isOff(row.hintTokens, row.tokens)) continue
    run.findings.push({
      code: 'HINT_OFF',
      file: entry.path,
      line: row.line,
      column: columnOf(doc.references, row.line, row.uri),
      severity: 'error',
      message: `hint (~${formatNumber(row.hintTokens)} tokens) for ${row.uri} is ${offBy(row.hintTokens, row.tokens)} its measured ${formatNumber(row.tokens)} tokens (${run.counter.encoding})`,
      uri: row.uri,
      written: row.hintTokens,
      measured: row.tokens,
    })
  }
}

function danglingFinding(run: Run, entry: LibraryEntry, d: DanglingReference): void {
  const refs = run.library.document(entry.uri)?.references ?? []
  const why = d.reason === 'ambiguous' ? `ambiguous (${run.library.lookup(d.uri).error?.message ?? 'several documents claim the name'})` : 'not found'
  run.findings.push({
    code: 'UNRESOLVED_REFERENCE',
    file: entry.path,
    line: d.line,
    column: columnOf(refs, d.line, d.uri, d.kind),
    severity: 'error',
    message: `${d.kind} ${d.raw} does not resolve: ${why}`,
    uri: d.uri,
  })
}

/** `SLOT_CYCLE`: one finding per elementary cycle, on the first of its documents that is checked. */
function cycleFinding(run: Run, cycle: readonly string[], slotEdges: ReadonlyMap<string, GraphEdge>, linted: ReadonlySet<string>): void {
  const entries = cycle.map((uri) => run.library.get(uri))
  const start = entries.findIndex((e) => e !== undefined && linted.has(e.path))
  if (start === -1) return
  const order = [...entries.slice(start), ...entries.slice(0, start)] as LibraryEntry[]
  const from = order[0] as LibraryEntry
  const to = order[1] ?? from
  const edge = slotEdges.get(`${from.uri}\u0000${to.uri}`)
  const refs = run.library.document(from.uri)?.references ?? []
  const names = [...order, from].map((e) => e.path.replace(/\.md$/i, ''))
  run.findings.push({
    code: 'SLOT_CYCLE',
    file: from.path,
    line: edge?.line ?? null,
    column: edge ? (refs.find((r) => r.kind === 'slot' && r.position.line === edge.line)?.position.column ?? null) : null,
    severity: 'error',
    message: `slots form a cycle: ${names.join(' -> ')} (assemble never follows it back; the closing slot stays deferred)`,
  })
}

/**
 * Check the documents of a loaded library: their diagnostics, unresolved references
 * (`graph().dangling`; broken links and links in the wrong letter case), slot cycles
 * (`graph({ cycleKinds: ['slot'] }).cycles`), duplicate ids, `estimatedTokens` values and
 * `(~N tokens)` hints more than 25% off the measured counts; and its skills against the Agent
 * Skills specification (fields, body length, links one level deep). A path inside a skill
 * folder chooses that skill.
 * Every document of the library is read (parsed, cached by the library); `paths` chooses the
 * ones findings are reported for. With `fix`, `estimatedTokens` values that are off are
 * rewritten in their files (nothing else changes; the library is not refreshed).
 *
 * Throws {@link InvalidOptionError} for a path that names no document of the library.
 *
 * @example
 * const library = await loadLibrary({ root: 'resources' })
 * const { findings, errorCount } = await lintLibrary(library, { paths: ['agents'] })
 */
export async function lintLibrary(library: Library, options: LintLibraryOptions = {}): Promise<LintResult> {
  const linted = selectEntries(library, options.paths)
  const counter = options.counter ?? createTokenCounter({ ...(options.encoding !== undefined ? { encoding: options.encoding } : {}), ...(options.model !== undefined ? { model: options.model } : {}) })
  const byId = new Map<string, string[]>()
  for (const e of library.entries) if (e.id !== undefined) byId.set(e.id, [...(byId.get(e.id) ?? []), e.path])
  const run: Run = { library, counter, fix: options.fix === true, findings: [], byId }

  const entries = library.entries
  options.onProgress?.(0, entries.length)
  for (const [i, entry] of entries.entries()) {
    const doc = library.document(entry.uri) // every document: the graph below needs them all
    if (linted.has(entry.path)) {
      diagnosticFindings(run, entry, doc?.diagnostics ?? [])
      if (doc) {
        const source = library.source(entry.uri) ?? doc.source
        duplicateIdFinding(run, entry, source)
        estimateFinding(run, entry, source, doc.source.slice(doc.bodyOffset))
        await hintFindings(run, entry, doc)
        if (entry.kind === 'skill') skillFindings(run, entry, doc)
      }
    }
    options.onProgress?.(i + 1, entries.length)
  }

  const graph = library.graph({ cycleKinds: ['slot'] })
  for (const d of graph.dangling) {
    const entry = library.get(d.from)
    if (!entry || !linted.has(entry.path)) continue
    if (d.kind === 'link' || d.kind === 'path') linkFinding(run, entry, d)
    else danglingFinding(run, entry, d)
  }
  const slotEdges = new Map(graph.edges.filter((e) => e.kind === 'slot').map((e) => [`${e.from}\u0000${e.to}`, e]))
  for (const cycle of graph.cycles) cycleFinding(run, cycle, slotEdges, linted)
  refusedFindings(run, graph.invalid, linted)

  const findings = run.findings.sort((a, b) => compare(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || compare(a.code, b.code))
  const open = findings.filter((f) => !f.fixed)
  return {
    files: [...linted].sort(compare),
    findings,
    errorCount: open.filter((f) => f.severity === 'error').length,
    warningCount: open.filter((f) => f.severity === 'warning').length,
    fixedCount: findings.length - open.length,
  }
}

/** References the library refuses (`graph().invalid`) that the parse let through: `REFERENCE_INVALID` errors too. */
function refusedFindings(run: Run, invalid: ReturnType<Library['graph']>['invalid'], linted: ReadonlySet<string>): void {
  for (const r of invalid) {
    const entry = run.library.get(r.from)
    if (!entry || !linted.has(entry.path)) continue
    const refs = run.library.document(entry.uri)?.references ?? []
    const ref = refs.find((x) => x.position.line === r.line && x.uri === r.uri && x.kind === r.kind)
    if (!ref || ref.parsed.invalid) continue // the parse reported it (REFERENCE_INVALID)
    if ((r.kind === 'link' || r.kind === 'path') && entry.kind === 'skill' && entry.folder && !r.uri.startsWith(`${entry.folder}/`)) {
      referenceFinding(run, 'LINK_OUTSIDE_ROOT', 'warning', entry, ref.position, { reason: 'link-outside-skill', field: r.kind, found: r.raw, other: entry.folder }, r.uri)
      continue
    }
    const why = run.library.lookup(r.uri).error?.message ?? 'refused'
    run.findings.push({ code: 'REFERENCE_INVALID', file: entry.path, line: r.line, column: ref.position.column, severity: 'error', message: `${r.kind} ${r.raw} is refused: ${why}` })
  }
}

/**
 * Load the library at `root` and check it: {@link loadLibrary} then {@link lintLibrary}.
 *
 * @example
 * const result = await lint({ root: 'resources', fix: true })
 * for (const f of result.findings) console.log(`${f.file}:${f.line}: ${f.severity}: ${f.message} [${f.code}]`)
 */
export async function lint(options: LintOptions): Promise<LintResult> {
  if (!options || typeof options.root !== 'string' || options.root === '') throw new InvalidOptionError('root', 'must be a non-empty path')
  const { root, ...rest } = options
  return lintLibrary(await loadLibrary({ root }), rest)
}
