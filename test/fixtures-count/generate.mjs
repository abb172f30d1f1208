// Regenerates long-pieces.json: js-tiktoken 1.0.21's token counts for LONG_CASES.
//
//   node test/fixtures-count/generate.mjs
//
// js-tiktoken's merge is quadratic, so this takes a long time (about 20 minutes for
// 'a'.repeat(100_000) alone); the two encodings run in parallel worker threads.
// The tests only read the JSON, and check each input's sha256 against it.
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { LONG_CASES } from './generators.mjs'

const require = createRequire(import.meta.url)
const ENCODINGS = ['o200k_base', 'cl100k_base']

if (isMainThread) {
  const started = Date.now()
  const results = await Promise.all(
    ENCODINGS.map(
      (encoding) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { encoding } })
          worker.on('message', (msg) => {
            if (msg.progress) console.error(msg.progress)
            else resolve(msg)
          })
          worker.on('error', reject)
        }),
    ),
  )
  const cases = LONG_CASES.map(({ name, recipe, make }) => {
    const text = make()
    const entry = {
      name,
      recipe,
      length: text.length,
      utf8Bytes: Buffer.byteLength(text, 'utf8'),
      sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
      counts: {},
      jsTiktokenMs: {},
    }
    for (const r of results) {
      entry.counts[r.encoding] = r.counts[name]
      entry.jsTiktokenMs[r.encoding] = r.ms[name]
    }
    return entry
  })
  const out = {
    generatedBy: 'node test/fixtures-count/generate.mjs',
    reference: `js-tiktoken ${require('js-tiktoken/package.json').version}: new Tiktoken(ranks).encode(text, [], []).length`,
    node: process.version,
    generators: 'test/fixtures-count/generators.mjs',
    cases,
  }
  writeFileSync(new URL('./long-pieces.json', import.meta.url), JSON.stringify(out, null, 2) + '\n')
  console.error(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`)
} else {
  const { encoding } = workerData
  const { Tiktoken } = require('js-tiktoken/lite')
  const enc = new Tiktoken(require(`js-tiktoken/ranks/${encoding}`))
  const counts = {}
  const ms = {}
  // Cheapest first, so progress shows early.
  const order = [...LONG_CASES].sort((a, b) => (a.name === 'a-x-100000') - (b.name === 'a-x-100000'))
  for (const { name, make } of order) {
    const text = make()
    const t0 = performance.now()
    counts[name] = enc.encode(text, [], []).length
    ms[name] = Math.round(performance.now() - t0)
    parentPort.postMessage({ progress: `${encoding} ${name}: ${counts[name]} tokens in ${ms[name]} ms` })
  }
  parentPort.postMessage({ encoding, counts, ms })
}
