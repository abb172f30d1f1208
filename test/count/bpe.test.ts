/**
 * The merge itself: rank table, UTF-8 conversion, heap merge vs simple merge,
 * and full token sequences vs js-tiktoken on long single pieces.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  encodePieceTokens,
  mergeHeap,
  mergeSimple,
  utf8ByteString,
  SIMPLE_MERGE_MAX_BYTES,
} from '../../src/count/bpe.js'
import type { RankTable } from '../../src/count/ranks.js'
import { randomCjk, randomLowercase } from '../fixtures-count/generators.mjs'
import { ENCODINGS, referenceEncode, referencePattern, referenceRankMap, rankTable } from './reference.js'

const table = rankTable

/** Byte string of a js-tiktoken rank-map key ("104,101,108"). */
function keyToBytes(key: string): string {
  return key === '' ? '' : String.fromCharCode(...key.split(',').map(Number))
}

/** Token ids of `text` through our pre-tokenizer split and the given merge. */
function encodeWith(t: RankTable, text: string, merge: typeof mergeHeap): number[] {
  const ids: number[] = []
  for (const match of text.matchAll(new RegExp(t.patStr, 'ug'))) {
    ids.push(...encodePieceTokens(t, utf8ByteString(match[0]), merge))
  }
  return ids
}

/** A byte string whose bytes are drawn from `alphabet`. */
const bytesFrom = (alphabet: string, maxLength: number) =>
  fc.array(fc.constantFrom(...alphabet), { minLength: 2, maxLength }).map((chars) => chars.join(''))

/** Byte strings that exercise merges: small alphabets (many equal-rank ties), text, and arbitrary bytes. */
const pieceBytes = fc.oneof(
  bytesFrom('a', 300),
  bytesFrom('ab', 300),
  bytesFrom(' \n', 200),
  bytesFrom('0123456789', 200),
  bytesFrom('abcdefghijklmnopqrstuvwxyz', 400),
  bytesFrom('=-_*#', 200),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 120 }).map(utf8ByteString),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }).map(utf8ByteString),
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 2, maxLength: 300 }).map((b) => String.fromCharCode(...b)),
)

describe('utf8ByteString', () => {
  const viaTextEncoder = (s: string): string => String.fromCharCode(...new TextEncoder().encode(s))

  it('equals TextEncoder for any string, lone surrogates included', () => {
    const anyUnits = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }).map((u) => String.fromCharCode(...u))
    fc.assert(
      fc.property(fc.oneof(anyUnits, fc.string({ unit: 'binary', maxLength: 200 })), (s) => {
        expect(utf8ByteString(s)).toBe(viaTextEncoder(s))
      }),
      { numRuns: 1_000 },
    )
    for (const s of ['', 'ascii', '\ud800', '\udc00', '\ud83d\ude00', '\ude00\ud83d', 'a\ud800', '\ud800\ud800\udc00', '\u07ff\u0800\uffff']) {
      expect(utf8ByteString(s)).toBe(viaTextEncoder(s))
    }
  })

  it('handles strings longer than one String.fromCharCode chunk', () => {
    const s = randomCjk(7, 20_000)
    expect(utf8ByteString(s)).toBe(viaTextEncoder(s))
  })
})

describe.each(ENCODINGS)('%s', (encoding) => {
  it('builds the same rank table as js-tiktoken', () => {
    const ours = table(encoding)
    const theirs = referenceRankMap(encoding)
    expect(ours.ranks.size).toBe(theirs.size)
    for (const [key, rank] of theirs) {
      if (ours.ranks.get(keyToBytes(key)) !== rank) expect.fail(`rank of [${key}] differs`)
    }
    expect(ours.patStr).toBe(referencePattern(encoding))
    let longest = 0
    for (const key of ours.ranks.keys()) longest = Math.max(longest, key.length)
    expect(ours.maxTokenBytes).toBe(longest)
  })

  it('has the two-byte table of js-tiktoken\'s ranks', () => {
    const t = table(encoding)
    const theirs = referenceRankMap(encoding)
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        const expected = theirs.get(`${a},${b}`) ?? -1
        if (t.bytePairRanks[(a << 8) | b] !== expected) expect.fail(`bytes ${a},${b}`)
      }
    }
  })

  it('gives identical parts with the heap merge and the simple merge', () => {
    const t = table(encoding)
    fc.assert(
      fc.property(pieceBytes, (bytes) => {
        expect(mergeHeap(t, bytes)).toEqual(mergeSimple(t, bytes))
      }),
      { numRuns: 1_500 },
    )
  })

  it('gives identical parts with both merges on degenerate pieces', () => {
    const t = table(encoding)
    for (const bytes of ['', 'a', 'ab', 'aaa', 'a'.repeat(SIMPLE_MERGE_MAX_BYTES + 1), ' '.repeat(777), '\xff\xfe'.repeat(100)]) {
      expect(mergeHeap(t, bytes)).toEqual(mergeSimple(t, bytes))
    }
  })

  it('equals js-tiktoken token by token with the heap merge forced on every piece', () => {
    const t = table(encoding)
    const text = fc.string({ unit: 'binary', maxLength: 300 })
    fc.assert(
      fc.property(fc.oneof(text, fc.string({ maxLength: 600 })), (s) => {
        expect(encodeWith(t, s, mergeHeap)).toEqual(referenceEncode(encoding, s))
      }),
      { numRuns: 300 },
    )
  })

  // Single long pieces, as long as js-tiktoken's quadratic merge stays near 1 s.
  it.each([
    ["'a' x 2,500", 'a'.repeat(2_500)],
    ["' ' x 2,500", ' '.repeat(2_500)],
    ['random lower-case x 2,500', randomLowercase(3, 2_500)],
    ['random CJK x 800 (2,400 bytes)', randomCjk(5, 800)],
    ["'ab' x 1,200", 'ab'.repeat(1_200)],
  ])('equals js-tiktoken token by token on a long piece: %s', (_label, text) => {
    const t = table(encoding)
    expect(encodeWith(t, text, mergeHeap)).toEqual(referenceEncode(encoding, text))
  })
})
