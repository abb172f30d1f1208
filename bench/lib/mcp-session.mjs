// One cold MCP session against a server spawned fresh: newline-delimited JSON-RPC on its
// stdio (the SDK's stdio transport), timed from spawn. Used by bench/orchestr8.mjs for
// promptfold's and orchestr8's servers alike.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'

const TICK_MS = 10 // /proc/<pid>/stat counts CPU in clock ticks of 10 ms (USER_HZ 100)

/** Peak RSS (VmHWM) in MB and CPU (user + system) in ms of a live process, from /proc; nulls elsewhere. */
export function procUsage(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status)
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // fields[0] is state (field 3): utime is field 14, stime field 15.
    const cpuMs = (Number(fields[11]) + Number(fields[12])) * TICK_MS
    return { peakRssMb: hwm ? Number(hwm[1]) / 1024 : null, cpuMs }
  } catch {
    return { peakRssMb: null, cpuMs: null }
  }
}

export const HAS_PROC = existsSync('/proc/self/status')

/**
 * Spawn `node <args>`, then: initialize (-> `initializeMs`), notifications/initialized and
 * the first resources/list (-> `listMs`, from spawn; `listAloneMs`, from sending it), then
 * resources/read of `readUri` (-> `readMs`, from spawn; `readAloneMs`). The server's peak
 * RSS and CPU are read from /proc once the read is answered, then it is stopped (stdin
 * closed, SIGTERM after `graceMs`).
 * @returns {Promise<{ initializeMs: number, listMs: number, listAloneMs: number, readMs: number, readAloneMs: number, resources: number, listBytes: number, nextCursor: boolean, early: boolean, readChars: number, peakRssMb: number|null, cpuMs: number|null }>}
 */
export function mcpSession({ args, env = {}, cwd, readUri, timeoutMs = 900_000, graceMs = 2000 }) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    let buffer = ''
    let stderr = ''
    let nextId = 1
    const waiting = new Map()
    const out = {}
    let done = false
    const finish = (error, value) => {
      if (done) return
      done = true
      clearTimeout(timer)
      child.stdin.end()
      const kill = setTimeout(() => child.kill('SIGTERM'), graceMs)
      const hard = setTimeout(() => child.kill('SIGKILL'), graceMs + 3000)
      child.once('exit', () => {
        clearTimeout(kill)
        clearTimeout(hard)
        if (error) reject(error)
        else resolve(value)
      })
      if (child.exitCode !== null || child.signalCode !== null) {
        clearTimeout(kill)
        clearTimeout(hard)
        if (error) reject(error)
        else resolve(value)
      }
    }
    const timer = setTimeout(() => finish(new Error(`MCP session timed out after ${timeoutMs} ms: ${stderr.slice(-500)}`)), timeoutMs)
    child.on('error', (e) => finish(e))
    child.on('exit', (code, signal) => {
      if (!done) finish(new Error(`server exited early (${code ?? signal}): ${stderr.slice(-1500)}`))
    })
    child.stderr.on('data', (d) => {
      if (stderr.length < 200_000) stderr += d
    })
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (d) => {
      buffer += d
      let i
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i).trim()
        buffer = buffer.slice(i + 1)
        if (!line) continue
        let msg
        try {
          msg = JSON.parse(line)
        } catch {
          continue
        }
        const w = msg.id !== undefined ? waiting.get(msg.id) : undefined
        if (w) {
          waiting.delete(msg.id)
          w(msg, line.length)
        }
      }
    })
    const request = (method, params) =>
      new Promise((res, rej) => {
        const id = nextId++
        waiting.set(id, (msg, bytes) => (msg.error ? rej(new Error(`${method}: ${JSON.stringify(msg.error)}`)) : res({ result: msg.result, bytes })))
        child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`)
      })
    ;(async () => {
      await request('initialize', { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'promptfold-bench', version: '1' } })
      out.initializeMs = performance.now() - t0
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`)
      let t = performance.now()
      const list = await request('resources/list', {})
      out.listMs = performance.now() - t0
      out.listAloneMs = performance.now() - t
      out.resources = list.result.resources?.length ?? 0
      out.listBytes = list.bytes
      out.nextCursor = Boolean(list.result.nextCursor)
      // promptfold serve: a first list answered from a walk of the folder while the library loads (URIs and names only).
      out.early = list.result._meta?.['promptfold/loading'] === true
      t = performance.now()
      const read = await request('resources/read', { uri: readUri })
      out.readMs = performance.now() - t0
      out.readAloneMs = performance.now() - t
      out.readChars = (read.result.contents ?? []).reduce((n, c) => n + (c.text?.length ?? 0), 0)
      Object.assign(out, procUsage(child.pid))
      finish(null, out)
    })().catch((e) => finish(new Error(`${e.message}\n${stderr.slice(-1500)}`)))
  })
}
