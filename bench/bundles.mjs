// Bundle sizes (issue 15): fixtures/bundle-consumer bundled by esbuild with --minify, as a
// consumer's bundler would (node_modules/promptfold is a link to this package), for Node, for
// browsers (code splitting: each encoding's rank data in a chunk of its own) and for workerd,
// with and without js-tiktoken's rank modules. Prints raw and gzip sizes per output file.
// Usage: npm run build && node bench/bundles.mjs
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { ROOT } from './lib/paths.mjs'

const work = mkdtempSync(path.join(tmpdir(), 'promptfold-bundles-'))
const consumer = path.join(work, 'consumer')
cpSync(path.join(ROOT, 'fixtures/bundle-consumer'), consumer, { recursive: true })
writeFileSync(path.join(consumer, 'package.json'), '{ "private": true, "type": "module" }\n')
mkdirSync(path.join(consumer, 'node_modules'))
symlinkSync(ROOT, path.join(consumer, 'node_modules/promptfold'), 'dir')

const kib = (n) => `${Math.round(n / 1024).toLocaleString('en-US')} KiB`
const rows = []
async function measure(label, entry, options) {
  const result = await build({ entryPoints: [path.join(consumer, entry)], bundle: true, format: 'esm', minify: true, metafile: true, logLevel: 'silent', absWorkingDir: consumer, ...options })
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (!/\.m?js$/.test(file)) continue
    const bytes = readFileSync(path.join(consumer, file))
    const ranks = [...new Set(Object.keys(output.inputs).flatMap((p) => /ranks\/(o200k_base|cl100k_base)/.exec(p)?.[1] ?? []))].sort().join(' + ')
    rows.push([label, path.basename(file), ranks || 'code', kib(bytes.length), kib(gzipSync(bytes).length)])
  }
}
try {
  const out = (name) => path.join(work, 'out', name)
  const ranksExternal = ['js-tiktoken/ranks/*']
  const worker = { platform: 'browser', conditions: ['workerd', 'worker', 'browser'] }
  await measure('node, one file', 'node.js', { platform: 'node', outfile: out('node/app.mjs') })
  await measure('node, ranks left out', 'node.js', { platform: 'node', outfile: out('node-lean/app.mjs'), external: ranksExternal })
  await measure('browser, code splitting', 'browser.js', { platform: 'browser', splitting: true, outdir: out('browser') })
  await measure('workerd, one file', 'worker.js', { ...worker, outfile: out('worker/worker.js') })
  await measure('workerd, ranks left out', 'worker.js', { ...worker, outfile: out('worker-lean/worker.js'), external: ranksExternal })
  console.log('| bundle | file | holds | size | gzip |\n|---|---|---|---:|---:|')
  for (const r of rows) console.log(`| ${r.join(' | ')} |`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
