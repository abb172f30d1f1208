/**
 * The built package from a consumer's side: `require` (also on Node 20 releases
 * that cannot require ES modules) and `import` give the same library.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { builtRoot, resources } from './run.js'

const script = (load: string) => `
${load}
const fs = require('node:fs')
;(async () => {
  const { parseDocument, assemble, fileSystemResolver, BudgetExceededError } = lib
  const doc = parseDocument(fs.readFileSync(${JSON.stringify(join(resources, 'agents/mlops-specialist.md'))}, 'utf8'), { path: 'agents/mlops-specialist.md' })
  const { text, report } = await assemble(doc, { budget: 3000, resolver: fileSystemResolver({ root: ${JSON.stringify(resources)} }) })
  let code = ''
  try { await assemble(doc, { budget: 10 }) } catch (e) { code = e instanceof BudgetExceededError ? e.code : 'wrong class' }
  process.stdout.write(JSON.stringify({ length: text.length, total: report.totalTokens, code, exports: Object.keys(lib).sort() }))
})()
`

const scratch = mkdtempSync(join(builtRoot, 'consumer-'))
let n = 0

/** Run `source` as a CommonJS file next to the built package (scripts in files, not `-e`: see the bug test below). */
function node(args: string[], source: string) {
  const file = join(scratch, `script-${n++}.cjs`)
  writeFileSync(file, source.replaceAll("'./dist/", "'../dist/"))
  const r = spawnSync(process.execPath, [...args, file], { cwd: builtRoot, encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('the built package', () => {
  const esm = node([], script(`let lib; const load = import('./dist/index.js').then((m) => { lib = m });`).replace(';(async () => {', ';(async () => { await load;'))
  it('import works (ESM build)', () => {
    expect(esm.stderr).toBe('')
    expect(esm.status).toBe(0)
    expect(JSON.parse(esm.stdout)).toMatchObject({ code: 'BUDGET_EXCEEDED' })
  })

  it('require works and gives the same exports and the same assembly', () => {
    const cjs = node([], script(`const lib = require('./dist/index.cjs')`))
    expect(cjs.stderr).toBe('')
    expect(cjs.status).toBe(0)
    expect(JSON.parse(cjs.stdout)).toEqual(JSON.parse(esm.stdout))
  })

  it('require works without require(esm), as on Node 20 before 20.19: the ESM-only dependencies are bundled in the CJS build', () => {
    const old = node(['--no-experimental-require-module'], script(`const lib = require('./dist/index.cjs')`))
    expect(old.stderr).toBe('')
    expect(old.status).toBe(0)
    expect(JSON.parse(old.stdout)).toEqual(JSON.parse(esm.stdout))
  })
})

describe('import cost: nothing heavy at import time', () => {
  // What each build loads: ES modules through a resolve hook, CommonJS through require.cache.
  const heavy = /node_modules\/(zod|gray-matter|js-yaml|unified|remark-parse|micromark[^/]*|mdast-util-from-markdown|js-tiktoken)\/|markdown-engine\.cjs/
  const probe = (load: string) => `
const { createRequire } = require('node:module')
const loaded = () => Object.keys(createRequire(__filename).cache).filter((k) => ${heavy}.test(k)).map((k) => (k.endsWith('markdown-engine.cjs') ? 'markdown-engine.cjs' : k.split('node_modules/').pop().split('/')[0]))
;(async () => {
  ${load}
  const atImport = loaded()
  const doc = lib.parseDocument('---\\nid: a\\ntags: [x, y]\\n---\\n# A\\n\\n\`\`\`\\norchestr8://examples/b\\n\`\`\`\\n')
  const afterParse = [...new Set(loaded())].sort()
  const folded = lib.parseDocument('---\\nid: b\\ndescription: >-\\n  folded\\n  text\\nestimatedTokens: 1.5\\n---\\n# B\\n')
  const afterYaml = [...new Set(loaded())].sort()
  const odd = lib.parseDocument('---\\nid: c\\nestimatedTokens: .nan\\n---\\n# C\\n')
  const afterZod = [...new Set(loaded())].sort()
  process.stdout.write(JSON.stringify({ atImport, afterParse, id: doc.meta.id, tags: doc.meta.tags, slots: doc.references.length, afterYaml, description: folded.meta.description, codes: folded.diagnostics.map((d) => d.code), afterZod, oddCodes: odd.diagnostics.map((d) => d.code) }))
})()
`
  const resolveHook = join(scratch, 'hooks.mjs')
  writeFileSync(resolveHook, 'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(`RESOLVE ${r.url}\\n`); return r }\n')
  const register = join(scratch, 'register.mjs')
  writeFileSync(register, `import { register } from 'node:module'\nregister(${JSON.stringify(`file://${resolveHook}`)})\n`)
  // Plain frontmatter is read without gray-matter's YAML engine and zod (src/parse/plain-yaml.ts): the engine loads for the
  // first frontmatter that is not plain YAML (a folded scalar); a field of the wrong type is explained without zod
  // (safeParsePlainFrontmatter: a fractional estimate), zod loads for the first field of a kind it leaves to zod (NaN).
  const expected = {
    atImport: [],
    afterParse: ['markdown-engine.cjs'],
    id: 'a',
    tags: ['x', 'y'],
    slots: 1,
    afterYaml: ['gray-matter', 'js-yaml', 'markdown-engine.cjs'],
    description: 'folded text',
    codes: ['FRONTMATTER_INVALID_FIELD'],
    afterZod: ['gray-matter', 'js-yaml', 'markdown-engine.cjs', 'zod'],
    oddCodes: ['FRONTMATTER_INVALID_FIELD'],
  }

  it('import (ESM) resolves no dependency at all; the first parse loads the bundled markdown engine, the first frontmatter that is not plain gray-matter (js-yaml), the first field zod must explain zod', () => {
    const r = node(['--import', register], probe(`const lib = await import('./dist/index.js')`))
    expect(r.status).toBe(0)
    const resolved = r.stderr.split('\n').filter((l) => l.startsWith('RESOLVE '))
    expect(resolved.length).toBeGreaterThan(0)
    expect(resolved.filter((l) => l.includes('node_modules'))).toEqual([])
    expect(r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('RESOLVE '))).toEqual([])
    expect(JSON.parse(r.stdout)).toEqual(expected)
  })

  it('require (CJS) loads nothing heavy either, and parses the same way', () => {
    const r = node([], probe(`const lib = require('./dist/index.cjs')`))
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual(expected)
  })

  it('both builds parse without require(esm), as on Node 20 before 20.19 (the markdown engine is CommonJS)', () => {
    for (const load of [`const lib = await import('./dist/index.js')`, `const lib = require('./dist/index.cjs')`]) {
      const r = node(['--no-experimental-require-module'], probe(load))
      expect(r.stderr).toBe('')
      expect(JSON.parse(r.stdout)).toEqual(expected)
    }
  })
})

describe('library bugs found from the CLI side (fixed; kept as regression tests)', () => {
  // src/count/encodings.ts localRequire() tests `typeof __filename === 'string'` to tell the
  // CJS build from the ESM one. Under `node -e` / `node -p` (and any host that defines a global
  // __filename) the ESM build sees the global '[eval]' and calls createRequire('[eval]'), so the
  // first count throws ERR_INVALID_ARG_VALUE. Fix: prefer import.meta.url when it is set.
  it('the ESM build counts tokens when a global __filename exists (node -e)', () => {
    const r = spawnSync(process.execPath, ['-e', "import('./dist/index.js').then((m) => process.stdout.write(String(m.createTokenCounter().count('hello world'))))"], {
      cwd: builtRoot,
      encoding: 'utf8',
    })
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('2')
  })
})
