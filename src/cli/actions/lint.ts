/**
 * `promptfold lint`: the implementation (loaded when the command runs). A shell over the
 * library's `lintLibrary`: it finds the root of each path (or takes `--root`), loads each
 * library once, lints the files asked for and prints the findings.
 *
 * @module
 */
import { statSync } from 'node:fs'
import * as nodePath from 'node:path'
import { type Library, type LintFinding, type LintLibraryOptions, type LintResult, lintLibrary, loadLibrary } from '../../index.js'
import { SKILL_FILE, scanRoot } from '../../library/scan.js'
import type { LintCommandOptions } from '../commands/lint.js'
import { checkRoot, real, relativeTo, rootFor } from '../document.js'
import { EXIT, styles, UsageError } from '../io.js'

/** Most markdown files listed below one folder given on the command line. */
const MAX_FILES_PER_FOLDER = 20_000

/** Real paths of the `.md` files a path names (a file, or every document below a folder, listed as the library lists them). */
function filesOf(path: string): string[] {
  let st
  try {
    st = statSync(path)
  } catch {
    throw new UsageError(`${path}: no such file or folder`)
  }
  if (!st.isDirectory()) return [real(path)]
  // Documents, and each skill once (its SKILL.md); a skill's other files are linted through it.
  const files = scanRoot(path, { maxFiles: MAX_FILES_PER_FOLDER })
    .files.filter((f) => f.skill === undefined || f.path === (f.skill === '' ? SKILL_FILE : `${f.skill}/${SKILL_FILE}`))
    .map((f) => f.real)
  if (files.length === 0) throw new UsageError(`${path}: no markdown (.md) files in this folder`)
  return files
}

/** Files grouped by the library root they are linted against, each as a path relative to it. */
function groupByRoot(paths: readonly string[], root: string | undefined): Map<string, Set<string>> {
  const given = root !== undefined ? checkRoot(root) : undefined
  const groups = new Map<string, Set<string>>()
  for (const p of paths) {
    const isDir = statSync(p, { throwIfNoEntry: false })?.isDirectory() === true
    for (const abs of filesOf(p)) {
      const r = given ?? rootFor(abs, undefined, isDir ? real(p) : undefined)
      const rel = relativeTo(r, abs)
      if (rel === undefined) throw new UsageError(`${display(abs)}: not inside the root ${display(r)}`)
      let group = groups.get(r)
      if (!group) groups.set(r, (group = new Set()))
      group.add(rel)
    }
  }
  return groups
}

/** A path shown relative to the working folder when it is inside it, else absolute. */
function display(abs: string): string {
  const rel = nodePath.relative(process.cwd(), abs)
  return rel !== '' && !rel.startsWith('..') && !nodePath.isAbsolute(rel) ? rel.split(nodePath.sep).join('/') : abs
}

/** Progress on stderr, overwritten in place (only on a TTY and without --json); `done()` clears it. */
function progress(enabled: boolean, total: number): { report(n: number): void; done(): void } {
  const stream = process.stderr
  if (!enabled || total === 0) return { report: () => undefined, done: () => undefined }
  let shown = ''
  return {
    report(n) {
      const text = `linting ${n}/${total}`
      if (text === shown) return
      shown = text
      stream.write(`\r\u001b[2K${text}`)
    },
    done() {
      if (shown !== '') stream.write('\r\u001b[2K')
    },
  }
}

/** Run `lint`; sets exit code 1 when there are errors. */
export async function runLint(paths: string[], options: LintCommandOptions): Promise<void> {
  const groups = groupByRoot(paths, options.root)
  const lintOptions: LintLibraryOptions = {}
  if (options.fix) lintOptions.fix = true
  if (options.encoding !== undefined) lintOptions.encoding = options.encoding
  if (options.model !== undefined) lintOptions.model = options.model

  const loaded: { library: Library; paths: string[] }[] = []
  for (const [root, rels] of groups) {
    const library = await loadLibrary({ root })
    const known = new Set(library.entries.map((e) => e.path))
    // A file of a skill folder stands for its skill (its SKILL.md), once.
    const skillOf = new Map<string, string>()
    for (const e of library.entries) for (const f of e.kind === 'skill' ? (e.files ?? []) : []) skillOf.set(e.folder ? `${e.folder}/${f.path}` : f.path, e.path)
    const paths = new Set<string>()
    for (const rel of rels) {
      const path = known.has(rel) ? rel : skillOf.get(rel)
      if (path === undefined) throw new UsageError(`${display(nodePath.join(root, rel))}: not a document of the library at ${display(root)} (hidden folders, node_modules and links leading out of it are not read)`)
      paths.add(path)
    }
    loaded.push({ library, paths: [...paths] })
  }
  // Written to show files relative to the working folder: the library's paths are relative to its root.
  const result: LintResult = { files: [], findings: [], errorCount: 0, warningCount: 0, fixedCount: 0 }
  const total = loaded.reduce((n, l) => n + l.library.entries.length, 0)
  const bar = progress(process.stderr.isTTY === true && !options.json, total)
  let before = 0
  try {
    for (const { library, paths: rels } of loaded) {
      const offset = before
      const r = await lintLibrary(library, { ...lintOptions, paths: rels, onProgress: (done) => bar.report(offset + done) })
      before += library.entries.length
      const shown = (f: string) => display(nodePath.join(library.root, f))
      result.files.push(...r.files.map(shown))
      result.findings.push(...r.findings.map((f) => ({ ...f, file: shown(f.file) })))
      result.errorCount += r.errorCount
      result.warningCount += r.warningCount
      result.fixedCount += r.fixedCount
    }
  } finally {
    bar.done()
  }
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  result.files.sort(order)
  result.findings.sort((a, b) => order(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || order(a.code, b.code))
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatLint(result))
  if (result.errorCount > 0) process.exitCode = EXIT.failure
}

/** One finding as `file:line:col: severity: message [CODE]`. */
export function formatFinding(f: LintFinding, s = styles(process.stdout)): string {
  const where = `${f.file}${f.line !== null ? `:${f.line}${f.column !== null ? `:${f.column}` : ''}` : ''}`
  const sev = f.fixed ? s.green('fixed') : f.severity === 'error' ? s.red('error') : s.yellow('warning')
  return `${where}: ${sev}: ${f.message} ${s.dim(`[${f.code}]`)}`
}

/** The whole result as text, with a summary line. */
export function formatLint(result: LintResult, s = styles(process.stdout)): string {
  const lines = result.findings.map((f) => formatFinding(f, s))
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`
  const summary = `${plural(result.errorCount, 'error')}, ${plural(result.warningCount, 'warning')}${result.fixedCount > 0 ? `, ${result.fixedCount} fixed` : ''} in ${plural(result.files.length, 'file')}`
  if (lines.length > 0) lines.push('')
  lines.push(result.errorCount > 0 ? s.red(summary) : result.warningCount > 0 ? s.yellow(summary) : s.green(summary))
  return `${lines.join('\n')}\n`
}
