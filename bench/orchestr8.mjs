// Cold starts side by side with orchestr8 (issue 14), at 413 / 2,000 / 10,000 / 50,000
// documents. Every sample is a fresh process; promptfold's and orchestr8's alternate.
//
//   ORCHESTR8_DIR=/tmp/o8/plugins/orchestr8 node bench/orchestr8.mjs [--quick] [--sizes=413,2000] [--snapshot] [--json] [--markdown]
//     --snapshot: benchmark a frozen copy of dist/ (bench/.tmp/dist-orchestr8), so that a rebuild
//     of dist/ during the run cannot break it; writes bench/.tmp/results-orchestr8.json (--out=<file>),
//     and <file>.partial after each size
//   node bench/orchestr8.mjs --render=<file>[,<file>...]   the tables again from saved results
//   node bench/run.mjs --only=orchestr8      (the same rows in the bench table)
//
// ORCHESTR8_DIR: orchestr8's MCP server package (plugins/orchestr8 of
// github.com/seth-schultz/orchestr8), checked out and built in a scratch folder outside this
// repository (`npm install && npm run build`: dist/index.js, node_modules/tsx). Nothing of it
// is committed, and nothing here builds it. Without it the orchestr8 columns are the figures
// recorded in issue 14 (413 documents only), marked as such, and promptfold is measured alone.
//
// Libraries (bench/lib/scale-corpus.mjs): orchestr8's own resources/ folder when ORCHESTR8_DIR
// is set (413 documents, 3.5 MB, what the issue measured), else the shared corpus plus
// generated documents (413); then copies of it to 2,000 / 10,000 / 50,000 documents.
//
// Per size, alternating sample by sample:
//   library   promptfold: import + loadLibrary + first match (bench/lib/children/pf-library.mjs),
//             first (empty $XDG_CACHE_HOME) and again (the persistent stores a first run left);
//             orchestr8: its loader (ResourceLoader.loadResourceIndex) + its matcher
//             (FuzzyMatcher.match, catalog of 10), from its sources through its tsx
//             (bench/lib/children/o8-library.mjs); then warm matches in the same processes.
//   MCP       spawn -> initialize, -> first resources/list, -> first budgeted read
//             (promptfold serve: orchestr8://agents/<agent>?budget=8000&query=...; orchestr8:
//             orchestr8://match?query=...&mode=full&maxTokens=8000), server CPU and peak RSS
//             (/proc) when the read is answered (bench/lib/mcp-session.mjs).
// Environment: ORCHESTR8_BENCH_SIZES=413,2000 (same as --sizes), ORCHESTR8_BENCH_TIMEOUT_S
// (per process, default 900).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { baseLibrary, scaledLibrary } from './lib/scale-corpus.mjs'
import { CHILDREN, CLI, TMP, requireBuild } from './lib/paths.mjs'
import { mcpSession } from './lib/mcp-session.mjs'
import { runNode } from './lib/proc.mjs'
import { QUERIES } from './lib/queries.mjs'
import { makeRow } from './lib/rows.mjs'
import { round, summarize } from './lib/stats.mjs'
import { fmtNum, fmtRatio, textTable } from './lib/table.mjs'

export const SIZES = [413, 2000, 10_000, 50_000]
const QUERY = QUERIES[0]
const BUDGET = 8000

/** What issue 14 recorded (2-core machine, medians of 11-15 alternating runs, orchestr8 8.0.6). */
export const ISSUE = {
  orchestr8: { loadMs: 224, firstMatchMs: 112, initializeMs: 771, listMs: 803, listAloneMs: 27, readMs: 1034, cpuMs: 940 },
  promptfold: {
    413: { loadMs: 327, firstMatchMs: 186, initializeMs: 960, listAloneMs: 908, readMs: 2060, cpuMs: 1960 },
    2000: { loadMs: 700, firstMatchMs: 600, warmP99Ms: 11, peakRssMb: 150 },
    10000: { loadMs: 2300, firstMatchMs: 3100, warmP99Ms: 55, peakRssMb: 537 },
    50000: { loadMs: 8300, firstMatchMs: 12100, warmP99Ms: 550, peakRssMb: 2001 },
  },
}

/** A built orchestr8 MCP server package, or null (with why). */
export function orchestr8Build(dir = process.env.ORCHESTR8_DIR) {
  if (!dir) return { dir: null, why: 'ORCHESTR8_DIR not set' }
  const d = path.resolve(dir)
  for (const f of ['dist/index.js', 'src/loaders/resourceLoader.ts', 'node_modules/tsx/dist/loader.mjs', 'node_modules/gray-matter']) {
    if (!existsSync(path.join(d, f))) return { dir: null, why: `${path.join(d, f)} missing (npm install && npm run build in ${d})` }
  }
  return { dir: d, why: null }
}

const samplesFor = (docs, quick) => {
  if (docs <= 500) return quick ? 3 : 9
  if (docs <= 2000) return quick ? 2 : 5
  if (docs <= 10_000) return quick ? 1 : 3
  return 1
}
const warmFor = (docs) => (docs <= 500 ? 120 : docs <= 2000 ? 48 : docs <= 10_000 ? 24 : 12)

/** The agent read under a budget: orchestr8's MLOps agent when present, else the first agent. */
function agentOf(base) {
  const agents = base.files.filter((f) => f.startsWith('agents/'))
  const pick = agents.find((f) => f === 'agents/ai-ml-mlops.md') ?? agents.find((f) => /mlops/.test(f)) ?? agents[0]
  return `orchestr8://${pick.replace(/\.md$/, '')}`
}

function libraryChild({ kind, o8, root, cache, warm, timeoutMs }) {
  const args =
    kind === 'o8'
      ? ['--import', path.join(o8, 'node_modules/tsx/dist/loader.mjs'), path.join(CHILDREN, 'o8-library.mjs'), o8, root, QUERY, `--warm=${warm}`]
      : [path.join(CHILDREN, 'pf-library.mjs'), root, QUERY, '--store', `--warm=${warm}`]
  const env = kind === 'o8' ? { LOG_LEVEL: 'error' } : { XDG_CACHE_HOME: cache }
  const r = runNode(args, { env, timeoutMs, cpu: true, cwd: kind === 'o8' ? o8 : undefined })
  const lines = r.stdout.trim().split('\n')
  return { ...JSON.parse(lines[lines.length - 1]), wallMs: r.wallMs, cpuMs: r.cpuMs }
}

function mcpChild({ kind, o8, root, cache, docs, readUri, timeoutMs }) {
  if (kind === 'o8') {
    // Remote providers off: they fetch from the network at start-up (on a machine without
    // network access their timeouts add ~15 s to initialize); the issue's figures had them off too.
    const env = { NODE_ENV: 'test', RESOURCES_PATH: root, ORCHESTR8_AITMPL_ENABLED: 'false', ORCHESTR8_GITHUB_ENABLED: 'false' }
    return mcpSession({ args: [path.join(o8, 'dist/index.js')], cwd: o8, env, readUri, timeoutMs })
  }
  // promptfold serve stops when stdin ends, after writing its caches: let it (they are what "again" reads).
  return mcpSession({ args: [CLI, 'serve', root, '--max-files', String(Math.max(10_000, docs * 2))], env: { XDG_CACHE_HOME: cache }, readUri, timeoutMs, graceMs: 120_000 })
}

/** Run `fn` and keep its error as a sample that failed (the row says so). */
async function attempt(fn) {
  try {
    return await fn()
  } catch (error) {
    return { failed: String(error?.message ?? error).split('\n').slice(0, 3).join(' ') }
  }
}

/** Measure one size: every variant alternating, `n` samples each. */
async function measureSize({ base, docs, o8, quick, log, timeoutMs }) {
  const lib = scaledLibrary(base, docs)
  const n = samplesFor(docs, quick)
  const warm = warmFor(docs)
  const work = mkdtempSync(path.join(TMP, `o8-${docs}-`))
  const fresh = () => mkdtempSync(path.join(work, 'xdg-'))
  const q = encodeURIComponent(QUERY)
  const pfRead = `${agentOf(base)}?budget=${BUDGET}&query=${q}`
  const o8Read = `orchestr8://match?query=${q}&mode=full&maxTokens=${BUDGET}`
  try {
    // The "again" caches: one first run each fills them.
    const warmLib = fresh()
    const warmServe = fresh()
    // Their first runs (empty folders: first runs like any other) are the first "first" samples.
    log(`orchestr8 bench: ${docs} documents (${(lib.bytes / 1e6).toFixed(1)} MB), first runs (they fill the persistent stores the "again" runs use)...`)
    const primed = {
      libFirst: await attempt(() => libraryChild({ kind: 'pf', root: lib.root, cache: warmLib, warm, timeoutMs })),
      mcpFirst: await attempt(() => mcpChild({ kind: 'pf', root: lib.root, cache: warmServe, docs, readUri: pfRead, timeoutMs })),
    }
    const variants = {
      libFirst: () => libraryChild({ kind: 'pf', root: lib.root, cache: fresh(), warm, timeoutMs }),
      libAgain: () => libraryChild({ kind: 'pf', root: lib.root, cache: warmLib, warm: 0, timeoutMs }),
      ...(o8 ? { libO8: () => libraryChild({ kind: 'o8', o8, root: lib.root, warm, timeoutMs }) } : {}),
      mcpFirst: () => mcpChild({ kind: 'pf', root: lib.root, cache: fresh(), docs, readUri: pfRead, timeoutMs }),
      mcpAgain: () => mcpChild({ kind: 'pf', root: lib.root, cache: warmServe, docs, readUri: pfRead, timeoutMs }),
      ...(o8 ? { mcpO8: () => mcpChild({ kind: 'o8', o8, root: lib.root, docs, readUri: o8Read, timeoutMs }) } : {}),
    }
    for (const [name, r] of Object.entries(primed)) log(`  ${docs} ${name} (fills the cache): ${r.failed ? `FAILED ${r.failed}` : `${((r.readMs ?? r.wallMs) / 1000).toFixed(1)} s`}`)
    const out = Object.fromEntries(Object.keys(variants).map((k) => [k, primed[k] ? [primed[k]] : []]))
    for (let i = 0; i < n; i++) {
      for (const [name, fn] of Object.entries(variants)) {
        if (i === 0 && primed[name]) continue
        const t = performance.now()
        const r = await attempt(fn)
        out[name].push(r)
        log(`  ${docs} ${name} ${i + 1}/${n}: ${r.failed ? `FAILED ${r.failed}` : `${((performance.now() - t) / 1000).toFixed(1)} s`}`)
      }
    }
    return { docs, bytes: lib.bytes, copies: lib.copies, samples: n, warmQueries: warm, readUris: { promptfold: pfRead, orchestr8: o8Read }, raw: out }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

const ok = (xs) => xs.filter((x) => !x.failed)
const field = (xs, f) => ok(xs).map(f).filter((x) => typeof x === 'number' && Number.isFinite(x))
const failures = (xs) => xs.filter((x) => x.failed).map((x) => x.failed)

/** Rows of one size. */
function rowsOf(m, { o8Measured }) {
  const { docs, raw } = m
  const at = docs.toLocaleString('en-US')
  const small = docs <= 500
  const issueO8 = small && !o8Measured ? ISSUE.orchestr8 : null
  const recorded = (what, median) => ({ what: `${what} (recorded in issue 14, NOT measured in this run)`, summary: { n: Number.NaN, median, p25: Number.NaN, p75: Number.NaN, min: Number.NaN, max: Number.NaN } })
  const note = (xs) => (failures(xs).length ? [`${failures(xs).length} sample(s) failed: ${failures(xs)[0]}`] : [])
  const before = ISSUE.promptfold[docs]
  const rows = []
  const loadPlusMatch = (x) => x.loadMs + x.firstMatchMs
  const inProcess = (x) => x.importMs + x.loadMs + x.firstMatchMs
  const o8LoadMatch = o8Measured ? { what: 'orchestr8: its loader + its matcher (loadResourceIndex + first FuzzyMatcher.match, catalog of 10)', samples: field(raw.libO8, loadPlusMatch) } : issueO8 ? recorded("orchestr8: its loader + its matcher", ISSUE.orchestr8.loadMs + ISSUE.orchestr8.firstMatchMs) : null
  const split = (xs, label) => {
    const l = summarize(field(xs, (x) => x.loadMs)).median
    const f = summarize(field(xs, (x) => x.firstMatchMs)).median
    const i = summarize(field(xs, (x) => x.importMs)).median
    return `${label}: import ${round(i, 0)} + load ${round(l, 0)} + first match ${round(f, 0)} ms (medians)`
  }
  rows.push(
    makeRow({
      id: `o8-${docs}-library-first`,
      row: `${at} docs: loadLibrary + first match, first run`,
      what: `fresh process, empty $XDG_CACHE_HOME: loadLibrary + first library.match (import not counted; it is in the next row's)`,
      unit: 'ms',
      samples: field(raw.libFirst, loadPlusMatch),
      baseline: o8LoadMatch,
      target: small ? { text: "<= 0.5x orchestr8's loader + matcher", op: '<=', value: 0.5, on: 'ratio' } : docs >= 50_000 ? { text: '<= 3 s (cold load + first match)', op: '<=', value: 3000, on: 'median' } : null,
      notes: [split(raw.libFirst, 'promptfold'), ...(o8Measured ? [split(raw.libO8, 'orchestr8 (import through tsx: not comparable)')] : []), ...(before ? [`issue 14 recorded for promptfold: load ${before.loadMs} + first match ${before.firstMatchMs} ms`] : []), ...note(raw.libFirst), ...(o8Measured ? note(raw.libO8) : [])],
    }),
    makeRow({
      id: `o8-${docs}-library-again`,
      row: `${at} docs: import + loadLibrary + first match, again`,
      what: 'fresh process, the persistent stores a first run on this root left under $XDG_CACHE_HOME: import + loadLibrary + first match',
      unit: 'ms',
      samples: field(raw.libAgain, inProcess),
      baseline: o8LoadMatch,
      target: small ? { text: '<= 100 ms after the first run on a root', op: '<=', value: 100, on: 'median' } : docs >= 50_000 ? { text: '<= 500 ms with the persistent index', op: '<=', value: 500, on: 'median' } : null,
      notes: [split(raw.libAgain, 'promptfold'), `process start -> first match answered: median ${round(summarize(field(raw.libAgain, (x) => x.answeredMs)).median, 0)} ms (node's own start included)`, ...note(raw.libAgain)],
    }),
    makeRow({
      id: `o8-${docs}-match-warm`,
      row: `${at} docs: warm match p50`,
      what: `warm matches in the first-run process (${m.warmQueries} queries), p50 per process; p99 in the notes`,
      unit: 'ms',
      samples: field(raw.libFirst, (x) => x.warm?.p50),
      baseline: o8Measured ? { what: `orchestr8 FuzzyMatcher.match catalog of 10, warm, p50`, samples: field(raw.libO8, (x) => x.warm?.p50) } : null,
      target: docs >= 50_000 ? { text: '<= 20 ms p50 (p99 <= 50 ms)', op: '<=', value: 20, on: 'median' } : null,
      notes: [`promptfold p99: ${field(raw.libFirst, (x) => x.warm?.p99).map((x) => round(x, 2)).join(', ')} ms`, ...(o8Measured ? [`orchestr8 p99: ${field(raw.libO8, (x) => x.warm?.p99).map((x) => round(x, 1)).join(', ')} ms`] : []), ...(before?.warmP99Ms ? [`issue 14 recorded promptfold p99 ${before.warmP99Ms} ms`] : [])],
    }),
    makeRow({
      id: `o8-${docs}-library-rss`,
      row: `${at} docs: peak RSS, library process`,
      what: 'peak RSS of the first-run library process (load, first match, warm matches)',
      unit: 'MB',
      samples: field(raw.libFirst, (x) => x.peakRssMb),
      baseline: o8Measured ? { what: 'orchestr8 loader + matcher process (tsx loaded too)', samples: field(raw.libO8, (x) => x.peakRssMb) } : null,
      target: docs >= 50_000 ? { text: '<= 600 MB', op: '<=', value: 600, on: 'median' } : null,
      notes: before?.peakRssMb ? [`issue 14 recorded ${before.peakRssMb} MB`] : [],
    }),
  )
  const mcpO8 = (what, f, issueValue) => (o8Measured ? { what: `orchestr8 ${what}`, samples: field(raw.mcpO8, f) } : issueO8 && issueValue !== undefined ? recorded(`orchestr8 ${what}`, issueValue) : null)
  const mcpRow = (key, label, target, issueKey, extra = []) => {
    const rowsHere = []
    for (const [variant, when] of [
      ['mcpFirst', 'first session'],
      ['mcpAgain', 'again'],
    ]) {
      rowsHere.push(
        makeRow({
          id: `o8-${docs}-mcp-${key}-${variant === 'mcpFirst' ? 'first' : 'again'}`,
          row: `${at} docs: MCP spawn -> ${label}, ${when}`,
          what: `promptfold serve, ${variant === 'mcpFirst' ? 'empty' : 'warm'} $XDG_CACHE_HOME`,
          unit: 'ms',
          samples: field(raw[variant], (x) => x[key]),
          baseline: mcpO8(label, (x) => x[key], issueKey ? ISSUE.orchestr8[issueKey] : undefined),
          target: small && target ? { text: `<= ${target} ms`, op: '<=', value: target, on: 'median' } : null,
          notes: [...extra, ...note(raw[variant]), ...(variant === 'mcpFirst' && o8Measured ? note(raw.mcpO8) : [])],
        }),
      )
    }
    return rowsHere
  }
  const alone = (v) => round(summarize(field(raw[v] ?? [], (x) => x.listAloneMs)).median, 0)
  rows.push(
    ...mcpRow('initializeMs', 'initialize', 150, 'initializeMs'),
    ...mcpRow('listMs', 'first resources/list', 200, 'listMs', [`resources/list alone (from sending it): promptfold ${alone('mcpFirst')} ms first, ${alone('mcpAgain')} ms again${o8Measured ? `; orchestr8 ${alone('mcpO8')} ms` : `; issue 14 recorded orchestr8 ${ISSUE.orchestr8.listAloneMs} ms`}`]),
    ...mcpRow('readMs', 'first budgeted read', 400, 'readMs', [`promptfold ${m.readUris.promptfold.split('?')[0]}?budget=${BUDGET}&query=...; orchestr8 orchestr8://match?query=...&mode=full&maxTokens=${BUDGET}`]),
  )
  rows.push(
    makeRow({
      id: `o8-${docs}-mcp-cpu`,
      row: `${at} docs: MCP server CPU to the first read, first session`,
      what: 'user + system CPU of the server process when the first budgeted read is answered (/proc)',
      unit: 'ms',
      samples: field(raw.mcpFirst, (x) => x.cpuMs),
      baseline: mcpO8('server CPU', (x) => x.cpuMs, ISSUE.orchestr8.cpuMs),
      target: null,
      notes: [`again: ${round(summarize(field(raw.mcpAgain, (x) => x.cpuMs)).median, 0)} ms`],
    }),
    makeRow({
      id: `o8-${docs}-mcp-rss`,
      row: `${at} docs: MCP server peak RSS, first session`,
      what: 'VmHWM of the server process when the first budgeted read is answered',
      unit: 'MB',
      samples: field(raw.mcpFirst, (x) => x.peakRssMb),
      baseline: o8Measured ? { what: 'orchestr8 server', samples: field(raw.mcpO8, (x) => x.peakRssMb) } : null,
      target: null,
      notes: [`again: ${round(summarize(field(raw.mcpAgain, (x) => x.peakRssMb)).median, 0)} MB`],
    }),
  )
  return rows
}

/** Side-by-side markdown table of every size (for docs/performance.md). */
export function markdownBySize(measured, { o8Measured }) {
  const med = (xs) => summarize(xs).median
  const cell = (xs, unit = 'ms') => {
    const s = summarize(xs)
    if (!s.n) return '—'
    if (s.n < 2) return `${fmtNum(s.median, unit)} (n=1)`
    return `${fmtNum(s.median, unit)} (${fmtNum(s.min, unit)}–${fmtNum(s.max, unit)})`
  }
  const lines = []
  const sizes = measured.map((m) => m.docs)
  lines.push(`| cold, median (min–max) | ${sizes.map((d) => `${d.toLocaleString('en-US')}: promptfold | orchestr8 | ratio`).join(' | ')} |`)
  lines.push(`|---|${sizes.map(() => '---:|---:|---:').join('|')}|`)
  const specs = [
    ['loadLibrary + first match, first run', 'libFirst', (x) => x.loadMs + x.firstMatchMs, 'libO8', (x) => x.loadMs + x.firstMatchMs],
    ['import + load + first match, again', 'libAgain', (x) => x.importMs + x.loadMs + x.firstMatchMs, 'libO8', (x) => x.loadMs + x.firstMatchMs],
    ['warm match p50', 'libFirst', (x) => x.warm?.p50, 'libO8', (x) => x.warm?.p50],
    ['warm match p99', 'libFirst', (x) => x.warm?.p99, 'libO8', (x) => x.warm?.p99],
    ['peak RSS, library process', 'libFirst', (x) => x.peakRssMb, 'libO8', (x) => x.peakRssMb, 'MB'],
    ['MCP spawn -> initialize, first', 'mcpFirst', (x) => x.initializeMs, 'mcpO8', (x) => x.initializeMs],
    ['MCP spawn -> initialize, again', 'mcpAgain', (x) => x.initializeMs, 'mcpO8', (x) => x.initializeMs],
    ['MCP spawn -> first resources/list, first', 'mcpFirst', (x) => x.listMs, 'mcpO8', (x) => x.listMs],
    ['MCP spawn -> first resources/list, again', 'mcpAgain', (x) => x.listMs, 'mcpO8', (x) => x.listMs],
    ['MCP resources/list alone, first', 'mcpFirst', (x) => x.listAloneMs, 'mcpO8', (x) => x.listAloneMs],
    ['MCP spawn -> first budgeted read, first', 'mcpFirst', (x) => x.readMs, 'mcpO8', (x) => x.readMs],
    ['MCP spawn -> first budgeted read, again', 'mcpAgain', (x) => x.readMs, 'mcpO8', (x) => x.readMs],
    ['MCP server CPU to that read, first', 'mcpFirst', (x) => x.cpuMs, 'mcpO8', (x) => x.cpuMs],
    ['MCP server peak RSS, first', 'mcpFirst', (x) => x.peakRssMb, 'mcpO8', (x) => x.peakRssMb, 'MB'],
  ]
  for (const [label, pv, pf, ov, of, unit = 'ms'] of specs) {
    const cells = measured.map((m) => {
      const a = field(m.raw[pv] ?? [], pf)
      const b = o8Measured ? field(m.raw[ov] ?? [], of) : []
      const fail = failures(m.raw[pv] ?? []).length ? ' (failed)' : ''
      const ratio = a.length && b.length ? fmtRatio(med(a) / med(b)) : '—'
      return `${cell(a, unit)}${fail} | ${cell(b, unit)} | ${ratio}`
    })
    lines.push(`| ${label} | ${cells.join(' | ')} |`)
  }
  return lines.join('\n')
}

/** The bench section: rows for bench/run.mjs (with `details`). */
export async function run({ quick = false, log = console.error, sizes, onSize } = {}) {
  requireBuild()
  mkdirSync(TMP, { recursive: true })
  const want = sizes ?? (process.env.ORCHESTR8_BENCH_SIZES ? process.env.ORCHESTR8_BENCH_SIZES.split(',').map(Number) : SIZES)
  const timeoutMs = Number(process.env.ORCHESTR8_BENCH_TIMEOUT_S ?? 900) * 1000
  const { dir: o8, why } = orchestr8Build()
  if (!o8) log(`orchestr8 bench: orchestr8 not measured (${why}); its columns are the figures recorded in issue 14`)
  const base = baseLibrary({ orchestr8Dir: o8 ?? undefined })
  log(`orchestr8 bench: base library ${base.files.length} documents from ${base.source}`)
  const measured = []
  for (const docs of want) {
    measured.push(await measureSize({ base, docs: docs <= base.files.length ? base.files.length : docs, o8, quick, log, timeoutMs }))
    onSize?.(measured.at(-1))
  }
  const rows = measured.flatMap((m) => rowsOf(m, { o8Measured: Boolean(o8) }))
  rows.details = {
    orchestr8: o8 ? { dir: o8, measured: true } : { measured: false, why, recorded: ISSUE.orchestr8 },
    base: { source: base.source, documents: base.files.length },
    sizes: measured.map(({ raw, ...m }) => ({ ...m, raw })),
    markdown: markdownBySize(measured, { o8Measured: Boolean(o8) }),
    machine: { cpus: os.cpus()[0]?.model, nproc: os.availableParallelism(), loadavg: os.loadavg() },
  }
  return rows
}

// Standalone: node bench/orchestr8.mjs
const main = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (main && process.argv.includes('--snapshot') && !process.env.PROMPTFOLD_BENCH_DIST) {
  // paths.mjs reads PROMPTFOLD_BENCH_DIST when imported: run again with it set.
  const here = path.dirname(fileURLToPath(import.meta.url))
  const snap = path.join(here, '.tmp/dist-orchestr8')
  rmSync(snap, { recursive: true, force: true })
  cpSync(path.join(here, '..', 'dist'), snap, { recursive: true })
  const r = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, PROMPTFOLD_BENCH_DIST: snap } })
  process.exit(r.status ?? 1)
} else if (main && process.argv.some((a) => a.startsWith('--render='))) {
  // Tables again from saved results (results files or their .partial), sizes in the order given.
  const files = process.argv.find((a) => a.startsWith('--render=')).slice(9).split(',')
  const measured = files.flatMap((f) => {
    const data = JSON.parse(readFileSync(f, 'utf8'))
    return data.details?.sizes ?? data.sizes
  })
  const o8Measured = measured.some((m) => m.raw.libO8?.length)
  console.log(textTable(measured.flatMap((m) => rowsOf(m, { o8Measured }))))
  console.log(`\n${markdownBySize(measured, { o8Measured })}`)
} else if (main) {
  const argv = process.argv.slice(2)
  const sizesArg = argv.find((a) => a.startsWith('--sizes='))?.slice(8)
  const started = Date.now()
  const loadBefore = os.loadavg()
  const out = argv.find((a) => a.startsWith('--out='))?.slice(6)
  const file = path.resolve(out ?? path.join(TMP, 'results-orchestr8.json'))
  // Each size's raw samples as soon as it is measured (a long run stopped early keeps them).
  const partial = []
  const onSize = (m) => {
    partial.push(m)
    writeFileSync(`${file}.partial`, `${JSON.stringify({ date: new Date().toISOString(), sizes: partial }, null, 2)}\n`)
  }
  const rows = await run({ quick: argv.includes('--quick'), sizes: sizesArg ? sizesArg.split(',').map(Number) : undefined, onSize })
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), command: `node bench/orchestr8.mjs ${argv.join(' ')}`.trim(), seconds: Math.round((Date.now() - started) / 1000), loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg(), rows, details: rows.details }, null, 2)}\n`)
  if (argv.includes('--json')) console.log(JSON.stringify(rows.details, null, 2))
  else {
    console.log(textTable(rows))
    for (const r of rows) if (r.notes?.length) console.log(`${r.row}: ${r.notes.join('; ')}`)
  }
  if (argv.includes('--markdown')) console.log(`\n${rows.details.markdown}`)
  console.error(`wrote ${path.relative(process.cwd(), file)}`)
}
