/** The per-piece cache stays exact when it fills up and empties, and across repeated counts. */
import v8 from 'node:v8'
import vm from 'node:vm'
import { describe, expect, it } from 'vitest'
import { CACHE_MAX_ENTRIES, CACHE_MAX_PIECE_LENGTH } from '../../src/count/counter.js'
import { createTokenCounter } from '../../src/count/index.js'
import { mulberry32 } from '../fixtures-count/generators.mjs'
import { ENCODINGS, referenceCount } from './reference.js'

/** `count` distinct lower-case words, each preceded by a space and followed by `suffix`. */
function distinctWords(count: number, suffix = ''): string {
  const words: string[] = []
  for (let i = 0; i < count; i++) {
    let n = i
    let word = ''
    do {
      word += String.fromCharCode(97 + (n % 26))
      n = Math.floor(n / 26)
    } while (n > 0)
    words.push(` ${word}q${suffix}`)
  }
  return words.join('')
}

describe.each(ENCODINGS)('%s cache', (encoding) => {
  const counter = createTokenCounter({ encoding })

  it('stays exact past the cache capacity', () => {
    const text = distinctWords(CACHE_MAX_ENTRIES + 20_000)
    const expected = referenceCount(encoding, text)
    expect(counter.count(text)).toBe(expected)
    // Again, now that the cache has been emptied once and refilled.
    expect(counter.count(text)).toBe(expected)
  })

  it('stays exact past the capacity of the piece map, with pieces too long for the ASCII cache', () => {
    // ' abcq' + 13 letters: 18+ characters, counted through the map.
    const text = distinctWords(CACHE_MAX_ENTRIES + 20_000, 'xyzzyplughfoo')
    const expected = referenceCount(encoding, text)
    expect(counter.count(text)).toBe(expected)
    expect(counter.count(text)).toBe(expected)
  })

  it('gives the same counts cold and warm, for pieces around the cacheable length', () => {
    const next = mulberry32(99)
    const pieces: string[] = []
    for (const length of [CACHE_MAX_PIECE_LENGTH - 2, CACHE_MAX_PIECE_LENGTH - 1, CACHE_MAX_PIECE_LENGTH, CACHE_MAX_PIECE_LENGTH + 1]) {
      let word = ''
      for (let i = 0; i < length; i++) word += String.fromCharCode(97 + Math.floor(next() * 26))
      pieces.push(word, ` ${word}`, word.replace(/e/g, 'é'))
    }
    const text = pieces.join('\n')
    const expected = referenceCount(encoding, text)
    expect(counter.count(text)).toBe(expected)
    expect(counter.count(text)).toBe(expected)
    for (const piece of pieces) expect(counter.count(piece)).toBe(referenceCount(encoding, piece))
  })

  it('does not keep counted texts alive through cached pieces', () => {
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as () => void
    const filler = Buffer.alloc(1_000_000, 'lorem ipsum dolor sit amet ').toString('latin1')
    counter.count(filler)
    gc()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < 40; i++) {
      // Each text has one new piece of 13+ characters, which the cache keeps.
      const text = `${filler} uniquepieceqq${i.toString(36)}zz`
      expect(counter.count(text)).toBeGreaterThan(0)
    }
    gc()
    const grownMb = (process.memoryUsage().heapUsed - before) / 1e6
    // Keeping the texts would take 40 MB.
    expect(grownMb).toBeLessThan(10)
  })
})

