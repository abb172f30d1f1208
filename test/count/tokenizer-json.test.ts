/**
 * tokenizerJsonCounter on made-up byte-level BPE tokenizers (quick tier):
 * merge-list semantics (not tiktoken's), ignore_merges, the Split and
 * ByteLevel pre-tokenizers, normalizers, special tokens, options and the
 * typed errors for unsupported shapes. Exactness against
 * `@huggingface/tokenizers` on the same made-up tokenizers, including a
 * fast-check property; the real tokenizers are in tokenizer-json-exact.test.ts
 * (slow tier).
 */
import { Tokenizer } from '@huggingface/tokenizers'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidOptionError } from '../../src/errors.js'
import { TokenizerUnsupportedError, tokenizerJsonCounter } from '../../src/count/tokenizer-json.js'
import { translateOnigurumaPattern } from '../../src/count/tokenizer-json/regex.js'

/** GPT-2's bytes_to_unicode: byte → vocabulary character. */
const BYTE_CHAR: string[] = (() => {
  const chars: string[] = []
  let extra = 0
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff)
    chars[b] = String.fromCharCode(printable ? b : 256 + extra++)
  }
  return chars
})()

/** Byte-level form of an ASCII/UTF-8 string. */
function mapped(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => BYTE_CHAR[b]).join('')
}

const LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"

/** Merges given in byte-level form, first: the two bytes of 'é' (C3 A9), then 'é' + 't'. */
const RAW_MERGES: [string, string][] = [
  [BYTE_CHAR[0xc3] as string, BYTE_CHAR[0xa9] as string],
  [mapped('é'), 't'],
]

/** A made-up tokenizer.json: the 256 bytes, then `merges` (plain strings, merged left to right) in order. */
function madeUp(merges: [string, string][], extra: { ignoreMerges?: boolean; vocab?: string[]; post?: unknown; normalizer?: unknown; pre?: unknown } = {}): Record<string, unknown> {
  const vocab: Record<string, number> = {}
  for (const c of BYTE_CHAR) vocab[c] = Object.keys(vocab).length
  const all = [...RAW_MERGES, ...merges.map(([a, b]): [string, string] => [mapped(a), mapped(b)])]
  for (const [a, b] of all) vocab[a + b] ??= Object.keys(vocab).length
  for (const v of extra.vocab ?? []) vocab[mapped(v)] ??= Object.keys(vocab).length
  return {
    version: '1.0',
    added_tokens: [],
    normalizer: extra.normalizer ?? null,
    pre_tokenizer: extra.pre ?? {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: LLAMA3_REGEX }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: extra.post ?? null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: extra.ignoreMerges ?? false,
      vocab,
      merges: all.map(([a, b]) => `${a} ${b}`),
    },
  }
}

/** The reference's count (special tokens as added by the post-processor when asked). */
function referenceCount(json: Record<string, unknown>, text: string, addSpecialTokens = false): number {
  return new Tokenizer(json as never, {}).encode(text, { add_special_tokens: addSpecialTokens }).ids.length
}

const MERGES: [string, string][] = [
  ['a', 'b'], ['ab', 'c'], ['c', 'd'], [' ', 't'], ['h', 'e'], [' t', 'he'], ['a', 'a'], ['aa', 'aa'], ['aaaa', 'aaaa'],
  ['=', '='], ['==', '=='], ['1', '2'], ['12', '3'], ['\n', '\n'], [' ', ' '], ['  ', '  '], ['b', 'c'],
]

describe('merge-list BPE', () => {
  it('merges by the merge list, not by the vocabulary', () => {
    // 'bc' is a token, but the merge b+c comes after a+b: "abc" is ab+c → abc, one token.
    const json = madeUp(MERGES)
    const counter = tokenizerJsonCounter(json)
    expect(counter.count('abc')).toBe(1)
    expect(counter.count('abcd')).toBe(2) // abc + d: c+d is never adjacent once abc is made
    expect(counter.count('xbcd')).toBe(3) // x, b, cd: c+d comes before b+c
    expect(referenceCount(json, 'xbcd')).toBe(3)
  })

  it('leaves a pair whose concatenation is a token unmerged when no merge lists it', () => {
    // 'xy' is in the vocabulary, but no merge x+y: tiktoken's rule would make one token.
    const json = madeUp(MERGES, { vocab: ['xy'] })
    expect(tokenizerJsonCounter(json).count('xy')).toBe(2)
    expect(referenceCount(json, 'xy')).toBe(2)
  })

  it('honours ignore_merges: a piece that is a token is one token', () => {
    const json = madeUp(MERGES, { vocab: ['xy'], ignoreMerges: true })
    expect(tokenizerJsonCounter(json).count('xy')).toBe(1)
    expect(referenceCount(json, 'xy')).toBe(1)
  })

  it('breaks ties by position, leftmost first', () => {
    const json = madeUp(MERGES)
    const counter = tokenizerJsonCounter(json)
    for (const text of ['aaa', 'aaaaa', 'a'.repeat(9), 'a'.repeat(200), '='.repeat(7), '='.repeat(301)]) {
      expect(counter.count(text)).toBe(referenceCount(json, text))
    }
    expect(counter.count('a'.repeat(9))).toBe(2) // aaaaaaaa + a
  })

  it('merges pieces of more than 128 bytes (the heap merge) as the reference does', () => {
    const json = madeUp(MERGES)
    const counter = tokenizerJsonCounter(json)
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 129, maxLength: 400 }), (chars) => {
        const text = chars.join('') // one piece: letters only
        expect(counter.count(text)).toBe(referenceCount(json, text))
      }),
      { numRuns: 100 },
    )
  })
})

describe('exact against @huggingface/tokenizers on a made-up tokenizer', () => {
  const json = madeUp(MERGES, { ignoreMerges: true, vocab: ['the', 'Hello', ' world'] })
  const counter = tokenizerJsonCounter(json)
  const cases = [
    '', ' ', '  ', '\n', '\r\n', 'the the  the\n\n\nthe', "I'm HE'S they'RE", '<|endoftext|>', '<|begin_of_text|>x',
    'x\ufeff\ufeffy', 'a\u0085\u0085b', '\u0085', '\ufeff', '\ud800', 'a\udc00b', '🙂👍🏽', '日本語 中文', '12345678', 'été',
    ' '.repeat(300) + 'x', '\n'.repeat(200), 'é'.repeat(100), '\u00a0\u3000\u2028 x',
  ]
  it.each(cases.map((text) => [JSON.stringify(text).slice(0, 40), text]))('%s', (_, text) => {
    expect(counter.count(text)).toBe(referenceCount(json, text))
  })

  it('equals the reference on random strings (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' ', '\n', 'é', '1', '=', "'", 'S', '\u0085', '\ufeff', '🙂', '\ud800', '語'), maxLength: 60 }), (text) => {
        expect(counter.count(text)).toBe(referenceCount(json, text))
      }),
      { numRuns: 200 },
    )
  })

  it('has exact counts for a few texts', () => {
    expect(counter.count('')).toBe(0)
    expect(counter.count('the')).toBe(1)
    expect(counter.count('Hello world')).toBe(2)
    expect(counter.count('abcd')).toBe(2)
  })
})

const QWEN_REGEX = LLAMA3_REGEX.replace('\\p{N}{1,3}', '\\p{N}')

describe.each([
  ['Llama 3', LLAMA3_REGEX],
  ['Qwen', QWEN_REGEX],
])("%s's pattern: the hand scan of ASCII pieces", (_, regex) => {
  const pre = (pattern: string): unknown => ({
    type: 'Sequence',
    pretokenizers: [
      { type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    ],
  })
  const scannedJson = madeUp(MERGES, { ignoreMerges: true, vocab: ['the', ' the', 'Hello'], pre: pre(regex) })
  const scanned = tokenizerJsonCounter(scannedJson)
  const regexOnly = tokenizerJsonCounter(madeUp(MERGES, { ignoreMerges: true, vocab: ['the', ' the', 'Hello'], pre: pre(`(?:${regex})`) }))

  it('splits digits as the pattern says', () => {
    expect(scanned.count('12345')).toBe(regex === QWEN_REGEX ? 5 : 3) // 1 2 3 4 5, or 123 (one merge) 4 5
    expect(scanned.count('12345')).toBe(referenceCount(scannedJson, '12345'))
  })

  it('gives the counts of the same pattern without the hand scan (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', 'the', ' ', '12', '3', '٣', '  ', '\n', '\r\n', '\t', '1', '=', "'", "'s", "'LL", 'S', '\u0085', '\ufeff', '\u00a0', 'é', '🙂', '\ud800', '語', '\u0301', '٣'), maxLength: 40 }),
        (text) => {
          expect(scanned.count(text)).toBe(regexOnly.count(text))
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('pre-tokenizers and normalizers', () => {
  it('splits with several Split steps in a row, keeping the text between matches', () => {
    const pre = {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: '\\p{N}{1,3}' }, behavior: 'Isolated', invert: false },
        { type: 'Split', pattern: { String: '=' }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    }
    const json = madeUp(MERGES, { pre })
    const counter = tokenizerJsonCounter(json)
    for (const text of ['1234==abc', 'x=y=z 12 123', '====', 'ab ab\n\nab']) expect(counter.count(text)).toBe(referenceCount(json, text))
    expect(counter.count('====')).toBe(4)
  })

  it('supports the ByteLevel pre-tokenizer alone, with its own regex and a prefix space', () => {
    const pre = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true }
    const json = madeUp(MERGES, { pre })
    const counter = tokenizerJsonCounter(json)
    for (const text of ['the cat', 'the', "I'm  here\n\n x", '\ufeff x']) expect(counter.count(text)).toBe(referenceCount(json, text))
    expect(counter.count('the')).toBe(1) // ' the' (the prefix space): ' '+'t', 'h'+'e', ' t'+'he'
  })

  it('applies an NFC normalizer', () => {
    const json = madeUp(MERGES, { normalizer: { type: 'NFC' } })
    const counter = tokenizerJsonCounter(json)
    expect(counter.count('e\u0301t')).toBe(1) // NFC: 'ét', one merge
    expect(counter.count('e\u0301t')).toBe(referenceCount(json, 'e\u0301t'))
    expect(tokenizerJsonCounter(madeUp(MERGES)).count('e\u0301t')).toBe(4)
  })
})

describe('options', () => {
  const post = {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [],
    special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [300], tokens: ['<|begin_of_text|>'] } },
  }
  const json = madeUp(MERGES, { post: { type: 'Sequence', processors: [{ type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true }, post] } })

  it('addSpecialTokens defaults to false: no BOS', () => {
    expect(tokenizerJsonCounter(json).count('abc')).toBe(1)
    expect(tokenizerJsonCounter(json).count('')).toBe(0)
  })

  it('addSpecialTokens: true counts the special tokens of the single template', () => {
    const counter = tokenizerJsonCounter(json, { addSpecialTokens: true })
    expect(counter.count('abc')).toBe(2)
    expect(counter.count('')).toBe(1)
    expect(counter.count('abc')).toBe(referenceCount(json, 'abc', true))
  })

  it('encoding defaults to "tokenizer.json" and can be named', () => {
    expect(tokenizerJsonCounter(json).encoding).toBe('tokenizer.json')
    expect(tokenizerJsonCounter(json, { encoding: 'llama-3' }).encoding).toBe('llama-3')
  })

  it('takes the JSON text as well as the object', () => {
    expect(tokenizerJsonCounter(JSON.stringify(json)).count('abc abc')).toBe(tokenizerJsonCounter(json).count('abc abc'))
  })

  it('refuses bad options and inputs with InvalidOptionError', () => {
    const bad: [unknown, unknown, string][] = [
      ['{not json', undefined, 'json'],
      [42, undefined, 'json'],
      ['[1]', undefined, 'json'],
      [json, { addSpecialTokens: 'yes' }, 'addSpecialTokens'],
      [json, { encoding: 3 }, 'encoding'],
      [json, null, 'options'],
    ]
    for (const [input, options, option] of bad) {
      const call = (): unknown => tokenizerJsonCounter(input as object, options as never)
      expect(call).toThrow(InvalidOptionError)
      try {
        call()
      } catch (error) {
        expect((error as InvalidOptionError).option).toBe(option)
        expect((error as InvalidOptionError).code).toBe('INVALID_OPTION')
      }
    }
    expect(() => tokenizerJsonCounter(json).count(3 as unknown as string)).toThrow(InvalidOptionError)
  })
})

describe('unsupported tokenizer.json shapes', () => {
  const base = madeUp(MERGES)
  const model = base['model'] as Record<string, unknown>
  const cases: [string, Record<string, unknown>, string][] = [
    ['WordPiece', { ...base, model: { type: 'WordPiece', vocab: {} } }, 'model.type "WordPiece" (only byte-level "BPE")'],
    ['Unigram', { ...base, model: { type: 'Unigram', vocab: [] } }, 'model.type "Unigram" (only byte-level "BPE")'],
    ['byte fallback (Llama 2, Mistral v1)', { ...base, model: { ...model, byte_fallback: true } }, 'model.byte_fallback: true (SentencePiece-style BPE, e.g. Llama 2, Mistral v1)'],
    ['dropout', { ...base, model: { ...model, dropout: 0.1 } }, 'model.dropout 0.1 (random merges)'],
    ['subword prefix', { ...base, model: { ...model, continuing_subword_prefix: '##' } }, 'model.continuing_subword_prefix "##"'],
    ['Metaspace', { ...base, pre_tokenizer: { type: 'Metaspace', replacement: '▁' } }, 'pre_tokenizer "Metaspace"'],
    ['no pre-tokenizer', { ...base, pre_tokenizer: null }, 'pre_tokenizer null (a byte-level tokenizer has a ByteLevel pre-tokenizer)'],
    ['no ByteLevel', { ...base, pre_tokenizer: { type: 'Split', pattern: { Regex: '\\s+' }, behavior: 'Isolated', invert: false } }, 'pre_tokenizer without ByteLevel (not a byte-level BPE tokenizer)'],
    ['Split behavior', { ...base, pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: '\\s+' }, behavior: 'MergedWithPrevious', invert: false }, { type: 'ByteLevel' }] } }, 'Split behavior "MergedWithPrevious" (only "Isolated")'],
    ['\\b in a Split regex', { ...base, pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: '\\bx' }, behavior: 'Isolated', invert: false }, { type: 'ByteLevel' }] } }, 'Split regex "\\\\bx": the escape \\b'],
    ['Replace normalizer (Llama 2)', { ...base, normalizer: { type: 'Replace', pattern: { String: ' ' }, content: '▁' } }, 'normalizer "Replace"'],
    ['a merge outside the vocabulary', { ...base, model: { ...model, merges: ['q z'] } }, 'merge 0 "q z" whose parts or result are not byte-level tokens of the vocabulary'],
  ]
  it.each(cases)('%s', (_, json, unsupported) => {
    let caught: unknown
    try {
      tokenizerJsonCounter(json)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(TokenizerUnsupportedError)
    expect((caught as TokenizerUnsupportedError).code).toBe('TOKENIZER_UNSUPPORTED')
    expect((caught as TokenizerUnsupportedError).unsupported).toBe(unsupported)
  })

  it('refuses a post-processor it cannot count only when special tokens are asked for', () => {
    const json = { ...base, post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0] } }
    expect(tokenizerJsonCounter(json).count('abc')).toBe(1)
    expect(() => tokenizerJsonCounter(json, { addSpecialTokens: true })).toThrow(TokenizerUnsupportedError)
  })
})

describe('translateOnigurumaPattern', () => {
  it("translates Llama 3's pattern: ASCII folding, \\s as White_Space", () => {
    expect(translateOnigurumaPattern(LLAMA3_REGEX)).toEqual({
      ok: true,
      source:
        "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\p{White_Space}\\p{L}\\p{N}]+[\\r\\n]*|\\p{White_Space}*[\\r\\n]+|\\p{White_Space}+(?!\\P{White_Space})|\\p{White_Space}+",
    })
  })

  it('rewrites the other supported constructs', () => {
    const cases: [string, string][] = [
      ['\\d+', '\\p{Nd}+'],
      ['a.b', 'a[^\\n]b'],
      ['\\x{4e00}', '\\u{4e00}'],
      ['a{,3}', 'a{0,3}'],
      ['{x}', '\\{x\\}'],
      ['[\\-\\[\\]\\\\]', '[\\-\\[\\]\\\\]'],
      ['\\-', '-'],
      ['[一-龥]+', '[一-龥]+'],
    ]
    for (const [from, to] of cases) expect(translateOnigurumaPattern(from)).toEqual({ ok: true, source: to })
  })

  it('names what it does not support', () => {
    const cases: [string, string][] = [
      ['^a', 'the anchor ^'],
      ['\\w+', 'the escape \\w'],
      ['(?>a)', 'the group (?>'],
      ['a++', 'a possessive or stacked quantifier (+ after a quantifier)'],
      ['[[:alpha:]]', 'a POSIX bracket expression'],
      ['[a&&b]', 'a character class intersection (&&)'],
      ['(?i:[a-z])', 'a character class inside (?i:...)'],
      ['(a', 'an unbalanced ('],
    ]
    for (const [from, what] of cases) expect(translateOnigurumaPattern(from)).toEqual({ ok: false, unsupported: what })
  })
})
