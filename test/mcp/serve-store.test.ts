/**
 * `serve` with a persistent parse store: what a session parses, and the titles it lists, are
 * written out when it ends, and a second session over the same store lists the same titles
 * without parsing anything.
 */
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { ParseStore } from '../../src/cache/store.js'
import { serve } from '../../src/mcp/index.js'
import { resourcesRoot } from '../helpers/fixtures.js'

/** A store that keeps parses in memory and counts what happens to it. */
function recordingStore(): ParseStore & { flush(): number; kept: Map<string, object>; pending: Map<string, object>; gets: number; hits: number; flushes: number; keysRead: string[] } {
  const kept = new Map<string, object>()
  const pending = new Map<string, object>()
  const store = {
    kept,
    pending,
    gets: 0,
    hits: 0,
    flushes: 0,
    keysRead: [] as string[],
    get(key: string) {
      store.gets++
      store.keysRead.push(key)
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

type Listed = { title?: string }[]

/**
 * One session: initialize, list resources; when that list lacks a title, wait for
 * notifications/resources/list_changed (the warming has parsed everything) and list again; end
 * stdin. Resolves with the titles of the first and of the last list, and the keys read from the
 * store in this session when the first list was answered.
 */
async function session(parseStore: ReturnType<typeof recordingStore>): Promise<{ first: (string | undefined)[]; last: (string | undefined)[]; getsAtFirstList: string[] }> {
  const stdin = new PassThrough()
  const stdout = new PassThrough()
  const messages: { id?: number; method?: string; result?: { resources?: Listed } }[] = []
  let getsAtFirstList: string[] = []
  const readBefore = parseStore.keysRead.length
  let buffer = ''
  stdout.setEncoding('utf8').on('data', (d: string) => {
    buffer += d
    for (let i = buffer.indexOf('\n'); i !== -1; i = buffer.indexOf('\n')) {
      const message = JSON.parse(buffer.slice(0, i)) as (typeof messages)[number]
      buffer = buffer.slice(i + 1)
      if (message.id === 2) getsAtFirstList = parseStore.keysRead.slice(readBefore)
      messages.push(message)
    }
  })
  const done = serve(resourcesRoot, { stdin, stdout, log: null, parseStore })
  const send = (message: object) => stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`)
  const until = async (found: () => boolean) => {
    for (let i = 0; i < 400 && !found(); i++) await new Promise((r) => setTimeout(r, 25))
  }
  send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } })
  send({ method: 'notifications/initialized' })
  send({ id: 2, method: 'resources/list', params: {} })
  await until(() => messages.some((m) => m.id === 2))
  const titles = (id: number) => (messages.find((m) => m.id === id)?.result?.resources ?? []).map((r) => r.title)
  const first = titles(2)
  let last = first
  if (first.includes(undefined)) {
    await until(() => messages.some((m) => m.method === 'notifications/resources/list_changed'))
    send({ id: 3, method: 'resources/list', params: {} })
    await until(() => messages.some((m) => m.id === 3))
    last = titles(3)
  }
  stdin.end()
  await done
  return { first, last, getsAtFirstList }
}

describe('serve with a parseStore', () => {
  it('writes what a session parsed, and the titles it listed, when it ends; the next session lists them from the store', async () => {
    const store = recordingStore()
    const one = await session(store)
    expect(one.last.length).toBeGreaterThan(0)
    expect(one.last).not.toContain(undefined)
    expect(store.flushes).toBeGreaterThanOrEqual(1)
    expect(store.pending.size).toBe(0)
    // A parse per document, and one entry holding the listing (titles by URI and digest).
    const listings = [...store.kept.keys()].filter((k) => k.startsWith('mcp-listing-'))
    expect(listings).toHaveLength(1)
    expect(store.kept.size).toBe(one.last.length + 1)
    expect((store.kept.get(listings[0] as string) as { titles: unknown[] }).titles).toHaveLength(one.last.length)
    // The next session's first list has every title, read from the listing entry, before any parse is read back.
    const two = await session(store)
    expect(two.first).toEqual(one.last)
    expect(two.getsAtFirstList).toEqual(listings)
  })
})

describe('serve with an indexStore', () => {
  it('loads the library through it: the index a session writes is read by the next', async () => {
    const kept = new Map<string, Uint8Array>()
    const reads: string[] = []
    const indexStore = {
      get(key: string) {
        reads.push(key)
        return kept.get(key)
      },
      set(key: string, value: Uint8Array) {
        kept.set(key, value)
      },
    }
    const once = async () => {
      const stdin = new PassThrough()
      const stdout = new PassThrough()
      let out = ''
      stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
      const done = serve(resourcesRoot, { stdin, stdout, log: null, watch: false, warm: false, indexStore })
      stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'resources/list' })}\n`)
      for (let i = 0; i < 400 && !out.includes('"id":1'); i++) await new Promise((r) => setTimeout(r, 10))
      // The index is written in a turn after the load.
      for (let i = 0; i < 400 && kept.size === 0; i++) await new Promise((r) => setTimeout(r, 10))
      stdin.end()
      await done
      return (JSON.parse(out.trim().split('\n')[0] as string) as { result: { resources: unknown[] } }).result.resources
    }
    const first = await once()
    expect(reads).toHaveLength(1)
    // The index's two values: the index, and its details (read when the entries are first asked for).
    const key = reads[0] as string
    expect([...kept.keys()].sort()).toEqual([key, `${key}-details`].sort())
    const second = await once()
    expect(reads).toEqual([key, key, `${key}-details`])
    expect(second).toEqual(first)
  })
})
