import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assemble, fileSystemResolver, parseDocument } from '../../src/index.js'
import { tiktokenCount } from '../helpers/oracle.js'
import { cases, cli, cliPath, oneErrorLine, plainEnv, repoRoot, resources, tempDir } from './run.js'

interface Finding {
  file: string
  line: number | null
  column: number | null
  severity: 'error' | 'warning'
  code: string
  message: string
  written?: number
  measured?: number
  fixable?: boolean
  fixed?: boolean
}
interface Result {
  files: string[]
  findings: Finding[]
  errorCount: number
  warningCount: number
  fixedCount: number
}

function lintJson(args: string[], cwd = repoRoot): { status: number | null; result: Result } {
  const r = cli(['lint', '--json', ...args], { cwd })
  if (r.stderr !== '') throw new Error(r.stderr)
  return { status: r.status, result: JSON.parse(r.stdout) as Result }
}

/** Body of a document: everything after the frontmatter block. */
function body(source: string): string {
  const m = /^---[ \t]*\r?\n[\s\S]*?\r?\n---[ \t]*(?:\r?\n|$)/.exec(source)
  return m ? source.slice(m[0].length) : source
}

function mdFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(dir, f))
    .sort()
}

/** ESTIMATE_OFF findings expected from an independent count (js-tiktoken) of each body. */
function expectedEstimates(dir: string): { file: string; written: number; measured: number }[] {
  const out: { file: string; written: number; measured: number }[] = []
  for (const abs of mdFiles(dir)) {
    const source = readFileSync(abs, 'utf8')
    const m = /^estimatedTokens:\s*(\d+)\s*$/m.exec(source)
    if (!m) continue
    const written = Number(m[1])
    const measured = tiktokenCount(body(source))
    if (Math.abs(written - measured) > 0.25 * measured) out.push({ file: relative(repoRoot, abs), written, measured })
  }
  return out
}

const key = (f: Finding) => `${f.file}:${f.line}:${f.code}:${f.severity}`

describe('promptfold lint on fixtures/cases', () => {
  const { status, result } = lintJson(['fixtures/cases/resources'])
  const c = 'fixtures/cases/resources'

  it('exits 1 and lists every expected finding with file and line', () => {
    expect(status).toBe(1)
    expect(result.files).toHaveLength(mdFiles(cases).length)
    const estimates = expectedEstimates(cases).map((e) => `${e.file}:${readFileSync(join(repoRoot, e.file), 'utf8').split('\n').findIndex((l) => l.startsWith('estimatedTokens:')) + 1}:ESTIMATE_OFF:error`)
    expect(result.findings.map(key).sort()).toEqual(
      [
        `${c}/agents/cycle-a.md:18:SLOT_CYCLE:error`,
        `${c}/agents/dynamic.md:29:REFERENCE_INVALID:error`,
        `${c}/agents/id-mismatch.md:2:ID_MISMATCH:warning`,
        `${c}/agents/legacy-at.md:11:FRONTMATTER_LEGACY_AT:warning`,
        `${c}/agents/legacy-at.md:27:HINT_OFF:error`,
        `${c}/agents/missing.md:17:UNRESOLVED_REFERENCE:error`,
        `${c}/examples/self-ref.md:17:SLOT_CYCLE:error`,
        ...estimates,
      ].sort(),
    )
    expect(result.errorCount).toBe(result.findings.filter((f) => f.severity === 'error').length)
    expect(result.warningCount).toBe(2)
  })

  it('ESTIMATE_OFF compares estimatedTokens with an exact count of the body', () => {
    const got = result.findings.filter((f) => f.code === 'ESTIMATE_OFF').map((f) => ({ file: f.file, written: f.written, measured: f.measured }))
    expect(got).toEqual(expectedEstimates(cases))
    expect(got.length).toBeGreaterThan(0)
  })

  it('HINT_OFF compares a (~N tokens) hint with the measured cost of its target (report tokens)', async () => {
    const f = result.findings.find((x) => x.code === 'HINT_OFF') as Finding
    const doc = parseDocument(readFileSync(join(cases, 'agents/legacy-at.md'), 'utf8'), { path: 'agents/legacy-at.md' })
    const { report } = await assemble(doc, { resolver: fileSystemResolver({ root: cases }) })
    const row = report.references.find((r) => r.kind === 'mention' && r.hintTokens === 90)
    expect(f).toMatchObject({ line: 27, column: 4, written: 90, measured: row?.tokens })
    expect(f.message).toContain('orchestr8://examples/gamma')
  })

  it('names the cycle and the missing target', () => {
    const cyc = result.findings.find((x) => x.code === 'SLOT_CYCLE' && x.file.endsWith('cycle-a.md')) as Finding
    expect(cyc.message).toContain('agents/cycle-a -> agents/cycle-b -> agents/cycle-a')
    const self = result.findings.find((x) => x.code === 'SLOT_CYCLE' && x.file.endsWith('self-ref.md')) as Finding
    expect(self.message).toContain('examples/self-ref -> examples/self-ref')
    const missing = result.findings.find((x) => x.code === 'UNRESOLVED_REFERENCE') as Finding
    expect(missing).toMatchObject({ line: 17, column: 1 })
    expect(missing.message).toBe('slot orchestr8://examples/does-not-exist does not resolve: not found')
  })

  it('resolves the bare related id "alpha" in kinds.md by frontmatter id (no finding)', () => {
    expect(result.findings.filter((f) => f.file.endsWith('kinds.md') && f.code !== 'ESTIMATE_OFF')).toEqual([])
  })

  it('text output: file:line:col: severity: message [RULE], then a summary', () => {
    const r = cli(['lint', 'fixtures/cases/resources'])
    expect(r.status).toBe(1)
    const lines = r.stdout.trimEnd().split('\n')
    const summary = lines.pop()
    expect(summary).toBe(`${result.errorCount} errors, 2 warnings in ${result.files.length} files`)
    expect(lines.pop()).toBe('')
    expect(lines).toHaveLength(result.findings.length)
    for (const l of lines) expect(l).toMatch(/^fixtures\/cases\/resources\/[\w/-]+\.md:\d+(:\d+)?: (error|warning): .+ \[[A-Z_]+\]$/)
    expect(lines).toContain('fixtures/cases/resources/agents/missing.md:17:1: error: slot orchestr8://examples/does-not-exist does not resolve: not found [UNRESOLVED_REFERENCE]')
  })
})

describe('promptfold lint on fixtures/resources', () => {
  it('reports the hand-written estimates and hints of the MLOps library', () => {
    const { status, result } = lintJson(['fixtures/resources'])
    expect(status).toBe(1)
    const agent = 'fixtures/resources/agents/mlops-specialist.md'
    expect(result.findings.filter((f) => f.code === 'HINT_OFF').map((f) => `${f.file}:${f.line}:${f.column}:${f.written}`)).toEqual([
      `${agent}:102:4:220`,
      `${agent}:103:4:280`,
      `${agent}:104:4:250`,
      `${agent}:105:4:300`,
    ])
    expect(result.findings.filter((f) => f.code === 'ESTIMATE_OFF').map((f) => ({ file: f.file, written: f.written, measured: f.measured }))).toEqual(expectedEstimates(resources))
    expect(result.findings.every((f) => f.code === 'HINT_OFF' || f.code === 'ESTIMATE_OFF')).toBe(true)
  })

  it('a single file is linted against its library (root found above it)', () => {
    const { result } = lintJson(['fixtures/resources/agents/mlops-specialist.md'])
    expect(result.files).toEqual(['fixtures/resources/agents/mlops-specialist.md'])
    expect(result.findings.filter((f) => f.code === 'UNRESOLVED_REFERENCE')).toEqual([])
  })
})

describe('promptfold lint --fix', () => {
  it('rewrites only the estimatedTokens values, every other byte unchanged (checked with diff)', () => {
    const t = tempDir()
    try {
      const lib = join(t.dir, 'resources')
      cpSync(resources, lib, { recursive: true })
      const before = expectedEstimates(lib)
      expect(before.length).toBe(5)
      const { status, result } = lintJson(['--fix', lib], t.dir)
      expect(status).toBe(1) // the (~N tokens) hints in prose are not fixable
      expect(result.fixedCount).toBe(5)
      expect(result.findings.filter((f) => f.fixed).every((f) => f.code === 'ESTIMATE_OFF')).toBe(true)
      for (const e of before) {
        const original = join(resources, relative(lib, join(repoRoot, e.file)))
        const fixed = join(repoRoot, e.file)
        const d = spawnSync('diff', [original, fixed], { encoding: 'utf8' })
        const line = readFileSync(original, 'utf8').split('\n').findIndex((l) => l.startsWith('estimatedTokens:')) + 1
        expect(d.stdout).toBe(`${line}c${line}\n< estimatedTokens: ${e.written}\n---\n> estimatedTokens: ${e.measured}\n`)
      }
      // Fixed for good: a second run finds no estimate to fix and changes nothing.
      const again = lintJson(['--fix', lib], t.dir)
      expect(again.result.fixedCount).toBe(0)
      expect(again.result.findings.map((f) => f.code)).toEqual(['HINT_OFF', 'HINT_OFF', 'HINT_OFF', 'HINT_OFF'])
    } finally {
      t.cleanup()
    }
  })

  it('keeps CRLF line ends, a BOM, a trailing comment and invalid UTF-8 byte for byte', () => {
    const t = tempDir()
    try {
      mkdirSync(join(t.dir, 'agents'))
      const file = join(t.dir, 'agents/crlf.md')
      const head = Buffer.from('\uFEFF---\r\nid: crlf\r\ncategory: agent\r\nestimatedTokens: 5   # rough guess\r\ntags: [a]\r\n---\r\n', 'utf8')
      const rest = Buffer.concat([Buffer.from('\r\n# CRLF\r\n\r\nSome body text with a bad byte: ', 'utf8'), Buffer.from([0xff, 0xfe]), Buffer.from(' and more words to count.\r\n', 'utf8')])
      const original = Buffer.concat([head, rest])
      writeFileSync(file, original)
      const { result } = lintJson(['--fix', file], t.dir)
      const fix = result.findings.find((f) => f.code === 'ESTIMATE_OFF') as Finding
      expect(fix).toMatchObject({ fixed: true, written: 5, line: 4 })
      const expected = Buffer.from(original.toString('latin1').replace('estimatedTokens: 5 ', `estimatedTokens: ${fix.measured} `), 'latin1')
      expect(readFileSync(file).equals(expected)).toBe(true)
    } finally {
      t.cleanup()
    }
  })
})

describe('promptfold lint on small libraries', () => {
  function library(files: Record<string, string>): { dir: string; cleanup: () => void } {
    const t = tempDir()
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(t.dir, path, '..'), { recursive: true })
      writeFileSync(join(t.dir, path), text)
    }
    return t
  }

  it('a clean library: exit 0', () => {
    const exampleBody = '\n# B\n\nA short example body.\n'
    const b = tiktokenCount(exampleBody)
    const draft = (est: number) => `---\nid: a\ncategory: agent\nestimatedTokens: ${est}\n---\n\n# A\n\n- \`orchestr8://examples/b\` (~${b} tokens)\n\n**→ Load:** orchestr8://examples/b\n`
    const estimate = tiktokenCount(body(draft(0)))
    const t = library({
      'agents/a.md': draft(estimate),
      'examples/b.md': `---\nid: b\ncategory: example\nestimatedTokens: ${b}\n---\n${exampleBody}`,
    })
    try {
      const r = cli(['lint', t.dir])
      expect(r.stdout).toBe('0 errors, 0 warnings in 2 files\n')
      expect(r.status).toBe(0)
    } finally {
      t.cleanup()
    }
  })

  it('duplicate ids, id/file-name mismatch, bad YAML and an unknown bare related id', () => {
    const t = library({
      'agents/one.md': '---\nid: same\ncategory: agent\n---\n# One\n',
      'agents/two.md': '---\nid: same\ncategory: agent\nrelatedResources:\n  - nobody\n---\n# Two\n',
      'skills/broken.md': '---\nid: broken\ntags: [unclosed\n---\n# Broken\n',
    })
    try {
      const { status, result } = lintJson([t.dir], t.dir)
      expect(status).toBe(1)
      expect(result.findings.map((f) => `${f.file}:${f.line}:${f.code}:${f.severity}`)).toEqual([
        'agents/one.md:2:ID_MISMATCH:warning', // from parseDocument, which gives no column: sorts first
        'agents/one.md:2:DUPLICATE_ID:error',
        'agents/two.md:2:ID_MISMATCH:warning',
        'agents/two.md:2:DUPLICATE_ID:error',
        'agents/two.md:5:UNRESOLVED_REFERENCE:error',
        'skills/broken.md:4:FRONTMATTER_INVALID_YAML:error',
      ])
      expect(result.findings[1]?.message).toBe('id "same" is also the id of agents/two.md')
      expect(result.findings[4]?.message).toBe('related nobody does not resolve: not found')
    } finally {
      t.cleanup()
    }
  })

  it('bad usage: exit 2 with one error line', () => {
    const t = tempDir()
    try {
      for (const [args, pattern] of [
        [['lint'], /missing required argument 'paths'/],
        [['lint', 'no/such/dir'], /no\/such\/dir: no such file or folder/],
        [['lint', t.dir], /no markdown \(\.md\) files in this folder/],
        [['lint', resources, '--root', join(t.dir, 'nope')], /no such folder/],
      ] as [string[], RegExp][]) {
        const r = cli(args)
        expect(r.status).toBe(2)
        expect(oneErrorLine(r.stderr)).toMatch(pattern)
      }
    } finally {
      t.cleanup()
    }
  })
})

describe('promptfold lint through the library', () => {
  const flat = 'fixtures/flat/resources'

  it('--json findings say `code` (no `rule`); flat paths resolve, the ambiguous and the dangling slot do not', () => {
    const { status, result } = lintJson([flat])
    expect(status).toBe(1)
    expect(result.files).toHaveLength(6)
    expect(result.findings.map((f) => Object.keys(f).sort().join(','))).toEqual(['code,column,file,line,message,severity,uri', 'code,column,file,line,message,severity,uri'])
    expect(result.findings.map(key)).toEqual([`${flat}/agents/db-specialist.md:39:UNRESOLVED_REFERENCE:error`, `${flat}/agents/db-specialist.md:45:UNRESOLVED_REFERENCE:error`])
  })

  it('a file under examples/skills/ or examples/workflows/ is linted against the library root, not examples/', () => {
    for (const file of [`${flat}/examples/skills/async-drivers.md`, `${flat}/examples/workflows/schema-migration.md`]) {
      const { status, result } = lintJson([file])
      expect(status).toBe(0)
      expect(result).toEqual({ files: [file], findings: [], errorCount: 0, warningCount: 0, fixedCount: 0 })
    }
  })

  it('files given from several libraries: each linted against its own root, one result', () => {
    const { result } = lintJson([`${flat}/agents/db-specialist.md`, 'fixtures/cases/resources/agents/missing.md'])
    expect(result.files).toEqual(['fixtures/cases/resources/agents/missing.md', `${flat}/agents/db-specialist.md`])
    expect(result.findings.filter((f) => f.code === 'UNRESOLVED_REFERENCE').map((f) => `${f.file}:${f.line}`)).toEqual([
      'fixtures/cases/resources/agents/missing.md:17',
      `${flat}/agents/db-specialist.md:39`,
      `${flat}/agents/db-specialist.md:45`,
    ])
  })

  it('a file the library does not read (in a hidden folder) is bad usage: exit 2', () => {
    const t = tempDir()
    try {
      mkdirSync(join(t.dir, 'agents/.drafts'), { recursive: true })
      writeFileSync(join(t.dir, 'agents/.drafts/x.md'), '# X\n')
      const r = cli(['lint', join(t.dir, 'agents/.drafts/x.md')])
      expect(r.status).toBe(2)
      expect(oneErrorLine(r.stderr)).toMatch(/agents\/\.drafts\/x\.md: not a document of the library at /)
    } finally {
      t.cleanup()
    }
  })

  // A real terminal, through util-linux `script` (skipped where it is missing).
  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0
  it.skipIf(!hasScript)('shows progress on a TTY (overwritten in place, cleared at the end); none in a pipe or with --json', () => {
    const inTty = (args: string) =>
      spawnSync('script', ['-qec', `"${process.execPath}" "${cliPath}" lint ${args} 2>&1 >/dev/null`, '/dev/null'], { cwd: repoRoot, encoding: 'utf8', env: plainEnv({ TERM: 'xterm-256color', NO_COLOR: '1' }) }).stdout
    const shown = inTty(flat)
    const updates = shown.split('\r\u001b[2K').filter((s) => s !== '')
    expect(updates).toEqual(['linting 0/6', 'linting 1/6', 'linting 2/6', 'linting 3/6', 'linting 4/6', 'linting 5/6', 'linting 6/6'])
    expect(shown.endsWith('\r\u001b[2K')).toBe(true)
    expect(inTty(`${flat} --json`)).toBe('')
    expect(cli(['lint', flat]).stderr).toBe('')
  })
})
