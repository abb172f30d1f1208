import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readBytes, readSource } from '../../src/library/scan.js'

const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'pf-scan-read-')))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const file = (name: string, content: string | Buffer) => {
  writeFileSync(path.join(root, name), content)
  return { path: name, real: path.join(root, name), linked: false }
}

describe('readSource and readBytes (a file read through its confined descriptor)', () => {
  it('read every byte of files of any size, and none of an empty one', () => {
    const sizes = [0, 1, 8191, 8192, 65_537, 1_000_003]
    for (const size of sizes) {
      const bytes = Buffer.alloc(size, 'ab\n')
      const read = readBytes(file(`s${size}.md`, bytes), root, 5 * 1024 * 1024)
      expect(read.ok).toBe(true)
      if (read.ok) {
        expect(read.bytes.length).toBe(size)
        expect(read.bytes.equals(bytes)).toBe(true)
        expect(read.stat.size).toBe(size)
      }
    }
  })

  it('decode the text, and refuse a file over the limit with FILE_TOO_LARGE', () => {
    const read = readSource(file('doc.md', '---\nid: x\n---\n# Ünïcode\n'), root, 100)
    expect(read).toMatchObject({ ok: true, source: '---\nid: x\n---\n# Ünïcode\n', bytes: 26, diagnostics: [] })
    const big = readSource(file('big.md', 'x'.repeat(101)), root, 100)
    expect(big.ok).toBe(false)
    if (!big.ok) expect(big.diagnostics.map((d) => d.code)).toEqual(['FILE_TOO_LARGE'])
  })
})
