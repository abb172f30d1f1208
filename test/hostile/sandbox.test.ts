/**
 * Nothing outside the root: a secret file sits next to the root, and every hostile spelling
 * of a path out of it is tried through the resolver directly, as a slot, a mention, a related
 * resource, an `include`, and a dynamic match result. The secret's content must never appear
 * in any text, report or error; refusals are typed (`AccessDeniedError`, decision `invalid`).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { AccessDeniedError } from '../../src/errors.js'
import { parseDocument } from '../../src/parse/document.js'
import { fileSystemResolver } from '../../src/resolve/fs.js'
import { composeResolvers, memoryResolver, type Resolver } from '../../src/resolve/resolver.js'
import { hostileSpellings } from './cases.js'
import { caught, elapsed, expectSound } from './helpers.js'

const SECRET = 'SECRET-a8f3e1-DO-NOT-LEAK'
let dir: string
let root: string

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'promptfold-sandbox-')))
  root = join(dir, 'root')
  mkdirSync(join(root, 'examples'), { recursive: true })
  writeFileSync(join(root, 'examples', 'ok.md'), '# Ok\n\nInside the root.\n')
  writeFileSync(join(root, 'examples', 'x.md'), '# X\n')
  // The secret, next to the root, in every place a spelling above could reach.
  writeFileSync(join(dir, 'secret.md'), `# Secret\n\n${SECRET}\n`)
  writeFileSync(join(dir, 'secret'), SECRET)
  mkdirSync(join(dir, 'outside'))
  writeFileSync(join(dir, 'outside', 'leak.md'), SECRET)
  mkdirSync(join(dir, 'root-evil'))
  writeFileSync(join(dir, 'root-evil', 'secret.md'), SECRET)
  symlinkSync(join(dir, 'secret.md'), join(root, 'link.md'))
  symlinkSync('../../secret.md', join(root, 'examples', 'link.md'))
  symlinkSync(join(dir, 'outside'), join(root, 'linked-dir'))
  symlinkSync(join(dir, 'root-evil'), join(root, 'evil'))
  symlinkSync(join(root, 'link.md'), join(root, 'chain.md'))
  symlinkSync(join(root, 'loop.md'), join(root, 'loop.md'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/**
 * Nothing in `value` (text, report, error) shows the secret, or where it lives unless the
 * request itself spelled that path out (`asked`).
 */
function expectNoLeak(value: unknown, asked = ''): void {
  const text = value instanceof Error ? `${value.name} ${value.message} ${String((value as { uri?: unknown }).uri)} ${String(value.stack)}` : String(JSON.stringify(value))
  expect(text).not.toContain(SECRET)
  expect(text).not.toContain('DO-NOT-LEAK')
  if (!asked.includes(dir)) expect(text).not.toContain(`${dir}/secret`)
}

describe('fileSystemResolver confinement', () => {
  it.each(hostileSpellings('/DIR').map((u) => [JSON.stringify(u).slice(1, -1), u] as const))('%s: refused with AccessDeniedError or not found, never read', async (_n, spelled) => {
    const uri = spelled.replace('/DIR', dir)
    const resolve = fileSystemResolver({ root })
    const outcome = await caught(async () => {
      const found = await resolve(uri, {})
      expectNoLeak(found, uri)
      return found
    })
    if (outcome !== undefined) {
      expect(outcome).toBeInstanceOf(AccessDeniedError)
      expect((outcome as AccessDeniedError).code).toBe('ACCESS_DENIED')
    }
    expectNoLeak(outcome, uri)
  })

  it('symlinks that stay inside the root are followed', async () => {
    const r = mkdtempSync(join(tmpdir(), 'promptfold-inside-'))
    try {
      writeFileSync(join(r, 'real.md'), '# Real\n')
      symlinkSync(join(r, 'real.md'), join(r, 'alias.md'))
      expect(await fileSystemResolver({ root: r })('orchestr8://alias', {})).toMatchObject({ source: '# Real\n' })
    } finally {
      rmSync(r, { recursive: true, force: true })
    }
  })

  it('a named pipe inside the root is not a document and does not hang the read', async () => {
    const r = mkdtempSync(join(tmpdir(), 'promptfold-fifo-'))
    try {
      execFileSync('mkfifo', [join(r, 'pipe.md')])
      const { value, ms } = await elapsed(() => fileSystemResolver({ root: r })('orchestr8://pipe', {}))
      expect(value).toBeUndefined()
      expect(ms).toBeLessThan(2_000)
    } finally {
      rmSync(r, { recursive: true, force: true })
    }
  })
})

describe('assembly over hostile URIs: the secret never appears, everything else goes on', () => {
  const resolvers = (): [string, Resolver][] => [
    ['fileSystemResolver', fileSystemResolver({ root })],
    ['composeResolvers(memory, fs)', composeResolvers(memoryResolver({ 'orchestr8://examples/mem': '# Mem\n' }), fileSystemResolver({ root }))],
  ]

  it.each(['fileSystemResolver', 'composeResolvers(memory, fs)'])('as slots, mentions and related resources (%s)', async (name) => {
    const resolver = (resolvers().find(([n]) => n === name) as [string, Resolver])[1]
    const spellings = hostileSpellings(dir)
    const yamlList = spellings.map((u) => `  - ${JSON.stringify(u)}`).join('\n')
    const slots = spellings.map((u) => `**→ Load:** ${u}`).join('\n\n')
    const fence = `\`\`\`\n${spellings.join('\n')}\n\`\`\``
    const mentions = spellings.map((u) => `See ${u} here.`).join('\n\n')
    const source = `---\nid: hostile\nrelatedResources:\n${yamlList}\n---\n# Hostile\n\n## Good\n\n**→ Load:** orchestr8://examples/ok\n\n## Slots\n\n${slots}\n\n## Fence\n\n${fence}\n\n## Mentions\n\n${mentions}\n`
    const doc = parseDocument(source, { path: 'agents/hostile.md' })
    const result = await assemble(doc, { resolver, maxDocuments: 1000 })
    expectSound(result)
    expectNoLeak(result.text.replace(source, ''), dir)
    expectNoLeak(result.report, dir)
    expect(result.text).not.toContain(SECRET)
    expect(result.report.references.find((r) => r.uri === 'orchestr8://examples/ok')?.decision).toBe('inlined')
    expect(result.text).toContain('Inside the root.')
    for (const r of result.report.references) {
      if (r.uri === 'orchestr8://examples/ok') continue
      // Refused (typed), invalid, not found or plain text; never inlined or measured.
      expect(['invalid', 'missing', 'deferred', 'duplicate']).toContain(r.decision)
      expect(r.tokens).toBeNull()
    }
    expect(result.report.references.filter((r) => r.reason.includes('ACCESS_DENIED')).length).toBeGreaterThan(5)
  })

  it.each(hostileSpellings('/DIR').map((u) => [JSON.stringify(u).slice(1, -1), u] as const))('%s in `include` and from a match function: typed errors without the secret', async (_n, spelled) => {
    const uri = spelled.replace('/DIR', dir)
    const resolver = fileSystemResolver({ root })
    const doc = parseDocument('# Root\n\n**→ Load:** orchestr8://examples/ok\n\n**→ Load:** orchestr8://match?query=anything\n', { path: 'agents/root.md' })
    const included = await caught(assemble(doc, { resolver, include: [uri] }))
    expect(included).toBeDefined()
    expect((included as { code?: string }).code).toBe('INCLUDE_FAILED')
    expectNoLeak(included, uri)
    const matched = await assemble(doc, { resolver, match: () => [uri, 'orchestr8://examples/ok'] })
    expectSound(matched)
    expectNoLeak(matched, uri)
    expect(matched.text).toContain('Inside the root.')
  })
})
