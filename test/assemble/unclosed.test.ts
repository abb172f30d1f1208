/**
 * An inlined document that ends inside an unclosed fence, comment or `<pre>` is closed
 * right after it, so the core text after its slot keeps its structure; a warning names it.
 * (Issue 17, item 5: an example ending inside a fence turned every later core section into code.)
 */
import { describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { parseDocument } from '../../src/parse/document.js'
import { memoryResolver } from '../../src/resolve/resolver.js'
import { tiktokenCount } from '../helpers/oracle.js'

const AGENT = '# Agent\n\n## Example\n\n```\norchestr8://examples/x\n```\n\n## Rules\n\nNEVER run rm -rf.\n'
const CORE_AFTER = '\n## Rules\n\nNEVER run rm -rf.\n'

async function inline(example: string) {
  const resolver = memoryResolver({ 'orchestr8://examples/x': `---\nid: x\n---\n${example}` })
  const { text, report } = await assemble(AGENT, { resolver })
  expect(report.references[0]?.decision).toBe('inlined')
  expect(report.totalTokens).toBe(tiktokenCount(text))
  return { text, report }
}

const titles = (text: string) => parseDocument(text).sections.map((s) => `${s.depth} ${s.title}`)

describe('inlined content cannot change the structure around it', () => {
  const cases: { name: string; example: string; inlined: string; close: string; line: number; kind: string }[] = [
    { name: 'a backtick fence', example: '# X\n\n```bash\nls\n', inlined: '### X\n\n```bash\nls\n```\n', close: '```', line: 6, kind: 'a fenced code block' },
    { name: 'a longer fence (a shorter one inside does not close it)', example: '# X\n\n`````md\n```\nls\n', inlined: '### X\n\n`````md\n```\nls\n`````\n', close: '`````', line: 6, kind: 'a fenced code block' },
    { name: 'a tilde fence', example: '# X\n\n~~~~\nls\n~~~\n', inlined: '### X\n\n~~~~\nls\n~~~\n~~~~\n', close: '~~~~', line: 6, kind: 'a fenced code block' },
    { name: 'a fence that is only its opening line, without a line break', example: '# X\n\n```', inlined: '### X\n\n```\n```\n', close: '```', line: 6, kind: 'a fenced code block' },
    { name: 'an HTML comment', example: '# X\n\n<!-- note\n\nmore\n', inlined: '### X\n\n<!-- note\n\nmore\n-->\n', close: '-->', line: 6, kind: 'an HTML comment' },
    { name: 'a <pre> block', example: '# X\n\n<PRE class="a">\nx\n\ny\n', inlined: '### X\n\n<PRE class="a">\nx\n\ny\n</pre>\n', close: '</pre>', line: 6, kind: 'an HTML block' },
    { name: 'a fence with CRLF line ends', example: '# X\r\n\r\n```\r\nls\r\n', inlined: '### X\r\n\r\n```\r\nls\r\n```\n', close: '```', line: 6, kind: 'a fenced code block' },
    { name: 'a fence with lone CR line ends', example: '# X\r\r```\rls\r', inlined: '### X\r\r```\rls\r\n```\n', close: '```', line: 4, kind: 'a fenced code block' },
  ]
  // Lines of diagnostics count line feeds, as everywhere in promptfold: a lone CR body is one line.
  for (const c of cases) {
    it(`closes ${c.name} after the inlined body, with a warning naming the document`, async () => {
      const { text, report } = await inline(c.example)
      expect(text).toBe(`# Agent\n\n## Example\n\n${c.inlined}${CORE_AFTER}`)
      expect(titles(text)).toEqual(['1 Agent', '2 Example', '3 X', '2 Rules'])
      const found = report.diagnostics.filter((d) => d.code === 'INLINED_UNCLOSED')
      expect(found).toEqual([
        {
          code: 'INLINED_UNCLOSED',
          severity: 'warning',
          message: `orchestr8://examples/x ends inside ${c.kind} opened at line ${c.line} and never closed; closed with ${c.close} where it is inlined, so the text after the slot keeps its structure`,
          file: 'orchestr8://examples/x',
          line: c.line,
        },
      ])
    })
  }

  it('before the fix the same example swallowed the rules: the unclosed text alone turns them into code', () => {
    const swallowed = `# Agent\n\n## Example\n\n### X\n\n\`\`\`bash\nls\n${CORE_AFTER}`
    expect(titles(swallowed)).toEqual(['1 Agent', '2 Example', '3 X'])
  })

  it('changes nothing for well-formed endings (closed fence, comment, <pre>, indented code, a <div>)', async () => {
    const endings = ['```\nls\n```\n', '```\nls\n```', '~~~~\nls\n~~~~~\n', '<!-- a -->\n', '<!--\na\n-->', '<pre>\nx\n</pre>', '<pre>x</pre>\n', '    code\n', '<div>\nx\n', 'text\n']
    for (const ending of endings) {
      const { text, report } = await inline(`# X\n\n${ending}`)
      const body = ending.endsWith('\n') ? ending : `${ending}\n`
      expect(text).toBe(`# Agent\n\n## Example\n\n### X\n\n${body}${CORE_AFTER}`)
      expect(report.diagnostics.filter((d) => d.code === 'INLINED_UNCLOSED')).toEqual([])
    }
  })

  it('a fence of slots left open is replaced by what it names, so nothing is added for it', async () => {
    const resolver = memoryResolver({
      'orchestr8://examples/x': '---\nid: x\n---\n# X\n\n```\norchestr8://examples/y\n',
      'orchestr8://examples/y': '---\nid: y\n---\n# Y\n\nplain\n',
    })
    const { text, report } = await assemble(AGENT, { resolver })
    expect(text).toBe(`# Agent\n\n## Example\n\n### X\n\n#### Y\n\nplain\n${CORE_AFTER}`)
    expect(report.diagnostics.filter((d) => d.code === 'INLINED_UNCLOSED')).toEqual([])
  })

  it('a nested document is closed where it is inlined, inside its parent; its measured cost includes the closing line', async () => {
    const resolver = memoryResolver({
      'orchestr8://examples/x': '---\nid: x\n---\n# X\n\n```\norchestr8://examples/y\n```\n\nAfter y.\n',
      'orchestr8://examples/y': '---\nid: y\n---\n# Y\n\n<!--\nopen\n',
    })
    const { text, report } = await assemble(AGENT, { resolver })
    expect(text).toBe(`# Agent\n\n## Example\n\n### X\n\n#### Y\n\n<!--\nopen\n-->\n\nAfter y.\n${CORE_AFTER}`)
    expect(report.totalTokens).toBe(tiktokenCount(text))
    expect(report.diagnostics.filter((d) => d.code === 'INLINED_UNCLOSED').map((d) => [d.file, d.line])).toEqual([['orchestr8://examples/y', 6]])
    // The closing line is part of the document's measured cost.
    const y = report.references.find((r) => r.uri === 'orchestr8://examples/y')
    expect(y?.tokens).toBe(tiktokenCount('# Y\n\n<!--\nopen\n-->\n'))
  })

  it('the file path names the document when the resolver gives one, and the line counts the frontmatter', async () => {
    const resolver = (uri: string) => (uri === 'orchestr8://examples/x' ? { source: '---\nid: x\ntags: [a]\n---\n# X\n\n```\nls\n', path: 'examples/x.md' } : undefined)
    const { report } = await assemble(AGENT, { resolver })
    expect(report.diagnostics.filter((d) => d.code === 'INLINED_UNCLOSED').map((d) => [d.file, d.line])).toEqual([['examples/x.md', 7]])
  })

  it('a parse store keeps openEnd; a stored openEnd that is not a closing line is refused and the source parsed again', () => {
    const entries = new Map<string, unknown>()
    const parseStore = { get: (k: string) => entries.get(k), set: (k: string, v: unknown) => void entries.set(k, v) }
    const source = '# X\n\n~~~\nx\n'
    expect(parseDocument(source, { parseStore }).openEnd).toEqual({ kind: 'fence', close: '~~~', line: 3 })
    expect(entries.size).toBe(1)
    expect(parseDocument(source, { parseStore }).openEnd).toEqual({ kind: 'fence', close: '~~~', line: 3 })
    for (const [k, v] of entries) entries.set(k, { ...(v as object), openEnd: { kind: 'fence', close: '~~~\n## Injected', line: 3 } })
    expect(parseDocument(source, { parseStore }).openEnd).toEqual({ kind: 'fence', close: '~~~', line: 3 })
  })

  it('parseDocument records what the body leaves open (openEnd); a well-formed body has none', () => {
    expect(parseDocument('# X\n\n````js\nx\n```\n').openEnd).toEqual({ kind: 'fence', close: '````', line: 3 })
    expect(parseDocument('---\nid: a\n---\n<script>\nx\n').openEnd).toEqual({ kind: 'html', close: '</script>', line: 4 })
    expect(parseDocument('<![CDATA[\nx\n').openEnd).toEqual({ kind: 'html', close: ']]>', line: 1 })
    expect(parseDocument('<?php\nx\n').openEnd).toEqual({ kind: 'html', close: '?>', line: 1 })
    expect(parseDocument('<!DOCTYPE\nx\n').openEnd).toEqual({ kind: 'html', close: '>', line: 1 })
    expect(parseDocument('# X\n\n```\nx\n```\n').openEnd).toBeUndefined()
    expect(parseDocument('> ```\n> x\n').openEnd).toBeUndefined()
  })
})
