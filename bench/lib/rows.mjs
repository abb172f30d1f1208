// One benchmark row: a median with its spread, a baseline measured in the same run,
// the ratio between them, and the target from the issue.
import { round, rounded, summarize } from './stats.mjs'

/** Four significant digits (ratios can be as small as 1e-5). */
const sig = (x) => (typeof x === 'number' && Number.isFinite(x) ? Number(x.toPrecision(4)) : x)

/**
 * @param {object} o
 * @param {string} o.id stable key
 * @param {string} o.row name shown in the table
 * @param {string} o.what what is measured
 * @param {'ms'|'MB'} o.unit
 * @param {number[]|object} o.samples samples, or a summary from `summarize`
 * @param {{ what: string, samples?: number[], summary?: object } | null} o.baseline
 * @param {{ text: string, op: '<='|'>=', value: number, on: 'ratio'|'speedup'|'median'|'maxRatio' }} o.target
 *   `on`: which number the target applies to: `ratio` = median / baseline median,
 *   `speedup` = baseline median / median, `median` = the median itself (absolute target),
 *   `maxRatio` = the caller's `measured` (e.g. the worst of several budgets).
 * @param {number} [o.measured] the number compared with the target when `on` is `maxRatio`
 */
export function makeRow({ id, row, what, unit, samples, baseline, target, measured, notes = [], details, cpu }) {
  // Optional CPU time (user + system) of the same samples: `cpu.samples`, `cpu.baseline`.
  const cpuRow = cpu?.samples?.length
    ? (() => {
        const a = summarize(cpu.samples)
        const b = cpu.baseline?.length ? summarize(cpu.baseline) : null
        return { median: round(a.median), p25: round(a.p25), p75: round(a.p75), baselineMedian: round(b?.median), ratio: b ? sig(a.median / b.median) : null }
      })()
    : null
  const s = Array.isArray(samples) ? summarize(samples) : samples
  const b = baseline ? (baseline.summary ?? summarize(baseline.samples)) : null
  const ratio = b && s ? s.median / b.median : null
  let value
  if (target?.on === 'ratio') value = ratio
  else if (target?.on === 'speedup') value = b ? b.median / s.median : null
  else if (target?.on === 'median') value = s?.median
  else value = measured
  const met = target && typeof value === 'number' && Number.isFinite(value) ? (target.op === '<=' ? value <= target.value : value >= target.value) : null
  // Fraction of the allowed limit used: <= 1 means met, whichever way the target points.
  const ofTarget = target && typeof value === 'number' && Number.isFinite(value) ? (target.op === '<=' ? value / target.value : target.value / value) : null
  return {
    id,
    row,
    what,
    unit,
    median: round(s?.median),
    spread: s ? { p25: round(s.p25), p75: round(s.p75), min: round(s.min), max: round(s.max), n: s.n } : null,
    baseline: b ? { what: baseline.what, median: round(b.median), spread: { p25: round(b.p25), p75: round(b.p75), min: round(b.min), max: round(b.max), n: b.n } } : null,
    ratio: sig(ratio),
    target: target ?? null,
    measured: sig(value),
    ofTarget: sig(ofTarget),
    met,
    cpu: cpuRow,
    notes,
    ...(details ? { details } : {}),
  }
}

/** A row that could not be measured (yet). */
export function pendingRow({ id, row, what, target, reason }) {
  return { id, row, what, unit: null, median: null, spread: null, baseline: null, ratio: null, target, measured: null, ofTarget: null, met: null, pending: true, notes: [reason] }
}

export { rounded, summarize }
