/**
 * `promptfold report`: the implementation (loaded when the command runs).
 *
 * @module
 */
import { type AssembleOptions, assemble, formatEfficiency } from '../../index.js'
import { openCaches } from '../cache.js'
import type { ReportCommandOptions } from '../commands/report.js'
import { loadDocument } from '../document.js'
import { styles, terminalWidth } from '../io.js'
import { efficiencyBullets, saveReport } from '../markdown.js'
import { DEFAULT_REPORT_DIR } from '../options.js'

/** Run `report`. */
export async function runReport(file: string, options: ReportCommandOptions): Promise<void> {
  const caches = openCaches(options.cache)
  const loaded = await loadDocument(file, options.root, caches?.parseStore)
  const assembleOptions: AssembleOptions = { resolver: loaded.library }
  if (options.encoding !== undefined) assembleOptions.encoding = options.encoding
  if (options.model !== undefined) assembleOptions.model = options.model
  if (caches) {
    assembleOptions.countStore = caches.countStore
    assembleOptions.parseStore = caches.parseStore
  }
  const { report } = await assemble(loaded.doc, assembleOptions)
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
