/**
 * `serve` reads its request lines itself (issue 17, item 8): a line over `maxLineBytes` is
 * answered with an error and the session goes on (the SDK's transport ended it, exit 0, no
 * word); lines that are not JSON-RPC are answered; many pending replies on a slow stdout do
 * not print `MaxListenersExceededWarning`. Checked with `serve()` over streams and with a
 * real server process.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import * as path from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_LINE_BYTES, serve } from '../../src/mcp/serve.js'
import { fixtureLibrary, repoRoot } from '../library/helpers.js'

type Message = { id?: number | string; result?: Record<string, unknown>; error?: { code: number; message: string } }

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } }
const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' }
const line = (m: object) => `${JSON.stringify(m)}\n`

/** A session over streams: `serve()` with a collecting stdout and log. */
function session(options: { maxLineBytes?: number; stdout?: Writable } = {}) {
  const stdin = new PassThrough()
  const messages: Message[] = []
  let buffered = ''
  const stdout =
    options.stdout ??
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        buffered += chunk.toString('utf8')
        let nl: number
        while ((nl = buffered.indexOf('\n')) !== -1) {
          messages.push(JSON.parse(buffered.slice(0, nl)) as Message)
          buffered = buffered.slice(nl + 1)
        }
        callback()
      },
    })
  let log = ''
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      log += chunk.toString('utf8')
      callback()
    },
  })
  const done = serve(fixtureLibrary, { stdin, stdout, log: logStream, ...(options.maxLineBytes !== undefined ? { maxLineBytes: options.maxLineBytes } : {}) })
  const until = async (id: number | string) => {
    for (let i = 0; i < 400 && !messages.some((m) => m.id === id); i++) await new Promise((r) => setTimeout(r, 25))
    return messages.find((m) => m.id === id)
  }
  return { stdin, messages, done, until, log: () => log }
}

describe('serve: request lines', () => {
  it('answers a line over maxLineBytes with -32600 and its id, logs one line, and keeps serving', async () => {
    const s = session({ maxLineBytes: 2000 })
    s.stdin.write(line(initialize))
    s.stdin.write(line(initialized))
    // id first, id last (as the SDK's Client writes it), and no id at all.
    const first = `{"jsonrpc":"2.0","id":7,"method":"resources/read","params":{"uri":"orchestr8://${'a'.repeat(5000)}"}}`
    const last = `{"method":"resources/read","params":{"uri":"orchestr8://${'b'.repeat(5000)}"},"jsonrpc":"2.0","id":"late"}`
    const none = `{"method":"ping","params":{"x":"${'c'.repeat(5000)}"}}`
    expect([first.length, last.length, none.length]).toEqual([5082, 5087, 5035])
    for (const l of [first, last, none]) s.stdin.write(`${l}\n`)
    s.stdin.write(line({ jsonrpc: '2.0', id: 8, method: 'ping' }))
    expect(await s.until(8)).toEqual({ jsonrpc: '2.0', id: 8, result: {} })
    expect(s.messages.find((m) => m.id === 7)).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32600, message: 'Request line of 5082 bytes is over the limit of 2000 bytes' } })
    expect(s.messages.find((m) => m.id === 'late')).toEqual({ jsonrpc: '2.0', id: 'late', error: { code: -32600, message: 'Request line of 5087 bytes is over the limit of 2000 bytes' } })
    expect(s.messages.filter((m) => m.error !== undefined && m.id === undefined)).toEqual([
      { jsonrpc: '2.0', error: { code: -32600, message: 'Request line of 5035 bytes is over the limit of 2000 bytes' } },
    ])
    expect(s.log().split('\n').filter((l) => l.includes('dropped'))).toEqual([
      'promptfold serve: dropped a request line of 5082 bytes (limit 2000), id 7',
      'promptfold serve: dropped a request line of 5087 bytes (limit 2000), id "late"',
      'promptfold serve: dropped a request line of 5035 bytes (limit 2000)',
    ])
    s.stdin.end()
    await s.done
  })

  it('defaults maxLineBytes to 10 MiB: an 11 MB line is answered, a 9 MB one is read', async () => {
    expect(DEFAULT_MAX_LINE_BYTES).toBe(10 * 1024 * 1024)
    const s = session()
    s.stdin.write(line(initialize))
    s.stdin.write(line(initialized))
    const big = line({ jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: `orchestr8://${'a'.repeat(11_000_000)}` } })
    expect(big.length).toBe(11_000_083)
    s.stdin.write(big)
    s.stdin.write(line({ jsonrpc: '2.0', id: 3, method: 'ping', params: { _meta: { pad: 'x'.repeat(9_000_000) } } }))
    expect(await s.until(3)).toEqual({ jsonrpc: '2.0', id: 3, result: {} })
    expect(s.messages.find((m) => m.id === 2)?.error).toEqual({ code: -32600, message: `Request line of 11000082 bytes is over the limit of ${DEFAULT_MAX_LINE_BYTES} bytes` })
    s.stdin.end()
    await s.done
  })

  it('answers lines that are not JSON (-32700) or not JSON-RPC (-32600) and keeps serving', async () => {
    const s = session()
    s.stdin.write(line(initialize))
    s.stdin.write('not json\r\n')
    s.stdin.write(line({ id: 4, method: 'ping' }))
    s.stdin.write('\n')
    s.stdin.write(line({ jsonrpc: '2.0', id: 5, method: 'ping' }))
    expect(await s.until(5)).toEqual({ jsonrpc: '2.0', id: 5, result: {} })
    expect(s.messages.filter((m) => m.error !== undefined)).toEqual([
      { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: the line is not JSON' } },
      { jsonrpc: '2.0', id: 4, error: { code: -32600, message: 'Invalid request: the line is not a JSON-RPC 2.0 message' } },
    ])
    s.stdin.end()
    await s.done
  })

  it('waits for drain with one listener however many replies are pending (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`)
    process.on('warning', onWarning)
    const messages: Message[] = []
    let maxDrainListeners = 0
    // A stdout that is always full: every write returns false, and it drains a while later.
    const stdout: Writable = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        maxDrainListeners = Math.max(maxDrainListeners, stdout.listenerCount('drain'))
        for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) messages.push(JSON.parse(l) as Message)
        setTimeout(callback, 2)
      },
    })
    try {
      const s = session({ stdout })
      s.stdin.write(line(initialize))
      s.stdin.write(line(initialized))
      for (let id = 100; id < 140; id++) s.stdin.write(line({ jsonrpc: '2.0', id, method: 'ping' }))
      for (let i = 0; i < 400 && !messages.some((m) => m.id === 139); i++) await new Promise((r) => setTimeout(r, 25))
      expect(messages.filter((m) => typeof m.id === 'number' && m.id >= 100).map((m) => m.id)).toEqual(Array.from({ length: 40 }, (_, i) => 100 + i))
      await new Promise((r) => setImmediate(r))
      expect(maxDrainListeners).toBeLessThanOrEqual(1)
      expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([])
      s.stdin.end()
      await s.done
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('a server process answers an 11 MB line, keeps the session, and exits 0 when stdin ends', async () => {
    const builtCli = path.join(repoRoot, 'dist', 'cli.js')
    const args = existsSync(builtCli) ? [builtCli, 'serve', fixtureLibrary] : ['--import', 'tsx', path.join(repoRoot, 'test', 'mcp', 'launch.ts'), fixtureLibrary]
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    child.stdin.on('error', () => {}) // EPIPE when a server ends the session early (the bug this checks)
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    child.stdin.write(line(initialize))
    child.stdin.write(line(initialized))
    child.stdin.write(line({ jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: `orchestr8://${'a'.repeat(11_000_000)}` } }))
    child.stdin.write(line({ jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: 'orchestr8://agents/postgres-specialist' } }))
    for (let i = 0; i < 1200 && !out.includes('"id":3'); i++) await new Promise((r) => setTimeout(r, 25))
    child.stdin.end()
    expect(await exited).toBe(0)
    const messages = out.trim().split('\n').map((l) => JSON.parse(l) as Message)
    expect(messages.find((m) => m.id === 2)?.error).toEqual({ code: -32600, message: 'Request line of 11000082 bytes is over the limit of 10485760 bytes' })
    expect(messages.find((m) => m.id === 3)?.result?.contents).toHaveLength(1)
    expect(err).toContain('promptfold serve: dropped a request line of 11000082 bytes (limit 10485760), id 2\n')
  })
})
