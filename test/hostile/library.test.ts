/**
 * A library load around hostile files goes on with everything else: each hostile file is an
 * entry (or a skipped link) with a diagnostic naming it, the good documents load and assemble,
 * and a secret placed next to the root never appears in any entry, source, document, match,
 * graph, assembly or error.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { type Library, loadLibrary } from '../../src/library/index.js'
import { FRONTMATTER_CASES, hostileSpellings } from './cases.js'
import { bigDocument, seededBytes } from './generators.js'
import { caught, expectSound, expectWellFormed } from './helpers.js'

const SECRET = 'LIBRARY-SECRET-5c1d-DO-NOT-LEAK'
let dir: string
let root: string
let library: Library

/** Hostile files by path below the root (besides the frontmatter cases). */
const FILES: Record<string, string | Uint8Array> = {
  'examples/empty.md': '',
  'examples/only-frontmatter.md': '---\nid: only-frontmatter\n---\n',
  'examples/random-bytes.md': seededBytes(7, 8 * 1024),
  'examples/latin1.md': Buffer.from('# Caf\xe9\n', 'latin1'),
  'examples/surrogates.md': '# Sur \ud800\n\nText \udc00.\n',
  'examples/special.md': '# <|endoftext|>\n\n<|im_start|>user\n',
  'examples/many-refs.md': `# Many\n\n${Array.from({ length: 10_000 }, (_, i) => `- orchestr8://examples/x${i}`).join('\n')}\n`,
  'examples/long-uri.md': `# Long\n\n**→ Load:** orchestr8://${'a'.repeat(100 * 1024)}\n`,
  'examples/self.md': '# Self\n\n- orchestr8://examples/self\n',
  'examples/good.md': '---\nid: good\ntags: [good]\nuseWhen: ["a good example"]\n---\n# Good\n\nA good example body.\n',
  'agents/agent.md': '---\nid: agent\n---\n# Agent\n\n```\norchestr8://examples/good\norchestr8://examples/broken-yaml\norchestr8://examples/link-out\n```\n',
}

beforeAll(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'promptfold-library-')))
  root = join(dir, 'lib')
  mkdirSync(join(root, 'examples'), { recursive: true })
  mkdirSync(join(root, 'agents'))
  for (const [path, content] of Object.entries(FILES)) writeFileSync(join(root, path), content)
  for (const [i, c] of FRONTMATTER_CASES.entries()) writeFileSync(join(root, 'examples', `fm-${i}.md`), c.source())
  writeFileSync(join(root, 'examples', 'broken-yaml.md'), '---\nid: [broken\n---\n# Broken\n\nStill a body.\n')
  writeFileSync(join(root, 'examples', 'big.md'), bigDocument(20 * 1024 * 1024))
  // The secret, next to the root, and every kind of link out to it.
  writeFileSync(join(dir, 'secret.md'), `---\nid: secret\ntags: [secret]\n---\n# Secret\n\n${SECRET}\n`)
  mkdirSync(join(dir, 'outside'))
  writeFileSync(join(dir, 'outside', 'leak.md'), `# Leak\n\n${SECRET}\n`)
  symlinkSync(join(dir, 'secret.md'), join(root, 'examples', 'link-out.md'))
  symlinkSync(join(dir, 'outside'), join(root, 'linked-dir'))
  symlinkSync(join(root, 'examples', 'loop.md'), join(root, 'examples', 'loop.md'))
  execFileSync('mkfifo', [join(root, 'examples', 'pipe.md')])
  library = await loadLibrary({ root })
}, 120_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function expectNoSecret(value: unknown): void {
  const text = value instanceof Error ? `${value.message} ${String(value.stack)}` : String(JSON.stringify(value))
  expect(text).not.toContain(SECRET)
  expect(text).not.toContain('DO-NOT-LEAK')
}

describe('loadLibrary over hostile files', () => {
  it('loads every readable file as an entry, each problem diagnosed with its file', () => {
    expectWellFormed(library.diagnostics)
    const paths = library.entries.map((e) => e.path)
    for (const p of Object.keys(FILES)) expect(paths).toContain(p)
    expect(paths).toContain('examples/big.md')
    for (const [i] of FRONTMATTER_CASES.entries()) expect(paths).toContain(`examples/fm-${i}.md`)
    // Nothing outside the root, and nothing through links that lead out.
    expect(paths.some((p) => p.includes('leak') || p.includes('link-out') || p.includes('secret'))).toBe(false)
    const codes = (path: string) => library.entries.find((e) => e.path === path)?.diagnostics.map((d) => d.code) ?? []
    expect(codes('examples/broken-yaml.md')).toContain('FRONTMATTER_INVALID_YAML')
    expect(codes('examples/random-bytes.md')).toContain('INVALID_UTF8')
    expect(codes('examples/big.md').length).toBeGreaterThan(0)
    for (const d of library.diagnostics) if (d.code !== 'LIMIT_MAX_FILES') expect(d.file, JSON.stringify(d)).toBeTypeOf('string')
  })

  it('never shows the secret: entries, sources, documents, titles, match, graph', () => {
    expectNoSecret(library.entries)
    expectNoSecret(library.diagnostics)
    for (const e of library.entries) {
      if (e.path === 'examples/big.md') continue
      expectNoSecret(library.source(e.uri))
      expectNoSecret(library.document(e.uri))
      expectNoSecret(library.title(e.uri))
    }
    expectNoSecret(library.match('secret leak'))
    expectNoSecret(library.graph())
  })

  it.each(hostileSpellings('/DIR').map((u) => [JSON.stringify(u).slice(1, -1), u] as const))('resolves %s to nothing or a typed refusal, never the secret', async (_n, spelled) => {
    const uri = spelled.replace('/DIR', dir)
    const outcome = await caught(async () => expectNoSecret(await library(uri)))
    if (outcome !== undefined) expect((outcome as { code?: string }).code).toBe('ACCESS_DENIED')
    expectNoSecret(outcome)
    expectNoSecret(library.lookup(uri))
  })

  it('an agent assembled over the library: good slots inlined, broken ones reported, no secret', async () => {
    const doc = library.document('orchestr8://agents/agent')
    if (!doc) throw new Error('agent not loaded')
    const result = await assemble(doc, { resolver: library, match: (q) => library.resolveMatch(q) })
    expectSound(result)
    expectNoSecret(result)
    expect(result.report.references.map((r) => [r.uri, r.decision])).toEqual([
      ['orchestr8://examples/good', 'inlined'],
      ['orchestr8://examples/broken-yaml', 'inlined'],
      ['orchestr8://examples/link-out', 'missing'],
    ])
    expect(result.text).toContain('A good example body.')
    expect(result.text).toContain('Still a body.')
  })

  it('every hostile entry can be assembled on its own without throwing anything untyped', async () => {
    for (const e of library.entries) {
      const doc = library.document(e.uri)
      if (!doc) continue
      const outcome = await caught(assemble(doc, { resolver: library, budget: 1_000_000 }))
      if (outcome !== undefined) expect((outcome as { code?: string }).code, `${e.path}: ${String(outcome)}`).toMatch(/^[A-Z_]+$/)
      expectNoSecret(outcome)
    }
  }, 120_000)
})
