/**
 * `promptfold report`: the implementation (loaded when the command runs).
 *
 * @module
 */
import { type AssembleOptions, type AssemblyReport, assemble } from '../../index.js'
import { openCaches } from '../cache.js'
import type { ReportCommandOptions } from '../commands/report.js'
import { loadDocument } from '../document.js'
import { styles } from '../io.js'
import { efficiencyBullets, num, saveReport } from '../markdown.js'
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
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ document: report.document, encoding: report.encoding, efficiency: report.efficiency }, null, 2)}\n`)
  } else if (options.markdown) {
    process.stdout.write(`${efficiencyBullets(report)}\n`)
  } else {
    process.stdout.write(efficiencyText(report, styles(process.stdout).bold))
  }
  if (options.saveReport !== undefined && options.saveReport !== false) {
    const dir = typeof options.saveReport === 'string' ? options.saveReport : DEFAULT_REPORT_DIR
    const path = await saveReport(dir, loaded.doc, report, 'efficiency')
    process.stderr.write(`${styles(process.stderr).dim('report saved to')} ${path}\n`)
  }
}

/** The efficiency table as text. */
export function efficiencyText(report: AssemblyReport, bold: (s: string) => string = (s) => s): string {
  const e = report.efficiency
  const name = report.document.id ?? report.document.uri ?? report.document.path ?? report.document.title
  const rows: [string, string][] = [
    ['core only', num(e.coreOnly)],
    ...e.withOneExample.map((x): [string, string] => [`core + ${x.uri}`, num(x.tokens)]),
    ['all embedded', num(e.allEmbedded)],
    ['savings range', `${e.savingsRange.min}-${e.savingsRange.max}%`],
  ]
  const w0 = Math.max(...rows.map((r) => r[0].length))
  const w1 = Math.max('tokens'.length, ...rows.map((r) => r[1].length))
  const line = (a: string, b: string) => `${a.padEnd(w0)}  ${b.padStart(w1)}`.trimEnd()
  return [
    bold(`Token efficiency: ${name} (${report.encoding}, measured)`),
    line('', 'tokens'),
    line('-'.repeat(w0), '-'.repeat(w1)),
    ...rows.map(([a, b]) => line(a, b)),
    '',
  ].join('\n')
}
