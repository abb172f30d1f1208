/**
 * Long single pieces against js-tiktoken counts computed once by
 * test/fixtures-count/generate.mjs (js-tiktoken needs minutes on these), from
 * the deterministic inputs of test/fixtures-count/generators.mjs.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createTokenCounter, type EncodingName } from '../../src/count/index.js'
import { LONG_CASES } from '../fixtures-count/generators.mjs'

interface FixtureCase {
  name: string
  recipe: string
  length: number
  utf8Bytes: number
  sha256: string
  counts: Record<EncodingName, number>
  jsTiktokenMs: Record<EncodingName, number>
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures-count/long-pieces.json', import.meta.url), 'utf8')) as {
  cases: FixtureCase[]
}

/** Far above the targets (≤ 0.25 s warm for these), far below a quadratic merge (minutes). */
const MAX_MS = 5_000

describe.each(['o200k_base', 'cl100k_base'] as const)('%s long pieces', (encoding) => {
  const counter = createTokenCounter({ encoding })

  it('has a fixture count for every generated case', () => {
    expect(fixture.cases.map((c) => c.name).sort()).toEqual(LONG_CASES.map((c) => c.name).sort())
    for (const c of fixture.cases) expect(typeof c.counts[encoding], c.name).toBe('number')
  })

  it.each(LONG_CASES.map((c) => [c.name, c] as const))('%s equals js-tiktoken', (name, { recipe, make }) => {
    const entry = fixture.cases.find((c) => c.name === name) as FixtureCase
    const text = make()
    // The generator still produces the input the count was computed on.
    expect(entry.recipe).toBe(recipe)
    expect(createHash('sha256').update(text, 'utf8').digest('hex')).toBe(entry.sha256)
    counter.count('warm up')
    const t0 = performance.now()
    const count = counter.count(text)
    const ms = performance.now() - t0
    expect(count).toBe(entry.counts[encoding])
    expect(ms).toBeLessThan(MAX_MS)
  })
})
