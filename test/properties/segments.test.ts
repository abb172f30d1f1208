/**
 * Long bodies are parsed in segments (micromark is quadratic in the number of closed
 * containers). The joined tree must be exactly the tree a single parse gives: same nodes,
 * same positions. Generated markdown stresses every construct that can run across a blank
 * line: fences, HTML blocks, lists with continuation paragraphs, quotes, indented code,
 * definitions, setext headings, tabs, CRLF and lone CR line ends.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseDocument } from '../../src/parse/document.js'
import { parseMarkdown, segmentCuts } from '../../src/parse/markdown.js'
import { type Section, sectionAt } from '../../src/parse/sections.js'
import { shiftHeadings } from '../../src/render/headings.js'
import { runs } from './generators.js'

const piece = fc.constantFrom(
  '# Heading', '## Sub', 'Setext\n===', 'Setext\n---', '---', '***', 'Plain paragraph text.', 'Another\nparagraph line',
  '- item', '- item\n\n  continued paragraph', '1. first\n2. second', '* star', '+ plus', '- a\n- b\n\n- c',
  '> quote', '> quote\nlazy continuation', '> a\n>\n> b', '>', '- > quote in list',
  '```\ncode\n\nmore code\n```', '```python\nx = 1\n\n# orchestr8://not/a/ref\n```', '~~~\ntilde\n\n~~~', '````\n```\n\n````', '```\nunclosed fence',
  '    indented code\n\n    more', '\tTabbed code', ' leading space', '   three spaces',
  '<div>\nhtml\n</div>', '<!--\n\ncomment\n\n-->', '<pre>\n\npre text\n\n</pre>', '<script>\n\nx\n\n</script>', '<?php\n\n?>', '<!DOCTYPE html>',
  '<![CDATA[\n\n]]>', '<custom-tag>', '[ref]: https://example.com', 'Use [ref] here', '[^note]: footnote text',
  '**→ Load:** orchestr8://lib/a', 'orchestr8://lib/b', '```\norchestr8://lib/c\n```', 'See orchestr8://lib/d in text.', '| a | b |\n| - | - |',
  '', '', '', ' ', '\t',
)

const markdown = fc
  .tuple(fc.array(piece, { minLength: 1, maxLength: 60 }), fc.constantFrom('\n\n', '\n', '\n\n\n', '\r\n\r\n', '\r\r', '\n \n'), fc.boolean())
  .map(([pieces, sep, crlf]) => {
    const text = pieces.join(sep)
    return crlf ? text.replace(/\r?\n/g, '\r\n') : text
  })

describe('segmented markdown parsing (fast-check)', () => {
  it('gives exactly the tree of a single parse', () => {
    fc.assert(
      fc.property(markdown, fc.integer({ min: 1, max: 300 }), (text, size) => {
        const whole = parseMarkdown(text, Number.POSITIVE_INFINITY)
        const parts = parseMarkdown(text, size)
        expect(parts).toEqual(whole)
      }),
      runs(1500),
    )
  })

  it('cuts bodies that are long and made of many small lists, and parses them in linear time', () => {
    const text = Array.from({ length: 8000 }, (_, i) => (i % 2 ? `- orchestr8://lib/d${i}` : `Also text ${i}.`)).join('\n\n')
    expect(segmentCuts(text, 16 * 1024).length).toBeGreaterThan(5)
    const t = performance.now()
    const doc = parseDocument(text)
    expect(performance.now() - t).toBeLessThan(20_000)
    expect(doc.references).toHaveLength(4000)
    expect(doc.references.every((r) => r.kind === 'slot')).toBe(true)
    expect(doc.references.at(-1)?.position.line).toBe(15_999)
  })

  it('never cuts a body with link reference definitions, or inside fences and HTML blocks', () => {
    expect(segmentCuts(`${'para\n\n'.repeat(100)}[x]: /u\n`, 10)).toEqual([])
    const fenced = `\`\`\`\n${'a\n\nb\n\n'.repeat(50)}\`\`\`\n`
    expect(segmentCuts(fenced, 10)).toEqual([])
    const html = `<!--\n${'a\n\nb\n\n'.repeat(50)}-->\n`
    expect(segmentCuts(html, 10)).toEqual([])
  })
})

/** The linear scans that `sectionAt` and `shiftHeadings` replaced with binary searches, as oracles. */
function sectionAtScan(sections: readonly Section[], offset: number): Section | undefined {
  let found: Section | undefined
  for (const s of sections) {
    if (s.start.offset > offset) break
    if (offset < s.end.offset) found = s
  }
  return found
}

describe('binary-searched section lookups (fast-check)', () => {
  it('sectionAt and shiftHeadings agree with a linear scan at every offset and range', () => {
    fc.assert(
      fc.property(markdown, fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 8 }), fc.integer({ min: -3, max: 3 }), (body, ranges, shiftBy) => {
        const text = `# Top\n\n${body}\n\n## Tail\n`
        const doc = parseDocument(text)
        for (let o = 0; o <= text.length; o++) expect(sectionAt(doc.sections, o)).toBe(sectionAtScan(doc.sections, o))
        for (const [a, b] of ranges) {
          const start = Math.min(a, b) % (text.length + 1)
          const end = Math.min(text.length, start + (Math.max(a, b) % (text.length + 1)))
          // Reference: shift only the sections inside [start, end), one by one, with the full list scanned.
          const inside = doc.sections.filter((s) => s.start.offset >= start && s.start.offset < end)
          expect(shiftHeadings(text, start, end, doc.sections, shiftBy)).toBe(shiftHeadings(text, start, end, inside, shiftBy))
        }
      }),
      runs(400),
    )
  })
})
