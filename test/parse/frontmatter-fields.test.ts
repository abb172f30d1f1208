/**
 * Dropped frontmatter fields are named once each up to MAX_DROPPED_FIELD_DIAGNOSTICS per
 * document; one more diagnostic counts the rest (issue 17, item 8: 160,000 keys gave 60,000).
 */
import { describe, expect, it } from 'vitest'
import { MAX_DROPPED_FIELD_DIAGNOSTICS, readFrontmatter } from '../../src/parse/frontmatter.js'

describe('readFrontmatter: diagnostics of dropped fields', () => {
  it('names the first 20 fields that contain themselves and counts the rest in one summary', () => {
    expect(MAX_DROPPED_FIELD_DIAGNOSTICS).toBe(20)
    const yaml = Array.from({ length: 25 }, (_, i) => `c${i}: &a${i} [*a${i}]`).join('\n')
    const { data, diagnostics } = readFrontmatter(`---\nid: kept\n${yaml}\n---\n# Body\n`, undefined, 'doc.md')
    expect(data).toEqual({ id: 'kept' })
    expect(diagnostics).toHaveLength(21)
    expect(diagnostics.slice(0, 20).map((d) => [d.code, d.line, d.message])).toEqual(
      Array.from({ length: 20 }, (_, i) => ['FRONTMATTER_CYCLE', i + 3, `Frontmatter field \`c${i}\` contains itself through a YAML alias; dropped`]),
    )
    expect(diagnostics[20]).toEqual({
      code: 'FRONTMATTER_CYCLE',
      severity: 'error',
      message: 'And 5 more frontmatter fields dropped (5 containing themselves); only the first 20 are named',
      file: 'doc.md',
      line: 23,
    })
  })

  it('names all of them when there are 20 or fewer', () => {
    const yaml = Array.from({ length: 20 }, (_, i) => `c${i}: &a${i} [*a${i}]`).join('\n')
    const { diagnostics } = readFrontmatter(`---\n${yaml}\n---\n`, undefined, 'doc.md')
    expect(diagnostics.map((d) => d.code)).toEqual(Array(20).fill('FRONTMATTER_CYCLE'))
    expect(diagnostics.some((d) => d.message.startsWith('And '))).toBe(false)
  })
})
