// Library benchmarks: loading a library of 400+ documents (the shared orchestr8 corpus,
// copied to a temp dir, plus generated documents up to about 3.5 MB), match latency,
// assembleTask warm at an 8k budget, and peak RSS. Prints medians.
//
// Cold rows (issue 14), each in fresh child processes (this file with --cold-child): import +
// loadLibrary + the first match, on a library root run for the first time (an empty cache
// folder: the persistent library index is built and written) and again (the index that
// first run left), alternating; warm match p50/p99 and peak RSS. Libraries: the base library
// of bench/lib/scale-corpus.mjs (orchestr8's own 413 resources when ORCHESTR8_DIR is given,
// else the shared corpus plus generated documents, 413 in all) and copies of it at 2,000 /
// 10,000 / 50,000 documents (under numbered folders, distinct ids; written once under
// bench/.tmp/scale/). Default sizes: 413, 2000, 10000 (--quick: 413); --sizes=413,50000
// chooses. The child uses the package's fileLibraryIndexStore, or an equivalent store of
// its own (one file per key, written by rename) when the build does not export it yet.
//
//   npm run build && node bench/library.mjs [--quick] [--json] [--sizes=413,2000,10000,50000] [--no-cold]
//
// PROMPTFOLD_ENTRY=<path or URL> benchmarks another build of the package (default ../dist/index.js).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { rng } from './lib/generate.mjs'
import { QUERIES } from './lib/queries.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '..')
const corpus = path.resolve(repo, '..', 'shared', 'corpus', 'orchestr8', 'resources')
const argv = process.argv.slice(2)
const args = new Set(argv)
const quick = args.has('--quick')

const entry = process.env.PROMPTFOLD_ENTRY ?? path.join(repo, 'dist', 'index.js')
const entryUrl = entry.startsWith('file:') ? entry : pathToFileURL(path.resolve(entry)).href
if (!process.env.PROMPTFOLD_ENTRY && !existsSync(entry)) {
  console.error('bench/library.mjs: dist/index.js not found; run `npm run build` first')
  process.exit(1)
}

if (args.has('--cold-child')) {
  await coldChild(argv.slice(argv.indexOf('--cold-child') + 1))
  process.exit(0)
}

const pf = await import(entryUrl)
for (const name of ['loadLibrary', 'assembleTask', 'createTokenCounter']) {
  if (typeof pf[name] !== 'function') {
    console.error(`bench/library.mjs: ${entry} does not export ${name} (re-export src/library from src/index.ts)`)
    process.exit(1)
  }
}
const { loadLibrary, assembleTask, createTokenCounter } = pf

// ---------------------------------------------------------------- library on disk

const TOPICS = {
  database: ['postgres', 'mysql', 'replication', 'index', 'query', 'transaction', 'schema', 'migration', 'backup', 'sharding'],
  web: ['react', 'component', 'state', 'form', 'router', 'accessibility', 'render', 'css', 'bundle', 'hydration'],
  data: ['kafka', 'stream', 'airflow', 'batch', 'warehouse', 'partition', 'quality', 'lineage', 'spark', 'parquet'],
  cloud: ['kubernetes', 'terraform', 'helm', 'autoscaling', 'ingress', 'secret', 'container', 'deployment', 'network', 'storage'],
  ml: ['training', 'model', 'feature', 'inference', 'drift', 'experiment', 'registry', 'pipeline', 'evaluation', 'embedding'],
  security: ['auth', 'token', 'oauth', 'encryption', 'audit', 'vulnerability', 'policy', 'session', 'password', 'certificate'],
}
const FILLER = 'the service handles requests under load while the team keeps latency budgets error rates and costs visible in dashboards and alerts'.split(' ')

function words(r, list, n) {
  return Array.from({ length: n }, () => list[Math.floor(r() * list.length)]).join(' ')
}

function paragraph(r, topic, n) {
  const pool = [...TOPICS[topic], ...FILLER, ...FILLER]
  const w = words(r, pool, n)
  return `${w[0].toUpperCase()}${w.slice(1)}.`
}

function codeBlock(r, topic) {
  const t = TOPICS[topic]
  const lines = Array.from({ length: 12 + Math.floor(r() * 10) }, (_, i) => `  const ${t[i % t.length]}${i} = await client.${t[(i + 3) % t.length]}({ id: ${i}, retries: ${Math.floor(r() * 5)} })`)
  return ['```ts', `export async function run${topic}(client) {`, ...lines, '}', '```'].join('\n')
}

/** Frontmatter + body of roughly `bytes` bytes. */
function generatedDoc(r, { id, category, topic, title, slots = [], bytes }) {
  const t = TOPICS[topic]
  const fm = [
    '---',
    `id: ${id}`,
    `category: ${category}`,
    `tags: [${[topic, t[Math.floor(r() * t.length)], t[Math.floor(r() * t.length)]].join(', ')}]`,
    'capabilities:',
    `  - ${paragraph(r, topic, 8)}`,
    `  - ${paragraph(r, topic, 8)}`,
    'useWhen:',
    `  - ${paragraph(r, topic, 10)}`,
    `  - ${paragraph(r, topic, 10)}`,
    `estimatedTokens: ${200 + Math.floor(r() * 2000)}`,
    '---',
    '',
    `# ${title}`,
    '',
  ]
  const parts = [fm.join('\n')]
  for (const s of slots) parts.push(`## ${s.heading}\n\n**Complete Implementation:**\n\`\`\`\n${s.uri}\n\`\`\`\n\n${paragraph(r, topic, 40)}\n`)
  let size = parts.join('\n').length
  let i = 0
  while (size < bytes) {
    const chunk = i % 3 === 2 ? `${codeBlock(r, topic)}\n` : `## ${words(r, t, 3)} ${i}\n\n${paragraph(r, topic, 60)}\n`
    parts.push(chunk)
    size += chunk.length + 1
    i++
  }
  return `${parts.join('\n')}\n`
}

/** Copy the corpus and add generated documents until there are `total` documents of about `targetBytes`. */
function buildLibrary(dir, total, targetBytes) {
  cpSync(corpus, dir, { recursive: true })
  const r = rng(42)
  const topics = Object.keys(TOPICS)
  const existing = 46
  const count = total - existing
  const perDoc = Math.max(1500, Math.floor((targetBytes - 490_000) / count))
  const plan = []
  for (let i = 0; i < count; i++) {
    const topic = topics[i % topics.length]
    const kind = i % 10 === 0 ? 'agent' : i % 10 < 6 ? 'example' : i % 10 < 8 ? 'skill' : 'pattern'
    plan.push({ i, topic, kind })
  }
  const examples = plan.filter((p) => p.kind === 'example')
  let bytes = 0
  for (const p of plan) {
    const name = `${p.topic}-${p.kind}-${p.i}`
    const rel = p.kind === 'example' ? `examples/${p.topic}/${name}.md` : `${p.kind}s/${name}.md`
    const slots =
      p.kind === 'agent'
        ? examples
            .filter((e) => e.topic === p.topic)
            .slice(0, 4)
            .map((e) => ({ heading: `${TOPICS[p.topic][e.i % 10]} ${TOPICS[p.topic][(e.i + 1) % 10]} in practice`, uri: `orchestr8://examples/${e.topic}/${e.topic}-example-${e.i}` }))
        : []
    const title = `${TOPICS[p.topic][p.i % 10]} ${TOPICS[p.topic][(p.i + 1) % 10]} ${p.kind} ${p.i}`
    const text = generatedDoc(r, { id: name, category: p.kind, topic: p.topic, title, slots, bytes: p.kind === 'agent' ? perDoc * 1.5 : perDoc })
    mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true })
    writeFileSync(path.join(dir, rel), text)
    bytes += Buffer.byteLength(text)
  }
  return { documents: total, generatedBytes: bytes }
}

// ---------------------------------------------------------------- measuring

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d


async function main() {
  const base = mkdtempSync(path.join(tmpdir(), 'promptfold-bench-lib-'))
  const root = path.join(base, 'resources')
  try {
    const built = buildLibrary(root, 426, 3_500_000)
    const counter = createTokenCounter({ encoding: 'o200k_base' })
    counter.count('warm the encoder')

    // Load: fresh library each run (files in the OS cache after the first).
    const loadRuns = quick ? 3 : 9
    const loadMs = []
    let library
    for (let i = 0; i < loadRuns; i++) {
      const t = performance.now()
      library = await loadLibrary({ root })
      loadMs.push(performance.now() - t)
    }
    const totalBytes = library.entries.reduce((n, e) => n + e.bytes, 0)
    const errors = library.entries.filter((e) => e.diagnostics.some((d) => d.severity === 'error')).length

    // Match: the first call builds the index (heading scan + stemming of every entry).
    let t = performance.now()
    library.match(QUERIES[0])
    const matchIndexMs = performance.now() - t
    const matchMs = []
    const reps = quick ? 10 : 50
    for (let k = 0; k < reps; k++) {
      for (const q of QUERIES) {
        t = performance.now()
        library.match(q, { maxResults: 10 })
        matchMs.push(performance.now() - t)
      }
    }

    // assembleTask at 8k: first (parses and counts what it touches), then warm.
    t = performance.now()
    await assembleTask(library, QUERIES[0], { budget: 8000, counter })
    const taskFirstMs = performance.now() - t
    for (const q of QUERIES) await assembleTask(library, q, { budget: 8000, counter })
    const taskMs = []
    let overBudget = 0
    for (let k = 0; k < (quick ? 1 : 3); k++) {
      for (const q of QUERIES) {
        t = performance.now()
        const { report } = await assembleTask(library, q, { budget: 8000, counter })
        taskMs.push(performance.now() - t)
        if (report.totalTokens > 8000) overBudget++
      }
    }

    const rssBeforeGraphMb = process.resourceUsage().maxRSS / 1024
    // Graph: parses every body once (the expensive, lazy part).
    t = performance.now()
    const graph = library.graph()
    const graphMs = performance.now() - t

    const peakRssMb = process.resourceUsage().maxRSS / 1024
    const result = {
      documents: library.entries.length,
      megabytes: round(totalBytes / 1e6, 2),
      brokenDocuments: errors,
      loadMedianMs: round(median(loadMs)),
      loadFirstMs: round(loadMs[0]),
      matchIndexBuildMs: round(matchIndexMs),
      matchP50Ms: round(median(matchMs), 3),
      matchP95Ms: round(quantile(matchMs, 0.95), 3),
      assembleTaskFirstMs: round(taskFirstMs),
      assembleTaskWarm8kMedianMs: round(median(taskMs)),
      assembleTaskOverBudget: overBudget,
      graphFirstMs: round(graphMs),
      graphEdges: graph.edges.length,
      peakRssBeforeGraphMb: round(rssBeforeGraphMb, 1),
      peakRssMb: round(peakRssMb, 1),
      node: process.version,
      generatedBytes: built.generatedBytes,
    }
    if (!args.has('--no-cold')) result.cold = await coldRows()
    if (args.has('--json')) {
      console.log(JSON.stringify(result, null, 2))
    } else {
      const rows = [
        ['library', `${result.documents} documents, ${result.megabytes} MB`],
        ['load (median of ' + loadRuns + ')', `${result.loadMedianMs} ms (first ${result.loadFirstMs} ms)`],
        ['match: index build (first call)', `${result.matchIndexBuildMs} ms`],
        ['match p50 / p95', `${result.matchP50Ms} / ${result.matchP95Ms} ms (${matchMs.length} queries)`],
        ['assembleTask 8k: first / warm median', `${result.assembleTaskFirstMs} / ${result.assembleTaskWarm8kMedianMs} ms (${taskMs.length} runs, ${overBudget} over budget)`],
        ['graph (parses every body)', `${result.graphFirstMs} ms, ${result.graphEdges} edges`],
        ['peak RSS: load + match + assembleTask / after graph', `${result.peakRssBeforeGraphMb} / ${result.peakRssMb} MB`],
      ]
      const w = Math.max(...rows.map((r) => r[0].length))
      for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`)
      if (result.cold) printCold(result.cold)
    }
    return result
  } finally {
    rmSync(base, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------- cold rows (issue 14)

/** Median [p25-p75] of a summary, in ms. */
function spread(x, d = 1) {
  return x ? `${round(x.median, d)} [${round(x.p25, d)}-${round(x.p75, d)}]` : '-'
}

function summarize(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return null
  const q = (p) => {
    const pos = (s.length - 1) * p
    const lo = Math.floor(pos)
    return s[lo] + (s[Math.ceil(pos)] - s[lo]) * (pos - lo)
  }
  return { n: s.length, median: round(q(0.5), 2), p25: round(q(0.25), 2), p75: round(q(0.75), 2), min: round(s[0], 2), max: round(s[s.length - 1], 2) }
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

/** One fresh process: import, loadLibrary (with the index store in `cache`, or none for '-'), first match, `warm` more. */
function runChild(root, cache, warm) {
  const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--cold-child', root, cache, String(warm)], {
    encoding: 'utf8',
    env: { ...process.env, PROMPTFOLD_ENTRY: entryUrl },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 900_000,
  })
  if (out.status !== 0) throw new Error(`cold child failed (${out.status}): ${out.stderr.slice(-2000)}`)
  return JSON.parse(out.stdout.trim().split('\n').pop())
}

function coldRows() {
  const sizesArg = argv.find((a) => a.startsWith('--sizes='))
  const sizes = sizesArg ? sizesArg.slice(8).split(',').map(Number) : quick ? [413] : [413, 2000, 10_000]
  return import('./lib/scale-corpus.mjs').then(({ baseLibrary, scaledLibrary }) => {
    const base = baseLibrary({ orchestr8Dir: process.env.ORCHESTR8_DIR })
    const out = { base: base.source, rows: [] }
    for (const size of sizes) {
      const lib = scaledLibrary(base, size)
      // Files written less than 2 s ago are read again by design (racily clean): let the copies age.
      const stamp = path.join(lib.root, '.bench-stamp')
      if (existsSync(stamp)) {
        const age = Date.now() - statSync(stamp).mtimeMs
        if (age < 2500) sleep(2500 - age)
      }
      const pairs = quick ? 2 : size <= 500 ? 7 : size <= 2000 ? 4 : size <= 10_000 ? 2 : 1
      const warm = size <= 2000 ? 400 : 200
      const first = []
      const again = []
      for (let i = 0; i < pairs; i++) {
        const cache = mkdtempSync(path.join(tmpdir(), 'promptfold-bench-index-'))
        try {
          first.push(runChild(lib.root, cache, 0))
          again.push(runChild(lib.root, cache, warm))
        } finally {
          rmSync(cache, { recursive: true, force: true })
        }
      }
      const pick = (list, f) => summarize(list.map(f))
      out.rows.push({
        documents: first[0].documents,
        megabytes: round(lib.bytes / 1e6, 1),
        runs: pairs,
        store: first[0].store,
        first: {
          importMs: pick(first, (r) => r.importMs),
          loadMs: pick(first, (r) => r.loadMs),
          firstMatchMs: pick(first, (r) => r.firstMatchMs),
          loadAndMatchMs: pick(first, (r) => r.loadMs + r.firstMatchMs),
          answeredMs: pick(first, (r) => r.answeredMs),
          peakRssMb: pick(first, (r) => r.peakRssMb),
        },
        again: {
          importMs: pick(again, (r) => r.importMs),
          loadMs: pick(again, (r) => r.loadMs),
          firstMatchMs: pick(again, (r) => r.firstMatchMs),
          loadAndMatchMs: pick(again, (r) => r.loadMs + r.firstMatchMs),
          answeredMs: pick(again, (r) => r.answeredMs),
          peakRssMb: pick(again, (r) => r.peakRssMb),
        },
        warmMatch: { p50Ms: pick(again, (r) => r.warm.p50), p99Ms: pick(again, (r) => r.warm.p99), queries: again[0].warm.n },
        indexBytes: again[0].indexBytes,
        sameTop: first.every((r) => r.top === again[0].top) && again.every((r) => r.top === again[0].top),
      })
      console.error(`library cold: ${size} documents done`)
    }
    return out
  })
}

function printCold(cold) {
  console.log(`\ncold, fresh processes (${cold.base}); median [p25-p75] ms; "first" = first run on the root (builds and writes the index), "again" = with the index it left`)
  const rows = [['documents', 'first: load + 1st match', 'again: load + 1st match', 'again: answered from process start', 'warm match p50 / p99', 'peak RSS first / again (MB)', 'index']]
  for (const r of cold.rows) {
    rows.push([
      `${r.documents} (${r.megabytes} MB, ${r.runs} runs)`,
      spread(r.first.loadAndMatchMs),
      spread(r.again.loadAndMatchMs),
      spread(r.again.answeredMs),
      `${spread(r.warmMatch.p50Ms, 3)} / ${spread(r.warmMatch.p99Ms, 2)}`,
      `${spread(r.first.peakRssMb, 0)} / ${spread(r.again.peakRssMb, 0)}`,
      `${round(r.indexBytes / 1e6, 1)} MB${r.sameTop ? '' : ' (top result differs!)'}`,
    ])
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '))
}

/** An index store of the package's shape (one file per key, written by rename), for builds that do not export `fileLibraryIndexStore`. */
function ownIndexStore(dir) {
  const at = (key) => path.join(dir, 'library-v1', `${key}.idx`)
  return {
    get(key) {
      try {
        return readFileSync(at(key))
      } catch {
        return undefined
      }
    },
    set(key, value) {
      mkdirSync(path.dirname(at(key)), { recursive: true })
      const tmp = `${at(key)}.${process.pid}.tmp`
      writeFileSync(tmp, value)
      renameSync(tmp, at(key))
    },
  }
}

async function coldChild([root, cache, warmArg]) {
  const queries = QUERIES
  let t = performance.now()
  const pkg = await import(entryUrl)
  const importMs = performance.now() - t
  const options = { root, maxFiles: 1_000_000 }
  let store = 'none'
  if (cache !== '-') {
    store = typeof pkg.fileLibraryIndexStore === 'function' ? 'fileLibraryIndexStore' : 'bench store'
    options.indexStore = store === 'fileLibraryIndexStore' ? pkg.fileLibraryIndexStore({ dir: cache }) : ownIndexStore(cache)
  }
  t = performance.now()
  const library = await pkg.loadLibrary(options)
  const loadMs = performance.now() - t
  t = performance.now()
  const first = library.match(queries[0], { maxResults: 10 })
  const firstMatchMs = performance.now() - t
  const answeredMs = performance.now()
  const warm = []
  for (let i = 0; i < Number(warmArg); i++) {
    const q = queries[i % queries.length]
    t = performance.now()
    library.match(q, { maxResults: 10 })
    warm.push(performance.now() - t)
  }
  warm.sort((a, b) => a - b)
  // The index is written in the next turn of the event loop (before process.exit would skip it).
  await new Promise((resolve) => setImmediate(resolve))
  const at = (q) => warm[Math.min(warm.length - 1, Math.max(0, Math.ceil(q * warm.length) - 1))]
  let indexBytes = 0
  if (cache !== '-') {
    try {
      const dir = path.join(cache, 'library-v1')
      for (const f of (await import('node:fs')).readdirSync(dir)) indexBytes += statSync(path.join(dir, f)).size
    } catch {}
  }
  console.log(
    JSON.stringify({
      importMs,
      loadMs,
      firstMatchMs,
      answeredMs,
      documents: library.entries.length,
      top: first[0]?.uri ?? null,
      warm: warm.length ? { p50: at(0.5), p99: at(0.99), n: warm.length } : null,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      store,
      indexBytes,
    }),
  )
}

await main()
