/**
 * YAML alias expansion is bounded (issue 17, item 3): a frontmatter may use at most
 * MAX_FRONTMATTER_ALIASES aliases, and its aliases may add at most
 * MAX_FRONTMATTER_ALIAS_EXPANSION characters to the parsed data; past either bound the
 * frontmatter is refused with FRONTMATTER_ALIASES and the body is still parsed.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fileParseStore } from '../../src/cache/store.js'
import { MAX_FRONTMATTER_ALIAS_EXPANSION, MAX_FRONTMATTER_ALIASES, readFrontmatter } from '../../src/parse/frontmatter.js'
import { parseDocument } from '../../src/parse/document.js'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const doc = (yaml: string) => `---\n${yaml}\n---\n# Title\n\nBody text.\n`
/** `id`, one anchor holding `anchor`, and `uses` keys aliasing it. */
const aliased = (anchor: string, uses: number) => ['id: a', `big: &big ${anchor}`, ...Array.from({ length: uses }, (_, i) => `r${i}: *big`)].join('\n')

describe('YAML aliases within the bounds', () => {
  it('a few anchors and aliases (also a merge key) are read as written', () => {
    const r = readFrontmatter(doc('id: x\nbase: &b { a: 1, b: two }\ntags: &t [x, y]\ncapabilities: *t\ncopy: *b\nmerged:\n  <<: *b\n  c: 3'))
    expect(r.diagnostics).toEqual([])
    expect(r.meta.tags).toEqual(['x', 'y'])
    expect(r.meta.capabilities).toEqual(['x', 'y'])
    expect(r.data.copy).toEqual({ a: 1, b: 'two' })
    expect(r.data.merged).toEqual({ a: 1, b: 'two', c: 3 })
  })

  it(`exactly ${MAX_FRONTMATTER_ALIASES} aliases of a small anchor are kept`, () => {
    const r = readFrontmatter(doc(aliased('"hello"', 100)))
    expect(r.diagnostics).toEqual([])
    expect(r.data.r99).toBe('hello')
    expect(r.meta.id).toBe('a')
  })

  it('asterisks inside text are not aliases', () => {
    const prose = Array.from({ length: 200 }, (_, i) => `d${i}: use *bold* and a * b here`).join('\n')
    const r = readFrontmatter(doc(`id: p\n${prose}`))
    expect(r.diagnostics).toEqual([])
    expect(r.data.d199).toBe('use *bold* and a * b here')
  })
})

describe('YAML aliases past the bounds', () => {
  it(`${MAX_FRONTMATTER_ALIASES + 1} aliases: the frontmatter is refused, the body parsed`, () => {
    const d = parseDocument(doc(aliased('"hello"', 101)), { path: 'agents/a.md' })
    expect(d.diagnostics.map((x) => [x.code, x.severity, x.file, x.line])).toEqual([['FRONTMATTER_ALIASES', 'error', 'agents/a.md', 2]])
    expect(d.diagnostics[0]?.message).toBe('Frontmatter uses more than 100 YAML aliases; refused, read as if there were none')
    expect(d.data).toEqual({})
    expect(d.meta.id).toBeUndefined()
    expect(d.title).toBe('Title')
    expect(d.sections.map((s) => [s.title, s.start.line])).toEqual([['Title', 106]])
  })

  it('flow-style aliases count too', () => {
    const r = readFrontmatter(doc(`id: f\nx: &x 1\nl: [${Array.from({ length: 101 }, () => '*x').join(', ')}]`))
    expect(r.diagnostics.map((x) => x.code)).toEqual(['FRONTMATTER_ALIASES'])
  })

  it('few aliases that expand past the character bound are refused', () => {
    // 300 KB anchored, used 4 times: 1.5 MB of strings from 300 KB of YAML.
    const yaml = aliased(`"${'x'.repeat(300_000)}"`, 4)
    const r = readFrontmatter(doc(yaml))
    expect(r.diagnostics.map((x) => [x.code, x.line])).toEqual([['FRONTMATTER_ALIASES', 2]])
    expect(r.diagnostics[0]?.message).toBe(`Frontmatter YAML aliases expand past ${MAX_FRONTMATTER_ALIAS_EXPANSION} characters beyond the YAML itself; refused, read as if there were none`)
    expect(r.data).toEqual({})
    // Two uses add 600 KB: within the bound, kept.
    const kept = readFrontmatter(doc(aliased(`"${'x'.repeat(300_000)}"`, 2)))
    expect(kept.diagnostics).toEqual([])
    expect((kept.data.r1 as string).length).toBe(300_000)
  })

  it('one 300 KB anchor aliased 1,000 times is refused at once, with and without a parse store', () => {
    const source = doc(aliased('x'.repeat(300_000), 1000))
    const dir = mkdtempSync(path.join(tmpdir(), 'promptfold-aliases-'))
    dirs.push(dir)
    for (const parseStore of [undefined, fileParseStore({ dir }), fileParseStore({ dir })]) {
      const start = performance.now()
      const d = parseDocument(source, { parseStore })
      const ms = performance.now() - start
      expect(d.diagnostics.map((x) => x.code)).toEqual(['FRONTMATTER_ALIASES'])
      expect(d.data).toEqual({})
      expect(d.title).toBe('Title')
      expect(ms).toBeLessThan(1000)
      if (parseStore) expect(parseStore.flush()).toBeLessThanOrEqual(1)
    }
  })
})
