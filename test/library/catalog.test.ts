/**
 * skillCatalog: the `<available_skills>` block (or markdown list) under a budget, ranked by a
 * query, and its report. Unit tests over a library-shaped object (entries + match + root);
 * the tests over fixtures/skills with loadLibrary are at the end.
 */
import { readFileSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createTokenCounter, InvalidOptionError, loadLibrary, type TokenCounter } from '../../src/index.js'
import { CATALOG_CAUSES, type CatalogLibrary, describeCatalogCause, escapeXml, skillCatalog } from '../../src/library/catalog.js'
import type { LibraryEntry } from '../../src/library/library.js'
import type { MatchOptions, MatchResult } from '../../src/library/match.js'
import { tiktokenCount } from '../helpers/oracle.js'
import { repoRoot } from './helpers.js'

const o200k = createTokenCounter()

/** A skill entry as the library makes it (only the fields the catalog reads matter). */
function skill(folder: string, name: string | undefined, description: string | undefined): LibraryEntry {
  const path = folder === '' ? 'SKILL.md' : `${folder}/SKILL.md`
  const entry: LibraryEntry = {
    kind: 'skill',
    uri: `skill://${folder === '' ? 'root' : folder}/SKILL.md`,
    path,
    folder,
    files: [],
    aliases: [],
    category: folder.split('/')[0] || 'uncategorized',
    meta: {} as LibraryEntry['meta'],
    digest: '',
    bytes: 0,
    diagnostics: [],
  }
  if (name !== undefined) entry.name = name
  if (description !== undefined) entry.description = description
  return entry
}

function doc(path: string): LibraryEntry {
  return { kind: 'document', uri: `orchestr8://${path.replace(/\.md$/, '')}`, path, aliases: [], category: 'guide', meta: {} as LibraryEntry['meta'], digest: '', bytes: 0, diagnostics: [] }
}

/** A library-shaped object: `match` scores an entry by how many query words its description holds. */
function fakeLibrary(entries: LibraryEntry[], root = '/srv/skills'): CatalogLibrary & { queries: string[] } {
  const queries: string[] = []
  return {
    root,
    entries,
    queries,
    match(query: string, options: MatchOptions = {}): MatchResult[] {
      queries.push(query)
      const words = query.toLowerCase().split(/\W+/).filter((w) => w.length > 2)
      return entries
        .map((e) => ({ e, score: words.filter((w) => (e.description ?? '').toLowerCase().split(/\W+/).includes(w)).length }))
        .filter((r) => r.score > 0)
        .sort((a, b) => b.score - a.score || (a.e.uri < b.e.uri ? -1 : 1))
        .slice(0, options.maxResults ?? 10) // the library's default is 10: the catalog must ask for all
        .map((r) => ({ uri: r.e.uri, score: r.score, category: r.e.category, fields: [], terms: [] }))
    },
  }
}

const pdf = skill('documents/pdf-processing', 'pdf-processing', 'Extract text and tables from PDF files and fill forms.')
const changelog = skill('engineering/changelog-writer', 'changelog-writer', 'Write release notes from merged pull requests.')
const csv = skill('data/csv-cleanup', 'csv-cleanup', 'Clean messy CSV files: encodings, delimiters and dates.')
const three = () => fakeLibrary([pdf, doc('README.md'), changelog, csv])

const block = (name: string, description: string, location: string) =>
  `<skill>\n<name>${name}</name>\n<description>${description}</description>\n<location>${location}</location>\n</skill>\n`
const PDF_BLOCK = block('pdf-processing', 'Extract text and tables from PDF files and fill forms.', 'documents/pdf-processing/SKILL.md')
const CHANGELOG_BLOCK = block('changelog-writer', 'Write release notes from merged pull requests.', 'engineering/changelog-writer/SKILL.md')
const CSV_BLOCK = block('csv-cleanup', 'Clean messy CSV files: encodings, delimiters and dates.', 'data/csv-cleanup/SKILL.md')
const WRAPPER = o200k.count('<available_skills>\n</available_skills>\n')

describe('skillCatalog: the block', () => {
  it('lists every skill in name order without a query or budget, as <available_skills> XML; documents are not listed', () => {
    const { text, report } = skillCatalog(three())
    expect(text).toBe(`<available_skills>\n${CHANGELOG_BLOCK}${CSV_BLOCK}${PDF_BLOCK}</available_skills>\n`)
    expect(report).toEqual({
      format: 'xml',
      budget: null,
      query: null,
      encoding: 'o200k_base',
      totalTokens: o200k.count(text),
      wrapperTokens: WRAPPER,
      skills: [
        { name: 'changelog-writer', path: 'engineering/changelog-writer/SKILL.md', uri: 'skill://engineering/changelog-writer/SKILL.md', tokens: o200k.count(CHANGELOG_BLOCK), decision: 'listed', cause: 'FITS' },
        { name: 'csv-cleanup', path: 'data/csv-cleanup/SKILL.md', uri: 'skill://data/csv-cleanup/SKILL.md', tokens: o200k.count(CSV_BLOCK), decision: 'listed', cause: 'FITS' },
        { name: 'pdf-processing', path: 'documents/pdf-processing/SKILL.md', uri: 'skill://documents/pdf-processing/SKILL.md', tokens: o200k.count(PDF_BLOCK), decision: 'listed', cause: 'FITS' },
      ],
      listed: 3,
      omitted: 0,
    })
    // The wrapper and the blocks add up to the whole exactly (every cut is after a line break, before `<`).
    expect(report.totalTokens).toBe(WRAPPER + report.skills.reduce((n, s) => n + s.tokens, 0))
    expect(report.wrapperTokens).toBe(10)
  })

  it('writes the markdown list: name, location, description; continuation lines indented, blank lines kept empty', () => {
    const multi = skill('research/review', 'review', '  Review papers.\r\n\r\n  Use for "what is known" questions.  \n')
    const { text, report } = skillCatalog(fakeLibrary([multi, csv]), { format: 'markdown' })
    expect(text).toBe(
      '## Available skills\n\n' +
        '- **csv-cleanup** (`data/csv-cleanup/SKILL.md`): Clean messy CSV files: encodings, delimiters and dates.\n' +
        '- **review** (`research/review/SKILL.md`): Review papers.\n\n    Use for "what is known" questions.\n',
    )
    expect(report.format).toBe('markdown')
    expect(report.wrapperTokens).toBe(o200k.count('## Available skills\n\n'))
    expect(report.totalTokens).toBe(o200k.count(text))
    expect(report.totalTokens).toBe(report.wrapperTokens + report.skills[0]!.tokens + report.skills[1]!.tokens)
  })

  it('escapes & < > in names, descriptions and locations (XML); escapes markdown specials in names and fences locations', () => {
    const odd = skill('ops/a&b', 'a<b>&c', 'Outages > 30 min & SEV<2>; "quotes" and \'apostrophes\' stay.')
    const xml = skillCatalog(fakeLibrary([odd])).text
    expect(xml).toBe(
      '<available_skills>\n<skill>\n<name>a&lt;b&gt;&amp;c</name>\n<description>Outages &gt; 30 min &amp; SEV&lt;2&gt;; "quotes" and \'apostrophes\' stay.</description>\n<location>ops/a&amp;b/SKILL.md</location>\n</skill>\n</available_skills>\n',
    )
    const md = skillCatalog(fakeLibrary([skill('x`y', 'my_*skill*', 'Does things.')]), { format: 'markdown' }).text
    expect(md).toBe('## Available skills\n\n- **my\\_\\*skill\\*** (`` x`y/SKILL.md ``): Does things.\n')
    expect(escapeXml('&amp;<>')).toBe('&amp;amp;&lt;&gt;')
  })

  it('keeps a multi-line description, trimmed, with line breaks as LF and no trailing spaces', () => {
    const multi = skill('r', 'r', '\n  First line.  \r\n  Second line.\r\rThird.\n\n')
    expect(skillCatalog(fakeLibrary([multi])).text).toBe(`<available_skills>\n${block('r', 'First line.\n  Second line.\n\nThird.', 'r/SKILL.md')}</available_skills>\n`)
  })

  it("location: 'absolute' joins the library root; a function gives any text; anything else is refused", () => {
    const lib = fakeLibrary([csv], '/srv/skills')
    expect(skillCatalog(lib, { location: 'absolute' }).text).toContain('<location>/srv/skills/data/csv-cleanup/SKILL.md</location>\n')
    expect(skillCatalog(lib, { location: (e) => `https://example.test/${e.path}?a=1&b=2` }).text).toContain('<location>https://example.test/data/csv-cleanup/SKILL.md?a=1&amp;b=2</location>\n')
    expect(() => skillCatalog(lib, { location: 'relative' as 'path' })).toThrow(InvalidOptionError)
    expect(() => skillCatalog(lib, { location: (() => 5) as unknown as () => string })).toThrow(/the function must return a string, got number for data\/csv-cleanup\/SKILL.md/)
  })

  it('a skill without a name shows its folder name; a skill at the root is located at SKILL.md', () => {
    const unnamed = skill('tools/jq-helper', undefined, 'Query JSON with jq.')
    const { report } = skillCatalog(fakeLibrary([unnamed]))
    expect(report.skills.map((s) => s.name)).toEqual(['jq-helper'])
    const root = skill('', 'solo', 'A root skill.')
    expect(skillCatalog(fakeLibrary([root])).text).toBe(`<available_skills>\n${block('solo', 'A root skill.', 'SKILL.md')}</available_skills>\n`)
  })

  it('a skill without a description (missing or blank) is omitted with NO_DESCRIPTION and 0 tokens', () => {
    const { text, report } = skillCatalog(fakeLibrary([skill('a/none', 'none', undefined), skill('a/blank', 'blank', ' \n '), csv]))
    expect(text).toBe(`<available_skills>\n${CSV_BLOCK}</available_skills>\n`)
    expect(report.skills.map((s) => [s.name, s.decision, s.cause, s.tokens])).toEqual([
      ['blank', 'omitted', 'NO_DESCRIPTION', 0],
      ['csv-cleanup', 'listed', 'FITS', o200k.count(CSV_BLOCK)],
      ['none', 'omitted', 'NO_DESCRIPTION', 0],
    ])
    expect([report.listed, report.omitted]).toEqual([1, 2])
  })

  it('a library with no skills (or only documents) gives an empty text and a report of nothing', () => {
    for (const entries of [[], [doc('README.md'), doc('guides/x.md')]]) {
      const { text, report } = skillCatalog(fakeLibrary(entries), { budget: 100, query: 'anything' })
      expect(text).toBe('')
      expect(report).toEqual({ format: 'xml', budget: 100, query: 'anything', encoding: 'o200k_base', totalTokens: 0, wrapperTokens: WRAPPER, skills: [], listed: 0, omitted: 0 })
    }
  })
})

describe('skillCatalog: the budget', () => {
  const tokens = (b: string) => o200k.count(b)

  it('the wrapper counts: a budget of exactly wrapper + first skill lists it, one less lists nothing and the text is empty', () => {
    const exact = WRAPPER + tokens(CHANGELOG_BLOCK)
    const lib = fakeLibrary([changelog])
    const fits = skillCatalog(lib, { budget: exact })
    expect(fits.text).toBe(`<available_skills>\n${CHANGELOG_BLOCK}</available_skills>\n`)
    expect(fits.report.totalTokens).toBe(exact)
    const short = skillCatalog(lib, { budget: exact - 1 })
    expect(short.text).toBe('')
    expect(short.report).toMatchObject({ budget: exact - 1, totalTokens: 0, listed: 0, omitted: 1 })
    expect(short.report.skills[0]).toMatchObject({ decision: 'omitted', cause: 'BUDGET', tokens: tokens(CHANGELOG_BLOCK) })
    expect(skillCatalog(lib, { budget: 0 }).text).toBe('')
  })

  it('skips a skill that does not fit and tries the next (BUDGET)', () => {
    const long = skill('b/big', 'big', 'A long description. '.repeat(40).trim())
    const lib = fakeLibrary([long, changelog, csv]) // name order: big, changelog-writer, csv-cleanup
    const budget = WRAPPER + tokens(CHANGELOG_BLOCK) + tokens(CSV_BLOCK)
    const { text, report } = skillCatalog(lib, { budget })
    expect(text).toBe(`<available_skills>\n${CHANGELOG_BLOCK}${CSV_BLOCK}</available_skills>\n`)
    expect(report.skills.map((s) => [s.name, s.decision, s.cause])).toEqual([
      ['big', 'omitted', 'BUDGET'],
      ['changelog-writer', 'listed', 'FITS'],
      ['csv-cleanup', 'listed', 'FITS'],
    ])
    expect(report.totalTokens).toBe(budget)
  })

  it('an infinite budget is no budget (null in the report)', () => {
    expect(skillCatalog(three(), { budget: Number.POSITIVE_INFINITY }).report.budget).toBeNull()
  })
})

describe('skillCatalog: the query', () => {
  it('ranks by score, ties by name; skills that match nothing come after, in name order, with score 0; all results are asked for', () => {
    const a = skill('z/a', 'alpha', 'pdf forms')
    const b = skill('y/b', 'beta', 'pdf forms tables')
    const c = skill('x/c', 'gamma', 'pdf')
    const d = skill('w/d', 'delta', 'pdf') // ties with gamma: name order
    const e = skill('v/e', 'epsilon', 'nothing relevant')
    const fillers = Array.from({ length: 12 }, (_, i) => skill(`f/${i}`, `filler-${String(i).padStart(2, '0')}`, 'pdf'))
    const lib = fakeLibrary([a, b, c, d, e, ...fillers])
    const { report } = skillCatalog(lib, { query: 'pdf forms tables' })
    expect(report.query).toBe('pdf forms tables')
    expect(report.skills.slice(0, 5).map((s) => [s.name, s.score])).toEqual([
      ['beta', 3],
      ['alpha', 2],
      ['delta', 1],
      ['filler-00', 1],
      ['filler-01', 1],
    ])
    // All 16 matching skills were ranked (match's default of 10 results was not used), then the one matching nothing.
    expect(report.skills.at(-1)).toMatchObject({ name: 'epsilon', score: 0, decision: 'listed', cause: 'FITS' })
    expect(report.skills.filter((s) => s.score! > 0)).toHaveLength(16)
  })

  it('NOT_RELEVANT: a skill matching nothing that does not fit; BUDGET: a matching one that does not fit', () => {
    const lib = fakeLibrary([pdf, changelog, csv])
    const budget = WRAPPER + o200k.count(PDF_BLOCK) + 1
    const { text, report } = skillCatalog(lib, { query: 'fill PDF forms', budget })
    expect(text).toBe(`<available_skills>\n${PDF_BLOCK}</available_skills>\n`)
    expect(report.skills.map((s) => [s.name, s.score, s.decision, s.cause])).toEqual([
      ['pdf-processing', 3, 'listed', 'FITS'],
      ['changelog-writer', 0, 'omitted', 'NOT_RELEVANT'],
      ['csv-cleanup', 0, 'omitted', 'NOT_RELEVANT'],
    ])
    const tight = skillCatalog(fakeLibrary([pdf, skill('d/docx', 'docx', 'Fill Word forms.'), csv]), { query: 'fill PDF forms', budget: WRAPPER + o200k.count(PDF_BLOCK) })
    expect(tight.report.skills.map((s) => [s.name, s.cause])).toEqual([
      ['pdf-processing', 'FITS'],
      ['docx', 'BUDGET'],
      ['csv-cleanup', 'NOT_RELEVANT'],
    ])
  })

  it('a blank query is no query: name order, no scores, match not asked', () => {
    const lib = three()
    const { report } = skillCatalog(lib, { query: '  ' })
    expect(report.query).toBeNull()
    expect(report.skills.map((s) => s.name)).toEqual(['changelog-writer', 'csv-cleanup', 'pdf-processing'])
    expect(report.skills.every((s) => !('score' in s))).toBe(true)
    expect(lib.queries).toEqual([])
  })
})

describe('skillCatalog: options and counters', () => {
  it('refuses bad options with InvalidOptionError naming the option', () => {
    const lib = three()
    const bad: [object, string][] = [
      [{ budget: -1 }, 'budget'],
      [{ budget: Number.NaN }, 'budget'],
      [{ budget: '100' }, 'budget'],
      [{ query: 5 }, 'query'],
      [{ format: 'html' }, 'format'],
      [{ counter: {} }, 'counter'],
      [{ counter: { encoding: 'x', count: () => 1.5 } }, 'counter'],
    ]
    for (const [options, option] of bad) {
      let thrown: unknown
      try {
        skillCatalog(lib, options as never)
      } catch (error) {
        thrown = error
      }
      expect(thrown, JSON.stringify(options)).toBeInstanceOf(InvalidOptionError)
      expect((thrown as InvalidOptionError).option).toBe(option)
      expect((thrown as InvalidOptionError).code).toBe('INVALID_OPTION')
    }
    expect(() => skillCatalog({} as CatalogLibrary)).toThrow(/must be a loaded library/)
  })

  it('counts with the counter given (cl100k_base), and names its encoding', () => {
    const cl100k = createTokenCounter({ encoding: 'cl100k_base' })
    const { text, report } = skillCatalog(three(), { counter: cl100k })
    expect(report.encoding).toBe('cl100k_base')
    expect(report.totalTokens).toBe(cl100k.count(text))
    expect(report.wrapperTokens).toBe(cl100k.count('<available_skills>\n</available_skills>\n'))
  })

  it('a custom counter that does not add up over lines is detected: the choice is made again on whole-text counts', () => {
    // Lines squared: the sum of the parts undercounts the whole, so the first pass overshoots.
    const squares: TokenCounter = { encoding: 'lines-squared', count: (t) => (t === '' ? 0 : t.split('\n').length ** 2) }
    const lib = three()
    for (const budget of [0, 36, 63, 64, 100, 200, 400]) {
      const { text, report } = skillCatalog(lib, { counter: squares, budget })
      expect(report.totalTokens).toBe(squares.count(text))
      expect(report.totalTokens).toBeLessThanOrEqual(budget)
      expect(report.listed).toBe(text === '' ? 0 : (text.match(/<skill>/g) ?? []).length)
    }
    // 2 wrapper lines + 5 lines per skill + the empty piece after the last line break: one skill 8 pieces = 64, two 13 = 169, three 18 = 324.
    expect([64, 168, 169, 324].map((budget) => skillCatalog(lib, { counter: squares, budget }).report.listed)).toEqual([1, 1, 2, 3])
    expect(skillCatalog(lib, { counter: squares }).report.encoding).toBe('lines-squared')
  })

  it('a custom counter whose parts overcount the whole is caught too, even when the sums list nothing', () => {
    const hundreds: TokenCounter = { encoding: 'per-110', count: (t) => Math.ceil(t.length / 110) }
    const lib = fakeLibrary([changelog])
    const whole = `<available_skills>\n${CHANGELOG_BLOCK}</available_skills>\n`
    // The wrapper (39 characters) and the block (180) cost 1 + 2 = 3 counted apart, 2 counted together (219).
    expect([hundreds.count('<available_skills>\n</available_skills>\n'), hundreds.count(CHANGELOG_BLOCK), hundreds.count(whole)]).toEqual([1, 2, 2])
    const { text, report } = skillCatalog(lib, { counter: hundreds, budget: 2 })
    expect(text).toBe(whole)
    expect(report).toMatchObject({ totalTokens: 2, wrapperTokens: 1, listed: 1 })
    expect(report.skills[0]).toMatchObject({ tokens: 2, decision: 'listed', cause: 'FITS' })
  })

  it('every cause has its sentence', () => {
    expect(CATALOG_CAUSES.map((c) => describeCatalogCause(c))).toEqual([
      'listed',
      'does not fit in the budget left by the skills ranked before it',
      'matches nothing in the query and does not fit in the budget left by the skills that do',
      'has no description to be chosen by',
    ])
  })
})

describe('skillCatalog: properties (o200k_base)', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '\n', '\r', '\t', '/', '&', '<', '>', '`', '*', '_', '-', '#', 'é', '日', '😀', '\u00a0', '\ufeff', '1', '.', ':') , maxLength: 40 })
  const skillArb = fc.record({ folder: fc.stringMatching(/^[a-z][a-z0-9/-]{0,12}$/), name: fc.option(text, { nil: undefined }), description: fc.option(text, { nil: undefined }) })

  it('never over budget; totalTokens is a fresh count of the text and the sum of wrapper and listed blocks; empty iff none listed', () => {
    fc.assert(
      fc.property(
        fc.array(skillArb, { maxLength: 8 }),
        fc.option(fc.nat({ max: 400 }), { nil: undefined }),
        fc.option(fc.constantFrom('pdf forms', 'a z', 'nothing'), { nil: undefined }),
        fc.constantFrom('xml' as const, 'markdown' as const),
        (specs, budget, query, format) => {
          const entries = specs.map((s, i) => skill(`${s.folder}${i}`, s.name, s.description))
          const { text: out, report } = skillCatalog(fakeLibrary(entries), { ...(budget !== undefined ? { budget } : {}), ...(query !== undefined ? { query } : {}), format })
          expect(report.totalTokens).toBe(o200k.count(out))
          if (budget !== undefined) expect(report.totalTokens).toBeLessThanOrEqual(budget)
          expect(out === '').toBe(report.listed === 0)
          const listed = report.skills.filter((s) => s.decision === 'listed')
          expect(listed).toHaveLength(report.listed)
          expect(report.listed + report.omitted).toBe(entries.length)
          if (report.listed > 0) expect(report.totalTokens).toBe(report.wrapperTokens + listed.reduce((n, s) => n + s.tokens, 0))
          if (budget === undefined) expect(report.skills.filter((s) => s.decision === 'omitted').every((s) => s.cause === 'NO_DESCRIPTION')).toBe(true)
          // Greedy: every skill omitted for the budget would not have fitted in what was left.
          for (const s of report.skills) if (s.cause === 'BUDGET' || s.cause === 'NOT_RELEVANT') expect(report.wrapperTokens + listed.reduce((n, l) => n + l.tokens, 0) + s.tokens).toBeGreaterThan(budget ?? Number.POSITIVE_INFINITY)
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('skillCatalog over fixtures/skills (loadLibrary)', () => {
  const root = join(repoRoot, 'fixtures/skills')

  it('lists the six skills, not the README; each total is an independent count (js-tiktoken) and adds up', async () => {
    const library = await loadLibrary({ root })
    for (const format of ['xml', 'markdown'] as const) {
      const { text, report } = skillCatalog(library, { format })
      expect(report.skills.map((s) => s.name)).toEqual(['changelog-writer', 'csv-cleanup', 'docx-editing', 'incident-postmortem', 'literature-review', 'pdf-processing'])
      expect(report.skills.map((s) => s.path)).toEqual([
        'engineering/changelog-writer/SKILL.md',
        'data/csv-cleanup/SKILL.md',
        'documents/docx-editing/SKILL.md',
        'ops/incident-postmortem/SKILL.md',
        'research/literature-review/SKILL.md',
        'documents/pdf-processing/SKILL.md',
      ])
      expect(report.totalTokens).toBe(tiktokenCount(text))
      expect(report.totalTokens).toBe(report.wrapperTokens + report.skills.reduce((n, s) => n + s.tokens, 0))
      expect(text).not.toContain('README')
    }
    const { report } = skillCatalog(library, { budget: 400 })
    expect(report.skills.map((s) => [s.tokens, s.decision])).toEqual([
      [61, 'listed'],
      [71, 'listed'],
      [63, 'listed'],
      [91, 'listed'],
      [169, 'omitted'],
      [61, 'listed'],
    ])
    expect(report.skills.map((s) => s.uri)).toEqual([
      'skill://engineering/changelog-writer',
      'skill://data/csv-cleanup',
      'skill://documents/docx-editing',
      'skill://ops/incident-postmortem',
      'skill://research/literature-review',
      'skill://documents/pdf-processing',
    ])
    // A skill folder as the root: its one skill, at SKILL.md, named by the root's folder in its URI.
    const single = skillCatalog(await loadLibrary({ root: join(root, 'documents/pdf-processing') }))
    expect(single.report.skills.map((s) => [s.name, s.path, s.uri])).toEqual([['pdf-processing', 'SKILL.md', 'skill://pdf-processing']])
    expect(single.text).toContain('<location>SKILL.md</location>\n')
  })

  it('docs/skills.md shows the blocks for budget 130 as they are', async () => {
    const library = await loadLibrary({ root })
    const docs = readFileSync(join(repoRoot, 'docs/skills.md'), 'utf8')
    const section = docs.slice(docs.indexOf('## Catalogs'))
    const blocks = [...section.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1])
    expect(blocks.slice(0, 2)).toEqual([skillCatalog(library, { budget: 130 }).text, skillCatalog(library, { budget: 130, format: 'markdown' }).text])
    expect(skillCatalog(library, { budget: 130 }).report).toMatchObject({ totalTokens: 71, wrapperTokens: 10, listed: 1 })
    expect(skillCatalog(library, { budget: 130, format: 'markdown' }).report).toMatchObject({ totalTokens: 102, wrapperTokens: 4, listed: 2 })
  })

  it('a query puts the matching skill first; absolute locations are below the real root', async () => {
    const library = await loadLibrary({ root })
    const { report } = skillCatalog(library, { query: 'fill in a PDF form', budget: 200 })
    expect(report.skills[0]).toMatchObject({ name: 'pdf-processing', decision: 'listed', cause: 'FITS' })
    expect(report.skills[0]!.score).toBeGreaterThan(0)
    expect(report.totalTokens).toBeLessThanOrEqual(200)
    // (A budget that fits the absolute locations of any checkout folder: a long one would leave the skill out at 80.)
    const { text } = skillCatalog(library, { location: 'absolute', budget: 1000 })
    expect(text).toContain(`<location>${join(realpathSync(root), 'engineering/changelog-writer/SKILL.md')}</location>\n`)
  })
})
