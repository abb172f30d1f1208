/**
 * Pins the whitespace decision documented on `createTokenCounter`: the
 * pre-tokenizer's `\s` is JavaScript's (U+FEFF is whitespace, U+0085 is not),
 * as in js-tiktoken; tiktoken's Rust core uses Unicode White_Space (the
 * reverse). The Rust side is simulated here by swapping the `\s` class.
 */
import { describe, expect, it } from 'vitest'
import { countPieceTokens, utf8ByteString } from '../../src/count/bpe.js'
import { loadEncodingData } from '../../src/count/encodings.js'
import { createTokenCounter, type EncodingName } from '../../src/count/index.js'
import { buildRankTable } from '../../src/count/ranks.js'
import { referenceCount } from './reference.js'

/** Unicode White_Space, the meaning of `\s` in Rust's regex crate. */
const WHITE_SPACE = String.raw`\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`

/** The pattern with `\s` meaning Unicode White_Space instead of JavaScript's set. */
function unicodeWhiteSpacePattern(pat: string): string {
  return pat
    .replaceAll(String.raw`[^\s\p{L}\p{N}]`, String.raw`[^${WHITE_SPACE}\p{L}\p{N}]`)
    .replaceAll(String.raw`\S`, `[^${WHITE_SPACE}]`)
    .replaceAll(String.raw`\s`, `[${WHITE_SPACE}]`)
}

/** `text` as a JSON string with every non-ASCII code unit escaped, for test names. */
function escape(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

interface Pinned {
  text: string
  /** Pieces with JavaScript's `\s` (promptfold, js-tiktoken). */
  pieces: string[]
  /** Pieces with Unicode White_Space `\s` (tiktoken's Rust core). */
  whiteSpacePieces: string[]
  counts: Record<EncodingName, number>
  whiteSpaceCounts: Record<EncodingName, number>
}

const PINNED: Pinned[] = [
  {
    text: 'hello\ufeff\ufeffworld',
    pieces: ['hello', '\ufeff', '\ufeffworld'],
    whiteSpacePieces: ['hello', '\ufeff\ufeff', 'world'],
    counts: { o200k_base: 4, cl100k_base: 4 },
    whiteSpaceCounts: { o200k_base: 3, cl100k_base: 4 },
  },
  {
    text: 'a\ufeff\ufeffb',
    pieces: ['a', '\ufeff', '\ufeffb'],
    whiteSpacePieces: ['a', '\ufeff\ufeff', 'b'],
    counts: { o200k_base: 4, cl100k_base: 4 },
    whiteSpaceCounts: { o200k_base: 3, cl100k_base: 4 },
  },
  {
    text: '\ufeff# Title',
    pieces: ['\ufeff', '#', ' Title'],
    whiteSpacePieces: ['\ufeff#', ' Title'],
    counts: { o200k_base: 3, cl100k_base: 3 },
    whiteSpaceCounts: { o200k_base: 2, cl100k_base: 2 },
  },
  {
    text: 'a\u0085\u0085b',
    pieces: ['a', '\u0085\u0085', 'b'],
    whiteSpacePieces: ['a', '\u0085', '\u0085b'],
    counts: { o200k_base: 6, cl100k_base: 6 },
    whiteSpaceCounts: { o200k_base: 6, cl100k_base: 6 },
  },
  {
    text: 'tab\u0085\t',
    pieces: ['tab', '\u0085', '\t'],
    whiteSpacePieces: ['tab', '\u0085\t'],
    counts: { o200k_base: 4, cl100k_base: 4 },
    whiteSpaceCounts: { o200k_base: 4, cl100k_base: 4 },
  },
  {
    text: '\ufeff',
    pieces: ['\ufeff'],
    whiteSpacePieces: ['\ufeff'],
    counts: { o200k_base: 1, cl100k_base: 1 },
    whiteSpaceCounts: { o200k_base: 1, cl100k_base: 1 },
  },
  {
    text: '\u0085',
    pieces: ['\u0085'],
    whiteSpacePieces: ['\u0085'],
    counts: { o200k_base: 2, cl100k_base: 2 },
    whiteSpaceCounts: { o200k_base: 2, cl100k_base: 2 },
  },
]

describe.each(['o200k_base', 'cl100k_base'] as const)('%s whitespace', (encoding) => {
  const counter = createTokenCounter({ encoding })
  const data = loadEncodingData(encoding)
  const table = buildRankTable(encoding, data)
  const split = (pattern: string, text: string): string[] => [...text.matchAll(new RegExp(pattern, 'ug'))].map((m) => m[0])

  it.each(PINNED.map((p) => [escape(p.text), p] as const))('pins %s', (_name, pinned) => {
    expect(split(data.pat_str, pinned.text)).toEqual(pinned.pieces)
    expect(counter.count(pinned.text)).toBe(pinned.counts[encoding])
    expect(referenceCount(encoding, pinned.text)).toBe(pinned.counts[encoding])

    const rustLike = split(unicodeWhiteSpacePattern(data.pat_str), pinned.text)
    expect(rustLike).toEqual(pinned.whiteSpacePieces)
    const rustLikeCount = rustLike.reduce((n, piece) => n + countPieceTokens(table, utf8ByteString(piece)), 0)
    expect(rustLikeCount).toBe(pinned.whiteSpaceCounts[encoding])
  })

  it('treats U+FEFF as whitespace and U+0085 as not, like JavaScript', () => {
    expect(/\s/u.test('\ufeff')).toBe(true)
    expect(/\s/u.test('\u0085')).toBe(false)
  })
})
