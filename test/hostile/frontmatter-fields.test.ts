/**
 * 160,000 frontmatter keys (issue 17, item 8): the 60,000 past MAX_FRONTMATTER_VALUES are
 * dropped with 21 diagnostics (20 named, one summary), not one each.
 */
import { describe, expect, it } from 'vitest'
import { MAX_DROPPED_FIELD_DIAGNOSTICS, MAX_FRONTMATTER_VALUES, readFrontmatter } from '../../src/parse/frontmatter.js'

describe('hostile frontmatter: many keys', () => {
  it('160,000 keys: 100,000 kept, 60,000 dropped, 21 diagnostics', () => {
    const yaml = Array.from({ length: 160_000 }, (_, i) => `k${i}: v`).join('\n')
    const { data, diagnostics } = readFrontmatter(`---\n${yaml}\n---\n# Body\n`, undefined, 'many.md')
    expect(Object.keys(data)).toHaveLength(MAX_FRONTMATTER_VALUES)
    expect(data.k99999).toBe('v')
    expect(data.k100000).toBeUndefined()
    expect(diagnostics).toHaveLength(MAX_DROPPED_FIELD_DIAGNOSTICS + 1)
    expect(diagnostics[0]).toEqual({
      code: 'FRONTMATTER_TOO_LARGE',
      severity: 'error',
      message: 'Frontmatter field `k100000` holds more than 100000 values (every use of a YAML alias counts); dropped',
      file: 'many.md',
      line: 100_002,
    })
    expect(diagnostics[19]?.line).toBe(100_021)
    expect(diagnostics[20]).toEqual({
      code: 'FRONTMATTER_TOO_LARGE',
      severity: 'error',
      message: 'And 59980 more frontmatter fields dropped (59980 past 100000 values); only the first 20 are named',
      file: 'many.md',
      line: 100_022,
    })
  })
})
