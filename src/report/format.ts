/**
 * `formatReport`: an assembly report as a readable text table, and `formatEfficiency`,
 * its token-efficiency table alone (what `promptfold report` prints).
 *
 * Both fit a width when given one: nothing is shortened or dropped, long cells are wrapped
 * onto continuation lines instead (see {@link FormatReportOptions.width}).
 *
 * @module
 */
import { InvalidOptionError } from '../errors.js'
import type { Diagnostic } from '../types.js'
import { formatNumber } from './number.js'
import type { AssemblyReport, ReferenceReport } from './schema.js'

export { formatNumber }

/**
 * What a piece of formatted text is, for a {@link FormatReportOptions.style} hook:
 * - `title`: the first line(s) of a report, `promptfold report: <name>`;
 * - `heading`: a section heading (`Token efficiency (measured)`, `Diagnostics`, or the
 *   title of {@link formatEfficiency});
 * - `decision`: the decision cell of a reference row, with the row itself (read its
 *   `decision` and `cause`, never the words of its reason);
 * - `severity`: the severity word of a diagnostic line, with the diagnostic.
 */
export type ReportPart =
  | { part: 'title' }
  | { part: 'heading' }
  | { part: 'decision'; reference: ReferenceReport }
  | { part: 'severity'; diagnostic: Diagnostic }

/** Options for {@link formatEfficiency}. */
export interface FormatEfficiencyOptions {
  /**
   * Longest line, in characters (a whole number of 20 or more). Default: no limit, every row
   * on one line. Labels too long for the width (long URIs) wrap onto indented continuation lines, the number on the last.
   */
  width?: number
  /**
   * Called with each styled piece of text and what it is; returns the text to print (for
   * example with ANSI colours). Widths are measured before styling. Default: none.
   */
  style?: (text: string, part: ReportPart) => string
  /** Heading line of the table. Default `'Token efficiency (measured)'`. */
  title?: string
}

/** Options for {@link formatReport}. */
export interface FormatReportOptions {
  /** Include the timings line. Default `true`. */
  timings?: boolean
  /** Include diagnostics. Default `true`. */
  diagnostics?: boolean
  /**
   * Longest line, in characters (a whole number of 20 or more). Default: no limit (each
   * reference on one line, as wide as its cells). With a width, nothing is shortened: when
   * the table does not fit, the reason column wraps under itself; then reasons move onto
   * continuation lines under the URI column; then URI and reason each get their own
   * indented lines below the row. Summary and diagnostic lines wrap at their separators.
   */
  width?: number
  /** Style hook, as in {@link FormatEfficiencyOptions.style}. Default: none. */
  style?: (text: string, part: ReportPart) => string
}

/** The narrowest reason column worth wrapping beside the URIs; below it, reasons go on their own lines. */
const MIN_REASON = 24
const SEP = '  '
const n = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : formatNumber(v))
const noStyle = (text: string): string => text

function checkWidth(width: number | undefined): number {
  if (width === undefined || width === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY
  if (typeof width !== 'number' || !Number.isInteger(width) || width < 20) throw new InvalidOptionError('width', `must be a whole number of 20 or more, got ${String(width)}`)
  return width
}

/** Where a word too long for a line is cut: after the last `/` or `-` in the second half of the line, else at the line's end. */
function cutAt(word: string, max: number): number {
  for (let i = max - 1; i >= Math.ceil(max / 2); i--) if (word[i - 1] === '/' || word[i - 1] === '-') return i
  // Never between the two halves of a surrogate pair.
  const code = word.charCodeAt(max - 1)
  return code >= 0xd800 && code <= 0xdbff && max > 1 ? max - 1 : max
}

/**
 * `text` in lines of at most `first` characters (the first line) and `rest` (the others),
 * broken at spaces; a word longer than a line (a long URI) is cut, after a `/` or `-` when it
 * can be. Text that fits is returned as it is.
 */
export function wrapText(text: string, first: number, rest: number = first): string[] {
  if (first === Number.POSITIVE_INFINITY) return [text]
  // A line break inside a cell would break the layout: it becomes a space.
  if (/[\r\n\t]/.test(text)) text = text.replace(/\s*[\r\n]+\s*|\t/g, ' ')
  if (text.length <= first) return [text]
  const lines: string[] = []
  const limit = () => Math.max(1, lines.length === 0 ? first : rest)
  let current = ''
  for (let word of text.split(' ').filter((w) => w !== '')) {
    const joined = current === '' ? word : `${current} ${word}`
    if (joined.length <= limit()) {
      current = joined
      continue
    }
    if (current !== '' && word.length > rest) {
      // Too long for any line: it is cut anyway, so it starts where the current line ends.
      const room = limit() - current.length - 1
      if (room >= 1) {
        const at = cutAt(word, room)
        lines.push(`${current} ${word.slice(0, at)}`)
        word = word.slice(at)
      } else lines.push(current)
    } else if (current !== '') lines.push(current)
    current = ''
    while (word.length > limit()) {
      const at = cutAt(word, limit())
      lines.push(word.slice(0, at))
      word = word.slice(at)
    }
    current = word
  }
  if (current !== '' || lines.length === 0) lines.push(current)
  return lines
}

/** `parts` joined by ` · `, broken between parts (then inside a part, by {@link wrapText}); continuation lines indented by two spaces. */
function wrapParts(parts: readonly string[], width: number): string[] {
  const indent = '  '
  const lines: string[] = []
  let current = ''
  for (const part of parts) {
    const joined = current === '' ? part : `${current} · ${part}`
    if (joined.length <= (lines.length === 0 ? width : width - indent.length)) {
      current = joined
      continue
    }
    if (current !== '') lines.push(current)
    // The part starts a line of its own; it is cut only when longer than a line.
    const pieces = wrapText(part, lines.length === 0 ? width : width - indent.length, width - indent.length)
    lines.push(...pieces.slice(0, -1))
    current = pieces[pieces.length - 1] ?? ''
  }
  lines.push(current)
  return lines.map((l, i) => (i === 0 ? l : `${indent}${l}`))
}

interface Cell {
  text: string
  /** Styled text (same visible characters). */
  shown: string
}

const cell = (text: string, style?: (t: string) => string): Cell => ({ text, shown: style ? style(text) : text })
const pad = (c: Cell, width: number, right: boolean): string => (right ? ' '.repeat(Math.max(0, width - c.text.length)) + c.shown : c.shown + ' '.repeat(Math.max(0, width - c.text.length)))

/** Cells joined by two spaces, each padded to its column's width, trailing spaces trimmed. */
function row(cells: readonly Cell[], widths: readonly number[], right: ReadonlySet<number>): string {
  return cells
    .map((c, i) => pad(c, widths[i] ?? 0, right.has(i)))
    .join(SEP)
    .trimEnd()
}

const colWidths = (head: readonly string[], rows: readonly (readonly Cell[])[]): number[] => head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.text.length ?? 0)))

const FIXED_HEAD = ['decision', 'kind', 'depth', 'tokens', 'declared', 'hint', 'value']
const FIXED_RIGHT = new Set([2, 3, 4, 5, 6])

/** The references table, in the widest layout that fits `width`. */
function referencesTable(references: readonly ReferenceReport[], width: number, style: NonNullable<FormatReportOptions['style']>): string[] {
  const fixed = references.map((r) => [
    cell(r.decision, (t) => style(t, { part: 'decision', reference: r })),
    cell(r.kind),
    cell(String(r.depth)),
    cell(n(r.tokens)),
    cell(n(r.declaredTokens)),
    cell(n(r.hintTokens)),
    cell(n(r.value)),
  ])
  const fw = colWidths(FIXED_HEAD, fixed)
  const fixedWidth = fw.reduce((a, b) => a + b, 0) + SEP.length * (fw.length - 1)
  const uriStart = fixedWidth + SEP.length
  const uriWidth = Math.max(3, ...references.map((r) => r.uri.length))
  const reasonWidth = Math.max(6, ...references.map((r) => r.reason.length))
  const reasonStart = uriStart + uriWidth + SEP.length
  const head = FIXED_HEAD.map((h) => cell(h))
  const dashes = fw.map((w) => cell('-'.repeat(w)))
  const lines: string[] = []

  if (reasonStart + Math.min(reasonWidth, MIN_REASON) <= width) {
    // One line per reference; a reason longer than the room left wraps under its own column.
    const room = Math.min(reasonWidth, width - reasonStart)
    const widths = [...fw, uriWidth, room]
    lines.push(row([...head, cell('uri'), cell('reason')], widths, FIXED_RIGHT))
    lines.push(row([...dashes, cell('-'.repeat(uriWidth)), cell('-'.repeat(room))], widths, FIXED_RIGHT))
    references.forEach((r, i) => {
      const [firstReason = '', ...more] = width === Number.POSITIVE_INFINITY ? [r.reason] : wrapText(r.reason, room)
      lines.push(row([...(fixed[i] ?? []), cell(r.uri), cell(firstReason)], widths, FIXED_RIGHT))
      for (const m of more) lines.push(`${' '.repeat(reasonStart)}${m}`)
    })
    return lines
  }
  if (uriStart + uriWidth <= width && width - uriStart >= MIN_REASON) {
    // The reason on continuation lines under the URI.
    const widths = [...fw, uriWidth]
    lines.push(row([...head, cell('uri')], widths, FIXED_RIGHT), `${' '.repeat(uriStart)}reason`)
    lines.push(row([...dashes, cell('-'.repeat(uriWidth))], widths, FIXED_RIGHT))
    references.forEach((r, i) => {
      lines.push(row([...(fixed[i] ?? []), cell(r.uri)], widths, FIXED_RIGHT))
      for (const m of wrapText(r.reason, width - uriStart)) lines.push(`${' '.repeat(uriStart)}${m}`)
    })
    return lines
  }
  if (fixedWidth <= width) {
    // URI and reason on their own lines below the row, indented by 2 and 4.
    lines.push(row(head, fw, FIXED_RIGHT), '  uri', '    reason')
    lines.push(row(dashes, fw, FIXED_RIGHT))
    references.forEach((r, i) => {
      lines.push(row(fixed[i] ?? [], fw, FIXED_RIGHT))
      for (const m of wrapText(r.uri, width - 2)) lines.push(`  ${m}`)
      for (const m of wrapText(r.reason, width - 4)) lines.push(`    ${m}`)
    })
    return lines
  }
  // Narrower than the numbers: each reference as labelled parts.
  references.forEach((r, i) => {
    const cells = fixed[i] ?? []
    const parts = [`${r.decision} ${r.kind}`, `depth ${r.depth}`, `tokens ${n(r.tokens)}`, `declared ${n(r.declaredTokens)}`, `hint ${n(r.hintTokens)}`, `value ${n(r.value)}`]
    const [first = '', ...more] = wrapParts(parts, width)
    // The decision is the first word of the first line: style it there.
    lines.push(`${cells[0]?.shown ?? r.decision}${first.slice(r.decision.length)}`, ...more)
    for (const m of wrapText(r.uri, width - 2)) lines.push(`  ${m}`)
    for (const m of wrapText(r.reason, width - 4)) lines.push(`    ${m}`)
  })
  return lines
}

/**
 * Whether the document links local files that were not followed (no relative path, or
 * relative references off): its savings would compare the core with itself, so they are not
 * claimed.
 */
function linksNotFollowed(report: AssemblyReport): boolean {
  return report.diagnostics.some((d) => d.code === 'LINKS_NOT_FOLLOWED')
}

function efficiencyLines(report: AssemblyReport, width: number, style: NonNullable<FormatReportOptions['style']>, title: string): string[] {
  const e = report.efficiency
  const rows: [string, string][] = [
    ['core only', n(e.coreOnly)],
    ...e.withOneExample.map((x): [string, string] => [`core + ${x.uri}`, n(x.tokens)]),
    ['all embedded', n(e.allEmbedded)],
    ['savings range', linksNotFollowed(report) ? 'not measured' : e.savingsRange.min < 0 ? `${e.savingsRange.min}% to ${e.savingsRange.max}%` : `${e.savingsRange.min}-${e.savingsRange.max}%`],
  ]
  const w1 = Math.max('tokens'.length, ...rows.map((r) => r[1].length))
  const longest = Math.max(0, ...rows.map((r) => r[0].length))
  const w0 = longest + SEP.length + w1 <= width ? longest : width - SEP.length - w1
  const line = (a: string, b: string) => `${a.padEnd(w0)}${SEP}${b.padStart(w1)}`.trimEnd()
  const out = wrapText(title, width).map((t) => style(t, { part: 'heading' }))
  out.push(line('', 'tokens'), line('-'.repeat(w0), '-'.repeat(w1)))
  for (const [label, value] of rows) {
    // A label too long for its column continues on indented lines; the number goes on its last line.
    const pieces = wrapText(label, w0, w0 - 2).map((p, i) => (i === 0 ? p : `  ${p}`))
    out.push(...pieces.slice(0, -1), line(pieces[pieces.length - 1] ?? '', value))
  }
  return out
}

/**
 * The token-efficiency table of a report: core only, core plus each example alone, all
 * embedded, the savings range. `formatReport` prints it as one of its sections; `promptfold
 * report` prints it alone (with its own `title`).
 */
export function formatEfficiency(report: AssemblyReport, options: FormatEfficiencyOptions = {}): string {
  const width = checkWidth(options.width)
  return `${efficiencyLines(report, width, options.style ?? noStyle, options.title ?? 'Token efficiency (measured)').join('\n')}\n`
}

/** Render a report as plain text: summary, references table, efficiency table, diagnostics, timings. */
export function formatReport(report: AssemblyReport, options: FormatReportOptions = {}): string {
  const width = checkWidth(options.width)
  const style = options.style ?? noStyle
  const out: string[] = []
  const name = report.document.id ?? report.document.uri ?? report.document.path ?? report.document.title
  for (const t of wrapText(`promptfold report: ${name}`, width)) out.push(style(t, { part: 'title' }))
  out.push(
    ...wrapParts(
      [
        `budget ${report.budget === null ? 'none' : n(report.budget)}`,
        `total ${n(report.totalTokens)} tokens`,
        `core ${n(report.coreTokens)}`,
        report.encoding,
        report.strategy,
        ...(report.query ? [`query "${report.query}"`] : []),
      ],
      width,
    ),
  )
  const savings = linksNotFollowed(report)
    ? 'savings not measured: the document links local files that were not followed (LINKS_NOT_FOLLOWED)'
    : `savings vs all embedded (${n(report.baselines.traditional)}): ${n(report.savings.tokens)} tokens (${report.savings.percent}%)`
  out.push(...wrapText(savings, width, width - 2).map((l, i) => (i === 0 ? l : `  ${l}`)))
  out.push('')
  if (report.references.length > 0) {
    out.push(...referencesTable(report.references, width, style))
    out.push('')
  }
  out.push(...efficiencyLines(report, width, style, 'Token efficiency (measured)'))
  if (options.diagnostics !== false && report.diagnostics.length > 0) {
    out.push('')
    out.push(style('Diagnostics', { part: 'heading' }))
    for (const d of report.diagnostics) {
      const body = `${d.severity} ${d.code}${d.file ? ` ${d.file}${d.line ? `:${d.line}` : ''}` : ''}: ${d.message}`
      const [first = '', ...more] = wrapText(body, width - 2, width - 4)
      // The severity is the first word of the first line: style it there.
      const severity = first.startsWith(`${d.severity} `) ? style(d.severity, { part: 'severity', diagnostic: d }) + first.slice(d.severity.length) : first
      out.push(`  ${severity}`, ...more.map((m) => `    ${m}`))
    }
  }
  if (options.timings !== false) {
    const t = report.timings
    out.push('')
    out.push(...wrapParts([`timings: resolve ${t.resolveMs} ms`, `measure ${t.measureMs} ms`, `select ${t.selectMs} ms`, `total ${t.totalMs} ms`], width))
  }
  return `${out.join('\n')}\n`
}
