/**
 * `promptfold assemble`: the implementation (loaded when the command runs).
 *
 * @module
 */
import { writeFile } from 'node:fs/promises'
import * as nodePath from 'node:path'
import { makeDirectories } from '../../cache/store.js'
import { type AssembleOptions, assemble, formatReport, formatSourceMap, type ReferenceReport, type ReportPart } from '../../index.js'
import { openCaches } from '../cache.js'
import type { AssembleCommandOptions } from '../commands/assemble.js'
import { loadDocument } from '../document.js'
import { type Styles, styles, terminalWidth } from '../io.js'
import { saveReport } from '../markdown.js'
import { DEFAULT_REPORT_DIR } from '../options.js'

/** Run `assemble`. */
export async function runAssemble(file: string, options: AssembleCommandOptions): Promise<void> {
  // Counts and parsed documents persist between runs (keyed by content digests), so a
  // second run needs no encoder and no parser; --no-cache turns this off.
  const caches = openCaches(options.cache)
  const loaded = await loadDocument(file, options.root, caches?.parseStore, caches?.indexStore)
  const assembleOptions: AssembleOptions = {
    resolver: loaded.library,
    include: options.include ?? [],
    exclude: options.exclude ?? [],
  }
  if (options.budget !== undefined) assembleOptions.budget = options.budget
  if (options.query !== undefined) assembleOptions.query = options.query
  if (options.encoding !== undefined) assembleOptions.encoding = options.encoding
  if (options.model !== undefined) assembleOptions.model = options.model
  if (options.strategy !== undefined) assembleOptions.strategy = options.strategy
  if (options.maxDepth !== undefined) assembleOptions.maxDepth = options.maxDepth
  if (caches) {
    assembleOptions.countStore = caches.countStore
    assembleOptions.parseStore = caches.parseStore
  }
  const assembly = await assemble(loaded.doc, assembleOptions)
  const { text, report } = assembly
  caches?.flush()

  // The report is saved before anything is printed: with --json, a failure to save it
  // leaves only the JSON error object on stdout.
  let saved: string | undefined
  if (options.saveReport !== undefined && options.saveReport !== false) {
    const dir = typeof options.saveReport === 'string' ? options.saveReport : DEFAULT_REPORT_DIR
    saved = await saveReport(dir, loaded.doc, report, 'assembly')
  }
  const json = options.explain ? { text, report, sourceMap: assembly.sourceMap } : { text, report }
  const output = options.json ? `${JSON.stringify(json, null, 2)}\n` : text
  if (options.out !== undefined) {
    // One level at a time: Node's recursive mkdir spins for ever on paths such as /proc/nope/x.
    makeDirectories(nodePath.dirname(nodePath.resolve(options.out)))
    await writeFile(options.out, output)
  } else {
    process.stdout.write(output)
  }
  if (options.json) return
  const err = styles(process.stderr)
  if (!options.quiet) {
    process.stderr.write(formatReport(report, { width: terminalWidth(process.stderr), style: reportStyle(err) }))
    if (saved !== undefined) process.stderr.write(`${err.dim('report saved to')} ${saved}\n`)
  }
  if (options.explain) process.stderr.write(`${options.quiet ? '' : '\n'}${formatSourceMap(text, assembly.sourceMap)}`)
}

const DECISION_STYLE: Record<ReferenceReport['decision'], Exclude<keyof Styles, 'enabled'>> = {
  inlined: 'green',
  deferred: 'dim',
  missing: 'red',
  cycle: 'red',
  invalid: 'red',
  duplicate: 'yellow',
  excluded: 'yellow',
}

/**
 * Colours of the report, read from its data: the decision cell by the row's decision, the
 * severity of a diagnostic by its severity, the title and headings in bold. Identity when
 * colours are off.
 */
export function reportStyle(s: Styles): (text: string, part: ReportPart) => string {
  return (text, part) => {
    if (!s.enabled) return text
    switch (part.part) {
      case 'title':
      case 'heading':
        return s.bold(text)
      case 'decision':
        return s[DECISION_STYLE[part.reference.decision]](text)
      case 'severity':
        return part.diagnostic.severity === 'error' ? s.red(text) : part.diagnostic.severity === 'warning' ? s.yellow(text) : text
    }
  }
}
