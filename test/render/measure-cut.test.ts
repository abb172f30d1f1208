import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createTokenCounter } from '../../src/count/index.js'
import { isSafeCut, measureChunks } from '../../src/render/measure.js'
import { tiktokenCount } from '../helpers/oracle.js'

// o200k_base's punctuation alternative ` ?[^\s\p{L}\p{N}]+[\r\n/]*` runs on through
// line breaks into slashes, so a line break followed by `/` is not a safe cut.
describe('measureChunks: a line break before `/` is not a cut', () => {
  const o200k = createTokenCounter({ encoding: 'o200k_base' })
  const cl100k = createTokenCounter({ encoding: 'cl100k_base' })

  it('isSafeCut refuses a cut before `/`', () => {
    expect(isSafeCut('```\n', '/etc/hosts')).toBe(false)
    expect(isSafeCut('end.\n\n', '//comment')).toBe(false)
    expect(isSafeCut('a\n', 'b')).toBe(true)
  })

  it.each([
    ['```\n', '/etc/hosts\n'],
    ['end.\n\n', '//comment\n'],
    ['---\n', '/api/v1\n'],
    ['Run this:\r\n', '/usr/bin/env node\n'],
  ])('%j + %j counts as the joined text', (a, b) => {
    expect(measureChunks(o200k, [a, b])).toBe(tiktokenCount(a + b, 'o200k_base'))
    expect(measureChunks(cl100k, [a, b])).toBe(tiktokenCount(a + b, 'cl100k_base'))
  })

  it('property: chunks with slashes after line breaks count as the joined text', () => {
    const piece = fc.constantFrom('\n', '\n\n', '\r\n', '/', '//', '/usr', '```', '---', '.', ':', '**', ' ', 'a', 'Word', '→', '12')
    const chunk = fc.array(piece, { maxLength: 10 }).map((p) => p.join(''))
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 8 }), (chunks) => {
        const joined = chunks.join('')
        expect(measureChunks(o200k, chunks)).toBe(tiktokenCount(joined, 'o200k_base'))
        expect(measureChunks(cl100k, chunks)).toBe(tiktokenCount(joined, 'cl100k_base'))
      }),
      { numRuns: 1000, seed: 11 },
    )
  })
})
