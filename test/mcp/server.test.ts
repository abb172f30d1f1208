/**
 * createServer in process (InMemoryTransport): details the stdio test does not cover.
 */
import { writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { EmptyResultSchema } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it } from 'vitest'
import { loadLibrary } from '../../src/library/index.js'
import { createServer } from '../../src/mcp/index.js'
import { VERSION } from '../../src/version.js'
import { fixtureLibrary, tempCopy } from '../library/helpers.js'

async function connect(root: string, options = {}, maxBytes?: number) {
  const library = await loadLibrary({ root, ...(maxBytes !== undefined ? { maxBytes } : {}) })
  const server = createServer(library, options)
  const [a, b] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'test', version: '0' })
  await Promise.all([server.connect(a), client.connect(b)])
  return { library, server, client }
}

const text = (c: unknown) => (c as { text: string }).text

describe('createServer', () => {
  it('filters a category match written as orchestr8://<category>/match', async () => {
    const { client } = await connect(fixtureLibrary)
    const { contents } = await client.readResource({ uri: 'orchestr8://skills/match?query=indexes%20and%20query%20plans' })
    const json = JSON.parse(text(contents[1]))
    expect(json.categories).toEqual(['skills'])
    expect(json.results.map((r: { uri: string }) => r.uri).sort()).toEqual(['orchestr8://skills/query-plans', 'orchestr8://skills/sql-indexing'])
    expect(json.results.every((r: { category: string }) => r.category === 'skill')).toBe(true)
  })

  it('uses defaultBudget when none is given and reports the minimum budget when the core does not fit', async () => {
    const { client } = await connect(fixtureLibrary, { defaultBudget: 700 })
    const { contents } = await client.readResource({ uri: 'orchestr8://agents/postgres-specialist?query=pooling' })
    expect(JSON.parse(text(contents[1])).budget).toBe(700)
    const prompt = await client.getPrompt({ name: 'postgres-specialist' })
    expect((prompt._meta?.['promptfold/report'] as { budget: number }).budget).toBe(700)
    expect(prompt.messages).toHaveLength(1)
    const error = await client.readResource({ uri: 'orchestr8://agents/postgres-specialist?budget=1' }).catch((e: unknown) => e as { code: number; data?: { minimumBudget: number } })
    expect(error).toMatchObject({ code: -32602 })
    expect((error as { data: { minimumBudget: number } }).data.minimumBudget).toBeGreaterThan(100)
  })

  it('follows library.refresh(): new documents are listed and readable', async () => {
    const { dir, cleanup } = tempCopy(fixtureLibrary)
    try {
      const { library, client } = await connect(dir)
      expect((await client.listResources()).resources).toHaveLength(25)
      writeFileSync(path.join(dir, 'agents', 'new-agent.md'), '---\nid: new-agent\ncategory: agent\nuseWhen: [Testing refresh]\n---\n# New Agent\n')
      await library.refresh()
      const { resources } = await client.listResources()
      expect(resources.find((r) => r.uri === 'orchestr8://agents/new-agent')).toMatchObject({ name: 'new-agent', title: 'New Agent', description: 'Testing refresh' })
      expect((await client.listPrompts()).prompts.map((p) => p.name)).toContain('new-agent')
      expect(text((await client.readResource({ uri: 'orchestr8://agents/new-agent' })).contents[0])).toContain('# New Agent')
    } finally {
      cleanup()
    }
  })

  it('serves broken documents as written, and answers unreadable ones with an internal error', async () => {
    const { client } = await connect(fixtureLibrary)
    const { contents } = await client.readResource({ uri: 'orchestr8://skills/broken-yaml' })
    expect(text(contents[0])).toContain('# Broken YAML')
    // With a 600-byte limit most files are too large to read: listed, but not served.
    const small = await connect(fixtureLibrary, {}, 600)
    expect((await small.client.listResources()).resources).toHaveLength(25)
    await expect(small.client.readResource({ uri: 'orchestr8://agents/postgres-specialist' })).rejects.toMatchObject({ code: -32603, message: expect.stringMatching(/over the 600-byte limit/) })
    expect(small.library.entries.find((e) => e.path === 'agents/postgres-specialist.md')?.diagnostics[0]?.code).toBe('FILE_TOO_LARGE')
  })

  it('errors reach the client with the SDK prefix once, their code and their data', async () => {
    const { client } = await connect(fixtureLibrary)
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as { code: number; message: string; data?: unknown })
    expect(await failure(client.readResource({ uri: 'orchestr8://examples/nope' }))).toMatchObject({
      code: -32002,
      message: 'MCP error -32002: Resource not found: orchestr8://examples/nope',
      data: { uri: 'orchestr8://examples/nope' },
    })
    expect(await failure(client.getPrompt({ name: 'postgres-specialist', arguments: { budget: 'lots' } }))).toMatchObject({
      code: -32602,
      message: 'MCP error -32602: budget must be a non-negative integer number of tokens, got lots',
    })
    const low = await failure(client.readResource({ uri: 'orchestr8://agents/postgres-specialist?budget=1' }))
    expect(low?.code).toBe(-32602)
    expect(low?.message).toMatch(/^MCP error -32602: Budget 1 is below the \d+ tokens the core of orchestr8:\/\/agents\/postgres-specialist needs$/)
    expect(low?.data).toEqual({ minimumBudget: Number(/the (\d+) tokens/.exec(low?.message ?? '')?.[1]) })
    const small = await connect(fixtureLibrary, {}, 600)
    expect((await failure(small.client.readResource({ uri: 'orchestr8://agents/postgres-specialist' })))?.message).toMatch(/^MCP error -32603: orchestr8:\/\/agents\/postgres-specialist could not be read: /)
  })

  it('answers params of the wrong type with -32602 and one sentence, not -32603 and a validator dump (issue 17, item 8)', async () => {
    const { client } = await connect(fixtureLibrary)
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as { code: number; message: string })
    const cases: [string, Record<string, unknown>, string][] = [
      ['resources/read', { uri: 5 }, 'Invalid params of resources/read: params.uri: expected string, received number.'],
      ['resources/read', {}, 'Invalid params of resources/read: params.uri: expected string, received undefined.'],
      ['prompts/get', { name: 7 }, 'Invalid params of prompts/get: params.name: expected string, received number.'],
      ['prompts/get', { name: 'postgres-specialist', arguments: { budget: 5 } }, 'Invalid params of prompts/get: params.arguments.budget: expected string, received number.'],
      ['resources/list', { cursor: 1 }, 'Invalid params of resources/list: params.cursor: expected string, received number.'],
      ['prompts/list', { cursor: {} }, 'Invalid params of prompts/list: params.cursor: expected string, received object.'],
    ]
    for (const [method, params, message] of cases) {
      const error = await failure(client.request({ method, params } as never, EmptyResultSchema.passthrough()))
      expect(error, method).toMatchObject({ code: -32602, message: `MCP error -32602: ${message}` })
    }
    // The server keeps serving after them.
    expect((await client.listResources()).resources.length).toBeGreaterThan(0)
  })

  it('refuses a match query with a malformed percent-escape (issue 17, item 8)', async () => {
    const { client } = await connect(fixtureLibrary)
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as { code: number; message: string })
    for (const uri of ['orchestr8://match?query=%zz', 'orchestr8://match?query=postgres&tags=%E0%A4%A', 'orchestr8://skills/match?query=a%']) {
      const error = await failure(client.readResource({ uri }))
      expect(error?.code, uri).toBe(-32602)
      expect(error?.message, uri).toMatch(/^MCP error -32602: Invalid query in orchestr8:\/\/.*: malformed percent-escape in "/)
    }
    expect((await client.readResource({ uri: 'orchestr8://match?query=postgres%20pooling' })).contents).toHaveLength(2)
  })

  it('reads URIs up to 4096 characters as the docs promise, and refuses longer ones (issue 17, item 8)', async () => {
    const { client } = await connect(fixtureLibrary)
    const base = 'orchestr8://match?query=postgres&tags=&x='
    const at = `${base}${'a'.repeat(4096 - base.length)}`
    // Not refused for its length: the unknown parameter x is ignored by match.
    const { contents } = await client.readResource({ uri: at })
    expect(JSON.parse(text(contents[1])).query).toBe('postgres')
    await expect(client.readResource({ uri: `${at}a` })).rejects.toMatchObject({ code: -32602, message: 'MCP error -32602: uri is longer than 4096 characters' })
    // A 4096-character path is looked up (not found), not refused as invalid.
    const path = `orchestr8://examples/${'a'.repeat(4096 - 'orchestr8://examples/'.length)}`
    await expect(client.readResource({ uri: path })).rejects.toMatchObject({ code: -32002 })
  })

  it('reports promptfold\'s version unless told otherwise', async () => {
    expect((await connect(fixtureLibrary)).client.getServerVersion()).toMatchObject({ name: 'promptfold', version: VERSION })
    expect((await connect(fixtureLibrary, { name: 'x', version: '9.9.9' })).client.getServerVersion()).toMatchObject({ name: 'x', version: '9.9.9' })
  })
})
