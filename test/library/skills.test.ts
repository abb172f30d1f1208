/**
 * Skill libraries (issue 12): a folder holding SKILL.md is one entry of kind `skill` with
 * its files; relative references resolve to files, confined to their skill.
 */
import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AccessDeniedError, type Library, loadLibrary, PromptfoldError } from '../../src/index.js'

const ROOT = join(import.meta.dirname, '../../fixtures/skill-refs')
const scratch: string[] = []
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true })
})

/** Every file below a folder, relative, sorted, with its size and SHA-256 read here. */
function manifest(folder: string, skip: (rel: string) => boolean = () => false): Array<{ path: string; bytes: number; sha256: string }> {
  const out: Array<{ path: string; bytes: number; sha256: string }> = []
  const walk = (dir: string, rel: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const r = rel === '' ? d.name : `${rel}/${d.name}`
      if (d.isDirectory()) {
        if (!skip(r)) walk(join(dir, d.name), r)
      } else {
        const bytes = readFileSync(join(dir, d.name))
        out.push({ path: r, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') })
      }
    }
  }
  walk(folder, '')
  return out.sort((a, b) => (a.path < b.path ? -1 : 1))
}

describe('a skill library', async () => {
  const lib: Library = await loadLibrary({ root: ROOT })

  it('has one entry per skill folder (nested skills are their own), documents beside them', () => {
    expect(lib.entries.map((e) => [e.kind, e.uri, e.path, e.name ?? null, e.folder ?? null, e.aliases])).toEqual([
      ['skill', 'skill://forms', 'forms/SKILL.md', 'forms', 'forms', ['forms']],
      ['document', 'orchestr8://notes/plain', 'notes/plain.md', null, null, ['plain']],
      ['skill', 'skill://tables', 'tables/SKILL.md', 'tables', 'tables', ['tables']],
      ['skill', 'skill://tables/extra', 'tables/extra/SKILL.md', 'extra', 'tables/extra', ['extra']],
    ])
    expect(lib.diagnostics).toEqual([])
    const forms = lib.get('forms')
    expect(forms?.description).toBe('Fill in and check web and PDF forms. Use when a task asks to complete a form, validate its fields or export the answers.')
    expect(forms?.category).toBe('skill')
  })

  it('lists every file of a skill, recursively, with sizes and digests of the bytes on disk', () => {
    expect(lib.get('forms')?.files).toEqual(manifest(join(ROOT, 'forms')))
    // The outer skill does not list the nested skill's files.
    expect(lib.get('tables')?.files).toEqual(manifest(join(ROOT, 'tables'), (rel) => rel === 'extra'))
    expect(lib.get('extra')?.files?.map((f) => f.path)).toEqual(['SKILL.md', 'more.md'])
  })

  it('finds a skill by name, by skill:// URI (with or without /SKILL.md) and by path', () => {
    for (const ref of ['forms', 'skill://forms', 'skill://forms/SKILL.md', 'skill://forms/SKILL', 'forms/SKILL.md']) {
      expect(lib.lookup(ref).entry?.uri, ref).toBe('skill://forms')
    }
    expect(lib.lookup('skill://tables/extra').entry?.name).toBe('extra')
    expect(lib.lookup('skill://tables/extra/more.md').error?.code).toBe('NOT_FOUND')
    // No skill claims the file name SKILL.
    expect(lib.lookup('SKILL').error?.code).toBe('NOT_FOUND')
  })

  it('reads any file of the library: text with its text, binary without, digests as in the manifest', async () => {
    const guide = await lib.readFile('forms/reference/guide.md')
    expect(guide?.text).toBe(readFileSync(join(ROOT, 'forms/reference/guide.md'), 'utf8'))
    expect(guide?.sha256).toBe(lib.get('forms')?.files?.find((f) => f.path === 'reference/guide.md')?.sha256)
    const logo = await lib.readFile('skill://forms/assets/logo.png')
    expect(logo?.text).toBeUndefined()
    expect(Buffer.from(logo?.bytes ?? []).equals(readFileSync(join(ROOT, 'forms/assets/logo.png')))).toBe(true)
    expect((await lib.readFile('notes/plain.md'))?.path).toBe('notes/plain.md')
    // A file outside skills that is no document is known (not read until asked for).
    expect((await lib.readFile('notes/tool.sh'))?.text).toBe('#!/bin/sh\necho "notes tool"\n')
    expect(await lib.readFile('forms/nope.md')).toBeUndefined()
    expect(await lib.readFile('../outside.md')).toBeUndefined()
  })

  it('parses a skill file on request, its links resolved against its own folder', () => {
    const guide = lib.document('forms/reference/guide.md')
    expect(guide?.references.map((r) => [r.kind, r.uri])).toEqual([['link', 'forms/reference/details.md']])
    expect(lib.document('skill://forms/reference/guide.md')?.title).toBe('Form filling guide')
    expect(lib.document('forms/scripts/fill.py')).toBeUndefined()
  })

  it('keeps a path in inline code only when its file exists (any letter case)', () => {
    const paths = lib.document('forms')?.references.filter((r) => r.kind === 'path')
    expect(paths?.map((r) => r.raw)).toEqual(['scripts/fill.py', 'FORMS.md'])
  })

  it('graphs links: edges by path, a wrong letter case dangling, a link out of its skill invalid', () => {
    const g = lib.graph()
    expect(g.edges.map((e) => `${e.from} -> ${e.to} (${e.kind}, ${e.via})`)).toEqual([
      'orchestr8://notes/plain -> forms/reference/guide.md (link, path)',
      'orchestr8://notes/plain -> notes/tool.sh (link, path)',
      'skill://forms -> forms/FORMS.md (link, path)',
      'skill://forms -> forms/FORMS.md (path, path)',
      'skill://forms -> forms/assets/logo.png (link, path)',
      'skill://forms -> forms/reference/guide.md (link, path)',
      'skill://forms -> forms/scripts/fill.py (path, path)',
      'skill://tables -> tables/formats.md (link, path)',
      'skill://tables/extra -> tables/extra/more.md (link, path)',
    ])
    expect(g.dangling.map((d) => [d.from, d.uri, d.kind, d.reason, d.line])).toEqual([['skill://forms', 'forms/reference/Notes.md', 'link', 'case-mismatch', 29]])
    expect(g.invalid.map((d) => [d.from, d.uri, d.line])).toEqual([['skill://forms', 'tables/SKILL.md', 30]])
  })

  it('resolves link references as files: a wrong case is CASE_MISMATCH, out of the skill ACCESS_DENIED', async () => {
    const from = 'skill://forms'
    expect((await lib('forms/FORMS.md', { from, kind: 'link' }))?.source).toBe(readFileSync(join(ROOT, 'forms/FORMS.md'), 'utf8'))
    await expect(lib('forms/reference/Notes.md', { from, kind: 'link' })).rejects.toMatchObject({ code: 'CASE_MISMATCH' })
    await expect(lib('forms/reference/Notes.md', { from, kind: 'link' })).rejects.toBeInstanceOf(PromptfoldError)
    await expect(lib('tables/SKILL.md', { from, kind: 'link' })).rejects.toBeInstanceOf(AccessDeniedError)
    await expect(lib('forms/assets/logo.png', { from, kind: 'link' })).rejects.toMatchObject({ code: 'BINARY_FILE' })
    expect(await lib('forms/missing.md', { from, kind: 'link' })).toBeUndefined()
    // From a document outside skills, any file of the root can be linked: a skill's, or a script beside it.
    expect((await lib('forms/reference/guide.md', { from: 'orchestr8://notes/plain', kind: 'link' }))?.path).toBe('forms/reference/guide.md')
    expect((await lib('notes/tool.sh', { from: 'orchestr8://notes/plain', kind: 'link' }))?.source).toBe('#!/bin/sh\necho "notes tool"\n')
  })

  it('ranks skills on their description', () => {
    expect(lib.match('spreadsheets csv').map((r) => [r.uri, r.fields])).toEqual([['skill://tables', ['description']]])
    expect(lib.match('complete a form')[0]?.uri).toBe('skill://forms')
  })

  it('a skill at the root is named after the root folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-skill-'))
    scratch.push(dir)
    const root = join(dir, 'solo')
    cpSync(join(ROOT, 'tables'), root, { recursive: true })
    rmSync(join(root, 'extra'), { recursive: true })
    const solo = await loadLibrary({ root })
    expect(solo.entries.map((e) => [e.kind, e.uri, e.path, e.folder, e.name])).toEqual([['skill', 'skill://solo', 'SKILL.md', '', 'tables']])
    expect(solo.lookup('skill://solo/formats.md').error?.code).toBe('NOT_FOUND')
    expect((await solo.readFile('skill://solo/formats.md'))?.path).toBe('formats.md')
    expect(solo.graph().edges.map((e) => e.to)).toEqual(['formats.md'])
  })

  it('is the same whatever order the files were written in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-order-'))
    scratch.push(dir)
    const files = manifest(ROOT).map((f) => f.path)
    const copies: string[] = []
    for (const order of [files, [...files].reverse()]) {
      const root = join(dir, `copy${copies.length}`)
      for (const f of order) {
        const target = join(root, f)
        cpSync(join(ROOT, f), target)
      }
      copies.push(root)
    }
    const [a, b] = await Promise.all(copies.map((root) => loadLibrary({ root })))
    const shape = (l: Library) => JSON.stringify({ entries: l.entries, graph: l.graph() }).replaceAll(l.root, '<root>')
    expect(shape(a as Library)).toBe(shape(b as Library))
  })

  it('refresh picks up a new file of a skill: its manifest, and a path that now exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-refresh-'))
    scratch.push(dir)
    cpSync(ROOT, dir, { recursive: true })
    const live = await loadLibrary({ root: dir })
    expect(live.document('forms')?.references.filter((r) => r.kind === 'path').map((r) => r.raw)).toEqual(['scripts/fill.py', 'FORMS.md'])
    const { mkdirSync } = await import('node:fs')
    mkdirSync(join(dir, 'forms/output'))
    writeFileSync(join(dir, 'forms/output/answers.json'), '{}\n')
    const result = await live.refresh()
    expect(result.added).toEqual(['skill://forms/output/answers.json'])
    expect(live.get('forms')?.files?.map((f) => f.path)).toContain('output/answers.json')
    expect(live.document('forms')?.references.filter((r) => r.kind === 'path').map((r) => r.raw)).toEqual(['scripts/fill.py', 'output/answers.json', 'FORMS.md'])
  })
})
