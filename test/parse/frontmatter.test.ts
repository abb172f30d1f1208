import { describe, expect, it } from 'vitest'
import { frontmatterKeyLine } from '../../src/parse/frontmatter.js'

describe('frontmatterKeyLine: the one frontmatter key-line locator', () => {
  const source = ['---', 'id: alpha', '"category": agent', "'tags': [a]", 'nested:', '  id: inner', '# id: comment', 'id: second', '---', 'id: body', ''].join('\n')

  it('gives the 1-based file line of a top-level key (first occurrence), quoted keys too', () => {
    expect(['id', 'category', 'tags', 'nested'].map((k) => frontmatterKeyLine(source, k))).toEqual([2, 3, 4, 5])
  })

  it('ignores nested keys, comments and the body', () => {
    expect(frontmatterKeyLine(source, 'inner')).toBeUndefined()
    expect(frontmatterKeyLine('---\nnested:\n  deep: 1\n---\ndeep: 2\n', 'deep')).toBeUndefined()
  })

  it('is BOM and CRLF aware', () => {
    const crlf = '\ufeff---\r\nid: a\r\ncategory: skill\r\n---\r\n# A\r\n'
    expect([frontmatterKeyLine(crlf, 'id'), frontmatterKeyLine(crlf, 'category')]).toEqual([2, 3])
  })

  it('is undefined without a closed frontmatter block or without the key', () => {
    expect(frontmatterKeyLine('# No frontmatter\nid: x\n', 'id')).toBeUndefined()
    expect(frontmatterKeyLine('---\nid: open\n# never closed\n', 'id')).toBeUndefined()
    expect(frontmatterKeyLine('---\nid: a\n---\n', 'category')).toBeUndefined()
    expect(frontmatterKeyLine('---\n---\n', 'id')).toBeUndefined()
  })
})
