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
    const w = m[0]
    if (w.length < 2 || STOP.has(w)) continue
    out.push(stemmer(w))
  }
  return out
}
