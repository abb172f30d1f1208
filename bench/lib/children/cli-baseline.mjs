// The CLI baseline: a plain script that imports js-tiktoken, builds o200k_base, parses
// the 5 fixture files with remark and counts them. Timed as a whole process.
import { readFileSync } from 'node:fs'
import { Tiktoken } from 'js-tiktoken/lite'
import o200k_base from 'js-tiktoken/ranks/o200k_base'
import remarkParse from 'remark-parse'
import { unified } from 'unified'
import { FIXTURE_FILES } from '../paths.mjs'

const enc = new Tiktoken(o200k_base)
let tokens = 0
for (const f of FIXTURE_FILES) {
  const source = readFileSync(f, 'utf8')
  unified().use(remarkParse).parse(source)
  tokens += enc.encode(source, [], []).length
}
process.stdout.write(`${tokens}\n`)
