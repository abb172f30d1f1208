import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reportStyle } from '../../src/cli/actions/assemble.js'
import type { Styles } from '../../src/cli/io.js'
import { assemble, assemblyReportSchema, fileSystemResolver, formatReport, parseDocument } from '../../src/index.js'
import { tiktokenCount } from '../helpers/oracle.js'
import { builtRoot, cases, cli, cliPath, mlops, oneErrorLine, plainEnv, repoRoot, resources, tempDir, today } from './run.js'

const ANSI = /\u001b\[/

async function libraryAssembly(budget: number, extra: Record<string, unknown> = {}) {
  const doc = parseDocument(readFileSync(mlops, 'utf8'), { path: 'agents/mlops-specialist.md' })
  return assemble(doc, { budget, resolver: fileSystemResolver({ root: resources }), ...extra })
}

describe('promptfold assemble', () => {
  it('prints the same prompt as the library on stdout and the report on stderr', async () => {
    const r = cli(['assemble', mlops, '--budget', '3000'])
    expect(r.status).toBe(0)
    const { text, report } = await libraryAssembly(3000)
    expect(r.stdout).toBe(text)
    const total = tiktokenCount(r.stdout)
    expect(total).toBe(report.totalTokens)
    expect(total).toBeLessThanOrEqual(3000)
    expect(r.stderr).toContain('promptfold report: mlops-specialist')
    expect(r.stderr).toContain(`total ${total.toLocaleString('en-US')} tokens`)
    expect(r.stderr).toContain('Token efficiency (measured)')
    expect(r.stderr).not.toMatch(ANSI)
  })

  it('--json prints one object {text, report}; the report validates and its total is a fresh count of text', () => {
    for (const budget of [716, 1500, 3000, 100000]) {
      const r = cli(['assemble', mlops, '--budget', String(budget), '--json'])
      expect(r.status).toBe(0)
      expect(r.stderr).toBe('')
      const out = JSON.parse(r.stdout) as { text: string; report: unknown }
      expect(Object.keys(out).sort()).toEqual(['report', 'text'])
      const report = assemblyReportSchema.parse(out.report)
      expect(report.totalTokens).toBe(tiktokenCount(out.text))
      expect(report.totalTokens).toBeLessThanOrEqual(budget)
      expect(report.budget).toBe(budget)
      expect(report.document).toMatchObject({ uri: 'orchestr8://agents/mlops-specialist', path: 'agents/mlops-specialist.md', id: 'mlops-specialist' })
    }
  })

  it('is deterministic', () => {
    const a = cli(['assemble', mlops, '--budget', '2500'])
    const b = cli(['assemble', mlops, '--budget', '2500'])
    expect(a.stdout).toBe(b.stdout)
  })

  it('finds the root above the file: the parent of the first agents/, examples/, ... folder', () => {
    const r = cli(['assemble', join(resources, 'examples/ml/mlops-mlflow-tracking.md'), '--json'])
    expect(r.status).toBe(0)
    const { report } = JSON.parse(r.stdout)
    expect(report.document.uri).toBe('orchestr8://examples/ml/mlops-mlflow-tracking')
    expect(report.document.path).toBe('examples/ml/mlops-mlflow-tracking.md')
  })

  it('passes the path relative to the root, so cycles back to the document are detected', () => {
    const r = cli(['assemble', join(cases, 'agents/cycle-a.md'), '--json'])
    expect(r.status).toBe(0)
    const { report, text } = JSON.parse(r.stdout)
    const rows = report.references.map((x: { uri: string; decision: string; depth: number }) => [x.uri, x.decision, x.depth])
    expect(rows).toEqual([
      ['orchestr8://agents/cycle-b', 'inlined', 1],
      ['orchestr8://agents/cycle-a', 'cycle', 2],
    ])
    expect(text.match(/# Cycle B/g)).toHaveLength(1)
  })

  it('--root overrides the detected root', () => {
    // From the repo root, the URI path must be the full path under it: the examples do not resolve.
    const r = cli(['assemble', mlops, '--root', repoRoot, '--json'])
    expect(r.status).toBe(0)
    const { report } = JSON.parse(r.stdout)
    expect(report.document.uri).toBe('orchestr8://fixtures/resources/agents/mlops-specialist')
    expect(report.references.filter((x: { kind: string }) => x.kind === 'slot').map((x: { decision: string }) => x.decision)).toEqual(['missing', 'missing', 'missing', 'missing'])
  })

  it('--query puts the most relevant example first', () => {
    const r = cli(['assemble', mlops, '--budget', '1400', '--query', 'set up experiment tracking', '--json'])
    expect(r.status).toBe(0)
    const { report } = JSON.parse(r.stdout)
    const inlined = report.references.filter((x: { decision: string }) => x.decision === 'inlined').map((x: { uri: string }) => x.uri)
    expect(inlined).toEqual(['orchestr8://examples/ml/mlops-mlflow-tracking'])
    expect(report.query).toBe('set up experiment tracking')
  })

  it('--include, --exclude (repeatable), --strategy, --max-depth reach the library', async () => {
    const r = cli([
      'assemble', mlops, '--budget', '3000', '--json', '--strategy', 'optimal',
      '--include', 'orchestr8://examples/ml/mlops-monitoring-ab-testing',
      '--exclude', 'orchestr8://examples/ml/mlops-mlflow-tracking', '--exclude', '@orchestr8://examples/ml/mlops-kubeflow-pipeline',
    ])
    expect(r.status).toBe(0)
    const { report, text } = JSON.parse(r.stdout)
    const slots = Object.fromEntries(report.references.filter((x: { kind: string }) => x.kind === 'slot').map((x: { uri: string; decision: string }) => [x.uri.split('/').pop(), x.decision]))
    expect(slots).toEqual({
      'mlops-mlflow-tracking': 'excluded',
      'mlops-kubeflow-pipeline': 'excluded',
      'mlops-model-serving': 'deferred',
      'mlops-monitoring-ab-testing': 'inlined',
    })
    expect(report.strategy).toBe('optimal')
    const lib = await libraryAssembly(3000, {
      strategy: 'optimal',
      include: ['orchestr8://examples/ml/mlops-monitoring-ab-testing'],
      exclude: ['orchestr8://examples/ml/mlops-mlflow-tracking', '@orchestr8://examples/ml/mlops-kubeflow-pipeline'],
    })
    expect(text).toBe(lib.text)

    const kinds = join(cases, 'agents/kinds.md')
    const deep = JSON.parse(cli(['assemble', kinds, '--json']).stdout).report
    const shallow = JSON.parse(cli(['assemble', kinds, '--json', '--max-depth', '1']).stdout).report
    const nested = (rep: { references: { uri: string; depth: number; decision: string; reason: string }[] }) => rep.references.find((x) => x.uri === 'orchestr8://examples/nested-leaf')
    expect(nested(deep)).toMatchObject({ depth: 2, decision: 'inlined' })
    expect(nested(shallow)).toMatchObject({ depth: 2, decision: 'deferred', reason: 'beyond maxDepth 1' })
  })

  it('--encoding and --model choose the tokenizer', () => {
    const cl = JSON.parse(cli(['assemble', mlops, '--encoding', 'cl100k_base', '--json']).stdout)
    expect(cl.report.encoding).toBe('cl100k_base')
    expect(cl.report.totalTokens).toBe(tiktokenCount(cl.text, 'cl100k_base'))
    const gpt4 = JSON.parse(cli(['assemble', mlops, '--model', 'gpt-4', '--json']).stdout)
    expect(gpt4.report.encoding).toBe('cl100k_base')
    const gpt4o = JSON.parse(cli(['assemble', mlops, '--model', 'gpt-4o', '--json']).stdout)
    expect(gpt4o.report.encoding).toBe('o200k_base')
  })

  it('--out writes the prompt (or the JSON) to a file instead of stdout', () => {
    const t = tempDir()
    try {
      const out = join(t.dir, 'sub/prompt.md')
      const r = cli(['assemble', mlops, '--budget', '3000', '--out', out])
      expect(r.status).toBe(0)
      expect(r.stdout).toBe('')
      expect(r.stderr).toContain('promptfold report')
      expect(readFileSync(out, 'utf8')).toBe(cli(['assemble', mlops, '--budget', '3000']).stdout)
      const json = join(t.dir, 'a.json')
      expect(cli(['assemble', mlops, '--json', '--out', json]).stdout).toBe('')
      assemblyReportSchema.parse(JSON.parse(readFileSync(json, 'utf8')).report)
    } finally {
      t.cleanup()
    }
  })

  it('--save-report writes DIR/<category>/assembly-<id>-YYYY-MM-DD.md (default DIR .promptfold/reports)', () => {
    const t = tempDir()
    try {
      const r = cli(['assemble', mlops, '--budget', '3000', '--save-report', join(t.dir, 'reports')])
      expect(r.status).toBe(0)
      const path = join(t.dir, 'reports/agent', `assembly-mlops-specialist-${today()}.md`)
      expect(existsSync(path)).toBe(true)
      expect(r.stderr).toContain(`report saved to ${path}`)
      const md = readFileSync(path, 'utf8')
      expect(md).toMatch(/^# Assembly report: mlops-specialist\n/)
      expect(md).toContain('| core only | 716 |')
      expect(md).toContain('**Token Efficiency:**')

      // Default folder, relative to the working folder; the flag may come last with no value.
      const d = cli(['assemble', mlops, '--json', '--save-report'], { cwd: t.dir })
      expect(d.status).toBe(0)
      expect(JSON.parse(d.stdout).report.totalTokens).toBeGreaterThan(0)
      expect(existsSync(join(t.dir, '.promptfold/reports/agent', `assembly-mlops-specialist-${today()}.md`))).toBe(true)

      // A document without frontmatter: category "uncategorized", id from the file name.
      const n = cli(['assemble', join(cases, 'agents/no-frontmatter.md'), '--save-report=' + join(t.dir, 'r2')])
      expect(n.status).toBe(0)
      expect(existsSync(join(t.dir, 'r2/uncategorized', `assembly-no-frontmatter-${today()}.md`))).toBe(true)
    } finally {
      t.cleanup()
    }
  })
})

describe('errors and exit codes', () => {
  it('a budget below the core: exit 1, one line naming the minimum budget, no stack trace', async () => {
    const r = cli(['assemble', mlops, '--budget', '100'])
    expect(r.status).toBe(1)
    expect(r.stdout).toBe('')
    const { report } = await libraryAssembly(100000)
    expect(oneErrorLine(r.stderr)).toBe(
      `error: Budget of 100 tokens is below the ${report.coreTokens} tokens the core needs; use --budget ${report.coreTokens} or more [BUDGET_EXCEEDED] (agents/mlops-specialist.md)`,
    )
  })

  it('an --include that cannot fit: exit 1', () => {
    const r = cli(['assemble', mlops, '--budget', '800', '--include', 'orchestr8://examples/ml/mlops-model-serving'])
    expect(r.status).toBe(1)
    expect(oneErrorLine(r.stderr)).toContain('[INCLUDE_FAILED]')
  })

  const usage: [string, string[], RegExp][] = [
    ['unknown option', ['assemble', mlops, '--bogus'], /unknown option '--bogus'/],
    ['budget not a number', ['assemble', mlops, '--budget', 'abc'], /--budget <n>' argument 'abc' is invalid/],
    ['negative budget', ['assemble', mlops, '--budget=-5'], /argument '-5' is invalid/],
    ['bad strategy', ['assemble', mlops, '--strategy', 'fast'], /Allowed choices are greedy, optimal/],
    ['bad encoding', ['assemble', mlops, '--encoding', 'p50k_base'], /Allowed choices are o200k_base, cl100k_base/],
    ['unknown model', ['assemble', mlops, '--model', 'claude-9'], /Unknown model "claude-9".*\[UNKNOWN_ENCODING\]/],
    ['missing file', ['assemble', 'no/such/file.md'], /^error: no\/such\/file.md: no such file$/],
    ['folder instead of file', ['assemble', resources], /is a folder, expected a markdown file/],
    ['missing argument', ['assemble'], /missing required argument 'file'/],
    ['--save-report ate the file', ['assemble', '--save-report', mlops], /put the file first, or write --save-report=DIR/],
    ['bad --max-depth', ['assemble', mlops, '--max-depth', '1.5'], /--max-depth <n>' argument '1.5' is invalid/],
    ['bad --root', ['assemble', mlops, '--root', join(repoRoot, 'nope')], /--root .*nope: no such folder/],
    ['unknown command', ['assembel', mlops], /unknown command 'assembel'/],
    ['report: missing file', ['report', 'nope.md'], /nope.md: no such file/],
  ]
  for (const [name, args, pattern] of usage) {
    it(`bad usage (${name}): exit 2, one error line`, () => {
      const r = cli(args)
      expect(r.status).toBe(2)
      expect(r.stdout).toBe('')
      expect(oneErrorLine(r.stderr)).toMatch(pattern)
    })
  }

  it('no arguments: usage on stderr, exit 2', () => {
    const r = cli([])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('Usage: promptfold')
  })
})

describe('help, version, colors', () => {
  const flags: Record<string, string[]> = {
    assemble: ['--root', '--budget', '--query', '--encoding', '--model', '--strategy', '--include', '--exclude', '--max-depth', '--json', '--out', '--save-report'],
    report: ['--root', '--json', '--save-report'],
    lint: ['--json', '--fix'],
    serve: ['--default-budget', '--max-budget', '--encoding'],
  }
  for (const [cmd, list] of Object.entries(flags)) {
    it(`${cmd} --help lists every flag and exits 0`, () => {
      for (const args of [[cmd, '--help'], [cmd, '-h'], ['help', cmd]]) {
        const r = cli(args)
        expect(r.status).toBe(0)
        expect(r.stdout).toContain(`Usage: promptfold ${cmd}`)
        for (const f of list) expect(r.stdout).toContain(f)
        expect(r.stdout).toContain('Exit codes')
      }
    })
  }

  it('--version prints the version from package.json', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))
    for (const flag of ['--version', '-v']) {
      const r = cli([flag])
      expect(r.status).toBe(0)
      expect(r.stdout).toBe(`${pkg.version}\n`)
    }
  })

  it('colors: off when not a TTY, on with FORCE_COLOR, off again under NO_COLOR', () => {
    expect(cli(['assemble', mlops, '--budget', '3000']).stderr).not.toMatch(ANSI)
    const forced = cli(['assemble', mlops, '--budget', '3000'], { env: { FORCE_COLOR: '1' } })
    expect(forced.stderr).toMatch(ANSI)
    expect(forced.stdout).not.toMatch(ANSI) // the prompt itself is never colored
    expect(cli(['assemble', mlops, '--budget', '3000'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stderr).not.toMatch(ANSI)
    expect(cli(['assemble', mlops, '--budget', '10'], { env: { NO_COLOR: '1' } }).stderr).toMatch(/^error: /)
  })

  // A real terminal, through util-linux `script` (skipped where it is missing).
  // The terminal is described explicitly: CI runs without TERM or with CI=true, and
  // Node (like every well-behaved CLI) gives no colors to a terminal it knows nothing of.
  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0
  it.skipIf(!hasScript)('colors: on in a real TTY, off there under NO_COLOR', () => {
    const terminal = { TERM: 'xterm-256color', CI: undefined, TMUX: undefined, NODE_DISABLE_COLORS: undefined }
    const inTty = (env: Record<string, string | undefined>) =>
      spawnSync('script', ['-qec', `"${process.execPath}" "${cliPath}" assemble "${mlops}" --budget 10`, '/dev/null'], {
        encoding: 'utf8',
        env: plainEnv({ ...terminal, ...env }),
      }).stdout
    expect(inTty({})).toMatch(/\u001b\[31merror:\u001b\[39m Budget of 10 tokens/)
    const off = inTty({ NO_COLOR: '1' })
    expect(off).toContain('error: Budget of 10 tokens')
    expect(off).not.toMatch(ANSI)
    expect(inTty({ TERM: 'dumb' })).not.toMatch(ANSI)
  })
})

describe('--json failures: one JSON error object on stdout, the same exit codes', () => {
  const jsonError = (stdout: string) => JSON.parse(stdout) as { error: { code: string; message: string; hint: string | null } }

  it('a library error carries its code, the message with the file, and the hint', async () => {
    const r = cli(['assemble', mlops, '--budget', '100', '--json'])
    expect(r.status).toBe(1)
    expect(r.stderr).toBe('')
    const { report } = await libraryAssembly(100000)
    expect(jsonError(r.stdout)).toEqual({
      error: {
        code: 'BUDGET_EXCEEDED',
        message: `Budget of 100 tokens is below the ${report.coreTokens} tokens the core needs (agents/mlops-specialist.md)`,
        hint: `use --budget ${report.coreTokens} or more`,
      },
    })
    expect(r.stdout).toBe(`${JSON.stringify(jsonError(r.stdout), null, 2)}\n`)
  })

  const cases: [string, string[], number, { code: string; message: string; hint: string | null }][] = [
    ['unknown option', ['assemble', mlops, '--json', '--bogus'], 2, { code: 'USAGE', message: "unknown option '--bogus'", hint: 'see promptfold assemble --help' }],
    ['bad option value', ['assemble', mlops, '--json', '--budget', 'abc'], 2, { code: 'USAGE', message: "option '--budget <n>' argument 'abc' is invalid. expected a whole number of 0 or more, got \"abc\".", hint: 'see promptfold assemble --help' }],
    ['missing argument', ['assemble', '--json'], 2, { code: 'USAGE', message: "missing required argument 'file'", hint: 'see promptfold assemble --help' }],
    ['unknown command', ['assembel', '--json'], 2, { code: 'USAGE', message: "unknown command 'assembel' (Did you mean assemble?)", hint: 'see promptfold --help' }],
    ['missing file', ['assemble', 'no/such/file.md', '--json'], 2, { code: 'USAGE', message: 'no/such/file.md: no such file', hint: null }],
    ['report: missing file', ['report', 'nope.md', '--json'], 2, { code: 'USAGE', message: 'nope.md: no such file', hint: null }],
    [
      'a library usage error',
      ['assemble', mlops, '--json', '--encoding', 'cl100k_base', '--model', 'gpt-4o'],
      2,
      { code: 'INVALID_OPTION', message: 'Invalid option `--encoding`: "cl100k_base" contradicts model "gpt-4o", which uses o200k_base', hint: null },
    ],
  ]
  for (const [name, args, status, error] of cases) {
    it(`${name}: exit ${status}, {"error": {code: ${error.code}, ...}} and nothing on stderr`, () => {
      const r = cli(args)
      expect(r.status).toBe(status)
      expect(r.stderr).toBe('')
      expect(jsonError(r.stdout)).toEqual({ error })
    })
  }

  it('an I/O error (a folder that cannot be made): code IO, exit 1; without --json one line on stderr', () => {
    const t = tempDir()
    try {
      writeFileSync(join(t.dir, 'file'), 'x')
      const out = join(t.dir, 'file/sub/prompt.json')
      const r = cli(['assemble', mlops, '--json', '--out', out])
      expect(r.status).toBe(1)
      expect(r.stderr).toBe('')
      const { error } = jsonError(r.stdout)
      expect(error).toMatchObject({ code: 'IO', hint: null })
      expect(error.message).toMatch(/^(ENOTDIR|EEXIST): .*mkdir '.*file\/sub'$/)
      const plain = cli(['assemble', mlops, '--out', out])
      expect(plain.status).toBe(1)
      expect(plain.stdout).toBe('')
      expect(oneErrorLine(plain.stderr)).toBe(`error: ${error.message}`)
    } finally {
      t.cleanup()
    }
  })

  it('a report that cannot be saved: only the JSON error on stdout, not the result before it', () => {
    const t = tempDir()
    try {
      writeFileSync(join(t.dir, 'file'), 'x')
      const r = cli(['assemble', mlops, '--json', `--save-report=${join(t.dir, 'file')}`])
      expect(r.status).toBe(1)
      expect(jsonError(r.stdout).error.code).toBe('IO')
      const e = cli(['report', mlops, '--json', `--save-report=${join(t.dir, 'file')}`])
      expect(e.status).toBe(1)
      expect(jsonError(e.stdout).error.code).toBe('IO')
    } finally {
      t.cleanup()
    }
  })

  it('--json given as the value of another option does not count', () => {
    const r = cli(['assemble', mlops, '--budget', '100', '--query', '--json'])
    expect(r.status).toBe(1)
    expect(r.stdout).toBe('')
    expect(oneErrorLine(r.stderr)).toContain('[BUDGET_EXCEEDED]')
  })
})

describe('errors name flags, not API options', () => {
  it('--encoding that contradicts --model', () => {
    const r = cli(['assemble', mlops, '--encoding', 'cl100k_base', '--model', 'gpt-4o'])
    expect(r.status).toBe(2)
    expect(oneErrorLine(r.stderr)).toBe('error: Invalid option `--encoding`: "cl100k_base" contradicts model "gpt-4o", which uses o200k_base [INVALID_OPTION]')
  })

  it('an unknown model points at --encoding', () => {
    const r = cli(['assemble', mlops, '--model', 'claude-9'])
    expect(r.status).toBe(2)
    expect(oneErrorLine(r.stderr)).toBe('error: Unknown model "claude-9": cannot tell its encoding; pass `--encoding` (o200k_base or cl100k_base) instead [UNKNOWN_ENCODING]')
  })
})

describe('the report fits the terminal', () => {
  const lines = (s: string) => s.split('\n')
  const longest = (s: string) => Math.max(...lines(s).map((l) => l.length))
  const withoutTimings = (s: string) => s.replace(/^timings: .*(\n {2}.*)*$/m, 'timings')

  it('is the library formatReport at the width of COLUMNS (80 when unset or smaller)', async () => {
    const { report } = await libraryAssembly(3000)
    for (const [columns, width] of [[undefined, 80], ['120', 120], ['200', 200], ['40', 80], ['wide', 80]] as const) {
      const r = cli(['assemble', mlops, '--budget', '3000'], { env: { COLUMNS: columns } })
      expect(r.status).toBe(0)
      expect(longest(r.stderr), `COLUMNS=${columns}`).toBeLessThanOrEqual(width)
      expect(withoutTimings(r.stderr), `COLUMNS=${columns}`).toBe(withoutTimings(formatReport(report, { width })))
    }
  })

  it('at 80 columns each URI is on its own line; at 200, each reference on one line', () => {
    const narrow = lines(cli(['assemble', mlops, '--budget', '3000'], { env: { COLUMNS: '80' } }).stderr)
    expect(narrow).toContain('  orchestr8://examples/ml/mlops-monitoring-ab-testing')
    const wide = lines(cli(['assemble', mlops, '--budget', '3000'], { env: { COLUMNS: '200' } }).stderr)
    expect(wide.some((l) => /^inlined {3}slot .* orchestr8:\/\/examples\/ml\/mlops-mlflow-tracking +fits the budget \(value 4\)$/.test(l))).toBe(true)
  })

  it('report fits its table to COLUMNS too', () => {
    const t = tempDir()
    try {
      const folder = `examples/${'a-very-long-folder-name/'.repeat(4)}`
      mkdirSync(join(t.dir, folder), { recursive: true })
      mkdirSync(join(t.dir, 'agents'))
      writeFileSync(join(t.dir, folder, 'leaf.md'), '# Leaf\n\nAn example with a long path.\n')
      writeFileSync(join(t.dir, 'agents/long.md'), `# Long\n\n## Example\n\n\`\`\`\norchestr8://${folder}leaf\n\`\`\`\n`)
      for (const [columns, width] of [[undefined, 80], ['100', 100]] as const) {
        const r = cli(['report', join(t.dir, 'agents/long.md')], { env: { COLUMNS: columns } })
        expect(r.status).toBe(0)
        expect(longest(r.stdout)).toBeLessThanOrEqual(width)
        expect(r.stdout.replace(/\n */g, '')).toMatch(new RegExp(`core \\+ orchestr8://${folder}leaf +\\d+`))
      }
    } finally {
      t.cleanup()
    }
  })
})

describe('--quiet', () => {
  it('prints the prompt and no report', async () => {
    const { text } = await libraryAssembly(3000)
    for (const flag of ['--quiet', '-q']) {
      const r = cli(['assemble', mlops, '--budget', '3000', flag])
      expect(r.status).toBe(0)
      expect(r.stdout).toBe(text)
      expect(r.stderr).toBe('')
    }
  })

  it('changes nothing with --json, still saves a report without saying so, and errors still print', () => {
    const json = cli(['assemble', mlops, '--budget', '3000', '--json', '--quiet'])
    expect(json.status).toBe(0)
    expect(json.stderr).toBe('')
    expect(JSON.parse(json.stdout).text).toBe(JSON.parse(cli(['assemble', mlops, '--budget', '3000', '--json']).stdout).text)
    const t = tempDir()
    try {
      const r = cli(['assemble', mlops, '--budget', '3000', '--quiet', `--save-report=${t.dir}`])
      expect(r.stderr).toBe('')
      expect(existsSync(join(t.dir, 'agent', `assembly-mlops-specialist-${today()}.md`))).toBe(true)
    } finally {
      t.cleanup()
    }
    const bad = cli(['assemble', mlops, '--budget', '10', '--quiet'])
    expect(bad.status).toBe(1)
    expect(oneErrorLine(bad.stderr)).toContain('[BUDGET_EXCEEDED]')
  })
})

describe('colours read the report data', () => {
  const tags: Styles = {
    enabled: true,
    red: (s) => `<red>${s}</red>`,
    yellow: (s) => `<yellow>${s}</yellow>`,
    green: (s) => `<green>${s}</green>`,
    cyan: (s) => `<cyan>${s}</cyan>`,
    dim: (s) => `<dim>${s}</dim>`,
    bold: (s) => `<bold>${s}</bold>`,
  }

  it('the decision cell by the row decision, severities by the diagnostic, never by words of the text', async () => {
    const { report } = await libraryAssembly(3000)
    // A reason that starts with another decision's word changes nothing.
    const tricky = { ...report, references: report.references.map((r) => ({ ...r, reason: `missing ${r.reason}` })), diagnostics: [{ code: 'REFERENCE_INVALID' as const, severity: 'error' as const, message: 'warning: inlined' }] }
    for (const width of [undefined, 80, 120]) {
      const text = formatReport(tricky, { width, timings: false, style: reportStyle(tags) })
      expect(text.match(/<(green|dim|red|yellow)>[a-z]+<\/\1>/g)).toEqual([
        ...report.references.map((r) => (r.decision === 'inlined' ? '<green>inlined</green>' : '<dim>deferred</dim>')),
        '<red>error</red>',
      ])
      expect(text.startsWith('<bold>promptfold report: mlops-specialist</bold>\n')).toBe(true)
      expect(text).toContain('\n<bold>Token efficiency (measured)</bold>\n')
      expect(text).toContain('\n<bold>Diagnostics</bold>\n')
    }
    expect(formatReport(tricky, { style: reportStyle({ ...tags, enabled: false }) })).toBe(formatReport(tricky))
  })

  it('FORCE_COLOR colours the decision cells of the CLI report', () => {
    const forced = cli(['assemble', mlops, '--budget', '3000'], { env: { FORCE_COLOR: '1', COLUMNS: '200' } }).stderr
    expect(forced).toMatch(/^\u001b\[32minlined\u001b\[39m {3}slot/m)
    expect(forced).toMatch(/^\u001b\[2mdeferred\u001b\[22m {2}slot/m)
    expect(forced.startsWith('\u001b[1mpromptfold report: mlops-specialist\u001b[22m\n')).toBe(true)
  })
})

describe('help names the installed docs and the home page', () => {
  it('promptfold --help: the absolute path of docs/cli.md in the package, and the homepage of package.json', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { homepage?: string }
    expect(pkg.homepage).toBe('https://github.com/promptfold/promptfold#readme')
    const r = cli(['--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain(`\nFull reference: ${join(builtRoot, 'docs', 'cli.md')}\nHome page: https://github.com/promptfold/promptfold#readme\n`)
    expect(r.stdout).not.toContain(' docs/cli.md')
    expect(cli(['serve', '--help']).stdout).toContain(`Details: ${join(builtRoot, 'docs', 'mcp.md')}\n`)
  })
})
