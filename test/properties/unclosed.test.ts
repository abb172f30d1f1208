/**
 * Inlined content cannot change the structure around it: whatever an example ends with
 * (random prose, then an unclosed fence of either character and any length, an unclosed
 * comment, `<pre>` or other HTML block, or nothing open; LF, CRLF or lone CR), every core
 * heading after its slot is still a heading of the assembled text, the report's total is a
 * fresh count, and a warning is given exactly when something was closed.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { parseDocument } from '../../src/parse/document.js'
import { memoryResolver } from '../../src/resolve/resolver.js'
import { tiktokenCount } from '../helpers/oracle.js'
import { runs } from './generators.js'

const AGENT = '# Agent\n\n## Example\n\n```\norchestr8://examples/x\n```\n\n## Rules\n\nNEVER run rm -rf.\n\n## More\n\n```\norchestr8://examples/y\n```\n\nLast words.\n'

/** Lines of well-formed text before the ending. */
const prefixLine = fc.constantFrom(
  '',
  'Some prose with `code` and *emphasis*.',
  '## Sub heading',
  '```js\nconst a = 1\n```',
  '~~~\nx\n~~~',
  '> a quote',
  '- a list item',
  '<div>',
  '<!-- a closed comment -->',
  '<pre>x</pre>',
  '    indented code',
)

const indent = fc.constantFrom('', ' ', '   ')
const contentLine = fc.constantFrom('', 'x', 'rm -rf /', '``', '```', '~~~', '--', '->', '-- >', '<pre', '</pr', '?', ']]', '## Looks like a heading', '   ')

/** An ending that may leave something open. */
const ending = fc.oneof(
  fc.constant(''),
  fc
    .record({ char: fc.constantFrom('`', '~'), length: fc.integer({ min: 3, max: 7 }), info: fc.constantFrom('', 'bash', 'md', ' text'), indent })
    .map(({ char, length, info, indent }) => `${indent}${char.repeat(length)}${char === '`' ? info.replace(/`/g, '') : info}`),
  indent.map((i) => `${i}<!--`),
  fc.constantFrom('<!-->', '<!--->', '<!-- x --', '<!-- -- >'),
  fc.record({ tag: fc.constantFrom('pre', 'PRE', 'Script', 'style', 'textarea'), attrs: fc.constantFrom('', ' class="a"', '>', '>text') }).map(({ tag, attrs }) => `<${tag}${attrs}`),
  fc.constantFrom('<?php', '<!DOCTYPE html', '<![CDATA[', '<?x ?', '<?>', '<![CDATA[ ]]', '<!X>', '<pre></pre', '<pre/></pre>'),
)

const example = fc
  .record({
    prefix: fc.array(prefixLine, { maxLength: 5 }),
    open: ending,
    content: fc.array(contentLine, { maxLength: 4 }),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    final: fc.constantFrom('', 'eol', 'eol eol', ' '),
  })
  .map(({ prefix, open, content, eol, final }) => {
    const lines = ['# Example X', '', ...prefix.flatMap((l) => [l, '']), open, ...content]
    const text = lines.join('\n') + (final === '' ? '' : final === ' ' ? ' ' : final === 'eol' ? '\n' : '\n\n')
    return text.replace(/\n/g, eol)
  })

describe('inlined examples and the structure after their slots (fast-check)', () => {
  it('every core heading after a slot is still a heading; the total is a fresh count', async () => {
    await fc.assert(
      fc.asyncProperty(example, example, async (x, y) => {
        const resolver = memoryResolver({ 'orchestr8://examples/x': `---\nid: x\n---\n${x}`, 'orchestr8://examples/y': `---\nid: y\n---\n${y}` })
        const { text, report } = await assemble(AGENT, { resolver })
        expect(report.references.map((r) => r.decision)).toEqual(['inlined', 'inlined'])
        const headings = parseDocument(text).sections.map((s) => `${s.depth} ${s.title}`)
        const core = headings.filter((h) => ['1 Agent', '2 Example', '2 Rules', '2 More'].includes(h))
        expect(core).toEqual(['1 Agent', '2 Example', '2 Rules', '2 More'])
        expect(text.endsWith('\n\nLast words.\n')).toBe(true)
        expect(report.totalTokens).toBe(tiktokenCount(text))
        // A warning exactly for each document that was left open.
        const open = [x, y].filter((s) => parseDocument(`---\nid: z\n---\n${s}`).openEnd !== undefined).length
        expect(report.diagnostics.filter((d) => d.code === 'INLINED_UNCLOSED')).toHaveLength(open)
      }),
      runs(400),
    )
  })

  it('the unclosed endings it draws do swallow the core when nothing closes them', () => {
    let swallowed = 0
    fc.assert(
      fc.property(example, (x) => {
        const doc = parseDocument(x)
        const raw = `# Agent\n\n## Example\n\n${x.replace(/\s+$/, '')}\n\n## Rules\n\ntext\n`
        const kept = parseDocument(raw).sections.some((s) => s.title === 'Rules')
        // openEnd is set exactly when the raw concatenation loses the heading after it.
        expect(doc.openEnd !== undefined).toBe(!kept)
        if (!kept) swallowed++
      }),
      runs(400),
    )
    expect(swallowed).toBeGreaterThan(100)
  })
})
