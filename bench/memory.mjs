// Peak memory: the whole library (every real document plus generated ones, 420 in
// all) parsed with parseDocument and counted with promptfold's counter in a fresh
// process, vs remark-parse + js-tiktoken over the same files. Peak RSS from
// process.resourceUsage().maxRSS at the end of each child.
//
//   node bench/memory.mjs [--quick]      (after `npm run build`)
import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { benchLibrary } from './lib/generate.mjs'
import { CHILDREN, TMP, requireBuild } from './lib/paths.mjs'
import { runChildJsonAsync } from './lib/proc.mjs'
import { makeRow } from './lib/rows.mjs'
import { rounded, summarize } from './lib/stats.mjs'
import { textTable } from './lib/table.mjs'

export async function run({ quick = false, log = console.error } = {}) {
  requireBuild()
  mkdirSync(TMP, { recursive: true })
  const files = benchLibrary({ total: 420 })
  const bytes = files.reduce((a, f) => a + statSync(f).size, 0)
  const list = path.join(TMP, 'library-files.json')
  writeFileSync(list, JSON.stringify(files))
  // Peak RSS varies by a few MB between runs (see the spread): two pairs are enough.
  const n = quick ? 1 : 2
  log(`memory: ${files.length} documents (${(bytes / 1e6).toFixed(2)} MB), ${n} fresh processes each side, the two sides run side by side...`)
  const pf = []
  const base = []
  for (let i = 0; i < n; i++) {
    // Peak RSS does not depend on CPU time: run the pair concurrently to halve the wall time.
    const script = path.join(CHILDREN, 'memory.mjs')
    const [a, b] = await Promise.all([runChildJsonAsync(script, ['promptfold', list]), runChildJsonAsync(script, ['baseline', list])])
    pf.push(a)
    base.push(b)
  }
  return [
    makeRow({
      id: 'memory',
      row: 'memory',
      what: `peak RSS of a fresh process that parses (parseDocument) and counts (o200k_base) the whole library and keeps the documents: ${files.length} documents, ${(bytes / 1e6).toFixed(2)} MB`,
      unit: 'MB',
      samples: pf.map((r) => r.maxRssMB),
      baseline: { what: 'remark-parse trees kept + js-tiktoken o200k_base encode().length over the same files', samples: base.map((r) => r.maxRssMB) },
      target: { text: '<= 300 MB', op: '<=', value: 300, on: 'median' },
      details: {
        documents: files.length,
        bytes,
        tokens: pf[0]?.tokens,
        baselineTokens: base[0]?.tokens,
        wallMs: { promptfold: rounded(summarize(pf.map((r) => r.ms))), baseline: rounded(summarize(base.map((r) => r.ms))) },
      },
    }),
  ]
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run({ quick: process.argv.includes('--quick') })
  console.log(textTable(rows))
}
