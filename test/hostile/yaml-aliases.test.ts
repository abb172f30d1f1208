/**
 * YAML alias expansion at full size (issue 17, item 3): a 3 MB frontmatter with one large
 * anchor aliased 1,000 times took 21 s without the parse store, and with it (the default of
 * the CLI) 113 s and 3.47 GB before `Invalid string length`: the aliases are shared in the
 * parsed data, but every use was scanned for references and written out in full when the
 * parse was stored. The frontmatter is now refused (FRONTMATTER_ALIASES) before it is parsed;
 * the body is still read.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fileParseStore } from '../../src/cache/store.js'
import { loadLibrary } from '../../src/library/index.js'
import { parseDocument } from '../../src/parse/document.js'
import { elapsed, expectDiagnostic, expectWellFormed } from './helpers.js'

const dirs: string[] = []
const temp = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'promptfold-yaml-aliases-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** One anchor of `size` characters, aliased `uses` times, then a body. */
const source = (size: number, uses: number) =>
  `---\nid: big\nbig: &big ${'x'.repeat(size)}\n${Array.from({ length: uses }, (_, i) => `r${i}: *big`).join('\n')}\n---\n# Big\n\nThe body.\n`

describe('a 3 MB anchor aliased 1,000 times', () => {
  const text = source(3_000_000, 1000)

  it('is 3 MB', () => {
    expect(text.length).toBe(3_010_934)
  })

  it('is refused in well under 2 s without a parse store, with and without the body kept', async () => {
    const before = process.memoryUsage().rss
    const { value: doc, ms } = await elapsed(() => parseDocument(text, { path: 'agents/big.md' }))
    expect(ms).toBeLessThan(1000)
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024)
    expectWellFormed(doc.diagnostics)
    expectDiagnostic(doc.diagnostics, 'FRONTMATTER_ALIASES', { file: 'agents/big.md', line: 2 })
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['FRONTMATTER_ALIASES'])
    expect(doc.data).toEqual({})
    expect(doc.title).toBe('Big')
  })

  it('is refused as fast with a parse store, stored small, and read back the same', async () => {
    const dir = temp()
    const first = fileParseStore({ dir })
    const cold = await elapsed(() => parseDocument(text, { path: 'agents/big.md', parseStore: first }))
    expect(cold.ms).toBeLessThan(1000)
    expect(first.flush()).toBe(1)
    const second = fileParseStore({ dir })
    const warm = await elapsed(() => parseDocument(text, { path: 'agents/big.md', parseStore: second }))
    expect(warm.ms).toBeLessThan(1000)
    expect(warm.value).toEqual(cold.value)
    expect(warm.value.diagnostics.map((d) => d.code)).toEqual(['FRONTMATTER_ALIASES'])
  })

  it('in a library with a parse store: refused, the other documents read', async () => {
    const root = temp()
    mkdirSync(path.join(root, 'agents'))
    writeFileSync(path.join(root, 'agents', 'big.md'), text)
    writeFileSync(path.join(root, 'agents', 'small.md'), '---\nid: small\n---\n# Small\n')
    const { value: library, ms } = await elapsed(async () => {
      const lib = await loadLibrary({ root, parseStore: fileParseStore({ dir: temp() }) })
      return { lib, big: lib.document('agents/big.md'), small: lib.document('agents/small.md') }
    })
    expect(ms).toBeLessThan(2000)
    expect(library.big?.diagnostics.map((d) => [d.code, d.file, d.line])).toEqual([['FRONTMATTER_ALIASES', 'agents/big.md', 2]])
    expect(library.big?.title).toBe('Big')
    expect(library.small?.meta.id).toBe('small')
    expect(library.lib.diagnostics.filter((d) => d.code === 'FRONTMATTER_ALIASES')).toHaveLength(1)
  })
})

describe('a 3 MB anchor aliased 100 times (within the count, past the expansion bound)', () => {
  it('is refused in well under 2 s, with and without a parse store', async () => {
    const text = source(3_000_000, 100)
    for (const parseStore of [undefined, fileParseStore({ dir: temp() })]) {
      const { value: doc, ms } = await elapsed(() => parseDocument(text, { path: 'agents/big.md', parseStore }))
      expect(ms).toBeLessThan(1000)
      expect(doc.diagnostics.map((d) => [d.code, d.line])).toEqual([['FRONTMATTER_ALIASES', 2]])
      expect(doc.diagnostics[0]?.message).toMatch(/aliases expand past 1048576 characters/)
      expect(doc.data).toEqual({})
    }
  })
})
