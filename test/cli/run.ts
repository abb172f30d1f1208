/**
 * Runs the BUILT CLI (`dist/cli.js`) as a child process. `npm test` builds first.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const builtCli = join(repoRoot, 'dist/cli.js')
const BUILD_OUTPUTS = ['dist/cli.js', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']

/**
 * A private copy of the built package (dist/, package.json, and a link to
 * node_modules), taken once per test file: other builds of the shared work tree
 * that empty dist/ while tests run cannot break these runs.
 */
function snapshot(): string {
  for (let attempt = 0; ; attempt++) {
    if (BUILD_OUTPUTS.every((f) => existsSync(join(repoRoot, f)))) {
      const dir = mkdtempSync(join(tmpdir(), 'promptfold-built-'))
      try {
        cpSync(join(repoRoot, 'dist'), join(dir, 'dist'), { recursive: true })
        cpSync(join(repoRoot, 'package.json'), join(dir, 'package.json'))
        symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir')
        if (BUILD_OUTPUTS.every((f) => existsSync(join(dir, f)))) {
          process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
          return dir
        }
      } catch {
        // dist/ changed while copying: try again
      }
      rmSync(dir, { recursive: true, force: true })
    }
    if (attempt >= 120) throw new Error(`${builtCli} is missing: run \`npm run build\` first (npm test does)`)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500)
  }
}

/** Folder holding the copy of the built package that tests run. */
export const builtRoot = snapshot()
/** The built CLI (in {@link builtRoot}). */
export const cliPath = join(builtRoot, 'dist/cli.js')
export const resources = join(repoRoot, 'fixtures/resources')
export const cases = join(repoRoot, 'fixtures/cases/resources')
export const mlops = join(resources, 'agents/mlops-specialist.md')

export interface CliResult {
  status: number | null
  stdout: string
  stderr: string
}

/** Environment without color switches, so output is plain unless a test asks otherwise. */
export function plainEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.FORCE_COLOR
  delete env.NO_COLOR
  delete env.PROMPTFOLD_DEBUG
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  return env
}

/** Run `node dist/cli.js ...args`. */
export function cli(args: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): CliResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: plainEnv(options.env),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (r.error) throw r.error
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** A temporary folder, removed by the returned function. */
export function tempDir(prefix = 'promptfold-cli-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Local date as YYYY-MM-DD (what --save-report uses). */
export function today(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

/** Assert-style helper: stderr is exactly one `error: ...` line and has no stack trace. */
export function oneErrorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '')
  if (lines.length !== 1) throw new Error(`expected one stderr line, got ${lines.length}:\n${stderr}`)
  const line = lines[0] as string
  if (!line.startsWith('error: ')) throw new Error(`expected "error: ...", got ${line}`)
  if (/\n\s+at /.test(stderr)) throw new Error(`stack trace in stderr:\n${stderr}`)
  return line
}
