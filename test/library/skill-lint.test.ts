/**
 * The Agent Skills checks of lint: checkSkill alone (frontmatter fields, folder name, body
 * length), then lintLibrary over fixtures/skills-lint (one skill folder per rule).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { InvalidOptionError, type LintResult, lint, lintLibrary, loadLibrary } from '../../src/index.js'
import { type SkillFinding, checkSkill, countLines, skillProblemMessage } from '../../src/library/skill-lint.js'
import { parseDocument } from '../../src/parse/document.js'
import { tiktokenCount } from '../helpers/oracle.js'
import { repoRoot } from './helpers.js'

/** checkSkill on a SKILL.md text in folder `folder`, as lint calls it (data from the parse). */
function check(source: string, options: { folder?: string; tokens?: number; unreadable?: boolean } = {}): SkillFinding[] {
  const doc = parseDocument(source, { path: `${options.folder ?? 'pdf'}/SKILL.md` })
  return checkSkill({
    folderName: options.folder ?? 'pdf',
    path: `${options.folder ?? 'pdf'}/SKILL.md`,
    data: options.unreadable ? null : doc.data,
    source: doc.source,
    bodyOffset: doc.bodyOffset,
    bodyTokens: options.tokens ?? 10,
  })
}

/** `line code: message` of each finding. */
const rows = (findings: SkillFinding[]) => findings.map((f) => `${f.line} ${f.code}: ${f.message}`)

const skill = (fields: string, body = '# PDF\n\nDo it.\n') => `---\n${fields}\n---\n${body}`

describe('checkSkill: name', () => {
  it('a valid skill has no findings', () => {
    expect(check(skill('name: pdf\ndescription: Fill PDF forms. Use for PDFs.\ncompatibility: Needs qpdf\nmetadata:\n  author: me\n  version: "1.0"\nlicense: MIT'))).toEqual([])
    expect(check(skill('name: a1-b2-c3\ndescription: x'), { folder: 'a1-b2-c3' })).toEqual([])
    expect(check(skill(`name: ${'a'.repeat(64)}\ndescription: x`), { folder: 'a'.repeat(64) })).toEqual([])
  })

  it('each rule of the name, at the line of `name:`', () => {
    const cases: [string, string][] = [
      ['PDF-Tools', 'name "PDF-Tools" has capital letters (only lowercase a-z, digits and hyphens)'],
      ['-pdf', 'name starts or ends with a hyphen'],
      ['pdf-', 'name starts or ends with a hyphen'],
      ['pdf--tools', 'name has two hyphens in a row'],
      ['pdf_tools', 'name has characters other than a-z, digits and hyphens: "_"'],
      ['"pdf tools.v2"', 'name has characters other than a-z, digits and hyphens: " ", "."'],
      ['café', 'name has characters other than a-z, digits and hyphens: "é"'],
      [`${'a'.repeat(65)}`, 'name has 65 characters, over the limit of 64'],
      ['123', 'name must be a string, not a number'],
      ['[pdf]', 'name must be a string, not a list'],
      ['', 'name must be a string, not an empty value'],
      ['"  "', 'name is empty'],
    ]
    for (const [value, message] of cases) {
      const folder = value.replace(/"/g, '')
      const findings = check(skill(`description: x\nname: ${value}`), { folder: folder === '' || folder.trim() === '' ? 'pdf' : folder })
      expect(rows(findings), value).toEqual([`3 SKILL_NAME_INVALID: ${message}`])
      expect(findings[0]?.severity).toBe('error')
    }
  })

  it('several faults of one name are one finding naming each', () => {
    expect(rows(check(skill('name: -PDF--x\ndescription: x'), { folder: '-PDF--x' }))).toEqual([
      '2 SKILL_NAME_INVALID: name "-PDF--x" has capital letters (only lowercase a-z, digits and hyphens); name starts or ends with a hyphen; name has two hyphens in a row',
    ])
  })

  it('a missing name is reported at line 1 (the opening ---), and with no frontmatter at all', () => {
    expect(rows(check(skill('description: x')))).toEqual(['1 SKILL_NAME_INVALID: name is missing (the specification requires it)'])
    expect(rows(check('# PDF\n\nNo frontmatter.\n'))).toEqual([
      '1 SKILL_DESCRIPTION_INVALID: description is missing (the specification requires it)',
      '1 SKILL_NAME_INVALID: name is missing (the specification requires it)',
    ])
  })

  it('a name that differs from its folder is SKILL_NAME_MISMATCH; an invalid one that differs is both', () => {
    expect(rows(check(skill('name: pdf-tools\ndescription: x'), { folder: 'pdf' }))).toEqual(['2 SKILL_NAME_MISMATCH: name differs from its folder "pdf" (the specification requires them to match)'])
    expect(rows(check(skill('name: PDF\ndescription: x'), { folder: 'pdf' }))).toEqual([
      '2 SKILL_NAME_INVALID: name "PDF" has capital letters (only lowercase a-z, digits and hyphens)',
      '2 SKILL_NAME_MISMATCH: name differs from its folder "pdf" (the specification requires them to match)',
    ])
    // Spaces around a quoted name are not part of it (as the reference validator reads it); no mismatch without a name.
    expect(rows(check(skill('name: " pdf "\ndescription: x'), { folder: 'pdf' }))).toEqual([])
    expect(rows(check(skill('name: 7\ndescription: x'), { folder: 'pdf' }))).toEqual(['2 SKILL_NAME_INVALID: name must be a string, not a number'])
  })

  it('an unreadable frontmatter (data null) skips the field checks: its own diagnostic reports it', () => {
    expect(check(skill('name: [unclosed\ndescription: x'), { unreadable: true })).toEqual([])
  })
})

describe('checkSkill: description, compatibility, metadata', () => {
  it('description: missing, empty, not a string, over 1,024 characters (counted in code points)', () => {
    expect(rows(check(skill('name: pdf')))).toEqual(['1 SKILL_DESCRIPTION_INVALID: description is missing (the specification requires it)'])
    expect(rows(check(skill('name: pdf\ndescription:')))).toEqual(['3 SKILL_DESCRIPTION_INVALID: description must be a string, not an empty value'])
    expect(rows(check(skill('name: pdf\ndescription: ""')))).toEqual(['3 SKILL_DESCRIPTION_INVALID: description is empty'])
    expect(rows(check(skill('name: pdf\ndescription: "   "')))).toEqual(['3 SKILL_DESCRIPTION_INVALID: description is empty'])
    expect(rows(check(skill('name: pdf\ndescription: 42')))).toEqual(['3 SKILL_DESCRIPTION_INVALID: description must be a string, not a number'])
    expect(rows(check(skill(`name: pdf\ndescription: ${'d'.repeat(1024)}`)))).toEqual([])
    expect(rows(check(skill(`name: pdf\ndescription: ${'d'.repeat(1025)}`)))).toEqual(['3 SKILL_DESCRIPTION_INVALID: description has 1,025 characters, over the limit of 1,024'])
    // 1,024 emoji are 2,048 UTF-16 units but 1,024 characters.
    expect(rows(check(skill(`name: pdf\ndescription: ${'😀'.repeat(1024)}`)))).toEqual([])
  })

  it('compatibility: optional; a string of 1-500 characters', () => {
    expect(rows(check(skill(`name: pdf\ndescription: x\ncompatibility: ${'c'.repeat(500)}`)))).toEqual([])
    expect(rows(check(skill(`name: pdf\ndescription: x\ncompatibility: ${'c'.repeat(501)}`)))).toEqual(['4 SKILL_COMPATIBILITY_INVALID: compatibility has 501 characters, over the limit of 500'])
    expect(rows(check(skill('name: pdf\ndescription: x\ncompatibility: [node, python]')))).toEqual(['4 SKILL_COMPATIBILITY_INVALID: compatibility must be a string, not a list'])
    expect(rows(check(skill('name: pdf\ndescription: x\ncompatibility: ""')))).toEqual(['4 SKILL_COMPATIBILITY_INVALID: compatibility is empty'])
    expect(rows(check(skill('name: pdf\ndescription: x\ncompatibility:')))).toEqual(['4 SKILL_COMPATIBILITY_INVALID: compatibility must be a string, not an empty value'])
  })

  it('metadata: optional; a map of strings to strings', () => {
    expect(rows(check(skill('name: pdf\ndescription: x\nmetadata: {}')))).toEqual([])
    expect(rows(check(skill('name: pdf\ndescription: x\nmetadata:\n  - author\n  - version')))).toEqual(['4 SKILL_METADATA_INVALID: metadata must be a map of strings to strings, not a list'])
    expect(rows(check(skill('name: pdf\ndescription: x\nmetadata: v1')))).toEqual(['4 SKILL_METADATA_INVALID: metadata must be a map of strings to strings, not a string'])
    expect(rows(check(skill('name: pdf\ndescription: x\nmetadata:')))).toEqual(['4 SKILL_METADATA_INVALID: metadata must be a map of strings to strings, not an empty value'])
    expect(rows(check(skill('name: pdf\ndescription: x\nmetadata:\n  version: 1.0\n  author: me\n  tags: [a]\n  beta: true\n  owner:\n    team: x')))).toEqual([
      '4 SKILL_METADATA_INVALID: metadata values must be strings (quote them): beta (a boolean), owner (a map), tags (a list), version (a number)',
    ])
  })

  it('findings are sorted by line, then code, each with column 1 and the file', () => {
    const findings = check(skill('metadata: [x]\ncompatibility: 5\nname: Pdf\ndescription: ""'), { folder: 'pdf' })
    expect(findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.code}`)).toEqual([
      'pdf/SKILL.md:2:1 SKILL_METADATA_INVALID',
      'pdf/SKILL.md:3:1 SKILL_COMPATIBILITY_INVALID',
      'pdf/SKILL.md:4:1 SKILL_NAME_INVALID',
      'pdf/SKILL.md:4:1 SKILL_NAME_MISMATCH',
      'pdf/SKILL.md:5:1 SKILL_DESCRIPTION_INVALID',
    ])
  })
})

describe('checkSkill: body', () => {
  const fields = 'name: pdf\ndescription: x'

  it('over 500 lines or 5,000 tokens is a warning at the body\'s first line', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n')
    expect(check(skill(fields, `${lines(500)}\n`), { tokens: 5000 })).toEqual([])
    const long = check(skill(fields, `${lines(501)}\n`), { tokens: 5001 })
    expect(rows(long)).toEqual(['5 SKILL_BODY_TOO_LONG: the body has 501 lines, over 500; the body has 5,001 tokens, over 5,000'])
    expect(long[0]?.severity).toBe('warning')
    expect(rows(check(skill(fields, lines(501)), { tokens: 10 }))).toEqual(['5 SKILL_BODY_TOO_LONG: the body has 501 lines, over 500'])
    expect(rows(check('# no frontmatter\n', { tokens: 6000 })).filter((r) => r.includes('BODY'))).toEqual(['1 SKILL_BODY_TOO_LONG: the body has 6,000 tokens, over 5,000'])
  })

  it('countLines: every line break ends a line; a last line without one counts too', () => {
    expect([countLines(''), countLines('a'), countLines('a\n'), countLines('a\nb'), countLines('a\r\nb\r\n'), countLines('a\rb'), countLines('\n\n')]).toEqual([0, 1, 1, 2, 2, 2, 2])
  })

  it('skillProblemMessage words every reason', () => {
    expect(skillProblemMessage({ reason: 'too-long', field: 'description', found: 1100, limit: 1024 })).toBe('description has 1,100 characters, over the limit of 1,024')
  })
})

const skillsLint = path.join(repoRoot, 'fixtures/skills-lint')

/** `file:line:column severity CODE message` of each finding. */
const lines = (result: LintResult) => result.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity} ${f.code} ${f.message}`)

/** A library written from `files` in a temp folder named `name`; `cleanup()` removes it. */
function library(files: Record<string, string>, name = 'root'): { dir: string; cleanup: () => void } {
  const base = mkdtempSync(path.join(tmpdir(), 'promptfold-skill-lint-'))
  const dir = path.join(base, name)
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true })
    writeFileSync(path.join(dir, rel), text)
  }
  return { dir, cleanup: () => rmSync(base, { recursive: true, force: true }) }
}

describe('lintLibrary on fixtures/skills-lint (one skill folder per rule)', () => {
  it('finds each rule once, with file, line and column; the valid skill has none', async () => {
    const result = await lint({ root: skillsLint })
    expect(result.files).toEqual([
      'PDF-Tools/SKILL.md',
      'broken-link/SKILL.md',
      'case-link/SKILL.md',
      'deep-links/SKILL.md',
      'long-body/SKILL.md',
      'long-compatibility/SKILL.md',
      'long-description/SKILL.md',
      'metadata-list/SKILL.md',
      'name-mismatch/SKILL.md',
      'valid-skill/SKILL.md',
    ])
    const body = readFileSync(path.join(skillsLint, 'long-body/SKILL.md'), 'utf8').split(/^---\n/m)[2] as string
    const tokens = tiktokenCount(body)
    expect(tokens).toBe(6227)
    expect(lines(result)).toEqual([
      'PDF-Tools/SKILL.md:2:1 error SKILL_NAME_INVALID name "PDF-Tools" has capital letters (only lowercase a-z, digits and hyphens)',
      'broken-link/SKILL.md:7:53 error LINK_BROKEN link reference/rota.md names no file',
      'case-link/SKILL.md:7:30 error LINK_CASE_MISMATCH link reference/Template.md names a file only in another letter case (reference/template.md): it works on macOS and Windows, breaks on Linux',
      'deep-links/SKILL.md:7:30 warning LINK_TOO_DEEP reference/setup.md references further files (reference/config.md); the specification advises keeping references one level deep from SKILL.md',
      `long-body/SKILL.md:5:1 warning SKILL_BODY_TOO_LONG the body has 512 lines, over 500; the body has ${tokens.toLocaleString('en-US')} tokens, over 5,000`,
      'long-compatibility/SKILL.md:4:1 error SKILL_COMPATIBILITY_INVALID compatibility has 519 characters, over the limit of 500',
      'long-description/SKILL.md:3:1 error SKILL_DESCRIPTION_INVALID description has 1,101 characters, over the limit of 1,024',
      'metadata-list/SKILL.md:4:1 error SKILL_METADATA_INVALID metadata must be a map of strings to strings, not a list',
      'name-mismatch/SKILL.md:2:1 error SKILL_NAME_MISMATCH name differs from its folder "name-mismatch" (the specification requires them to match)',
    ])
    expect([result.errorCount, result.warningCount, result.fixedCount]).toEqual([7, 2, 0])
  })

  it('the counts in the messages are the fixtures\' own (independent of the parse)', () => {
    const field = (file: string, key: string) => (new RegExp(`^${key}: (.*)$`, 'm').exec(readFileSync(path.join(skillsLint, file), 'utf8')) as RegExpExecArray)[1] as string
    expect([...field('long-description/SKILL.md', 'description')].length).toBe(1101)
    expect([...field('long-compatibility/SKILL.md', 'compatibility')].length).toBe(519)
    expect(statSync(path.join(skillsLint, 'long-body/SKILL.md')).size).toBeLessThan(60_000)
  })

  it('paths choose skills: a skill folder, its SKILL.md, or any file or folder inside it', async () => {
    const lib = await loadLibrary({ root: skillsLint })
    for (const p of ['deep-links', 'deep-links/', 'deep-links/SKILL.md', 'deep-links/reference', 'deep-links/reference/config.md', path.join(skillsLint, 'deep-links')]) {
      const result = await lintLibrary(lib, { paths: [p] })
      expect(result.files, p).toEqual(['deep-links/SKILL.md'])
      expect(result.findings.map((f) => f.code), p).toEqual(['LINK_TOO_DEEP'])
    }
    expect((await lintLibrary(lib, { paths: ['valid-skill'] })).findings).toEqual([])
    await expect(lintLibrary(lib, { paths: ['deep-links/reference/nope.md'] })).rejects.toThrow(InvalidOptionError)
  })

  it('a link is reported once: LINK_BROKEN or LINK_CASE_MISMATCH, never also UNRESOLVED_REFERENCE; uri is the file named', async () => {
    const result = await lint({ root: skillsLint, paths: ['broken-link', 'case-link', 'deep-links'] })
    expect(result.findings.map((f) => `${f.file} ${f.code} ${f.uri}`)).toEqual([
      'broken-link/SKILL.md LINK_BROKEN broken-link/reference/rota.md',
      'case-link/SKILL.md LINK_CASE_MISMATCH case-link/reference/Template.md',
      'deep-links/SKILL.md LINK_TOO_DEEP deep-links/reference/setup.md',
    ])
  })
})

describe('lintLibrary: skills in temp libraries', () => {
  const fm = (name: string, extra = '') => `---\nname: ${name}\ndescription: Does one thing. Use when it is needed.\n${extra}---\n`

  it('a skill at the root is checked against the root folder\'s own name', async () => {
    const good = library({ 'SKILL.md': `${fm('my-skill')}# Mine\n` }, 'my-skill')
    const bad = library({ 'SKILL.md': `${fm('other')}# Mine\n` }, 'my-skill')
    try {
      expect(lines(await lint({ root: good.dir }))).toEqual([])
      expect(lines(await lint({ root: bad.dir }))).toEqual(['SKILL.md:2:1 error SKILL_NAME_MISMATCH name differs from its folder "my-skill" (the specification requires them to match)'])
    } finally {
      good.cleanup()
      bad.cleanup()
    }
  })

  it('links out of the skill folder are one LINK_OUTSIDE_ROOT warning each; out of the root, the parse\'s warning once', async () => {
    const lib = library({
      'a/SKILL.md': `${fm('a')}# A\n\nSee [b's notes](../b/notes.md).\n\nAnd [far away](../../outside.md).\n`,
      'b/SKILL.md': `${fm('b')}# B\n`,
      'b/notes.md': '# Notes\n',
    })
    try {
      const result = await lint({ root: lib.dir })
      expect(lines(result)).toEqual([
        'a/SKILL.md:7:17 warning LINK_OUTSIDE_ROOT link ../b/notes.md leads outside the skill folder a; not followed',
        'a/SKILL.md:9:16 warning LINK_OUTSIDE_ROOT Link ../../outside.md leads outside the library root; not followed',
      ])
      expect(result.findings.map((f) => f.uri)).toEqual(['b/notes.md', undefined])
    } finally {
      lib.cleanup()
    }
  })

  it('paths in inline code: a wrong letter case is LINK_CASE_MISMATCH; a path that names nothing is prose', async () => {
    const lib = library({
      'tool/SKILL.md': `${fm('tool')}# Tool\n\nRun \`scripts/Build.sh\`, then \`scripts/missing.sh\`.\n`,
      'tool/scripts/build.sh': 'echo build\n',
    })
    try {
      expect(lines(await lint({ root: lib.dir }))).toEqual([
        'tool/SKILL.md:7:6 error LINK_CASE_MISMATCH path scripts/Build.sh names a file only in another letter case (scripts/build.sh): it works on macOS and Windows, breaks on Linux',
      ])
    } finally {
      lib.cleanup()
    }
  })

  it('LINK_TOO_DEEP counts further files only: not the SKILL.md, the file itself, files the SKILL.md references, or missing files', async () => {
    const lib = library({
      'guide/SKILL.md': `${fm('guide')}# Guide\n\nRead [one](ref/one.md) and [two](ref/two.md), then [three](ref/three.md).\n\nAlso [one again](ref/one.md).\n`,
      'guide/ref/one.md': '# One\n\nBack to [the skill](../SKILL.md), on to [two](two.md), [itself](one.md) and [gone](gone.md).\n',
      'guide/ref/two.md': '# Two\n\nSee `four.md` (not `ref/four.md`: paths are relative to the file), [five](five.md), [six](six.txt) and [five again](./five.md).\n',
      'guide/ref/three.md': '# Three\n',
      'guide/ref/four.md': '# Four\n',
      'guide/ref/five.md': '# Five\n',
      'guide/ref/six.txt': 'six\n',
    })
    try {
      const result = await lint({ root: lib.dir })
      expect(lines(result)).toEqual([
        'guide/SKILL.md:7:34 warning LINK_TOO_DEEP ref/two.md references further files (ref/five.md, ref/four.md, ref/six.txt); the specification advises keeping references one level deep from SKILL.md',
      ])
    } finally {
      lib.cleanup()
    }
  })

  it('a skill whose frontmatter cannot be read reports that alone; a recovered one is checked as recovered', async () => {
    const lib = library({
      'bad/SKILL.md': '---\nname: [unclosed\ndescription: x\n---\n# Bad\n',
      'loose/SKILL.md': '---\nname: Loose\ndescription: Use when: a colon: appears\n---\n# Loose\n',
    })
    try {
      expect((await lint({ root: lib.dir })).findings.map((f) => `${f.file}:${f.line} ${f.code}`)).toEqual([
        'bad/SKILL.md:3 FRONTMATTER_INVALID_YAML',
        'loose/SKILL.md:2 SKILL_NAME_INVALID',
        'loose/SKILL.md:2 SKILL_NAME_MISMATCH',
        'loose/SKILL.md:3 FRONTMATTER_RECOVERED',
      ])
    } finally {
      lib.cleanup()
    }
  })

  it('a link to a file the library does not list (not markdown, outside skills; in a hidden folder) is not broken', async () => {
    const lib = library({
      'agents/a.md': '---\nid: a\n---\n# A\n\nRun [the script](run.py), not [this one](gone.py).\n',
      'agents/run.py': 'print(1)\n',
      'tool/SKILL.md': `${fm('tool')}# Tool\n\nCopy [the example](.config/example.env).\n`,
      'tool/.config/example.env': 'A=1\n',
    })
    try {
      expect(lines(await lint({ root: lib.dir }))).toEqual(['agents/a.md:6:42 error LINK_BROKEN link gone.py names no file'])
    } finally {
      lib.cleanup()
    }
  })

  it('documents are not checked as skills; the body is counted with the lint\'s counter', async () => {
    const lib = library({ 'notes/README.md': '# Notes\n', 'big/SKILL.md': `${fm('big')}# Big\n\nsome words here\n` })
    try {
      const counter = { encoding: 'o200k_base' as const, count: (text: string) => (text.includes('some words') ? 5001 : 1) }
      expect(lines(await lintLibrary(await loadLibrary({ root: lib.dir }), { counter: counter as never }))).toEqual([
        'big/SKILL.md:5:1 warning SKILL_BODY_TOO_LONG the body has 5,001 tokens, over 5,000',
      ])
    } finally {
      lib.cleanup()
    }
  })
})
