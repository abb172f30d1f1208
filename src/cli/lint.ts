/**
 * `promptfold lint`: checks every document of a library.
 *
 * Findings (rule codes in brackets):
 * - parse diagnostics: frontmatter errors and warnings with file and line
 *   (`FRONTMATTER_*`, `REFERENCE_*`; an invalid reference URI is an error here);
 * - `UNRESOLVED_REFERENCE` (error): a slot, mention or related resource whose
 *   target does not exist (bare related ids are looked up by frontmatter `id`);
 * - `SLOT_CYCLE` (error): slots that lead back to where they started;
 * - `DUPLICATE_ID` (error): two documents under one root with the same `id`;
 * - `ID_MISMATCH` (warning): a frontmatter `id` that differs from the file name;
 * - `ESTIMATE_OFF` (error, fixable): frontmatter `estimatedTokens` more than 25%
 *   off the measured count of the document's body (the text after the
 *   frontmatter, as written in the file);
 * - `HINT_OFF` (error): a `(~N tokens)` hint more than 25% off the measured cost
 *   of the referenced document (its body with its own slots deferred, the
 *   `tokens` column of an assembly report).
 *
 * @module
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import * as nodePath from 'node:path'
import {
  assemble,
  createTokenCounter,
  type EncodingName,
  fileSystemResolver,
  type PromptDocument,
  parseDocument,
  type Resolver,
  uriFromPath,
} from '../index.js'
import { checkRoot, findRoot, real, relativeTo } from './document.js'
import { UsageError } from './io.js'

/** How far a written token count may be from the measured one before it is reported: 25%. */
export const TOLERANCE = 0.25

/** Most markdown files indexed under one root. */
export const MAX_FILES_PER_ROOT = 20_000

/** One problem found by lint. */
export interface LintFinding {
  /** File as given on the command line (relative to the working folder when inside it). */
  file: string
  /** 1-based line, when known. */
  line: number | null
  /** 1-based column, when known. */
  column: number | null
  severity: 'error' | 'warning'
  /** Rule code, e.g. `UNRESOLVED_REFERENCE`. */
  rule: string
  message: string
  /** For `ESTIMATE_OFF` and `HINT_OFF`: the count written in the file. */
  written?: number
  /** For `ESTIMATE_OFF` and `HINT_OFF`: the measured count. */
  measured?: number
  /** Whether `--fix` can rewrite it. */
  fixable?: boolean
  /** Whether `--fix` rewrote it (fixed findings do not count as errors). */
  fixed?: boolean
}

/** What lint found. */
export interface LintResult {
  /** Files checked, as displayed. */
  files: string[]
  findings: LintFinding[]
  errorCount: number
  warningCount: number
  fixedCount: number
}

/** Options of {@link lint}. */
export interface LintOptions {
  /** Library root for every file (default: found per file, see `findRoot`). */
  root?: string
  /** Rewrite `estimatedTokens` values that are off. */
  fix?: boolean
  /** Encoding to measure with. Default `o200k_base`. */
  encoding?: EncodingName
  /** Model whose encoding to measure with. */
  model?: string
}

/** A markdown file of a root. */
interface Entry {
  abs: string
  /** Path relative to the root (`agents/x.md`). */
  rel: string
  /** Displayed path. */
  display: string
  doc?: PromptDocument
  source?: string
}

/** The files that share one root. */
interface Group {
  root: string
  /** Whether every markdown file below root is indexed (root found or given), or only the linted ones. */
  indexed: boolean
  entries: Map<string, Entry>
  linted: Set<string>
}

function display(abs: string): string {
  const rel = nodePath.relative(process.cwd(), abs)
  return rel !== '' && !rel.startsWith('..') && !nodePath.isAbsolute(rel) ? rel.split(nodePath.sep).join('/') : abs
}

const SKIP_DIRS = new Set(['node_modules'])

/** Every `.md` file below `dir`, sorted; dot folders, `node_modules` and symlinked folders are skipped. */
async function walk(dir: string, out: string[], limit: number): Promise<void> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const e of entries) {
    if (out.length >= limit) return
    if (e.name.startsWith('.')) continue
    const p = nodePath.join(dir, e.name)
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) await walk(p, out, limit)
    } else if (/\.md$/i.test(e.name)) {
      if (e.isFile()) out.push(p)
      else if (e.isSymbolicLink()) {
        try {
          if (statSync(p).isFile()) out.push(p)
        } catch {
          // dangling link: not a document
        }
      }
    }
  }
}

/** Expand command-line paths into markdown files (each with the folder argument it came from). */
async function expand(paths: readonly string[]): Promise<{ abs: string; fromDir?: string }[]> {
  const out: { abs: string; fromDir?: string }[] = []
  const seen = new Set<string>()
  for (const p of paths) {
    let st
    try {
      st = statSync(p)
    } catch {
      throw new UsageError(`${p}: no such file or folder`)
    }
    if (st.isDirectory()) {
      const files: string[] = []
      await walk(nodePath.resolve(p), files, MAX_FILES_PER_ROOT)
      if (files.length === 0) throw new UsageError(`${p}: no markdown (.md) files in this folder`)
      for (const f of files) {
        const r = real(f)
        if (!seen.has(r)) {
          seen.add(r)
          out.push({ abs: r, fromDir: real(p) })
        }
      }
    } else {
      const r = real(p)
      if (!seen.has(r)) {
        seen.add(r)
        out.push({ abs: r })
      }
    }
  }
  return out
}

function loadEntry(e: Entry): PromptDocument {
  if (!e.doc) {
    let source: string
    try {
      source = readFileSync(e.abs, 'utf8')
    } catch (error) {
      throw new UsageError(`${e.display}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
    }
    e.source = source
    e.doc = parseDocument(source, { path: e.rel })
  }
  return e.doc
}

/** 1-based line of a top-level frontmatter key, when the frontmatter has it. */
export function frontmatterKeyLine(source: string, key: string): number | null {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source
  if (!/^---[ \t]*\r?\n/.test(text)) return null
  const lines = text.split('\n')
  for (let i = 1; i < lines.length; i++) {
    const l = (lines[i] ?? '').replace(/\r$/, '')
    if (/^(?:---|\.\.\.)[ \t]*$/.test(l)) return null
    if (l.startsWith(`${key}:`) || l.startsWith(`"${key}":`) || l.startsWith(`'${key}':`)) return i + 1
  }
  return null
}

const ESTIMATE = /^estimatedTokens:[ \t]*(\d+)(?=[ \t]*(?:#[^\r\n]*)?\r?$)/m

/**
 * Rewrite the `estimatedTokens` value in a file's frontmatter, leaving every
 * other byte as it is. Works on bytes (latin1), so invalid UTF-8 elsewhere is
 * kept too. Returns false when there is no plain `estimatedTokens: N` line.
 */
export function rewriteEstimate(bytes: Buffer, value: number): Buffer | undefined {
  const text = bytes.toString('latin1')
  const start = text.startsWith('\u00ef\u00bb\u00bf') ? 3 : 0
  const open = /^---[ \t]*\r?\n/.exec(text.slice(start))
  if (!open) return undefined
  const bodyStart = start + open[0].length
  const close = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m.exec(text.slice(bodyStart))
  if (!close) return undefined
  const yaml = text.slice(bodyStart, bodyStart + close.index)
  const m = ESTIMATE.exec(yaml)
  if (!m || m[1] === undefined) return undefined
  const at = bodyStart + m.index + m[0].length - m[1].length
  const out = `${text.slice(0, at)}${value}${text.slice(at + m[1].length)}`
  return Buffer.from(out, 'latin1')
}

function isOff(written: number, measured: number): boolean {
  return Math.abs(written - measured) > TOLERANCE * Math.max(measured, 1)
}

function offBy(written: number, measured: number): string {
  if (measured === 0) return 'the document is empty'
  const pct = Math.round((Math.abs(written - measured) / measured) * 1000) / 10
  return `${pct}% ${written < measured ? 'below' : 'above'}`
}

/** Strongly connected components of a graph (Tarjan), each sorted, in a stable order. */
function components(nodes: readonly string[], edges: Map<string, string[]>): string[][] {
  let index = 0
  const idx = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const on = new Set<string>()
  const out: string[][] = []
  const strong = (v: string) => {
    idx.set(v, index)
    low.set(v, index)
    index++
    stack.push(v)
    on.add(v)
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w)
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0))
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0))
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = []
      let w: string | undefined
      do {
        w = stack.pop()
        if (w === undefined) break
        on.delete(w)
        c.push(w)
      } while (w !== v)
      out.push(c.sort())
    }
  }
  for (const v of nodes) if (!idx.has(v)) strong(v)
  return out
}

/** Shortest path of slot edges from `start` back to `start` within `members`. */
function shortestCycle(start: string, members: Set<string>, edges: Map<string, string[]>): string[] {
  const prev = new Map<string, string>()
  const queue = [start]
  const seen = new Set<string>()
  while (queue.length > 0) {
    const v = queue.shift() as string
    for (const w of edges.get(v) ?? []) {
      if (!members.has(w)) continue
      if (w === start) {
        const path = [start]
        let x: string | undefined = v
        const back: string[] = []
        while (x !== undefined && x !== start) {
          back.push(x)
          x = prev.get(x)
        }
        return [...path, ...back.reverse(), start]
      }
      if (!seen.has(w)) {
        seen.add(w)
        prev.set(w, v)
        queue.push(w)
      }
    }
  }
  return [start, start]
}

/** Lint documents and folders. Throws {@link UsageError} for paths that do not exist. */
export async function lint(paths: readonly string[], options: LintOptions = {}): Promise<LintResult> {
  const counterOptions: { encoding?: EncodingName; model?: string } = {}
  if (options.encoding !== undefined) counterOptions.encoding = options.encoding
  if (options.model !== undefined) counterOptions.model = options.model
  const counter = createTokenCounter(counterOptions)
  const givenRoot = options.root !== undefined ? checkRoot(options.root) : undefined
  const files = await expand(paths)

  // Group files by root.
  const groups = new Map<string, Group>()
  for (const f of files) {
    const found = givenRoot ?? (findRoot(f.abs) !== undefined ? real(findRoot(f.abs) as string) : undefined)
    const root = found ?? f.fromDir ?? nodePath.dirname(f.abs)
    let g = groups.get(root)
    if (!g) {
      g = { root, indexed: found !== undefined, entries: new Map(), linted: new Set() }
      groups.set(root, g)
    }
    const rel = relativeTo(root, f.abs)
    if (rel === undefined) throw new UsageError(`${display(f.abs)}: not inside the root ${display(root)}`)
    g.entries.set(rel, { abs: f.abs, rel, display: display(f.abs) })
    g.linted.add(rel)
  }

  const findings: LintFinding[] = []
  const checked: string[] = []
  for (const g of groups.values()) {
    if (g.indexed) {
      const all: string[] = []
      await walk(g.root, all, MAX_FILES_PER_ROOT)
      for (const abs of all) {
        const r = real(abs)
        const rel = relativeTo(g.root, r)
        if (rel !== undefined && !g.entries.has(rel)) g.entries.set(rel, { abs: r, rel, display: display(r) })
      }
    }
    await lintGroup(g, counter, options, findings)
    for (const rel of g.linted) checked.push((g.entries.get(rel) as Entry).display)
  }

  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0))
  const open = findings.filter((f) => !f.fixed)
  return {
    files: checked.sort(),
    findings,
    errorCount: open.filter((f) => f.severity === 'error').length,
    warningCount: open.filter((f) => f.severity === 'warning').length,
    fixedCount: findings.length - open.length,
  }
}

async function lintGroup(g: Group, counter: { count(text: string): number; encoding: string }, options: LintOptions, findings: LintFinding[]): Promise<void> {
  const docs = new Map<string, PromptDocument>()
  for (const [rel, e] of g.entries) docs.set(rel, loadEntry(e))

  // Ids: frontmatter `id`, else the file name.
  const byId = new Map<string, string[]>()
  const explicitIds = new Map<string, string[]>()
  for (const [rel, doc] of docs) {
    const id = (doc.meta as { id?: unknown }).id
    const base = nodePath.posix.basename(rel).replace(/\.md$/i, '')
    const key = typeof id === 'string' ? id : base
    byId.set(key, [...(byId.get(key) ?? []), rel])
    if (typeof id === 'string') explicitIds.set(id, [...(explicitIds.get(id) ?? []), rel])
  }

  const fsResolver = fileSystemResolver({ root: g.root })
  const resolver: Resolver = (uri, context) => {
    if (/^@?[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return fsResolver(uri, context)
    const hits = byId.get(uri)
    if (!hits || hits.length === 0) return undefined
    if (hits.length > 1) throw new Error(`id ${uri} is ambiguous: ${hits.join(', ')}`)
    const rel = hits[0] as string
    const e = g.entries.get(rel) as Entry
    const found: { source: string; path: string; uri?: string } = { source: e.source ?? readFileSync(e.abs, 'utf8'), path: rel }
    const u = uriFromPath(rel)
    if (u !== undefined) found.uri = u
    return found
  }

  // Slot graph over every document of the root.
  const edges = new Map<string, string[]>()
  const edgeLine = new Map<string, { line: number; column: number }>()
  for (const [rel, doc] of docs) {
    const targets: string[] = []
    for (const r of doc.references) {
      if (r.kind !== 'slot' || r.parsed.invalid || r.parsed.search !== undefined) continue
      const target = `${r.parsed.path}.md`
      if (!docs.has(target)) continue
      if (!targets.includes(target)) targets.push(target)
      const key = `${rel}\u0000${target}`
      if (!edgeLine.has(key)) edgeLine.set(key, { line: r.position.line, column: r.position.column })
    }
    edges.set(rel, targets)
  }
  for (const comp of components([...docs.keys()].sort(), edges)) {
    const members = new Set(comp)
    const first = comp[0] as string
    const isCycle = comp.length > 1 || (edges.get(first) ?? []).includes(first)
    if (!isCycle) continue
    const start = comp.find((c) => g.linted.has(c))
    if (start === undefined) continue
    const cycle = shortestCycle(start, members, edges)
    const at = edgeLine.get(`${start}\u0000${cycle[1] ?? start}`)
    const e = g.entries.get(start) as Entry
    findings.push({
      file: e.display,
      line: at?.line ?? null,
      column: at?.column ?? null,
      severity: 'error',
      rule: 'SLOT_CYCLE',
      message: `slots form a cycle: ${cycle.map((c) => c.replace(/\.md$/i, '')).join(' -> ')} (assemble never follows it back; the closing slot stays deferred)`,
    })
  }

  for (const rel of [...g.linted].sort()) {
    const e = g.entries.get(rel) as Entry
    const doc = docs.get(rel) as PromptDocument
    const at = (line: number | null | undefined, column?: number | null) => ({ file: e.display, line: line ?? null, column: column ?? null })

    for (const d of doc.diagnostics) {
      if (d.severity === 'info') continue
      const severity = d.code === 'REFERENCE_INVALID' ? 'error' : d.severity
      findings.push({ ...at(d.line, d.column), severity, rule: d.code, message: d.message })
    }

    const meta = doc.meta as { id?: unknown; estimatedTokens?: unknown }
    const source = e.source ?? ''
    if (typeof meta.id === 'string') {
      const base = nodePath.posix.basename(rel).replace(/\.md$/i, '')
      const line = frontmatterKeyLine(source, 'id')
      // parseDocument reports ID_MISMATCH itself (passed on above); this covers a library that does not.
      if (meta.id !== base && !doc.diagnostics.some((d) => d.code === 'ID_MISMATCH')) {
        findings.push({ ...at(line, 1), severity: 'warning', rule: 'ID_MISMATCH', message: `id "${meta.id}" differs from the file name "${base}"` })
      }
      const same = (explicitIds.get(meta.id) ?? []).filter((x) => x !== rel)
      if (same.length > 0) {
        findings.push({ ...at(line, 1), severity: 'error', rule: 'DUPLICATE_ID', message: `id "${meta.id}" is also the id of ${same.join(', ')}` })
      }
    }

    if (typeof meta.estimatedTokens === 'number') {
      const measured = counter.count(doc.source.slice(doc.bodyOffset))
      const written = meta.estimatedTokens
      if (isOff(written, measured)) {
        const line = frontmatterKeyLine(source, 'estimatedTokens')
        const bytes = readFileSync(e.abs)
        const fixable = rewriteEstimate(bytes, measured) !== undefined
        const finding: LintFinding = {
          ...at(line, 1),
          severity: 'error',
          rule: 'ESTIMATE_OFF',
          message: `estimatedTokens ${written} is ${offBy(written, measured)} the measured ${measured} tokens of the body (${counter.encoding})${fixable ? '' : '; write it as `estimatedTokens: N` on its own line so --fix can update it'}`,
          written,
          measured,
          fixable,
        }
        if (options.fix && fixable) {
          const rewritten = rewriteEstimate(bytes, measured) as Buffer
          writeFileSync(e.abs, rewritten)
          finding.fixed = true
          finding.message = `estimatedTokens ${written} -> ${measured} (fixed)`
        }
        findings.push(finding)
      }
    }

    let report
    try {
      report = (await assemble(doc, { resolver, maxDepth: 1, counter })).report
    } catch (error) {
      findings.push({ ...at(1, 1), severity: 'error', rule: 'ASSEMBLE_FAILED', message: `cannot assemble: ${error instanceof Error ? error.message : String(error)}` })
      continue
    }
    const columns = new Map<string, number>()
    for (const r of doc.references) columns.set(`${r.position.line}\u0000${r.uri}`, r.position.column)
    for (const row of report.references) {
      if (row.depth !== 1) continue
      const column = columns.get(`${row.line}\u0000${row.uri}`) ?? null
      if (row.decision === 'missing' || (row.decision === 'invalid' && !row.reason.startsWith('invalid reference'))) {
        const why = row.reason.replace(/^(missing|refused): /, '')
        findings.push({ ...at(row.line, column), severity: 'error', rule: 'UNRESOLVED_REFERENCE', message: `${row.kind} ${row.raw} does not resolve: ${why}` })
      }
      if (row.hintTokens !== null && row.tokens !== null && isOff(row.hintTokens, row.tokens)) {
        findings.push({
          ...at(row.line, column),
          severity: 'error',
          rule: 'HINT_OFF',
          message: `hint (~${row.hintTokens} tokens) for ${row.uri} is ${offBy(row.hintTokens, row.tokens)} its measured ${row.tokens} tokens (${counter.encoding})`,
          written: row.hintTokens,
          measured: row.tokens,
        })
      }
    }
  }
}
