/**
 * Levels of detail (issue 16): a reference placed whole, as its summary, as its outline, or as
 * a pointer; one level per reference under the budget, for both strategies.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expandTree } from '../../src/assemble/expand.js'
import { createFetcher } from '../../src/assemble/fetch.js'
import { levelsFrom, outlineOf, summaryOf } from '../../src/assemble/levels.js'
import { measureTree } from '../../src/assemble/measure.js'
import { settingsFrom } from '../../src/assemble/settings.js'
import { assemble, assemblyReportSchema, fileSystemResolver, InvalidOptionError, memoryResolver, parseDocument } from '../../src/index.js'
import { repoRoot } from '../helpers/fixtures.js'
import { tiktokenCount } from '../helpers/oracle.js'

const ROOT = join(repoRoot, 'fixtures/resources')
const MLOPS = parseDocument(readFileSync(join(ROOT, 'agents/mlops-specialist.md'), 'utf8'), { path: 'agents/mlops-specialist.md' })
const ALL = ['full', 'summary', 'outline', 'pointer'] as const

describe('summaries and outlines', () => {
  it('take the frontmatter summary, else a section titled as one, else the first paragraph', () => {
    expect(summaryOf(parseDocument('---\nsummary: "  Given.  "\n---\n# T\n\nFirst paragraph.\n'))).toEqual({ text: 'Given.', source: 'frontmatter' })
    expect(summaryOf(parseDocument('# T\n\nIntro.\n\n## TL;DR\n\nShort version.\n\n### Detail\n\nmore\n\n## Next\n\nx\n'))).toEqual({ text: 'Short version.\n\n\nmore', source: 'section' })
    expect(summaryOf(parseDocument('# T\n\n- a list first\n\n```\ncode\n```\n\nThe first\nparagraph here.\n\nSecond.\n'))).toEqual({ text: 'The first paragraph here.', source: 'extract' })
    expect(summaryOf(parseDocument('# Only a title\n'))).toBeUndefined()
    const long = `# T\n\n${'Word after word. '.repeat(60)}\n`
    expect(summaryOf(parseDocument(long))?.text.length).toBeLessThanOrEqual(600)
    expect(summaryOf(parseDocument(long))?.text.endsWith('word.')).toBe(true)
  })

  it('list the headings under the title as a nested list', () => {
    expect(outlineOf(parseDocument('# Title\n\n## A\n\n### A1\n\n## B\n'))).toBe('- A\n  - A1\n- B')
    expect(outlineOf(parseDocument('# Title\n\n## Only one\n'))).toBeUndefined()
    expect(outlineOf(parseDocument('## A\n\n## B\n'))).toBe('- A\n- B')
  })

  it('levels and levelValues are checked', () => {
    expect(levelsFrom(undefined, undefined)).toEqual({ levels: undefined, values: { summary: 0.5, outline: 0.25 } })
    expect(() => levelsFrom(['full', 'summary'], undefined)).toThrow(InvalidOptionError)
    expect(() => levelsFrom(['full', 'pointer', 'abstract'], undefined)).toThrow(/must be a list of 'full', 'summary', 'outline', 'pointer'/)
    expect(() => levelsFrom(ALL, { summary: 1.5 })).toThrow(/summary must be a fraction between 0 and 1/)
    expect(() => levelsFrom(ALL, { summary: 0.2, outline: 0.3 })).toThrow(/outline \(0.3\) must be worth less than summary \(0.2\)/)
    expect(() => levelsFrom(ALL, { full: 0.9 })).toThrow(/has no level "full"/)
  })
})

describe('assemble({ levels })', () => {
  const resolver = fileSystemResolver({ root: ROOT })

  it('places every example as its summary when only summaries fit, each row saying its level and what the full one would add', async () => {
    const { text, report } = await assemble(MLOPS, { budget: 1200, resolver, levels: ['full', 'summary', 'pointer'], timings: false })
    expect(assemblyReportSchema.safeParse(report).success).toBe(true)
    const slots = report.references.filter((r) => r.kind === 'slot')
    expect(slots.map((r) => [r.uri.split('/').pop(), r.decision, r.cause, r.level, r.nextLevel?.level])).toEqual([
      ['mlops-mlflow-tracking', 'inlined', 'LEVEL', 'summary', 'full'],
      ['mlops-kubeflow-pipeline', 'inlined', 'LEVEL', 'summary', 'full'],
      ['mlops-model-serving', 'inlined', 'LEVEL', 'summary', 'full'],
      ['mlops-monitoring-ab-testing', 'inlined', 'LEVEL', 'summary', 'full'],
    ])
    expect(slots[0]?.reason).toMatch(/^placed as its summary \(value 200\): the next level up needs [\d,]+ more tokens$/)
    expect(text).toContain('→ Summary of orchestr8://examples/ml/mlops-mlflow-tracking (load the full document on demand):\n\nTrains a classifier')
    expect(text).not.toContain('→ Load on demand')
    expect(report.totalTokens).toBe(tiktokenCount(text))
    expect(report.totalTokens).toBeLessThanOrEqual(1200)
    // The core before the first slot does not move.
    expect(text.startsWith(MLOPS.source.slice(MLOPS.bodyOffset, MLOPS.blocks[0]?.start).replace(/^\n+/, ''))).toBe(true)
  })

  it('reaches more value than whole-or-pointer at every budget, never over it (greedy and optimal)', async () => {
    for (const budget of [1200, 2000, 3000]) {
      for (const strategy of ['greedy', 'optimal'] as const) {
        const worth = (r: Awaited<ReturnType<typeof assemble>>['report']) => r.references.filter((x) => x.decision === 'inlined').reduce((n, x) => n + (x.value ?? 0), 0)
        const withLevels = await assemble(MLOPS, { budget, resolver, strategy, levels: ALL, timings: false })
        const without = await assemble(MLOPS, { budget, resolver, strategy, timings: false })
        expect(withLevels.report.totalTokens).toBeLessThanOrEqual(budget)
        expect(withLevels.report.totalTokens).toBe(tiktokenCount(withLevels.text))
        // Values with levels are on a scale 100 times finer.
        expect(worth(withLevels.report)).toBeGreaterThanOrEqual(worth(without.report) * 100)
      }
    }
  })

  it('changes nothing without the option: no level fields, the same text as before', async () => {
    const a = await assemble(MLOPS, { budget: 3000, resolver, timings: false })
    expect(a.report.references.some((r) => 'level' in r || 'nextLevel' in r)).toBe(false)
    const b = await assemble(MLOPS, { budget: 3000, resolver, timings: false, levels: ['full', 'pointer'] })
    expect(b.text).toBe(a.text)
    expect(b.report.references.filter((r) => r.kind === 'slot').map((r) => r.level)).toEqual(['full', 'full', 'pointer', 'pointer'])
  })

  it('an outline when the summary does not fit, and `include` still forces the whole document', async () => {
    const target = '# Guide\n\nThis guide explains every step of the process in detail, with the reasons behind each choice and what to check before moving on to the next step of the work.\n\n## Step one\n\nalpha\n\n## Step two\n\nbeta\n\n## Step three\n\ngamma\n'
    const doc = parseDocument('# Root\n\n```\norchestr8://x/guide\n```\n', { path: 'agents/root.md' })
    const resolverX = memoryResolver({ 'orchestr8://x/guide': target })
    const core = (await assemble(doc, { resolver: resolverX, budget: 1000, timings: false, levels: ALL })).report.coreTokens
    const outline = await assemble(doc, { resolver: resolverX, budget: core + 22, levels: ALL, timings: false })
    expect(outline.report.references[0]?.level).toBe('outline')
    expect(outline.text).toContain('→ Outline of orchestr8://x/guide (load the full document on demand):\n\n- Step one\n- Step two\n- Step three\n')
    const forced = await assemble(doc, { resolver: resolverX, budget: 1000, levels: ALL, include: ['orchestr8://x/guide'], timings: false })
    expect([forced.report.references[0]?.level, forced.report.references[0]?.cause]).toEqual(['full', 'INCLUDED'])
  })
})

describe('optimal with levels is exact', () => {
  it('equals brute force over every level of every reference on small documents', async () => {
    const lib: Record<string, string> = {}
    for (let i = 0; i < 4; i++) {
      lib[`orchestr8://x/d${i}`] = `# D${i}\n\nDocument ${i} has a first paragraph of some length ${'that goes on '.repeat(i + 1)}here.\n\n## Part A\n\n${'text '.repeat(20 * (i + 1))}\n\n## Part B\n\nmore\n`
    }
    const source = `# Root\n\n${[0, 1, 2, 3].map((i) => `## S${i}\n\n\`\`\`\norchestr8://x/d${i}\n\`\`\`\n`).join('\n')}`
    const doc = parseDocument(source, { path: 'agents/root.md' })
    const resolver = memoryResolver(lib)
    for (const budget of [60, 90, 120, 160, 220, 300, 400]) {
      const settings = settingsFrom({ resolver, budget, levels: ALL, strategy: 'optimal' })
      const tree = await expandTree(doc, settings, createFetcher(settings))
      const m = measureTree(tree, settings)
      if (m.coreTokens > budget) continue
      // Every set closed under parents (a level needs the ones below it), its value, the best that fits.
      let best = 0
      const n = tree.candidates.length
      for (let mask = 0; mask < 1 << n; mask++) {
        const set = new Set<number>()
        for (let i = 0; i < n; i++) if (mask & (1 << i)) set.add(i)
        if ([...set].some((i) => (tree.candidates[i]?.parent ?? -1) !== -1 && !set.has(tree.candidates[i]?.parent ?? -1))) continue
        if (m.total(set) > budget) continue
        best = Math.max(best, [...set].reduce((v, i) => v + (m.values[i] ?? 0), 0))
      }
      const { report } = await assemble(doc, { resolver, budget, levels: ALL, strategy: 'optimal', timings: false })
      const got = report.references.filter((r) => r.decision === 'inlined').reduce((v, r) => v + (r.value ?? 0), 0)
      expect(got, `budget ${budget}`).toBe(best)
      expect(report.totalTokens).toBeLessThanOrEqual(budget)
    }
  })
})
