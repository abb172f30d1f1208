/**
 * Numbers as reports print them.
 *
 * @module
 */

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
