/**
 * `serve` with a persistent parse store parses ahead, off the event loop, only what the store
 * lacks: a second session over the same store answers the same assembled view (slots resolved
 * two levels deep) without one markdown parse, so it never waits for the parser's worker.
 */
import { PassThrough } from 'node:stream'
import { describe, expect, it, vi } from 'vitest'
import type { ParseStore } from '../../src/cache/store.js'
import { resourcesRoot } from '../helpers/fixtures.js'

const offThread = vi.hoisted(() => ({ bodies: [] as string[] }))
vi.mock('../../src/parse/markdown.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/parse/markdown.js')>()
  return {
    ...original,
    parseMarkdownOffThread: (text: string, options?: Parameters<typeof original.parseMarkdownOffThread>[1]) => {
      offThread.bodies.push(text)
      return original.parseMarkdownOffThread(text, options)
    },
  }
})

const { serve } = await import('../../src/mcp/index.js')

/** A store in memory whose writes are kept when it is flushed (as the CLI's file store). */
function memoryStore(): ParseStore & { flush(): void; kept: Map<string, unknown> } {
  const kept = new Map<string, unknown>()
  const pending = new Map<string, unknown>()
  return {
    kept,
    get: (key) => kept.get(key),
    set: (key, value) => void pending.set(key, value),
    flush() {
      for (const [k, v] of pending) kept.set(k, v)
      pending.clear()
    },
  }
}

const VIEW = 'orchestr8://agents/mlops-specialist?budget=3000&query=track%20experiments'

/** One session that reads {@link VIEW} and ends; the text of the view and the bodies parsed off the event loop meanwhile. */
async function session(parseStore: ReturnType<typeof memoryStore> | undefined): Promise<{ text: string; report: string; parsedOffThread: number }> {
  offThread.bodies.length = 0
  const stdin = new PassThrough()
  const stdout = new PassThrough()
  let buffer = ''
  const answered = new Promise<{ text: string; report: string }>((resolve) => {
    stdout.setEncoding('utf8').on('data', (d: string) => {
      buffer += d
      for (const line of buffer.split('\n').slice(0, -1)) {
        const m = JSON.parse(line) as { id?: number; result?: { contents: { text: string }[] } }
        if (m.id === 2 && m.result) resolve({ text: m.result.contents[0]?.text ?? '', report: m.result.contents[1]?.text ?? '' })
      }
    })
  })
  // No warming: only the read parses, so what it parsed off the event loop is what it waited for.
  const done = serve(resourcesRoot, { stdin, stdout, log: null, ...(parseStore !== undefined ? { parseStore } : {}), warm: false, watch: false })
  stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })}\n`)
  stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: VIEW } })}\n`)
  const { text, report } = await answered
  const parsedOffThread = offThread.bodies.length
  stdin.end()
  await done
  return { text, report, parsedOffThread }
}

describe('serve: parsing ahead with a persistent parse store', () => {
  it('a first session parses the agent and its examples off the event loop; the next one reads them back and parses nothing', async () => {
    const store = memoryStore()
    const first = await session(store)
    // The agent once, each of its 4 examples twice (for the library, and for the assembly's resolver).
    expect(first.parsedOffThread).toBe(9)
    expect(store.kept.size).toBeGreaterThan(0)
    const again = await session(store)
    expect(again.parsedOffThread).toBe(0)
    expect(again.text).toBe(first.text)
    // Same input, same bytes: the report too (an assembled view is assembled with `timings: false`).
    expect(again.report).toBe(first.report)
    expect(JSON.parse(first.report).timings).toStrictEqual({ resolveMs: 0, measureMs: 0, selectMs: 0, totalMs: 0 })
  })

  it('without a store every session parses ahead', async () => {
    const first = await session(undefined)
    expect(first.parsedOffThread).toBe(9)
  })
})
