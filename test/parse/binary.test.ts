/**
 * Binary content: `parseDocument` reports it as a CONTENT_BINARY error (file, line 1) and does
 * not analyse it; `detectBinary` decides by a documented rule that real text never trips.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BINARY_MIN_SUSPECTS, BINARY_SUSPECT_SHARE, detectBinary, parseDocument } from '../../src/parse/document.js'

/** Fixed seed: the same cases on every run (FC_SEED=<n> explores others). */
const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 11_2026
const lossy = (bytes: Uint8Array) => new TextDecoder('utf-8', { fatal: false }).decode(bytes)

describe('detectBinary: the rule', () => {
  it('uses 8 suspects and a 20% share', () => {
    expect([BINARY_MIN_SUSPECTS, BINARY_SUSPECT_SHARE]).toEqual([8, 0.2])
  })

  it('NUL is a suspect like the other controls: a stray one is text, many are binary', () => {
    expect(detectBinary('# Title\n\nline two\u0000 and \u0000\n')).toBeUndefined()
    expect(detectBinary(`# T\n${'\u0000'.repeat(8)}`)).toEqual({ reason: 'suspects', line: 2, suspects: 8, chars: 12 })
  })

  it('tab, line feed, form feed and carriage return are text; other C0 controls and U+FFFD are suspects', () => {
    expect(detectBinary('\t\n\f\r'.repeat(100))).toBeUndefined()
    // 8 suspects in 40 characters: exactly 20%, binary.
    const eight = `${'\u0001\u0002\u0003\u0007\u0008\u000b\u001b\ufffd'}${'x'.repeat(32)}`
    expect(detectBinary(eight)).toEqual({ reason: 'suspects', line: 1, suspects: 8, chars: 40 })
    // One more ordinary character: under 20%, text.
    expect(detectBinary(`${eight}y`)).toBeUndefined()
    // 7 suspects are text however short the text.
    expect(detectBinary('\u0001\u0002\u0003\u0004\u0005\u0006\u0007')).toBeUndefined()
  })

  it('names the line of the first suspect', () => {
    expect(detectBinary(`a\nb\n${'\u0001'.repeat(10)}`)).toEqual({ reason: 'suspects', line: 3, suspects: 10, chars: 14 })
  })

  it('real text that is not plain ASCII stays text: scripts, emoji, code, terminal colours, a Latin-1 file read as UTF-8', () => {
    const samples = [
      '# 日本語のドキュメント\n\n東京都の天気は晴れです。🙂👩‍👩‍👧‍👦🏳️‍🌈\n',
      '# Ελληνικά και русский текст\n\nعربى עברית हिन्दी ไทย 한국어\n',
      '```ts\nconst x = { a: 1 }\t// tab\r\nif (x.a >= 1) console.log(`ok ${x.a}`)\n```\n\f\n',
      `Output:\n\n\`\`\`\n${'\u001b[32mPASS\u001b[0m test/a.test.ts\n'.repeat(3)}\`\`\`\n`,
      lossy(Buffer.from('# Caf\xe9 cr\xe8me\n\nR\xe9sum\xe9 of the na\xefve fa\xe7ade, d\xe9j\xe0 vu: \xe0 la carte.\n', 'latin1')),
      'The replacement character \ufffd appears when bytes are not UTF-8.\n',
    ]
    for (const text of samples) expect(detectBinary(text), text).toBeUndefined()
  })

  it('property: random unicode text (any script, emoji, ASCII code, white space) is never binary', () => {
    const unit = fc.oneof(
      { arbitrary: fc.constantFrom('grapheme', 'grapheme-composite', 'grapheme-ascii').chain((u) => fc.string({ unit: u, minLength: 1, maxLength: 4 })), weight: 6 },
      { arbitrary: fc.constantFrom('\n', '\r\n', '\t', ' ', '\f', '  '), weight: 2 },
    )
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 400 }), (parts) => {
        expect(detectBinary(parts.join(''))).toBeUndefined()
      }),
      { seed: SEED, numRuns: 400 },
    )
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 2000 }), (text) => {
        expect(detectBinary(text)).toBeUndefined()
      }),
      { seed: SEED, numRuns: 300 },
    )
  })

  it('property: 64 or more random bytes decoded as UTF-8 (lossy) are binary', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (bytes) => {
        expect(detectBinary(lossy(bytes))).toBeDefined()
      }),
      { seed: SEED, numRuns: 1000 },
    )
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 8192 }), (bytes) => {
        expect(detectBinary(lossy(bytes))).toBeDefined()
      }),
      { seed: SEED, numRuns: 300 },
    )
  })
})

describe('parseDocument on binary content', () => {
  const bytes = new Uint8Array(512)
  let s = 7
  for (let i = 0; i < bytes.length; i++) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0
    bytes[i] = s >>> 24
  }
  const random = lossy(bytes)

  it('reports CONTENT_BINARY as an error at line 1 of the file and reads nothing from it', () => {
    const doc = parseDocument(random, { path: 'examples/noise.md' })
    const errors = doc.diagnostics.filter((d) => d.severity === 'error')
    expect(errors.map((d) => [d.code, d.file, d.line])).toEqual([['CONTENT_BINARY', 'examples/noise.md', 1]])
    expect(errors[0]?.message).toMatch(/^Content is binary, not text: [\d,]+ of its [\d,]+ characters are control characters or U\+FFFD replacement characters \(the first at line [\d,]+\); kept as plain text, its frontmatter, sections and references were not read$/)
    expect(doc.source).toBe(random)
    expect([doc.sections, doc.references, doc.blocks, doc.data, doc.title, doc.uri]).toEqual([[], [], [], {}, 'noise', 'orchestr8://examples/noise'])
  })

  it('a document with a stray NUL is still read: its references are found (and refused one by one)', () => {
    const doc = parseDocument('---\nid: x\n---\n# X\n\nbad \u0000 byte\n\n```\norchestr8://examples/a\n```\n', { path: 'x.md' })
    expect(doc.diagnostics.filter((d) => d.code === 'CONTENT_BINARY')).toEqual([])
    expect(doc.references.map((r) => [r.kind, r.uri])).toEqual([['slot', 'orchestr8://examples/a']])
  })

  it('groups the numbers in its message', () => {
    const doc = parseDocument(`${'\u0001'.repeat(1200)}\n`, { path: 'c.md' })
    expect(doc.diagnostics[0]?.message).toBe(
      'Content is binary, not text: 1,200 of its 1,201 characters are control characters or U+FFFD replacement characters (the first at line 1); kept as plain text, its frontmatter, sections and references were not read',
    )
  })

  it('leaves text documents alone', () => {
    const doc = parseDocument('# Café 🙂\n\n\u001b[1mbold\u001b[0m\n', { path: 'ok.md' })
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['FRONTMATTER_MISSING'])
    expect(doc.title).toBe('Café 🙂')
  })

  it('the size limit is checked first', () => {
    const doc = parseDocument(random, { path: 'n.md', maxDocumentBytes: 100 })
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['LIMIT_MAX_DOCUMENT_BYTES'])
  })
})
