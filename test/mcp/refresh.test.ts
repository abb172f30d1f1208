/**
 * The MCP server follows its files (issue 17, item 7): with `watch` on (the default of
 * `serve`, off for `createServer` alone) edits, additions, removals and renames below the
 * root are picked up within 2 s, clients get `notifications/resources/list_changed` and,
 * for a subscribed URI, `notifications/resources/updated`, and reads return the new text.
 * Every wait polls with a bounded deadline.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it } from 'vitest'
import { loadLibrary } from '../../src/library/index.js'
import { type CreateServerOptions, createServer, RESOURCE_NOT_FOUND } from '../../src/mcp/server.js'
import { serve } from '../../src/mcp/serve.js'

const WITHIN_MS = 2000

const made: string[] = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A temp root with two skills. */
function folder(): string {
  const base = mkdtempSync(path.join(tmpdir(), 'promptfold-refresh-'))
  made.push(base)
  const root = path.join(base, 'root')
  mkdirSync(path.join(root, 'skills'), { recursive: true })
  writeFileSync(path.join(root, 'skills', 'alpha.md'), '# Alpha\n\nFirst text.\n')
  writeFileSync(path.join(root, 'skills', 'beta.md'), '# Beta\n\nBeta text.\n')
  return root
}

/** Resolves when `check()` is true; fails after `ms`. */
async function until(check: () => boolean, what: string, ms = WITHIN_MS): Promise<number> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
  return Date.now() - start
}

async function connect(root: string, options: CreateServerOptions = {}) {
  const library = await loadLibrary({ root })
  const server = createServer(library, options)
  const [a, b] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'test', version: '0' })
  const listChanged: number[] = []
  const updated: string[] = []
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void listChanged.push(library.version))
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri))
  await Promise.all([server.connect(a), client.connect(b)])
  return { library, server, client, listChanged, updated }
}

const text = (c: unknown) => (c as { text: string }).text

async function readError(client: Client, uri: string): Promise<number | undefined> {
  try {
    await client.readResource({ uri })
    return undefined
  } catch (error) {
    return (error as { code?: number }).code
  }
}

describe('MCP server: watch', () => {
  {
    it('follows an edit, an addition, a removal and a rename within 2 s (watch: true)', async () => {
      const root = folder()
      const { client, server, listChanged, updated } = await connect(root, { watch: true })
      expect(client.getServerCapabilities()?.resources).toEqual({ listChanged: true, subscribe: true })
      await client.subscribeResource({ uri: 'orchestr8://skills/alpha' })
      await client.subscribeResource({ uri: 'orchestr8://skills/beta' })
      await client.subscribeResource({ uri: 'orchestr8://skills/delta' })
      await client.subscribeResource({ uri: 'orchestr8://skills/gamma' })
      await client.unsubscribeResource({ uri: 'orchestr8://skills/gamma' })
      expect(text((await client.readResource({ uri: 'orchestr8://skills/alpha' })).contents[0])).toBe('# Alpha\n\nFirst text.\n')

      // Edit.
      writeFileSync(path.join(root, 'skills', 'alpha.md'), '# Alpha\n\nSecond text.\n')
      await until(() => updated.includes('orchestr8://skills/alpha'), 'updated for the edited file')
      expect(listChanged.length).toBeGreaterThanOrEqual(1)
      expect(text((await client.readResource({ uri: 'orchestr8://skills/alpha' })).contents[0])).toBe('# Alpha\n\nSecond text.\n')

      // Addition (not subscribed: list_changed only).
      let lists = listChanged.length
      writeFileSync(path.join(root, 'skills', 'gamma.md'), '# Gamma\n\nNew.\n')
      await until(() => listChanged.length > lists, 'list_changed for the added file')
      expect(text((await client.readResource({ uri: 'orchestr8://skills/gamma' })).contents[0])).toBe('# Gamma\n\nNew.\n')
      expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['orchestr8://skills/alpha', 'orchestr8://skills/beta', 'orchestr8://skills/gamma'])

      // Addition in a new folder.
      lists = listChanged.length
      mkdirSync(path.join(root, 'agents', 'deep'), { recursive: true })
      writeFileSync(path.join(root, 'agents', 'deep', 'new-agent.md'), '# New agent\n\nHello.\n')
      await until(() => listChanged.length > lists, 'list_changed for the file in a new folder')
      expect(text((await client.readResource({ uri: 'orchestr8://agents/deep/new-agent' })).contents[0])).toBe('# New agent\n\nHello.\n')
      // A later edit inside the new folder is followed too.
      lists = listChanged.length
      writeFileSync(path.join(root, 'agents', 'deep', 'new-agent.md'), '# New agent\n\nHello again.\n')
      await until(() => listChanged.length > lists, 'list_changed for an edit in the new folder')
      expect(text((await client.readResource({ uri: 'orchestr8://agents/deep/new-agent' })).contents[0])).toBe('# New agent\n\nHello again.\n')
      unlinkSync(path.join(root, 'agents', 'deep', 'new-agent.md'))
      await until(() => listChanged.length > lists + 1, 'list_changed for the removal in the new folder')

      // Removal.
      unlinkSync(path.join(root, 'skills', 'beta.md'))
      await until(() => updated.includes('orchestr8://skills/beta'), 'updated for the removed file')
      expect(await readError(client, 'orchestr8://skills/beta')).toBe(RESOURCE_NOT_FOUND)

      // Rename: alpha goes away, delta (subscribed before it existed) appears.
      lists = listChanged.length
      const seen = updated.length
      renameSync(path.join(root, 'skills', 'alpha.md'), path.join(root, 'skills', 'delta.md'))
      await until(() => ['orchestr8://skills/alpha', 'orchestr8://skills/delta'].every((u) => updated.slice(seen).includes(u)), 'updated for both names of the renamed file')
      expect(listChanged.length).toBeGreaterThan(lists)
      expect(await readError(client, 'orchestr8://skills/alpha')).toBe(RESOURCE_NOT_FOUND)
      expect(text((await client.readResource({ uri: 'orchestr8://skills/delta' })).contents[0])).toBe('# Alpha\n\nSecond text.\n')
      expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['orchestr8://skills/delta', 'orchestr8://skills/gamma'])
      // gamma was unsubscribed: never told as updated.
      expect(updated).not.toContain('orchestr8://skills/gamma')
      await server.close()
    })
  }

  it("follows an edit and a removal within 2 s by polling (watch: 'poll')", async () => {
    const root = folder()
    const { client, server, library, listChanged, updated } = await connect(root, { watch: 'poll' })
    await client.subscribeResource({ uri: 'orchestr8://skills/alpha' })
    writeFileSync(path.join(root, 'skills', 'alpha.md'), '# Alpha\n\nPolled.\n')
    unlinkSync(path.join(root, 'skills', 'beta.md'))
    await until(() => updated.includes('orchestr8://skills/alpha') && library.entries.length === 1 && listChanged.length >= 1, 'both changes polled')
    expect(new Set(updated)).toEqual(new Set(['orchestr8://skills/alpha']))
    expect(text((await client.readResource({ uri: 'orchestr8://skills/alpha' })).contents[0])).toBe('# Alpha\n\nPolled.\n')
    expect(await readError(client, 'orchestr8://skills/beta')).toBe(RESOURCE_NOT_FOUND)
    await server.close()
  })

  it('tells a subscribed assembled view about a change to what it inlines, and reads it assembled anew', async () => {
    const root = folder()
    mkdirSync(path.join(root, 'agents'))
    mkdirSync(path.join(root, 'examples'))
    writeFileSync(path.join(root, 'agents', 'helper.md'), '# Helper\n\nHelps.\n\n## Example\n\n**Complete Implementation:**\n```\norchestr8://examples/sample\n```\n')
    writeFileSync(path.join(root, 'examples', 'sample.md'), '# Sample\n\nOld example body.\n')
    const { client, server, updated } = await connect(root, { watch: true })
    const view = 'orchestr8://agents/helper?budget=2000'
    expect(text((await client.readResource({ uri: view })).contents[0])).toContain('Old example body.')
    await client.subscribeResource({ uri: view })
    writeFileSync(path.join(root, 'examples', 'sample.md'), '# Sample\n\nNew example body.\n')
    await until(() => updated.includes(view), 'updated for the assembled view')
    const assembled = text((await client.readResource({ uri: view })).contents[0])
    expect(assembled).toContain('New example body.')
    expect(assembled).not.toContain('Old example body.')
    await server.close()
  })

  it('is off for createServer by default and stops when the server closes', async () => {
    const root = folder()
    const reference = await connect(root, { watch: true })
    const plain = await connect(root)
    const closed = await connect(root, { watch: true })
    let closedSeen = false
    closed.server.onclose = () => {
      closedSeen = true
    }
    await closed.client.close()
    await until(() => closedSeen, 'onclose set by the caller still runs')
    writeFileSync(path.join(root, 'skills', 'alpha.md'), '# Alpha\n\nEdited.\n')
    await until(() => reference.listChanged.length > 0, 'the watching server noticed')
    // A second change the reference follows: any watcher left running would have refreshed by now.
    writeFileSync(path.join(root, 'skills', 'beta.md'), '# Beta\n\nEdited.\n')
    await until(() => reference.library.source('orchestr8://skills/beta') === '# Beta\n\nEdited.\n' && reference.listChanged.length > 1, 'the watching server noticed again')
    // The reference server refreshed on the same file events; neither other library did.
    expect(reference.library.source('orchestr8://skills/alpha')).toBe('# Alpha\n\nEdited.\n')
    expect(plain.library.version).toBe(0)
    expect(plain.library.source('orchestr8://skills/alpha')).toBe('# Alpha\n\nFirst text.\n')
    expect(plain.listChanged).toEqual([])
    expect(closed.library.version).toBe(0)
    expect(closed.library.source('orchestr8://skills/alpha')).toBe('# Alpha\n\nFirst text.\n')
    await reference.server.close()
    await plain.server.close()
  })

  it('serve() watches by default and notifies over its stream', async () => {
    const root = folder()
    const stdin = new PassThrough()
    const messages: { id?: number; method?: string; params?: { uri?: string }; result?: unknown }[] = []
    let buffered = ''
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        buffered += chunk.toString('utf8')
        let nl: number
        while ((nl = buffered.indexOf('\n')) !== -1) {
          messages.push(JSON.parse(buffered.slice(0, nl)))
          buffered = buffered.slice(nl + 1)
        }
        callback()
      },
    })
    const done = serve(root, { stdin, stdout, log: null })
    const send = (m: object) => stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`)
    send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } })
    await until(() => messages.some((m) => m.id === 1), 'initialize answered')
    send({ method: 'notifications/initialized' })
    send({ id: 2, method: 'resources/subscribe', params: { uri: 'orchestr8://skills/beta' } })
    await until(() => messages.some((m) => m.id === 2), 'subscribe answered')
    expect(messages.find((m) => m.id === 2)?.result).toEqual({})
    writeFileSync(path.join(root, 'skills', 'beta.md'), '# Beta\n\nChanged.\n')
    await until(() => messages.some((m) => m.method === 'notifications/resources/updated'), 'updated over the stream')
    expect(messages.filter((m) => m.method === 'notifications/resources/list_changed').length).toBeGreaterThanOrEqual(1)
    expect(messages.filter((m) => m.method === 'notifications/resources/updated').map((m) => m.params?.uri)).toEqual(['orchestr8://skills/beta'])
    send({ id: 3, method: 'resources/read', params: { uri: 'orchestr8://skills/beta' } })
    await until(() => messages.some((m) => m.id === 3), 'read answered')
    expect((messages.find((m) => m.id === 3)?.result as { contents: { text: string }[] }).contents[0]?.text).toBe('# Beta\n\nChanged.\n')
    stdin.end()
    await done
  })
})
