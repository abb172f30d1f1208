import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createTokenCounter, type TokenCounter } from '../../src/count/index.js'
import { parseDocument } from '../../src/parse/document.js'
import { createPieceMeasure, isSafeCut, measureChunks } from '../../src/render/measure.js'
import { type DocNode, type Piece, piece, renderChunks, walkBody } from '../../src/render/render.js'
import { tiktokenCount } from '../helpers/oracle.js'

/** A counter that records how much text it was asked to count. */
function countingCounter(inner: TokenCounter): TokenCounter & { chars: number; calls: number } {
  const c = {
    ...inner,
    chars: 0,
    calls: 0,
    count(text: string) {
      c.chars += text.length
      c.calls++
      return inner.count(text)
    },
  }
  return c
}

describe('piece', () => {
  it('knows its own ends, with the rule of isSafeCut', () => {
    for (const [text, breakEnd] of [
      ['a\n', true],
      ['a\r', true],
      ['a', false],
      ['\n', true],
    ] as const) {
      expect(piece(text).endsWithBreak).toBe(breakEnd)
    }
    for (const text of ['b', ' b', '/etc', '\u3000x', '→ Load', '\n', '\uFEFFx', '#']) {
      expect(piece(text).cutBefore).toBe(isSafeCut('x\n', text))
    }
    expect(piece('a').id).not.toBe(piece('a').id)
  })
})

describe('createPieceMeasure', () => {
  const o200k = createTokenCounter()
  const cl100k = createTokenCounter({ encoding: 'cl100k_base' })
  const chunk = fc.oneof(
    fc.constantFrom('\n', '\n\n', '\r\n', ' ', '  \n', '/', '/etc\n', '#', '```\n', '→ Load on demand: orchestr8://a\n', '\u3000', '\uFEFF', '\u0085', "'s", '123'),
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
  )

  it('equals a fresh count of the joined text, for pieces reused in any order (o200k_base and cl100k_base)', () => {
    fc.assert(
      fc.property(fc.array(chunk, { minLength: 1, maxLength: 10 }), fc.array(fc.array(fc.nat(), { maxLength: 25 }), { minLength: 1, maxLength: 4 }), (texts, walks) => {
        const pieces = texts.map(piece)
        const m200 = createPieceMeasure(o200k)
        const m100 = createPieceMeasure(cl100k)
        for (const walk of walks) {
          const seq = walk.map((i) => pieces[i % pieces.length] as Piece)
          const joined = seq.map((p) => p.text).join('')
          const run = (emit: (p: Piece) => void) => {
            for (const p of seq) emit(p)
          }
          expect(m200(run)).toBe(tiktokenCount(joined, 'o200k_base'))
          expect(m100(run)).toBe(tiktokenCount(joined, 'cl100k_base'))
          expect(m200(run)).toBe(measureChunks(o200k, seq.map((p) => p.text)))
        }
      }),
      { numRuns: 600, seed: 11 },
    )
  })

  it('measures a walk again without counting or joining any text', () => {
    const counter = countingCounter(createTokenCounter())
    const measure = createPieceMeasure(counter)
    // Unique texts, so the process-wide content cache cannot answer for them.
    const tag = `pieces-${Date.now()}`
    const seq = [piece(`# ${tag}\n`), piece('text\n'), piece(' indented\n'), piece(`→ Load on demand: orchestr8://${tag}\n`)]
    const walk = (emit: (p: Piece) => void) => {
      for (const p of seq) emit(p)
    }
    const first = measure(walk)
    expect(first).toBe(tiktokenCount(seq.map((p) => p.text).join(''), 'o200k_base'))
    // Runs: "# tag\n" | "text\n indented\n" | "→ ...\n"
    expect(counter.calls).toBe(3)
    expect(measure(walk)).toBe(first)
    expect(counter.calls).toBe(3)
  })
})

describe('walkBody', () => {
  it('gives the same pieces (same ids) on every walk, and the same text as renderChunks', () => {
    const doc = parseDocument('# A\n\nintro\n\n```\norchestr8://x\n```\n\nend\n', { path: 'agents/a.md' })
    const node: DocNode = { doc, shift: 0, slots: new Map([[0, { uri: 'orchestr8://x', raw: 'orchestr8://x', fixed: 'missing' }]]) }
    const ids = () => {
      const out: number[] = []
      walkBody(node, new Set(), (p) => out.push(p.id))
      return out
    }
    expect(ids()).toEqual(ids())
    const texts: string[] = []
    walkBody(node, new Set(), (p) => texts.push(p.text))
    expect(texts.join('')).toBe(renderChunks(node, new Set()).join(''))
    expect(texts.join('')).toBe('# A\n\nintro\n\n→ Unavailable: orchestr8://x\n\nend\n')
  })
})
