/**
 * The early listing of `promptfold serve` (src/mcp/early-list.ts, answered by
 * src/mcp/handshake.ts before the SDK and the library are loaded): the walk gives exactly the
 * URIs, in the same order and pages, that the loaded library's `resources/list` gives; the
 * requests it answered are not answered again by the server, which then says the list changed.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import type { Resource } from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_MAX_FILES, loadLibrary } from '../../src/library/library.js'
import { EARLY_MAX_FILES, earlyWalk } from '../../src/mcp/early-list.js'
import { parseAheadEarly } from '../../src/mcp/early-read.js'
import { parseDocument } from '../../src/parse/document.js'
import { parseMarkdownBounded } from '../../src/parse/markdown.js'
import { answerInitializeEarly, type EarlyLister, initializeResult, takeEarlyStart } from '../../src/mcp/handshake.js'
import { serve } from '../../src/mcp/serve.js'
import { createServer } from '../../src/mcp/server.js'
import { VERSION } from '../../src/version.js'
import { fixtureLibrary, repoRoot } from '../library/helpers.js'
import { streams } from './streams.js'

const made: string[] = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** Every page of the loaded library's resources/list (createServer over loadLibrary). */
async function loadedPages(root: string, resourcesPageSize?: number, maxFiles?: number): Promise<Resource[][]> {
  const library = await loadLibrary({ root, ...(maxFiles !== undefined ? { maxFiles } : {}) })
  const server = createServer(library, resourcesPageSize !== undefined ? { resourcesPageSize } : {})
  const [a, b] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'test', version: '0' })
  await Promise.all([server.connect(a), client.connect(b)])
  const pages: Resource[][] = []
  let cursor: string | undefined
  do {
    const page = await client.listResources(cursor === undefined ? {} : { cursor })
    pages.push(page.resources)
    cursor = page.nextCursor
  } while (cursor !== undefined)
  await server.close()
  return pages
}

/** Every page of the early lister. */
function earlyPages(lister: EarlyLister): Resource[][] {
  const pages: Resource[][] = []
  let cursor: string | undefined
  do {
    const page = lister(cursor) as { resources: Resource[]; nextCursor?: string; _meta: Record<string, unknown> }
    expect(page._meta).toEqual({ 'promptfold/loading': true })
    pages.push(page.resources)
    cursor = page.nextCursor
  } while (cursor !== undefined)
  return pages
}

/** A library with skills (one at the root of a folder tree, nested ones), `.mdc` rules, links, hidden folders and node_modules. */
function skillsLibrary(): string {
  const base = mkdtempSync(path.join(tmpdir(), 'promptfold-early-'))
  made.push(base)
  const root = path.join(base, 'lib')
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    writeFileSync(path.join(root, file), text)
  }
  write('agents/alpha.md', '---\nid: alpha-agent\n---\n# Alpha\n')
  write('agents/beta.md', '---\nid: beta\ncategory: example\n---\n# Beta\n')
  write('rules/style.mdc', '# Style\n')
  write('rules/README.txt', 'not a document')
  write('skills/pdf forms/SKILL.md', '---\nname: pdf-forms\ndescription: Fill PDF forms.\n---\n# PDF\n')
  write('skills/pdf forms/reference/fields.md', '# Fields\n')
  write('skills/pdf forms/scripts/fill.py', 'print(1)\n')
  write('skills/pdf forms/nested/SKILL.md', '---\nname: nested\ndescription: Nested.\n---\n# Nested\n')
  write('skills/pdf forms/nested/notes.md', '# Notes\n')
  write('.hidden/secret.md', '# Hidden\n')
  write('node_modules/pkg/readme.md', '# Package\n')
  write('shared/target.md', '# Target\n')
  symlinkSync(path.join(root, 'shared'), path.join(root, 'linked'))
  symlinkSync(path.join(base), path.join(root, 'outside'))
  return root
}

describe('the early listing (a walk of the folder)', () => {
  it('walks with the library default maxFiles', () => {
    expect(EARLY_MAX_FILES).toBe(DEFAULT_MAX_FILES)
  })

  for (const [what, root] of [
    ['fixtures/library', fixtureLibrary],
    ['fixtures/skills-mcp', path.join(repoRoot, 'fixtures', 'skills-mcp')],
    ['fixtures/skills', path.join(repoRoot, 'fixtures', 'skills')],
  ] as const) {
    it(`gives the URIs of the loaded library's resources/list, in its order: ${what}`, async () => {
      const loaded = (await loadedPages(root)).flat()
      const early = (earlyWalk(root, { scheme: 'orchestr8', pageSize: 100_000 }).lister(undefined) as { resources: Resource[] }).resources
      expect(early.map((r) => r.uri)).toEqual(loaded.map((r) => r.uri))
      expect(early.length).toBeGreaterThan(0)
    })
  }

  it('gives the loaded URIs, pages and cursors on a library with skills, .mdc files, links, hidden folders and node_modules', async () => {
    const root = skillsLibrary()
    const loaded = await loadedPages(root, 2)
    const early = earlyPages(earlyWalk(root, { scheme: 'orchestr8', pageSize: 2 }).lister)
    expect(early.map((page) => page.map((r) => r.uri))).toEqual(loaded.map((page) => page.map((r) => r.uri)))
    expect(early.flat().map((r) => r.uri)).toEqual([
      'orchestr8://agents/alpha',
      'orchestr8://agents/beta',
      'orchestr8://linked/target',
      'orchestr8://rules/style',
      'skill://skills/pdf%20forms/SKILL.md',
      'skill://skills/pdf%20forms/nested/SKILL.md',
    ])
    // (shared/ is walked once, through the link that sorts first, as the library does.)
    // Names from the path (the loaded list names a document by its id once the library knows it).
    expect(early.flat().map((r) => r.name)).toEqual(['agents/alpha', 'agents/beta', 'linked/target', 'rules/style.mdc', 'pdf forms', 'nested'])
    expect(loaded.flat().map((r) => r.name)).toEqual(['alpha-agent', 'beta', 'linked/target', 'rules/style.mdc', 'pdf-forms', 'nested'])
    // A cursor of an early page goes on in the loaded library, and the other way round.
    const lister = earlyWalk(root, { scheme: 'orchestr8', pageSize: 2 }).lister
    const first = lister(undefined) as { nextCursor: string }
    expect((lister(first.nextCursor) as { resources: Resource[] }).resources.map((r) => r.uri)).toEqual(loaded[1]?.map((r) => r.uri))
    expect(lister('not-a-cursor')).toBeUndefined()
  })

  it('names the file of each listed resource (a query or fragment ignored), and nothing else', () => {
    const root = skillsLibrary()
    const walk = earlyWalk(root, { scheme: 'orchestr8' })
    const fileOf = (uri: string) => walk.fileOf(uri)?.file.path
    expect(fileOf('orchestr8://agents/alpha')).toBe('agents/alpha.md')
    expect(fileOf('orchestr8://agents/beta?budget=2000&query=x')).toBe('agents/beta.md')
    expect(fileOf('orchestr8://rules/style#part')).toBe('rules/style.mdc')
    expect(fileOf('skill://skills/pdf%20forms/SKILL.md?budget=300')).toBe('skills/pdf forms/SKILL.md')
    expect(fileOf('orchestr8://agents/gamma')).toBeUndefined()
    expect(fileOf('orchestr8://match?query=x')).toBeUndefined()
    expect(walk.fileOf('orchestr8://agents/alpha')?.base).toBe(realpathSync(root))
    // One walk for both.
    expect((walk.lister(undefined) as { resources: Resource[] }).resources.length).toBe(6)
    expect(earlyWalk(path.join(root, 'missing'), { scheme: 'orchestr8' }).fileOf('orchestr8://agents/alpha')).toBeUndefined()
  })

  it("parses a file's markdown body ahead on the worker: the document's parse then takes that tree", async () => {
    const root = skillsLibrary()
    const found = earlyWalk(root, { scheme: 'orchestr8' }).fileOf('orchestr8://agents/beta?budget=100')
    expect(found).toBeDefined()
    const ahead = await parseAheadEarly(found as NonNullable<typeof found>)
    const source = readFileSync(path.join(root, 'agents/beta.md'), 'utf8')
    const body = source.slice(source.indexOf('\n---\n') + 5)
    expect(ahead?.refusal).toBeUndefined()
    expect(ahead?.tree).toEqual(parseMarkdownBounded(body, { timeLimitMs: Number.POSITIVE_INFINITY }).tree)
    // The next parse of that body (the library's) is handed the worker's tree.
    expect(parseMarkdownBounded(body).tree).toBe(ahead?.tree)
    expect(parseDocument(source).title).toBe('Beta')
    // A file gone since the walk is no error: nothing is parsed.
    const gone = earlyWalk(root, { scheme: 'orchestr8' }).fileOf('orchestr8://agents/alpha')
    rmSync(path.join(root, 'agents/alpha.md'))
    expect(await parseAheadEarly(gone as NonNullable<typeof gone>)).toBeUndefined()
  })

  it('stops where the library stops (maxFiles)', async () => {
    const root = skillsLibrary()
    const loaded = (await loadedPages(root, undefined, 3)).flat()
    expect((earlyWalk(root, { scheme: 'orchestr8', maxFiles: 3 }).lister(undefined) as { resources: Resource[] }).resources.map((r) => r.uri)).toEqual(loaded.map((r) => r.uri))
  })
})

const identity = { name: 'promptfold', version: VERSION, scheme: 'orchestr8' }
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } }

describe('resources/list answered before serve starts', () => {
  it('answers resources/list after initialize from the lister (waiting for it to load), keeps notifications, stops at another request', async () => {
    const s = streams()
    let give: (l: EarlyLister) => void = () => undefined
    const lister = new Promise<EarlyLister>((resolve) => {
      give = resolve
    })
    answerInitializeEarly(s.stdin, s.stdout, identity, lister)
    s.send(initialize, { jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', id: 2, method: 'resources/list', params: {} }, { jsonrpc: '2.0', id: 3, method: 'resources/list', params: { cursor: 'c1' } })
    s.send({ jsonrpc: '2.0', id: 4, method: 'ping' }, { jsonrpc: '2.0', id: 5, method: 'resources/list' })
    await s.until(() => s.messages.length === 1)
    await new Promise((r) => setTimeout(r, 20))
    // The lister is not loaded yet: the list waits.
    expect(s.messages.map((m) => m.id)).toEqual([1])
    give((cursor) => ({ resources: [], ...(cursor === undefined ? { nextCursor: 'c1' } : {}) }))
    await s.until(() => s.messages.length === 3)
    expect(s.messages).toEqual([
      { jsonrpc: '2.0', id: 1, result: initializeResult(initialize.params, identity) },
      { jsonrpc: '2.0', id: 2, result: { resources: [], nextCursor: 'c1' } },
      { jsonrpc: '2.0', id: 3, result: { resources: [] } },
    ])
    const early = takeEarlyStart(s.stdin)
    expect(early?.listed).toBe(true)
    const bytes = Buffer.concat(early?.chunks ?? []).toString('utf8')
    // What is left for serve: the notification, then ping and the list after it (id 5 is the server's).
    const left = early?.skipped.reduceRight((text, [start, end]) => text.slice(0, start) + text.slice(end), bytes).slice(early.answered?.lineBytes)
    expect(left?.trim().split('\n').map((l) => JSON.parse(l).id ?? JSON.parse(l).method)).toEqual(['notifications/initialized', 4, 5])
  })

  it('tells onRead the URI of a resources/read that stops the early reading, and leaves the request to serve', async () => {
    const s = streams()
    const reads: string[] = []
    answerInitializeEarly(s.stdin, s.stdout, identity, Promise.resolve(() => ({ resources: [] })), (uri) => reads.push(uri))
    s.send(initialize, { jsonrpc: '2.0', id: 2, method: 'resources/list' }, { jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: 'orchestr8://agents/a?budget=9' } })
    s.send({ jsonrpc: '2.0', id: 4, method: 'resources/read', params: { uri: 'orchestr8://agents/b' } })
    await s.until(() => s.messages.length === 2)
    await new Promise((r) => setTimeout(r, 20))
    // Only the first: reading stops there.
    expect(reads).toEqual(['orchestr8://agents/a?budget=9'])
    expect(s.messages.map((m) => m.id)).toEqual([1, 2])
    const early = takeEarlyStart(s.stdin)
    const bytes = Buffer.concat(early?.chunks ?? []).toString('utf8')
    const left = early?.skipped.reduceRight((text, [start, end]) => text.slice(0, start) + text.slice(end), bytes).slice(early.answered?.lineBytes)
    expect(left?.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual([3, 4])
  })

  it('leaves resources/list to the server without a lister, with a cursor it does not know, or with other params', async () => {
    for (const [lister, params] of [
      [undefined, {}],
      [Promise.resolve(() => undefined), { cursor: 'x' }],
      [Promise.resolve(() => ({ resources: [] })), { cursor: 5 }],
      [Promise.resolve(() => ({ resources: [] })), { other: true }],
    ] as const) {
      const s = streams()
      answerInitializeEarly(s.stdin, s.stdout, identity, lister as Promise<EarlyLister> | undefined)
      s.send(initialize, { jsonrpc: '2.0', id: 2, method: 'resources/list', params })
      await s.until(() => s.messages.length === 1)
      await new Promise((r) => setTimeout(r, 20))
      expect(s.messages.map((m) => m.id)).toEqual([1])
      expect(takeEarlyStart(s.stdin)?.skipped).toEqual([])
    }
  })

  it('serve answers what follows, not the early list again, and says the list changed once the library is loaded', async () => {
    const root = skillsLibrary()
    const s = streams()
    answerInitializeEarly(s.stdin, s.stdout, identity, Promise.resolve(earlyWalk(root, { scheme: 'orchestr8' }).lister))
    s.send(initialize, { jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', id: 2, method: 'resources/list' })
    await s.until(() => s.messages.some((m) => m.id === 2))
    const done = serve(root, { stdin: s.stdin, stdout: s.stdout, log: null, watch: false })
    s.send({ jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: 'orchestr8://agents/beta' } })
    await s.until(() => s.messages.some((m) => m.method === 'notifications/resources/list_changed') && s.messages.some((m) => m.id === 3))
    s.send({ jsonrpc: '2.0', id: 4, method: 'resources/list' })
    await s.until(() => s.messages.some((m) => m.id === 4))
    s.stdin.end()
    await done
    const ids = s.messages.filter((m) => m.id !== undefined).map((m) => m.id)
    expect(ids).toEqual([1, 2, 3, 4])
    const uris = (id: number) => (s.messages.find((m) => m.id === id)?.result?.resources as Resource[]).map((r) => r.uri)
    expect(uris(2)).toEqual(uris(4))
    expect(s.messages.find((m) => m.id === 2)?.result?._meta).toEqual({ 'promptfold/loading': true })
    expect(s.messages.find((m) => m.id === 4)?.result?._meta).toBeUndefined()
    expect(s.messages.filter((m) => m.method === 'notifications/resources/list_changed').length).toBeGreaterThanOrEqual(1)
  })
})
