/**
 * The published declarations (dist/*.d.ts, dist/*.d.cts) compile in a consumer project with
 * `skipLibCheck: false` (tsc's default) and `strict: true`, under NodeNext (ES module and
 * CommonJS) and Bundler resolution, and read as the hand-written types. Runs against the
 * BUILT package (`npm run build` first; `npm test` does). scripts/package-check.sh does the
 * same against the packed tarball installed from the registry.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { builtRoot, repoRoot } from '../cli/run.js'

// Inside the copy of the built package: `import 'promptfold'` is a package self-reference,
// and its dependencies resolve through the copy's node_modules link.
const work = mkdtempSync(join(builtRoot, 'types-consumer-'))

// The consumer's files, shared with scripts/package-check.sh (which checks the packed tarball).
cpSync(join(repoRoot, 'test/types/consumer'), work, { recursive: true })


/** Type-check `names` in the consumer; tsc's output, paths made relative. */
function tsc(config: string, compilerOptions: Record<string, unknown>, names: string[]): string {
  writeFileSync(
    join(work, `${config}.json`),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', types: ['node'], typeRoots: [join(repoRoot, 'node_modules/@types')], strict: true, skipLibCheck: false, noEmit: true, ...compilerOptions },
      files: names,
    }),
  )
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(work, `${config}.json`)], { cwd: work, encoding: 'utf8' })
  return (r.stdout + r.stderr).replaceAll(`${builtRoot}/`, '')
}

describe('published declarations, skipLibCheck: false', () => {
  it('compile for a Node consumer: ES module and CommonJS, both entry points (NodeNext, lib with DOM)', () => {
    expect(tsc('nodenext', { module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023', 'DOM'] }, ['core.mts', 'mcp.mts', 'require.cts'])).toBe('')
  }, 240_000)

  it('compile for a bundler consumer, and need nothing from DOM (Bundler, lib ES2023 only)', () => {
    expect(tsc('bundler', { module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2023'] }, ['core.mts'])).toBe('')
  }, 240_000)

  it('compile for a browser consumer without @types/node: the portable core (Bundler, browser condition, lib ES2023 + DOM)', () => {
    const out = tsc('browser', { module: 'ESNext', moduleResolution: 'Bundler', customConditions: ['browser'], lib: ['ES2023', 'DOM'], types: [] }, ['browser.mts'])
    expect(out).toBe('')
    // The same consumer against the Node build's declarations names loadLibrary; the core's do not have it.
    writeFileSync(join(work, 'browser-node-only.mts'), "import { loadLibrary } from 'promptfold'\nexport const l = loadLibrary\n")
    expect(tsc('browser-node-only', { module: 'ESNext', moduleResolution: 'Bundler', customConditions: ['browser'], lib: ['ES2023', 'DOM'], types: [] }, ['browser-node-only.mts'])).toMatch(/has no exported member 'loadLibrary'/)
  }, 240_000)

  it('declare the hand-written types, not zod internals or builder functions', () => {
    // index.d.ts re-exports what the entries share from chunks (dist/<chunk>-<hash>.d.ts, since
    // promptfold/testing is an entry too): read them all.
    const dts = readdirSync(join(builtRoot, 'dist'))
      .filter((f) => f.endsWith('.d.ts'))
      .map((f) => readFileSync(join(builtRoot, 'dist', f), 'utf8'))
      .join('\n')
    expect(dts).toMatch(/^interface AssemblyReport \{$/m)
    expect(dts).toMatch(/^interface ReferenceReport \{$/m)
    expect(dts).toMatch(/^declare const assemblyReportSchema: AssemblyReportSchema;$/m)
    expect(dts).not.toMatch(/declare function build/)
    expect(dts).not.toMatch(/z\.core\.\$ZodTypeInternals|z\.ZodPipe|z\.ZodPreprocess/)
  })
})
