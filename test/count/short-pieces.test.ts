/**
 * The allocation-free path of short pieces: token lookups by hash
 * (`rangeRank`, `pairRank`, `memoPairRank`), merging a range of the text in
 * place (`countRangeTokens`), the packed ASCII cache, and whole counts of
 * base64 and minified-JavaScript-like text against js-tiktoken.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ASCII_CACHE_MAX_LENGTH, countCachedAscii, createAsciiCache } from '../../src/count/ascii-cache.js'
import { countRangeTokens, encodePieceTokens, mergeHeap, SIMPLE_MERGE_MAX_BYTES } from '../../src/count/bpe.js'
import { createTokenCounter } from '../../src/count/index.js'
import { memoPairRank, pairRank, rangeRank, type RankTable } from '../../src/count/ranks.js'
import { mulberry32, randomBase64 } from '../fixtures-count/generators.mjs'
import { ENCODINGS, referenceCount, rankTable } from './reference.js'

const SEED = 20_240_611

const table = rankTable

/** Token count of a byte string by the `Map` lookups and the heap merge: independent of the new lookups. */
function mapCount(t: RankTable, bytes: string): number {
  return encodePieceTokens(t, bytes, mergeHeap).length
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Base64-like strings: the alphabet in any order, optional `=` padding. */
const base64Text = (maxLength: number) =>
  fc
    .tuple(fc.string({ unit: fc.constantFrom(...BASE64), minLength: 1, maxLength }), fc.constantFrom('', '=', '=='))
    .map(([body, pad]) => body + pad)

/** Minified-JavaScript-like strings: keywords, identifiers, numbers, strings and operators without spaces. */
const minifiedJs = (maxParts: number) => {
  const identifier = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_$ABCXYZ0123456789'), minLength: 1, maxLength: 8 })
  const part = fc.oneof(
    fc.constantFrom('function', 'return ', 'var ', 'let ', 'const ', 'if', 'else', 'for', 'while', 'new ', 'typeof ', 'null', 'this', 'void 0'),
    identifier,
    fc.integer({ min: 0, max: 100_000 }).map(String),
    identifier.map((s) => `"${s}"`),
    fc.constantFrom('(', ')', '{', '}', '[', ']', ';', ',', '.', '=', '==', '===', '!==', '=>', '&&', '||', '??', '?.', '<<', '>>>', '+=', '|0', '){', '});', '})()', '/', '*', ':', '?', '!', '`', "'"),
  )
  return fc.array(part, { minLength: 1, maxLength: maxParts }).map((parts) => parts.join(''))
}

describe.each(ENCODINGS)('%s', (encoding) => {
  it('finds every token by rangeRank, inside a longer string too', () => {
    const t = table(encoding)
    for (const [bytes, rank] of t.ranks) {
      if (rangeRank(t, bytes, 0, bytes.length) !== rank) expect.fail(`rank of ${JSON.stringify(bytes)}`)
      const padded = `\u00ff${bytes}\u0000`
      if (rangeRank(t, padded, 1, bytes.length + 1) !== rank) expect.fail(`rank of ${JSON.stringify(bytes)} inside a string`)
    }
  })

  it('finds no token where the Map has none', () => {
    const t = table(encoding)
    const bytes = fc.oneof(
      fc.string({ unit: fc.constantFrom(...BASE64), minLength: 1, maxLength: 40 }),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 140 }).map((b) => String.fromCharCode(...b)),
    )
    fc.assert(
      fc.property(bytes, (s) => {
        expect(rangeRank(t, s, 0, s.length)).toBe(t.ranks.get(s) ?? -1)
      }),
      { seed: SEED, numRuns: 20_000 },
    )
  })

  it('gives pairRank and memoPairRank as the Map gives the concatenation', () => {
    const t = table(encoding)
    const ranks = [...t.ranks.values()]
    const next = mulberry32(SEED)
    const pick = () => ranks[Math.floor(next() * ranks.length)] as number
    const expected = (l: number, r: number) => {
      const joined = (t.tokens[l] as string) + (t.tokens[r] as string)
      return joined.length > t.maxTokenBytes ? -1 : (t.ranks.get(joined) ?? -1)
    }
    // Random pairs (nearly all not a token), every split of many tokens (all tokens), and repeats for the memo.
    const pairs: Array<[number, number]> = []
    for (let i = 0; i < 20_000; i++) pairs.push([pick(), pick()])
    for (let i = 0; i < 20_000; i++) {
      const token = t.tokens[pick()] as string
      for (let k = 1; k < token.length; k++) {
        const l = t.ranks.get(token.slice(0, k))
        const r = t.ranks.get(token.slice(k))
        if (l !== undefined && r !== undefined) pairs.push([l, r])
      }
    }
    let found = 0
    for (const round of [0, 1]) {
      for (const [l, r] of pairs) {
        const want = expected(l, r)
        if (want >= 0) found += round === 0 ? 1 : 0
        if (pairRank(t, l, r) !== want) expect.fail(`pairRank(${l}, ${r})`)
        if (memoPairRank(t, l, r) !== want) expect.fail(`memoPairRank(${l}, ${r}), round ${round}`)
      }
    }
    expect(found).toBeGreaterThan(10_000)
  })

  it('counts a range in place as the Map count of the sliced piece', () => {
    const t = table(encoding)
    const piece = fc.oneof(
      base64Text(SIMPLE_MERGE_MAX_BYTES + 40),
      fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 1, maxLength: 60 }),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 200 }).map((b) => String.fromCharCode(...b)),
      fc.tuple(fc.constantFrom('a', ' ', '=', 'ab', '\u00e9'), fc.integer({ min: 1, max: 300 })).map(([s, n]) => s.repeat(n)),
    )
    fc.assert(
      fc.property(fc.string({ maxLength: 5 }), piece, fc.string({ maxLength: 5 }), (before, bytes, after) => {
        const text = before + bytes + after
        const start = before.length
        expect(countRangeTokens(t, text, start, start + bytes.length)).toBe(mapCount(t, bytes))
      }),
      { seed: SEED, numRuns: 3_000 },
    )
  })

  it('keeps the ASCII cache exact through hits, misses and evictions', () => {
    const t = table(encoding)
    const cache = createAsciiCache()
    const next = mulberry32(SEED + 1)
    // Every ASCII character (NUL and DEL included) and a small alphabet for
    // repeats; enough distinct pieces to overflow the cache's sets.
    const alphabets = [
      Array.from({ length: 128 }, (_, c) => String.fromCharCode(c)).join(''),
      BASE64,
      'ab\u0000',
    ]
    const seen: string[] = []
    const expected = new Map<string, number>()
    for (let i = 0; i < 400_000; i++) {
      let piece: string
      if (seen.length > 0 && next() < 0.3) {
        piece = seen[Math.floor(next() * seen.length)] as string
      } else {
        const alphabet = alphabets[Math.floor(next() * alphabets.length)] as string
        const length = 3 + Math.floor(next() * (ASCII_CACHE_MAX_LENGTH - 2))
        piece = ''
        for (let k = 0; k < length; k++) piece += alphabet[Math.floor(next() * alphabet.length)]
        if (seen.length < 50_000) seen.push(piece)
      }
      let want = expected.get(piece)
      if (want === undefined) {
        want = mapCount(t, piece)
        expected.set(piece, want)
      }
      const text = `x${piece}y`
      if (countCachedAscii(cache, t, text, 1, piece.length + 1) !== want) expect.fail(`count of ${JSON.stringify(piece)}`)
    }
  })

  it('tells apart ASCII cache keys that differ in one packed word or in length only', () => {
    const t = table(encoding)
    const cache = createAsciiCache()
    const next = mulberry32(SEED + 3)
    const base = 'Qz9+aB/cd0Ef1gHx'
    const char = () => BASE64[Math.floor(next() * BASE64.length)] as string
    // Enough pieces per family that many share a set of the cache with a
    // sibling: only the compared word (or the length) tells them apart.
    for (let word = 0; word < 4; word++) {
      for (let i = 0; i < 40_000; i++) {
        const chars = [...base]
        for (let k = 4 * word; k < 4 * word + 4; k++) chars[k] = char()
        const piece = chars.join('').slice(0, 4 * word + 4 + Math.floor(next() * (13 - 4 * word)))
        if (countCachedAscii(cache, t, piece, 0, piece.length) !== mapCount(t, piece)) expect.fail(`count of ${JSON.stringify(piece)}`)
      }
    }
    for (let i = 0; i < 20_000; i++) {
      const piece = base.slice(0, 3 + (i % (ASCII_CACHE_MAX_LENGTH - 2))).replace(/./g, (c) => (next() < 0.1 ? '\u0000' : c))
      if (countCachedAscii(cache, t, piece, 0, piece.length) !== mapCount(t, piece)) expect.fail(`count of ${JSON.stringify(piece)}`)
    }
  })
})

describe.each(ENCODINGS)('%s whole counts', (encoding) => {
  const counter = createTokenCounter({ encoding })
  const same = (text: string): void => {
    expect(counter.count(text), JSON.stringify(text.slice(0, 120))).toBe(referenceCount(encoding, text))
  }

  it('matches js-tiktoken on random base64 of various lengths', () => {
    fc.assert(fc.property(base64Text(3_000), (s) => same(s)), { seed: SEED, numRuns: 300 })
    for (const bytes of [1, 2, 3, 10, 100, 1_000, 10_000, 40_000]) same(randomBase64(bytes, bytes))
  })

  it('matches js-tiktoken on base64 counted again (cache hits) and among other text', () => {
    const text = randomBase64(7, 30_000)
    same(text)
    same(text)
    same(`data:image/png;base64,${text}\n\n# Heading\n\nSome prose, "quoted", and ${text.slice(0, 500)} again.`)
  })

  it('matches js-tiktoken on minified-JavaScript-like text', () => {
    fc.assert(fc.property(minifiedJs(400), (s) => same(s)), { seed: SEED, numRuns: 300 })
  })

  it('matches js-tiktoken on short pieces of every ASCII character', () => {
    const next = mulberry32(SEED + 2)
    const texts: string[] = []
    for (let i = 0; i < 200; i++) {
      let s = ''
      const length = 1 + Math.floor(next() * 400)
      for (let k = 0; k < length; k++) s += String.fromCharCode(Math.floor(next() * 128))
      texts.push(s)
    }
    for (const text of texts) same(text)
  })
})
