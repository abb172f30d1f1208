import { describe, expect, it } from 'vitest'
import { assemble, type AssembleOptions } from '../../src/assemble/index.js'
import { BudgetExceededError, IncludeError, InvalidOptionError } from '../../src/errors.js'
import { parseDocument } from '../../src/parse/document.js'
import { assemblyReportSchema } from '../../src/report/schema.js'
import { fileSystemResolver } from '../../src/resolve/fs.js'
import { memoryResolver } from '../../src/resolve/resolver.js'
import { readFixture, resourcesRoot } from '../helpers/fixtures.js'
import { tiktokenCount } from '../helpers/oracle.js'

const path = 'agents/mlops-specialist.md'
const doc = parseDocument(readFixture(resourcesRoot, path), { path })
const resolver = fileSystemResolver({ root: resourcesRoot })
const run = (options: AssembleOptions) => assemble(doc, { resolver, ...options })
const EX = {
  mlflow: 'orchestr8://examples/ml/mlops-mlflow-tracking',
  kubeflow: 'orchestr8://examples/ml/mlops-kubeflow-pipeline',
  serving: 'orchestr8://examples/ml/mlops-model-serving',
  monitoring: 'orchestr8://examples/ml/mlops-monitoring-ab-testing',
}
const slots = (report: Awaited<ReturnType<typeof run>>['report']) =>
  Object.fromEntries(report.references.filter((r) => r.kind === 'slot').map((r) => [r.uri.split('/').pop(), r.decision]))

describe('assemble: the MLOps fixture (o200k_base, measured)', () => {
  it('at 3000 tokens inlines the first two examples; exact totals and baselines', async () => {
    const { text, report } = await run({ budget: 3000 })
    expect(assemblyReportSchema.parse(report)).toEqual(report)
    expect(report.totalTokens).toBe(2256)
    expect(report.totalTokens).toBe(tiktokenCount(text))
    expect(report.coreTokens).toBe(716)
    expect(report.baselines).toEqual({ coreOnly: 716, traditional: 4693 })
    expect(report.savings).toEqual({ tokens: 2437, percent: 51.9 })
    expect(slots(report)).toEqual({
      'mlops-mlflow-tracking': 'inlined',
      'mlops-kubeflow-pipeline': 'inlined',
      'mlops-model-serving': 'deferred',
      'mlops-monitoring-ab-testing': 'deferred',
    })
    expect(report.references.filter((r) => r.kind === 'slot').map((r) => [r.tokens, r.declaredTokens, r.value])).toEqual([
      [646, 400, 4],
      [937, 2400, 3],
      [1203, 900, 2],
      [1274, 300, 1],
    ])
    expect(report.references.filter((r) => r.kind === 'mention').map((r) => [r.decision, r.hintTokens, r.tokens])).toEqual([
      ['deferred', 220, 646],
      ['deferred', 280, 937],
      ['deferred', 250, 1203],
      ['deferred', 300, 1274],
    ])
    expect(report.efficiency).toEqual({
      coreOnly: 716,
      withOneExample: [
        { uri: EX.mlflow, tokens: 1341 },
        { uri: EX.kubeflow, tokens: 1631 },
        { uri: EX.serving, tokens: 1900 },
        { uri: EX.monitoring, tokens: 1969 },
      ],
      allEmbedded: 4693,
      savingsRange: { min: 58, max: 84.7 },
    })
  })

  it('baselines are exact counts of the texts they stand for', async () => {
    const core = await run({ budget: 716 })
    expect(core.report.totalTokens).toBe(716)
    expect(tiktokenCount(core.text)).toBe(716)
    const all = await run({})
    expect(all.report.budget).toBeNull()
    expect(tiktokenCount(all.text)).toBe(4693)
  })

  it('deferred slots keep the URI and state the measured cost; inlined bodies lose frontmatter and shift headings', async () => {
    const { text } = await run({ budget: 1400 })
    expect(text).toContain(`→ Load on demand: ${EX.kubeflow} (937 tokens)\n`)
    expect(text).not.toContain('estimatedTokens')
    expect(text).toMatch(/^### MLflow/m)
    expect(text).not.toMatch(/^# MLflow/m)
    // Mentions and other core text are kept byte for byte.
    expect(text).toContain('- `orchestr8://examples/ml/mlops-mlflow-tracking` (~220 tokens)')
  })

  it('the core before the first slot is the same bytes at every budget', async () => {
    const texts = await Promise.all([716, 1400, 2500, 3440, 5000].map(async (budget) => (await run({ budget })).text))
    const firstSlot = doc.blocks[0]?.start ?? 0
    const prefix = doc.source.slice(doc.bodyOffset, firstSlot).replace(/^\s*\n/, '')
    for (const t of texts) expect(t.startsWith(prefix)).toBe(true)
  })

  it('never exceeds the budget, at every budget from the core up', async () => {
    for (let budget = 716; budget <= 4800; budget += 97) {
      const { text, report } = await run({ budget })
      expect(report.totalTokens).toBeLessThanOrEqual(budget)
      expect(report.totalTokens).toBe(tiktokenCount(text))
    }
  })

  it('a query values the MLflow example first for experiment tracking', async () => {
    const { report } = await run({ budget: 2000, query: 'set up experiment tracking' })
    expect(slots(report)).toMatchObject({ 'mlops-mlflow-tracking': 'inlined', 'mlops-kubeflow-pipeline': 'deferred' })
    const monitoring = await run({ budget: 2000, query: 'A/B testing and drift monitoring' })
    expect(slots(monitoring.report)).toEqual({
      'mlops-mlflow-tracking': 'deferred',
      'mlops-kubeflow-pipeline': 'deferred',
      'mlops-model-serving': 'deferred',
      'mlops-monitoring-ab-testing': 'inlined',
    })
    expect(monitoring.report.totalTokens).toBe(1969)
  })

  it('optimal finds a better-valued set than greedy when greedy blocks itself', async () => {
    // Values 4,3,2,1. At 2600 greedy takes mlflow (1341), then nothing else fits beside it
    // except... optimal must have at least greedy's value.
    for (const budget of [1700, 2300, 2600, 3200, 3500, 4200]) {
      const g = await run({ budget, strategy: 'greedy' })
      const o = await run({ budget, strategy: 'optimal' })
      const value = (r: typeof g.report) => r.references.filter((x) => x.decision === 'inlined').reduce((s, x) => s + (x.value ?? 0), 0)
      expect(value(o.report)).toBeGreaterThanOrEqual(value(g.report))
      expect(o.report.totalTokens).toBeLessThanOrEqual(budget)
    }
  })

  it('include forces, exclude keeps out', async () => {
    const inc = await run({ budget: 2000, include: [EX.monitoring] })
    expect(slots(inc.report)).toMatchObject({ 'mlops-monitoring-ab-testing': 'inlined', 'mlops-mlflow-tracking': 'deferred' })
    expect(inc.report.references.find((r) => r.uri === EX.monitoring)?.reason).toBe('forced by `include`')
    const exc = await run({ budget: 3000, exclude: [EX.mlflow] })
    expect(slots(exc.report)).toEqual({
      'mlops-mlflow-tracking': 'excluded',
      'mlops-kubeflow-pipeline': 'inlined',
      'mlops-model-serving': 'inlined',
      'mlops-monitoring-ab-testing': 'deferred',
    })
    expect(exc.report.totalTokens).toBe(tiktokenCount(exc.text))
    expect(exc.text).toContain(`→ Load on demand: ${EX.mlflow} (646 tokens)`)
    expect(exc.report.references.find((r) => r.uri === EX.mlflow && r.kind === 'slot')?.tokens).toBe(646)
    await expect(run({ budget: 1000, include: [EX.monitoring] })).rejects.toBeInstanceOf(IncludeError)
    await expect(run({ budget: 5000, include: ['orchestr8://examples/none'] })).rejects.toMatchObject({ code: 'INCLUDE_FAILED' })
  })

  it('throws BudgetExceededError with the minimum budget when the core does not fit', async () => {
    const error = await run({ budget: 715 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BudgetExceededError)
    expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', minimumBudget: 716, budget: 715 })
  })

  it('validates options with typed errors', async () => {
    for (const budget of [Number.NaN, -1]) await expect(run({ budget })).rejects.toBeInstanceOf(InvalidOptionError)
    await expect(run({ strategy: 'best' as never })).rejects.toMatchObject({ code: 'INVALID_OPTION', option: 'strategy' })
    await expect(run({ maxDepth: 1.5 })).rejects.toMatchObject({ option: 'maxDepth' })
    await expect(run({ counter: {} as never })).rejects.toMatchObject({ option: 'counter' })
    // Fractional and huge budgets are plain caps.
    expect((await run({ budget: 2256.9 })).report.totalTokens).toBe(2256)
    expect((await run({ budget: 2 ** 40 })).report.totalTokens).toBe(4693)
  })

  it('counts with cl100k_base, a model name, or any counter', async () => {
    const cl = await run({ budget: 3000, encoding: 'cl100k_base' })
    expect(cl.report.encoding).toBe('cl100k_base')
    expect(cl.report.totalTokens).toBe(tiktokenCount(cl.text, 'cl100k_base'))
    expect(cl.report.totalTokens).toBe(2243)
    const gpt4 = await run({ budget: 3000, model: 'gpt-4' })
    expect(gpt4.report.encoding).toBe('cl100k_base')
    const words = { count: (t: string) => t.split(/\s+/).filter(Boolean).length }
    const w = await run({ budget: 800, counter: words })
    expect(w.report.encoding).toBe('custom')
    expect(w.report.totalTokens).toBe(words.count(w.text))
    expect(w.report.totalTokens).toBeLessThanOrEqual(800)
  })

  it('is deterministic: same input, same bytes', async () => {
    const a = await run({ budget: 3000, query: 'serving' })
    const b = await run({ budget: 3000, query: 'serving' })
    expect(a.text).toBe(b.text)
    expect({ ...a.report, timings: null }).toEqual({ ...b.report, timings: null })
  })

  it('a string document and a memory resolver work too', async () => {
    const src = '# Agent\n\n## Part\n\n```\norchestr8://ex/a\n```\n'
    const { text, report } = await assemble(src, { resolver: memoryResolver({ 'orchestr8://ex/a': '---\nid: a\n---\n# A\n\nBody of A.\n' }) })
    expect(text).toBe('# Agent\n\n## Part\n\n### A\n\nBody of A.\n')
    expect(report.references[0]).toMatchObject({ decision: 'inlined', depth: 1, line: 6, sectionPath: ['Agent', 'Part'] })
  })
})
