// Library benchmarks: loading a library of 400+ documents (the shared orchestr8 corpus,
// copied to a temp dir, plus generated documents up to about 3.5 MB), match latency,
// assembleTask warm at an 8k budget, and peak RSS. Prints medians.
//
//   npm run build && node bench/library.mjs [--quick] [--json]
//
// PROMPTFOLD_ENTRY=<path or URL> benchmarks another build of the package (default ../dist/index.js).
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { rng } from './lib/generate.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '..')
const corpus = path.resolve(repo, '..', 'shared', 'corpus', 'orchestr8', 'resources')
const args = new Set(process.argv.slice(2))
const quick = args.has('--quick')

const entry = process.env.PROMPTFOLD_ENTRY ?? path.join(repo, 'dist', 'index.js')
if (!process.env.PROMPTFOLD_ENTRY && !existsSync(entry)) {
  console.error('bench/library.mjs: dist/index.js not found; run `npm run build` first')
  process.exit(1)
}
const pf = await import(entry.startsWith('file:') ? entry : pathToFileURL(path.resolve(entry)).href)
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

const QUERIES = [
  'track ML experiments with MLflow and serve the model',
  'design a DynamoDB single-table schema',
  'define SLOs and error budgets for an API',
  'postgres replication failover and backups',
  'react form accessibility and state management',
  'kafka stream partition consumers',
  'kubernetes autoscaling ingress deployment',
  'oauth token session security audit',
  'rust async ownership and lifetimes',
  'prometheus metrics and distributed tracing',
  'hyperparameter optimization with optuna',
  'airflow batch pipeline data quality',
]

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
    }
    return result
  } finally {
    rmSync(base, { recursive: true, force: true })
  }
}

await main()
