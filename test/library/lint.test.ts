/**
 * lint as a library function: lintLibrary(library) and lint({ root }), built on loadLibrary
 * and library.graph().
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { InvalidOptionError, type LintFinding, type LintResult, lint, lintLibrary, loadLibrary } from '../../src/index.js'
import { tiktokenCount } from '../helpers/oracle.js'
import { repoRoot, tempCopy } from './helpers.js'

const flat = path.join(repoRoot, 'fixtures/flat/resources')
const cases = path.join(repoRoot, 'fixtures/cases/resources')

const key = (f: LintFinding) => `${f.file}:${f.line}:${f.column}:${f.code}:${f.severity}`

/** A library written from `files` in a temp folder; `cleanup()` removes it. */
function library(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'promptfold-lint-'))
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true })
    writeFileSync(path.join(dir, rel), text)
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** ESTIMATE_OFF findings expected from an independent count (js-tiktoken) of each body. */
function expectedEstimates(root: string, result: LintResult): string[] {
  const out: string[] = []
  for (const file of result.files) {
    const source = readFileSync(path.join(root, file), 'utf8')
    const m = /^estimatedTokens:\s*(\d+)\s*$/m.exec(source)
    if (!m) continue
    const body = source.slice((/^---\r?\n[\s\S]*?\r?\n---[ \t]*(?:\r?\n|$)/.exec(source) as RegExpExecArray)[0].length)
    const written = Number(m[1])
    const measured = tiktokenCount(body)
    const line = source.split('\n').findIndex((l) => l.startsWith('estimatedTokens:')) + 1
    if (Math.abs(written - measured) > 0.25 * measured) out.push(`${file}:${line}:1:ESTIMATE_OFF:error ${written}->${measured}`)
  }
  return out
}

describe('lintLibrary on fixtures/flat/resources (flat paths, nested example folders)', () => {
  it('flat-path slots resolve; only the ambiguous and the dangling slot are unresolved', async () => {
    const result = await lint({ root: flat })
    expect(result.files).toEqual([
      'agents/db-specialist.md',
      'examples/database/connection-pooling.md',
      'examples/database/mysql-tuning.md',
      'examples/patterns/connection-pooling.md',
      'examples/skills/async-drivers.md',
      'examples/workflows/schema-migration.md',
    ])
    expect(result.findings.map((f) => `${key(f)} ${f.message}`)).toEqual([
      'agents/db-specialist.md:39:1:UNRESOLVED_REFERENCE:error slot orchestr8://examples/connection-pooling does not resolve: ambiguous (orchestr8://examples/connection-pooling could be any of orchestr8://examples/database/connection-pooling, orchestr8://examples/patterns/connection-pooling)',
      'agents/db-specialist.md:45:1:UNRESOLVED_REFERENCE:error slot orchestr8://examples/replication-setup does not resolve: not found',
    ])
    expect([result.errorCount, result.warningCount, result.fixedCount]).toEqual([2, 0, 0])
  })

  it('UNRESOLVED_REFERENCE is exactly graph().dangling, one finding per entry', async () => {
    for (const root of [flat, cases]) {
      const lib = await loadLibrary({ root })
      const result = await lintLibrary(lib)
      const dangling = lib.graph().dangling.map((d) => `${lib.get(d.from)?.path}:${d.line}:${d.uri}`)
      const unresolved = result.findings.filter((f) => f.code === 'UNRESOLVED_REFERENCE').map((f) => `${f.file}:${f.line}:${f.uri}`)
      expect(unresolved).toEqual(dangling)
    }
  })
})

describe('lintLibrary on fixtures/cases/resources', () => {
  it('finds every rule with file (relative to the root), line and column', async () => {
    const result = await lint({ root: cases })
    expect(result.files).toHaveLength(15)
    const estimates = expectedEstimates(cases, result)
    expect(estimates).toHaveLength(8)
    expect(result.findings.filter((f) => f.code === 'ESTIMATE_OFF').map((f) => `${key(f)} ${f.written}->${f.measured}`)).toEqual(estimates)
    expect(result.findings.filter((f) => f.code !== 'ESTIMATE_OFF').map(key)).toEqual([
      'agents/cycle-a.md:18:1:SLOT_CYCLE:error',
      'agents/dynamic.md:29:1:REFERENCE_INVALID:error',
      'agents/id-mismatch.md:2:null:ID_MISMATCH:warning',
      'agents/legacy-at.md:11:null:FRONTMATTER_LEGACY_AT:warning',
      'agents/legacy-at.md:27:4:HINT_OFF:error',
      'agents/missing.md:17:1:UNRESOLVED_REFERENCE:error',
      'examples/self-ref.md:17:1:SLOT_CYCLE:error',
    ])
    expect([result.errorCount, result.warningCount]).toEqual([13, 2])
    const byCode = (code: string) => result.findings.filter((f) => f.code === code).map((f) => f.message)
    expect(byCode('SLOT_CYCLE')).toEqual([
      'slots form a cycle: agents/cycle-a -> agents/cycle-b -> agents/cycle-a (assemble never follows it back; the closing slot stays deferred)',
      'slots form a cycle: examples/self-ref -> examples/self-ref (assemble never follows it back; the closing slot stays deferred)',
    ])
    expect(result.findings.find((f) => f.code === 'HINT_OFF')).toMatchObject({ written: 90, measured: 125, message: 'hint (~90 tokens) for orchestr8://examples/gamma is 28% below its measured 125 tokens (o200k_base)' })
  })
})

describe('lintLibrary on fixtures/resources (the MLOps library)', () => {
  it('HINT_OFF compares each hint with its target; numbers are grouped as in reports', async () => {
    const result = await lint({ root: path.join(repoRoot, 'fixtures/resources'), paths: ['agents/mlops-specialist.md'] })
    const hints = result.findings.filter((f) => f.code === 'HINT_OFF')
    expect(result.findings.map((f) => f.code)).toEqual(['ESTIMATE_OFF', 'HINT_OFF', 'HINT_OFF', 'HINT_OFF', 'HINT_OFF'])
    expect(hints.map((f) => `${key(f)} ${f.message}`)).toEqual([
      'agents/mlops-specialist.md:102:4:HINT_OFF:error hint (~220 tokens) for orchestr8://examples/ml/mlops-mlflow-tracking is 65.9% below its measured 646 tokens (o200k_base)',
      'agents/mlops-specialist.md:103:4:HINT_OFF:error hint (~280 tokens) for orchestr8://examples/ml/mlops-kubeflow-pipeline is 70.1% below its measured 937 tokens (o200k_base)',
      'agents/mlops-specialist.md:104:4:HINT_OFF:error hint (~250 tokens) for orchestr8://examples/ml/mlops-model-serving is 79.2% below its measured 1,203 tokens (o200k_base)',
      'agents/mlops-specialist.md:105:4:HINT_OFF:error hint (~300 tokens) for orchestr8://examples/ml/mlops-monitoring-ab-testing is 76.5% below its measured 1,274 tokens (o200k_base)',
    ])
    expect(hints.map((f) => [f.uri, f.written, f.measured])).toEqual([
      ['orchestr8://examples/ml/mlops-mlflow-tracking', 220, 646],
      ['orchestr8://examples/ml/mlops-kubeflow-pipeline', 280, 937],
      ['orchestr8://examples/ml/mlops-model-serving', 250, 1203],
      ['orchestr8://examples/ml/mlops-monitoring-ab-testing', 300, 1274],
    ])
  })
})

describe('lintLibrary options', () => {
  it('paths: folders, files, absolute paths; the whole library is still read', async () => {
    const lib = await loadLibrary({ root: cases })
    const agents = await lintLibrary(lib, { paths: ['agents/'] })
    expect(agents.files).toEqual(lib.entries.filter((e) => e.path.startsWith('agents/')).map((e) => e.path))
    expect(agents.findings.every((f) => f.file.startsWith('agents/'))).toBe(true)
    // cycle-b is in the cycle but not asked for: the cycle is reported on cycle-a, the one asked for.
    const one = await lintLibrary(lib, { paths: [path.join(cases, 'agents/cycle-b.md'), './agents/missing.md'] })
    expect(one.files).toEqual(['agents/cycle-b.md', 'agents/missing.md'])
    expect(one.findings.map(key)).toEqual(['agents/cycle-b.md:18:1:SLOT_CYCLE:error', 'agents/missing.md:17:1:UNRESOLVED_REFERENCE:error'])
    expect(one.findings[0]?.message).toContain('agents/cycle-b -> agents/cycle-a -> agents/cycle-b')
    expect((await lintLibrary(lib, { paths: ['.'] })).files).toHaveLength(15)
  })

  it('paths that name no document, or lie outside the root, are InvalidOptionError', async () => {
    const lib = await loadLibrary({ root: cases })
    await expect(lintLibrary(lib, { paths: ['agents/nope.md'] })).rejects.toThrow(InvalidOptionError)
    await expect(lintLibrary(lib, { paths: ['agents/nope.md'] })).rejects.toThrow(/agents\/nope\.md names no document of the library/)
    await expect(lintLibrary(lib, { paths: ['../resources/agents/missing.md'] })).rejects.toThrow(/outside the library root/)
    await expect(lintLibrary(lib, { paths: 'agents' as unknown as string[] })).rejects.toThrow(/must be an array of paths/)
    await expect(lint({ root: '' })).rejects.toThrow(InvalidOptionError)
  })

  it('onProgress: every document of the library, from 0 to the total', async () => {
    const calls: [number, number][] = []
    const lib = await loadLibrary({ root: cases })
    await lintLibrary(lib, { paths: ['agents/missing.md'], onProgress: (done, total) => calls.push([done, total]) })
    expect(calls).toEqual(Array.from({ length: 16 }, (_, i) => [i, 15]))
  })

  it('counter, encoding and model choose what estimates and hints are measured with', async () => {
    const lib = await loadLibrary({ root: flat })
    const chars = { encoding: 'chars', count: (text: string) => text.length }
    const result = await lintLibrary(lib, { paths: ['examples/database/mysql-tuning.md', 'agents/db-specialist.md'], counter: chars })
    // The tokens column measures the target's body from its first line (the blank line after the frontmatter is not rendered).
    const measured = readFileSync(path.join(flat, 'examples/database/mysql-tuning.md'), 'utf8').split('---\n').slice(2).join('---\n').replace(/^\n+/, '').length
    expect(measured).toBe(220)
    expect(result.findings.filter((f) => f.code === 'HINT_OFF').map((f) => f.message)).toEqual(['hint (~60 tokens) for orchestr8://examples/database/mysql-tuning is 72.7% below its measured 220 tokens (chars)'])
    const cl = await lintLibrary(await loadLibrary({ root: cases }), { paths: ['examples/gamma.md'], encoding: 'cl100k_base' })
    const gamma = readFileSync(path.join(cases, 'examples/gamma.md'), 'utf8')
    const gammaBody = gamma.slice(gamma.indexOf('---\n', 4) + 4)
    expect(cl.findings.map((f) => [f.code, f.measured, f.message.endsWith('(cl100k_base)')])).toEqual([['ESTIMATE_OFF', tiktokenCount(gammaBody, 'cl100k_base'), true]])
    const model = await lintLibrary(await loadLibrary({ root: cases }), { paths: ['examples/gamma.md'], model: 'gpt-4' })
    expect(model.findings.map((f) => f.measured)).toEqual([tiktokenCount(gammaBody, 'cl100k_base')])
  })

  it('fix rewrites the estimates that are off, in place, and nothing else', async () => {
    const { dir, cleanup } = tempCopy(cases)
    try {
      const before = readFileSync(path.join(dir, 'examples/alpha.md'), 'utf8')
      const result = await lint({ root: dir, fix: true })
      const fixed = result.findings.filter((f) => f.fixed)
      expect(fixed.map((f) => f.file)).toEqual(result.findings.filter((f) => f.code === 'ESTIMATE_OFF').map((f) => f.file))
      expect(result.fixedCount).toBe(8)
      expect(result.errorCount).toBe(5)
      const alpha = fixed.find((f) => f.file === 'examples/alpha.md') as LintFinding
      expect(alpha.message).toBe(`estimatedTokens ${alpha.written} -> ${alpha.measured} (fixed)`)
      expect(readFileSync(path.join(dir, 'examples/alpha.md'), 'utf8')).toBe(before.replace(`estimatedTokens: ${alpha.written}\n`, `estimatedTokens: ${alpha.measured}\n`))
      const again = await lint({ root: dir })
      expect(again.findings.filter((f) => f.code === 'ESTIMATE_OFF')).toEqual([])
    } finally {
      cleanup()
    }
  })
})

describe('lintLibrary rules on small libraries', () => {
  it('duplicate ids, an unknown bare related id, a refused reference and a three-document slot cycle', async () => {
    const t = library({
      'agents/one.md': '---\nid: same\ncategory: agent\n---\n# One\n',
      'agents/two.md': '---\nid: same\ncategory: agent\nrelatedResources:\n  - nobody\n---\n# Two\n',
      'agents/a.md': '---\nid: a\n---\n\n# A\n\n```\norchestr8://examples/%2e%2e/secret\n```\n\n```\norchestr8://examples/b\n```\n',
      'examples/b.md': '---\nid: b\n---\n\n# B\n\n```\norchestr8://agents/c\n```\n',
      'agents/c.md': '---\nid: c\n---\n\n# C\n\n```\norchestr8://agents/a\n```\n',
    })
    try {
      const result = await lint({ root: t.dir })
      expect(result.findings.map((f) => `${key(f)} ${f.message}`)).toEqual([
        'agents/a.md:8:1:REFERENCE_INVALID:error slot orchestr8://examples/%2e%2e/secret is refused: refused orchestr8://examples/../secret: ".." segment in path',
        'agents/a.md:12:1:SLOT_CYCLE:error slots form a cycle: agents/a -> examples/b -> agents/c -> agents/a (assemble never follows it back; the closing slot stays deferred)',
        'agents/one.md:2:null:ID_MISMATCH:warning Frontmatter id "same" differs from the file name "one"',
        'agents/one.md:2:1:DUPLICATE_ID:error id "same" is also the id of agents/two.md',
        'agents/two.md:2:null:ID_MISMATCH:warning Frontmatter id "same" differs from the file name "two"',
        'agents/two.md:2:1:DUPLICATE_ID:error id "same" is also the id of agents/one.md',
        'agents/two.md:5:5:UNRESOLVED_REFERENCE:error related nobody does not resolve: not found',
      ])
      // Linting only agents/c.md reports the cycle there, starting from it.
      const c = await lint({ root: t.dir, paths: ['agents/c.md'] })
      expect(c.findings.map((f) => f.message)).toEqual(['slots form a cycle: agents/c -> agents/a -> examples/b -> agents/c (assemble never follows it back; the closing slot stays deferred)'])
    } finally {
      t.cleanup()
    }
  })

  it('prose that mentions the bare scheme is not a REFERENCE_INVALID', async () => {
    const t = library({ 'guides/links.md': '---\nid: links\n---\n\n# Links\n\nLink fragments with `orchestr8://` URIs, or write orchestr8:// alone in a sentence.\n' })
    try {
      const result = await lint({ root: t.dir })
      expect(result.findings).toEqual([])
      expect(result.files).toEqual(['guides/links.md'])
    } finally {
      t.cleanup()
    }
  })

  it('entries the library cannot read keep their diagnostics as findings', async () => {
    const t = library({ 'agents/big.md': `---\nid: big\n---\n# Big\n\n${'word '.repeat(100)}\n`, 'agents/small.md': '---\nid: small\n---\n# Small\n' })
    try {
      const result = await lintLibrary(await loadLibrary({ root: t.dir, maxBytes: 100 }))
      expect(result.findings.map((f) => `${f.file}:${f.code}:${f.severity}`)).toEqual(['agents/big.md:FILE_TOO_LARGE:error'])
    } finally {
      t.cleanup()
    }
  })
})
