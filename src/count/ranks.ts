/**
 * The rank table: byte sequence → BPE rank, built once per encoding from
 * js-tiktoken's compressed rank data.
 *
 * Byte sequences are represented as *byte strings*: one UTF-16 code unit per
 * byte, each in 0–255 (what `atob` returns). They hash and slice fast in V8 and
 * need no `join(',')` like js-tiktoken's `rankMap` keys.
 *
 * @module
 */

import type { EncodingData, EncodingName } from './encodings.js'

/** Rank lookup for one encoding. */
export interface RankTable {
  /** Which encoding this table is for. */
  readonly encoding: EncodingName
  /** Pre-tokenizer regular expression source, for `new RegExp(patStr, 'u…')`. */
  readonly patStr: string
  /** Byte string → rank. Holds every ordinary (non-special) token. */
  readonly ranks: ReadonlyMap<string, number>
  /** Length in bytes of the longest token; longer byte strings are never looked up. */
  readonly maxTokenBytes: number
}

/**
 * Builds the rank table from js-tiktoken rank data (~0.2 s for o200k_base,
 * ~0.07 s for cl100k_base; js-tiktoken's own constructor takes ~1.1 s / ~0.55 s).
 *
 * Parsing mirrors js-tiktoken's `Tiktoken` constructor: each line is
 * `"<tag> <offset> <base64> <base64> ..."` and the i-th token gets rank
 * `offset + i`; a repeated token keeps its last rank.
 *
 * @param encoding - Name recorded on the table.
 * @param data - Rank data from `js-tiktoken/ranks/<encoding>`.
 * @returns The table.
 * @throws Error when the data does not give every single byte a rank (BPE
 *   counting relies on it; both supported encodings do).
 */
export function buildRankTable(encoding: EncodingName, data: EncodingData): RankTable {
  const ranks = new Map<string, number>()
  let maxTokenBytes = 0
  for (const line of data.bpe_ranks.split('\n')) {
    if (line === '') continue
    const fields = line.split(' ')
    const offset = Number.parseInt(fields[1] ?? '', 10)
    for (let i = 2; i < fields.length; i++) {
      const bytes = atob(fields[i] as string)
      ranks.set(bytes, offset + i - 2)
      if (bytes.length > maxTokenBytes) maxTokenBytes = bytes.length
    }
  }
  for (let b = 0; b < 256; b++) {
    if (!ranks.has(String.fromCharCode(b))) {
      throw new Error(`Rank data for ${encoding} has no rank for byte ${b}`)
    }
  }
  return { encoding, patStr: data.pat_str, ranks, maxTokenBytes }
}
