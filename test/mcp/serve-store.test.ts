/**
 * `serve` with a persistent parse store: what a session parses is written out when it ends,
 * and a second session over the same store parses nothing to list the same resources.
 */
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { ParseStore } from '../../src/cache/store.js'
import { serve } from '../../src/mcp/index.js'
import { resourcesRoot } from '../helpers/fixtures.js'

/** A store that keeps parses in memory and counts what happens to it. */
function recordingStore(): ParseStore & { flush(): number; kept: Map<string, object>; pending: Map<string, object>; gets: number; hits: number; flushes: number } {
  const kept = new Map<string, object>()
  const pending = new Map<string, object>()
  const store = {
    kept,
    pending,
    gets: 0,
    hits: 0,
    flushes: 0,
    get(key: string) {
      store.gets++
      const v = kept.get(key)
      if (v !== undefined) store.hits++
      return v
    },
    set(key: string, value: object) {
      pending.set(key, value)
    },
    flush() {
      store.flushes++
      for (const [k, v] of pending) kept.set(k, v)
      const n = pending.size
      pending.clear()
      return n
    },
  }
  return store
}

/** One session: initialize, list resources, end stdin; resolves with the resource titles. */
async function session(parseStore: ParseStore): Promise<string[]> {
  const stdin = new PassThrough()
  const stdout = new PassThrough()
  let out = ''
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  const done = serve(resourcesRoot, { stdin, stdout, log: null, parseStore })
  const send = (message: object) => stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`)
  send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } })
  send({ method: 'notifications/initialized' })
  send({ id: 2, method: 'resources/list', params: {} })
  for (let i = 0; i < 200 && !out.includes('"id":2'); i++) await new Promise((r) => setTimeout(r, 25))
  stdin.end()
  await done
  const list = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id?: number; result?: { resources?: { title: string }[] } })
    .find((m) => m.id === 2)
  return (list?.result?.resources ?? []).map((r) => r.title)
}

describe('serve with a parseStore', () => {
  it('writes what a session parsed when it ends; the next session lists the same from the store', async () => {
    const store = recordingStore()
    const first = await session(store)
    expect(first.length).toBeGreaterThan(0)
    expect(store.flushes).toBeGreaterThanOrEqual(1)
    expect(store.pending.size).toBe(0)
    expect(store.kept.size).toBe(first.length)
    const hitsBefore = store.hits
    const second = await session(store)
    expect(second).toEqual(first)
    expect(store.hits - hitsBefore).toBe(first.length)
  })
})
