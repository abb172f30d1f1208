/**
 * Runs every code sample of the docs against the BUILT package and CLI (see
 * ./samples.ts for the convention), and checks that the docs cover every export
 * and every CLI option.
 */
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createProgram } from '../../src/cli/program.js'
import { builtRoot, repoRoot } from '../cli/run.js'
import { type Block, CHECKED_DOCS, fencedBlocks, normalizeOutput, samples } from './samples.js'

const docsDir = join(repoRoot, 'docs')
const all: Block[] = CHECKED_DOCS.flatMap((d) => samples(join(docsDir, d), d))
const runnable = all.filter((b) => b.flags.has('run'))

// A scratch working folder inside the copy of the built package, so `import 'promptfold'`
// resolves to it (package self-reference) and `fixtures/...` paths work.
const work = mkdtempSync(join(builtRoot, 'docs-work-'))
cpSync(join(repoRoot, 'fixtures'), join(work, 'fixtures'), { recursive: true })
const bin = join(work, '.bin')
mkdirSync(bin)
writeFileSync(join(bin, 'promptfold'), `#!/bin/sh\nexec "${process.execPath}" "${join(builtRoot, 'dist/cli.js')}" "$@"\n`)
chmodSync(join(bin, 'promptfold'), 0o755)
const fileOf = (b: Block) => join(work, `${b.doc.replace(/\.md$/, '')}-${b.line}${b.flags.has('vitest') ? '.test' : ''}.${b.lang === 'sh' ? 'sh' : 'mts'}`)
for (const b of runnable) writeFileSync(fileOf(b), b.code)
writeFileSync(
  join(work, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023'], types: ['node'], strict: true, noUncheckedIndexedAccess: true, skipLibCheck: true, noEmit: true },
    include: ['*.mts'],
  }),
)
writeFileSync(join(work, 'vitest.config.mjs'), "export default { test: { include: ['*.test.mts'] } }\n")

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }
  delete e.FORCE_COLOR
  delete e.NO_COLOR
  delete e.COLUMNS // reports are fitted to COLUMNS: the samples show the default width, 80
  return e
}

interface Outcome {
  status: number | null
  stdout: string
  stderr: string
  error?: Error
}

function run(b: Block): Promise<Outcome> {
  const file = fileOf(b)
  const [command, args] =
    b.lang === 'sh'
      ? ['bash', ['-o', 'pipefail', file]]
      : b.flags.has('vitest')
        ? [process.execPath, [join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', file, '--root', work, '--reporter', 'dot']]
        : [process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), file]]
  return new Promise((done) => {
    const child = spawn(command as string, args as string[], { cwd: work, env: env(), timeout: 120_000 })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', (error) => done({ status: null, stdout, stderr, error }))
    child.on('close', (status) => done({ status, stdout, stderr }))
  })
}

// Samples of one doc run in order (a later one may use a file an earlier one wrote); docs run
// side by side. Each test below then checks the outcome of its sample.
const outcomes = new Map<Block, Outcome>()
beforeAll(async () => {
  await Promise.all(
    CHECKED_DOCS.map(async (doc) => {
      for (const b of runnable.filter((x) => x.doc === doc)) outcomes.set(b, await run(b))
    }),
  )
}, 600_000)

describe('docs code samples', () => {
  it('every ts/js/sh sample is marked `run` or `norun`', () => {
    const unmarked = all.filter((b) => b.lang !== 'other' && !b.flags.has('run') && !b.flags.has('norun')).map((b) => `${b.doc}:${b.line} (${b.info})`)
    expect(unmarked).toEqual([])
    expect(runnable.length).toBeGreaterThan(20)
  })

  it('TypeScript samples type-check against the built package (strict)', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(work, 'tsconfig.json')], { cwd: work, encoding: 'utf8' })
    const out = (r.stdout + r.stderr).replaceAll(`${work}/`, '')
    expect(out).toBe('')
    expect(r.status).toBe(0)
  })

  for (const b of runnable) {
    it(`${b.doc}:${b.line} (${b.info})`, () => {
      const r = outcomes.get(b) as Outcome
      if (r.error) throw r.error
      const context = `\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
      expect(r.status, `exit code${context}`).toBe(b.exit)
      if (b.lang === 'ts' && !b.flags.has('vitest')) expect(r.stderr, 'stderr').toBe('')
      if (b.expect) {
        const actual = b.expect.stream === 'stdout' ? r.stdout : r.stderr
        if (b.expect.json) expect(JSON.parse(normalizeOutput(actual))).toEqual(JSON.parse(normalizeOutput(b.expect.text)))
        else expect(normalizeOutput(actual), `${b.expect.stream} (expected block at ${b.doc}:${b.expect.line})`).toBe(normalizeOutput(b.expect.text))
      }
    })
  }
})

describe('docs coverage', () => {
  it('api.md has a heading for every export of src/index.ts (library.md, mcp.md and skills.md may document their own)', () => {
    // src/index.ts is `export * from` the portable core and the Node-only part: read both.
    const index = ['src/index.ts', 'src/core.ts', 'src/node.ts'].map((f) => readFileSync(join(repoRoot, f), 'utf8')).join('\n')
    expect(readFileSync(join(repoRoot, 'src/index.ts'), 'utf8')).toMatch(/export \* from '\.\/core\.js'\nexport \* from '\.\/node\.js'/)
    const names = new Set<string>()
    for (const m of index.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
      for (const part of (m[1] ?? '').split(',')) {
        const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()?.trim()
        if (name) names.add(name)
      }
    }
    for (const m of index.matchAll(/export\s+(?:async\s+)?(?:function|const|class|interface|type)\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1] as string)
    const api = readFileSync(join(docsDir, 'api.md'), 'utf8')
    const headings = api.split('\n').filter((l) => /^#{2,4} /.test(l))
    const others = ['library.md', 'mcp.md', 'skills.md', 'counting.md', 'requests.md']
      .map((f) => join(docsDir, f))
      .filter(existsSync)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n')
    const missing = [...names].filter((n) => !headings.some((h) => new RegExp(`\`${n}\\b`).test(h)) && !new RegExp(`\\b${n}\\b`).test(others))
    expect(missing).toEqual([])
    expect(names.size).toBeGreaterThan(40)
  })

  it('cli.md documents every command and option of the CLI', () => {
    const cli = readFileSync(join(docsDir, 'cli.md'), 'utf8')
    const missing: string[] = []
    for (const cmd of createProgram().commands) {
      if (cmd.name() === 'help') continue
      if (!cli.includes(`promptfold ${cmd.name()}`)) missing.push(cmd.name())
      for (const o of cmd.options) if (o.long && !cli.includes(o.long)) missing.push(`${cmd.name()} ${o.long}`)
    }
    expect(missing).toEqual([])
  })

  it('relative links between docs point to files that exist', () => {
    const broken: string[] = []
    for (const d of CHECKED_DOCS) {
      const text = readFileSync(join(docsDir, d), 'utf8')
      // Links written as examples in code (fenced, or inline `[x](y.md)`) are not links of the docs.
      const prose = fencedBlocks(join(docsDir, d), d)
        .reduce((t, f) => t.replace(f.code, ''), text)
        .replace(/`[^`\n]*`/g, '')
      for (const m of prose.matchAll(/\]\((?!https?:|mailto:|#)([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (!existsSync(resolve(docsDir, m[1] as string))) broken.push(`${d}: ${m[1]}`)
      }
    }
    expect(broken).toEqual([])
  })
})
