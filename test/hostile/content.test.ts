/**
 * Hostile document content: empty files, frontmatter only, binary and invalid UTF-8, lone
 * surrogates, a 20 MB document, 10,000 references, 50 levels of nesting, special-token strings.
 * Big inputs are generated here at test time, never committed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { createTokenCounter } from '../../src/count/index.js'
import { DEFAULT_MAX_DOCUMENT_BYTES, parseDocument } from '../../src/parse/document.js'
import { fileSystemResolver } from '../../src/resolve/fs.js'
import { memoryResolver } from '../../src/resolve/resolver.js'
import { tiktokenCount } from '../helpers/oracle.js'
import { bigDocument, seededBytes } from './generators.js'
import { assembleAround, hostileDiagnostics } from './harness.js'
import { elapsed, expectDiagnostic, expectSound, expectWellFormed, withoutParseLimit } from './helpers.js'

describe('empty and near-empty documents', () => {
  it.each([
    ['empty file', '', 'FRONTMATTER_MISSING'],
    ['only white space', ' \n\t\n\r\n', 'FRONTMATTER_MISSING'],
    ['only frontmatter', '---\nid: only\ntags: [a]\n---\n', undefined],
    ['only frontmatter, no final newline', '---\nid: only\n---', undefined],
    ['only an empty frontmatter', '---\n---\n', undefined],
    ['only a BOM', '\ufeff', 'BOM'],
  ])('%s: parses, assembles to the (empty) core, and is inlinable', async (_n, source, code) => {
    const doc = parseDocument(source, { path: 'lib/only.md' })
    expectWellFormed(doc.diagnostics)
    if (code) expectDiagnostic(doc.diagnostics, code, { file: 'lib/only.md', line: 1 })
    expect(doc.sections).toEqual([])
    expect(doc.references).toEqual([])
    const result = await assemble(doc, { budget: 0 })
    expectSound(result, 0)
    expect(result.report.totalTokens).toBe(0)
    const around = await assembleAround(source)
    expect(around.hostileRow.decision).toBe('inlined')
  })
})

describe('binary, invalid UTF-8 and lone surrogates', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'promptfold-bytes-'))
    writeFileSync(join(dir, 'random.md'), seededBytes(42, 64 * 1024))
    writeFileSync(join(dir, 'latin1.md'), Buffer.from('# Caf\xe9\n\nR\xe9sum\xe9 orchestr8://lib/x\n', 'latin1'))
    writeFileSync(join(dir, 'nul.md'), Buffer.from('# Nul\n\n\u0000\u0000\u0001 binary \u0000\n', 'utf8'))
    writeFileSync(join(dir, 'overlong.md'), Buffer.from([0x23, 0x20, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0x0a]))
    writeFileSync(join(dir, 'good.md'), '# Good\n\nFine.\n')
    writeFileSync(
      join(dir, 'root.md'),
      ['# Root', '', '```', 'orchestr8://random', 'orchestr8://latin1', 'orchestr8://nul', 'orchestr8://overlong', 'orchestr8://good', '```', ''].join('\n'),
    )
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('files of random bytes and invalid UTF-8 are read with U+FFFD and an INVALID_UTF8 diagnostic naming the file; the rest goes on', async () => {
    const resolver = fileSystemResolver({ root: dir })
    const root = parseDocument('# Root\n\n```\norchestr8://random\norchestr8://latin1\norchestr8://nul\norchestr8://overlong\norchestr8://good\n```\n', { path: 'root.md' })
    const result = await assemble(root, { resolver })
    expectSound(result)
    expect(result.report.references.map((r) => [r.uri, r.decision])).toEqual([
      ['orchestr8://random', 'inlined'],
      ['orchestr8://latin1', 'inlined'],
      ['orchestr8://nul', 'inlined'],
      ['orchestr8://overlong', 'inlined'],
      ['orchestr8://good', 'inlined'],
    ])
    for (const file of ['random.md', 'latin1.md', 'overlong.md']) {
      expect(result.report.diagnostics).toContainEqual(expect.objectContaining({ code: 'INVALID_UTF8', file }))
    }
    expect(result.report.diagnostics.filter((d) => d.code === 'INVALID_UTF8' && d.file === 'nul.md')).toEqual([])
    expect(result.text).toContain('Résumé'.replace(/é/g, '\ufffd'))
    expect(result.text).toContain('Fine.')
  })

  it('random bytes decoded as text parse without throwing, with positions inside the source', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const source = new TextDecoder().decode(seededBytes(seed, 8 * 1024))
      const doc = parseDocument(source, { path: `random-${seed}.md` })
      expectWellFormed(doc.diagnostics)
      for (const s of doc.sections) expect(s.start.offset).toBeLessThanOrEqual(doc.source.length)
    }
  })

  it('lone surrogates anywhere (title, prose, URI, frontmatter) are kept and counted like js-tiktoken does', async () => {
    const source = '---\nid: "sur\ud800"\ntags: ["\udc00"]\n---\n# Title \ud800\n\nProse \udfff and \ud83d.\n\n**→ Load:** orchestr8://lib/a\udc00b\n\n```\norchestr8://lib/good-a\n```\n'
    const doc = parseDocument(source, { path: 'lib/surrogates.md' })
    expectWellFormed(doc.diagnostics)
    expect(doc.meta.id).toBe('sur\ud800')
    expect(doc.sections[0]?.title).toBe('Title \ud800')
    expect(doc.references.map((r) => r.uri)).toEqual(['orchestr8://lib/a\udc00b', 'orchestr8://lib/good-a'])
    const result = await assemble(doc, { resolver: memoryResolver({ 'orchestr8://lib/good-a': '# A\n\n\ud800 body\n' }) })
    expectSound(result)
    expect(result.report.references.map((r) => r.decision)).toEqual(['missing', 'inlined'])
    expect(result.text).toContain('Prose \udfff and \ud83d.')
    expect(result.report.totalTokens).toBe(tiktokenCount(result.text))
    const around = await assembleAround(source)
    expect(around.hostileRow.decision).toBe('inlined')
  })
})

describe('size', () => {
  it(`a 20 MB document is not parsed (LIMIT_MAX_DOCUMENT_BYTES, default ${DEFAULT_MAX_DOCUMENT_BYTES} bytes) but kept whole`, async () => {
    const source = bigDocument(20 * 1024 * 1024)
    const { value: doc, ms } = await elapsed(() => parseDocument(source, { path: 'lib/big.md' }))
    expect(ms).toBeLessThan(5_000)
    const d = expectDiagnostic(doc.diagnostics, 'LIMIT_MAX_DOCUMENT_BYTES', { file: 'lib/big.md', line: 1 })
    expect(d.severity).toBe('error')
    expect(d.message).toContain(String(Buffer.byteLength(source)))
    expect(doc.source).toBe(source)
    expect(doc.sections).toEqual([])
    expect(doc.references).toEqual([])
    // Still a document: its core is the whole body, and a budget below it is a typed error.
    const err = await assemble(doc, { budget: 1000 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect((err as { code?: string }).code).toBe('BUDGET_EXCEEDED')
    expect((err as { minimumBudget?: number }).minimumBudget).toBeGreaterThan(1_000_000)
  })

  it('the limit is an option: a 2 MB document parses fully when allowed, and not when the limit is lower', () => {
    const source = bigDocument(2 * 1024 * 1024)
    const small = parseDocument(source, { maxDocumentBytes: 1024 * 1024 })
    expect(small.diagnostics.map((d) => d.code)).toContain('LIMIT_MAX_DOCUMENT_BYTES')
    const full = parseDocument(source.slice(0, 200_000))
    expect(full.sections.length).toBeGreaterThan(10)
    expect(full.references.filter((r) => r.kind === 'slot').length).toBeGreaterThan(10)
    expect(() => parseDocument('x', { maxDocumentBytes: 0 })).toThrow(/maxDocumentBytes/)
    expect(() => parseDocument('x', { maxDocumentBytes: Number.NaN })).toThrow(/maxDocumentBytes/)
  })

  it('a 20 MB file under a fileSystemResolver root is refused by maxBytes; the rest goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promptfold-big-'))
    try {
      writeFileSync(join(dir, 'big.md'), bigDocument(20 * 1024 * 1024))
      writeFileSync(join(dir, 'good.md'), '# Good\n\nFine.\n')
      const root = parseDocument('# Root\n\n```\norchestr8://big\norchestr8://good\n```\n', { path: 'root.md' })
      const result = await assemble(root, { resolver: fileSystemResolver({ root: dir }) })
      expectSound(result)
      expect(result.report.references.map((r) => r.decision)).toEqual(['missing', 'inlined'])
      expect(result.report.references[0]?.reason).toMatch(/LIMIT_EXCEEDED.*big\.md is [\d,]+ bytes, over the 5,242,880-byte limit/)
      expectDiagnostic(result.report.diagnostics, 'REFERENCE_MISSING', { file: 'root.md', line: 4 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.each([
    ['10,000 decorated slots in paragraphs', () => Array.from({ length: 10_000 }, (_, i) => `**→ Load:** orchestr8://lib/d${i}`).join('\n\n'), 10_000],
    ['10,000 slots in one fence', () => `\`\`\`\n${Array.from({ length: 10_000 }, (_, i) => `orchestr8://lib/d${i}`).join('\n')}\n\`\`\``, 10_000],
    ['10,000 mentions on one line', () => Array.from({ length: 10_000 }, (_, i) => `orchestr8://lib/d${i}`).join(' and '), 10_000],
    ['10,000 list-item slots', () => Array.from({ length: 10_000 }, (_, i) => `- orchestr8://lib/d${i}`).join('\n'), 10_000],
  ])('%s: parsed in time, every reference reported', async (_n, body, count) => {
    const source = `# Many\n\n${body()}\n`
    const { value: doc, ms } = await elapsed(() => parseDocument(source, { path: 'agents/many.md' }))
    expect(ms).toBeLessThan(15_000)
    expect(doc.references).toHaveLength(count)
    const last = doc.references.at(-1)
    expect(source.slice(last?.position.offset, (last?.position.offset ?? 0) + (last?.raw.length ?? 0))).toBe(last?.raw)
  })

  it('an inlined document with 6,000 headings, each over a slot: rendered and measured in linear time', async () => {
    const child = `# Child\n\n${Array.from({ length: 6_000 }, (_, i) => `## H${i}\n\n- orchestr8://lib/g${i}\n`).join('\n')}`
    const lib: Record<string, string> = { 'orchestr8://lib/child': child }
    for (let i = 0; i < 50; i++) lib[`orchestr8://lib/g${i}`] = `# G${i}\n\nbody ${i}\n`
    // The child's body (208 KB, 6,000 one-item lists) takes 0.7-1.1 s of the parse's 2 s of CPU
    // time on a quiet machine (10,000 of them, 348 KB, took 1.2-1.8 s, and were refused three times in a row
    // while benchmarks ran beside the suite): a run refused under contention is tried again (withoutParseLimit).
    const { value: result, ms } = await withoutParseLimit(
      () => elapsed(() => assemble('# Root\n\n## Section\n\n- orchestr8://lib/child\n', { resolver: memoryResolver(lib) })),
      (run) => run.value.report.diagnostics,
    )
    expect(ms).toBeLessThan(40_000)
    expectSound(result)
    expect(result.report.diagnostics.filter((d) => d.code === 'PARSE_LIMIT')).toEqual([])
    expect(result.report.references).toHaveLength(6_001)
    // Headings moved under the slot's section (## -> ###, ### -> ####).
    expect(result.text).toContain('\n### Child\n')
    expect(result.text).toContain('\n#### H5999\n')
  })

  it('10,000 related resources in frontmatter: positions found in linear time', async () => {
    const source = `---\nrelatedResources:\n${Array.from({ length: 10_000 }, (_, i) => `  - orchestr8://lib/d${i}`).join('\n')}\n---\n# T\n`
    const { value: doc, ms } = await elapsed(() => parseDocument(source))
    expect(ms).toBeLessThan(5_000)
    expect(doc.references).toHaveLength(10_000)
    expect(doc.references.at(-1)?.position.line).toBe(10_002)
  })

  it('headings 50 levels deep in lists and quotes: parsed, depths clamped to 1-6, slot found', async () => {
    let prefix = ''
    const lines = ['# Top', '']
    for (let i = 0; i < 50; i++) {
      prefix += i % 2 ? '> ' : '- '
      lines.push(`${prefix}${'#'.repeat(1 + (i % 6))} Level ${i}`, prefix.trimEnd())
    }
    lines.push(`${prefix}orchestr8://lib/good-a`, '')
    const source = lines.join('\n')
    const { value: doc, ms } = await elapsed(() => parseDocument(source, { path: 'agents/deep.md' }))
    expect(ms).toBeLessThan(10_000)
    expect(doc.sections.length).toBeGreaterThan(40)
    for (const s of doc.sections) expect(s.depth).toBeGreaterThanOrEqual(1)
    for (const s of doc.sections) expect(s.depth).toBeLessThanOrEqual(6)
    expect(doc.references.map((r) => r.uri)).toEqual(['orchestr8://lib/good-a'])
    const result = await assemble(doc, { resolver: memoryResolver({ 'orchestr8://lib/good-a': '# A\n\n## Sub\n\nDeep body.\n' }) })
    expectSound(result)
    const around = await assembleAround(source)
    expect(around.hostileRow.decision).toBe('inlined')
  })
})

describe('special-token strings', () => {
  const SPECIAL = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|fim_prefix|>', '<|endofprompt|>']
  const source = [
    '---',
    `id: special`,
    `tags: ["${SPECIAL[0]}"]`,
    `useWhen: ["${SPECIAL[1]}"]`,
    '---',
    `# ${SPECIAL[0]} Title ${SPECIAL[1]}`,
    '',
    `Prose ${SPECIAL.join(' ')} prose.`,
    '',
    `**→ Load:** orchestr8://lib/${SPECIAL[1]}`,
    '',
    '```',
    `orchestr8://lib/good-a`,
    '```',
    '',
    `\`\`\`python`,
    `print("${SPECIAL[0]}")`,
    '```',
    '',
  ].join('\n')

  it('are plain text everywhere: parsed, counted as text (never thrown on), inlined from targets', async () => {
    const doc = parseDocument(source, { path: 'lib/special.md' })
    expectWellFormed(doc.diagnostics)
    const target = `# A ${SPECIAL[0]}\n\n${SPECIAL.join('')}\n`
    const result = await assemble(doc, { resolver: memoryResolver({ 'orchestr8://lib/good-a': target }), query: `${SPECIAL[0]} title` })
    expectSound(result)
    for (const s of SPECIAL) expect(result.text).toContain(s)
    for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
      const counter = createTokenCounter({ encoding })
      expect(counter.count(result.text)).toBe(tiktokenCount(result.text, encoding))
      const r = await assemble(doc, { resolver: memoryResolver({ 'orchestr8://lib/good-a': target }), encoding })
      expect(r.report.totalTokens).toBe(tiktokenCount(r.text, encoding))
    }
    const around = await assembleAround(source)
    expect(around.hostileRow.decision).toBe('inlined')
    expect(hostileDiagnostics(around.report.diagnostics).filter((d) => d.severity === 'error')).toEqual([])
  })
})
