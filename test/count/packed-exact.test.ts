/**
 * The rank files the build ships (scripts/pack-ranks.ts) hold exactly
 * js-tiktoken's ranks: every rank, every byte, checked against the installed
 * js-tiktoken's own tables (its constructor's `textMap` and `rankMap`), so that
 * a js-tiktoken upgrade that changed the data cannot drift unnoticed; and the
 * table built from a rank file finds every token at its rank. Slow tier: it
 * builds js-tiktoken's encoders (seconds).
 */
import { describe, expect, it } from 'vitest'
import { parseRankFile, type PackedRanks } from '../../src/count/packed.js'
import { rangeRank, tableFromPacked } from '../../src/count/ranks.js'
import { rankFileBytes } from '../../scripts/pack-ranks.js'
import { ENCODINGS, reference, referencePattern, referenceRankMap } from './reference.js'

describe.each(ENCODINGS)('%s rank file', (encoding) => {
  const file = rankFileBytes(encoding)
  const parsed = parseRankFile(file, encoding)
  if (typeof parsed === 'string') throw new Error(`the rank file of ${encoding} cannot be read: ${parsed}`)
  const packed: PackedRanks = parsed

  it("has js-tiktoken's bytes at every rank", () => {
    const textMap = (reference(encoding) as unknown as { textMap: Map<number, Uint8Array> }).textMap
    expect(packed.lengths.length).toBe(textMap.size)
    expect(packed.patStr).toBe(referencePattern(encoding))
    let at = 0
    let compared = 0
    for (let rank = 0; rank < packed.lengths.length; rank++) {
      const n = packed.lengths[rank] as number
      const theirs = textMap.get(rank)
      if (theirs === undefined) expect.fail(`rank ${rank}: js-tiktoken has no token`)
      if (n !== theirs.length) expect.fail(`rank ${rank}: ${n} bytes, js-tiktoken ${theirs.length}`)
      for (let i = 0; i < n; i++) {
        if (packed.bytes[at + i] !== theirs[i]) expect.fail(`rank ${rank}, byte ${i}: ${packed.bytes[at + i]}, js-tiktoken ${theirs[i]}`)
      }
      at += n
      compared += n
    }
    expect(at).toBe(packed.bytes.length)
    expect(compared).toBe(encoding === 'o200k_base' ? 1_397_670 : 643_830)
  })

  it('builds a table that finds every token of js-tiktoken at its rank', () => {
    const table = tableFromPacked(packed, 'rank file')
    const rankMap = referenceRankMap(encoding)
    expect(table.tokenLengths.length).toBe(rankMap.size)
    for (const [key, rank] of rankMap) {
      const bytes = String.fromCharCode(...key.split(',').map(Number))
      if (rangeRank(table, bytes, 0, bytes.length) !== rank) expect.fail(`rank of [${key}]`)
    }
  })
})
