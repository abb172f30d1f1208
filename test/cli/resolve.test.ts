/**
 * The CLI resolves through the library of the root it finds (or --root): flat paths, nested
 * example folders and ambiguous names give the answers MCP and library.graph() give.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, repoRoot } from './run.js'

const flat = join(repoRoot, 'fixtures/flat/resources')

interface Row {
  uri: string
  kind: string
  depth: number
  line: number
  decision: string
  cause: string
  reason: string
}

function assembleJson(args: string[]): { status: number | null; rows: Row[]; text: string } {
  const r = cli(['assemble', '--json', ...args])
  if (r.status !== 0) throw new Error(r.stderr)
  const out = JSON.parse(r.stdout) as { text: string; report: { references: Row[] } }
  return { status: r.status, rows: out.report.references, text: out.text }
}

const row = (r: Row) => `${r.depth} ${r.kind} L${r.line} ${r.uri} ${r.decision} ${r.cause}`

describe('CLI assemble resolves through the library', () => {
  it('flat-path slots resolve to the files one folder deeper; the ambiguous and the dangling one are missing', () => {
    const { rows, text } = assembleJson([join(flat, 'agents/db-specialist.md')])
    expect(rows.filter((r) => r.depth === 1).map(row)).toEqual([
      '1 slot L19 orchestr8://examples/mysql-tuning inlined FITS',
      '1 slot L25 orchestr8://examples/async-drivers inlined FITS',
      '1 slot L31 orchestr8://examples/schema-migration inlined FITS',
      '1 slot L39 orchestr8://examples/connection-pooling missing AMBIGUOUS',
      '1 slot L45 orchestr8://examples/replication-setup missing NOT_FOUND',
      '1 mention L48 orchestr8://examples/database/mysql-tuning deferred MENTION',
    ])
    expect(rows.find((r) => r.cause === 'AMBIGUOUS')?.reason).toContain('could be any of orchestr8://examples/database/connection-pooling, orchestr8://examples/patterns/connection-pooling')
    expect(text).toContain('# MySQL Tuning')
    expect(text).toContain('# Async Drivers')
  })

  it('a document under examples/skills/ finds the root above examples/, so its full-path slot resolves', () => {
    const { rows, text } = assembleJson([join(flat, 'examples/skills/async-drivers.md')])
    expect(rows.map(row)).toEqual(['1 slot L12 orchestr8://examples/database/mysql-tuning inlined FITS'])
    expect(text).toContain('Read the slow query log')
  })

  it('--root gives the same answers', () => {
    const found = assembleJson([join(flat, 'examples/workflows/schema-migration.md')]).rows.map(row)
    expect(found).toEqual(['1 slot L12 orchestr8://examples/skills/async-drivers inlined FITS', '2 slot L12 orchestr8://examples/database/mysql-tuning inlined FITS'])
    expect(assembleJson([join(flat, 'examples/workflows/schema-migration.md'), '--root', flat]).rows.map(row)).toEqual(found)
  })

  it('report measures the flat-path examples it could not find before', () => {
    const r = cli(['report', '--json', join(flat, 'agents/db-specialist.md')])
    expect(r.status).toBe(0)
    const { efficiency } = JSON.parse(r.stdout) as { efficiency: { withOneExample: { uri: string }[] } }
    expect(efficiency.withOneExample.map((x) => x.uri)).toEqual(['orchestr8://examples/mysql-tuning', 'orchestr8://examples/async-drivers', 'orchestr8://examples/schema-migration'])
  })
})
