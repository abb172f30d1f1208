/**
 * Conformance over the shared orchestr8 corpus (read in place from ../shared; run by
 * `npm run test:conformance`, a separate step of .ci/run).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { parseDocument } from '../../src/parse/document.js'
import { findUris } from '../../src/parse/uri.js'
import { fileSystemResolver } from '../../src/resolve/fs.js'
import { repoRoot } from '../helpers/fixtures.js'
import { tiktokenCount } from '../helpers/oracle.js'

const corpus = resolve(repoRoot, '..', 'shared', 'corpus', 'orchestr8')
const roots = [join(corpus, 'resources'), join(corpus, 'legacy-at-syntax', 'resources')]

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name)
      return statSync(p).isDirectory() ? walk(p) : name.endsWith('.md') ? [p] : []
    })
}

const files = roots.flatMap((root) => walk(root).map((file) => ({ root, file, path: relative(root, file) })))

/**
 * An independent reading of the same files: every URI occurrence with its line, and
 * whether a line-based fence scanner puts it inside a fence of a programming language.
 */
function rawOccurrences(source: string): { line: number; uri: string; code: boolean; bareInProse: boolean }[] {
  const out: { line: number; uri: string; code: boolean; bareInProse: boolean }[] = []
  let fence: { marker: string; lang: string } | undefined
  source.split('\n').forEach((text, i) => {
    const m = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/.exec(text)
    if (m && (!fence || (m[1]?.[0] === fence.marker[0] && (m[1]?.length ?? 0) >= fence.marker.length && (m[2] ?? '') === ''))) {
      fence = fence ? undefined : { marker: m[1] ?? '```', lang: (m[2] ?? '').toLowerCase() }
      return
    }
    for (const u of findUris(text)) {
      // A bare scheme (`orchestr8://` and nothing after it) in running text names no document.
      const bareInProse = /^@?[a-z][a-z0-9+.-]*:\/\/\/*$/i.test(u.raw) && text.trim() !== u.raw
      out.push({ line: i + 1, uri: u.raw.replace(/^@/, ''), code: fence !== undefined && !['', 'markdown', 'md', 'text', 'txt'].includes(fence.lang), bareInProse })
    }
  })
  return out
}

describe.skipIf(!existsSync(corpus))('conformance: shared orchestr8 corpus', () => {
  it('holds the 51 documents PROVENANCE.md describes', () => {
    expect(files.length).toBe(51)
  })

  it.each(files.map((f) => [f.path, f] as const))('%s parses, and its references are exactly the non-code URIs in the file', (_path, f) => {
    const source = readFileSync(f.file, 'utf8')
    const doc = parseDocument(source, { path: f.path })
    expect(doc.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    const expected = rawOccurrences(source)
      .filter((o) => !o.code && !o.bareInProse)
      .map((o) => `${o.line} ${o.uri}`)
    const got = doc.references.filter((r) => r.raw.includes('://')).map((r) => `${r.position.line} ${r.raw.replace(/^@/, '')}`)
    expect(got.sort()).toEqual(expected.sort())
  })

  it('records the facts PROVENANCE.md lists', () => {
    const parse = (root: number, path: string) => parseDocument(readFileSync(join(roots[root] ?? '', path), 'utf8'), { path })
    const mlops = parse(0, 'agents/mlops-specialist.md')
    expect(mlops.references.filter((r) => r.kind === 'slot').length).toBe(4)
    expect(mlops.references.filter((r) => r.kind === 'mention').map((r) => r.hintTokens)).toEqual([220, 280, 250, 300])
    expect(parse(0, 'guides/mcp-resource-loading.md').diagnostics.map((d) => d.code)).toContain('FRONTMATTER_MISSING')
    expect(parse(0, 'patterns/self-improvement-loop.md').diagnostics.map((d) => d.code)).toContain('ID_MISMATCH')
    const wf = parse(0, 'workflows/workflow-new-project.md')
    expect(wf.meta.category).toBe('pattern')
    expect(wf.references.some((r) => r.parsed.match?.query.includes('${tech-stack}'))).toBe(true)
    const legacy = parse(1, 'examples/ml/mlops-model-serving.md')
    expect(legacy.diagnostics.map((d) => d.code)).toContain('FRONTMATTER_LEGACY_AT')
    expect(legacy.references.filter((r) => r.kind === 'related').map((r) => r.uri)).toEqual([
      'orchestr8://agents/mlops-specialist',
      'orchestr8://skills/kubernetes-deployment-patterns',
    ])
  })

  const agents = files.filter((f) => f.path.startsWith('agents/') || f.path.startsWith('workflows/'))
  it.each(agents.map((f) => [`${f.root.includes('legacy') ? 'legacy ' : ''}${f.path}`, f] as const))(
    'assembling %s keeps every invariant at several budgets',
    async (_name, f) => {
      const doc = parseDocument(readFileSync(f.file, 'utf8'), { path: f.path })
      const resolver = fileSystemResolver({ root: f.root })
      const all = await assemble(doc, { resolver })
      const core = all.report.coreTokens
      const span = all.report.baselines.traditional - core
      expect(tiktokenCount(all.text)).toBe(all.report.totalTokens)
      let prefix: string | undefined
      for (const k of [0, 0.1, 0.33, 0.5, 0.9, 1]) {
        const budget = core + Math.floor(span * k)
        for (const strategy of ['greedy', 'optimal'] as const) {
          const a = await assemble(doc, { resolver, budget, strategy })
          expect(a.report.totalTokens).toBeLessThanOrEqual(budget)
          expect(tiktokenCount(a.text)).toBe(a.report.totalTokens)
          const b = await assemble(doc, { resolver, budget, strategy })
          expect(b.text).toBe(a.text)
          const first = doc.blocks[0]?.start ?? doc.source.length
          const p = a.text.slice(0, Math.max(0, first - doc.bodyOffset - 8))
          prefix ??= p
          expect(a.text.startsWith(prefix.slice(0, Math.min(prefix.length, p.length)))).toBe(true)
          // Every reference has exactly one decision.
          for (const r of a.report.references) expect(['inlined', 'deferred', 'missing', 'cycle', 'duplicate', 'excluded', 'invalid']).toContain(r.decision)
        }
      }
    },
  )
})
