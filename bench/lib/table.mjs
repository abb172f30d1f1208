// Text and markdown tables of benchmark rows.

function fmtNum(x, unit) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—'
  if (unit === 'ms') {
    if (x >= 1000) return `${(x / 1000).toFixed(2)} s`
    if (x >= 100) return `${x.toFixed(0)} ms`
    if (x >= 10) return `${x.toFixed(1)} ms`
    if (x >= 1) return `${x.toFixed(2)} ms`
    return `${(x * 1000).toFixed(0)} µs`
  }
  if (unit === 'MB') return `${x.toFixed(0)} MB`
  return String(x)
}

function fmtSpread(s, unit) {
  if (!s) return '—'
  if (!Number.isFinite(s.p25) || !Number.isFinite(s.p75)) return 'not reported'
  if (s.n < 4 && Number.isFinite(s.min)) return `${fmtNum(s.min, unit)}–${fmtNum(s.max, unit)} (min–max)`
  return `${fmtNum(s.p25, unit)}–${fmtNum(s.p75, unit)}`
}

function fmtRatio(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—'
  if (x >= 100) return `${x.toFixed(0)}x`
  if (x >= 10) return `${x.toFixed(1)}x`
  if (x >= 0.1) return `${x.toFixed(2)}x`
  if (x >= 0.001) return `${x.toFixed(3)}x`
  return `${x.toExponential(1)}x`
}

function measuredText(r) {
  if (r.measured === null || r.measured === undefined) return '—'
  const on = r.target?.on
  if (on === 'speedup') return `${fmtRatio(r.measured)} faster`
  if (on === 'median') return fmtNum(r.measured, r.unit)
  return fmtRatio(r.measured)
}

/** Cells of one row: row, median, spread, baseline, ratio, measured vs target, target, met. */
export function cells(r) {
  const met = r.pending ? 'pending' : r.met === null ? '—' : r.met ? 'yes' : 'NO'
  const base = r.baseline ? `${fmtNum(r.baseline.median, r.unit)} (${fmtSpread(r.baseline.spread, r.unit)}) ${r.baseline.what}` : '—'
  return [
    r.row,
    fmtNum(r.median, r.unit),
    fmtSpread(r.spread, r.unit) + (Number.isFinite(r.spread?.n) ? ` n=${r.spread.n}` : ''),
    base,
    fmtRatio(r.ratio),
    measuredText(r),
    r.target?.text ?? '—',
    r.ofTarget === null || r.ofTarget === undefined ? '—' : `${(r.ofTarget * 100).toFixed(0)}%`,
    met,
    r.cpu?.ratio != null ? fmtRatio(r.cpu.ratio) : '—',
  ]
}

export const HEADER = ['row', 'median', 'p25–p75', 'baseline (same run): median (p25–p75) what', 'ratio', 'measured', 'target', 'of limit', 'met', 'CPU-time ratio']

/** Plain-text table for the console. */
export function textTable(rows, { maxBaseline = 60 } = {}) {
  const lines = [HEADER, ...rows.map(cells)].map((c) => c.map((x, i) => (i === 3 && x.length > maxBaseline ? `${x.slice(0, maxBaseline - 1)}…` : x)))
  const widths = HEADER.map((_, i) => Math.max(...lines.map((l) => l[i].length)))
  const out = []
  for (const [i, l] of lines.entries()) {
    out.push(l.map((c, j) => c.padEnd(widths[j])).join('  ').trimEnd())
    if (i === 0) out.push(widths.map((w) => '-'.repeat(w)).join('  '))
  }
  return out.join('\n')
}

/** Markdown table (for docs/performance.md). */
export function markdownTable(rows) {
  const esc = (s) => s.replace(/\|/g, '\\|')
  return [
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
  ].join('\n')
}

export { fmtNum, fmtRatio }
