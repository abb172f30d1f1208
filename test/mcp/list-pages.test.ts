/**
 * `resources/list` in pages (`resourcesPageSize`, default 1000; keyset cursors by path), and
 * the folder watcher of `serve` (src/mcp/watch.ts): folders only, new folders followed, hidden
 * folders and `node_modules` left out.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import type { Resource } from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it } from 'vitest'
import { loadLibrary } from '../../src/library/index.js'
import { type CreateServerOptions, createServer, DEFAULT_RESOURCES_PAGE_SIZE, MAX_RESOURCES_PAGE_CHARS } from '../../src/mcp/server.js'
import { watchTree } from '../../src/mcp/watch.js'
import { fixtureLibrary, tempCopy } from '../library/helpers.js'

const made: string[] = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function connect(root: string, options: CreateServerOptions = {}) {
  const library = await loadLibrary({ root })
  const server = createServer(library, options)
  const [a, b] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'test', version: '0' })
  await Promise.all([server.connect(a), client.connect(b)])
  return { library, server, client }
}

/** Every page of resources/list, and how many pages it took. */
async function allPages(client: Client): Promise<{ resources: Resource[]; pages: number[] }> {
  const resources: Resource[] = []
  const pages: number[] = []
  let cursor: string | undefined
  do {
    const page = await client.listResources(cursor === undefined ? {} : { cursor })
    resources.push(...page.resources)
    pages.push(page.resources.length)
    cursor = page.nextCursor
  } while (cursor !== undefined)
  return { resources, pages }
}

describe('resources/list in pages', () => {
  it('lists the fixture library (25 entries) in one page by default, with no cursor', async () => {
    expect(DEFAULT_RESOURCES_PAGE_SIZE).toBe(1000)
    expect(MAX_RESOURCES_PAGE_CHARS).toBe(4 * 1024 * 1024)
    const { client } = await connect(fixtureLibrary)
    const page = await client.listResources()
    expect(page.resources).toHaveLength(25)
    expect(page.nextCursor).toBeUndefined()
  })

  it('cuts the list into pages of resourcesPageSize that add up to the whole list, in the same order', async () => {
    const whole = (await (await connect(fixtureLibrary)).client.listResources()).resources
    const { client } = await connect(fixtureLibrary, { resourcesPageSize: 7 })
    const { resources, pages } = await allPages(client)
    expect(pages).toEqual([7, 7, 7, 4])
    expect(resources).toEqual(whole)
  })

  it('goes on after the last path listed when the library changes between pages (keyset cursor)', async () => {
    const { dir, cleanup } = tempCopy(fixtureLibrary)
    try {
      const { library, client } = await connect(dir, { resourcesPageSize: 10 })
      const first = await client.listResources()
      const firstUris = first.resources.map((r) => r.uri)
      const lastPath = library.entries[9]?.path as string
      // Remove the last entry listed and add one that sorts before it: neither moves the boundary.
      unlinkSync(path.join(dir, lastPath))
      writeFileSync(path.join(dir, 'aaa-first.md'), '# First\n')
      await library.refresh()
      const second = await client.listResources({ cursor: first.nextCursor as string })
      const expected = library.entries.filter((e) => e.path > lastPath).slice(0, 10)
      expect(second.resources.map((r) => r.uri)).toEqual(expected.map((e) => (e.kind === 'skill' ? `${e.uri}/SKILL.md` : e.uri)))
      expect(second.resources.some((r) => firstUris.includes(r.uri))).toBe(false)
    } finally {
      cleanup()
    }
  })

  it('answers a cursor it did not give out with -32602', async () => {
    const { client } = await connect(fixtureLibrary, { resourcesPageSize: 5 })
    for (const cursor of ['nonsense', Buffer.from(JSON.stringify(['skills', 'a'])).toString('base64url'), Buffer.from(JSON.stringify(['resources', 5])).toString('base64url')]) {
      await expect(client.listResources({ cursor })).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('Invalid cursor') })
    }
  })

  it('refuses a resourcesPageSize that is not a whole number of at least 1', async () => {
    const library = await loadLibrary({ root: fixtureLibrary })
    for (const resourcesPageSize of [0, -1, 1.5, Number.NaN]) {
      expect(() => createServer(library, { resourcesPageSize })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }))
    }
  })

  it('ends a page early when its resources pass MAX_RESOURCES_PAGE_CHARS, never with none', async () => {
    const base = mkdtempSync(path.join(tmpdir(), 'promptfold-pages-'))
    made.push(base)
    // Three documents whose useWhen (the description) is 2.5 Mi characters each: two pass the limit.
    const long = 'x'.repeat(2.5 * 1024 * 1024)
    for (const name of ['a', 'b', 'c']) writeFileSync(path.join(base, `${name}.md`), `---\nuseWhen: [${long}]\n---\n# ${name}\n`)
    const library = await loadLibrary({ root: base, maxBytes: 4 * 1024 * 1024 })
    const server = createServer(library)
    const [a, b] = InMemoryTransport.createLinkedPair()
    const client = new Client({ name: 'test', version: '0' })
    await Promise.all([server.connect(a), client.connect(b)])
    const { resources, pages } = await allPages(client)
    expect(pages).toEqual([2, 1])
    expect(resources.map((r) => r.uri)).toEqual(['orchestr8://a', 'orchestr8://b', 'orchestr8://c'])
  })
})

/** Resolves when `check()` is true; fails after 2 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > 2000) throw new Error(`not within 2000 ms: ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Waits a little, for events that must not come. */
const settle = () => new Promise((r) => setTimeout(r, 150))

describe('watchTree (Linux: folders only)', () => {
  function tree(): string {
    const root = mkdtempSync(path.join(tmpdir(), 'promptfold-watch-'))
    made.push(root)
    mkdirSync(path.join(root, 'agents', 'deep'), { recursive: true })
    mkdirSync(path.join(root, '.git'), { recursive: true })
    mkdirSync(path.join(root, 'node_modules', 'x'), { recursive: true })
    mkdirSync(path.join(root, 'shared'), { recursive: true })
    writeFileSync(path.join(root, 'agents', 'deep', 'a.md'), '# A\n')
    return root
  }

  it('reports changes in nested folders and in folders created later, not in hidden folders or node_modules', async () => {
    const root = tree()
    let events = 0
    const failures: Error[] = []
    const watcher = watchTree(root, () => void events++, (e) => void failures.push(e), 'linux')
    try {
      writeFileSync(path.join(root, 'agents', 'deep', 'a.md'), '# A, edited\n')
      await until(() => events > 0, 'an edit two folders down')

      mkdirSync(path.join(root, 'agents', 'new'))
      await until(() => events > 1, 'the new folder')
      // The new folder is watched once its parent reports it (asynchronously): poll with writes.
      const seen = events
      let n = 0
      await until(() => {
        writeFileSync(path.join(root, 'agents', 'new', `f${n++}.md`), '# F\n')
        return events > seen + n
      }, 'a file in the new folder')

      await settle()
      const before = events
      writeFileSync(path.join(root, '.git', 'index'), 'x')
      writeFileSync(path.join(root, 'node_modules', 'x', 'y.md'), 'x')
      await settle()
      expect(events).toBe(before)
      expect(failures).toEqual([])
    } finally {
      watcher.close()
    }
  })

  it('follows a symbolic link to a folder inside the root, and says nothing once closed', async () => {
    const root = tree()
    const hidden = path.join(root, '.hidden-target')
    mkdirSync(hidden)
    symlinkSync(hidden, path.join(root, 'shared', 'linked'))
    let events = 0
    const watcher = watchTree(root, () => void events++, () => undefined, 'linux')
    writeFileSync(path.join(hidden, 'b.md'), '# B\n')
    await until(() => events > 0, 'a change through the link')
    watcher.close()
    await settle()
    const after = events
    writeFileSync(path.join(root, 'agents', 'deep', 'a.md'), '# A, again\n')
    await settle()
    expect(events).toBe(after)
  })
})
