/**
 * Reports as markdown, and where `--save-report` writes them:
 * `DIR/<category>/<kind>-<id>-YYYY-MM-DD.md`, the output convention agent
 * documents of this format use (`[type]-[name]-YYYY-MM-DD.md` under a category).
 *
 * @module
 */
import { writeFile } from 'node:fs/promises'
import * as nodePath from 'node:path'
import { makeDirectories } from '../cache/store.js'
import { type AssemblyReport, formatNumber, type PromptDocument } from '../index.js'

/** Format a number the way reports do: `1,234`. */
export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '-' : formatNumber(n)
}

/** Which command wrote a report: `assembly` (assemble) or `efficiency` (report). */
export type ReportKind = 'assembly' | 'efficiency'

/** `YYYY-MM-DD` of `date` in local time. */
export function isoDate(date: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}`
}

/** A name safe to use as one path segment: lower case, `[a-z0-9._-]`, never `.` or `..`. */
export function safeSegment(name: string, fallback: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 100)
  return s === '' ? fallback : s
}

/** Category and id of a document for the report path: frontmatter `category` / `id`, else `uncategorized` / the file name. */
export function reportName(doc: PromptDocument): { category: string; id: string } {
  const meta = doc.meta as { category?: unknown; id?: unknown }
  const file = (doc.path ?? '').replace(/\\/g, '/').split('/').pop()?.replace(/\.md$/i, '') ?? ''
  const category = typeof meta.category === 'string' ? meta.category : 'uncategorized'
  const id = typeof meta.id === 'string' ? meta.id : file || doc.title || 'document'
  return { category: safeSegment(category, 'uncategorized'), id: safeSegment(id, 'document') }
}

/** Path of a saved report. */
export function reportPath(dir: string, doc: PromptDocument, kind: ReportKind, date: Date = new Date()): string {
  const { category, id } = reportName(doc)
  return nodePath.join(dir, category, `${kind}-${id}-${isoDate(date)}.md`)
}

const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')

function mdTable(head: string[], rows: string[][], right: Set<number> = new Set()): string {
  const lines = [`| ${head.map(cell).join(' | ')} |`, `|${head.map((_, i) => (right.has(i) ? '---:' : '---')).join('|')}|`]
  for (const r of rows) lines.push(`| ${r.map(cell).join(' | ')} |`)
  return lines.join('\n')
}

/** The efficiency figures as the bullet list agent documents write by hand under "Token Efficiency", measured. */
export function efficiencyBullets(report: AssemblyReport): string {
  const e = report.efficiency
  const ones = e.withOneExample.map((x) => x.tokens)
  const lo = Math.min(...ones)
  const hi = Math.max(...ones)
  const lines = ['**Token Efficiency:**', `- Concepts only: ${num(e.coreOnly)} tokens`]
  if (ones.length > 0) lines.push(`- Concepts + 1 example: ${lo === hi ? num(lo) : `${num(lo)}-${num(hi)}`} tokens`)
  lines.push(`- Traditional (all embedded): ${num(e.allEmbedded)} tokens`)
  lines.push(`- **Savings: ${e.savingsRange.min === e.savingsRange.max ? e.savingsRange.max : `${e.savingsRange.min}-${e.savingsRange.max}`}%**`)
  return lines.join('\n')
}

/** The efficiency table as markdown. */
export function efficiencyTable(report: AssemblyReport): string {
  const e = report.efficiency
  return mdTable(
    ['', 'tokens'],
    [
      ['core only', num(e.coreOnly)],
      ...e.withOneExample.map((x) => [`core + \`${x.uri}\``, num(x.tokens)]),
      ['all embedded', num(e.allEmbedded)],
      ['savings range', `${e.savingsRange.min}-${e.savingsRange.max}%`],
    ],
    new Set([1]),
  )
}

/** A report as a markdown document. `efficiency` writes only the efficiency part. */
export function reportMarkdown(report: AssemblyReport, kind: ReportKind, date: Date = new Date()): string {
  const d = report.document
  const name = d.id ?? d.uri ?? d.path ?? d.title
  const out: string[] = []
  out.push(`# ${kind === 'assembly' ? 'Assembly' : 'Token efficiency'} report: ${name}`, '')
  out.push(`- Document: ${d.uri ? `\`${d.uri}\`` : '-'}${d.path ? ` (${d.path})` : ''}`)
  out.push(`- Date: ${isoDate(date)}`)
  out.push(`- Encoding: ${report.encoding}`)
  if (kind === 'assembly') {
    out.push(`- Budget: ${report.budget === null ? 'none' : `${num(report.budget)} tokens`}; strategy ${report.strategy}${report.query ? `; query "${report.query}"` : ''}`)
    out.push(`- Total: ${num(report.totalTokens)} tokens (core ${num(report.coreTokens)})`)
    out.push(`- Savings vs all embedded (${num(report.baselines.traditional)}): ${num(report.savings.tokens)} tokens (${report.savings.percent}%)`)
  }
  out.push('', '## Token efficiency (measured)', '', efficiencyTable(report), '', efficiencyBullets(report))
  if (kind === 'assembly' && report.references.length > 0) {
    out.push('', '## References', '')
    out.push(
      mdTable(
        ['decision', 'kind', 'depth', 'tokens', 'declared', 'hint', 'value', 'uri', 'line', 'reason'],
        report.references.map((r) => [r.decision, r.kind, String(r.depth), num(r.tokens), num(r.declaredTokens), num(r.hintTokens), num(r.value), `\`${r.uri}\``, String(r.line), r.reason]),
        new Set([2, 3, 4, 5, 6, 8]),
      ),
    )
  }
  if (report.diagnostics.length > 0) {
    out.push('', '## Diagnostics', '')
    for (const x of report.diagnostics) out.push(`- ${x.severity} \`${x.code}\`${x.file ? ` ${x.file}${x.line ? `:${x.line}` : ''}` : ''}: ${x.message}`)
  }
  out.push('', `_Written by promptfold. Totals are exact counts of the assembled text, not sums of parts._`, '')
  return out.join('\n')
}

/** Write a report under `dir`; returns the path written. An existing report of the same day is replaced. */
export async function saveReport(dir: string, doc: PromptDocument, report: AssemblyReport, kind: ReportKind, date: Date = new Date()): Promise<string> {
  const path = reportPath(dir, doc, kind, date)
  makeDirectories(nodePath.dirname(path))
  await writeFile(path, reportMarkdown(report, kind, date))
  return path
}
