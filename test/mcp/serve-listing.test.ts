/**
 * `resources/list` of `promptfold serve` never parses or counts (docs/mcp.md, "Listing"): it
 * gives the titles and token counts already known (learned in this session, or kept by an
 * earlier one in the cache folder) and leaves the others out; once the background warming has
 * learned them, a session whose list lacked something gets `notifications/resources/list_changed`
 * and the next list has them all. Checked with the SDK's own Client over stdio against the
 * built CLI (`node dist/cli.js serve`), each session with the same private cache folder.
 */
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { type Resource, ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, describe, expect, it } from 'vitest'
import { createTokenCounter } from '../../src/count/index.js'
import { cliPath, repoRoot, tempDir } from '../cli/run.js'

const root = path.join(repoRoot, 'fixtures', 'library')
const counter = createTokenCounter()
const cache = tempDir('promptfold-listing-cache-')

afterAll(() => cache.cleanup())

/** A session: the SDK client connected to `node dist/cli.js serve <root>`, and the list_changed notifications it got. */
async function session(): Promise<{ client: Client; changed: (after?: number) => Promise<void>; notified: () => number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, 'serve', root],
    cwd: repoRoot,
    env: { ...(process.env as Record<string, string>), XDG_CACHE_HOME: cache.dir },
    stderr: 'pipe',
  })
  const client = new Client({ name: 'promptfold-listing', version: '0.0.0' })
  let count = 0
  let waiting: (() => void) | undefined
  client.setNotificationHandler(ResourceListChangedNotificationSchema, async () => {
    count++
    waiting?.()
  })
  await client.connect(transport)
  return {
    client,
    // Resolves once more than `after` notices came.
    changed: (after = 0) =>
      count > after
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiting = () => {
              if (count > after) resolve()
            }
          }),
    notified: () => count,
  }
}

/** What each document's title and count are: its first heading, and the exact count of its file. */
function exact(r: Resource): { title: string; tokens: number } {
  const file = path.join(root, `${r.uri.replace(/^orchestr8:\/\//, '')}.md`)
  const source = readFileSync(file, 'utf8')
  const heading = /^# (.+)$/m.exec(source.replace(/^---\n[\s\S]*?\n---\n/, ''))?.[1] ?? ''
  return { title: heading, tokens: counter.count(source) }
}

const incomplete = (resources: Resource[]) => resources.some((r) => r.title === undefined || r._meta?.['promptfold/tokens'] === undefined)

/**
 * The session's first list from the loaded library. A first list answered while the server
 * starts may be the early listing (a walk of the folder, `_meta["promptfold/loading"]`: URIs
 * and names only); a list_changed follows it once the library is loaded, and the list is taken again.
 */
async function firstLoadedList(s: Awaited<ReturnType<typeof session>>): Promise<{ listed: Resource[]; early: Resource[] | undefined }> {
  const first = await s.client.listResources()
  if (first._meta?.['promptfold/loading'] !== true) return { listed: first.resources, early: undefined }
  for (const r of first.resources) expect(Object.keys(r).sort()).toEqual(['mimeType', 'name', 'uri'])
  await s.changed()
  return { listed: (await s.client.listResources()).resources, early: first.resources }
}

describe('resources/list of promptfold serve, cold and again', () => {
  it('lists what is known without counting, says list_changed once the rest is known, and the next session lists everything from the cache', async () => {
    const first = await session()
    // A list taken before the library was warmed gives what is known: each title and count is
    // either left out or exactly right, never a guess, never null for a readable document.
    const { listed, early } = await firstLoadedList(first)
    const notices = first.notified()
    expect(listed).toHaveLength(25)
    for (const r of listed) {
      const want = exact(r)
      if (r.title !== undefined) expect(r.title).toBe(want.title)
      const tokens = r._meta?.['promptfold/tokens']
      if (tokens !== undefined) expect(tokens).toBe(want.tokens)
      expect(r._meta?.['promptfold/encoding']).toBe('o200k_base')
    }
    // What it left out comes with list_changed: then every title and count is there, exact.
    if (incomplete(listed)) await first.changed(notices)
    const complete = (await first.client.listResources()).resources
    expect(incomplete(complete)).toBe(false)
    for (const r of complete) expect({ title: r.title, tokens: r._meta?.['promptfold/tokens'] }).toEqual(exact(r))
    expect(first.notified()).toBe((early ? 1 : 0) + (incomplete(listed) ? 1 : 0))
    // The early listing named exactly the resources of the loaded library, in its order.
    if (early) expect(early.map((r) => r.uri)).toEqual(complete.map((r) => r.uri))
    await first.client.close()

    // The session wrote what it learned to the cache folder when it ended: the next session's
    // first list from the loaded library has every title and count before anything is parsed
    // or counted, and no notice follows (but the one after an early listing).
    const again = await session()
    const second = await firstLoadedList(again)
    expect(second.listed).toEqual(complete)
    await again.client.close()
    // No notice but the one after an early listing.
    expect(again.notified()).toBe(second.early ? 1 : 0)
  })
})
