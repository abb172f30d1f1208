/**
 * Provenance (issue 16): `assembly.sourceMap` and `formatSourceMap`, on fixtures whose
 * sources are known line by line; `promptfold assemble --explain`.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assemble, explainParts, fileSystemResolver, formatSourceMap, loadLibrary, parseDocument } from '../../src/index.js'
import { repoRoot } from '../helpers/fixtures.js'

const SKILLS = join(repoRoot, 'fixtures/skill-refs')

describe('assembly.sourceMap', () => {
  it('maps a skill with appended files: body, section headings, shifted headings, a fenced script', async () => {
    const library = await loadLibrary({ root: SKILLS })
    const doc = library.document('forms')
    if (!doc) throw new Error('fixture')
    const { text, sourceMap } = await assemble(doc, { resolver: library, budget: 10_000 })
    expect(formatSourceMap(text, sourceMap)).toBe(
      [
        'Where the prompt came from',
        '  lines 1-29   forms/SKILL.md:6-34',
        '  lines 30-32  promptfold: section heading for forms/reference/guide.md',
        '  lines 33-41  forms/reference/guide.md:1-9 (headings shifted)',
        '  lines 42-44  promptfold: section heading for forms/FORMS.md',
        '  lines 45-51  forms/FORMS.md:1-7 (headings shifted)',
        '  lines 52-54  promptfold: section heading for forms/scripts/fill.py',
        '  line 55      promptfold: fence (forms/scripts/fill.py)',
        '  lines 56-68  forms/scripts/fill.py:1-13',
        '  line 69      promptfold: fence (forms/scripts/fill.py)',
        '',
      ].join('\n'),
    )
    // Copied spans are the files' own text, at the positions given.
    for (const span of sourceMap.spans.filter((s) => s.kind === 'source')) {
      const file = readFileSync(join(SKILLS, span.path ?? ''), 'utf8')
      expect(file.slice(span.from?.offset, span.to?.offset)).toBe(text.slice(span.start, span.end))
    }
    // A rewritten heading stands for the heading it shifted: `#` became `###`.
    const first = sourceMap.spans.find((s) => s.kind === 'rewritten')
    expect([text.slice(first?.start, first?.end), first?.path, first?.from?.line, first?.from?.column, first?.to?.column]).toEqual(['###', 'forms/reference/guide.md', 1, 1, 2])
  })

  it('names pointers by the reference they stand for, and is no own enumerable property', async () => {
    const source = readFileSync(join(repoRoot, 'fixtures/resources/agents/mlops-specialist.md'), 'utf8')
    const doc = parseDocument(source, { path: 'agents/mlops-specialist.md' })
    const assembly = await assemble(doc, { budget: 3000, resolver: fileSystemResolver({ root: join(repoRoot, 'fixtures/resources') }) })
    const pointers = explainParts(assembly.text, assembly.sourceMap).filter((p) => p.generated === 'pointer')
    const deferred = assembly.report.references.filter((r) => r.decision === 'deferred' && r.kind === 'slot').map((r) => r.uri)
    expect(pointers.map((p) => p.reference)).toEqual(deferred)
    for (const p of pointers) expect(assembly.text.split('\n')[p.fromLine - 1]?.startsWith('→ Load on demand:')).toBe(true)
    expect(Object.keys(assembly)).toEqual(['text', 'report'])
    expect(JSON.parse(JSON.stringify(assembly))).not.toHaveProperty('sourceMap')
    expect(assembly.sourceMap).toBe(assembly.sourceMap)
  })
})

describe('promptfold assemble --explain', () => {
  const cli = join(repoRoot, 'dist/cli.js')
  it('prints the explanation on stderr after the report (alone with --quiet), and sourceMap in --json', () => {
    const args = [cli, 'assemble', join(SKILLS, 'forms/SKILL.md'), '--budget', '400', '--explain', '--no-cache']
    const quiet = spawnSync(process.execPath, [...args, '--quiet'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
    expect(quiet.status).toBe(0)
    expect(quiet.stderr).toBe(
      [
        'Where the prompt came from',
        '  lines 1-29   SKILL.md:6-34',
        '  lines 30-32  promptfold: section heading for reference/guide.md',
        '  lines 33-41  reference/guide.md:1-9 (headings shifted)',
        '  lines 42-44  promptfold: section heading for FORMS.md',
        '  lines 45-51  FORMS.md:1-7 (headings shifted)',
        '',
      ].join('\n'),
    )
    const full = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
    expect(full.stderr.startsWith('promptfold report: skill://forms\n')).toBe(true)
    expect(full.stderr.endsWith(quiet.stderr)).toBe(true)
    const json = JSON.parse(spawnSync(process.execPath, [...args, '--json'], { encoding: 'utf8' }).stdout)
    expect(Object.keys(json)).toEqual(['text', 'report', 'sourceMap'])
    expect(json.sourceMap.length).toBe(json.text.length)
  })
})
