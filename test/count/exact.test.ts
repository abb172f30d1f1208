/**
 * Exactness: `count(s)` equals js-tiktoken's `encode(s, [], []).length` for
 * generated and adversarial strings, with both encodings.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createTokenCounter } from '../../src/count/index.js'
import { mulberry32 } from '../fixtures-count/generators.mjs'
import { ENCODINGS, referenceCount } from './reference.js'

/** A lone (unpaired) surrogate code unit. */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c))

/** Snippets chosen to sit on pre-tokenizer and BPE edge cases. */
const TRICKY = [
  ' ', '  ', '\n', '\r\n', '\r', '\t', '\v', '\f', '\u00a0', '\u3000', '\u2028', '\u2029',
  '\ufeff', '\u0085', '\u200b', '\u200d', "'s", "'S", "'ll", "'LL", "'re", "'Ve", "'d", "'", "n't",
  '<|endoftext|>', '<|endofprompt|>', '<|fim_prefix|>', '<|im_start|>', '<|', '|>',
  'e\u0301', '\u0301', 'A\u030a', '👩\u200d👩\u200d👧\u200d👦', '🏳️\u200d🌈', '👍🏽', '🇫🇷',
  'שלום', 'مرحبا', '\u202e', '\u200f', '١٢٣٤', '½', 'Ⅻ', '²', '１２３', 'ǅ', 'ʰ', 'ß', 'İ',
  '日本語', '한국어', 'ไทย', 'Ελληνικά', 'Кириллица', 'देवनागरी', '12345', '3.14159', '0x1F',
  '```ts', '# ', '- [ ]', '**bold**', '](http://x.y/z)', '&nbsp;', '\\n', '//', '/*', '...',
]

/** One unit of a mixed string: ASCII, any code point, graphemes, lone surrogates, tricky snippets, long runs. */
const unit = fc.oneof(
  { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }), weight: 2 },
  { arbitrary: loneSurrogate, weight: 1 },
  { arbitrary: fc.constantFrom(...TRICKY), weight: 3 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom('a', 'A', ' ', '\n', '0', '-', '=', 'é', '語', '🙂', '\t', '\ufeff', 'ab'), fc.integer({ min: 2, max: 400 }))
      .map(([s, n]) => s.repeat(n)),
    weight: 1,
  },
)

/** Mixed strings up to ~2,000 UTF-16 code units. */
const mixed = fc.array(unit, { maxLength: 40 }).map((units) => units.join('').slice(0, 2_000))

describe.each(ENCODINGS)('%s', (encoding) => {
  const counter = createTokenCounter({ encoding })
  const same = (text: string): void => {
    expect(counter.count(text), JSON.stringify(text.slice(0, 200))).toBe(referenceCount(encoding, text))
  }

  it('counts the empty string as 0', () => {
    expect(counter.count('')).toBe(0)
  })

  it('matches js-tiktoken on ASCII strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 2_000 }), (s) => same(s)), { numRuns: 300 })
  })

  it('matches js-tiktoken on strings of any code points', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 1_000 }), (s) => same(s)), { numRuns: 300 })
  })

  it('matches js-tiktoken on grapheme strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 500 }), (s) => same(s)), { numRuns: 200 })
  })

  it('matches js-tiktoken on mixtures with tricky snippets, lone surrogates and long runs', () => {
    fc.assert(fc.property(mixed, (s) => same(s)), { numRuns: 500 })
  })

  it('matches js-tiktoken on adversarial unicode', () => {
    const cases = [
      ...TRICKY,
      '\ud800', '\udfff', 'a\ud800b', '\udc00\ud800', '\ud83d', 'x\ud83d\ude00y\ude00',
      'cafe\u0301 na\u0308ive', '\u0301\u0301\u0301abc', 'a' + '\u0300'.repeat(50),
      '👨\u200d👩\u200d👧\u200d👦 family', '🧑🏽\u200d💻 dev', '👁️\u200d🗨️',
      'English עברית English', 'العربية 123 English', '\u202eevil\u202c text', 'abc\u200fdef',
      'Mixed 日本語 and English and 한국어 text', 'Ünïcödé ÀÉÎÕÜ',
      'line1\r\nline2\r\n\r\n\tindented\r\n', '\r\r\n\n\r', ' \t \n \t', 'a\tb\t\tc',
      'a\ufeffb', '\ufeffhello', 'x \ufeff y', 'a\u0085b', 'x \u0085 y', 'a\u0085\u0085b', 'a\ufeff\ufeffb',
      '<|endoftext|>', 'before<|endoftext|>after', '<|endoftext|><|endofprompt|>', '<|endoftext',
      "I'm you're we'll they'd it's WE'LL SHE'S", "''''", "'s's's",
      '   leading and trailing   ', '\n\n\n\nparagraphs\n\n\n', '    code()\n        nested()',
    ]
    for (const text of cases) same(text)
  })

  it('matches js-tiktoken on one- and two-character ASCII strings', () => {
    // js-tiktoken compiles its regex on every call (~0.5 ms), so: every
    // character, every pair of a varied subset, and a seeded sample of the rest.
    const subset = ' \t\n\r\x00\x7fazAZ09_-.,;:!?\'"`()[]{}<>/\\|#*+=&%$@^~'
    const texts: string[] = []
    for (let a = 0; a < 128; a++) texts.push(String.fromCharCode(a))
    for (const a of subset) for (const b of subset) texts.push(a + b)
    const next = mulberry32(2)
    for (let i = 0; i < 1_000; i++) texts.push(String.fromCharCode(Math.floor(next() * 128), Math.floor(next() * 128)))
    const mismatches = texts.filter((text) => counter.count(text) !== referenceCount(encoding, text))
    expect(mismatches).toEqual([])
  })

  it('counts special tokens as plain text and never throws', () => {
    for (const text of ['<|endoftext|>', '<|endofprompt|>', '<|fim_prefix|><|fim_middle|><|fim_suffix|>', 'a<|endoftext|>b']) {
      expect(() => counter.count(text)).not.toThrow()
      same(text)
    }
    // Plain text, so more than the single special-token id.
    expect(counter.count('<|endoftext|>')).toBeGreaterThan(1)
  })
})
