/**
 * formatReport / formatEfficiency with a width, and the style hook. The report here is
 * written out by hand (plain data), so the expected text depends on formatting alone.
 */
import { describe, expect, it } from 'vitest'
import { InvalidOptionError } from '../../src/errors.js'
import { formatEfficiency, formatReport, type ReportPart, wrapText } from '../../src/report/format.js'
import type { AssemblyReport, ReferenceReport } from '../../src/report/schema.js'

const CAUSE = { inlined: 'FITS', deferred: 'BUDGET', missing: 'NOT_FOUND', invalid: 'INVALID_URI', cycle: 'CYCLE', duplicate: 'DUPLICATE', excluded: 'EXCLUDED' } as const

const ref = (decision: ReferenceReport['decision'], kind: ReferenceReport['kind'], uri: string, tokens: number | null, declared: number | null, hint: number | null, value: number | null, reason: string): ReferenceReport => ({
  uri,
  raw: uri,
  kind,
  decision,
  cause: kind === 'mention' ? 'MENTION' : CAUSE[decision],
  reason,
  tokens,
  value,
  depth: 1,
  from: 'orchestr8://agents/mlops-specialist',
  line: 10,
  sectionPath: [],
  declaredTokens: declared,
  hintTokens: hint,
})

const ML = 'orchestr8://examples/ml/'
const report = {
  version: 1,
  document: { uri: 'orchestr8://agents/mlops-specialist', path: 'agents/mlops-specialist.md', id: 'mlops-specialist', title: 'MLOps Specialist' },
  budget: 3000,
  encoding: 'o200k_base',
  strategy: 'greedy',
  query: null,
  totalTokens: 2256,
  coreTokens: 716,
  references: [
    ref('inlined', 'slot', `${ML}mlops-mlflow-tracking`, 646, 400, null, 4, 'fits the budget (value 4)'),
    ref('deferred', 'slot', `${ML}mlops-monitoring-ab-testing`, 1274, 300, null, 1, 'does not fit: needs 1,253 more tokens, 744 left'),
    ref('deferred', 'mention', `${ML}mlops-mlflow-tracking`, 646, 400, 220, null, 'mention: kept in the text as written; only slots are inlined'),
    ref('missing', 'slot', 'orchestr8://examples/does-not-exist', null, null, null, null, 'missing: not found'),
  ],
  baselines: { coreOnly: 716, traditional: 4693 },
  savings: { tokens: 2437, percent: 51.9 },
  efficiency: {
    coreOnly: 716,
    withOneExample: [
      { uri: `${ML}mlops-mlflow-tracking`, tokens: 1341 },
      { uri: `${ML}mlops-monitoring-ab-testing`, tokens: 1969 },
    ],
    allEmbedded: 4693,
    savingsRange: { min: 58, max: 84.7 },
  },
  diagnostics: [{ code: 'REFERENCE_MISSING', severity: 'warning', message: 'orchestr8://examples/does-not-exist: not found', file: 'agents/mlops-specialist.md', line: 40 }],
  timings: { resolveMs: 1.5, measureMs: 20.25, selectMs: 0.5, totalMs: 22.25 },
} as AssemblyReport

const EFFICIENCY = `Token efficiency (measured)
                                                              tokens
----------------------------------------------------------  --------
core only                                                        716
core + orchestr8://examples/ml/mlops-mlflow-tracking           1,341
core + orchestr8://examples/ml/mlops-monitoring-ab-testing     1,969
all embedded                                                   4,693
savings range                                               58-84.7%`

const HEAD = `promptfold report: mlops-specialist
budget 3,000 · total 2,256 tokens · core 716 · o200k_base · greedy
savings vs all embedded (4,693): 2,437 tokens (51.9%)
`

const TAIL = `
${EFFICIENCY}

Diagnostics
  warning REFERENCE_MISSING agents/mlops-specialist.md:40: orchestr8://examples/does-not-exist: not found

timings: resolve 1.5 ms · measure 20.25 ms · select 0.5 ms · total 22.25 ms
`

const longest = (text: string) => Math.max(...text.split('\n').map((l) => l.length))

describe('formatReport without a width', () => {
  it('prints each reference on one line, as wide as its cells (as before widths existed)', () => {
    expect(formatReport(report)).toBe(`${HEAD}
decision  kind     depth  tokens  declared  hint  value  uri                                                  reason
--------  -------  -----  ------  --------  ----  -----  ---------------------------------------------------  ------------------------------------------------------------
inlined   slot         1     646       400     -      4  orchestr8://examples/ml/mlops-mlflow-tracking        fits the budget (value 4)
deferred  slot         1   1,274       300     -      1  orchestr8://examples/ml/mlops-monitoring-ab-testing  does not fit: needs 1,253 more tokens, 744 left
deferred  mention      1     646       400   220      -  orchestr8://examples/ml/mlops-mlflow-tracking        mention: kept in the text as written; only slots are inlined
missing   slot         1       -         -     -      -  orchestr8://examples/does-not-exist                  missing: not found
${TAIL}`)
    expect(formatReport(report, { width: Number.POSITIVE_INFINITY })).toBe(formatReport(report))
  })
})

describe('formatReport with a width', () => {
  it('at 80 columns: URI and reason on their own lines under each row', () => {
    const text = formatReport(report, { width: 80 })
    expect(text).toBe(`${HEAD}
decision  kind     depth  tokens  declared  hint  value
  uri
    reason
--------  -------  -----  ------  --------  ----  -----
inlined   slot         1     646       400     -      4
  orchestr8://examples/ml/mlops-mlflow-tracking
    fits the budget (value 4)
deferred  slot         1   1,274       300     -      1
  orchestr8://examples/ml/mlops-monitoring-ab-testing
    does not fit: needs 1,253 more tokens, 744 left
deferred  mention      1     646       400   220      -
  orchestr8://examples/ml/mlops-mlflow-tracking
    mention: kept in the text as written; only slots are inlined
missing   slot         1       -         -     -      -
  orchestr8://examples/does-not-exist
    missing: not found

${EFFICIENCY}

Diagnostics
  warning REFERENCE_MISSING agents/mlops-specialist.md:40:
    orchestr8://examples/does-not-exist: not found

timings: resolve 1.5 ms · measure 20.25 ms · select 0.5 ms · total 22.25 ms
`)
    expect(longest(text)).toBeLessThanOrEqual(80)
  })

  it('at 120 columns: the reason on a continuation line under the URI', () => {
    const text = formatReport(report, { width: 120 })
    expect(text).toBe(`${HEAD}
decision  kind     depth  tokens  declared  hint  value  uri
                                                         reason
--------  -------  -----  ------  --------  ----  -----  ---------------------------------------------------
inlined   slot         1     646       400     -      4  orchestr8://examples/ml/mlops-mlflow-tracking
                                                         fits the budget (value 4)
deferred  slot         1   1,274       300     -      1  orchestr8://examples/ml/mlops-monitoring-ab-testing
                                                         does not fit: needs 1,253 more tokens, 744 left
deferred  mention      1     646       400   220      -  orchestr8://examples/ml/mlops-mlflow-tracking
                                                         mention: kept in the text as written; only slots are inlined
missing   slot         1       -         -     -      -  orchestr8://examples/does-not-exist
                                                         missing: not found
${TAIL}`)
    expect(longest(text)).toBeLessThanOrEqual(120)
  })

  it('at 150 columns: the reason wraps in its own column', () => {
    const lines = formatReport(report, { width: 150 }).split('\n')
    expect(lines.slice(4, 9)).toEqual([
      'decision  kind     depth  tokens  declared  hint  value  uri                                                  reason',
      '--------  -------  -----  ------  --------  ----  -----  ---------------------------------------------------  ----------------------------------------',
      'inlined   slot         1     646       400     -      4  orchestr8://examples/ml/mlops-mlflow-tracking        fits the budget (value 4)',
      'deferred  slot         1   1,274       300     -      1  orchestr8://examples/ml/mlops-monitoring-ab-testing  does not fit: needs 1,253 more tokens,',
      `${' '.repeat(110)}744 left`,
    ])
    expect(longest(lines.join('\n'))).toBeLessThanOrEqual(150)
  })

  it('never prints a line longer than the width, and keeps every URI and every word of each reason', () => {
    const longUri = `orchestr8://examples/${'very-long-folder-name/'.repeat(8)}the-example-itself`
    const longWord = `orchestr8://x/${'a'.repeat(150)}`
    const wide = {
      ...report,
      query: `a query that goes on ${'and on '.repeat(30)}`.trim(),
      references: [
        ...report.references,
        ref('missing', 'slot', longUri, null, 1_234_567, 7_654_321, 12.5, `missing: the resolver failed: ${'a long explanation '.repeat(12)}${longWord}`.trim()),
        ref('invalid', 'mention', longWord, null, null, null, null, 'invalid reference: it is long'),
      ],
      efficiency: { ...report.efficiency, withOneExample: [...report.efficiency.withOneExample, { uri: longUri, tokens: 123_456 }] },
      diagnostics: [...report.diagnostics, { code: 'REFERENCE_INVALID', severity: 'error', message: `bad ${longWord}`, file: 'agents/a.md', line: 3 }],
    } as AssemblyReport
    const flat = (s: string) => s.replace(/\n */g, '')
    for (const width of [20, 33, 57, 64, 80, 100, 120, 160, 250, 400]) {
      const text = formatReport(wide, { width })
      const over = text.split('\n').filter((l) => l.length > width)
      expect(over, `width ${width}`).toEqual([])
      for (const r of wide.references) {
        expect(flat(text), `width ${width}: ${r.uri.slice(0, 40)}`).toContain(r.uri)
        for (const word of r.reason.split(' ')) expect(flat(text), `width ${width}`).toContain(word)
      }
      expect(flat(text)).toContain(longUri)
      const e = formatEfficiency(wide, { width })
      expect(e.split('\n').filter((l) => l.length > width), `efficiency at ${width}`).toEqual([])
      expect(flat(e)).toContain(longUri)
    }
  })

  it('rejects a width that is not a whole number of 20 or more', () => {
    for (const width of [0, 19, 80.5, Number.NaN, -1]) {
      expect(() => formatReport(report, { width })).toThrow(InvalidOptionError)
      expect(() => formatEfficiency(report, { width })).toThrow(InvalidOptionError)
    }
  })
})

describe('wrapText', () => {
  it('breaks at spaces, cuts a long word after a / or -, and returns text that fits unchanged', () => {
    expect(wrapText('fits the budget', 20)).toEqual(['fits the budget'])
    expect(wrapText('does not fit: needs 1,253 more tokens', 16)).toEqual(['does not fit:', 'needs 1,253 more', 'tokens'])
    expect(wrapText('orchestr8://examples/ml/mlops-model-serving', 20)).toEqual(['orchestr8://', 'examples/ml/mlops-', 'model-serving'])
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij'])
    expect(wrapText('one two three', 8, 4)).toEqual(['one two', 'thre', 'e'])
    expect(wrapText('a\nb', 80)).toEqual(['a b'])
  })
})

describe('formatEfficiency', () => {
  it('is the efficiency section of formatReport; title names the heading', () => {
    expect(formatEfficiency(report)).toBe(`${EFFICIENCY}\n`)
    expect(formatReport(report)).toContain(`\n${EFFICIENCY}\n`)
    expect(formatEfficiency(report, { title: 'Token efficiency: x (o200k_base, measured)' }).split('\n')[0]).toBe('Token efficiency: x (o200k_base, measured)')
  })

  it('writes negative savings as a range with both signs', () => {
    const negative = { ...report, efficiency: { ...report.efficiency, savingsRange: { min: -12.5, max: 3 } } } as AssemblyReport
    expect(formatEfficiency(negative).split('\n').at(-2)).toBe('savings range                                               -12.5% to 3%')
  })

  it('wraps a label too long for the width under itself, the number on its last line', () => {
    const long = { ...report, efficiency: { ...report.efficiency, withOneExample: [{ uri: `orchestr8://examples/${'x'.repeat(60)}/leaf`, tokens: 1341 }] } } as AssemblyReport
    expect(formatEfficiency(long, { width: 50 })).toBe(`Token efficiency (measured)
                                            tokens
----------------------------------------  --------
core only                                      716
core + orchestr8://examples/
  xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
  xxxxxxxxxxxxxxxxxxxxxx/leaf                1,341
all embedded                                 4,693
savings range                             58-84.7%
`)
  })
})

describe('the style hook', () => {
  const tag = (text: string, part: ReportPart): string => {
    if (part.part === 'decision') return `<${part.reference.decision}:${part.reference.kind}>${text}</>`
    if (part.part === 'severity') return `<${part.diagnostic.code}>${text}</>`
    return `<${part.part}>${text}</>`
  }
  const untag = (s: string) => s.replace(/<[^>]*>/g, '')

  it('is called with the row for each decision cell, the diagnostic for each severity, and titles and headings', () => {
    expect(untag(formatReport(report, { width: 20, style: tag }))).toBe(formatReport(report, { width: 20 }))
    for (const width of [undefined, 80, 120, 150]) {
      const styled = formatReport(report, { width, style: tag })
      // Widths are measured before styling: without the tags, the text is the unstyled text.
      expect(untag(styled)).toBe(formatReport(report, { width }))
      expect(styled.match(/<(inlined|deferred|missing):[a-z]+>[a-z]+<\/>/g)).toEqual(['<inlined:slot>inlined</>', '<deferred:slot>deferred</>', '<deferred:mention>deferred</>', '<missing:slot>missing</>'])
      expect(styled).toContain('<REFERENCE_MISSING>warning</> REFERENCE_MISSING')
      expect(styled.startsWith('<title>promptfold report: mlops-specialist</>\n')).toBe(true)
      expect(styled).toContain('\n<heading>Token efficiency (measured)</>\n')
      expect(styled).toContain('\n<heading>Diagnostics</>\n')
    }
  })

  it('pads a styled decision cell by its visible width', () => {
    const line = formatReport(report, { style: tag }).split('\n').find((l) => l.includes('<inlined:slot>'))
    expect(line).toBe('<inlined:slot>inlined</>   slot         1     646       400     -      4  orchestr8://examples/ml/mlops-mlflow-tracking        fits the budget (value 4)')
  })
})
