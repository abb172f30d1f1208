/**
 * Packed rank data (src/count/packed.ts) and the rank table built from it, on
 * small made-up encodings checked against js-tiktoken's own constructor and
 * encoder: decoding js-tiktoken's format, the rank file's layout and its
 * checks, and which source `loadRankTable` uses. The check of the real
 * encodings, every rank and every byte, is test/count/packed-exact.test.ts
 * (slow tier).
 */
import fc from 'fast-check'
import { Tiktoken } from 'js-tiktoken/lite'
import { describe, expect, it } from 'vitest'
import type { EncodingData } from '../../src/count/encodings.js'
import { countPieceTokens, encodePieceTokens } from '../../src/count/bpe.js'
import { packEncodingData, parseRankFile, RANK_FILE_MAGIC, RANK_FILE_VERSION, serializeRankFile, type PackedRanks } from '../../src/count/packed.js'
import { readRankFile } from '../../src/count/rank-file.js'
import { loadRankTable, rangeRank, tableFromPacked } from '../../src/count/ranks.js'

/** One piece per text, so that js-tiktoken's `encode` of a text is the encoding of one piece. */
const PATTERN = String.raw`[\s\S]+`

/** Base64 of the bytes of `s` (Latin-1: one byte per character). */
const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64')

/** Every single byte, in order, as base64. */
const BYTES = Array.from({ length: 256 }, (_, b) => Buffer.from([b]).toString('base64'))

/** A made-up encoding: ranks 0-255 the bytes, then a few merges. */
function data(lines: string[]): EncodingData {
  return { pat_str: PATTERN, special_tokens: {}, bpe_ranks: lines.join('\n') }
}

const MERGES = ['he', 'll', 'hell', 'hello', 'wo', 'rl', 'worl', 'world', ' w', ' world', 'é'].map((s) => (s === 'é' ? Buffer.from('é').toString('base64') : b64(s)))

const SIMPLE = data([`! 0 ${BYTES.join(' ')}`, `! 256 ${MERGES.join(' ')}`])

/** js-tiktoken's rank map of `d`, keys turned into byte strings like ours. */
function referenceRanks(d: EncodingData): Map<string, number> {
  const map = (new Tiktoken(d) as unknown as { rankMap: Map<string, number> }).rankMap
  return new Map([...map].map(([key, rank]) => [key === '' ? '' : String.fromCharCode(...key.split(',').map(Number)), rank]))
}

/** The byte strings of every rank of `p`, by rank (undefined where none). */
function byRank(p: PackedRanks): (string | undefined)[] {
  const out: (string | undefined)[] = []
  let at = 0
  for (let rank = 0; rank < p.lengths.length; rank++) {
    const n = p.lengths[rank] as number
    out.push(n === 0 ? undefined : String.fromCharCode(...p.bytes.subarray(at, at + n)))
    at += n
  }
  return out
}

describe('packEncodingData', () => {
  it('decodes every token in rank order, exactly as js-tiktoken does', () => {
    const p = packEncodingData('o200k_base', SIMPLE)
    expect(p.patStr).toBe(PATTERN)
    expect(p.lengths.length).toBe(267)
    expect(byRank(p).slice(256)).toEqual(['he', 'll', 'hell', 'hello', 'wo', 'rl', 'worl', 'world', ' w', ' world', '\u00c3\u00a9'])
    expect(p.bytes.length).toBe(256 + 2 + 2 + 4 + 5 + 2 + 2 + 4 + 5 + 2 + 6 + 2)
    const reference = referenceRanks(SIMPLE)
    expect(new Map(byRank(p).map((s, rank) => [s as string, rank]))).toEqual(reference)
  })

  it('follows the offsets of lines given out of order, with gaps, empty tokens and a trailing newline', () => {
    const d = data([`! 300 ${b64('xyz')}  ${b64('ab')}`, `! 0 ${BYTES.slice(0, 128).join(' ')}`, `! 128 ${BYTES.slice(128).join(' ')}`, ''])
    const p = packEncodingData('cl100k_base', d)
    const ranks = byRank(p)
    expect(ranks.length).toBe(303)
    expect(ranks[300]).toBe('xyz')
    expect(ranks[301]).toBeUndefined() // two spaces: an empty token, which js-tiktoken maps '' to
    expect(ranks[302]).toBe('ab')
    expect(ranks.slice(256, 300).every((s) => s === undefined)).toBe(true)
    const reference = referenceRanks(d)
    reference.delete('')
    expect(new Map(ranks.flatMap((s, rank) => (s === undefined ? [] : [[s, rank] as const])))).toEqual(reference)
  })

  it('rejects malformed data with a message naming the encoding', () => {
    expect(() => packEncodingData('o200k_base', data([`! 0 ${BYTES.join(' ')} ab*d`]))).toThrow('Rank data for o200k_base has a character outside base64 in the token of rank 256')
    expect(() => packEncodingData('o200k_base', data([`! 0 ${BYTES.join(' ')} ${b64('x'.repeat(256))}`]))).toThrow('Rank data for o200k_base has a token of 256 bytes; at most 255 are supported')
    expect(() => packEncodingData('o200k_base', data([`! 0 ${BYTES.join(' ')}`, `! 255 ${b64('ab')}`]))).toThrow('Rank data for o200k_base gives rank 255 twice')
    expect(() => packEncodingData('o200k_base', data(['!', `! 0 ${BYTES.join(' ')}`]))).toThrow('Rank data for o200k_base has a line without a rank offset at character 0')
    expect(() => packEncodingData('o200k_base', data([`! x ${BYTES.join(' ')}`]))).toThrow('Rank data for o200k_base has a line without a rank offset at character 0')
  })
})

describe('rank files', () => {
  const packed = packEncodingData('o200k_base', SIMPLE)
  const file = serializeRankFile(packed)

  it('have the documented layout', () => {
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
    expect(Buffer.from(file.subarray(0, 4)).toString('latin1')).toBe('PFRK')
    expect(view.getUint32(0, true)).toBe(RANK_FILE_MAGIC)
    expect(view.getUint32(4, true)).toBe(RANK_FILE_VERSION)
    expect(view.getUint32(8, true)).toBe(267)
    expect(view.getUint32(12, true)).toBe(packed.bytes.length)
    expect(view.getUint32(16, true)).toBe('o200k_base'.length)
    expect(view.getUint32(20, true)).toBe(PATTERN.length)
    expect(Buffer.from(file.subarray(24, 34)).toString('utf8')).toBe('o200k_base')
    expect(Buffer.from(file.subarray(34, 34 + PATTERN.length)).toString('utf8')).toBe(PATTERN)
    expect(file.length).toBe(24 + 10 + PATTERN.length + 267 + packed.bytes.length)
  })

  it('read back to the same packed ranks', () => {
    const back = parseRankFile(file, 'o200k_base')
    if (typeof back === 'string') throw new Error(back)
    expect(back.encoding).toBe('o200k_base')
    expect(back.patStr).toBe(PATTERN)
    expect([...back.lengths]).toEqual([...packed.lengths])
    expect([...back.bytes]).toEqual([...packed.bytes])
  })

  it('say why they cannot be used', () => {
    const changed = (at: number, value: number): Uint8Array => {
      const copy = file.slice()
      new DataView(copy.buffer).setUint32(at, value, true)
      return copy
    }
    expect(parseRankFile(file.subarray(0, 10), 'o200k_base')).toBe('too short')
    expect(parseRankFile(changed(0, 0x4b524651), 'o200k_base')).toBe('not a rank file')
    expect(parseRankFile(changed(4, 2), 'o200k_base')).toBe('format 2, expected 1')
    expect(parseRankFile(file, 'cl100k_base')).toBe('for o200k_base, expected cl100k_base')
    expect(parseRankFile(file.subarray(0, file.length - 1), 'o200k_base')).toBe('sizes do not add up')
    expect(parseRankFile(changed(12, packed.bytes.length + 1), 'o200k_base')).toBe('sizes do not add up')
  })

  it('whose lengths do not add up to the bytes make no table', () => {
    const broken = { ...packed, lengths: packed.lengths.map((n, rank) => (rank === 260 ? n + 1 : n)) }
    expect(() => tableFromPacked(broken as PackedRanks, 'rank file')).toThrow(`Rank data for o200k_base has ${packed.bytes.length} token bytes; its lengths add up to ${packed.bytes.length + 1}`)
  })
})

describe('tableFromPacked', () => {
  it('finds every token and counts like js-tiktoken', () => {
    const table = tableFromPacked(packEncodingData('o200k_base', SIMPLE), 'js-tiktoken')
    const reference = new Tiktoken(SIMPLE)
    for (const [bytes, rank] of referenceRanks(SIMPLE)) expect(rangeRank(table, bytes, 0, bytes.length)).toBe(rank)
    expect(table.maxTokenBytes).toBe(6)
    expect(table.ranks).toEqual(referenceRanks(SIMPLE))
    expect(table.tokens[265]).toBe(' world')
    for (const piece of ['hello', ' world', 'hellohello', 'worldly', 'hé', 'xyz']) {
      const bytes = Buffer.from(piece, 'utf8').toString('latin1')
      expect(encodePieceTokens(table, bytes)).toEqual(reference.encode(piece, [], []))
    }
  })

  it('indexes a repeated token under its last rank, as js-tiktoken', () => {
    const d = data([`! 0 ${BYTES.join(' ')} ${b64('ab')} ${b64('abc')} ${b64('ab')} ${b64('abc')} ${b64('q')}`])
    const table = tableFromPacked(packEncodingData('o200k_base', d), 'js-tiktoken')
    const reference = referenceRanks(d)
    expect(reference.get('ab')).toBe(258)
    expect(reference.get('abc')).toBe(259)
    expect(reference.get('q')).toBe(260)
    expect(rangeRank(table, 'ab', 0, 2)).toBe(258)
    expect(rangeRank(table, 'abc', 0, 3)).toBe(259)
    expect(rangeRank(table, 'q', 0, 1)).toBe(260)
    expect(table.ranks).toEqual(reference)
  })

  it('needs a rank for every byte and tokens of at most 128 bytes', () => {
    expect(() => tableFromPacked(packEncodingData('o200k_base', data([`! 0 ${BYTES.slice(1).join(' ')}`])), 'js-tiktoken')).toThrow('Rank data for o200k_base has no rank for byte 0')
    expect(() => tableFromPacked(packEncodingData('o200k_base', data([`! 0 ${BYTES.join(' ')} ${b64('y'.repeat(129))}`])), 'js-tiktoken')).toThrow(
      'Rank data for o200k_base has a token of 129 bytes; at most 128 are supported',
    )
  })
})

describe('loadRankTable', () => {
  it("uses js-tiktoken's data where there is no rank file (run from the sources)", () => {
    expect(readRankFile('o200k_base')).toBeUndefined()
    const table = loadRankTable('o200k_base')
    expect(table.source).toBe('js-tiktoken')
    expect(rangeRank(table, 'hello', 0, 5)).toBe(24912)
    expect(table.tokenLengths.length).toBe(199_998)
  })
})

describe('made-up encodings (property)', () => {
  /** Byte strings of 2-12 bytes, often repeated, cut into lines at random offsets. */
  const pool = fc.array(fc.uint8Array({ minLength: 2, maxLength: 12 }), { minLength: 1, maxLength: 20 })
  const encoding = fc
    .record({
      tokens: pool.chain((p) => fc.array(fc.constantFrom(...p), { minLength: 1, maxLength: 60 })),
      cuts: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 6 }),
      gap: fc.integer({ min: 0, max: 5 }),
    })
    .map(({ tokens, cuts, gap }) => {
      const all = [...BYTES, ...tokens.map((t) => Buffer.from(t).toString('base64'))]
      const lines: string[] = []
      let at = 0
      let rank = 0
      for (let k = 0; at < all.length; k++) {
        const n = cuts[k % cuts.length] as number
        lines.push(`! ${rank} ${all.slice(at, at + n).join(' ')}`)
        rank += n + (at + n >= 256 ? gap : 0) // ranks may skip after the single bytes
        at += n
      }
      return data(lines.reverse()) // lines out of rank order
    })
  const text = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => String.fromCharCode(...b))

  it("gives js-tiktoken's ranks and counts, through a rank file too", () => {
    fc.assert(
      fc.property(encoding, fc.array(text, { minLength: 1, maxLength: 10 }), (d, pieces) => {
        const reference = referenceRanks(d)
        const packed = packEncodingData('o200k_base', d)
        const back = parseRankFile(serializeRankFile(packed), 'o200k_base')
        if (typeof back === 'string') throw new Error(back)
        const tiktoken = new Tiktoken(d)
        for (const table of [tableFromPacked(packed, 'js-tiktoken'), tableFromPacked(back, 'rank file')]) {
          expect(table.ranks).toEqual(reference)
          for (const [bytes, rank] of reference) expect(rangeRank(table, bytes, 0, bytes.length)).toBe(rank)
          for (const piece of pieces) {
            const expected = tiktoken.encode(Buffer.from(piece, 'latin1').toString('utf8'), [], [])
            // A piece whose bytes are not valid UTF-8 is encoded by js-tiktoken after U+FFFD replacement: compare on valid pieces only.
            if (Buffer.from(Buffer.from(piece, 'latin1').toString('utf8'), 'utf8').toString('latin1') !== piece) continue
            expect(encodePieceTokens(table, piece)).toEqual(expected)
            expect(countPieceTokens(table, piece)).toBe(expected.length)
          }
        }
      }),
      { seed: 14, numRuns: 150 },
    )
  })
})
