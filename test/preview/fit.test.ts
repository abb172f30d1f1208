/**
 * fitPreview: one pass, a table of the core, each reference and everything embedded for
 * several models, and what each budget inlines, each figure equal to what `assemble` gives
 * with that model's counter (whose counts are tested equal to js-tiktoken's).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { InvalidOptionError } from '../../src/errors.js'
import { UnknownModelError } from '../../src/models/index.js'
import { parseDocument } from '../../src/parse/document.js'
import { fitPreview, formatFitPreview } from '../../src/preview/index.js'
import { fileSystemResolver } from '../../src/resolve/fs.js'
import { memoryResolver, type Resolver } from '../../src/resolve/resolver.js'
import { createTokenCounter } from '../../src/count/index.js'

const counters = { o200k_base: createTokenCounter(), cl100k_base: createTokenCounter({ encoding: 'cl100k_base' }) }
const resources = join(import.meta.dirname, '../../fixtures/resources')
const mlops = parseDocument(readFileSync(join(resources, 'agents/mlops-specialist.md'), 'utf8'), { path: 'agents/mlops-specialist.md' })
const resolver = fileSystemResolver({ root: resources })
const MODELS = ['gpt-4o', 'claude-sonnet-4-5', 'llama-3.1-8b-instruct']
const ENCODING: Record<string, 'o200k_base' | 'cl100k_base'> = { 'gpt-4o': 'o200k_base', 'claude-sonnet-4-5': 'o200k_base', 'llama-3.1-8b-instruct': 'cl100k_base' }
const inlined = (r: Awaited<ReturnType<typeof assemble>>) => r.report.references.filter((x) => x.decision === 'inlined' && x.kind === 'slot').map((x) => x.uri)

describe('fitPreview', () => {
  it('the table for the shared MLOps agent: core, each reference, all embedded, by model', async () => {
    const p = await fitPreview(mlops, { models: MODELS, resolver })
    expect(p.document).toEqual({ uri: 'orchestr8://agents/mlops-specialist', path: 'agents/mlops-specialist.md', id: 'mlops-specialist', title: 'MLOps Specialist' })
    expect(p.models).toEqual([
      { id: 'gpt-4o', model: 'openai/gpt-4o', counter: 'o200k_base', exact: true, contextWindow: 128_000 },
      { id: 'claude-sonnet-4-5', model: 'anthropic/claude-sonnet-4-5', counter: 'o200k_base', exact: false, contextWindow: 200_000 },
      { id: 'llama-3.1-8b-instruct', model: 'meta-llama/llama-3.1-8b-instruct', counter: 'cl100k_base', exact: false, contextWindow: 131_072 },
    ])
    expect(p.rows.map((r) => [r.kind, r.uri, r.tokens])).toEqual([
      ['core', null, [716, 716, 711]],
      ['reference', 'orchestr8://examples/ml/mlops-mlflow-tracking', [1341, 1341, 1335]],
      ['reference', 'orchestr8://examples/ml/mlops-kubeflow-pipeline', [1631, 1631, 1619]],
      ['reference', 'orchestr8://examples/ml/mlops-model-serving', [1900, 1900, 1884]],
      ['reference', 'orchestr8://examples/ml/mlops-monitoring-ab-testing', [1969, 1969, 1962]],
      ['all', null, [4693, 4693, 4667]],
    ])
    expect(p.fits).toEqual([])
    // Each column is assemble's report with that model's encoding.
    for (const [i, model] of MODELS.entries()) {
      const { report } = await assemble(mlops, { resolver, encoding: ENCODING[model] })
      expect(p.rows.map((r) => r.tokens[i])).toEqual([report.efficiency.coreOnly, ...report.efficiency.withOneExample.map((x) => x.tokens), report.efficiency.allEmbedded])
      expect(p.rows.slice(1, -1).map((r) => r.adds?.[i])).toEqual(report.efficiency.withOneExample.map((x) => x.tokens - report.coreTokens))
    }
    expect(p.rows.slice(1, -1).map((r) => r.depth)).toEqual([1, 1, 1, 1])
  })

  it('what each budget inlines, per model, equals assemble with that budget and encoding; the totals are the counts of the texts', async () => {
    const budgets = [500, 1336, 2000, 4000]
    const p = await fitPreview(mlops, { models: MODELS, budgets, resolver })
    expect(p.fits.map((f) => [f.budget, f.model])).toEqual(budgets.flatMap((b) => MODELS.map((m) => [b, m])))
    for (const f of p.fits) {
      const encoding = ENCODING[f.model] ?? 'o200k_base'
      const r = await assemble(mlops, { resolver, encoding, budget: f.budget }).catch(() => undefined)
      if (!r) {
        expect([f.fits, f.totalTokens, f.inlined]).toEqual([false, null, []])
        continue
      }
      expect(f.fits).toBe(true)
      expect(f.inlined).toEqual(inlined(r))
      expect(f.totalTokens).toBe(counters[encoding].count(r.text))
      expect(f.deferred).toEqual(p.rows.filter((x) => x.kind === 'reference' && !f.inlined.includes(x.uri ?? '')).map((x) => x.uri))
      expect(f.exact).toBe(f.model === 'gpt-4o')
    }
    // 1,336 sits between the two encodings' "core + first example": only cl100k fits it.
    expect(p.fits.filter((f) => f.budget === 1336).map((f) => f.inlined.length)).toEqual([0, 0, 1])
    expect(p.fits.filter((f) => f.budget === 500).every((f) => !f.fits)).toBe(true)
  })

  it('one pass: every document is resolved once, however many models', async () => {
    const calls: string[] = []
    const counting: Resolver = (uri, ctx) => {
      calls.push(uri)
      return resolver(uri, ctx)
    }
    await fitPreview(mlops, { models: ['gpt-4o'], resolver: counting })
    const one = calls.length
    calls.length = 0
    await fitPreview(mlops, { models: [...MODELS, 'gpt-4', 'gemini-2.5-pro'], budgets: [1000, 3000], resolver: counting })
    expect(calls.length).toBe(one)
    expect(new Set(calls).size).toBe(calls.length)
  })

  it('encoding names are models too; counters give exact local counts by model id', async () => {
    const words = { encoding: 'words', count: (t: string) => t.split(/\s+/).filter(Boolean).length }
    const p = await fitPreview(mlops, { models: ['cl100k_base', 'llama-3.1-8b-instruct'], counters: { 'llama-3.1-8b-instruct': words }, budgets: [900], resolver })
    expect(p.models).toEqual([
      { id: 'cl100k_base', model: null, counter: 'cl100k_base', exact: true, contextWindow: null },
      { id: 'llama-3.1-8b-instruct', model: 'meta-llama/llama-3.1-8b-instruct', counter: 'words', exact: true, contextWindow: 131_072 },
    ])
    const r = await assemble(mlops, { resolver, counter: words, budget: 900 })
    expect(p.rows[0]?.tokens[1]).toBe(r.report.coreTokens)
    expect(p.fits[1]).toMatchObject({ totalTokens: r.report.totalTokens, inlined: inlined(r), exact: true })
  })

  it('passes assemble options through: query, exclude', async () => {
    const query = 'serving models with monitoring'
    const p = await fitPreview(mlops, { models: ['gpt-4o'], budgets: [2500], resolver, query, exclude: ['orchestr8://examples/ml/mlops-mlflow-tracking'] })
    const r = await assemble(mlops, { resolver, query, budget: 2500, exclude: ['orchestr8://examples/ml/mlops-mlflow-tracking'] })
    expect(p.fits[0]?.inlined).toEqual(inlined(r))
    expect(p.fits[0]?.totalTokens).toBe(r.report.totalTokens)
    expect(p.rows.map((x) => x.uri)).not.toContain('orchestr8://examples/ml/mlops-mlflow-tracking')
  })

  it('nested references: depth, and the core with the ones holding them', async () => {
    const doc = parseDocument('# Top\n\nCore.\n\n```\norchestr8://x/outer\n```\n', { path: 'top.md' })
    const r = memoryResolver({ 'orchestr8://x/outer': '# Outer\n\nOuter text.\n\n```\norchestr8://x/inner\n```\n', 'orchestr8://x/inner': '# Inner\n\nInner text here.\n' })
    const p = await fitPreview(doc, { models: ['gpt-4o'], resolver: r })
    expect(p.rows.map((x) => [x.kind, x.uri, x.depth])).toEqual([
      ['core', null, null],
      ['reference', 'orchestr8://x/outer', 1],
      ['reference', 'orchestr8://x/inner', 2],
      ['all', null, null],
    ])
    const full = await assemble(doc, { resolver: r })
    expect(p.rows[2]?.tokens[0]).toBe(full.report.totalTokens)
    expect(p.rows[3]?.tokens[0]).toBe(full.report.totalTokens)
    expect((p.rows[1]?.adds?.[0] ?? 0) + (p.rows[2]?.adds?.[0] ?? 0) + (p.rows[0]?.tokens[0] ?? 0)).toBe(full.report.totalTokens)
  })

  it('property: for any budget, each model fits under it exactly as assemble does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 600, max: 5000 }), async (budget) => {
        const p = await fitPreview(mlops, { models: ['gpt-4o', 'gpt-4'], budgets: [budget], resolver })
        for (const [i, encoding] of (['o200k_base', 'cl100k_base'] as const).entries()) {
          const f = p.fits[i]
          const r = await assemble(mlops, { resolver, encoding, budget }).catch(() => undefined)
          expect(f?.fits).toBe(r !== undefined)
          if (r) {
            expect(f?.totalTokens).toBe(r.report.totalTokens)
            expect(f?.totalTokens).toBeLessThanOrEqual(budget)
            expect(f?.inlined).toEqual(inlined(r))
          }
        }
      }),
      { numRuns: 15, seed: 13 },
    )
  })

  it('options are checked: unknown models are UNKNOWN_MODEL with suggestions', async () => {
    const e = await fitPreview(mlops, { models: ['claude-sonet-4-5'], resolver }).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(UnknownModelError)
    expect((e as UnknownModelError).code).toBe('UNKNOWN_MODEL')
    expect((e as UnknownModelError).suggestions[0]).toBe('anthropic/claude-sonnet-4-5')
    const bad: Array<[Record<string, unknown>, string]> = [
      [{}, 'models'],
      [{ models: [] }, 'models'],
      [{ models: ['gpt-4o', 'gpt-4o'] }, 'models'],
      [{ models: ['gpt-4o'], budgets: [-1] }, 'budgets'],
      [{ models: ['gpt-4o'], budgets: 100 }, 'budgets'],
      [{ models: ['gpt-4o'], counters: { 'gpt-4': { count: () => 1 } } }, 'counters'],
      [{ models: ['gpt-4o'], counters: { 'gpt-4o': {} } }, 'counters'],
      [{ models: ['gpt-4o'], strategy: 'best' }, 'strategy'],
    ]
    for (const [options, option] of bad) {
      const err = await fitPreview(mlops, options as never).catch((x: unknown) => x)
      expect(err).toBeInstanceOf(InvalidOptionError)
      expect((err as InvalidOptionError).option).toBe(option)
    }
    const nan = await fitPreview(mlops, { models: ['gpt-4o'], counters: { 'gpt-4o': { count: () => 0.5 } }, resolver }).catch((x: unknown) => x)
    expect((nan as InvalidOptionError).option).toBe('counters')
  })

  it('markdown source is parsed as assemble parses it', async () => {
    const p = await fitPreview('# Hello\n\nWorld.\n', { models: ['gpt-4o'] })
    expect(p.rows).toEqual([
      { kind: 'core', uri: null, depth: null, tokens: [counters.o200k_base.count('# Hello\n\nWorld.\n')], adds: null },
      { kind: 'all', uri: null, depth: null, tokens: [counters.o200k_base.count('# Hello\n\nWorld.\n')], adds: null },
    ])
  })
})

describe('formatFitPreview', () => {
  it('the table, the proxy note, and per budget the models grouped by outcome', async () => {
    const p = await fitPreview(mlops, { models: MODELS, budgets: [1336, 4000], resolver })
    expect(formatFitPreview(p, { title: 'Fit preview: mlops-specialist (measured)' })).toBe(
      [
        'Fit preview: mlops-specialist (measured)',
        '                                                            gpt-4o  claude-sonnet-4-5 ~  llama-3.1-8b-instruct ~',
        '----------------------------------------------------------  ------  -------------------  -----------------------',
        'core only                                                      716                  716                      711',
        'core + orchestr8://examples/ml/mlops-mlflow-tracking         1,341                1,341                    1,335',
        'core + orchestr8://examples/ml/mlops-kubeflow-pipeline       1,631                1,631                    1,619',
        'core + orchestr8://examples/ml/mlops-model-serving           1,900                1,900                    1,884',
        'core + orchestr8://examples/ml/mlops-monitoring-ab-testing   1,969                1,969                    1,962',
        'all embedded                                                 4,693                4,693                    4,667',
        '',
        "~ not the model's own tokenizer: counted with o200k_base (claude-sonnet-4-5), cl100k_base (llama-3.1-8b-instruct)",
        '',
        'Budget 1,336 tokens',
        '  gpt-4o, claude-sonnet-4-5 ~: 716 tokens, 0 of 4 references inlined',
        '  llama-3.1-8b-instruct ~: 1,335 tokens, 1 of 4 references inlined',
        '    orchestr8://examples/ml/mlops-mlflow-tracking',
        '',
        'Budget 4,000 tokens',
        '  gpt-4o, claude-sonnet-4-5 ~: 3,440 tokens, 3 of 4 references inlined',
        '    orchestr8://examples/ml/mlops-mlflow-tracking, orchestr8://examples/ml/mlops-kubeflow-pipeline, orchestr8://examples/ml/mlops-model-serving',
        '  llama-3.1-8b-instruct ~: 3,416 tokens, 3 of 4 references inlined',
        '    orchestr8://examples/ml/mlops-mlflow-tracking, orchestr8://examples/ml/mlops-kubeflow-pipeline, orchestr8://examples/ml/mlops-model-serving',
        '',
      ].join('\n'),
    )
  })

  it('width wraps labels and lines; a core that does not fit says so; width is checked', async () => {
    const p = await fitPreview(mlops, { models: ['gpt-4o'], budgets: [100], resolver })
    const text = formatFitPreview(p, { width: 40 })
    expect(text.split('\n').every((l) => l.length <= 40)).toBe(true)
    expect(text).toContain('  gpt-4o: the core does not fit\n')
    expect(text.startsWith('Fit preview (measured)\n')).toBe(true)
    expect(() => formatFitPreview(p, { width: 10 })).toThrow(InvalidOptionError)
    // Too many models for labels beside the numbers: each label on lines of its own above them.
    const many = await fitPreview(mlops, { models: ['gpt-4o', 'gpt-4', 'claude-sonnet-4-5', 'llama-3.1-8b-instruct'], resolver })
    expect(formatFitPreview(many, { width: 80 }).split('\n').slice(1, 6)).toEqual([
      '    gpt-4o  gpt-4  claude-sonnet-4-5 ~  llama-3.1-8b-instruct ~',
      '--  ------  -----  -------------------  -----------------------',
      'core only',
      '       716    711                  716                      711',
      'core + orchestr8://examples/ml/mlops-mlflow-tracking',
    ])
    expect(formatFitPreview(p, { style: (t) => `*${t}*` }).split('\n').filter((l) => l.startsWith('*'))).toEqual(['*Fit preview (measured)*', '*Budget 100 tokens*'])
  })
})
