import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createTokenCounter } from '../../src/count/index.js'
import { parseDocument } from '../../src/parse/document.js'
import { minDepth, shiftHeadings } from '../../src/render/headings.js'
import { aboveLine, deferredLine, invalidLine, missingLine } from '../../src/render/lines.js'
import { isSafeCut, measureChunks, toRuns } from '../../src/render/measure.js'
import { bodyRange } from '../../src/render/render.js'
import { tiktokenCount } from '../helpers/oracle.js'

describe('shiftHeadings', () => {
  it('shifts ATX headings, clamps at 6, converts setext, leaves code alone', () => {
    const src = '# Title\n\ntext\n\n## Sub\n\n```md\n# not a heading\n```\n\nSetext\n------\n\n###### Deep\n'
    const doc = parseDocument(src)
    expect(minDepth(doc.sections)).toBe(1)
    expect(shiftHeadings(src, 0, src.length, doc.sections, 2)).toBe(
      '### Title\n\ntext\n\n#### Sub\n\n```md\n# not a heading\n```\n\n#### Setext\n\n###### Deep\n',
    )
    expect(shiftHeadings(src, 0, src.length, doc.sections, 0)).toBe(src)
  })
})

describe('stand-in lines', () => {
  it('keep the URI, state the cost, end with a newline, start with a non-space', () => {
    expect(deferredLine('orchestr8://a', 12)).toBe('→ Load on demand: orchestr8://a (12 tokens)\n')
    expect(deferredLine('orchestr8://a', undefined)).toBe('→ Load on demand: orchestr8://a\n')
    expect(missingLine('orchestr8://a')).toBe('→ Unavailable: orchestr8://a\n')
    expect(aboveLine('orchestr8://a')).toBe('→ Loaded above: orchestr8://a\n')
    expect(invalidLine(`orchestr8://${'x'.repeat(500)}\nmore`)).toMatch(/^→ Invalid reference: orchestr8:\/\/x{188}…\n$/)
  })
})

describe('bodyRange', () => {
  it('drops blank lines around the body', () => {
    const doc = parseDocument('---\nid: a\n---\n\n\n# A\n\ntext\n\n\n')
    const { start, end } = bodyRange(doc)
    expect(doc.source.slice(start, end)).toBe('# A\n\ntext\n')
  })
})

describe('measureChunks: exact by construction', () => {
  const counter = createTokenCounter()
  it('cuts only after a line break and before a non-space', () => {
    expect(isSafeCut('a\n', 'b')).toBe(true)
    expect(isSafeCut('a\n', '\nb')).toBe(false)
    expect(isSafeCut('a\n', ' b')).toBe(false)
    expect(isSafeCut('a', 'b')).toBe(false)
    expect(isSafeCut('a\r\n', '\u3000b')).toBe(false)
    expect(toRuns(['a\n', 'b', '\n', 'c\n', 'd'])).toEqual(['a\n', 'b\n', 'c\n', 'd'])
  })

  const piece = fc.oneof(
    fc.constantFrom('\n', '\n\n', '\r\n', ' ', '  \n', '\t', '#', '##', '```', '`', '-', '*', '→', '\u00a0', '\u3000', '\u2028', '\uFEFF', '\u0085', "'s", '123', '4567'),
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
  )
  const text = fc.array(piece, { maxLength: 30 }).map((p) => p.join(''))

  it('sum of run counts equals a fresh count of the joined text (o200k_base and cl100k_base)', () => {
    const cl = createTokenCounter({ encoding: 'cl100k_base' })
    fc.assert(
      fc.property(fc.array(text, { maxLength: 8 }), (chunks) => {
        const joined = chunks.join('')
        expect(measureChunks(counter, chunks)).toBe(tiktokenCount(joined, 'o200k_base'))
        expect(measureChunks(cl, chunks)).toBe(tiktokenCount(joined, 'cl100k_base'))
      }),
      { numRuns: 1500, seed: 7 },
    )
  })
})
