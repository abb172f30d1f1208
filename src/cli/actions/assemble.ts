/**
 * `promptfold assemble`: the implementation (loaded when the command runs).
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises'
import * as nodePath from 'node:path'
import { type AssembleOptions, type AssemblyReport, assemble, formatReport } from '../../index.js'
import { openCaches } from '../cache.js'
import type { AssembleCommandOptions } from '../commands/assemble.js'
import { loadDocument } from '../document.js'
import { type Styles, styles } from '../io.js'
import { saveReport } from '../markdown.js'
import { DEFAULT_REPORT_DIR } from '../options.js'

/** Run `assemble`. */
export async function runAssemble(file: string, options: AssembleCommandOptions): Promise<void> {
  // Counts and parsed documents persist between runs (keyed by content digests), so a
  // second run needs no encoder and no parser; --no-cache turns this off.
  const caches = openCaches(options.cache)
  const loaded = await loadDocument(file, options.root, caches?.parseStore)
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
  const { text, report } = await assemble(loaded.doc, assembleOptions)
  caches?.flush()

  const output = options.json ? `${JSON.stringify({ text, report }, null, 2)}\n` : text
  if (options.out !== undefined) {
    await mkdir(nodePath.dirname(nodePath.resolve(options.out)), { recursive: true })
    await writeFile(options.out, output)
  } else {
    process.stdout.write(output)
  }
  const err = styles(process.stderr)
  if (!options.json) process.stderr.write(colorReport(formatReport(report), err))
  if (options.saveReport !== undefined && options.saveReport !== false) {
    const dir = typeof options.saveReport === 'string' ? options.saveReport : DEFAULT_REPORT_DIR
    const path = await saveReport(dir, loaded.doc, report, 'assembly')
    process.stderr.write(`${err.dim('report saved to')} ${path}\n`)
  }
}

const DECISION_STYLE: Record<AssemblyReport['references'][number]['decision'], keyof Styles> = {
  inlined: 'green',
  deferred: 'dim',
  missing: 'red',
  cycle: 'red',
  invalid: 'red',
  duplicate: 'yellow',
  excluded: 'yellow',
}

/** Color the decision column and diagnostics of {@link formatReport} output (no-op when colors are off). */
export function colorReport(text: string, s: Styles): string {
  if (!s.enabled) return text
  return text
    .split('\n')
    .map((line, i) => {
      if (i === 0) return s.bold(line)
      const m = /^(inlined|deferred|missing|cycle|invalid|duplicate|excluded)(\s)/.exec(line)
      if (m?.[1]) {
        const style = DECISION_STYLE[m[1] as keyof typeof DECISION_STYLE]
        const paint = s[style] as (x: string) => string
        return paint(m[1]) + line.slice(m[1].length)
      }
      if (/^ {2}error /.test(line)) return line.replace('error', s.red('error'))
      if (/^ {2}warning /.test(line)) return line.replace('warning', s.yellow('warning'))
      if (line === 'Token efficiency (measured)' || line === 'Diagnostics') return s.bold(line)
      return line
    })
    .join('\n')
}
