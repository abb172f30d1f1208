/**
 * Hostile cases shared by several suites (one generator per case).
 */
import { expect } from 'vitest'
import type { PromptDocument } from '../../src/parse/document.js'
import { MAX_FRONTMATTER_VALUES } from '../../src/parse/frontmatter.js'

export interface Case {
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
    name: 'a list of 30,000 items of the wrong type: one diagnostic, in time',
    source: () => `---\nid: wide\nuseWhen:\n${'  - {a: 1}\n'.repeat(30_000)}---\n${BODY}`,
    code: 'FRONTMATTER_INVALID_FIELD',
    line: 3,
    check: (doc) => {
      const d = doc.diagnostics.filter((x) => x.code === 'FRONTMATTER_INVALID_FIELD')
      expect(d).toHaveLength(1)
      expect(d[0]?.message).toMatch(/and 29999 more problems in `useWhen`/)
      expect(doc.meta.id).toBe('wide')
    },
  },
  {
    // 100 aliases, the most a frontmatter may use (MAX_FRONTMATTER_ALIASES; more is FRONTMATTER_ALIASES, test/parse/yaml-aliases.test.ts).
    name: '100 fields that each contain themselves',
    source: () => `---\nid: loops\n${Array.from({ length: 100 }, (_, i) => `k${i}: &a${i} [*a${i}]`).join('\n')}\n---\n${BODY}`,
    code: 'FRONTMATTER_CYCLE',
    line: 3,
    check: (doc) => {
      expect(doc.diagnostics.find((x) => x.code === 'FRONTMATTER_CYCLE')?.message).toBe('Frontmatter field `k0` contains itself through a YAML alias; dropped')
      expect(Object.keys(doc.data)).toEqual(['id'])
      expect(doc.meta.id).toBe('loops')
      expect(() => JSON.stringify(doc)).not.toThrow()
    },
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

/** Every spelling of "out of the root" the issue lists, and then some. */
export function hostileSpellings(dirPath: string): string[] {
  return [
    // `..` plain, doubled, nested
    'orchestr8://../secret',
    'orchestr8://../../secret',
    'orchestr8://examples/../../secret',
    'orchestr8://examples/../examples/../../secret',
    'orchestr8://./../secret',
    'orchestr8://..',
    'orchestr8://../secret.md',
    'orchestr8://....//secret',
    'orchestr8://..../secret',
    'orchestr8://.../secret',
    'orchestr8://../root-evil/secret',
    // percent-encoded, upper and lower case, doubled
    'orchestr8://%2e%2e/secret',
    'orchestr8://%2E%2E/secret',
    'orchestr8://%2e%2e%2fsecret',
    'orchestr8://..%2fsecret',
    'orchestr8://..%2Fsecret',
    'orchestr8://%252e%252e/secret',
    'orchestr8://%252e%252e%252fsecret',
    'orchestr8://%25252e%25252e/secret',
    'orchestr8://examples/%2e%2e/%2e%2e/secret',
    // backslashes, raw and encoded
    'orchestr8://..\\secret',
    'orchestr8://examples\\..\\..\\secret',
    'orchestr8://..%5csecret',
    'orchestr8://..%5Csecret',
    'orchestr8://%5c..%5csecret',
    // absolute paths
    'orchestr8:///etc/passwd',
    'orchestr8:////secret',
    `orchestr8://${dirPath}/secret`,
    `orchestr8://${dirPath.slice(1)}/secret`.replace(/\/+/g, '/').replace('orchestr8:/', 'orchestr8://'),
    'orchestr8://%2fetc%2fpasswd',
    // drive letters
    'orchestr8://C:/secret',
    'orchestr8://c:\\secret',
    'orchestr8://C:secret',
    'orchestr8://C%3A%5Csecret',
    // NUL bytes, raw and encoded
    'orchestr8://secret%00',
    'orchestr8://examples/x%00/../../secret',
    'orchestr8://..\u0000/secret',
    'orchestr8://secret\u0000.md',
    'orchestr8://%2500',
    // Unicode look-alikes of dots and slashes
    'orchestr8://\uff0e\uff0e/secret',
    'orchestr8://..\u2215secret',
    'orchestr8://..\u2044secret',
    // symbolic links (file, folder, chain, folder with the root's name as a prefix)
    'orchestr8://link',
    'orchestr8://examples/link',
    'orchestr8://linked-dir/leak',
    'orchestr8://chain',
    'orchestr8://evil/secret',
    'orchestr8://loop',
    // other spellings of the scheme
    '@orchestr8://../secret',
    'ORCHESTR8://../secret',
    'skill://../secret',
  ]
}
