/**
 * The reference the counter must equal: js-tiktoken's
 * `new Tiktoken(ranks).encode(text, [], [])`. Encoders are built on first use
 * (~1.1 s for o200k_base, ~0.55 s for cl100k_base) and kept per test file.
 */
import { Tiktoken } from 'js-tiktoken/lite'
import cl100k from 'js-tiktoken/ranks/cl100k_base'
import o200k from 'js-tiktoken/ranks/o200k_base'
import { loadEncodingData } from '../../src/count/encodings.js'
import type { EncodingName } from '../../src/count/index.js'
import { buildRankTable, type RankTable } from '../../src/count/ranks.js'

/** Both encodings, in a stable order for `describe.each`. */
export const ENCODINGS: readonly EncodingName[] = ['o200k_base', 'cl100k_base']

const encoders = new Map<EncodingName, Tiktoken>()

/** The js-tiktoken encoder for `encoding`, built once. */
export function reference(encoding: EncodingName): Tiktoken {
  let encoder = encoders.get(encoding)
  if (encoder === undefined) {
    encoder = new Tiktoken(encoding === 'o200k_base' ? o200k : cl100k)
    encoders.set(encoding, encoder)
  }
  return encoder
}

/** js-tiktoken's token ids for `text`, special tokens as plain text. */
export function referenceEncode(encoding: EncodingName, text: string): number[] {
  return reference(encoding).encode(text, [], [])
}

/** js-tiktoken's token count for `text`, special tokens as plain text. */
export function referenceCount(encoding: EncodingName, text: string): number {
  return referenceEncode(encoding, text).length
}

/** js-tiktoken's internal rank map (byte values joined by ',' → rank). */
export function referenceRankMap(encoding: EncodingName): ReadonlyMap<string, number> {
  return (reference(encoding) as unknown as { rankMap: Map<string, number> }).rankMap
}

/** js-tiktoken's pre-tokenizer pattern source. */
export function referencePattern(encoding: EncodingName): string {
  return (encoding === 'o200k_base' ? o200k : cl100k).pat_str
}

const tables = new Map<EncodingName, RankTable>()

/** promptfold's rank table for `encoding`, built once per test file. */
export function rankTable(encoding: EncodingName): RankTable {
  let found = tables.get(encoding)
  if (found === undefined) {
    found = buildRankTable(encoding, loadEncodingData(encoding))
    tables.set(encoding, found)
  }
  return found
}
