/**
 * The published declarations (dist/*.d.ts, dist/*.d.cts) compile in a consumer project with
 * `skipLibCheck: false` (tsc's default) and `strict: true`, under NodeNext (ES module and
 * CommonJS) and Bundler resolution, and read as the hand-written types. Runs against the
 * BUILT package (`npm run build` first; `npm test` does). scripts/package-check.sh does the
 * same against the packed tarball installed from the registry.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { builtRoot, repoRoot } from '../cli/run.js'

// Inside the copy of the built package: `import 'promptfold'` is a package self-reference,
// and its dependencies resolve through the copy's node_modules link.
const work = mkdtempSync(join(builtRoot, 'types-consumer-'))

const files: Record<string, string> = {
  'uses.ts': `import {
  type AssemblyReport,
  assemblyReportSchema,
  DIAGNOSTIC_CODES,
  type Diagnostic,
  type DiagnosticCode,
  type Frontmatter,
  frontmatterSchema,
  type ReferenceCause,
  type ReferenceReport,
} from 'promptfold'

export function summary(report: AssemblyReport, meta: Frontmatter): string {
  const rows: ReferenceReport[] = report.references
  const causes: ReferenceCause[] = rows.map((r) => r.cause)
  const diagnostics: Diagnostic[] = report.diagnostics
  const codes: DiagnosticCode[] = diagnostics.map((d) => d.code)
  const id: string | undefined = meta.id
  const tags: string[] = meta.tags
  const again: AssemblyReport = assemblyReportSchema.parse(report)
  const parsed: Frontmatter = frontmatterSchema.parse({ id: 'x' })
  return [report.totalTokens, report.savings.percent, report.timings.totalMs, causes, codes, id, tags, again.version, parsed.useWhen, DIAGNOSTIC_CODES.length].join(' ')
}
`,
  'core.mts': `import { assemble, parseDocument } from 'promptfold'
import { summary } from './uses.js'
const { report } = await assemble(parseDocument('# Agent\\n'), { budget: 100 })
console.log(summary(report, parseDocument('---\\nid: a\\n---\\n# A\\n').meta))
`,
  'mcp.mts': `import { loadLibrary } from 'promptfold'
import { createServer, RESOURCE_NOT_FOUND, serve } from 'promptfold/mcp'
const server = createServer(await loadLibrary({ root: '.' }), { defaultBudget: 1000 })
console.log(typeof server.connect, typeof serve, RESOURCE_NOT_FOUND)
`,
  'require.cts': `import { assemble, parseDocument } from 'promptfold'
import { createServer } from 'promptfold/mcp'
export const causes = assemble(parseDocument('# Agent\\n'), { budget: 100 }).then(({ report }) => report.references.map((r) => r.cause))
export const make = createServer
`,
}
for (const [name, text] of Object.entries(files)) writeFileSync(join(work, name), text)

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

  it('declare the hand-written types, not zod internals or builder functions', () => {
    const dts = readFileSync(join(builtRoot, 'dist/index.d.ts'), 'utf8')
    expect(dts).toMatch(/^interface AssemblyReport \{$/m)
    expect(dts).toMatch(/^interface ReferenceReport \{$/m)
    expect(dts).toMatch(/^declare const assemblyReportSchema: AssemblyReportSchema;$/m)
    expect(dts).not.toMatch(/declare function build/)
    expect(dts).not.toMatch(/z\.core\.\$ZodTypeInternals|z\.ZodPipe|z\.ZodPreprocess/)
  })
})
