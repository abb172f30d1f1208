/**
 * `formatReport`: an assembly report as a readable text table.
 *
 * @module
 */
import type { AssemblyReport } from './schema.js'

/** Options for {@link formatReport}. */
export interface FormatReportOptions {
  /** Include the timings line. Default `true`. */
  timings?: boolean
  /** Include diagnostics. Default `true`. */
  diagnostics?: boolean
}

/**
 * `v` as `v.toLocaleString('en-US')` writes it (`1,234.568`: thousands separators, at
 * most three decimals, halves rounded away from zero), without loading the ICU data
 * that the first `toLocaleString` call in a process loads (about 25 ms of a CLI run).
 * Property-tested equal to `toLocaleString('en-US')`.
 */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞'
  const sign = v < 0 || Object.is(v, -0) ? '-' : ''
  const shortest = String(Math.abs(v))
  if (shortest.includes('e')) {
    if (Math.abs(v) < 1) return `${sign}0`
    return `${sign}${grouped(BigInt(Math.abs(v)).toString())}`
  }
  let [int = '0', frac = ''] = shortest.split('.')
  if (frac.length > 3) {
    const up = frac.charCodeAt(3) >= 53 // '5' or more: round the shortest decimal half away from zero
    frac = frac.slice(0, 3)
    if (up) {
      const digits = `${int}${frac}`
      let k = digits.length - 1
      while (k >= 0 && digits[k] === '9') k--
      const bumped = k < 0 ? `1${'0'.repeat(digits.length)}` : `${digits.slice(0, k)}${Number(digits[k]) + 1}${'0'.repeat(digits.length - k - 1)}`
      int = bumped.slice(0, bumped.length - 3)
      frac = bumped.slice(bumped.length - 3)
    }
    frac = frac.replace(/0+$/, '')
  }
  return `${sign}${grouped(int)}${frac ? `.${frac}` : ''}`
}

/** Digits with a comma between each group of three: `1234567` → `1,234,567`. */
function grouped(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
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
