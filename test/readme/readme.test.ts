/** The README's code sample runs against the built package, and its measured numbers are current. */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { parseDocument } from '../../src/parse/document.js'
import { fileSystemResolver } from '../../src/resolve/fs.js'
import { readFixture, repoRoot, resourcesRoot } from '../helpers/fixtures.js'

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8')

describe('README', () => {
  it.skipIf(!existsSync(join(repoRoot, 'dist/index.js')))('the API sample runs as written against dist/', () => {
    const sample = /```ts\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(sample).toBeDefined()
    const dir = mkdtempSync(join(tmpdir(), 'promptfold-readme-'))
    try {
      const file = join(dir, 'sample.mjs')
      writeFileSync(file, (sample ?? '').replace("from 'promptfold'", `from ${JSON.stringify(join(repoRoot, 'dist/index.js'))}`))
      const out = execFileSync(process.execPath, [file], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      expect(out).toContain('### MLflow')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('states the measured numbers of the MLOps fixture', async () => {
    const path = 'agents/mlops-specialist.md'
    const doc = parseDocument(readFixture(resourcesRoot, path), { path })
    const { report } = await assemble(doc, { budget: 3000, resolver: fileSystemResolver({ root: resourcesRoot }) })
    const e = report.efficiency
    const fmt = (n: number) => n.toLocaleString('en-US')
    const ones = e.withOneExample.map((x) => x.tokens)
    expect(readme).toContain(`| core only | ~150 tokens | ${fmt(e.coreOnly)} |`)
    expect(readme).toContain(`| core + 1 example | ~370-450 | ${fmt(Math.min(...ones))}-${fmt(Math.max(...ones))} |`)
    expect(readme).toContain(`| all embedded | ~1,200 | ${fmt(e.allEmbedded)} |`)
    expect(readme).toContain(`| savings | 63-87% | ${e.savingsRange.min}-${e.savingsRange.max}% |`)
    const slots = report.references.filter((r) => r.kind === 'slot').map((r) => fmt(r.tokens ?? 0))
    expect(readme).toContain(`| 220, 280, 250, 300 | ${slots.join(', ')} |`)
    expect(readme).toContain(`budget 3,000 · total ${fmt(report.totalTokens)} tokens · core ${fmt(report.coreTokens)}`)
  })
})
