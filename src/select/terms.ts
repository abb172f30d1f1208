/**
 * Text to search terms: lower-cased words, stop words removed, Porter-stemmed.
 *
 * @module
 */
import { stemmer } from 'stemmer'

const STOP = new Set(
  'a an and are as at be by for from has have in into is it its of on or that the this to was were will with when what how use using via your you'.split(
    ' ',
  ),
)

/** Split text into stemmed search terms (stop words and one-letter words removed). */
export function terms(text: string): string[] {
  const out: string[] = []
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    const term = termOfWord(m[0])
    if (term !== undefined) out.push(term)
  }
  return out
}

/**
 * The term of one lower-cased word of letters and digits (a word {@link terms} finds): its stem,
 * or `undefined` for a stop word or a one-letter word.
 */
export function termOfWord(word: string): string | undefined {
  return word.length < 2 || STOP.has(word) ? undefined : stemmer(word)
}
