import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { parseDocument } from '../../src/parse/document.js'
import { casesRoot, readFixture, resourcesRoot } from '../helpers/fixtures.js'

const parseCase = (path: string) => parseDocument(readFixture(casesRoot, path), { path })
const summary = (doc: ReturnType<typeof parseCase>) => doc.references.map((r) => [r.position.line, r.kind, r.uri, r.hintTokens ?? null])

describe('parseDocument on fixtures/cases (expectations from fixtures/cases/README.md)', () => {
  it('kinds.md: every kind, in document order, code fences ignored', () => {
    const doc = parseCase('agents/kinds.md')
    expect(summary(doc)).toEqual([
      [22, 'slot', 'orchestr8://examples/epsilon', null],
      [28, 'slot', 'orchestr8://examples/delta', null],
      [29, 'slot', 'orchestr8://examples/gamma', null],
      [34, 'slot', 'orchestr8://examples/alpha', null],
      [38, 'slot', 'orchestr8://examples/beta', null],
      [42, 'mention', 'orchestr8://examples/gamma', null],
      [44, 'mention', 'orchestr8://examples/delta', 120],
      [11, 'related', 'orchestr8://examples/epsilon', null],
      [12, 'related', 'alpha', null],
    ])
    expect(doc.diagnostics.filter((d) => d.severity !== 'info')).toEqual([])
    expect(doc.blocks.map((b) => b.references.length)).toEqual([1, 2, 1, 1])
    expect(doc.uri).toBe('orchestr8://agents/kinds')
  })

  it('records the section path and column of each reference', () => {
    const doc = parseCase('agents/kinds.md')
    const alpha = doc.references.find((r) => r.kind === 'slot' && r.uri.endsWith('/alpha'))
    expect(alpha?.position.column).toBe(13)
    expect(alpha?.sectionPath.length).toBeGreaterThan(0)
    expect(alpha?.sectionPath).toEqual(doc.sections.find((s) => s.start.line < 34 && s.end.line >= 34 && s.depth === Math.max(...doc.sections.filter((x) => x.start.line < 34 && x.end.line >= 34).map((x) => x.depth)))?.path)
  })

  it('legacy-at.md: recovers the @ list in YAML with one warning', () => {
    const doc = parseCase('agents/legacy-at.md')
    expect(doc.diagnostics.filter((d) => d.severity !== 'info')).toEqual([
      {
        code: 'FRONTMATTER_LEGACY_AT',
        severity: 'warning',
        message: 'Frontmatter uses the older unquoted `@scheme://` syntax, which YAML rejects; recovered by quoting it',
        file: 'agents/legacy-at.md',
        line: 11,
      },
    ])
    expect(doc.meta.relatedResources).toEqual(['orchestr8://examples/alpha', 'orchestr8://examples/gamma'])
    expect(doc.data.relatedResources).toEqual(['@orchestr8://examples/alpha', '@orchestr8://examples/gamma'])
    expect(doc.meta.estimatedTokens).toBe(60)
    expect(summary(doc)).toEqual([
      [21, 'slot', 'orchestr8://examples/alpha', null],
      [24, 'slot', 'orchestr8://examples/beta', null],
      [27, 'mention', 'orchestr8://examples/gamma', 90],
      [11, 'related', 'orchestr8://examples/alpha', null],
      [12, 'related', 'orchestr8://examples/gamma', null],
    ])
  })

  it('no-frontmatter.md: a document with an info diagnostic', () => {
    const doc = parseCase('agents/no-frontmatter.md')
    expect(doc.diagnostics).toEqual([{ code: 'FRONTMATTER_MISSING', severity: 'info', message: 'Document has no frontmatter', file: 'agents/no-frontmatter.md', line: 1 }])
    expect(doc.meta).toEqual({ tags: [], capabilities: [], useWhen: [] })
    expect(summary(doc)).toEqual([[13, 'slot', 'orchestr8://examples/beta', null]])
    expect(doc.title).toBe('No Frontmatter')
  })

  it('dynamic.md: match queries parsed, malformed escape is a warning', () => {
    const doc = parseCase('agents/dynamic.md')
    const [a, b, c] = doc.references
    expect(a?.parsed.match).toMatchObject({ query: 'experiment tracking', categories: ['example'], maxResults: 2 })
    expect(b?.parsed.match).toMatchObject({ query: '${task}', categories: ['skill'] })
    expect(c?.parsed.invalid).toMatch(/malformed percent-escape/)
    expect(doc.diagnostics.map((d) => [d.code, d.line])).toEqual([['REFERENCE_INVALID', 29]])
  })

  it('id-mismatch.md: warns at the id line', () => {
    const doc = parseCase('agents/id-mismatch.md')
    expect(doc.diagnostics.map((d) => [d.code, d.severity, d.line])).toEqual([['ID_MISMATCH', 'warning', 2]])
  })

  it('mlops-specialist.md: 4 slots in fences, 4 mentions with hints', () => {
    const doc = parseDocument(readFixture(resourcesRoot, 'agents/mlops-specialist.md'), { path: 'agents/mlops-specialist.md' })
    expect(doc.references.filter((r) => r.kind === 'slot').map((r) => r.uri)).toEqual([
      'orchestr8://examples/ml/mlops-mlflow-tracking',
      'orchestr8://examples/ml/mlops-kubeflow-pipeline',
      'orchestr8://examples/ml/mlops-model-serving',
      'orchestr8://examples/ml/mlops-monitoring-ab-testing',
    ])
    expect(doc.references.filter((r) => r.kind === 'mention').map((r) => r.hintTokens)).toEqual([220, 280, 250, 300])
    expect(doc.meta).toMatchObject({ id: 'mlops-specialist', category: 'agent', estimatedTokens: 150 })
  })
})

describe('frontmatter', () => {
  it('keeps unknown keys and maps capabilities: null to []', () => {
    const doc = parseDocument('---\nid: x\ncapabilities:\nowner: team-ml\n---\n# X\n')
    expect(doc.meta).toEqual({ id: 'x', capabilities: [], tags: [], useWhen: [], owner: 'team-ml' })
  })

  it('invalid YAML is an error with its file line, and the body is kept', () => {
    const doc = parseDocument('---\nid: x\ntags: [a, b\n---\n# Body\n', { path: 'a.md' })
    expect(doc.diagnostics[0]).toMatchObject({ code: 'FRONTMATTER_INVALID_YAML', severity: 'error', file: 'a.md' })
    expect(doc.diagnostics[0]?.line).toBeGreaterThanOrEqual(3)
    expect(doc.sections.map((s) => s.title)).toEqual(['Body'])
  })

  it('a list instead of a mapping is an error', () => {
    const doc = parseDocument('---\n- a\n- b\n---\nbody\n')
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['FRONTMATTER_NOT_MAPPING'])
  })

  it('wrong field types are reported per field and the other fields kept', () => {
    const doc = parseDocument('---\nid: x\ncategory: agent\nestimatedTokens: lots\n---\n# T\n', { path: 'x.md' })
    expect(doc.diagnostics).toEqual([
      expect.objectContaining({ code: 'FRONTMATTER_INVALID_FIELD', severity: 'error', line: 4, file: 'x.md' }),
    ])
    expect(doc.meta).toMatchObject({ id: 'x', category: 'agent' })
    expect(doc.data.estimatedTokens).toBe('lots')
  })

  it('duplicate keys are an error, not a crash', () => {
    const doc = parseDocument('---\nid: a\nid: b\n---\n# T\n')
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['FRONTMATTER_INVALID_YAML'])
  })

  it('an unterminated block loses nothing: the whole file is body', () => {
    const doc = parseDocument('---\nid: x\n# Title\n\n```\norchestr8://a/b\n```\n')
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['FRONTMATTER_UNTERMINATED'])
    expect(doc.bodyOffset).toBe(0)
    expect(doc.references.map((r) => [r.kind, r.uri, r.position.line])).toEqual([['slot', 'orchestr8://a/b', 6]])
  })

  it('BOM and CRLF: positions stay file positions', () => {
    const doc = parseDocument('\uFEFF---\r\nid: x\r\n---\r\n# T\r\n\r\n```\r\norchestr8://a/b\r\n```\r\n')
    expect(doc.diagnostics.map((d) => d.code)).toEqual(['BOM'])
    expect(doc.meta.id).toBe('x')
    expect(doc.references[0]?.position).toEqual({ line: 7, column: 1, offset: doc.source.indexOf('orchestr8') })
  })

  it('accepts a user schema', () => {
    const schema = z.object({ id: z.string(), owner: z.string().default('nobody') })
    const doc = parseDocument('---\nid: x\n---\n# T\n', { schema })
    expect(doc.meta).toEqual({ id: 'x', owner: 'nobody' })
  })
})

describe('sections', () => {
  it('builds the heading tree with slugs and ranges', () => {
    const src = '# A\n\n## B\ntext\n### C\n## B\n'
    const doc = parseDocument(src)
    expect(doc.sections.map((s) => [s.title, s.depth, s.slug, s.path, s.start.line, s.end.line])).toEqual([
      ['A', 1, 'a', ['A'], 1, 7],
      ['B', 2, 'b', ['A', 'B'], 3, 6],
      ['C', 3, 'c', ['A', 'B', 'C'], 5, 6],
      ['B', 2, 'b-1', ['A', 'B'], 6, 7],
    ])
  })
})

describe('reference kinds', () => {
  const kinds = (src: string) => parseDocument(src).references.map((r) => r.kind)
  it('paragraph with a short label is a slot, running prose is a mention', () => {
    expect(kinds('**→ Load:** orchestr8://a/b\n')).toEqual(['slot'])
    expect(kinds('Load: orchestr8://a/b\n')).toEqual(['slot'])
    expect(kinds('We use orchestr8://a/b when deploying.\n')).toEqual(['mention'])
    expect(kinds('`orchestr8://a/b` (~220 tokens)\n')).toEqual(['mention'])
  })
  it('URIs in language fences are code, in text fences with other text are mentions', () => {
    expect(kinds('```python\nx = "orchestr8://a/b"\n```\n')).toEqual([])
    expect(kinds('```\nLoad this: orchestr8://a/b then that\n```\n')).toEqual(['mention'])
    expect(kinds('```markdown\norchestr8://a/b\norchestr8://c/d\n```\n')).toEqual(['slot', 'slot'])
  })
  it('headings and multi-reference paragraphs hold mentions', () => {
    expect(kinds('# About orchestr8://a/b\n')).toEqual(['mention'])
    expect(kinds('orchestr8://a/b orchestr8://c/d\n')).toEqual(['mention', 'mention'])
  })
})
