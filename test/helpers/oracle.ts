import { Tiktoken } from 'js-tiktoken/lite'
import cl100k from 'js-tiktoken/ranks/cl100k_base'
import o200k from 'js-tiktoken/ranks/o200k_base'

let o: Tiktoken | undefined
let c: Tiktoken | undefined

/** js-tiktoken's own count (special tokens as plain text): the independent oracle for exact counts. */
export function tiktokenCount(text: string, encoding: 'o200k_base' | 'cl100k_base' = 'o200k_base'): number {
  if (encoding === 'o200k_base') {
    o ??= new Tiktoken(o200k)
    return o.encode(text, [], []).length
  }
  c ??= new Tiktoken(cl100k)
  return c.encode(text, [], []).length
}
