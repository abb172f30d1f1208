/**
 * Relative references (issue 12): markdown links to relative paths (`link`) and relative
 * paths in inline code (`path`), in parseDocument.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseDocument } from '../../src/index.js'
import { documentFolder, isPathCode, linkPath, resolveRelative } from '../../src/parse/paths.js'

const FORMS = join(import.meta.dirname, '../../fixtures/skill-refs/forms/SKILL.md')

/** kind, raw as written, uri (path from the root), line of each link and path reference. */
function refs(doc: ReturnType<typeof parseDocument>) {
  return doc.references.map((r) => [r.kind, r.raw, r.uri, r.position.line])
}

describe('which inline code is a path', () => {
  it.each([
    ['scripts/fill.py', true],
    ['shared/model-migration.md', true],
    ['FORMS.md', true],
    ['./reference/x.md', true],
    ['../other/x.md', true],
    ['a-b_c.d/e@f+g.txt', true],
    ['{lang}/README.md', false],
    ['shared/managed-agents-*.md', false],
    ['$HOME/x.json', false],
    ['~/Downloads/eval_set.json', false],
    ['npm test', false],
    ['https://example.com/x.md', false],
    ['@mcp.tool', false],
    ['feedback', false],
    ['1.2', false],
    ['v1.2/3.4', false],
    ['folder/', false],
    ['x.md:12', false],
    ['', false],
  ])('%j -> %s', (code, expected) => {
    expect(isPathCode(code)).toBe(expected)
  })

  it('refuses paths over 1,024 characters (prose or data, not a path)', () => {
    expect(isPathCode(`${'a/'.repeat(510)}b.md`)).toBe(true)
    expect(isPathCode(`${'a/'.repeat(511)}b.md`)).toBe(false)
  })
})

describe('link destinations', () => {
  it.each([
    ['./reference/x.md', './reference/x.md'],
    ['x.md#part', 'x.md'],
    ['x.md?raw=1', 'x.md'],
    ['my%20file.md', 'my file.md'],
    ['#anchor', undefined],
    ['https://example.com/x.md', undefined],
    ['mailto:a@b.c', undefined],
    ['c:/x.md', undefined],
    ['/abs/x.md', undefined],
    ['//host/x.md', undefined],
    ['folder/', undefined],
    ['%zz.md', undefined],
    ['a%00b.md', undefined],
    ['a%5Cb.md', undefined],
  ])('%j -> %j', (url, expected) => {
    expect(linkPath(url)).toBe(expected)
  })

  it('resolve against the folder, never above the root', () => {
    expect(resolveRelative('skills/pdf', './reference/../forms.md')).toBe('skills/pdf/forms.md')
    expect(resolveRelative('skills/pdf', '../../x.md')).toBe('x.md')
    expect(resolveRelative('skills/pdf', '../../../x.md')).toBeUndefined()
    expect(resolveRelative('', 'a//b/./c.md')).toBe('a/b/c.md')
    expect(resolveRelative('a', '..')).toBeUndefined()
  })

  it('need a document path relative to a root', () => {
    expect(documentFolder('skills/pdf/SKILL.md')).toBe('skills/pdf')
    expect(documentFolder('./SKILL.md')).toBe('')
    expect(documentFolder('a\\b\\SKILL.md')).toBe('a/b')
    expect(documentFolder(undefined)).toBeUndefined()
    expect(documentFolder('/abs/SKILL.md')).toBeUndefined()
    expect(documentFolder('C:/x/SKILL.md')).toBeUndefined()
    expect(documentFolder('../x/SKILL.md')).toBeUndefined()
  })
})

describe('parseDocument finds links and paths', () => {
  const source = readFileSync(FORMS, 'utf8')

  it('in a skill: links, existing-or-not paths, in document order, never images, code blocks, patterns, URLs or anchors', () => {
    const doc = parseDocument(source, { path: 'forms/SKILL.md' })
    expect(refs(doc)).toEqual([
      ['link', './reference/guide.md#steps', 'forms/reference/guide.md', 12],
      ['link', 'FORMS.md', 'forms/FORMS.md', 12],
      ['path', 'scripts/fill.py', 'forms/scripts/fill.py', 13],
      ['path', 'output/answers.json', 'forms/output/answers.json', 17],
      ['link', 'reference/Notes.md', 'forms/reference/Notes.md', 29],
      ['link', '../tables/SKILL.md', 'tables/SKILL.md', 30],
      ['link', 'assets/logo.png', 'forms/assets/logo.png', 31],
      ['path', 'FORMS.md', 'forms/FORMS.md', 32],
      ['link', 'FORMS.md', 'forms/FORMS.md', 34],
    ])
    // `raw` is the text at the reference's position.
    for (const r of doc.references) expect(source.slice(r.position.offset, r.position.offset + r.raw.length)).toBe(r.raw)
    expect(doc.diagnostics.map((d) => d.code)).toEqual([])
    expect(doc.references.find((r) => r.kind === 'link')?.sectionPath).toEqual(['Forms', 'Start here'])
  })

  it('keeps a path only when fileExists says its file is there', () => {
    const asked: string[] = []
    const doc = parseDocument(source, {
      path: 'forms/SKILL.md',
      fileExists: (p) => {
        asked.push(p)
        return p !== 'forms/output/answers.json'
      },
    })
    expect(doc.references.filter((r) => r.kind === 'path').map((r) => r.raw)).toEqual(['scripts/fill.py', 'FORMS.md'])
    expect([...new Set(asked)].sort()).toEqual(['forms/FORMS.md', 'forms/output/answers.json', 'forms/scripts/fill.py'])
    // Links count either way: a link to a missing file is a broken link, not an illustration.
    expect(doc.references.filter((r) => r.kind === 'link')).toHaveLength(6)
  })

  it('a target above the root is no reference: LINK_OUTSIDE_ROOT, with its line', () => {
    const doc = parseDocument('# X\n\nSee [up](../../secret.md) and `../../x.py`.\n', { path: 'skill/SKILL.md' })
    expect(refs(doc)).toEqual([])
    expect(doc.diagnostics.filter((d) => d.code !== 'FRONTMATTER_MISSING').map((d) => [d.code, d.severity, d.line, d.column])).toEqual([
      ['LINK_OUTSIDE_ROOT', 'warning', 3, 10],
      ['LINK_OUTSIDE_ROOT', 'warning', 3, 32],
    ])
  })

  it('without a relative path (or with relativeReferences: false): no links, one LINKS_NOT_FOLLOWED warning', () => {
    for (const options of [{}, { path: '/abs/forms/SKILL.md' }, { path: 'forms/SKILL.md', relativeReferences: false }]) {
      const doc = parseDocument(source, options)
      expect(doc.references).toEqual([])
      const found = doc.diagnostics.filter((d) => d.code === 'LINKS_NOT_FOLLOWED')
      expect(found.map((d) => [d.severity, d.line, d.column])).toEqual([['warning', 12, 18]])
      expect(found[0]?.message).toContain('has 6 links to local files (first ./reference/guide.md#steps)')
    }
    // No local link: nothing to say.
    expect(parseDocument('# X\n\n[web](https://example.com) `a/b.md`\n').diagnostics.map((d) => d.code)).toEqual(['FRONTMATTER_MISSING'])
  })

  it('links with angle brackets, titles, parentheses and escapes; reference-style links through their definition', () => {
    const src = '# X\n\n[a](<my file.md> "T") [b](x(1).md) [c](d\\)e.md) [d][ref] [e](./f.md \'t\')\n\n[ref]: ref.md\n'
    const doc = parseDocument(src, { path: 'k/SKILL.md' })
    expect(refs(doc)).toEqual([
      ['link', 'my file.md', 'k/my file.md', 3],
      ['link', 'x(1).md', 'k/x(1).md', 3],
      ['link', 'd\\)e.md', 'k/d)e.md', 3],
      ['link', './f.md', 'k/f.md', 3],
      ['link', 'ref.md', 'k/ref.md', 5],
    ])
    for (const r of doc.references) expect(src.slice(r.position.offset, r.position.offset + r.raw.length)).toBe(r.raw)
  })

  it('inline code inside a link is the link, not a second reference', () => {
    const doc = parseDocument('[`FORMS.md`](FORMS.md)\n', { path: 'SKILL.md' })
    expect(refs(doc)).toEqual([['link', 'FORMS.md', 'FORMS.md', 1]])
  })

  it('slots and links in one document keep their blocks right', () => {
    const src = '# X\n\nSee [a](a.md).\n\n```\norchestr8://examples/one\n```\n\nAnd `b/c.md`.\n'
    const doc = parseDocument(src, { path: 'x.md', fileExists: () => false })
    expect(doc.references.map((r) => r.kind)).toEqual(['link', 'slot'])
    expect(doc.blocks.map((b) => b.references)).toEqual([[1]])
  })
})
