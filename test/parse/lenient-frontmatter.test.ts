/**
 * Other front doors, leniently (issue 12): a frontmatter that is not valid YAML, as Claude Code
 * subagents and Cursor rules write theirs, is read field by field (src/parse/lenient.ts) with a
 * FRONTMATTER_RECOVERED warning; truly broken YAML stays FRONTMATTER_INVALID_YAML. Fixtures:
 * fixtures/front-doors/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { loadLibrary } from '../../src/library/index.js'
import { parseDocument } from '../../src/parse/document.js'
import { readFrontmatter } from '../../src/parse/frontmatter.js'
import { type FieldParser, MAX_LENIENT_FIELDS, readLeniently } from '../../src/parse/lenient.js'
import type { Diagnostic } from '../../src/types.js'

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/front-doors')
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8')
const parse = (name: string) => parseDocument(fixture(name), { path: `front-doors/${name}` })
const codes = (doc: { diagnostics: { code: string; line?: number }[] }) => doc.diagnostics.map((d) => `${d.code}@${d.line}`)

const RELEASE_NOTES_DESCRIPTION = [
  'Use this agent when a release is being prepared and the changes since the last tag need a summary for users. Examples:',
  '',
  '<example>',
  'Context: The maintainer has merged the last pull request for version 2.4.',
  'user: "Write the release notes for 2.4"',
  `assistant: "I'll use the release-notes-writer agent to summarise the changes since v2.3."`,
  '<commentary>',
  'Release notes are requested: delegate to the release-notes-writer agent.',
  '</commentary>',
  '</example>',
  '',
  '<example>',
  'Context: A changelog entry is missing for a fix.',
  'user: "What changed in the parser this week?"',
  'assistant: "Let me ask the release-notes-writer agent: it reads the commit log."',
  '</example>',
].join('\n')

describe('front doors that are not YAML are recovered', () => {
  it('a subagent whose description spans lines with <example> blocks, `: ` and `user:` lines', () => {
    const doc = parse('subagent-examples.md')
    expect(doc.data).toEqual({ name: 'release-notes-writer', description: RELEASE_NOTES_DESCRIPTION, tools: 'Read, Grep, Bash', model: 'sonnet', color: 'green' })
    expect(doc.meta).toEqual({ ...doc.data, tags: [], capabilities: [], useWhen: [] })
    expect(doc.diagnostics).toEqual([
      {
        code: 'FRONTMATTER_RECOVERED',
        severity: 'warning',
        message:
          'Frontmatter is not valid YAML (incomplete explicit mapping pair; a key node is missed; or followed by a non-tabulated empty line); read leniently, line by line, as 5 fields: `name`, `description`, `tools`, `model`, `color`; read as plain text: `description`',
        file: 'front-doors/subagent-examples.md',
        line: 3,
        column: 131,
      },
    ])
    // The body is the body, as before.
    expect(doc.source.slice(doc.bodyOffset)).toBe('\nYou write release notes. Read the commit log since the last tag and group the changes by area.\n')
  })

  it('a subagent whose examples are on the description line', () => {
    const doc = parse('subagent-one-line.md')
    expect(doc.data).toEqual({
      name: 'schema-checker',
      description:
        'Use this agent to check a JSON schema against its examples. Examples: <example>Context: a schema was edited. user: "Does the schema still accept the fixtures?" assistant: "I\'ll run the schema-checker agent." <commentary>Schema edits need a check.</commentary></example>',
      tools: 'Read, Glob',
      model: 'haiku',
    })
    expect(codes(doc)).toEqual(['FRONTMATTER_RECOVERED@3'])
  })

  it('a Cursor rule with `globs: **/*.ts, **/*.tsx` and `: ` in its description (.mdc)', () => {
    const doc = parse('cursor-typescript.mdc')
    expect(doc.data).toEqual({ description: 'Conventions for TypeScript sources: strict types, no default exports', globs: '**/*.ts, **/*.tsx', alwaysApply: false })
    expect(doc.meta.description).toBe('Conventions for TypeScript sources: strict types, no default exports')
    expect(doc.diagnostics.filter((d) => d.code === 'FRONTMATTER_RECOVERED').map((d) => [d.line, d.column, d.message])).toEqual([
      [
        2,
        48,
        'Frontmatter is not valid YAML (incomplete explicit mapping pair; a key node is missed; or followed by a non-tabulated empty line); read leniently, line by line, as 3 fields: `description`, `globs`, `alwaysApply`; read as plain text: `description`, `globs`',
      ],
    ])
  })

  it('a Cursor rule with `globs: *.md`: the alias YAML cannot find is the line named', () => {
    const doc = parse('cursor-markdown.mdc')
    expect(doc.data).toEqual({ description: 'How documentation pages are written', globs: '*.md', alwaysApply: true })
    expect(doc.diagnostics.filter((d) => d.code === 'FRONTMATTER_RECOVERED').map((d) => [d.severity, d.file, d.line, d.column])).toEqual([
      ['warning', 'front-doors/cursor-markdown.mdc', 3, 12],
    ])
    expect(doc.diagnostics.find((d) => d.code === 'FRONTMATTER_RECOVERED')?.message).toMatch(/^Frontmatter is not valid YAML \(unidentified alias "\.md"\);/)
  })

  it('a Cursor rule with an empty `description:` reads it as YAML does: null', () => {
    const doc = parse('cursor-empty-description.mdc')
    expect(doc.data).toEqual({ description: null, globs: '**/*.test.ts', alwaysApply: false })
    expect(codes(doc).filter((c) => c.startsWith('FRONTMATTER'))).toEqual(['FRONTMATTER_RECOVERED@3'])
  })

  it('fields that are YAML on their own keep their YAML types (a list, a comment line ignored)', () => {
    const doc = parse('subagent-tool-list.md')
    expect(doc.data).toEqual({
      name: 'dependency-auditor',
      description: 'Use when a dependency is added: check its licence and size before it lands.',
      tools: ['Read', 'Bash'],
      model: 'opus',
      color: 'red',
    })
    expect(codes(doc)).toEqual(['FRONTMATTER_RECOVERED@3'])
  })

  it('a quoted value spanning lines keeps a `key:`-looking line inside the quotes', () => {
    const doc = parse('quoted-multiline.md')
    // `globs: migrations/*.sql` is YAML, so is the whole frontmatter: nothing to recover.
    expect(doc.data).toEqual({ name: 'sql-reviewer', description: 'Reviews SQL migrations. user: a line that only looks like a field, inside the quotes', globs: 'migrations/*.sql' })
    expect(codes(doc)).toEqual([])
    const broken = parseDocument(fixture('quoted-multiline.md').replace('migrations/*.sql', '**/*.sql'))
    expect(broken.data).toEqual({ name: 'sql-reviewer', description: 'Reviews SQL migrations. user: a line that only looks like a field, inside the quotes', globs: '**/*.sql' })
    expect(codes(broken)).toEqual(['FRONTMATTER_RECOVERED@5'])
  })

  it('a value that starts with a closed `[...]` and goes on is plain text', () => {
    const doc = parse('deprecated-prefix.md')
    expect(doc.data).toEqual({ name: 'old-formatter', description: '[DEPRECATED] Use the formatter agent instead: it handles every language.', globs: '**/*.py' })
    expect(codes(doc)).toEqual(['FRONTMATTER_RECOVERED@4'])
  })

  it('valid YAML is read as YAML, untouched', () => {
    const doc = parse('valid-subagent.md')
    expect(doc.data).toEqual({ name: 'valid-agent', description: 'Use this agent when the YAML is valid.\nExamples: <example>user: "hi"</example>\n', tools: 'Read' })
    expect(codes(doc)).toEqual([])
  })
})

describe('truly broken YAML is not recovered: FRONTMATTER_INVALID_YAML as before', () => {
  const refused = (name: string) => {
    const doc = parse(name)
    expect(doc.data).toEqual({})
    expect(doc.meta).toEqual({ tags: [], capabilities: [], useWhen: [] })
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['FRONTMATTER_INVALID_YAML'])
    return doc.diagnostics[0] as Diagnostic
  }

  it('a key written twice', () => {
    expect(refused('repeated-key.md')).toMatchObject({
      line: 3,
      message:
        'Frontmatter is not valid YAML: incomplete explicit mapping pair; a key node is missed; or followed by a non-tabulated empty line; not read leniently either: field `name` is written twice (again at line 4)',
    })
  })

  it('a flow list that never closes', () => {
    expect(refused('unbalanced-bracket.md')).toMatchObject({
      line: 4,
      message: 'Frontmatter is not valid YAML: missed comma between flow collection entries; not read leniently either: the value of `tags` (line 3) opens a quote or bracket that never closes',
    })
  })

  it('a quote that never closes', () => {
    expect(refused('unclosed-quote.md').message).toMatch(/; not read leniently either: the value of `description` \(line 3\) opens a quote or bracket that never closes$/)
  })

  it('an indented `key:` under a value that is not YAML (a mis-indented field)', () => {
    expect(refused('misindented.md').message).toMatch(/; not read leniently either: line 4 reads as a nested field under `description`$/)
  })

  it('the cases the hostile suite and the library tests keep as invalid YAML', () => {
    for (const source of [
      '---\nid: [oops\n---\n# B\n',
      '---\nid: a\n  tags: - x\n---\n# B\n',
      '---\nid: one\nid: two\n---\n# B\n',
      '---\nid: tabs\n\tcategory: x\n  tags: y\n---\n# B\n',
      '---\nid: x\ntags: [a, b\n---\n# B\n',
      '---\nid: broken\ntags: [unclosed\n---\n# B\n',
    ]) {
      expect(parseDocument(source).diagnostics.map((d) => d.code), source).toEqual(['FRONTMATTER_INVALID_YAML'])
    }
  })

  it('a first line that is not a field, or a capitalised key first', () => {
    expect(readFrontmatter('---\n  indented: x\nname: a: b\n---\n').diagnostics.map((d) => d.message)).toEqual([
      'Frontmatter is not valid YAML: end of the stream or a document separator is expected; not read leniently either: line 2 is not a `key: value` field',
    ])
    expect(readFrontmatter('---\nName: a: b\n---\n').diagnostics.map((d) => d.code)).toEqual(['FRONTMATTER_INVALID_YAML'])
  })
})

/** The real YAML engine's behaviour, through readFrontmatter: the data a frontmatter block gives. */
const dataOf = (yaml: string) => readFrontmatter(`---\n${yaml}\n---\n`).data

describe('readLeniently: the rules', () => {
  it('a capitalised `Word:` line at column 0 is prose, not a field', () => {
    expect(dataOf('description: Reviews code: fast\n\nExamples:\nNote: call it often\nmodel: x')).toEqual({ description: 'Reviews code: fast\n\nExamples:\nNote: call it often', model: 'x' })
  })

  it('a `key:` line inside an element that closes below continues the value; an unclosed one does not', () => {
    expect(dataOf('description: a: b <example>\nuser: hi\n</example>\nmodel: x')).toEqual({ description: 'a: b <example>\nuser: hi\n</example>', model: 'x' })
    // `<topic>` never closes: `user:` is a field.
    expect(dataOf('description: about <topic>: b\nuser: hi\nmodel: x')).toEqual({ description: 'about <topic>: b', user: 'hi', model: 'x' })
    // Closed on its own line before: `user:` is a field.
    expect(dataOf('description: a: <b>c</b>\nuser: hi')).toEqual({ description: 'a: <b>c</b>', user: 'hi' })
  })

  it('plain text: indentation common to the continuation removed, comment lines and a block indicator dropped, quotes removed', () => {
    expect(dataOf('description: first: line\n    second\n      third\n# a comment\nmodel: x')).toEqual({ description: 'first: line\nsecond\n  third', model: 'x' })
    expect(dataOf('description: >-\n  a: b\n  c\nmodel: x')).toEqual({ description: 'a: b c', model: 'x' })
    expect(dataOf('description: |\n<example>\nuser: hi\n</example>\nglobs: *.md')).toEqual({ description: '<example>\nuser: hi\n</example>', globs: '*.md' })
    expect(dataOf(`description: "C:\\path: here"\nglobs: *.md`)).toEqual({ description: 'C:\\path: here', globs: '*.md' })
    expect(dataOf(`description: 'it's: here'\nglobs: *.md`)).toEqual({ description: "it's: here", globs: '*.md' })
  })

  it('YAML types where the field is YAML on its own: booleans, numbers, lists, mappings, null', () => {
    expect(dataOf('alwaysApply: true\nestimatedTokens: 150\ntags: [a, b]\nmetadata:\n  owner: x\nempty:\nglobs: *.ts')).toEqual({
      alwaysApply: true,
      estimatedTokens: 150,
      tags: ['a', 'b'],
      metadata: { owner: 'x' },
      empty: null,
      globs: '*.ts',
    })
  })

  it('recovered fields are validated like YAML ones: a bad one is FRONTMATTER_INVALID_FIELD at its line', () => {
    const fm = readFrontmatter('---\nid: x\nestimatedTokens: lots: of\ntags: a, b\n---\n', undefined, 'x.md')
    expect(fm.meta).toEqual({ id: 'x', tags: ['a', 'b'], capabilities: [], useWhen: [] })
    expect(fm.data).toEqual({ id: 'x', estimatedTokens: 'lots: of', tags: 'a, b' })
    expect(fm.diagnostics.map((d) => `${d.code}@${d.line}`)).toEqual(['FRONTMATTER_RECOVERED@3', 'FRONTMATTER_INVALID_FIELD@3'])
  })

  it('older `@scheme://` values in a recovered field are quoted, with FRONTMATTER_LEGACY_AT at their line', () => {
    const doc = parseDocument('---\nid: x\ndescription: Use when: always\nrelatedResources:\n  - @orchestr8://agents/a\n---\n# X\n')
    expect(doc.meta.relatedResources).toEqual(['orchestr8://agents/a'])
    expect(codes(doc)).toEqual(['FRONTMATTER_RECOVERED@3', 'FRONTMATTER_LEGACY_AT@5'])
    expect(doc.references.map((r) => [r.kind, r.uri, r.position.line])).toEqual([['related', 'orchestr8://agents/a', 5]])
  })

  it('a `__proto__` field is a plain key, no prototype is touched', () => {
    const data = dataOf('__proto__: a: b\nid: x')
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype)
    expect(Object.keys(data)).toEqual(['__proto__', 'id'])
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toBe('a: b')
    expect(({} as { a?: unknown }).a).toBeUndefined()
  })

  it('reports each field with its line and whether it is plain text (CRLF line ends)', () => {
    const failing: FieldParser = (yaml) => (yaml.startsWith('b') ? { data: { b: 1 } } : { error: new Error('no') })
    expect(readLeniently('# lead comment\r\na: x: y\r\n  more\r\nb: 1\r\n', failing)).toEqual({
      ok: true,
      fields: [
        { key: 'a', line: 1, value: 'x: y\nmore', text: true, legacy: false },
        { key: 'b', line: 3, value: 1, text: false, legacy: false },
      ],
      data: { a: 'x: y\nmore', b: 1 },
    })
  })
})

describe('bounded: linear, with the limits of any frontmatter', () => {
  it('a ~200 KB description of 2,000 <example> blocks is recovered whole', () => {
    const block = (i: number) => `<example>\nContext: case ${i}: the user asks.\nuser: "question ${i}"\nassistant: "answer ${i}"\n</example>`
    const description = `Use this agent when: anything. Examples:\n${Array.from({ length: 2_000 }, (_, i) => block(i)).join('\n')}`
    const source = `---\nname: big\ndescription: ${description}\nmodel: sonnet\n---\n# Big\n`
    expect(source.length).toBeGreaterThan(180_000)
    const doc = parseDocument(source)
    expect(doc.data).toEqual({ name: 'big', description, model: 'sonnet' })
    expect(codes(doc)).toEqual(['FRONTMATTER_RECOVERED@3'])
  })

  it(`${MAX_LENIENT_FIELDS} fields are recovered (20 named in the warning), one more is refused`, () => {
    expect(MAX_LENIENT_FIELDS).toBe(1_000)
    const yaml = (n: number) => Array.from({ length: n }, (_, i) => `k${i}: value: ${i}`).join('\n')
    const fm = readFrontmatter(`---\n${yaml(1_000)}\n---\n`)
    expect(Object.keys(fm.data)).toHaveLength(1_000)
    expect(fm.data.k999).toBe('value: 999')
    expect(fm.diagnostics.map((d) => d.code)).toEqual(['FRONTMATTER_RECOVERED'])
    expect(fm.diagnostics[0]?.message).toMatch(/as 1000 fields: `k0`, `k1`, .*`k19` and 980 more; read as plain text: `k0`, .*`k19` and 980 more$/)
    const over = readFrontmatter(`---\n${yaml(20_000)}\n---\n`)
    expect(over.data).toEqual({})
    expect(over.diagnostics.map((d) => [d.code, d.line])).toEqual([['FRONTMATTER_INVALID_YAML', 2]])
    expect(over.diagnostics[0]?.message).toMatch(/; not read leniently either: more than 1000 fields$/)
  })

  it('~200 KB of opening tags, quotes, escapes and brackets: each one scanned once', () => {
    const tags = dataOf(`description: a: ${'<a>'.repeat(70_000)}\nuser: inside\n</a>\nmodel: x`)
    expect(Object.keys(tags)).toEqual(['description', 'model'])
    expect((tags.description as string).length).toBe(3 + 210_000 + 18)
    const escapes = readFrontmatter(`---\ndescription: "${'\\"'.repeat(70_000)}\nmodel: x\n---\n`)
    expect(escapes.diagnostics.map((d) => d.code)).toEqual(['FRONTMATTER_INVALID_YAML'])
    expect(escapes.diagnostics[0]?.message).toMatch(/the value of `description` \(line 2\) opens a quote or bracket that never closes$/)
    const brackets = readFrontmatter(`---\ntags: ${'['.repeat(200_000)}\nmodel: x\n---\n`)
    expect(brackets.data).toEqual({})
    expect(brackets.diagnostics.map((d) => d.code)).toEqual(['FRONTMATTER_INVALID_YAML'])
    const lines = dataOf(`description: a: b\n${'continued text\n'.repeat(14_000)}model: x`)
    expect(lines).toEqual({ description: `a: b\n${'continued text\n'.repeat(14_000).trimEnd()}`, model: 'x' })
  })
})

describe('libraries read recovered frontmatter too', () => {
  const dirs: string[] = []
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  it("loadLibrary entries' meta show the recovered name and description", async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'promptfold-front-doors-'))
    dirs.push(root)
    mkdirSync(path.join(root, 'agents'))
    writeFileSync(path.join(root, 'agents', 'release-notes-writer.md'), fixture('subagent-examples.md'))
    writeFileSync(path.join(root, 'agents', 'dependency-auditor.md'), fixture('subagent-tool-list.md'))
    writeFileSync(path.join(root, 'agents', 'twice.md'), fixture('repeated-key.md'))
    const library = await loadLibrary({ root })
    const byPath = new Map(library.entries.map((e) => [e.path, e]))
    expect(byPath.get('agents/release-notes-writer.md')?.meta).toMatchObject({ name: 'release-notes-writer', description: RELEASE_NOTES_DESCRIPTION, model: 'sonnet' })
    expect(byPath.get('agents/dependency-auditor.md')?.meta).toMatchObject({ name: 'dependency-auditor', tools: ['Read', 'Bash'] })
    expect(byPath.get('agents/release-notes-writer.md')?.diagnostics.map((d) => `${d.code}@${d.line}`)).toContain('FRONTMATTER_RECOVERED@3')
    expect(byPath.get('agents/twice.md')?.diagnostics.map((d) => d.code)).toContain('FRONTMATTER_INVALID_YAML')
    expect(byPath.get('agents/twice.md')?.meta.name).toBeUndefined()
  })

  it('a skill whose SKILL.md description is not YAML, and a Cursor rule (.mdc), keep their fields', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'promptfold-front-doors-'))
    dirs.push(root)
    mkdirSync(path.join(root, 'changelog'))
    writeFileSync(path.join(root, 'changelog', 'SKILL.md'), '---\nname: changelog\ndescription: Use when: a changelog entry is due\n---\n# Changelog\n\nWrite the entry.\n')
    mkdirSync(path.join(root, 'rules'))
    writeFileSync(path.join(root, 'rules', 'typescript.mdc'), fixture('cursor-typescript.mdc'))
    const library = await loadLibrary({ root })
    const skill = library.entries.find((e) => e.path === 'changelog/SKILL.md')
    expect(skill).toMatchObject({ kind: 'skill', name: 'changelog', description: 'Use when: a changelog entry is due' })
    expect(skill?.meta).toMatchObject({ name: 'changelog', description: 'Use when: a changelog entry is due' })
    expect(skill?.diagnostics.map((d) => `${d.code}@${d.line}`)).toContain('FRONTMATTER_RECOVERED@3')
    const rule = library.entries.find((e) => e.path === 'rules/typescript.mdc')
    expect(rule?.meta).toMatchObject({ description: 'Conventions for TypeScript sources: strict types, no default exports', globs: '**/*.ts, **/*.tsx', alwaysApply: false })
  })
})
