/** The hand-scanning pre-tokenizer yields exactly the regex's pieces. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createPieceScanner, hasFastScan } from '../../src/count/pretokenize.js'
import { ENCODINGS, referencePattern } from './reference.js'

/** Pieces by the scanner, skipping like the global regex where nothing matches. */
function scanAll(patStr: string, text: string, options: { ascii?: boolean; symbols?: boolean } = {}): string[] {
  const scan = createPieceScanner(patStr, options)
  const global = new RegExp(patStr, 'ug')
  const pieces: string[] = []
  let pos = 0
  while (pos < text.length) {
    let end = scan(text, pos)
    if (end < 0) {
      global.lastIndex = pos
      const match = global.exec(text)
      if (match === null) break
      pos = match.index
      end = pos + match[0].length
    }
    if (end === pos) throw new Error('empty match')
    pieces.push(text.slice(pos, end))
    pos = end
  }
  return pieces
}

/** Pieces as js-tiktoken gets them. */
function regexAll(patStr: string, text: string): string[] {
  return [...text.matchAll(new RegExp(patStr, 'ug'))].map((m) => m[0])
}

/** ASCII-heavy units around every branch of the hand scan, with non-ASCII where it matters. */
const unit = fc.oneof(
  { arbitrary: fc.constantFrom('a', 'word', 'Word', 'WORD', 'HTMLParser', 'iOS', 'x', 'Q'), weight: 5 },
  { arbitrary: fc.constantFrom('0', '12', '123', '1234', '3.14', '1e9'), weight: 2 },
  { arbitrary: fc.constantFrom(' ', '  ', '   ', '\t', '\n', '\n\n', '\r\n', '\r', '\v', '\f', ' \n ', '\t\n'), weight: 4 },
  { arbitrary: fc.constantFrom('.', ',', '(', ')', '**', '#', '##', '- ', '`', '```', '/', '//', '*/', '"', '<', '>', '|', '\\', '\x00', '\x1f', '\x7f'), weight: 4 },
  { arbitrary: fc.constantFrom("'", "'s", "'S", "'t", "'re", "'RE", "'rE", "'ve", "'m", "'ll", "'LL", "'d", "'x", "''", "n't", "it's", "I'M", "o'clock"), weight: 3 },
  {
    arbitrary: fc.constantFrom('é', 'À', '\u0301', '\u00a0', '\ufeff', '\u0085', '\u2028', '—', '٣', '²', '語', 'ǅ', 'ʰ', '🙂', '\ud800', 'ß'),
    weight: 2,
  },
  {
    // Non-ASCII symbols and punctuation: what the symbol scan handles without the regex.
    arbitrary: fc.constantFrom('→', '←', '•', '“', '”', '‘', '’', '…', '✓', '©', '°', '€', '│', '─', '🙂', '🚀', '\u{1F468}\u200D\u{1F469}', '\udc00', '\u200b', '\u00ad', '\u2060', '¶'),
    weight: 3,
  },
  { arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 8 }), weight: 2 },
)

const texts = fc.oneof(
  fc.array(unit, { maxLength: 30 }).map((u) => u.join('')),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
)

describe.each(ENCODINGS)('%s pre-tokenizer', (encoding) => {
  const pattern = referencePattern(encoding)

  it('has a hand scan for the shipped pattern', () => {
    expect(hasFastScan(pattern)).toBe(true)
  })

  it('yields the regex pieces on generated text', () => {
    fc.assert(
      fc.property(texts, (text) => {
        expect(scanAll(pattern, text)).toEqual(regexAll(pattern, text))
      }),
      { numRuns: 5_000 },
    )
  })

  it('yields the regex pieces on hand-picked edge cases', () => {
    const cases = [
      '', ' ', '\n', 'a', "'s", " 's", "('s", "don't", "DON'T", "I'm", "we'LL", "it'", "x'y", "rock'n'roll",
      '  word', ' \tword', '\tword', '\nword', '\r\nword', '   \n   \n  x', '  \n', 'x  ', 'x \t ', ' \u00a0x',
      '**bold**', '(word)', ' (x)', '-- flag', '//comment', '*/\n/', '.\n\n/x', 'a\u0301', 'A\u0300B', 'word\u00e9',
      '12345678', '12\u0663', '123\u0663', '1\u00b2', 'x\ufeffy', 'x\u0085y', ' \u0085', '\u0085 ', '!\u2014!', '#\ud800',
      'CamelCaseWORDSAndMore', 'ABCdef', 'abcDEF', 'ABC\'s', 'ABC\'S', 'ABC\u00c9', 'ABC\u00e9',
      '→x', ' →', ' → x', '\n→', '  →', '\t→', '→\n\n', '→/', '→\u0301', '→é', '→1', '→٣', '→\u00a0', 'x→', 'X→', 'xx→\'s',
      "→'s", "→'x", '12→', '1→2', '🙂🙂x', ' 🙂', '🙂\u0301', 'é→', '→\ud800', '\udc00x', '“quoted”', '— dash —', '**→ Load:** x',
    ]
    for (const text of cases) expect(scanAll(pattern, text), JSON.stringify(text)).toEqual(regexAll(pattern, text))
  })

  it('the symbol scan alone (every position) and the ASCII scan alone yield the regex pieces', () => {
    fc.assert(
      fc.property(texts, (text) => {
        const expected = regexAll(pattern, text)
        expect(scanAll(pattern, text, { ascii: false })).toEqual(expected)
        expect(scanAll(pattern, text, { symbols: false })).toEqual(expected)
      }),
      { numRuns: 3_000 },
    )
  })

  it('falls back to the regex alone for another pattern', () => {
    const other = String.raw`\p{L}+|\p{N}+|\s+|[^\s\p{L}\p{N}]+`
    expect(hasFastScan(other)).toBe(false)
    expect(scanAll(other, 'Hello, wörld 42!')).toEqual(regexAll(other, 'Hello, wörld 42!'))
  })
})
