// Fresh process: parse and count a whole library, keep it in memory, report peak RSS.
//   node memory.mjs promptfold <list.json>   parseDocument + the promptfold counter
//   node memory.mjs baseline <list.json>     remark-parse + js-tiktoken encode().length
import { readFileSync } from 'node:fs'

const [mode, listFile] = process.argv.slice(2)
const files = JSON.parse(readFileSync(listFile, 'utf8'))
const t0 = performance.now()
const kept = []
let tokens = 0
let bytes = 0
if (mode === 'promptfold') {
  const { DIST_URL } = await import('../paths.mjs')
  const { createTokenCounter, parseDocument } = await import(DIST_URL)
  const counter = createTokenCounter({ encoding: 'o200k_base' })
  for (const f of files) {
    const source = readFileSync(f, 'utf8')
    bytes += Buffer.byteLength(source)
    const doc = parseDocument(source, { path: f })
    tokens += counter.count(source)
    kept.push(doc)
  }
} else {
  const { Tiktoken } = await import('js-tiktoken/lite')
  const { default: ranks } = await import('js-tiktoken/ranks/o200k_base')
  const { unified } = await import('unified')
  const { default: remarkParse } = await import('remark-parse')
  const enc = new Tiktoken(ranks)
  for (const f of files) {
    const source = readFileSync(f, 'utf8')
    bytes += Buffer.byteLength(source)
    kept.push(unified().use(remarkParse).parse(source))
    tokens += enc.encode(source, [], []).length
  }
}
const ms = performance.now() - t0
console.log(JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024, ms, docs: kept.length, bytes, tokens }))
