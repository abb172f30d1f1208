/**
 * One heading source: `library.title`, `library.document().title` and the match index's
 * `title` and `headings` fields all come from the markdown parse.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Library, loadLibrary } from '../../src/library/index.js'

const DOCS: Record<string, string> = {
  // Setext title and a setext second-level heading.
  'skills/setext.md': '---\nid: setext\n---\n\nQuasar Calibration\n==================\n\nIntro.\n\nNebula Alignment\n----------------\n\nBody.\n',
  // ATX with closing hashes, emphasis, code and a link in the heading.
  'skills/atx.md': '# The *Pulsar* `drift` [guide](https://example.com) ##\n\n## **Bold** _magnetar_ tuning\n\nBody.\n',
  // Heading-shaped lines inside fences (backticks, tildes, indented code) are not headings.
  'skills/fenced.md':
    '```markdown\n# Comet Fence\n```\n\n~~~\nGalaxy Tilde\n============\n~~~\n\n    # Indented Orbit\n\nReal Title Here\n===============\n\n## Second\n',
  // No heading at all: the id is the title.
  'skills/untitled.md': '---\nid: untitled-thing\n---\nJust prose, with a --- rule below.\n\n---\n',
  // An empty first heading is skipped.
  'skills/empty-first.md': '#\n\n# Meteor Shower\n',
  // A paragraph line followed by "---" is a setext heading, not a rule.
  'skills/dash.md': 'Eclipse Window\n---\n\nText.\n',
}

let base: string
let library: Library
beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), 'promptfold-titles-'))
  for (const [rel, text] of Object.entries(DOCS)) {
    mkdirSync(path.join(base, path.dirname(rel)), { recursive: true })
    writeFileSync(path.join(base, rel), text)
  }
  library = await loadLibrary({ root: base })
})
afterAll(() => rmSync(base, { recursive: true, force: true }))

describe('library.title is the parsed title', () => {
  it.each([
    ['setext', 'Quasar Calibration'],
    ['atx', 'The Pulsar drift guide'],
    ['fenced', 'Real Title Here'],
    ['untitled', 'untitled-thing'],
    ['empty-first', 'Meteor Shower'],
    ['dash', 'Eclipse Window'],
  ])('%s: %s, the same as library.document().title', (ref, title) => {
    expect(library.title(ref)).toBe(title)
    expect(library.document(ref)?.title).toBe(title)
  })

  it('is undefined for an unknown reference', () => {
    expect(library.title('nope')).toBeUndefined()
  })
})

describe('the match index reads titles and headings from the parse', () => {
  const fieldsFor = (query: string) => library.match(query).map((r) => [r.uri.replace('orchestr8://skills/', ''), r.fields])

  it('a setext title is the title field, a setext subheading the headings field', () => {
    expect(fieldsFor('quasar')).toEqual([['setext', ['title']]])
    expect(fieldsFor('nebula')).toEqual([['setext', ['headings']]])
  })

  it('emphasis and code in ATX headings are text; closing hashes are not', () => {
    expect(fieldsFor('pulsar drift')).toEqual([['atx', ['title']]])
    expect(fieldsFor('magnetar')).toEqual([['atx', ['headings']]])
  })

  it('heading-shaped lines in fenced and indented code are not headings', () => {
    expect(fieldsFor('comet galaxy orbit')).toEqual([])
    expect(fieldsFor('second')).toEqual([['fenced', ['headings']]])
  })

  it('a line underlined with --- is a heading; an empty heading is skipped', () => {
    expect(fieldsFor('eclipse')).toEqual([['dash', ['title']]])
    expect(fieldsFor('meteor')).toEqual([['empty-first', ['title']]])
  })
})
