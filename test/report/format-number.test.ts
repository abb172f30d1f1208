import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatNumber } from '../../src/report/format.js'

// formatNumber exists so that printing a report does not load ICU (about 25 ms on first
// use of toLocaleString); it must print exactly what toLocaleString('en-US') prints.
const intl = (v: number): string => v.toLocaleString('en-US')

describe('formatNumber', () => {
  it('groups thousands and keeps at most three decimals, as en-US does', () => {
    expect(formatNumber(0)).toBe('0')
    expect(formatNumber(999)).toBe('999')
    expect(formatNumber(1000)).toBe('1,000')
    expect(formatNumber(1234567)).toBe('1,234,567')
    expect(formatNumber(-1234.5)).toBe('-1,234.5')
    expect(formatNumber(0.1 + 0.2)).toBe('0.3')
    expect(formatNumber(1.0005)).toBe(intl(1.0005))
    expect(formatNumber(999.9996)).toBe('1,000')
    expect(formatNumber(-0)).toBe(intl(-0))
    expect(formatNumber(1e-7)).toBe('0')
    expect(formatNumber(1e21)).toBe(intl(1e21))
    expect(formatNumber(Number.NaN)).toBe('NaN')
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('∞')
  })

  it('equals toLocaleString("en-US") on integers, doubles and ties', () => {
    fc.assert(fc.property(fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }), (v) => formatNumber(v) === intl(v)), { numRuns: 2000 })
    fc.assert(fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), (v) => formatNumber(v) === intl(v)), { numRuns: 2000 })
    // Halves at the fourth decimal: the case where rounding rules differ.
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (k) => formatNumber(k / 10_000 + 0.00005) === intl(k / 10_000 + 0.00005)), { numRuns: 2000 })
  })
})
