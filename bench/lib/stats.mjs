// Summary statistics for benchmark samples: median with its spread.

/** Linear-interpolated quantile of an ascending array (q in [0, 1]). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

/**
 * Median, quartiles, min and max of `samples`.
 * @returns {{ n: number, median: number, p25: number, p75: number, min: number, max: number }}
 */
export function summarize(samples) {
  const s = [...samples].filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  return { n: s.length, median: quantile(s, 0.5), p25: quantile(s, 0.25), p75: quantile(s, 0.75), min: s[0] ?? Number.NaN, max: s[s.length - 1] ?? Number.NaN }
}

/** Round for JSON output. */
export function round(x, digits = 3) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return x
  const f = 10 ** digits
  return Math.round(x * f) / f
}

/** A summary with every number rounded. */
export function rounded(summary, digits = 3) {
  if (!summary) return summary
  return Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, round(v, digits)]))
}
