/**
 * The platform seam (src/platform): the portable implementation agrees with Node's where both
 * run (hashing, UTF-8 lengths, YAML, markdown, rank data), and says what is missing when rank
 * data is not loaded. The bundles themselves run in test/package/bundles.test.ts.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EncodingNotLoadedError, loadEncoding, UnknownEncodingError } from '../../src/index.js'
import { utf8Length } from '../../src/count/bpe.js'
import * as node from '../../src/platform/node.js'
import * as portable from '../../src/platform/portable.js'

const strings = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('', '\uD800', 'a\uDC00b', '\uFEFF\u0085', '😀'.repeat(3), 'x'.repeat(20_000)))

describe('portable platform against Node', () => {
  it('SHA-256 digests are the same bytes in hex, base64 and base64url (lone surrogates as U+FFFD)', () => {
    fc.assert(
      fc.property(strings, fc.constantFrom('hex' as const, 'base64' as const, 'base64url' as const), (text, encoding) => {
        expect(portable.sha256(text, encoding)).toBe(node.sha256(text, encoding))
      }),
      { numRuns: 300 },
    )
    expect(portable.sha256('abc', 'hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('utf8Length is Buffer.byteLength', () => {
    fc.assert(fc.property(strings, (text) => utf8Length(text) === Buffer.byteLength(text, 'utf8')), { numRuns: 500 })
  })

  it('the static YAML engine, markdown engine and model table are the ones Node loads', () => {
    const yaml = 'id: a\ntags: [x, y]\nn: 3\n'
    expect(portable.loadYamlEngine().parse(yaml)).toEqual(node.loadYamlEngine().parse(yaml))
    const md = '# T\n\n- a\n- b\n\n```js\nx\n```\n'
    const tree = (e: typeof node.loadMarkdownEngine) => e().unified().use(e().remarkParse).parse(md)
    expect(tree(portable.loadMarkdownEngine)).toEqual(tree(node.loadMarkdownEngine))
    expect(portable.loadTiktokenModels().getEncodingNameForModel('gpt-4')).toBe('cl100k_base')
    for (const z of [portable.loadZod(), node.loadZod()]) expect(z.object({ n: z.number() }).safeParse({ n: 'x' }).success).toBe(false)
  })

  it('rank data: ENCODING_NOT_LOADED until loadEncoding, then the same data as Node', async () => {
    let thrown: unknown
    try {
      portable.loadEncodingRanks('cl100k_base')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(EncodingNotLoadedError)
    expect((thrown as EncodingNotLoadedError).code).toBe('ENCODING_NOT_LOADED')
    expect((thrown as EncodingNotLoadedError).encoding).toBe('cl100k_base')
    expect((thrown as Error).message).toContain("await loadEncoding('cl100k_base')")
    await portable.preloadEncoding('cl100k_base')
    expect(portable.loadEncodingRanks('cl100k_base').bpe_ranks).toBe(node.loadEncodingRanks('cl100k_base').bpe_ranks)
    expect(portable.readRankFile('cl100k_base')).toBeUndefined()
    expect(await portable.driveOffThread((function* () {})() as never, 1000)).toBeUndefined()
  })

  it('runWithin without a watchdog: the value, or a depth refusal on a stack overflow', () => {
    expect(portable.runWithin(() => 42, 10)).toEqual({ ok: true, value: 42 })
    const deep = (n: number): number => deep(n + 1) + 1
    expect(portable.runWithin(() => deep(0), 10)).toEqual({ ok: false, refusal: { reason: 'depth', limitMs: 10 } })
    expect(() => portable.runWithin(() => { throw new TypeError('boom') }, 10)).toThrow('boom')
  })
})

describe('loadEncoding', () => {
  it('resolves in Node (rank data is read when first needed), by default for o200k_base', async () => {
    await expect(loadEncoding()).resolves.toBeUndefined()
    await expect(loadEncoding('cl100k_base')).resolves.toBeUndefined()
  })

  it('rejects an unknown encoding with UNKNOWN_ENCODING', async () => {
    await expect(loadEncoding('p50k_base' as never)).rejects.toBeInstanceOf(UnknownEncodingError)
    await expect(loadEncoding('p50k_base' as never)).rejects.toMatchObject({ code: 'UNKNOWN_ENCODING' })
  })
})
