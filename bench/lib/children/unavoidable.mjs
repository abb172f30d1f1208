// Fresh process: the unavoidable work of a first assembly, with the same encoder ready:
// remark-parse of the 5 documents (bodies, frontmatter removed) + one count of the
// all-embedded text (read before timing).
import { readFileSync } from 'node:fs'
import remarkParse from 'remark-parse'
import { unified } from 'unified'
import { DIST_URL, FIXTURE_FILES } from '../paths.mjs'

const allEmbedded = readFileSync(process.argv[2], 'utf8')
const { createTokenCounter } = await import(DIST_URL)
const counter = createTokenCounter({ encoding: 'o200k_base' })
counter.count('encoder ready')
const c0 = process.cpuUsage()
const t0 = performance.now()
let nodes = 0
for (const f of FIXTURE_FILES) {
  const body = readFileSync(f, 'utf8').replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, '')
  nodes += unified().use(remarkParse).parse(body).children.length
}
const t1 = performance.now()
const tokens = counter.count(allEmbedded)
const t2 = performance.now()
const c = process.cpuUsage(c0)
console.log(JSON.stringify({ ms: t2 - t0, cpuMs: (c.user + c.system) / 1000, parseMs: t1 - t0, countMs: t2 - t1, tokens, nodes }))
