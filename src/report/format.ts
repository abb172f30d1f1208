/**
 * `formatReport`: an assembly report as a readable text table.
 *
 * @module
 */
import { formatNumber } from './number.js'
import type { AssemblyReport } from './schema.js'

export { formatNumber }

/** Options for {@link formatReport}. */
export interface FormatReportOptions {
  /** Include the timings line. Default `true`. */
  timings?: boolean
  /** Include diagnostics. Default `true`. */
  diagnostics?: boolean
}

const n = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : formatNumber(v))

function table(head: string[], rows: string[][], right: Set<number>): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** Render a report as plain text: summary, references table, efficiency table, diagnostics. */
export function formatReport(report: AssemblyReport, options: FormatReportOptions = {}): string {
  const out: string[] = []
  const name = report.document.id ?? report.document.uri ?? report.document.path ?? report.document.title
  out.push(`promptfold report: ${name}`)
  out.push(
    `budget ${report.budget === null ? 'none' : n(report.budget)} · total ${n(report.totalTokens)} tokens · core ${n(report.coreTokens)} · ${report.encoding} · ${report.strategy}${report.query ? ` · query "${report.query}"` : ''}`,
  )
  out.push(`savings vs all embedded (${n(report.baselines.traditional)}): ${n(report.savings.tokens)} tokens (${report.savings.percent}%)`)
  out.push('')
  if (report.references.length > 0) {
    out.push(
      table(
        ['decision', 'kind', 'depth', 'tokens', 'declared', 'hint', 'value', 'uri', 'reason'],
        report.references.map((r) => [
          r.decision,
          r.kind,
          String(r.depth),
          n(r.tokens),
          n(r.declaredTokens),
          n(r.hintTokens),
          n(r.value),
          r.uri,
          r.reason,
        ]),
        new Set([2, 3, 4, 5, 6]),
      ),
    )
    out.push('')
  }
  const e = report.efficiency
  out.push('Token efficiency (measured)')
  out.push(
    table(
      ['', 'tokens'],
      [
        ['core only', n(e.coreOnly)],
        ...e.withOneExample.map((x) => [`core + ${x.uri}`, n(x.tokens)]),
        ['all embedded', n(e.allEmbedded)],
        ['savings range', e.savingsRange.min < 0 ? `${e.savingsRange.min}% to ${e.savingsRange.max}%` : `${e.savingsRange.min}-${e.savingsRange.max}%`],
      ],
      new Set([1]),
    ),
  )
  if (options.diagnostics !== false && report.diagnostics.length > 0) {
    out.push('')
    out.push('Diagnostics')
    for (const d of report.diagnostics) out.push(`  ${d.severity} ${d.code}${d.file ? ` ${d.file}${d.line ? `:${d.line}` : ''}` : ''}: ${d.message}`)
  }
  if (options.timings !== false) {
    const t = report.timings
    out.push('')
    out.push(`timings: resolve ${t.resolveMs} ms · measure ${t.measureMs} ms · select ${t.selectMs} ms · total ${t.totalMs} ms`)
  }
  return `${out.join('\n')}\n`
}
