/**
 * The built package: the counting stage bundled by tsup as ESM and CJS loads no
 * rank data at import, loads it synchronously on the first count in both
 * formats, and shares one counter per encoding across the two builds. With the
 * rank files the build writes next to the bundles (dist/ranks), the first
 * count reads them instead of js-tiktoken's rank modules; a damaged one is
 * passed over.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'tsup'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeRankFiles } from '../../scripts/pack-ranks.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
// Inside node_modules so that the bundles resolve js-tiktoken like dist/ does.
const outDir = path.join(root, 'node_modules/.cache/promptfold-count-build-test')

/** Runs a script with plain Node in `outDir` and parses the JSON it prints. */
function run(file: string, source: string): Record<string, unknown> {
  const script = path.join(outDir, file)
  writeFileSync(script, source)
  return JSON.parse(execFileSync(process.execPath, [script], { cwd: outDir, encoding: 'utf8' })) as Record<string, unknown>
}

const LOADED = `Object.keys(require.cache).filter((k) => k.includes('js-tiktoken')).map((k) => path.basename(k))`

describe('tsup build of src/count', () => {
  beforeAll(async () => {
    rmSync(outDir, { recursive: true, force: true })
    mkdirSync(outDir, { recursive: true })
    await build({
      entry: { index: path.join(root, 'src/count/index.ts') },
      format: ['esm', 'cjs'],
      outDir,
      target: 'node20',
      platform: 'node',
      dts: false,
      config: false,
      silent: true,
    })
  }, 60_000)

  afterAll(() => rmSync(outDir, { recursive: true, force: true }))

  it('works from CommonJS, loading ranks only on the first count', () => {
    const result = run(
      'check.cjs',
      `const path = require('node:path')
const { createTokenCounter, encodingForModel } = require('./index.cjs')
const atImport = ${LOADED}
const counter = createTokenCounter({ model: 'gpt-4o' })
const beforeCount = ${LOADED}
const count = counter.count('Hello, world! <|endoftext|>')
console.log(JSON.stringify({ atImport, beforeCount, count, afterCount: ${LOADED}, cl: encodingForModel('gpt-4') }))
`,
    )
    expect(result).toEqual({
      atImport: [],
      beforeCount: [],
      count: 11,
      afterCount: ['o200k_base.cjs'],
      cl: 'cl100k_base',
    })
  })

  it('works from an ES module and shares counters with the CJS build', () => {
    const result = run(
      'check.mjs',
      `import { createRequire } from 'node:module'
import path from 'node:path'
import { createTokenCounter } from './index.js'
const require = createRequire(import.meta.url)
const atImport = ${LOADED}
const counter = createTokenCounter({ encoding: 'cl100k_base' })
const count = counter.count('Hello, world! <|endoftext|>')
const afterCount = ${LOADED}
const shared = require('./index.cjs').createTokenCounter({ encoding: 'cl100k_base' }) === counter
console.log(JSON.stringify({ atImport, count, afterCount, shared }))
`,
    )
    expect(result).toEqual({ atImport: [], count: 10, afterCount: ['cl100k_base.cjs'], shared: true })
  })

  it("reads the rank files next to the bundles, not js-tiktoken's rank modules, and passes over a damaged one", () => {
    const written = writeRankFiles(outDir).map((f) => path.relative(outDir, f))
    try {
      expect(written).toEqual([path.join('ranks', 'o200k_base.bin'), path.join('ranks', 'cl100k_base.bin')])
      const check = `const counts = ['o200k_base', 'cl100k_base'].map((encoding) => createTokenCounter({ encoding }).count('Hello, world! <|endoftext|>'))
console.log(JSON.stringify({ counts, loaded: ${LOADED} }))
`
      const esm = `import { createRequire } from 'node:module'
import path from 'node:path'
import { createTokenCounter } from './index.js'
const require = createRequire(import.meta.url)
${check}`
      const cjs = `const path = require('node:path')
const { createTokenCounter } = require('./index.cjs')
${check}`
      expect(run('files.mjs', esm)).toEqual({ counts: [11, 10], loaded: [] })
      expect(run('files.cjs', cjs)).toEqual({ counts: [11, 10], loaded: [] })
      // Another encoding's file under o200k_base's name, then a truncated one: js-tiktoken's data instead.
      writeFileSync(path.join(outDir, 'ranks/o200k_base.bin'), readFileSync(path.join(outDir, 'ranks/cl100k_base.bin')))
      expect(run('wrong.mjs', esm)).toEqual({ counts: [11, 10], loaded: ['o200k_base.cjs'] })
      writeFileSync(path.join(outDir, 'ranks/o200k_base.bin'), readFileSync(path.join(outDir, 'ranks/cl100k_base.bin')).subarray(0, 1000))
      expect(run('short.cjs', cjs)).toEqual({ counts: [11, 10], loaded: ['o200k_base.cjs'] })
    } finally {
      rmSync(path.join(outDir, 'ranks'), { recursive: true, force: true })
    }
  })
})
