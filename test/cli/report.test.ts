import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assemble, assemblyReportSchema, fileSystemResolver, parseDocument } from '../../src/index.js'
import { cli, mlops, resources, tempDir, today } from './run.js'

async function efficiency(encoding: 'o200k_base' | 'cl100k_base' = 'o200k_base') {
  const doc = parseDocument(readFileSync(mlops, 'utf8'), { path: 'agents/mlops-specialist.md' })
  return (await assemble(doc, { resolver: fileSystemResolver({ root: resources }), encoding })).report
}

describe('promptfold report', () => {
  it('prints the measured efficiency table (no budget), equal to report.efficiency', async () => {
    const r = cli(['report', mlops])
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('')
    const e = (await efficiency()).efficiency
    const n = (x: number) => x.toLocaleString('en-US')
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('Token efficiency: mlops-specialist (o200k_base, measured)')
    const rows = lines.slice(3).map((l) => l.split(/\s{2,}/))
    expect(rows).toEqual([
      ['core only', n(e.coreOnly)],
      ...e.withOneExample.map((x) => [`core + ${x.uri}`, n(x.tokens)]),
      ['all embedded', n(e.allEmbedded)],
      ['savings range', `${e.savingsRange.min}-${e.savingsRange.max}%`],
    ])
    expect(e.withOneExample).toHaveLength(4)
  })

  it('--json: {document, encoding, efficiency}, the efficiency part of the report schema', async () => {
    const r = cli(['report', mlops, '--json', '--encoding', 'cl100k_base'])
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(Object.keys(out)).toEqual(['document', 'encoding', 'efficiency'])
    expect(assemblyReportSchema.shape.efficiency.parse(out.efficiency)).toEqual((await efficiency('cl100k_base')).efficiency)
    expect(out.encoding).toBe('cl100k_base')
    expect(out.document.id).toBe('mlops-specialist')
  })

  it('--markdown: the "Token Efficiency" bullets documents carry, measured', async () => {
    const e = (await efficiency()).efficiency
    const ones = e.withOneExample.map((x) => x.tokens)
    const n = (x: number) => x.toLocaleString('en-US')
    const r = cli(['report', mlops, '--markdown'])
    expect(r.stdout).toBe(
      [
        '**Token Efficiency:**',
        `- Concepts only: ${n(e.coreOnly)} tokens`,
        `- Concepts + 1 example: ${n(Math.min(...ones))}-${n(Math.max(...ones))} tokens`,
        `- Traditional (all embedded): ${n(e.allEmbedded)} tokens`,
        `- **Savings: ${e.savingsRange.min}-${e.savingsRange.max}%**`,
        '',
      ].join('\n'),
    )
  })

  it('--save-report writes DIR/<category>/efficiency-<id>-YYYY-MM-DD.md', () => {
    const t = tempDir()
    try {
      const r = cli(['report', mlops, '--save-report', join(t.dir, 'out')])
      expect(r.status).toBe(0)
      const path = join(t.dir, 'out/agent', `efficiency-mlops-specialist-${today()}.md`)
      expect(existsSync(path)).toBe(true)
      const md = readFileSync(path, 'utf8')
      expect(md).toMatch(/^# Token efficiency report: mlops-specialist\n/)
      expect(md).not.toContain('## References')
    } finally {
      t.cleanup()
    }
  })
})
