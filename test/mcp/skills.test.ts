/**
 * The Skills extension (SEP-2640) in process: createServer over fixtures/skills-mcp with the
 * SDK's Client on an InMemoryTransport. The end-to-end run over a real `promptfold serve`
 * process is test/mcp/skills-stdio.test.ts.
 */
import { createHash } from 'node:crypto'
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpError, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it } from 'vitest'
import { createTokenCounter } from '../../src/count/index.js'
import { loadLibrary } from '../../src/library/index.js'
import {
  type CreateServerOptions,
  createServer,
  GetSkillResultSchema,
  ListSkillsResultSchema,
  mimeTypeFromExtension,
  parseSkillUri,
  ReadDirectoryResultSchema,
  SkillsRequestError,
  skillUri,
} from '../../src/mcp/index.js'
import { fixtureLibrary, repoRoot, tempCopy } from '../library/helpers.js'

const skillsRoot = path.join(repoRoot, 'fixtures', 'skills-mcp')
const counter = createTokenCounter()

async function connect(root = skillsRoot, options: CreateServerOptions = {}) {
  const library = await loadLibrary({ root })
  const server = createServer(library, options)
  const [a, b] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'test', version: '0' })
  await Promise.all([server.connect(a), client.connect(b)])
  return { library, client }
}

/** The manifest entry of a fixture file, from the bytes on disk. */
function onDisk(skillPath: string, file: string) {
  const bytes = readFileSync(path.join(skillsRoot, skillPath, file))
  return { uri: `skill://${skillPath}/${file}`, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length }
}

/** The JSON-RPC error a request is rejected with. */
async function rpcError(promise: Promise<unknown>): Promise<{ code: number; message: string; data: unknown }> {
  try {
    await promise
  } catch (error) {
    if (error instanceof McpError) return { code: error.code, message: error.message, data: error.data }
    throw error
  }
  throw new Error('expected the request to fail')
}

const text = (c: unknown) => (c as { text: string }).text

describe('Skills extension (in process)', () => {
  it('declares the extension with directoryRead next to the resources capability', async () => {
    const { client } = await connect()
    const capabilities = client.getServerCapabilities()
    expect(capabilities?.extensions).toEqual({ 'io.modelcontextprotocol/skills': { directoryRead: true } })
    expect(capabilities?.resources).toEqual({ listChanged: true, subscribe: true })
    expect(client.getInstructions()).toContain('3 skills')
  })

  it('lists skills by skill path, a page at a time, each with its frontmatter as written and a complete manifest', async () => {
    const { client } = await connect(skillsRoot, { skillsPageSize: 2 })
    const first = await client.request({ method: 'skills/list', params: {} }, ListSkillsResultSchema)
    expect(first.skills.map((s) => s.uri)).toEqual(['skill://acme/billing/refunds/SKILL.md', 'skill://git-workflow/SKILL.md'])
    expect(typeof first.nextCursor).toBe('string')
    const second = await client.request({ method: 'skills/list', params: { cursor: first.nextCursor } }, ListSkillsResultSchema)
    expect(second.skills.map((s) => s.uri)).toEqual(['skill://pdf-forms/SKILL.md'])
    expect(second.nextCursor).toBeUndefined()

    const pdf = second.skills[0]
    expect(pdf?.frontmatter).toEqual({
      name: 'pdf-forms',
      description: 'Fill in PDF forms from structured data and check the result. Use when a task hands you a PDF with form fields and the values to put in them.',
      license: 'MIT',
      compatibility: 'Needs Python 3.10 or later with the pypdf package',
      metadata: { author: 'promptfold fixtures', version: '1.2' },
      released: '2025-03-14',
      'allowed-tools': 'Bash(python3:*) Read',
    })
    expect(pdf?.resources).toEqual(['SKILL.md', 'assets/check.png', 'reference/fields.md', 'reference/forms.md', 'scripts/fill.py'].map((f) => onDisk('pdf-forms', f)))
    expect(first.skills[0]?.resources).toEqual(['SKILL.md', 'examples/email.md'].map((f) => onDisk('acme/billing/refunds', f)))
    expect(first.skills[0]?.frontmatter).toEqual({ name: 'refunds', description: "Handle a customer's refund request under the billing policy, from checking eligibility to the reply." })
  })

  it('lists every skill in one page by default, and none for a library without skills', async () => {
    const { client } = await connect()
    const all = await client.request({ method: 'skills/list' }, ListSkillsResultSchema)
    expect(all.skills.map((s) => s.uri)).toEqual(['skill://acme/billing/refunds/SKILL.md', 'skill://git-workflow/SKILL.md', 'skill://pdf-forms/SKILL.md'])
    expect(all.nextCursor).toBeUndefined()
    const plain = await connect(fixtureLibrary)
    expect(await plain.client.request({ method: 'skills/list', params: {} }, ListSkillsResultSchema)).toEqual({ skills: [] })
    // The resource templates of a library without skills are as before.
    expect((await plain.client.listResourceTemplates()).resourceTemplates.map((t) => t.name)).toEqual(['assembled-agent', 'match'])
  })

  it('refuses a cursor it did not give out with -32602', async () => {
    const { client } = await connect()
    const error = await rpcError(client.request({ method: 'skills/list', params: { cursor: 'bm9wZQ' } }, ListSkillsResultSchema))
    expect(error.code).toBe(-32602)
    expect(error.message).toBe('MCP error -32602: Invalid cursor bm9wZQ: not one this server gave out')
  })

  it('gets one skill by the URI of its SKILL.md, the same entry as in the list', async () => {
    const { client } = await connect()
    const list = await client.request({ method: 'skills/list', params: {} }, ListSkillsResultSchema)
    const got = await client.request({ method: 'skills/get', params: { uri: 'skill://git-workflow/SKILL.md' } }, GetSkillResultSchema)
    expect(got.skill).toEqual(list.skills[1])
    expect(got.skill.resources).toEqual([onDisk('git-workflow', 'SKILL.md')])
  })

  it('answers -32602 for a URI that is not the SKILL.md of a served skill', async () => {
    const { client } = await connect()
    for (const uri of ['skill://nope/SKILL.md', 'skill://pdf-forms/reference/forms.md', 'skill://pdf-forms', 'orchestr8://pdf-forms/SKILL.md']) {
      const error = await rpcError(client.request({ method: 'skills/get', params: { uri } }, GetSkillResultSchema))
      expect([uri, error.code, error.message]).toEqual([uri, -32602, `MCP error -32602: No skill is served at ${uri}`])
      expect(error.data).toEqual({ code: 'SKILL_NOT_FOUND', subject: uri })
    }
    const missing = await rpcError(client.request({ method: 'skills/get', params: {} }, GetSkillResultSchema))
    expect(missing.code).toBe(-32602)
    expect(missing.message).toBe('MCP error -32602: Invalid params of skills/get: params.uri: expected string, received undefined.')
  })

  it('reads text files as text and binary files as base64 blobs, with a MIME type from the extension', async () => {
    const { client } = await connect()
    const forms = await client.readResource({ uri: 'skill://pdf-forms/reference/forms.md' })
    expect(forms.contents).toEqual([
      { uri: 'skill://pdf-forms/reference/forms.md', mimeType: 'text/markdown', text: readFileSync(path.join(skillsRoot, 'pdf-forms/reference/forms.md'), 'utf8') },
    ])
    const script = await client.readResource({ uri: 'skill://pdf-forms/scripts/fill.py' })
    expect(script.contents[0]?.mimeType).toBe('text/x-python')
    const png = await client.readResource({ uri: 'skill://pdf-forms/assets/check.png' })
    expect(png.contents).toEqual([{ uri: 'skill://pdf-forms/assets/check.png', mimeType: 'image/png', blob: readFileSync(path.join(skillsRoot, 'pdf-forms/assets/check.png')).toString('base64') }])
    const skill = await client.readResource({ uri: 'skill://acme/billing/refunds/SKILL.md' })
    expect(text(skill.contents[0])).toBe(readFileSync(path.join(skillsRoot, 'acme/billing/refunds/SKILL.md'), 'utf8'))
    // The skill's own URI (the library's canonical URI of the skill) reads as its SKILL.md.
    expect((await client.readResource({ uri: 'skill://acme/billing/refunds' })).contents).toEqual(skill.contents)
  })

  it('answers -32002 for a file no skill has and -32602 for a malformed skill URI', async () => {
    const { client } = await connect()
    for (const uri of ['skill://pdf-forms/reference/missing.md', 'skill://nope/SKILL.md', 'skill://acme/billing', 'skill://pdf-forms/reference']) {
      const error = await rpcError(client.readResource({ uri }))
      expect([uri, error.code, error.message]).toEqual([uri, -32002, `MCP error -32002: Resource not found: ${uri}`])
    }
    for (const [uri, why] of [
      ['skill://pdf-forms/../git-workflow/SKILL.md', 'empty, "." or ".." segment'],
      ['skill://pdf-forms/reference%2fforms.md', 'encoded separator or NUL in a segment'],
      ['skill://pdf-forms/%zz', 'malformed percent-escape'],
    ] as const) {
      const error = await rpcError(client.readResource({ uri }))
      expect([uri, error.code, error.message]).toEqual([uri, -32602, `MCP error -32602: Invalid skill URI ${uri}: ${why}`])
    }
  })

  it('reads the direct children of a skill folder, of a folder in it and of a folder above skills', async () => {
    const { client } = await connect()
    const dir = (uri: string, cursor?: string) => client.request({ method: 'resources/directory/read', params: cursor ? { uri, cursor } : { uri } }, ReadDirectoryResultSchema)
    expect((await dir('skill://pdf-forms')).resources).toEqual([
      { uri: 'skill://pdf-forms/SKILL.md', name: 'SKILL.md', mimeType: 'text/markdown', size: onDisk('pdf-forms', 'SKILL.md').size },
      { uri: 'skill://pdf-forms/assets', name: 'assets', mimeType: 'inode/directory' },
      { uri: 'skill://pdf-forms/reference', name: 'reference', mimeType: 'inode/directory' },
      { uri: 'skill://pdf-forms/scripts', name: 'scripts', mimeType: 'inode/directory' },
    ])
    expect((await dir('skill://pdf-forms/reference')).resources).toEqual([
      { uri: 'skill://pdf-forms/reference/fields.md', name: 'fields.md', mimeType: 'text/markdown', size: onDisk('pdf-forms', 'reference/fields.md').size },
      { uri: 'skill://pdf-forms/reference/forms.md', name: 'forms.md', mimeType: 'text/markdown', size: onDisk('pdf-forms', 'reference/forms.md').size },
    ])
    expect((await dir('skill://acme')).resources).toEqual([{ uri: 'skill://acme/billing', name: 'billing', mimeType: 'inode/directory' }])
    expect((await dir('skill://acme/billing')).resources).toEqual([{ uri: 'skill://acme/billing/refunds', name: 'refunds', mimeType: 'inode/directory' }])
    for (const uri of ['skill://pdf-forms/SKILL.md', 'skill://pdf-forms/nothing', 'skill://nope', 'orchestr8://agents']) {
      const error = await rpcError(dir(uri))
      expect([uri, error.code, error.message]).toEqual([uri, -32602, `MCP error -32602: ${uri} is not a directory resource`])
    }
  })

  it('pages directory children with a cursor', async () => {
    const { client } = await connect(skillsRoot, { skillsPageSize: 3 })
    const first = await client.request({ method: 'resources/directory/read', params: { uri: 'skill://pdf-forms' } }, ReadDirectoryResultSchema)
    expect(first.resources.map((r) => r.name)).toEqual(['SKILL.md', 'assets', 'reference'])
    const second = await client.request({ method: 'resources/directory/read', params: { uri: 'skill://pdf-forms', cursor: first.nextCursor } }, ReadDirectoryResultSchema)
    expect(second.resources.map((r) => r.name)).toEqual(['scripts'])
    expect(second.nextCursor).toBeUndefined()
  })

  it('lists each skill in resources/list by its SKILL.md, named and described by its frontmatter', async () => {
    const { client, library } = await connect()
    const { resources } = await client.listResources()
    const pdf = resources.find((r) => r.uri === 'skill://pdf-forms/SKILL.md')
    expect(pdf).toMatchObject({
      name: 'pdf-forms',
      description: 'Fill in PDF forms from structured data and check the result. Use when a task hands you a PDF with form fields and the values to put in them.',
      title: 'Filling PDF forms',
      mimeType: 'text/markdown',
      size: onDisk('pdf-forms', 'SKILL.md').size,
    })
    expect(pdf?._meta?.['promptfold/kind']).toBe('skill')
    expect(resources.map((r) => r.uri).sort()).toEqual(['skill://acme/billing/refunds/SKILL.md', 'skill://git-workflow/SKILL.md', 'skill://pdf-forms/SKILL.md'])
    expect(library.entries).toHaveLength(3)
  })

  it('assembles a SKILL.md under a budget, with its report', async () => {
    const { client } = await connect()
    // The two linked references together do not fit in 380 tokens; one is inlined, one deferred.
    const uri = 'skill://pdf-forms/SKILL.md?budget=380&query=check%20box%20export%20value'
    const read = await client.readResource({ uri })
    expect(read.contents.map((c) => [c.uri, c.mimeType])).toEqual([
      [uri, 'text/markdown'],
      [`${uri}#report`, 'application/json'],
    ])
    const report = JSON.parse(text(read.contents[1]))
    expect(report.budget).toBe(380)
    expect(report.totalTokens).toBe(counter.count(text(read.contents[0])))
    expect(report.totalTokens).toBeLessThanOrEqual(380)
    expect(read._meta).toEqual({ 'promptfold/totalTokens': report.totalTokens, 'promptfold/budget': 380 })
    const links = report.references.filter((r: { kind: string }) => r.kind === 'link')
    expect(links.map((r: { uri: string }) => r.uri).sort()).toEqual(['pdf-forms/reference/fields.md', 'pdf-forms/reference/forms.md'])
    expect(links.map((r: { decision: string }) => r.decision).sort()).toEqual(['deferred', 'inlined'])
    // With room for everything both are inlined.
    const wide = JSON.parse(text((await client.readResource({ uri: 'skill://pdf-forms?budget=2000' })).contents[1]))
    expect(wide.references.filter((r: { kind: string }) => r.kind === 'link').map((r: { decision: string }) => r.decision)).toEqual(['inlined', 'inlined'])
    const notSkillMd = await rpcError(client.readResource({ uri: 'skill://pdf-forms/reference/forms.md?budget=100' }))
    expect(notSkillMd.code).toBe(-32602)
    const badBudget = await rpcError(client.readResource({ uri: 'skill://pdf-forms/SKILL.md?budget=lots' }))
    expect(badBudget.message).toBe('MCP error -32602: budget must be a non-negative integer number of tokens, got lots')
  })

  it('follows a change to a skill file: new digest in skills/get, resources/updated for subscribers of that skill only', async () => {
    const copy = tempCopy(skillsRoot)
    try {
      const { client } = await connect(copy.dir, { watch: 'poll' })
      const updated: string[] = []
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri))
      for (const uri of ['skill://pdf-forms/reference/forms.md', 'skill://pdf-forms/SKILL.md', 'skill://git-workflow/SKILL.md']) await client.subscribeResource({ uri })
      appendFileSync(path.join(copy.dir, 'pdf-forms/reference/forms.md'), '\nOne more line.\n')
      const start = Date.now()
      while (updated.length < 2 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20))
      await new Promise((r) => setTimeout(r, 100)) // time for a notification that should not come
      expect(updated.sort()).toEqual(['skill://pdf-forms/SKILL.md', 'skill://pdf-forms/reference/forms.md'])
      const bytes = readFileSync(path.join(copy.dir, 'pdf-forms/reference/forms.md'))
      const { skill } = await client.request({ method: 'skills/get', params: { uri: 'skill://pdf-forms/SKILL.md' } }, GetSkillResultSchema)
      expect((skill.resources as { uri: string }[]).find((r) => r.uri === 'skill://pdf-forms/reference/forms.md')).toEqual({
        uri: 'skill://pdf-forms/reference/forms.md',
        digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
        size: bytes.length,
      })
      expect(text((await client.readResource({ uri: 'skill://pdf-forms/reference/forms.md' })).contents[0])).toBe(bytes.toString('utf8'))
      await client.close()
    } finally {
      copy.cleanup()
    }
  })

  it('lists a nested skill on its own and its files in the enclosing skill too (SEP-2640 nested skills)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'promptfold-nested-'))
    try {
      const files: Record<string, string> = {
        'outer/SKILL.md': '---\nname: outer\ndescription: Outer skill.\n---\n# Outer\n',
        'outer/notes.md': '# Notes\n',
        'outer/inner/SKILL.md': '---\nname: inner\ndescription: Inner skill.\n---\n# Inner\n',
        'outer/inner/ref/a.md': '# A\n',
      }
      for (const [file, content] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
        writeFileSync(path.join(dir, file), content)
      }
      const ref = (uri: string, file: string) => ({ uri, digest: `sha256:${createHash('sha256').update(files[file] as string).digest('hex')}`, size: Buffer.byteLength(files[file] as string) })
      const { client } = await connect(dir)
      const { skills } = await client.request({ method: 'skills/list', params: {} }, ListSkillsResultSchema)
      expect(skills.map((s) => [s.uri, s.resources])).toEqual([
        [
          'skill://outer/SKILL.md',
          [ref('skill://outer/SKILL.md', 'outer/SKILL.md'), ref('skill://outer/inner/SKILL.md', 'outer/inner/SKILL.md'), ref('skill://outer/inner/ref/a.md', 'outer/inner/ref/a.md'), ref('skill://outer/notes.md', 'outer/notes.md')],
        ],
        ['skill://outer/inner/SKILL.md', [ref('skill://outer/inner/SKILL.md', 'outer/inner/SKILL.md'), ref('skill://outer/inner/ref/a.md', 'outer/inner/ref/a.md')]],
      ])
      const children = await client.request({ method: 'resources/directory/read', params: { uri: 'skill://outer' } }, ReadDirectoryResultSchema)
      expect(children.resources.map((r) => [r.name, r.mimeType])).toEqual([
        ['SKILL.md', 'text/markdown'],
        ['inner', 'inode/directory'],
        ['notes.md', 'text/markdown'],
      ])
      expect(text((await client.readResource({ uri: 'skill://outer/inner/ref/a.md' })).contents[0])).toBe('# A\n')
      await client.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('serves a skill at the root under the root folder name', async () => {
    const { client } = await connect(path.join(skillsRoot, 'git-workflow'))
    const list = await client.request({ method: 'skills/list', params: {} }, ListSkillsResultSchema)
    expect(list.skills.map((s) => [s.uri, s.resources])).toEqual([['skill://git-workflow/SKILL.md', [onDisk('git-workflow', 'SKILL.md')]]])
    expect(text((await client.readResource({ uri: 'skill://git-workflow/SKILL.md' })).contents[0])).toBe(readFileSync(path.join(skillsRoot, 'git-workflow/SKILL.md'), 'utf8'))
  })
})

describe('skill URIs', () => {
  it('encodes segments that are not URI path characters and decodes them back', () => {
    expect(skillUri('team notes/odd#name', 'a b/c%d.md')).toBe('skill://team%20notes/odd%23name/a%20b/c%25d.md')
    expect(parseSkillUri('skill://team%20notes/odd%23name/a%20b/c%25d.md')).toEqual({ segments: ['team notes', 'odd#name', 'a b', 'c%d.md'] })
    expect(parseSkillUri('SKILL://x/SKILL.md?budget=1')).toEqual({ segments: ['x', 'SKILL.md'], search: 'budget=1' })
    expect(parseSkillUri('orchestr8://x')).toBeUndefined()
    expect(() => parseSkillUri(`skill://${'a'.repeat(5000)}`)).toThrow(SkillsRequestError)
  })

  it('knows MIME types by extension, case-insensitively', () => {
    expect(['a.md', 'b.PNG', 'c.py', 'd.json', 'e', '.md', 'f.unknown'].map(mimeTypeFromExtension)).toEqual(['text/markdown', 'image/png', 'text/x-python', 'application/json', undefined, undefined, undefined])
  })
})
