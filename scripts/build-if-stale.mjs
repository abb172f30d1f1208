#!/usr/bin/env node
// Builds the package (`npm run build`) only when dist/ is out of date, and quietly.
//
//   node scripts/build-if-stale.mjs     (from the package root; `npm run demo` and
//                                        `npm run test:slow` run it first)
//
// dist/ is out of date when one of OUTPUTS is missing, or is older than a file under
// src/ or one of INPUTS. Then the build runs with its output captured: nothing is
// printed when it succeeds; when it fails, its whole log goes to stderr and this script
// exits with the build's exit code. It never prints anything else, so what follows it
// (the demo's prompt and report) is all a user sees.
import { spawn } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Files the build writes: all must exist (the CLI loads index.js). */
const OUTPUTS = ['dist/cli.js', 'dist/index.js', 'dist/ranks/o200k_base.bin', 'dist/ranks/cl100k_base.bin']
/** Files the build reads besides src/ (package.json: the version and the dependencies). */
const INPUTS = ['tsup.config.ts', 'tsconfig.json', 'package.json', 'package-lock.json']

const root = process.cwd()

/** Modification time of a file in ms, or undefined when it does not exist. */
function mtime(path) {
  try {
    return statSync(path).mtimeMs
  } catch {
    return undefined
  }
}

/** Newest modification time of the files under a folder (0 when it has none). */
function newest(dir) {
  let max = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) max = Math.max(max, mtime(join(entry.parentPath ?? entry.path, entry.name)) ?? 0)
  }
  return max
}

function stale() {
  const outputs = OUTPUTS.map((f) => mtime(join(root, f)))
  if (outputs.some((t) => t === undefined)) return true
  const built = Math.min(...outputs)
  const inputs = [newest(join(root, 'src')), ...INPUTS.map((f) => mtime(join(root, f)) ?? 0)]
  return inputs.some((t) => t > built)
}

if (stale()) {
  // Under npm, npm_execpath is the npm that runs this script; otherwise the `npm` on PATH.
  const npm = process.env.npm_execpath
  const [command, args] = npm ? [process.execPath, [npm, 'run', 'build']] : ['npm', ['run', 'build']]
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], shell: !npm && process.platform === 'win32' })
  // One log, in the order the build wrote it, printed only if the build fails.
  let log = ''
  child.stdout.setEncoding('utf8').on('data', (d) => (log += d))
  child.stderr.setEncoding('utf8').on('data', (d) => (log += d))
  const [status, failure] = await new Promise((done) => {
    child.on('error', (error) => done([null, error.message]))
    child.on('close', (code, signal) => done([code, signal ? `killed by ${signal}` : `exit ${code}`]))
  })
  if (status !== 0) {
    process.stderr.write(log)
    process.stderr.write(`build-if-stale: \`npm run build\` failed (${failure})\n`)
    process.exit(status || 1)
  }
}
