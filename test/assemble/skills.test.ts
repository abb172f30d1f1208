/**
 * Assembling a skill under a budget (issue 12): the body is the core; each linked file worth
 * its tokens is appended after it under `## <path>`; the others stay links, reported with
 * their exact cost.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { getEncoding } from 'js-tiktoken'
import { describe, expect, it } from 'vitest'
import { assemble, fileSystemResolver, type Library, loadLibrary, memoryResolver, parseDocument } from '../../src/index.js'

const ROOT = join(import.meta.dirname, '../../fixtures/skill-refs')
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8')
const o200k = getEncoding('o200k_base')
const count = (s: string) => o200k.encode(s, [], []).length

/** The body of forms/SKILL.md, as the core renders it (after the frontmatter's blank line). */
const SOURCE = read('forms/SKILL.md')
const BODY = SOURCE.slice(SOURCE.indexOf('# Forms'))

describe('assemble a skill', async () => {
  const lib: Library = await loadLibrary({ root: ROOT })
  const doc = lib.document('forms')
  if (!doc) throw new Error('fixture missing')

  it('appends the files that fit after the body, under their paths, and reports every link', async () => {
    const { text, report } = await assemble(doc, { resolver: lib, budget: 400 })
    expect(report.references.map((r) => [r.kind, r.uri, r.decision, r.cause, r.tokens])).toEqual([
      ['link', 'forms/reference/guide.md', 'inlined', 'FITS', 55],
      ['link', 'forms/FORMS.md', 'inlined', 'FITS', 51],
      ['path', 'forms/scripts/fill.py', 'deferred', 'BUDGET', 92],
      ['link', 'forms/reference/Notes.md', 'missing', 'CASE_MISMATCH', null],
      ['link', 'forms/assets/logo.png', 'invalid', 'BINARY', null],
      ['link', 'tables/SKILL.md', 'invalid', 'ACCESS_DENIED', null],
      ['path', 'forms/FORMS.md', 'duplicate', 'DUPLICATE', null],
      ['link', 'forms/FORMS.md', 'duplicate', 'DUPLICATE', null],
    ].sort((a, b) => rowOrder(report, a) - rowOrder(report, b)))
    const guide = read('forms/reference/guide.md').replace('# Form filling guide', '### Form filling guide').replace('## Steps', '#### Steps')
    const forms = read('forms/FORMS.md').replace('# Field types', '### Field types')
    expect(text).toBe(`${BODY}\n## reference/guide.md\n\n${guide}\n## FORMS.md\n\n${forms}`)
    expect(report.totalTokens).toBe(count(text))
    expect(report.coreTokens).toBe(count(BODY))
    // A link that is there in another letter case warns; a binary file does not (it is a fine thing to link).
    expect(report.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['REFERENCE_MISSING', 29],
      ['REFERENCE_REFUSED', 30],
    ])
  })

  it('inlines a script in a fenced block with its language, the link in the body unchanged', async () => {
    const { text, report } = await assemble(doc, { resolver: lib, budget: 10_000 })
    expect(report.references.filter((r) => r.decision === 'inlined').map((r) => r.uri)).toEqual(['forms/reference/guide.md', 'forms/FORMS.md', 'forms/scripts/fill.py'])
    expect(text.endsWith(`\n## scripts/fill.py\n\n\`\`\`python\n${read('forms/scripts/fill.py')}\`\`\`\n`)).toBe(true)
    expect(text.startsWith(BODY)).toBe(true)
    expect(report.totalTokens).toBe(count(text))
    expect(report.savings.tokens).toBe(0)
  })

  it('with too little budget for any file: the body alone, every file deferred with its cost', async () => {
    const { text, report } = await assemble(doc, { resolver: lib, budget: count(BODY) })
    expect(text).toBe(BODY)
    expect(report.references.filter((r) => r.decision === 'deferred').map((r) => [r.uri, r.tokens])).toEqual([
      ['forms/reference/guide.md', 55],
      ['forms/FORMS.md', 51],
      ['forms/scripts/fill.py', 92],
    ])
    // Savings are measured against the body with every file appended.
    expect(report.baselines.traditional).toBeGreaterThan(report.coreTokens + 55 + 51 + 92)
    expect(report.savings.percent).toBeGreaterThan(0)
  })

  it('chooses by query relevance, else by order of first mention', async () => {
    const budget = count(BODY) + 120
    const byOrder = await assemble(doc, { resolver: lib, budget })
    expect(byOrder.report.references.filter((r) => r.decision === 'inlined').map((r) => r.uri)).toEqual(['forms/reference/guide.md', 'forms/FORMS.md'])
    const byQuery = await assemble(doc, { resolver: lib, budget, query: 'python script to fill a form from json' })
    expect(byQuery.report.references.filter((r) => r.decision === 'inlined').map((r) => r.uri)).toEqual(['forms/scripts/fill.py'])
  })

  it('works the same with parseDocument and fileSystemResolver (no library)', async () => {
    const plain = parseDocument(SOURCE, { path: 'forms/SKILL.md' })
    // A file resolver knows the root, not skill folders: the link to another skill is followed there.
    const loose = await assemble(plain, { resolver: fileSystemResolver({ root: ROOT }), budget: 400 })
    expect(loose.report.references.find((r) => r.uri === 'tables/SKILL.md')?.decision).toBe('inlined')
    const fromFs = await assemble(plain, { resolver: fileSystemResolver({ root: ROOT }), budget: 400, exclude: ['tables/SKILL.md'] })
    const fromLib = await assemble(doc, { resolver: lib, budget: 400 })
    expect(fromFs.text).toBe(fromLib.text)
    const rows = (r: typeof fromFs.report) => r.references.filter((x) => x.uri.startsWith('forms/') && !x.uri.includes('Notes')).map((x) => [x.kind, x.uri, x.decision, x.tokens])
    expect(rows(fromFs.report)).toEqual(rows(fromLib.report))
    // Without a library, an illustrative path that names no file is no reference at all.
    expect(fromFs.report.references.some((r) => r.uri === 'forms/output/answers.json')).toBe(false)
  })

  it('works with a memoryResolver keyed by path', async () => {
    const small = parseDocument('# S\n\nSee [a](a.md) and `b/c.py`.\n', { path: 'k/SKILL.md' })
    const resolver = memoryResolver({ 'k/a.md': '# A\n\nalpha\n', 'k/b/c.py': 'print(1)\n' })
    const { text } = await assemble(small, { resolver, budget: 1000 })
    expect(text).toBe('# S\n\nSee [a](a.md) and `b/c.py`.\n\n## a.md\n\n### A\n\nalpha\n\n## b/c.py\n\n```python\nprint(1)\n```\n')
  })

  it('never exceeds the budget, reports exact totals, and keeps the body as a stable prefix (property)', async () => {
    const need = count(BODY)
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: need, max: need + 400 }), fc.constantFrom('greedy' as const, 'optimal' as const), fc.option(fc.constantFrom('python json', 'field types', 'guide steps'), { nil: undefined }), async (budget, strategy, query) => {
        const { text, report } = await assemble(doc, { resolver: lib, budget, strategy, ...(query !== undefined ? { query } : {}) })
        expect(report.totalTokens).toBeLessThanOrEqual(budget)
        expect(report.totalTokens).toBe(count(text))
        expect(text.startsWith(BODY)).toBe(true)
      }),
      { numRuns: 40 },
    )
  })
})

/** Rows in the order the report gives them (the expected list is compared order-free on that). */
function rowOrder(report: { references: Array<{ kind: string; uri: string; decision: string }> }, row: Array<unknown>): number {
  return report.references.findIndex((r) => r.kind === row[0] && r.uri === row[1] && r.decision === row[2])
}
