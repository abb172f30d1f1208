/**
 * End to end: the Skills extension (SEP-2640) of a real `promptfold serve <root>` process
 * (the built CLI, `node dist/cli.js serve`), talked to by the SDK's own Client over stdio.
 * Methods the SDK client has no helper for are sent with `client.request(...)`.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { McpError } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTokenCounter } from '../../src/count/index.js'
import { GetSkillResultSchema, ListSkillsResultSchema, ReadDirectoryResultSchema } from '../../src/mcp/index.js'
import { type AssemblyReport, assemblyReportSchema } from '../../src/report/schema.js'
import { cliPath, repoRoot, tempDir } from '../cli/run.js'

const skillsRoot = path.join(repoRoot, 'fixtures', 'skills-mcp')
const counter = createTokenCounter()
const cleanups: (() => Promise<void> | void)[] = []

/** A client connected to `node dist/cli.js serve <root>`, with its own empty cache folder. */
async function serve(root: string): Promise<Client> {
  const cache = tempDir('promptfold-skills-cache-')
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, 'serve', root],
    cwd: repoRoot,
    env: { ...(process.env as Record<string, string>), XDG_CACHE_HOME: cache.dir },
    stderr: 'pipe',
  })
  const client = new Client({ name: 'promptfold-skills-e2e', version: '0.0.0' })
  await client.connect(transport)
  cleanups.push(async () => {
    await client.close()
    cache.cleanup()
  })
  return client
}

let client: Client

beforeAll(async () => {
  client = await serve(skillsRoot)
})

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

/** sha256:<hex> of a file on disk. */
function digestOnDisk(file: string): string {
  return `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`
}

async function rpcError(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise
  } catch (error) {
    if (error instanceof McpError) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected the request to fail')
}

const text = (c: unknown) => (c as { text: string }).text

describe('promptfold serve: Skills extension over stdio', () => {
  it('declares io.modelcontextprotocol/skills with directoryRead', () => {
    expect(client.getServerCapabilities()?.extensions).toEqual({ 'io.modelcontextprotocol/skills': { directoryRead: true } })
  })

  it('pages skills/list with a cursor in skill-path order, each skill exactly once', async () => {
    // 53 generated skills: a first page of 50 (the default page size) and a second of 3.
    const temp = tempDir('promptfold-skills-many-')
    cleanups.push(temp.cleanup)
    const names = Array.from({ length: 53 }, (_, i) => `skill-${String(i).padStart(2, '0')}`)
    for (const name of [...names].reverse()) {
      mkdirSync(path.join(temp.dir, 'team', name), { recursive: true })
      writeFileSync(path.join(temp.dir, 'team', name, 'SKILL.md'), `---\nname: ${name}\ndescription: Generated skill ${name}.\n---\n\n# ${name}\n`)
    }
    const many = await serve(temp.dir)
    const pages: string[][] = []
    let cursor: string | undefined
    do {
      const page = await many.request({ method: 'skills/list', params: cursor === undefined ? {} : { cursor } }, ListSkillsResultSchema)
      pages.push(page.skills.map((s) => s.uri))
      cursor = page.nextCursor
    } while (cursor !== undefined && pages.length < 10)
    expect(pages.map((p) => p.length)).toEqual([50, 3])
    expect(pages.flat()).toEqual(names.map((n) => `skill://team/${n}/SKILL.md`))
    const last = await many.request({ method: 'skills/get', params: { uri: 'skill://team/skill-52/SKILL.md' } }, GetSkillResultSchema)
    expect(last.skill.frontmatter).toEqual({ name: 'skill-52', description: 'Generated skill skill-52.' })
  })

  it('gets a skill with its frontmatter and a manifest whose digests and sizes match the files on disk', async () => {
    const { skill } = await client.request({ method: 'skills/get', params: { uri: 'skill://pdf-forms/SKILL.md' } }, GetSkillResultSchema)
    expect(skill.uri).toBe('skill://pdf-forms/SKILL.md')
    expect(skill.frontmatter.name).toBe('pdf-forms')
    expect(skill.frontmatter.metadata).toEqual({ author: 'promptfold fixtures', version: '1.2' })
    const files = ['SKILL.md', 'assets/check.png', 'reference/fields.md', 'reference/forms.md', 'scripts/fill.py']
    expect(skill.resources).toEqual(
      files.map((f) => {
        const onDisk = path.join(skillsRoot, 'pdf-forms', f)
        return { uri: `skill://pdf-forms/${f}`, digest: digestOnDisk(onDisk), size: readFileSync(onDisk).length }
      }),
    )
    const { skills } = await client.request({ method: 'skills/list', params: {} }, ListSkillsResultSchema)
    expect(skills.find((s) => s.uri === skill.uri)).toEqual(skill)
  })

  it('reads a text file as text and a binary file as a base64 blob, each matching its manifest digest', async () => {
    const { skill } = await client.request({ method: 'skills/get', params: { uri: 'skill://pdf-forms/SKILL.md' } }, GetSkillResultSchema)
    const digestOf = (uri: string) => (skill.resources as { uri: string; digest: string }[]).find((r) => r.uri === uri)?.digest
    const sha = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

    const forms = await client.readResource({ uri: 'skill://pdf-forms/reference/forms.md' })
    expect(forms.contents).toHaveLength(1)
    expect(forms.contents[0]?.mimeType).toBe('text/markdown')
    expect(sha(Buffer.from(text(forms.contents[0]), 'utf8'))).toBe(digestOf('skill://pdf-forms/reference/forms.md'))

    const png = await client.readResource({ uri: 'skill://pdf-forms/assets/check.png' })
    const item = png.contents[0] as { mimeType: string; blob: string }
    expect(item.mimeType).toBe('image/png')
    expect(sha(Buffer.from(item.blob, 'base64'))).toBe(digestOf('skill://pdf-forms/assets/check.png'))
    expect(Buffer.from(item.blob, 'base64').equals(readFileSync(path.join(skillsRoot, 'pdf-forms/assets/check.png')))).toBe(true)
  })

  it('reads a directory of a skill and a folder above skills', async () => {
    const scripts = await client.request({ method: 'resources/directory/read', params: { uri: 'skill://pdf-forms/scripts' } }, ReadDirectoryResultSchema)
    expect(scripts.resources).toEqual([{ uri: 'skill://pdf-forms/scripts/fill.py', name: 'fill.py', mimeType: 'text/x-python', size: readFileSync(path.join(skillsRoot, 'pdf-forms/scripts/fill.py')).length }])
    const refunds = await client.request({ method: 'resources/directory/read', params: { uri: 'skill://acme/billing/refunds' } }, ReadDirectoryResultSchema)
    expect(refunds.resources.map((r) => [r.name, r.mimeType])).toEqual([
      ['SKILL.md', 'text/markdown'],
      ['examples', 'inode/directory'],
    ])
  })

  it('assembles a SKILL.md under a budget and reports it', async () => {
    const uri = 'skill://pdf-forms/SKILL.md?budget=380&query=check%20box%20export%20value'
    const read = await client.readResource({ uri })
    const report: AssemblyReport = assemblyReportSchema.parse(JSON.parse(text(read.contents[1])))
    expect(report.budget).toBe(380)
    expect(report.totalTokens).toBe(counter.count(text(read.contents[0])))
    expect(report.totalTokens).toBeLessThanOrEqual(380)
    const links = report.references.filter((r) => r.kind === 'link')
    expect(links.map((r) => r.uri).sort()).toEqual(['pdf-forms/reference/fields.md', 'pdf-forms/reference/forms.md'])
    expect(links.map((r) => r.decision).sort()).toEqual(['deferred', 'inlined'])
  })

  it('lists skills in resources/list with their descriptions', async () => {
    const { resources } = await client.listResources()
    expect(resources.map((r) => [r.uri, r.name, r.description])).toEqual([
      ['skill://acme/billing/refunds/SKILL.md', 'refunds', "Handle a customer's refund request under the billing policy, from checking eligibility to the reply."],
      ['skill://git-workflow/SKILL.md', 'git-workflow', 'Branch, commit and open pull requests the way this team does.'],
      ['skill://pdf-forms/SKILL.md', 'pdf-forms', 'Fill in PDF forms from structured data and check the result. Use when a task hands you a PDF with form fields and the values to put in them.'],
    ])
  })

  it('answers an unknown skill with -32602 on skills/get and -32002 on resources/read, and keeps serving', async () => {
    const get = await rpcError(client.request({ method: 'skills/get', params: { uri: 'skill://acme/billing/chargebacks/SKILL.md' } }, GetSkillResultSchema))
    expect(get).toEqual({ code: -32602, message: 'MCP error -32602: No skill is served at skill://acme/billing/chargebacks/SKILL.md' })
    const read = await rpcError(client.readResource({ uri: 'skill://acme/billing/chargebacks/SKILL.md' }))
    expect(read).toEqual({ code: -32002, message: 'MCP error -32002: Resource not found: skill://acme/billing/chargebacks/SKILL.md' })
    const dir = await rpcError(client.request({ method: 'resources/directory/read', params: { uri: 'skill://acme/support' } }, ReadDirectoryResultSchema))
    expect(dir).toEqual({ code: -32602, message: 'MCP error -32602: skill://acme/support is not a directory resource' })
    expect((await client.request({ method: 'skills/get', params: { uri: 'skill://git-workflow/SKILL.md' } }, GetSkillResultSchema)).skill.uri).toBe('skill://git-workflow/SKILL.md')
  })
})
