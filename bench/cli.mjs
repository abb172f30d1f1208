// Cold-start benchmarks, whole processes: `promptfold assemble` on the MLOps fixture
// vs a plain script (js-tiktoken + o200k_base + remark over the same 5 files), first
// with an empty cache folder and again with the cache the first run left; and the
// cost of `import 'promptfold'`.
//
//   node bench/cli.mjs [--quick]      (after `npm run build`)
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { CHILDREN, CLI, FIXTURE_AGENT, FIXTURE_ROOT, TMP, requireBuild } from './lib/paths.mjs'
import { interleave, runChildJson, runNode } from './lib/proc.mjs'
import { makeRow } from './lib/rows.mjs'
import { rounded, summarize } from './lib/stats.mjs'
import { textTable } from './lib/table.mjs'

const BUDGET = '3000'
const cliArgs = [CLI, 'assemble', path.join(FIXTURE_ROOT, FIXTURE_AGENT), '--budget', BUDGET]

/** Files under `dir`, recursively (relative paths). */
function filesIn(dir) {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)))
}

export async function run({ quick = false, log = console.error } = {}) {
  requireBuild()
  mkdirSync(TMP, { recursive: true })
  const cacheRoot = mkdtempSync(path.join(TMP, 'xdg-'))
  const fresh = () => mkdtempSync(path.join(cacheRoot, 'empty-'))
  const n = quick ? 4 : 7

  // Warm caches (one priming run each), reused by every "again" sample.
  const warmCli = fresh()
  runNode(cliArgs, { env: { XDG_CACHE_HOME: warmCli } })
  const cliCacheFiles = filesIn(warmCli)
  const warmStore = fresh()
  runNode([path.join(CHILDREN, 'assemble-store.mjs'), BUDGET], { env: { XDG_CACHE_HOME: warmStore } })
  const storeCacheFiles = filesIn(warmStore)

  log(`CLI cold: ${n} samples of each process...`)
  let cliFirstWroteCache = false
  const cpuMs = { baseline: [], cliFirst: [], cliAgain: [], storeFirst: [], storeAgain: [] }
  const keep = (name, r) => {
    cpuMs[name].push(r.cpuMs)
    return r.wallMs
  }
  const samples = interleave(
    {
      baseline: () => keep('baseline', runNode([path.join(CHILDREN, 'cli-baseline.mjs')], { cpu: true })),
      cliFirst: () => {
        const dir = fresh()
        const r = runNode(cliArgs, { env: { XDG_CACHE_HOME: dir }, cpu: true })
        if (filesIn(dir).length > 0) cliFirstWroteCache = true
        return keep('cliFirst', r)
      },
      cliAgain: () => keep('cliAgain', runNode(cliArgs, { env: { XDG_CACHE_HOME: warmCli }, cpu: true })),
      storeFirst: () => keep('storeFirst', runNode([path.join(CHILDREN, 'assemble-store.mjs'), BUDGET], { env: { XDG_CACHE_HOME: fresh() }, cpu: true })),
      storeAgain: () => keep('storeAgain', runNode([path.join(CHILDREN, 'assemble-store.mjs'), BUDGET], { env: { XDG_CACHE_HOME: warmStore }, cpu: true })),
    },
    n,
  )
  const cpuOf = (name) => ({ samples: cpuMs[name].filter((x) => x !== undefined), baseline: cpuMs.baseline.filter((x) => x !== undefined) })
  const usesCache = cliFirstWroteCache || cliCacheFiles.length > 0
  const cacheNote = usesCache
    ? `the CLI keeps a persistent cache under $XDG_CACHE_HOME (${cliCacheFiles.join(', ') || 'files'})`
    : 'the CLI does not use a persistent cache yet: it wrote nothing under $XDG_CACHE_HOME, so "again" repeats the first run (encoder built again)'
  const baseline = { what: 'plain script: import js-tiktoken, build o200k_base, remark-parse + count the 5 files (whole process)', samples: samples.baseline }
  const rows = [
    makeRow({
      id: 'cli-cold-first',
      row: 'CLI, cold, first run',
      what: `node dist/cli.js assemble ${FIXTURE_AGENT} --budget ${BUDGET}, whole process, empty $XDG_CACHE_HOME`,
      unit: 'ms',
      samples: samples.cliFirst,
      baseline,
      target: { text: '<= 1.0x', op: '<=', value: 1.0, on: 'ratio' },
      cpu: cpuOf('cliFirst'),
      notes: [cacheNote],
    }),
    makeRow({
      id: 'cli-cold-again',
      row: 'CLI, cold, run again',
      what: `same command again, $XDG_CACHE_HOME as the priming run left it`,
      unit: 'ms',
      samples: samples.cliAgain,
      baseline,
      target: { text: '<= 0.3x', op: '<=', value: 0.3, on: 'ratio' },
      cpu: cpuOf('cliAgain'),
      notes: [cacheNote],
      details: { cliUsesPersistentCache: usesCache, cacheFilesAfterPriming: cliCacheFiles },
    }),
    makeRow({
      id: 'library-store-again',
      row: '(info) library + fileCountStore, again',
      what: 'what the CLI would cost with `countStore: fileCountStore()` wired in: a script over the built library, same fixture and budget, prompt to stdout and report to stderr, warm store',
      unit: 'ms',
      samples: samples.storeAgain,
      baseline,
      target: { text: '<= 0.3x', op: '<=', value: 0.3, on: 'ratio' },
      cpu: cpuOf('storeAgain'),
      notes: ['informational: not the CLI'],
      details: { firstRunEmptyStore: rounded(summarize(samples.storeFirst)), firstRunEmptyStoreCpu: rounded(summarize(cpuMs.storeFirst.filter((x) => x !== undefined))), storeFiles: storeCacheFiles },
    }),
  ]

  log(`import: ${n * 2} fresh processes each...`)
  const impCpu = { promptfold: [], deps: [] }
  const imp = interleave(
    Object.fromEntries(
      ['promptfold', 'deps'].map((what) => [
        what,
        () => {
          const r = runChildJson(path.join(CHILDREN, 'import.mjs'), [what])
          impCpu[what].push(r.cpuMs)
          return r.ms
        },
      ]),
    ),
    n * 2,
  )
  rows.push(
    makeRow({
      id: 'import',
      row: "import 'promptfold'",
      what: 'await import(dist/index.js) in a fresh process',
      unit: 'ms',
      samples: imp.promptfold,
      baseline: { what: 'importing unified, remark-parse, gray-matter, zod and js-tiktoken/lite alone', samples: imp.deps },
      target: { text: '< 50 ms (issue: "well under 50 ms")', op: '<=', value: 50, on: 'median' },
      cpu: { samples: impCpu.promptfold, baseline: impCpu.deps },
    }),
  )
  rmSync(cacheRoot, { recursive: true, force: true })
  return rows
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run({ quick: process.argv.includes('--quick') })
  console.log(textTable(rows))
}
