// Child process (bench/orchestr8.mjs): promptfold's loadLibrary and first match, cold, in a
// fresh process.
//   node pf-library.mjs <root> <query> [--store] [--warm=N]
// --store: loadLibrary with the persistent stores under $XDG_CACHE_HOME (the parse store,
// and the persistent library index when the built package has one), as the CLI uses them:
// "first" runs give an empty cache folder, "again" runs the one a first run left.
// Prints one JSON line:
//   importMs      import('promptfold') (the built package, PROMPTFOLD_BENCH_DIST or dist/)
//   loadMs        loadLibrary({ root, maxFiles })
//   firstMatchMs  the first library.match(query, { maxResults: 10 }) (builds the match index)
//   matchWarmMs   the same query again
//   answeredMs    process start -> first match answered (performance.now())
//   warm          with --warm=N: N warm matches (../queries.mjs in turn), { p50, p99, n } in ms
//   peakRssMb     process.resourceUsage().maxRSS (after everything above, the library index written)
import { DIST_URL } from '../paths.mjs'
import { p50p99, QUERIES } from '../queries.mjs'

const [root, query, ...flags] = process.argv.slice(2)
const store = flags.includes('--store')
const warmCount = Number(flags.find((f) => f.startsWith('--warm='))?.slice(7) ?? 0)

let t = performance.now()
const pf = await import(DIST_URL)
const importMs = performance.now() - t

const options = { root, maxFiles: 1_000_000 }
if (store && typeof pf.fileParseStore === 'function') options.parseStore = pf.fileParseStore()
// A persistent library index, when the package has one (issue 14): its store by its name.
if (store && typeof pf.fileLibraryIndexStore === 'function') options.indexStore = pf.fileLibraryIndexStore()

t = performance.now()
const library = await pf.loadLibrary(options)
const loadMs = performance.now() - t

t = performance.now()
const first = library.match(query, { maxResults: 10 })
const firstMatchMs = performance.now() - t
const answeredMs = performance.now()

t = performance.now()
library.match(query, { maxResults: 10 })
const matchWarmMs = performance.now() - t

const warmMs = []
for (let i = 0; i < warmCount; i++) {
  const q = QUERIES[i % QUERIES.length]
  t = performance.now()
  library.match(q, { maxResults: 10 })
  warmMs.push(performance.now() - t)
}

// Let a parse store write what this process parsed (as the CLI does on exit).
if (typeof options.parseStore?.flush === 'function') await options.parseStore.flush()
// And the library index be encoded (in the next turn of the event loop) and written, so that
// peakRssMb covers the whole run, as a CLI process that ends normally does it.
await new Promise((resolve) => setImmediate(resolve))
if (typeof options.indexStore?.flush === 'function') await options.indexStore.flush()

console.log(
  JSON.stringify({
    importMs,
    loadMs,
    firstMatchMs,
    matchWarmMs,
    answeredMs,
    documents: library.entries.length,
    results: first.length,
    top: first[0]?.uri ?? null,
    warm: warmMs.length ? p50p99(warmMs) : null,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
)
