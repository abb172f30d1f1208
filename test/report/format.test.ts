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

describe('formatReport: links that were not followed', () => {
  it('claims no savings for a document whose local links were not followed', async () => {
    const { parseDocument } = await import('../../src/parse/document.js')
    const source = '# Skill\n\nRead [the guide](reference/guide.md) first.\n'
    const plain = await assemble(parseDocument(source), { budget: 100 })
    const text = formatReport(plain.report, { width: 100 })
    expect(text).toContain('savings not measured: the document links local files that were not followed (LINKS_NOT_FOLLOWED)')
    expect(text).toMatch(/savings range +not measured/)
    expect(text).not.toContain('0-0%')
    // With a path, the link is a reference: savings are measured (and nothing is claimed missing).
    const { memoryResolver: mem } = await import('../../src/resolve/resolver.js')
    const followed = await assemble(parseDocument(source, { path: 'skill/SKILL.md' }), {
      budget: 100,
      resolver: mem({ 'skill/reference/guide.md': '# Guide\n\nStep one, step two, step three.\n' }),
    })
    expect(formatReport(followed.report, { width: 100 })).toMatch(/savings vs all embedded \(\d+\): 0 tokens \(0%\)/)
    expect(followed.report.references.map((r) => [r.kind, r.uri, r.decision])).toEqual([['link', 'skill/reference/guide.md', 'inlined']])
  })
})
