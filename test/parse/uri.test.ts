import { describe, expect, it } from 'vitest'
import { findUris, normalizeUri, parseUri } from '../../src/parse/uri.js'

describe('parseUri', () => {
  it('normalizes scheme case, @, trailing slash and .md', () => {
    expect(parseUri('@ORCHESTR8://examples/ml/x.md/').parsed).toMatchObject({ uri: 'orchestr8://examples/ml/x', scheme: 'orchestr8', path: 'examples/ml/x', legacy: true })
    expect(parseUri('orchestr8://examples//ml/x').parsed.uri).toBe('orchestr8://examples/ml/x')
  })

  it('decodes percent-escapes exactly once', () => {
    expect(parseUri('orchestr8://examples/a%20b').parsed.path).toBe('examples/a b')
    expect(parseUri('orchestr8://examples/a%2520b').parsed.path).toBe('examples/a%20b')
  })

  it('reports malformed escapes, empty and absolute paths as invalid without throwing', () => {
    expect(parseUri('orchestr8://examples/bad%zzescape').parsed.invalid).toMatch(/malformed percent-escape/)
    expect(parseUri('orchestr8://').parsed.invalid).toBe('empty path')
    expect(parseUri('orchestr8:///x').parsed.invalid).toMatch(/absolute path/)
    expect(parseUri(`orchestr8://${'a'.repeat(100_000)}`).parsed.invalid).toMatch(/limit 4096/)
    expect(parseUri('orchestr8://a%00b').parsed.invalid).toMatch(/NUL/)
  })

  it('accepts URIs up to 4096 characters and refuses longer ones (issue 17: the limit was 2048)', () => {
    const at = `orchestr8://examples/${'a'.repeat(4096 - 'orchestr8://examples/'.length)}`
    expect(at.length).toBe(4096)
    expect(parseUri(at).parsed.invalid).toBeUndefined()
    expect(parseUri(at).parsed.path).toBe(`examples/${'a'.repeat(4096 - 'orchestr8://examples/'.length)}`)
    expect(parseUri(`${at}b`).parsed.invalid).toBe('URI is 4097 characters long (limit 4096)')
  })

  it('parses match queries into a typed object', () => {
    const { parsed, warnings } = parseUri('orchestr8://match?query=experiment%20tracking&categories=example,skill&maxResults=2&minScore=0.5')
    expect(warnings).toEqual([])
    expect(parsed.match).toEqual({
      query: 'experiment tracking',
      categories: ['example', 'skill'],
      tags: [],
      maxResults: 2,
      minScore: 0.5,
      params: { query: 'experiment tracking', categories: 'example,skill', maxResults: '2', minScore: '0.5' },
    })
    expect(parsed.uri).toBe('orchestr8://match?query=experiment%20tracking&categories=example,skill&maxResults=2&minScore=0.5')
  })

  it('reads <category>/match as a match query filtered on that category', () => {
    expect(parseUri('orchestr8://agents/match?query=rust').parsed.match).toMatchObject({ query: 'rust', categories: ['agents'] })
    expect(parseUri('orchestr8://agents/match?query=rust&categories=skill').parsed.match?.categories).toEqual(['skill'])
    expect(parseUri('orchestr8://agents/matcher?query=rust').parsed.match).toBeUndefined()
  })

  it('keeps ${placeholders} and warns about bad numbers', () => {
    const { parsed, warnings } = parseUri('orchestr8://match?query=${task}+api&maxResults=many')
    expect(parsed.match?.query).toBe('${task} api')
    expect(warnings).toEqual(['maxResults must be a positive integer, got "many"'])
  })
})

describe('findUris', () => {
  it('trims sentence punctuation and stops at markup', () => {
    expect(findUris('see orchestr8://examples/gamma, or (orchestr8://b/c). `@orchestr8://d/e`').map((m) => m.raw)).toEqual([
      'orchestr8://examples/gamma',
      'orchestr8://b/c',
      '@orchestr8://d/e',
    ])
  })

  it('honours the scheme set and ignores lookalikes', () => {
    expect(findUris('skill://a/b xorchestr8://c orchestr8://d', ['orchestr8', 'skill']).map((m) => m.raw)).toEqual(['skill://a/b', 'orchestr8://d'])
  })

  it('normalizeUri leaves bare ids alone', () => {
    expect(normalizeUri(' mlops-specialist ')).toBe('mlops-specialist')
    expect(normalizeUri('@orchestr8://agents/x')).toBe('orchestr8://agents/x')
  })
})
