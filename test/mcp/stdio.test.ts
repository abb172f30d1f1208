/**
 * End to end: the SDK's own Client over a real stdio transport, against a server process
 * started as `node dist/cli.js serve <root>` (or `test/mcp/launch.ts` when dist/ is not built).
 */
import { existsSync } from 'node:fs'
import * as path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { type Resource, ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTokenCounter } from '../../src/count/index.js'
import { type AssemblyReport, assemblyReportSchema } from '../../src/report/schema.js'
import { fixtureLibrary, repoRoot } from '../library/helpers.js'

const counter = createTokenCounter()
let client: Client
let transport: StdioClientTransport
const builtCli = path.join(repoRoot, 'dist', 'cli.js')
let stderr = ''
/** Resolved by the next notifications/resources/list_changed. */
let listChanged: Promise<void>
let onListChanged = () => undefined as void
const expectListChanged = () => {
  listChanged = new Promise<void>((resolve) => {
    onListChanged = resolve
  })
}

beforeAll(async () => {
  transport = new StdioClientTransport({
    command: process.execPath,
    // The real CLI process (`npm test` builds dist/ first); the tsx launcher serves when it is not built.
    args: existsSync(builtCli) ? [builtCli, 'serve', fixtureLibrary] : ['--import', 'tsx', path.join(repoRoot, 'test', 'mcp', 'launch.ts'), fixtureLibrary],
    cwd: repoRoot,
    stderr: 'pipe',
  })
  transport.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  client = new Client({ name: 'promptfold-e2e', version: '0.0.0' })
  expectListChanged()
  client.setNotificationHandler(ResourceListChangedNotificationSchema, async () => onListChanged())
  await client.connect(transport)
})

afterAll(async () => {
  await client?.close()
})

const u = (p: string) => `orchestr8://${p}`
const text = (c: unknown) => (c as { text: string }).text
/** The slot with the highest value, and what was decided for it. */
const best = (report: AssemblyReport) => {
  const top = report.references.filter((r) => r.kind === 'slot').sort((a, b) => (b.value ?? 0) - (a.value ?? 0))[0]
  return [top?.uri, top?.decision]
}

describe('promptfold MCP server over stdio', () => {
  it('reports itself and its capabilities', () => {
    expect(client.getServerVersion()?.name).toBe('promptfold')
    expect(client.getServerCapabilities()).toMatchObject({ resources: {}, prompts: {} })
  })

  it('lists every entry as a resource with name, title, description from useWhen, mime type, size and tokens', async () => {
    // The list gives the titles and counts known so far (docs/mcp.md, "Listing"); a list that
    // lacked some is followed by list_changed once the background warming has them all.
    const lacks = (list: Resource[]) => list.some((r) => r.title === undefined || r._meta?.['promptfold/tokens'] === undefined)
    // (Several may come: when the library has loaded, and when the warming is done; under load the
    // first can come before this list: each list that lacks some waits for the next one.)
    let { resources } = await client.listResources()
    for (let i = 0; i < 10 && lacks(resources); i++) {
      expectListChanged()
      ;({ resources } = await client.listResources())
      if (lacks(resources)) {
        await listChanged
        ;({ resources } = await client.listResources())
      }
    }
    expect(lacks(resources)).toBe(false)
    expect(resources).toHaveLength(25)
    const r = resources.find((x) => x.uri === u('examples/database/postgres-replication'))
    expect(r).toMatchObject({
      name: 'postgres-replication',
      title: 'Replication and Failover',
      description: 'Adding a hot standby to PostgreSQL; Planning failover and replica promotion',
      mimeType: 'text/markdown',
    })
    expect(r?.size).toBeGreaterThan(400)
    const tokens = r?._meta?.['promptfold/tokens'] as number
    const read = await client.readResource({ uri: u('examples/database/postgres-replication') })
    expect(tokens).toBe(counter.count(text(read.contents[0])))
    expect(r?._meta?.['promptfold/encoding']).toBe('o200k_base')
    // A name claimed by two documents is not used as either one's name.
    expect(resources.find((x) => x.uri === u('patterns/connection-pooling'))?.name).toBe('patterns/connection-pooling')
  })

  it('lists the resource templates for assembled views and matching', async () => {
    const { resourceTemplates } = await client.listResourceTemplates()
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      'orchestr8://agents/{+path}?budget={budget}&query={query}',
      'orchestr8://match?query={query}&categories={categories}&tags={tags}&maxResults={maxResults}',
    ])
  })

  it('reads a document as written', async () => {
    const { contents } = await client.readResource({ uri: u('agents/postgres-specialist') })
    expect(contents).toHaveLength(1)
    expect(contents[0]).toMatchObject({ uri: u('agents/postgres-specialist'), mimeType: 'text/markdown' })
    expect(text(contents[0])).toMatch(/^---\nid: postgres-specialist\n/)
  })

  it('reads an assembled view under a budget, with the report as the second content item', async () => {
    const uri = u('agents/postgres-specialist?budget=900&query=replication%20failover')
    const { contents, _meta } = await client.readResource({ uri })
    expect(contents.map((c) => c.mimeType)).toEqual(['text/markdown', 'application/json'])
    const body = text(contents[0])
    const report = assemblyReportSchema.parse(JSON.parse(text(contents[1])))
    expect(counter.count(body)).toBe(report.totalTokens)
    expect(report.totalTokens).toBeLessThanOrEqual(900)
    expect(report.budget).toBe(900)
    expect(report.query).toBe('replication failover')
    expect(_meta?.['promptfold/totalTokens']).toBe(report.totalTokens)
    // The most relevant example has the highest value and is inlined.
    expect(best(report)).toEqual([u('examples/database/postgres-replication'), 'inlined'])
    expect(body).toContain('pg_ctl promote')
    // A larger budget inlines more, never more than asked.
    const big = await client.readResource({ uri: u('agents/postgres-specialist?budget=3000') })
    const bigReport = JSON.parse(text(big.contents[1]))
    expect(bigReport.totalTokens).toBeLessThanOrEqual(3000)
    expect(bigReport.totalTokens).toBeGreaterThan(report.totalTokens)
  })

  it('matches a task', async () => {
    const { contents } = await client.readResource({ uri: u('match?query=kafka%20consumer%20offsets%20and%20batch%20ingestion&categories=examples&maxResults=2') })
    expect(text(contents[0]).split('\n')[0]).toMatch(/^1\. orchestr8:\/\/examples\/data\/kafka-consumer-groups \(score [\d.]+, \d+ tokens\): Streaming with Kafka Consumer Groups/)
    const json = JSON.parse(text(contents[1]))
    expect(json.results).toHaveLength(2)
    expect(json.results[0]).toMatchObject({ uri: u('examples/data/kafka-consumer-groups'), category: 'example' })
    expect(json.categories).toEqual(['examples'])
  })

  it('lists a prompt per agent and assembles it with budget and task arguments', async () => {
    const { prompts } = await client.listPrompts()
    expect(prompts.map((p) => p.name)).toEqual(['frontend-specialist', 'data-pipeline-engineer', 'postgres-specialist'])
    expect(prompts[2]?.arguments?.map((a) => a.name)).toEqual(['task', 'budget'])
    const result = await client.getPrompt({ name: 'postgres-specialist', arguments: { budget: '1200', task: 'restore yesterday from backup' } })
    const first = result.messages[0]?.content as { type: string; text: string }
    const report = assemblyReportSchema.parse(result._meta?.['promptfold/report'])
    expect(counter.count(first.text)).toBe(report.totalTokens)
    expect(report.totalTokens).toBeLessThanOrEqual(1200)
    expect(best(report)).toEqual([u('examples/postgres-backup-recovery'), 'inlined'])
    expect((result.messages[1]?.content as { text: string }).text).toBe('Task: restore yesterday from backup')
  })

  it('answers unknown and hostile URIs with errors and stays up', async () => {
    const cases: [string, number, RegExp][] = [
      [u('examples/does-not-exist'), -32002, /not found/i],
      ['file:///etc/passwd', -32002, /not found/i],
      [u('../../etc/passwd'), -32602, /\.\./],
      [u('examples/%2e%2e/%2e%2e/etc/passwd'), -32602, /\.\./],
      [u('examples/a%00b'), -32602, /NUL/],
      [u('examples/bad%zz'), -32602, /percent/],
      [`${u('agents/postgres-specialist')}?budget=-3`, -32602, /budget/],
      [`${u('agents/postgres-specialist')}?budget=10`, -32602, /below the \d+ tokens/],
      [`${u('agents/postgres-specialist')}?budget=100&evil=1`, -32602, /Unknown parameter/],
      [u('match?query='), -32602, /query/],
      [u('match?query=x&maxResults=0'), -32602, /maxResults/],
      [`${u('x')}/${'a'.repeat(5000)}`, -32602, /longer/],
    ]
    for (const [uri, code, message] of cases) {
      const error = await client.readResource({ uri }).then(
        () => undefined,
        (e: unknown) => e as { code: number; message: string },
      )
      expect(error, uri.slice(0, 80)).toBeDefined()
      expect(error?.code, uri.slice(0, 80)).toBe(code)
      expect(error?.message, uri.slice(0, 80)).toMatch(message)
      // The SDK's prefix once, never twice.
      expect(error?.message.startsWith(`MCP error ${code}: `), uri.slice(0, 80)).toBe(true)
      expect(error?.message.slice(`MCP error ${code}: `.length), uri.slice(0, 80)).not.toMatch(/MCP error/)
    }
    const missing = await client.readResource({ uri: u('examples/does-not-exist') }).catch((e: unknown) => e as { message: string; data: unknown })
    expect(missing).toMatchObject({ message: 'MCP error -32002: Resource not found: orchestr8://examples/does-not-exist', data: { uri: u('examples/does-not-exist') } })
    await expect(client.getPrompt({ name: 'no-such-agent' })).rejects.toMatchObject({ code: -32602 })
    await expect(client.getPrompt({ name: 'postgres-specialist', arguments: { budget: 'lots' } })).rejects.toMatchObject({ code: -32602 })
    // Still serving.
    const { resources } = await client.listResources()
    expect(resources).toHaveLength(25)
    expect(stderr).toContain('promptfold serve: 25 documents')
  })
})
