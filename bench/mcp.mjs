// MCP server, cold (issue 14): `promptfold serve <library>` spawned fresh for every sample
// and driven over stdio by a minimal JSON-RPC client (newline-delimited JSON written to its
// stdin: cheaper and more precise than the SDK's client), on a library like orchestr8's
// (the shared corpus plus generated documents: 413 documents, about 3.5 MB).
//
// Each sample times, from just before the spawn:
// - spawn -> the `initialize` answer (the request is written at once, as clients do);
// - spawn -> the first `resources/list` answer (sent as soon as initialize is answered);
// - spawn -> the first budgeted read answered (`resources/read` of the MLOps agent with
//   `?budget=3000&query=...`, sent as soon as the list is answered);
// - the server's CPU time (user + system, /proc/<pid>/stat) when the read is answered.
// Variants alternate (first, again, first, again, ...): "first" with an empty
// $XDG_CACHE_HOME, "again" with the cache folder one earlier session left.
//
//   node bench/mcp.mjs [--quick] [--json]   (after `npm run build`)
//   PROMPTFOLD_BENCH_DIST=<dist folder>     benchmarks another build (as bench/run.mjs --snapshot)
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { generatedDocument, rng, sectionPool } from './lib/generate.mjs'
import { CLI, SHARED_CORPUS, TMP, requireBuild } from './lib/paths.mjs'
import { makeRow } from './lib/rows.mjs'
import { rounded, summarize } from './lib/stats.mjs'
import { textTable } from './lib/table.mjs'

/** Documents and bytes of the library (the orchestr8 library of issue 14: 413 documents, 3.5 MB). */
const DOCUMENTS = 413
const TARGET_BYTES = 3_500_000
const AGENT = 'orchestr8://agents/mlops-specialist'
const READ_URI = `${AGENT}?budget=3000&query=${encodeURIComponent('track experiments and serve the model')}`
/** orchestr8 8.0.6 on the same kind of machine (issue 14; not measured here). */
const ORCHESTR8 = { initialize: 771, list: 803, read: 1034, cpu: 940 }
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICKS = 100
const CATEGORIES = ['agents', 'examples/generated', 'skills', 'patterns', 'guides']

/**
 * The library under `dir`: the shared corpus's resources (or, without it, the repo's fixtures)
 * plus generated documents, `DOCUMENTS` in all, about `TARGET_BYTES` bytes. Deterministic.
 */
export function orchestr8LikeLibrary(dir) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const real = existsSync(path.join(SHARED_CORPUS, 'resources')) ? path.join(SHARED_CORPUS, 'resources') : path.resolve(TMP, '../../fixtures/resources')
  cpSync(real, dir, { recursive: true })
  const have = listMarkdown(dir)
  let bytes = have.reduce((n, f) => n + readFileSync(f).length, 0)
  const next = rng(14)
  const pool = sectionPool()
  const missing = DOCUMENTS - have.length
  const chars = Math.max(1500, Math.floor((TARGET_BYTES - bytes) / missing))
  for (let i = 0; i < missing; i++) {
    const category = CATEGORIES[i % CATEGORIES.length]
    const id = `generated-${String(i).padStart(4, '0')}`
    const file = path.join(dir, category, `${id}.md`)
    mkdirSync(path.dirname(file), { recursive: true })
    const text = generatedDocument({ id, category: category.split('/')[0].replace(/s$/, ''), title: `Generated resource ${i}`, next, pool, chars: Math.floor(chars * (0.5 + next())) })
    writeFileSync(file, text)
    bytes += Buffer.byteLength(text)
  }
  return { documents: DOCUMENTS, bytes }
}

function listMarkdown(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
}

/** CPU time of a live process so far, in ms (user + system), or undefined without /proc. */
function cpuOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS
  } catch {
    return undefined
  }
}

/**
 * One session: spawn the server, initialize, list, one budgeted read; then close stdin.
 * With `linger`, waits for the background work to finish (or `linger` ms) before closing, so
 * that its caches are written: for `notifications/resources/list_changed` after a list from the
 * loaded library, or for such a list that lacks nothing (a first list answered early, from a walk
 * of the folder, `_meta["promptfold/loading"]`, is followed by a list_changed once the library
 * is loaded: the list is then taken again).
 * @returns {Promise<{ initialize: number, list: number, read: number, cpuMs?: number, resources: number, listTokens: number, listTitles: number, readTokens?: number, changed: boolean, stderr: string }>}
 */
export function session({ cli = CLI, root, env = {}, args = [], linger = 0 }) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, [cli, 'serve', root, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    const out = { initialize: Number.NaN, list: Number.NaN, read: Number.NaN, cpuMs: undefined, resources: 0, listTokens: 0, listTitles: 0, early: false, changed: false, stderr: '' }
    // Whether the last list came from the loaded library and lacked titles or counts (the warming then says list_changed).
    let lacking = true
    let lists = 0
    const complete = (resources) => resources.every((r) => typeof r.title === 'string' && r._meta?.['promptfold/tokens'] !== undefined)
    const send = (message) => child.stdin.write(`${JSON.stringify(message)}\n`)
    let buffer = ''
    let lingering
    const finish = () => {
      clearTimeout(lingering)
      child.stdin.end()
    }
    const timeout = setTimeout(() => {
      child.kill()
      reject(new Error(`serve did not answer within 120 s: ${out.stderr.slice(-2000)}`))
    }, 120_000)
    child.stderr.setEncoding('utf8').on('data', (d) => {
      out.stderr += d
    })
    child.stdout.setEncoding('utf8').on('data', (d) => {
      buffer += d
      for (let i = buffer.indexOf('\n'); i !== -1; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i)
        buffer = buffer.slice(i + 1)
        const m = JSON.parse(line)
        const now = performance.now() - t0
        if (m.error) {
          finish()
          reject(new Error(`serve answered ${JSON.stringify(m.error)}`))
          return
        }
        if (m.method === 'notifications/resources/list_changed') {
          // After an early list: the library is loaded, list again (the warming may still be going on).
          if (out.early && lists === 1) {
            lists++
            send({ jsonrpc: '2.0', id: 4, method: 'resources/list' })
            continue
          }
          out.changed = true
          if (lingering !== undefined) finish()
        } else if (m.id === 4) {
          lacking = !complete(m.result.resources)
          if (!lacking && lingering !== undefined) finish()
        } else if (m.id === 1) {
          out.initialize = now
          send({ jsonrpc: '2.0', method: 'notifications/initialized' })
          send({ jsonrpc: '2.0', id: 2, method: 'resources/list' })
        } else if (m.id === 2) {
          out.list = now
          lists++
          out.early = m.result._meta?.['promptfold/loading'] === true
          lacking = out.early || !complete(m.result.resources)
          out.resources = m.result.resources.length
          out.listTokens = m.result.resources.filter((r) => typeof r._meta?.['promptfold/tokens'] === 'number').length
          out.listTitles = m.result.resources.filter((r) => typeof r.title === 'string').length
          send({ jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: READ_URI } })
        } else if (m.id === 3) {
          out.read = now
          out.cpuMs = cpuOf(child.pid)
          out.readTokens = m.result._meta?.['promptfold/totalTokens']
          if (linger > 0 && !out.changed && lacking) lingering = setTimeout(finish, linger)
          else finish()
        }
      }
    })
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timeout)
      if (code !== 0) reject(new Error(`serve exited with ${code}: ${out.stderr.slice(-2000)}`))
      else resolve({ ...out, complete: !lacking })
    })
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } } })
  })
}

export async function run({ quick = false, log = console.error } = {}) {
  requireBuild()
  mkdirSync(TMP, { recursive: true })
  const root = path.join(TMP, 'mcp-library')
  const built = orchestr8LikeLibrary(root)
  const caches = mkdtempSync(path.join(TMP, 'mcp-xdg-'))
  const fresh = () => mkdtempSync(path.join(caches, 'empty-'))
  // The "again" cache: what one whole session (lingering until its background work is done) leaves.
  const warm = fresh()
  const priming = await session({ root, env: { XDG_CACHE_HOME: warm }, linger: 120_000 })
  if (!priming.changed && !priming.complete) log('MCP cold: the priming session ended before its warming did (no list_changed within 120 s): "again" starts from a partial cache')
  const n = quick ? 5 : 11
  log(`MCP cold: ${n} sessions of each variant, alternating...`)
  const runs = { first: [], again: [] }
  for (let i = 0; i < n; i++) {
    runs.first.push(await session({ root, env: { XDG_CACHE_HOME: fresh() } }))
    runs.again.push(await session({ root, env: { XDG_CACHE_HOME: warm } }))
  }
  rmSync(caches, { recursive: true, force: true })
  const of = (variant, key) => runs[variant].map((r) => r[key]).filter((x) => typeof x === 'number')
  const library = `${built.documents} documents, ${(built.bytes / 1e6).toFixed(2)} MB`
  const listed = (variant) =>
    `the first resources/list gave titles for ${Math.round(summarize(of(variant, 'listTitles')).median)} and token counts for ${Math.round(summarize(of(variant, 'listTokens')).median)} of ${runs[variant][0]?.resources} resources (medians); ${runs[variant].filter((r) => r.early).length} of ${runs[variant].length} were the early listing (a walk of the folder while the library loads: URIs and names; list_changed follows)`
  const rows = []
  for (const [variant, label, what] of [
    ['first', 'first session', 'empty $XDG_CACHE_HOME'],
    ['again', 'again', 'the cache folder an earlier session left'],
  ]) {
    const notes = [listed(variant)]
    if (variant === 'again' && !priming.changed) notes.push('the priming session ended before its warming did: a partial cache')
    rows.push(
      makeRow({
        id: `mcp-initialize-${variant}`,
        row: `MCP spawn -> initialize, ${label}`,
        what: `promptfold serve <${library}>, ${what}: spawn to the initialize answer (orchestr8: ${ORCHESTR8.initialize} ms)`,
        unit: 'ms',
        samples: of(variant, 'initialize'),
        baseline: null,
        target: { text: '<= 150 ms', op: '<=', value: 150, on: 'median' },
      }),
      makeRow({
        id: `mcp-list-${variant}`,
        row: `MCP spawn -> first resources/list, ${label}`,
        what: `same sessions: spawn to the first resources/list answer (orchestr8: ${ORCHESTR8.list} ms)`,
        unit: 'ms',
        samples: of(variant, 'list'),
        baseline: null,
        target: { text: '<= 200 ms', op: '<=', value: 200, on: 'median' },
        notes,
      }),
      makeRow({
        id: `mcp-read-${variant}`,
        row: `MCP spawn -> first budgeted read, ${label}`,
        what: `same sessions: spawn to the answer of resources/read ${READ_URI.replace(/\?.*/, '?budget=3000&query=...')} (orchestr8: ${ORCHESTR8.read} ms)`,
        unit: 'ms',
        samples: of(variant, 'read'),
        baseline: null,
        target: { text: '<= 400 ms', op: '<=', value: 400, on: 'median' },
        details: { cpuMs: rounded(summarize(of(variant, 'cpuMs'))), readTokens: runs[variant][0]?.readTokens },
      }),
      makeRow({
        id: `mcp-cpu-${variant}`,
        row: `MCP server CPU to the first budgeted read, ${label}`,
        what: `same sessions: the server's CPU time (user + system, /proc/<pid>/stat, 10 ms ticks) when the budgeted read is answered (orchestr8: ${ORCHESTR8.cpu} ms for its session)`,
        unit: 'ms',
        samples: of(variant, 'cpuMs'),
        baseline: null,
        target: null,
      }),
    )
  }
  return rows
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run({ quick: process.argv.includes('--quick') })
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2))
  else {
    console.log(textTable(rows))
    for (const r of rows) if (r.notes?.length) console.log(`${r.row}: ${r.notes.join('; ')}`)
  }
}
