/**
 * Shared by the heading-scan tests: markdown bodies made of the lines that make or hide
 * headings, and the parser's answer to compare the scan with.
 */
import fc from 'fast-check'
import { parseDocument } from '../../src/parse/document.js'

/** Titles of a body's headings as `parseDocument` finds them in a document of that body under a frontmatter block. */
export function parsedTitles(body: string): string[] {
  return parseDocument(`---\nid: doc\n---\n${body}`, { path: 'x/doc.md' }).sections.map((s) => s.title)
}

/** Titles of a whole document's headings as `parseDocument` finds them. */
export function documentTitles(source: string, path: string): string[] {
  return parseDocument(source, { path }).sections.map((s) => s.title)
}

const plain = fc.constantFrom('alpha', 'Beta', 'gamma 2', 'δelta', 'x', 'kafka-streams', 'v1.2', 'a:b', '(paren)', "it's", '"quoted"', '#tag', '50%', 'a  b', '!bang', 'c++', '~tilde~', '&', 'R&D', '`x`', '` spaced `', '`a*b`', '`  `', '&copy', '&#;', 'pg_dump', 'a__b', '<50', '< 3', 'snake_case_name', '[Phase]', '[a] b', '<file>', '<T, E>', '**Bold**', '**Note:**', '** x**', '1.')
const markup = fc.constantFrom('*star*', '`code`', '[link](u)', '<b>', 'a\\b', '&amp;', '&#35;', '&#x23;', '_u_', '``double``', '`odd', '`a\\`', '_lead', 'trail_', '<x>', '<!-- c -->', '[a](b)', '[a][b]', '![i](u)', '<https://x.y>', '<a@b.co>', '**a*b**', '[x]: /url')
const word = fc.oneof({ weight: 9, arbitrary: plain }, { weight: 1, arbitrary: markup })
const text = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '))
const indent = fc.constantFrom('', '', '', '', '', ' ', '  ', '   ', '    ', '      ', '\t')
const fenceMark = fc.constantFrom('```', '````', '~~~', '```ts', '~~~~ info', '``` a`b')

/** A list item holding fenced code, and what may follow it (the item's next line, a sibling item, a lazy line, a heading, a break). */
const itemWithFence: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('1. ', '2. ', '1) ', '- ', '* ', '+ ', '10. ', '-  ', '1.    ', '  - ', ' 1. ', '-'),
    text,
    fc.constantFrom('', '\n'),
    fc.constantFrom(' ', '  ', '   ', '    '),
    fenceMark,
    fc.array(fc.oneof(text, fc.constant('# not a heading'), fc.constant('```'), fc.constant('~~~'), fc.constant('')), { maxLength: 3 }),
    fc.array(fc.constantFrom(' ', '  ', '   ', '', '    '), { minLength: 3, maxLength: 3 }),
    fc.constantFrom('', '\n'),
    fc.constantFrom('2. next item', '- next', '# Heading after', 'lazy text', '  indented text', '* * *', '---', '> quote', '   ```', '```', '## Two', '   # in item'),
  )
  .map(([marker, t, gap, fenceIndent, mark, content, indents, gap2, after]) => {
    const inside = content.map((c, i) => (c === '' ? '' : `${indents[i % 3]}${c}`))
    return [`${marker}${t}`, gap, `${fenceIndent}${mark}`, ...inside, gap2, after].filter((l, i) => l !== '' || i === 1 || i === 5).join('\n')
  })

/** One line (or a few) of markdown. */
const line: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: itemWithFence },
  { weight: 5, arbitrary: fc.tuple(fc.integer({ min: 1, max: 7 }), text, fc.constantFrom('', ' #', ' ##', '#', '  ')).map(([n, t, close]) => `${'#'.repeat(n)} ${t}${close}`) },
  { weight: 1, arbitrary: fc.constantFrom('#', '##', '# ', '### ###', '#no-space', '#\tTabbed') },
  { weight: 4, arbitrary: text },
  { weight: 1, arbitrary: fc.constantFrom('[Phase]: /url', '[a]: <b>', 'see [a]', '- **[Phase]:** done', '> [Phase]: /q', '1. [a]: /b', '   [Phase]:\n/url', '[Pha\nse]: /x', '**[a]:** b') },
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.tuple(indent, fenceMark).map(([i, f]) => `${i}${f}`) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('- ', '* ', '+ ', '1. ', '2) ', '  - ', '   1. '), fc.oneof(text, fc.constant('# In item'), fc.constant('```'), fc.constant('> q'))).map(([m, t]) => `${m}${t}`) },
  { weight: 2, arbitrary: fc.tuple(indent, fc.oneof(text, fc.constant('# indented'), fc.constant('```'))).map(([i, t]) => `${i}${t}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('> ', '>', '> > '), fc.oneof(text, fc.constant('# quoted'), fc.constant('```'), fc.constant('- # x'))).map(([q, t]) => `${q}${t}`) },
  { weight: 1, arbitrary: fc.constantFrom('✅ done', '- ✅ x', '1. **b**', '- **a**', '\u00a0', '\u00a0x', '* **', '12. x', '1234567890. x', '01. a', '2) c', '- \u3000', '**✅ x**', '** x', '\u0085x', '- * x', '😀 a', '3.  x', '7.     x', '```\u00a0', '\u00a0\u00a0', '# `\u00a0x\u00a0`', '# ` \u00a0 `') },
  { weight: 1, arbitrary: fc.constantFrom('===', '---', '- - -', '***', '___', '  ---', '<div>', '<!-- c -->', '</div>', '<details>', '<50 items', '- <50: few', '<?php', '<![CDATA[') },
)

/** A markdown body of up to `max` lines. */
export function body(max = 40): fc.Arbitrary<string> {
  return fc.array(line, { maxLength: max }).map((lines) => lines.join('\n'))
}
