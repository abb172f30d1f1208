// Regenerates long-pieces.json: js-tiktoken's token counts for LONG_CASES
// (generators.mjs), as `new Tiktoken(ranks).encode(text, [], []).length`.
//
//   node test/fixtures-count/generate.mjs           # compute what is missing
//   node test/fixtures-count/generate.mjs --force   # recompute everything
//
// js-tiktoken's merge is quadratic, so this is slow: about 5 minutes for the CJK
// case and 20+ minutes for 'a'.repeat(100_000), per encoding. The two encodings run
// in parallel worker threads, and the JSON is rewritten after every result, so an
// interrupted run resumes: an entry is kept while its recipe and sha256 still match.
// The tests only read the JSON, and check each input's sha256 against it.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { LONG_CASES } from './generators.mjs'

const require = createRequire(import.meta.url)
const ENCODINGS = ['o200k_base', 'cl100k_base']
const OUT = new URL('./long-pieces.json', import.meta.url)

if (isMainThread) {
  // js-tiktoken does not export ./package.json; read it next to its main file.
  const pkg = path.join(path.dirname(require.resolve('js-tiktoken')), '..', 'package.json')
  const version = JSON.parse(readFileSync(pkg, 'utf8')).version
  const previous = existsSync(OUT) && !process.argv.includes('--force') ? JSON.parse(readFileSync(OUT, 'utf8')) : { cases: [] }

  const cases = LONG_CASES.map(({ name, recipe, make }) => {
    const text = make()
    const sha256 = createHash('sha256').update(text, 'utf8').digest('hex')
    const old = previous.cases.find((c) => c.name === name && c.recipe === recipe && c.sha256 === sha256)
    return {
      name,
      recipe,
      length: text.length,
      utf8Bytes: Buffer.byteLength(text, 'utf8'),
      sha256,
      counts: { ...old?.counts },
      jsTiktokenMs: { ...old?.jsTiktokenMs },
    }
  })

  const save = () => {
    const out = {
      generatedBy: 'node test/fixtures-count/generate.mjs',
      reference: `js-tiktoken ${version}: new Tiktoken(ranks).encode(text, [], []).length`,
      jsTiktokenMs: 'wall-clock ms of that call in a worker thread, both encodings in parallel; the machine may have been shared',
      node: process.version,
      generators: 'test/fixtures-count/generators.mjs',
      cases,
    }
    writeFileSync(OUT, JSON.stringify(out, null, 2) + '\n')
  }

  const started = Date.now()
  await Promise.all(
    ENCODINGS.map((encoding) => {
      const todo = cases.filter((c) => c.counts[encoding] === undefined).map((c) => c.name)
      if (todo.length === 0) return undefined
      return new Promise((resolve, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: { encoding, todo } })
        worker.on('message', ({ name, count, ms }) => {
          const entry = cases.find((c) => c.name === name)
          entry.counts[encoding] = count
          entry.jsTiktokenMs[encoding] = ms
          save()
          console.error(`${encoding} ${name}: ${count} tokens in ${ms} ms`)
        })
        worker.on('error', reject)
        worker.on('exit', resolve)
      })
    }),
  )
  save()
  console.error(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`)
} else {
  const { encoding, todo } = workerData
  const { Tiktoken } = require('js-tiktoken/lite')
  const enc = new Tiktoken(require(`js-tiktoken/ranks/${encoding}`))
  for (const { name, make } of LONG_CASES) {
    if (!todo.includes(name)) continue
    const text = make()
    const t0 = performance.now()
    const count = enc.encode(text, [], []).length
    parentPort.postMessage({ name, count, ms: Math.round(performance.now() - t0) })
  }
}
