/**
 * `promptfold report`: the implementation (loaded when the command runs).
 *
 * @module
 */
import { writeFile } from 'node:fs/promises'
import * as nodePath from 'node:path'
import { type AssembleOptions, assemble, fitPreview, formatEfficiency, formatFitPreview, formatReportHtml, modelInfo } from '../../index.js'
import { isEncodingName } from '../../count/encodings.js'
import { makeDirectories } from '../../cache/store.js'
import { openCaches } from '../cache.js'
import type { ReportCommandOptions } from '../commands/report.js'
import { loadDocument } from '../document.js'
import { styles, terminalWidth, UsageError } from '../io.js'
import { efficiencyBullets, saveReport } from '../markdown.js'
import { DEFAULT_REPORT_DIR } from '../options.js'

/** Run `report`. */
export async function runReport(file: string, options: ReportCommandOptions): Promise<void> {
  if (options.models !== undefined) return runFitPreview(file, options.models, options)
  if (options.budgets !== undefined) throw new UsageError('--budgets goes with --models')
  for (const [flag, given] of [['--budget', options.budget], ['--query', options.query]] as const) {
    if (given !== undefined && options.html === undefined) throw new UsageError(`${flag} goes with --html`)
  }
  const caches = openCaches(options.cache)
  const loaded = await loadDocument(file, options.root, caches?.parseStore, caches?.indexStore)
  const assembleOptions: AssembleOptions = { resolver: loaded.library }
  if (options.encoding !== undefined) assembleOptions.encoding = options.encoding
  if (options.model !== undefined) assembleOptions.model = options.model
  if (caches) {
    assembleOptions.countStore = caches.countStore
    assembleOptions.parseStore = caches.parseStore
  }
  const { report } = await assemble(loaded.doc, assembleOptions)
  if (options.html !== undefined) await writeHtml(options.html, loaded.doc, assembleOptions, options)
  caches?.flush()
  // Saved before anything is printed: with --json, a failure to save leaves only the JSON error on stdout.
  let saved: string | undefined
  if (options.saveReport !== undefined && options.saveReport !== false) {
    const dir = typeof options.saveReport === 'string' ? options.saveReport : DEFAULT_REPORT_DIR
    saved = await saveReport(dir, loaded.doc, report, 'efficiency')
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ document: report.document, encoding: report.encoding, efficiency: report.efficiency }, null, 2)}\n`)
  } else if (options.markdown) {
    process.stdout.write(`${efficiencyBullets(report)}\n`)
  } else {
    const out = styles(process.stdout)
    const name = report.document.id ?? report.document.uri ?? report.document.path ?? report.document.title
    process.stdout.write(
      formatEfficiency(report, {
        title: `Token efficiency: ${name} (${report.encoding}, measured)`,
        width: terminalWidth(process.stdout),
        style: (text) => out.bold(text),
      }),
    )
  }
  if (saved !== undefined) process.stderr.write(`${styles(process.stderr).dim('report saved to')} ${saved}\n`)
}

/** `--html FILE`: the assembly at `--budget` / `--query` as one HTML page (the efficiency figures do not depend on them). */
async function writeHtml(file: string, doc: Parameters<typeof assemble>[0], base: AssembleOptions, options: ReportCommandOptions): Promise<void> {
  const shown = await assemble(doc, {
    ...base,
    ...(options.budget !== undefined ? { budget: options.budget } : {}),
    ...(options.query !== undefined ? { query: options.query } : {}),
  })
  makeDirectories(nodePath.dirname(nodePath.resolve(file)))
  await writeFile(file, formatReportHtml({ report: shown.report, text: shown.text, sourceMap: shown.sourceMap }))
  process.stderr.write(`${styles(process.stderr).dim('HTML report written to')} ${file}\n`)
}

/** Run `report --models`: the fit preview. */
async function runFitPreview(file: string, models: string[], options: ReportCommandOptions): Promise<void> {
  for (const [flag, given] of [['--markdown', options.markdown], ['--encoding', options.encoding], ['--model', options.model], ['--save-report', options.saveReport]] as const) {
    if (given !== undefined && given !== false) throw new UsageError(`${flag} cannot be combined with --models`)
  }
  // A model id the registry does not know is a command-line mistake (exit 2), with the registry's suggestions.
  for (const id of models) {
    try {
      if (!isEncodingName(id)) modelInfo(id)
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err))
    }
  }
  const caches = openCaches(options.cache)
  const loaded = await loadDocument(file, options.root, caches?.parseStore, caches?.indexStore)
  const preview = await fitPreview(loaded.doc, {
    models,
    budgets: options.budgets ?? [],
    resolver: loaded.library,
    ...(caches ? { countStore: caches.countStore, parseStore: caches.parseStore } : {}),
  })
  caches?.flush()
  if (options.json) {
    process.stdout.write(`${JSON.stringify(preview, null, 2)}\n`)
    return
  }
  const out = styles(process.stdout)
  const name = preview.document.id ?? preview.document.uri ?? preview.document.path ?? preview.document.title
  process.stdout.write(formatFitPreview(preview, { title: `Fit preview: ${name} (measured)`, width: terminalWidth(process.stdout), style: (text) => out.bold(text) }))
}
