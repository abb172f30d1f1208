/**
 * The heading scan (src/library/headings.ts) against the parser at length: many generated
 * bodies, and every document of the shared corpora (read at run time, when present).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scanHeadings } from '../../src/library/headings.js'
import { readFrontmatter } from '../../src/parse/frontmatter.js'
import { body, documentTitles, parsedTitles } from '../library/headings-gen.js'
import { repoRoot } from '../library/helpers.js'

const CORPUS = path.resolve(repoRoot, '..', 'shared', 'corpus')

describe('scanHeadings agrees with the parser whenever it answers', () => {
  it('on generated bodies', () => {
    let answered = 0
    fc.assert(
      fc.property(body(60), (text) => {
        const titles = scanHeadings(text)
        if (titles === undefined) return
        answered++
        expect(titles).toEqual(parsedTitles(text))
      }),
      { numRuns: 3000 },
    )
    expect(answered).toBeGreaterThan(300)
  })

  it.skipIf(!existsSync(CORPUS))('on every document of the shared corpora', () => {
    let answered = 0
    let documents = 0
    for (const rel of readdirSync(CORPUS, { recursive: true }) as string[]) {
      if (!/\.mdc?$/i.test(rel)) continue
      documents++
      let source = readFileSync(path.join(CORPUS, rel), 'utf8')
      if (source.charCodeAt(0) === 0xfeff) source = source.slice(1)
      const bodyText = source.slice(readFrontmatter(source, undefined, rel).bodyOffset)
      const titles = scanHeadings(bodyText)
      if (titles === undefined) continue
      answered++
      expect(titles, rel).toEqual(documentTitles(source, rel))
    }
    // Most documents are plain enough (measured: 665 of the 669 documents of the orchestr8 resources, the shared corpora and the fixtures).
    expect(answered).toBeGreaterThan(documents / 2)
  })
})
