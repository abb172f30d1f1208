// Fresh child processes: whole-process wall time, and JSON measurements a child prints.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { ROOT } from './paths.mjs'

const TIME = '/usr/bin/time'
/** Whether whole-process CPU time can be measured (GNU time). */
export const HAS_TIME = existsSync(TIME) && spawnSync(TIME, ['-f', '%U', 'true'], { encoding: 'utf8' }).status === 0

/**
 * Run `node <args>` to completion in a fresh process.
 * With `cpu: true` and GNU time installed, also the process's CPU time (user + system,
 * 10 ms resolution): much less disturbed than wall time when other work shares the machine.
 * @returns {{ wallMs: number, cpuMs?: number, stdout: string, stderr: string }}
 */
export function runNode(args, { env = {}, cwd = ROOT, timeoutMs = 300_000, cpu = false } = {}) {
  const timed = cpu && HAS_TIME
  const [cmd, argv] = timed ? [TIME, ['-f', 'PFBENCH_CPU %U %S', process.execPath, ...args]] : [process.execPath, args]
  const t0 = performance.now()
  const r = spawnSync(cmd, argv, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
  })
  const wallMs = performance.now() - t0
  if (r.error) throw r.error
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status ?? r.signal}:\n${(r.stderr ?? '').slice(-2000)}`)
  let stderr = r.stderr
  let cpuMs
  if (timed) {
    const m = /PFBENCH_CPU ([\d.]+) ([\d.]+)\s*$/.exec(stderr)
    if (m) {
      cpuMs = (Number(m[1]) + Number(m[2])) * 1000
      stderr = stderr.slice(0, m.index)
    }
  }
  return { wallMs, cpuMs, stdout: r.stdout, stderr }
}

/** Run a child script that prints one JSON object on its last stdout line; return that object. */
export function runChildJson(script, args = [], options = {}) {
  const { stdout, wallMs } = runNode([script, ...args], options)
  const lines = stdout.trim().split('\n')
  const data = JSON.parse(lines[lines.length - 1])
  return { ...data, wallMs }
}

/**
 * Alternate fresh-process samples of several variants (A, B, A, B, ...) so that drift
 * on a shared machine hits every variant alike.
 * @param {Record<string, () => number>} variants each returns one sample
 * @returns {Record<string, number[]>}
 */
export function interleave(variants, samples, { onSample } = {}) {
  const out = Object.fromEntries(Object.keys(variants).map((k) => [k, []]))
  for (let i = 0; i < samples; i++) {
    for (const [name, fn] of Object.entries(variants)) {
      out[name].push(fn(i))
      onSample?.(name, i)
    }
  }
  return out
}

/** Like {@link runChildJson} but asynchronous, so that several children can overlap. */
export function runChildJsonAsync(script, args = [], { env = {}, cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, [script, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    child.stderr.on('data', (d) => {
      err += d
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`node ${script} ${args.join(' ')} exited with ${code}:\n${err.slice(-2000)}`))
      const lines = out.trim().split('\n')
      resolve({ ...JSON.parse(lines[lines.length - 1]), wallMs: performance.now() - t0 })
    })
  })
}
