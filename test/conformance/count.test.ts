/**
 * Conformance: on every markdown file of the shared orchestr8 corpus (the
 * repository's sibling `../shared`), the token count equals js-tiktoken's
 * `encode(text, [], []).length`, for both encodings, file by file and for the
 * whole corpus concatenated.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Tiktoken } from 'js-tiktoken/lite'
import cl100k from 'js-tiktoken/ranks/cl100k_base'
import o200k from 'js-tiktoken/ranks/o200k_base'
import { describe, expect, it } from 'vitest'
import { createTokenCounter } from '../../src/count/index.js'

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus/orchestr8')

function markdownFiles(dir: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) found.push(...markdownFiles(full))
    else if (entry.name.endsWith('.md')) found.push(full)
  }
  return found.sort()
}

const files = markdownFiles(corpus)

describe.each([
  ['o200k_base', o200k],
  ['cl100k_base', cl100k],
] as const)('%s on the orchestr8 corpus', (encoding, ranks) => {
  const reference = new Tiktoken(ranks)
  const counter = createTokenCounter({ encoding })

  it('finds the corpus', () => {
    expect(files.length).toBeGreaterThan(40)
  })

  it('counts every markdown file exactly', () => {
    const mismatches: string[] = []
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      const expected = reference.encode(text, [], []).length
      const actual = counter.count(text)
      if (actual !== expected) mismatches.push(`${path.relative(corpus, file)}: ${actual} != ${expected}`)
    }
    expect(mismatches).toEqual([])
  })

  it('counts the concatenated corpus exactly', () => {
    const text = files.map((file) => readFileSync(file, 'utf8')).join('\n')
    expect(counter.count(text)).toBe(reference.encode(text, [], []).length)
  })
})
