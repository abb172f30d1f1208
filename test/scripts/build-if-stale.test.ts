/**
 * scripts/build-if-stale.mjs (run first by `npm run demo` and `npm run test:slow`): builds
 * only when dist/ is missing or older than its inputs, prints nothing when the build
 * succeeds, and prints the build's whole log and fails when it fails. Checked on a scratch
 * package whose `build` script is a small node program that counts its runs.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../helpers/fixtures.js'

const script = join(repoRoot, 'scripts/build-if-stale.mjs')
const dir = mkdtempSync(join(tmpdir(), 'promptfold-build-if-stale-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const BUILD = `import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
appendFileSync('builds.txt', 'x')
for (let i = 1; i <= 30; i++) console.log('build line ' + i)
console.error('a warning on stderr')
if (existsSync('fail')) { console.error('ERROR: boom'); process.exit(3) }
mkdirSync('dist/ranks', { recursive: true })
writeFileSync('dist/index.js', 'export {}\\n')
writeFileSync('dist/cli.js', 'export {}\\n')
writeFileSync('dist/ranks/o200k_base.bin', '')
writeFileSync('dist/ranks/cl100k_base.bin', '')
`
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, type: 'module', scripts: { build: 'node build.mjs' } }))
writeFileSync(join(dir, 'build.mjs'), BUILD)
mkdirSync(join(dir, 'src/nested'), { recursive: true })
writeFileSync(join(dir, 'src/nested/a.ts'), 'export const a = 1\n')

/** Runs the script in the scratch package. */
function run(): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}
const builds = () => (existsSync(join(dir, 'builds.txt')) ? readFileSync(join(dir, 'builds.txt'), 'utf8').length : 0)
/** Sets a file's modification time to `secondsAgo` seconds before now. */
const age = (file: string, secondsAgo: number) => {
  const t = new Date(Date.now() - secondsAgo * 1000)
  utimesSync(join(dir, file), t, t)
}
const quiet = { status: 0, stdout: '', stderr: '' }

describe('scripts/build-if-stale.mjs', () => {
  it('builds when dist/ is missing, and prints nothing', () => {
    expect(run()).toEqual(quiet)
    expect(builds()).toBe(1)
    expect(readFileSync(join(dir, 'dist/cli.js'), 'utf8')).toBe('export {}\n')
  })

  it('does not build again while dist/ is newer than every input', () => {
    expect(run()).toEqual(quiet)
    expect(builds()).toBe(1)
  })

  it('builds again when a file under src/ (at any depth) is newer than dist/', () => {
    age('dist/cli.js', 100)
    age('dist/index.js', 100)
    age('src/nested/a.ts', 50)
    expect(run()).toEqual(quiet)
    expect(builds()).toBe(2)
    expect(run()).toEqual(quiet)
    expect(builds()).toBe(2)
  })

  it('builds again when package.json is newer than dist/, or one output is missing', () => {
    age('dist/index.js', 100)
    age('package.json', 50)
    expect(run()).toEqual(quiet)
    expect(builds()).toBe(3)
    rmSync(join(dir, 'dist/index.js'))
    expect(run()).toEqual(quiet)
    expect(builds()).toBe(4)
  })

  it('prints the whole build log on stderr and exits with its code when the build fails', () => {
    writeFileSync(join(dir, 'fail'), '')
    rmSync(join(dir, 'dist'), { recursive: true })
    const r = run()
    expect(r.status).toBe(3)
    expect(r.stdout).toBe('')
    for (let i = 1; i <= 30; i++) expect(r.stderr).toContain(`build line ${i}\n`)
    expect(r.stderr).toContain('a warning on stderr\n')
    expect(r.stderr).toContain('ERROR: boom\n')
    expect(r.stderr.endsWith('build-if-stale: `npm run build` failed (exit 3)\n')).toBe(true)
    expect(builds()).toBe(5)
    expect(existsSync(join(dir, 'dist'))).toBe(false)
  })
})
