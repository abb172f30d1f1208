// Token counting benchmark: promptfold's counter vs js-tiktoken's encode().length,
// side by side in one process, medians of N runs (warm unless a row says otherwise).
//
//   node bench/count.mjs            # uses ../dist/index.js when built (or $PROMPTFOLD_BENCH_DIST/index.js),
//                                   # else bundles src/count
//   node bench/count.mjs --src      # always bundle src/count (into bench/.tmp/count/)
//   node bench/count.mjs --quick    # fewer runs
//   node bench/count.mjs --compare=<file.mjs>   # also time another build (any ES module
//                                   # exporting createTokenCounter, e.g. a bundle of an older
//                                   # src/count), alternating with this one, on the same inputs
//   node bench/count.mjs --out=<file.json>      # write the results there instead
//
// Prints a table and writes bench/results-count.json. The markdown input is the
// text of ../shared/corpus/orchestr8/resources/**/*.md (sorted, joined with "\n")
// repeated to 1,000,000 characters. js-tiktoken's quadratic merge makes it take
// ~20 minutes on 'a' x 100,000 and ~5 minutes on 20,000 CJK characters; for those
// rows the time recorded when the test fixtures were generated is shown instead
// (test/fixtures-count/long-pieces.json, same inputs). The base64 and minified-JS
// rows count different content of the same kind on every run (the first run's text
// is the one named), so that no run is helped by the pieces an earlier run cached.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { mulberry32, randomBase64, randomCjk } from '../test/fixtures-count/generators.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..')
const require = createRequire(import.meta.url)
const args = new Set(process.argv.slice(2))
const quick = args.has('--quick')
const option = (name) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
const comparePath = option('compare')
const outPath = option('out') ?? path.join(here, 'results-count.json')

/** Loads promptfold's counting API from dist/ when built, else from a fresh bundle of src/count. */
async function loadPromptfold() {
  // dist/, or the frozen copy `bench/run.mjs --snapshot` makes (PROMPTFOLD_BENCH_DIST).
  const distDir = process.env.PROMPTFOLD_BENCH_DIST ? path.resolve(process.env.PROMPTFOLD_BENCH_DIST) : path.join(root, 'dist')
  const dist = path.join(distDir, 'index.js')
  if (!args.has('--src') && existsSync(dist)) {
    const mod = await import(pathToFileURL(dist).href)
    if (typeof mod.createTokenCounter === 'function') return { api: mod, from: path.relative(root, dist) }
  }
  const outDir = path.join(here, '.tmp/count')
  const { build } = await import('tsup')
  await build({
    entry: { index: path.join(root, 'src/count/index.ts') },
    format: ['esm'],
    outDir,
    target: 'node20',
    platform: 'node',
    dts: false,
    config: false,
    silent: true,
  })
  return { api: await import(pathToFileURL(path.join(outDir, 'index.js')).href), from: 'src/count (bundled to bench/.tmp/count)' }
}

function markdownFiles(dir) {
  const found = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) found.push(...markdownFiles(full))
    else if (entry.name.endsWith('.md')) found.push(full)
  }
  return found.sort()
}

/** Deterministic single-line "minified JavaScript" of `chars` characters. */
function minifiedJs(seed, chars) {
  const next = mulberry32(seed)
  const id = () => {
    let s = ''
    const n = 1 + Math.floor(next() * 6)
    for (let i = 0; i < n; i++) s += 'abcdefghijklmnopqrstuvwxyz_$'[Math.floor(next() * 28)]
    return s
  }
  const templates = [
    () => `function ${id()}(${id()},${id()}){return ${id()}+${id()}*${Math.floor(next() * 1000)}}`,
    () => `var ${id()}=[${Math.floor(next() * 99)},${Math.floor(next() * 99)}].map(function(${id()}){return ${id()}<<2});`,
    () => `if(${id()}.length>${Math.floor(next() * 9)}){${id()}.push({${id()}:"${id()}"})}else{${id()}=null};`,
    () => `${id()}.${id()}=(${id()})=>${id()}?.${id()}??${id()}[${Math.floor(next() * 10)}];`,
    () => `for(let ${id()}=0;${id()}<${Math.floor(next() * 500)};${id()}++)${id()}+=${id()}[${id()}]|0;`,
  ]
  let out = ''
  while (out.length < chars) out += templates[Math.floor(next() * templates.length)]()
  return out.slice(0, chars)
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * Runs `fn(i)` for i = 0 … runs - 1; returns the results and the medians of
 * wall-clock and process CPU time (user + system, all threads) in ms. CPU time
 * is much less disturbed than wall time when other work shares the machine.
 */
function time(fn, runs) {
  const wall = []
  const cpu = []
  const results = []
  let result
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    result = fn(i)
    wall.push(performance.now() - t0)
    const c = process.cpuUsage(c0)
    cpu.push((c.user + c.system) / 1000)
    results.push(result)
  }
  return { result, results, median: median(wall), cpuMedian: median(cpu) }
}

/**
 * Runs `make` with an empty counter registry. Every promptfold build shares one
 * counter per encoding through a `Symbol.for` key on globalThis (so that its ESM
 * and CJS builds agree); a build loaded with --compare must get counters (and
 * caches) of its own, so the registry is swapped out while it makes them.
 */
function isolated(make) {
  const key = Symbol.for('promptfold.count.counters@1')
  const saved = globalThis[key]
  delete globalThis[key]
  try {
    return make()
  } finally {
    globalThis[key] = saved
  }
}

const { api, from } = await loadPromptfold()
const compare = comparePath === undefined ? undefined : await import(pathToFileURL(path.resolve(comparePath)).href)
if (compare !== undefined && typeof compare.createTokenCounter !== 'function') throw new Error(`${comparePath} exports no createTokenCounter`)
const { Tiktoken } = require('js-tiktoken/lite')
const fixturesPath = path.join(root, 'test/fixtures-count/long-pieces.json')
const fixtures = existsSync(fixturesPath) ? JSON.parse(readFileSync(fixturesPath, 'utf8')) : { cases: [] }
const recorded = (name) => fixtures.cases.find((c) => c.name === name)

const corpusDir = path.resolve(root, '../shared/corpus/orchestr8/resources')
const corpus = markdownFiles(corpusDir).map((f) => readFileSync(f, 'utf8')).join('\n')
let markdown = ''
while (markdown.length < 1_000_000) markdown += corpus
markdown = markdown.slice(0, 1_000_000)

const N = quick ? 3 : 10
const N_JS = quick ? 1 : 5
const N_LONG = quick ? 2 : 5

/** Inputs by row: one text, or one per run (fresh content each run). */
const inputs = {
  markdown,
  'a-x-100000': 'a'.repeat(100_000),
  'cjk-20000': randomCjk(20_000, 20_000),
  'base64-1mb': Array.from({ length: N_LONG }, (_, i) => randomBase64(64 + i, 750_000)),
  'minified-js-1mb': Array.from({ length: N_LONG }, (_, i) => minifiedJs(7 + i, 1_000_000)),
}

const rows = []
const setup = {}

for (const encoding of ['o200k_base', 'cl100k_base']) {
  const counter = api.createTokenCounter({ encoding })
  const ranks = require(`js-tiktoken/ranks/${encoding}`)
  setup[encoding] = {
    promptfoldFirstCountMs: time(() => counter.count('warm up'), 1).median,
    jsTiktokenConstructorMs: 0,
  }
  const t0 = performance.now()
  const js = new Tiktoken(ranks)
  setup[encoding].jsTiktokenConstructorMs = performance.now() - t0

  const other = compare === undefined ? undefined : isolated(() => compare.createTokenCounter({ encoding }))
  if (other !== undefined) setup[encoding].compareFirstCountMs = time(() => other.count('warm up'), 1).median

  const row = (name, label, { jsLive, pfRuns = N, jsRuns = N_JS, coldFirst = false }) => {
    const texts = inputs[name]
    const fresh = Array.isArray(texts)
    const textOf = (i) => (fresh ? texts[i % texts.length] : texts)
    const text = textOf(0)
    const out = { encoding, name: label, chars: text.length, utf8Bytes: Buffer.byteLength(text) }
    if (fresh) out.freshContentEachRun = true
    if (coldFirst) out.promptfoldFirstPassMs = time(() => counter.count(text), 1).median
    if (coldFirst && other !== undefined) out.compareFirstPassMs = time(() => other.count(text), 1).median
    // With --compare, the two builds alternate run by run, so that both see the same machine load.
    const pfWall = []
    const pfCpu = []
    const cmpWall = []
    const cmpCpu = []
    const pfResults = []
    const cmpResults = []
    for (let i = 0; i < pfRuns; i++) {
      const a = time(() => counter.count(textOf(i)), 1)
      pfWall.push(a.median)
      pfCpu.push(a.cpuMedian)
      pfResults.push(a.result)
      if (other !== undefined) {
        const b = time(() => other.count(textOf(i)), 1)
        cmpWall.push(b.median)
        cmpCpu.push(b.cpuMedian)
        cmpResults.push(b.result)
      }
    }
    Object.assign(out, { tokens: pfResults[0], promptfoldMedianMs: median(pfWall), promptfoldCpuMedianMs: median(pfCpu), promptfoldRuns: pfRuns })
    if (other !== undefined) {
      Object.assign(out, {
        compareMedianMs: median(cmpWall),
        compareCpuMedianMs: median(cmpCpu),
        compareEqual: cmpResults.every((n, i) => n === pfResults[i]),
      })
    }
    if (jsLive) {
      const ref = time((i) => js.encode(textOf(i), [], []).length, jsRuns)
      Object.assign(out, {
        jsTiktokenMedianMs: ref.median,
        jsTiktokenCpuMedianMs: ref.cpuMedian,
        jsTiktokenRuns: jsRuns,
        jsTiktokenSource: 'live',
        equal: ref.results.every((n, i) => n === pfResults[i]),
      })
    } else {
      const rec = recorded(name)
      if (rec?.jsTiktokenMs?.[encoding] !== undefined) {
        Object.assign(out, {
          jsTiktokenMedianMs: rec.jsTiktokenMs[encoding],
          jsTiktokenRuns: 1,
          jsTiktokenSource: 'recorded in test/fixtures-count/long-pieces.json',
          equal: rec.counts[encoding] === pfResults[0],
        })
      }
    }
    if (out.jsTiktokenMedianMs !== undefined) out.speedup = out.jsTiktokenMedianMs / out.promptfoldMedianMs
    if (out.jsTiktokenCpuMedianMs !== undefined) out.cpuSpeedup = out.jsTiktokenCpuMedianMs / out.promptfoldCpuMedianMs
    out.mbPerSecond = out.utf8Bytes / 1e6 / (out.promptfoldMedianMs / 1000)
    rows.push(out)
    return out
  }

  row('markdown', 'markdown 1 MB (orchestr8 resources, repeated)', { jsLive: true, coldFirst: true })
  if (encoding === 'o200k_base' || !quick) {
    row('a-x-100000', "'a' x 100,000", { jsLive: false, pfRuns: quick ? 3 : 5 })
    row('cjk-20000', '20,000 CJK chars, no spaces', { jsLive: false, pfRuns: quick ? 3 : 5 })
    row('base64-1mb', '1 MB base64, one line', { jsLive: true, pfRuns: N_LONG, jsRuns: quick ? 1 : 3 })
    row('minified-js-1mb', '1 MB minified JS, one line', { jsLive: true, pfRuns: N_LONG, jsRuns: quick ? 1 : 3 })
  }
}

const fmt = (ms) => (ms === undefined ? '—' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`)
const table = [
  ['encoding', 'input', 'tokens', 'promptfold', 'cpu', ...(compare ? ['compare', 'cpu'] : []), 'MB/s', 'js-tiktoken', 'cpu', 'speedup', 'cpu speedup', 'equal'],
  ...rows.map((r) => [
    r.encoding,
    r.name + (r.freshContentEachRun ? ' (new content each run)' : ''),
    String(r.tokens),
    fmt(r.promptfoldMedianMs) + (r.promptfoldFirstPassMs !== undefined ? ` (1st ${fmt(r.promptfoldFirstPassMs)})` : ''),
    fmt(r.promptfoldCpuMedianMs),
    ...(compare
      ? [fmt(r.compareMedianMs) + (r.compareFirstPassMs !== undefined ? ` (1st ${fmt(r.compareFirstPassMs)})` : '') + (r.compareEqual ? '' : ' COUNTS DIFFER'), fmt(r.compareCpuMedianMs)]
      : []),
    r.mbPerSecond.toFixed(1),
    fmt(r.jsTiktokenMedianMs) + (r.jsTiktokenSource && r.jsTiktokenSource !== 'live' ? ' (recorded)' : ''),
    fmt(r.jsTiktokenCpuMedianMs),
    r.speedup === undefined ? '—' : `${r.speedup.toFixed(1)}x`,
    r.cpuSpeedup === undefined ? '—' : `${r.cpuSpeedup.toFixed(1)}x`,
    r.equal === undefined ? '—' : r.equal ? 'yes' : 'NO',
  ]),
]
const widths = table[0].map((_, i) => Math.max(...table.map((line) => line[i].length)))
if (compare) console.log(`compare: ${comparePath}, alternating run by run with promptfold`)
console.log(`promptfold from ${from}; medians of ${N} (promptfold) / ${N_JS} (js-tiktoken) runs unless noted; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`)
for (const [i, line] of table.entries()) {
  console.log(line.map((cell, j) => (j >= 2 ? cell.padStart(widths[j]) : cell.padEnd(widths[j]))).join('  '))
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
}
for (const [encoding, s] of Object.entries(setup)) {
  const cmp = s.compareFirstCountMs === undefined ? '' : `; compare ${fmt(s.compareFirstCountMs)}`
  console.log(`${encoding}: first count (rank table build) ${fmt(s.promptfoldFirstCountMs)}${cmp}; js-tiktoken constructor ${fmt(s.jsTiktokenConstructorMs)}`)
}

const results = {
  benchmark: 'count',
  date: new Date().toISOString(),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  loadAverageAtEnd: os.loadavg()[0],
  promptfold: from,
  ...(comparePath === undefined ? {} : { compare: comparePath }),
  // js-tiktoken does not export ./package.json; read it next to its main file.
  jsTiktoken: JSON.parse(readFileSync(path.join(path.dirname(require.resolve('js-tiktoken')), '..', 'package.json'), 'utf8')).version,
  runs: { promptfold: N, jsTiktoken: N_JS },
  setup,
  rows,
}
writeFileSync(outPath, JSON.stringify(results, null, 2) + '\n')
const failed = rows.filter((r) => r.equal === false || r.compareEqual === false)
if (failed.length > 0) {
  console.error(`count mismatch in: ${failed.map((r) => `${r.encoding} ${r.name}`).join(', ')}`)
  process.exitCode = 1
}
