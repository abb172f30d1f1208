// Child process (bench/orchestr8.mjs): orchestr8's own resource loader and matcher, cold,
// in a fresh process. Run as
//   node --import <ORCHESTR8_DIR>/node_modules/tsx/dist/loader.mjs o8-library.mjs <ORCHESTR8_DIR> <root> <query> [--warm=N]
// (orchestr8's sources through its own tsx: its built bundle starts the server when
// imported, so the loader is imported from src/). Prints one JSON line:
//   importMs        importing ResourceLoader (tsx compiles TypeScript here: not comparable)
//   loadMs          new ResourceLoader + loadResourceIndex(): reads every .md file, gray-matter,
//                   tags / capabilities / useWhen (its loader)
//   firstMatchMs    the first FuzzyMatcher.match({ query, mode: 'catalog', maxResults: 10 })
//                   (its matcher: scores every fragment, sorts, renders the top 10 as a catalog;
//                   the closest to promptfold's library.match(query, { maxResults: 10 }))
//   matchWarmMs     the same query again (warm)
//   warm            with --warm=N: N warm matches (../queries.mjs in turn), { p50, p99, n } in ms
//   answeredMs      process start -> first match answered (performance.now())
//   documents       fragments loaded
//   peakRssMb       process.resourceUsage().maxRSS
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { p50p99, QUERIES } from '../queries.mjs'

const [dir, root, query, ...flags] = process.argv.slice(2)
const warmCount = Number(flags.find((f) => f.startsWith('--warm='))?.slice(7) ?? 0)
process.env.RESOURCES_PATH = root
process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'error'

let t = performance.now()
const { ResourceLoader } = await import(pathToFileURL(path.join(dir, 'src/loaders/resourceLoader.ts')).href)
const { Logger } = await import(pathToFileURL(path.join(dir, 'src/utils/logger.ts')).href)
const importMs = performance.now() - t

t = performance.now()
const loader = new ResourceLoader(new Logger('bench'))
const fragments = await loader.loadResourceIndex()
const loadMs = performance.now() - t

const request = { query, mode: 'catalog', maxResults: 10 }
t = performance.now()
const first = await loader.fuzzyMatcher.match(request)
const firstMatchMs = performance.now() - t
const answeredMs = performance.now()

t = performance.now()
await loader.fuzzyMatcher.match(request)
const matchWarmMs = performance.now() - t

const warmMs = []
for (let i = 0; i < warmCount; i++) {
  const q = QUERIES[i % QUERIES.length]
  t = performance.now()
  await loader.fuzzyMatcher.match({ query: q, mode: 'catalog', maxResults: 10 })
  warmMs.push(performance.now() - t)
}

console.log(
  JSON.stringify({
    importMs,
    loadMs,
    firstMatchMs,
    matchWarmMs,
    answeredMs,
    documents: fragments.length,
    selected: first.fragments.length,
    tokens: first.totalTokens,
    warm: warmMs.length ? p50p99(warmMs) : null,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
)
