/**
 * `promptfold catalog <root>`: the built CLI over fixtures/skills (slow tier: spawns dist/cli.js).
 */
import { realpathSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createTokenCounter, loadLibrary, skillCatalog } from '../../src/index.js'
import { tiktokenCount } from '../helpers/oracle.js'
import { cli, oneErrorLine, repoRoot } from './run.js'

const skills = join(repoRoot, 'fixtures/skills')

const block = (name: string, description: string, location: string) =>
  `<skill>\n<name>${name}</name>\n<description>${description}</description>\n<location>${location}</location>\n</skill>\n`
const CHANGELOG = block(
  'changelog-writer',
  'Write release notes and CHANGELOG entries from merged pull requests and commit messages, grouped by Added, Changed, Fixed and Removed.',
  'engineering/changelog-writer/SKILL.md',
)
const CSV = block(
  'csv-cleanup',
  'Clean messy CSV files - fix encodings and delimiters, trim whitespace, normalise dates and drop duplicate rows. Use when a CSV export will not load or has inconsistent columns.',
  'data/csv-cleanup/SKILL.md',
)
const DOCX = block(
  'docx-editing',
  'Edit Word documents (.docx) while keeping their styles, tracked changes and comments. Use for redlines, template filling and document reviews.',
  'documents/docx-editing/SKILL.md',
)
const POSTMORTEM = block(
  'incident-postmortem',
  'Write blameless postmortems for incidents &amp; outages (SEV1 and SEV2, or any outage &gt; 30 minutes) with a timeline, impact, root cause &lt;what failed and why&gt; and follow-up actions.',
  'ops/incident-postmortem/SKILL.md',
)
const PDF_DESCRIPTION = 'Extract text and tables from PDF files, fill PDF forms and merge or split documents. Use when the user works with PDF files or mentions forms.'

describe('promptfold catalog', () => {
  it('prints the <available_skills> block in name order under the budget, and the summary on stderr', () => {
    const r = cli(['catalog', 'fixtures/skills', '--budget', '400'])
    expect(r.status).toBe(0)
    // literature-review (169 tokens) does not fit after the four before it; pdf-processing (61) does.
    expect(r.stdout).toBe(`<available_skills>\n${CHANGELOG}${CSV}${DOCX}${POSTMORTEM}${block('pdf-processing', PDF_DESCRIPTION, 'documents/pdf-processing/SKILL.md')}</available_skills>\n`)
    expect(tiktokenCount(r.stdout)).toBe(10 + 61 + 71 + 63 + 91 + 61)
    expect(r.stderr).toBe(
      'catalog: 5 of 6 skills listed, 357 tokens (budget 400, o200k_base, xml)\n' +
        'omitted literature-review (research/literature-review/SKILL.md, 169 tokens): does not fit in the budget left by the skills ranked before it [BUDGET]\n',
    )
  })

  it('keeps the long multi-line description (no budget), and --quiet prints the block only', () => {
    const r = cli(['catalog', 'fixtures/skills', '--quiet'])
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout).toContain(
      '<name>literature-review</name>\n<description>Run a structured literature review on a research question: turn the question into search\nstrings, search the databases',
    )
    expect(r.stdout).toContain('Do not use for a single paper (summarise it directly) or for questions that need new data.</description>\n<location>research/literature-review/SKILL.md</location>\n')
    expect(r.stdout.match(/<skill>/g)).toHaveLength(6)
  })

  it('--json prints {text, report}: the same as skillCatalog over loadLibrary, with a query, in markdown', async () => {
    const args = ['--budget', '250', '--query', 'fill in a PDF form', '--format', 'markdown']
    const r = cli(['catalog', 'fixtures/skills', ...args, '--json'])
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('')
    const out = JSON.parse(r.stdout) as ReturnType<typeof skillCatalog>
    const library = await loadLibrary({ root: skills })
    expect(out).toEqual(skillCatalog(library, { budget: 250, query: 'fill in a PDF form', format: 'markdown' }))
    expect(out.report.totalTokens).toBe(tiktokenCount(out.text))
    expect(out.report.totalTokens).toBeLessThanOrEqual(250)
    expect(out.report.skills[0]).toMatchObject({ name: 'pdf-processing', decision: 'listed', cause: 'FITS' })
    expect(out.report.skills[0]!.score).toBeGreaterThan(0)
    // Without --json the block is the same text.
    expect(cli(['catalog', 'fixtures/skills', ...args]).stdout).toBe(out.text)
  })

  it('--encoding counts with cl100k_base; --location absolute shows the real path below the root', () => {
    const r = cli(['catalog', 'fixtures/skills', '--encoding', 'cl100k_base', '--location', 'absolute', '--json'])
    const out = JSON.parse(r.stdout) as ReturnType<typeof skillCatalog>
    expect(out.report.encoding).toBe('cl100k_base')
    expect(out.report.totalTokens).toBe(createTokenCounter({ encoding: 'cl100k_base' }).count(out.text))
    expect(out.text).toContain(`<location>${join(realpathSync(skills), 'data/csv-cleanup/SKILL.md')}</location>\n`)
  })

  it('a skill folder is a root too: its one skill, located at SKILL.md', () => {
    const r = cli(['catalog', 'fixtures/skills/documents/pdf-processing'])
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(`<available_skills>\n${block('pdf-processing', PDF_DESCRIPTION, 'SKILL.md')}</available_skills>\n`)
    expect(r.stderr).toBe('catalog: 1 of 1 skill listed, 67 tokens (no budget, o200k_base, xml)\n')
  })

  it('a folder without skills, or a budget nothing fits in: nothing on stdout, exit 0, the reason on stderr', () => {
    const none = cli(['catalog', 'fixtures/library'])
    expect([none.status, none.stdout, none.stderr]).toEqual([0, '', 'catalog: no skills below fixtures/library (a skill is a folder holding SKILL.md)\n'])
    const tight = cli(['catalog', 'fixtures/skills', '--budget', '60'])
    expect(tight.status).toBe(0)
    expect(tight.stdout).toBe('')
    expect(tight.stderr.split('\n')[0]).toBe('catalog: 0 of 6 skills listed, 0 tokens (budget 60, o200k_base, xml)')
    const json = JSON.parse(cli(['catalog', 'fixtures/skills', '--budget', '60', '--json']).stdout) as ReturnType<typeof skillCatalog>
    expect(json.text).toBe('')
    expect(json.report).toMatchObject({ totalTokens: 0, wrapperTokens: 10, listed: 0, omitted: 6 })
  })

  it('bad usage exits 2 with one error line, or one JSON error with --json', () => {
    const missing = cli(['catalog', 'fixtures/nope'])
    expect(missing.status).toBe(2)
    expect(oneErrorLine(missing.stderr)).toBe('error: fixtures/nope: no such folder')
    const file = cli(['catalog', 'fixtures/skills/README.md'])
    expect(file.status).toBe(2)
    expect(oneErrorLine(file.stderr)).toBe('error: fixtures/skills/README.md: not a folder')
    const budget = cli(['catalog', 'fixtures/skills', '--budget', '-3'])
    expect(budget.status).toBe(2)
    expect(oneErrorLine(budget.stderr)).toMatch(/^error: option '--budget <n>' argument '-3' is invalid/)
    const model = cli(['catalog', 'fixtures/skills', '--model', 'foo', '--json'])
    expect(model.status).toBe(2)
    expect(JSON.parse(model.stdout).error.code).toBe('UNKNOWN_ENCODING')
    const format = cli(['catalog', 'fixtures/skills', '--format', 'html', '--json'])
    expect(format.status).toBe(2)
    expect(format.stderr).toBe('')
    expect(JSON.parse(format.stdout)).toEqual({
      error: { code: 'USAGE', message: "option '--format <name>' argument 'html' is invalid. Allowed choices are xml, markdown.", hint: 'see promptfold catalog --help' },
    })
  })

  it('is listed in promptfold --help, and its own --help names every option', () => {
    expect(cli(['--help']).stdout).toMatch(/\n {2}catalog \[options\] <root> +print the skill catalog/)
    for (const args of [['catalog', '--help'], ['catalog', '-h'], ['help', 'catalog']]) {
      const r = cli(args)
      expect(r.status).toBe(0)
      expect(r.stdout).toContain('Usage: promptfold catalog [options] <root>')
      for (const o of ['--budget', '--query', '--format', '--location', '--encoding', '--model', '--json', '--quiet', '--no-cache', 'Exit codes']) expect(r.stdout).toContain(o)
    }
  })
})
