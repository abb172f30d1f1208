/**
 * `DiagnosticCode` and `DIAGNOSTIC_CODES`: the one list of diagnostic codes agrees with the
 * code that emits them and with the docs.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { DIAGNOSTIC_CODES } from '../../src/index.js'
import { diagnostic } from '../../src/parse/diagnostics.js'
import { assemblyReportSchema } from '../../src/report/schema.js'

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

/** Rows `| \`CODE\` | ... |` of the first table after `heading` in a docs file (up to the next heading). */
function tableCodes(doc: string, heading: string): Array<{ code: string; cells: string[] }> {
  const text = readFileSync(join(repo, 'docs', doc), 'utf8')
  const start = text.indexOf(`\n${heading}\n`)
  expect(start, `${doc} has a "${heading}" section`).toBeGreaterThan(-1)
  const after = text.slice(start + heading.length + 2)
  const section = after.slice(0, after.search(/\n#{1,3} /) === -1 ? undefined : after.search(/\n#{1,3} /))
  const rows: Array<{ code: string; cells: string[] }> = []
  for (const line of section.split('\n')) {
    const m = /^\| `([A-Z][A-Z0-9_]*)` \|(.*)\|$/.exec(line)
    if (m) rows.push({ code: m[1] as string, cells: (m[2] as string).split('|').map((c) => c.trim()) })
  }
  return rows
}

describe('DIAGNOSTIC_CODES', () => {
  it('is alphabetical, without repeats', () => {
    expect([...DIAGNOSTIC_CODES].sort()).toEqual([...DIAGNOSTIC_CODES])
    expect(new Set(DIAGNOSTIC_CODES).size).toBe(DIAGNOSTIC_CODES.length)
    expect(DIAGNOSTIC_CODES).toContain('FRONTMATTER_MISSING')
    expect(DIAGNOSTIC_CODES).toContain('UNRESOLVED_REFERENCE')
  })

  it('holds every code src/ emits: `diagnostic(...)` calls and lint findings', () => {
    const emitted = new Map<string, string>()
    for (const file of sources(join(repo, 'src'))) {
      const text = readFileSync(file, 'utf8')
      const where = relative(repo, file)
      for (const m of text.matchAll(/\bdiagnostic\(\s*'([A-Z][A-Z0-9_]*)'/g)) emitted.set(m[1] as string, where)
      // lint findings carry their code as `code: 'X'` (or `rule: 'X'`) in the lint modules
      if (/(^|\/)lint\.ts$/.test(file)) for (const m of text.matchAll(/\b(?:code|rule): '([A-Z][A-Z0-9_]*)'/g)) emitted.set(m[1] as string, where)
    }
    expect(emitted.size).toBeGreaterThan(30)
    const unlisted = [...emitted].filter(([code]) => !(DIAGNOSTIC_CODES as readonly string[]).includes(code)).map(([code, file]) => `${code} (${file})`)
    expect(unlisted).toEqual([])
  })

  it('lists no code that nothing in src/ writes', () => {
    const text = sources(join(repo, 'src'))
      .filter((f) => !f.endsWith(join('src', 'types.ts')))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n')
    expect(DIAGNOSTIC_CODES.filter((code) => !text.includes(`'${code}'`))).toEqual([])
  })

  it('is the table of codes in docs/api.md, in order, each with its usual severity', () => {
    const rows = tableCodes('api.md', '### `DiagnosticCode`')
    expect(rows.map((r) => r.code)).toEqual([...DIAGNOSTIC_CODES])
    expect(rows.filter((r) => !/^(error|warning|info)\b/.test(r.cells[0] ?? '')).map((r) => r.code)).toEqual([])
  })

  it('holds every code the other docs tables name (format.md diagnostics, cli.md lint)', () => {
    const named = [...tableCodes('format.md', '## Diagnostics'), ...tableCodes('cli.md', '## `promptfold lint`')].map((r) => r.code)
    expect(named.length).toBeGreaterThan(10)
    expect(named.filter((code) => !(DIAGNOSTIC_CODES as readonly string[]).includes(code))).toEqual([])
  })
})

describe('diagnostics in a report', () => {
  const base = (code: string) => ({
    version: 1,
    document: { uri: null, path: null, id: null, title: 'X' },
    budget: null,
    encoding: 'o200k_base',
    strategy: 'greedy',
    query: null,
    totalTokens: 1,
    coreTokens: 1,
    references: [],
    baselines: { coreOnly: 1, traditional: 1 },
    savings: { tokens: 0, percent: 0 },
    efficiency: { coreOnly: 1, withOneExample: [], allEmbedded: 1, savingsRange: { min: 0, max: 0 } },
    diagnostics: [{ code, severity: 'warning', message: 'm', file: 'a.md', line: 3 }],
    timings: { resolveMs: 0, measureMs: 0, selectMs: 0, totalMs: 0 },
  })

  it('validate with every listed code and with no other', () => {
    for (const code of DIAGNOSTIC_CODES) expect(assemblyReportSchema.safeParse(base(code)).success, code).toBe(true)
    const bad = assemblyReportSchema.safeParse(base('NOT_A_CODE'))
    expect(bad.success).toBe(false)
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['diagnostics.0.code'])
  })

  it('diagnostic() keeps the code and drops absent positions', () => {
    expect(diagnostic('BOM', 'info', 'Leading byte-order mark removed', { file: 'a.md', line: 1 })).toEqual({
      code: 'BOM',
      severity: 'info',
      message: 'Leading byte-order mark removed',
      file: 'a.md',
      line: 1,
    })
    expect(Object.keys(diagnostic('FRONTMATTER_MISSING', 'info', 'x', { file: undefined }))).toEqual(['code', 'severity', 'message'])
  })
})
