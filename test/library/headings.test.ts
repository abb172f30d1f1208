/**
 * The heading scan (src/library/headings.ts) answers only when it agrees with the parser.
 */
import { readdirSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scanHeadings } from '../../src/library/headings.js'
import { readFrontmatter } from '../../src/parse/frontmatter.js'
import { body, documentTitles, parsedTitles } from './headings-gen.js'
import { repoRoot } from './helpers.js'

describe('scanHeadings', () => {
  it('reads ATX headings outside fences, with closing sequences and empty ones', () => {
    const text = ['# Title', '', 'Text #not', '```ts', '# in code', '```', '## Second ##', '#hashtag', '### ###', '~~~~', '# still code', '~~~', '# still code', '~~~~~', '###### Six #x'].join('\n')
    expect(scanHeadings(text)).toEqual(['Title', 'Second', '', 'Six #x'])
    expect(parsedTitles(text)).toEqual(['Title', 'Second', '', 'Six #x'])
  })

  it('reads to the end of an unclosed top-level fence, and through list items and quotes without headings', () => {
    const text = ['# A', '- item', '  more', '1. step', '   ```bash', '   # comment', '   ```', '> quoted text', '```', '# code to the end'].join('\n')
    expect(scanHeadings(text)).toEqual(['A'])
    expect(parsedTitles(text)).toEqual(['A'])
  })

  it('reads code spans of single backticks and bare ampersands as the parser does', () => {
    const text = ['# Setup & Indexing', '## The `/patterns/` folder', '## ` padded ` and `x`', '## R&D'].join('\n')
    expect(scanHeadings(text)).toEqual(['Setup & Indexing', 'The /patterns/ folder', 'padded and x', 'R&D'])
    expect(parsedTitles(text)).toEqual(['Setup & Indexing', 'The /patterns/ folder', 'padded and x', 'R&D'])
  })

  it('follows a list item holding a fence: a line left of its content ends the item and the fence', () => {
    // The shape of orchestr8's agents/agent-architect.md: a fence reopened inside an item, closed by the next item.
    const text = ['# Steps', '', '1. **Write**', '', '   ```markdown', '   # not a heading', '   ```', '', '   [explain]', '   ```', '', '2. **Next**', '', '## After', '   ```', '# in a top-level fence', '```', '## End'].join('\n')
    expect(scanHeadings(text)).toEqual(['Steps', 'After', 'End'])
    expect(parsedTitles(text)).toEqual(['Steps', 'After', 'End'])
  })

  it('declines a fence whose container it cannot know (a lazy line, a nested list)', () => {
    for (const text of ['1. a\nlazy\n   ```\n# x\n   ```', '- a\n  - b\n\n    ```\n  # x\n    ```']) {
      expect(scanHeadings(text), JSON.stringify(text)).toBeUndefined()
    }
  })

  it('declines what a line scan cannot be sure of', () => {
    for (const text of ['Title\n===', 'Para\n---', '<div>\n# x\n</div>', '- # In item', '> # Quoted', '    # indented', '  # indented', '# With ``code``', '# Odd ` tick', '# *Emphasis*', '# a\\#', '# Tom &amp; Jerry', '- x\n  ```\nout\n  ```', 'a\r\n# b', '\t# tab', '   ```\n    ```\n# after']) {
      expect(scanHeadings(text), JSON.stringify(text)).toBeUndefined()
    }
  })

  it('reads only spaces and tabs as blank: a line of U+00A0 is text (a setext heading above "---"), and so is a fence followed by one', () => {
    expect(parsedTitles('\u00a0\n---')).toEqual([''])
    expect(scanHeadings('\u00a0\n---')).toBeUndefined()
    expect(scanHeadings('```\n```\u00a0\n# Inside\n```\n# After')).toEqual(parsedTitles('```\n```\u00a0\n# Inside\n```\n# After'))
    expect(scanHeadings('```\n```\u00a0\n# Inside\n```\n# After')).toEqual(['After'])
    expect(scanHeadings('# ` \u00a0 `')).toEqual(parsedTitles('# ` \u00a0 `'))
  })

  it('looks at each line of a fence once, however many backticks it holds after other text', () => {
    // A closing fence is three backticks after spaces only: each line is looked at once, not once
    // per backtick (a search from each would take minutes on these).
    const wide = `# Top\n\n\`\`\`\nx${'`'.repeat(250_000)}\n`
    expect(scanHeadings(wide)).toEqual(['Top'])
    const many = `\`\`\`\n${`x ${'`'.repeat(200)}\n`.repeat(1200)}\`\`\`\n\n# After\n`
    expect(scanHeadings(many)).toEqual(['After'])
  })

  it('agrees with the parser on every fixture it answers for', () => {
    let answered = 0
    const root = path.join(repoRoot, 'fixtures')
    for (const rel of readdirSync(root, { recursive: true }) as string[]) {
      if (!/\.mdc?$/i.test(rel)) continue
      let source = readFileSync(path.join(root, rel), 'utf8')
      if (source.charCodeAt(0) === 0xfeff) source = source.slice(1)
      const titles = scanHeadings(source.slice(readFrontmatter(source, undefined, rel).bodyOffset))
      if (titles === undefined) continue
      answered++
      expect(titles, rel).toEqual(documentTitles(source, rel))
    }
    expect(answered).toBeGreaterThan(50)
  })

  it('agrees with the parser on generated bodies (when it answers, which it does for many)', () => {
    let answered = 0
    fc.assert(
      fc.property(body(20), (text) => {
        const titles = scanHeadings(text)
        if (titles === undefined) return
        answered++
        expect(titles).toEqual(parsedTitles(text))
      }),
      { numRuns: 200, seed: 14 },
    )
    expect(answered).toBeGreaterThan(40)
  })
})
