import { describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { memoryResolver } from '../../src/resolve/resolver.js'
import { formatReport } from '../../src/report/format.js'
import { assemblyReportSchema } from '../../src/report/schema.js'

describe('formatReport', () => {
  it('renders summary, references, efficiency and diagnostics; options drop sections', async () => {
    const { report } = await assemble('# A\n\n```\norchestr8://x\n```\n\n```\norchestr8://missing\n```\n', {
      resolver: memoryResolver({ 'orchestr8://x': '# X\n\nSome example text.\n' }),
      budget: 100,
    })
    expect(assemblyReportSchema.parse(report)).toEqual(report)
    const text = formatReport(report)
    expect(text).toContain(`budget 100 · total ${report.totalTokens} tokens · core ${report.coreTokens} · o200k_base · greedy`)
    expect(text).toMatch(/inlined\s+slot\s+1\s+\d+\s+-\s+-\s+1\s+orchestr8:\/\/x\s+fits the budget \(value 1\)/)
    expect(text).toMatch(/missing\s+slot\s+1\s+-\s+-\s+-\s+-\s+orchestr8:\/\/missing\s+missing: not found/)
    expect(text).toContain('warning REFERENCE_MISSING')
    expect(text).toContain('timings: resolve')
    const bare = formatReport(report, { timings: false, diagnostics: false })
    expect(bare).not.toContain('timings:')
    expect(bare).not.toContain('Diagnostics')
  })

  it('shows negative savings as a readable range', async () => {
    // The stand-in line is longer than the tiny example it stands for.
    const { report } = await assemble('# A\n\n```\norchestr8://x\n```\n', { resolver: memoryResolver({ 'orchestr8://x': 'x\n' }) })
    expect(report.efficiency.savingsRange.min).toBeLessThan(0)
    expect(formatReport(report)).toMatch(/savings range\s+-\d+(\.\d)?% to -\d+(\.\d)?%/)
  })
})
