// Fresh process: the first assembly of the MLOps fixture, in-process, encoder ready.
// Prints {"ms": ...}: parseDocument + assemble (reads, parses and counts the examples).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { DIST_URL, FIXTURE_AGENT, FIXTURE_ROOT } from '../paths.mjs'

const budget = Number(process.argv[2] ?? 3000)
const { assemble, createTokenCounter, fileSystemResolver, parseDocument } = await import(DIST_URL)
createTokenCounter({ encoding: 'o200k_base' }).count('encoder ready') // builds the shared o200k_base counter
// promptfold loads its markdown engine on first use (zod and gray-matter's YAML engine only for
// frontmatter that is not plain: these five documents' is); load it before timing, as the baseline
// imports remark-parse and unified before timing (a frontmatter-only document: no markdown body,
// so nearly nothing is parsed).
parseDocument('---\nid: load\n---\n')
const c0 = process.cpuUsage()
const t0 = performance.now()
const source = readFileSync(path.join(FIXTURE_ROOT, FIXTURE_AGENT), 'utf8')
const doc = parseDocument(source, { path: FIXTURE_AGENT })
const { report } = await assemble(doc, { budget, resolver: fileSystemResolver({ root: FIXTURE_ROOT }) })
const ms = performance.now() - t0
const c = process.cpuUsage(c0)
console.log(JSON.stringify({ ms, cpuMs: (c.user + c.system) / 1000, totalTokens: report.totalTokens, timings: report.timings }))
