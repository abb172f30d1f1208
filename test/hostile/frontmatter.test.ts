/**
 * Hostile frontmatter: each case is one generator. Each must give a diagnostic with a code,
 * the file and the line, keep the body, and let an assembly around it go on.
 */
import { describe, expect, it } from 'vitest'
import { type PromptDocument, parseDocument } from '../../src/parse/document.js'
import { MAX_FRONTMATTER_VALUES } from '../../src/parse/frontmatter.js'
import { assembleAround, hostileDiagnostics } from './harness.js'
import { elapsed, expectDiagnostic, expectWellFormed } from './helpers.js'

interface Case {
  name: string
  source: () => string
  /** Expected diagnostic code and line (file is always checked); undefined when the input is fine. */
  code?: string
  line?: number
  /** Extra checks on the parsed document. */
  check?: (doc: PromptDocument) => void
}

const BODY = '# Title\n\nThe body survives.\n'
const aliasBomb = () => {
  const lines = ['id: bomb', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`)
  return `---\n${lines.join('\n')}\n---\n${BODY}`
}

export const FRONTMATTER_CASES: Case[] = [
  { name: 'not YAML (unclosed flow list)', source: () => `---\nid: [oops\n---\n${BODY}`, code: 'FRONTMATTER_INVALID_YAML', line: 3 },
  { name: 'not YAML (bad indentation)', source: () => `---\nid: a\n  tags: - x\n---\n${BODY}`, code: 'FRONTMATTER_INVALID_YAML' },
  { name: 'YAML that is a list, not a mapping', source: () => `---\n- a\n- b\n---\n${BODY}`, code: 'FRONTMATTER_NOT_MAPPING', line: 2 },
  { name: 'YAML that is a scalar', source: () => `---\njust words\n---\n${BODY}`, code: 'FRONTMATTER_NOT_MAPPING', line: 2 },
  {
    name: 'wrong field types',
    source: () => `---\nid: {x: 1}\ncategory: 7\ntags: {a: 1}\nestimatedTokens: lots\nuseWhen: [ok]\n---\n${BODY}`,
    code: 'FRONTMATTER_INVALID_FIELD',
    line: 2,
    check: (doc) => {
      const lines = doc.diagnostics.filter((d) => d.code === 'FRONTMATTER_INVALID_FIELD').map((d) => d.line)
      expect(lines).toEqual(expect.arrayContaining([2, 3, 4, 5]))
      // The valid field is kept; the invalid ones are still in `data` as written.
      expect(doc.meta.useWhen).toEqual(['ok'])
      expect(doc.data.estimatedTokens).toBe('lots')
    },
  },
  { name: 'duplicate keys', source: () => `---\nid: one\nid: two\n---\n${BODY}`, code: 'FRONTMATTER_INVALID_YAML', line: 3 },
  {
    name: 'unterminated ---',
    source: () => `---\nid: open\n${BODY}`,
    code: 'FRONTMATTER_UNTERMINATED',
    line: 1,
    check: (doc) => {
      // Nothing is lost: the whole file is the body.
      expect(doc.bodyOffset).toBe(0)
      expect(doc.sections.map((s) => s.title)).toEqual(['Title'])
    },
  },
  {
    name: 'BOM',
    source: () => `\ufeff---\nid: bom\ntags: [a]\n---\n${BODY}`,
    code: 'BOM',
    line: 1,
    check: (doc) => {
      expect(doc.meta.id).toBe('bom')
      expect(doc.source.charCodeAt(0)).not.toBe(0xfeff)
    },
  },
  {
    name: 'CRLF line ends',
    source: () => `---\r\nid: crlf\r\ntags:\r\n  - a\r\nrelatedResources:\r\n  - @orchestr8://lib/x\r\n---\r\n# Title\r\n\r\n\`\`\`\r\norchestr8://lib/y\r\n\`\`\`\r\n`,
    code: 'FRONTMATTER_LEGACY_AT',
    line: 6,
    check: (doc) => {
      expect(doc.meta.id).toBe('crlf')
      expect(doc.meta.tags).toEqual(['a'])
      expect(doc.references.map((r) => [r.kind, r.uri, r.position.line])).toEqual([
        ['slot', 'orchestr8://lib/y', 11],
        ['related', 'orchestr8://lib/x', 6],
      ])
    },
  },
  {
    name: 'tabs as indentation',
    source: () => `---\nid: tabs\ntags:\n\t- a\n---\n${BODY}`,
    code: 'FRONTMATTER_TAB_INDENT',
    line: 4,
    check: (doc) => expect(doc.meta.tags).toEqual(['a']),
  },
  { name: 'a tab that breaks the YAML', source: () => `---\nid: tabs\n\tcategory: x\n  tags: y\n---\n${BODY}`, code: 'FRONTMATTER_INVALID_YAML' },
  {
    name: 'tabs inside values',
    source: () => `---\nid: tabs\ncategory: "a\tb"\n---\n${BODY}`,
    check: (doc) => expect(doc.meta.category).toBe('a\tb'),
  },
  {
    name: 'YAML alias bomb ("billion laughs")',
    source: aliasBomb,
    code: 'FRONTMATTER_TOO_LARGE',
    check: (doc) => {
      expect(doc.meta.id).toBe('bomb')
      // The document stays plain, finite data.
      expect(JSON.stringify(doc).length).toBeLessThan(MAX_FRONTMATTER_VALUES * 20)
    },
  },
  {
    name: 'YAML alias that contains itself',
    source: () => `---\nid: loop\nloop: &l [1, *l]\n---\n${BODY}`,
    code: 'FRONTMATTER_CYCLE',
    line: 3,
    check: (doc) => {
      expect(doc.meta.id).toBe('loop')
      expect(() => JSON.stringify(doc)).not.toThrow()
    },
  },
  {
    name: 'JavaScript frontmatter engine (---js) is never evaluated',
    source: () => `---js\n{ id: (globalThis.__pwned = 1, 'x') }\n---\n${BODY}`,
    code: 'FRONTMATTER_MISSING',
    line: 1,
    check: () => expect((globalThis as { __pwned?: number }).__pwned).toBeUndefined(),
  },
  {
    name: '__proto__ keys do not pollute prototypes',
    source: () => `---\nid: proto\n__proto__: {polluted: yes}\nconstructor: {prototype: {polluted: yes}}\n---\n${BODY}`,
    check: (doc) => {
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
      expect(doc.meta.id).toBe('proto')
    },
  },
  {
    name: 'legacy @ lines with 200,000 trailing spaces (regex blow-up)',
    source: () => `---\nid: [\nx: @a${' '.repeat(200_000)}x\n${' \n'.repeat(100_000)}---\n${BODY}`,
    code: 'FRONTMATTER_INVALID_YAML',
  },
  {
    name: '10,000 fields, each holding a reference',
    source: () => `---\n${Array.from({ length: 10_000 }, (_, i) => `k${i}: orchestr8://lib/r${i}`).join('\n')}\n---\n${BODY}`,
    check: (doc) => {
      expect(doc.references).toHaveLength(10_000)
      expect(doc.references[9_999]?.position.line).toBe(10_001)
    },
  },
]

describe('hostile frontmatter', () => {
  it.each(FRONTMATTER_CASES.map((c) => [c.name, c] as const))('%s: diagnosed, body kept', async (_name, c) => {
    const source = c.source()
    const { value: doc, ms } = await elapsed(() => parseDocument(source, { path: 'lib/hostile.md' }) as PromptDocument)
    expect(ms).toBeLessThan(10_000)
    expectWellFormed(doc.diagnostics)
    if (c.code) expectDiagnostic(doc.diagnostics, c.code, { file: 'lib/hostile.md', ...(c.line !== undefined ? { line: c.line } : {}) })
    else expect(doc.diagnostics.filter((d) => d.severity !== 'info' && d.code !== 'ID_MISMATCH')).toEqual([])
    expect(doc.source.length).toBeGreaterThan(0)
    c.check?.(doc)
    if (!source.includes('# Title\r\n')) expect(doc.sections.map((s) => s.title)).toContain('Title')
  })

  it.each(FRONTMATTER_CASES.map((c) => [c.name, c] as const))('%s: an assembly around it goes on', async (_name, c) => {
    const { hostileRow, report, text } = await assembleAround(c.source())
    expect(hostileRow.decision).toBe('inlined')
    if (c.code && c.code !== 'BOM' && c.code !== 'FRONTMATTER_MISSING') {
      const d = hostileDiagnostics(report.diagnostics).find((x) => x.code === c.code)
      expect(d, `${c.code} forwarded with the target's URI`).toBeDefined()
      expect(d?.line).toBeTypeOf('number')
    }
    expect(text).toMatch(/The body survives\.|orchestr8:\/\/lib\/y/)
  })
})
