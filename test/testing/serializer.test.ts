/**
 * promptfoldSerializer / createPromptfoldSerializer: snapshots of assemblies and reports
 * without timings, with paths relative to the root and every number kept, identical run
 * to run; and assemble(..., { timings: false }).
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type Assembly, assemble, assembleTask, assemblyReportSchema, fileSystemResolver, InvalidOptionError, loadLibrary, parseDocument } from '../../src/index.js'
import { createPromptfoldSerializer, isSnapshotSubject, promptfoldSerializer, type SnapshotPrinter } from '../../src/testing/index.js'
import { readFixture, repoRoot } from '../helpers/fixtures.js'

const root = join(repoRoot, 'fixtures/testing')
// The document's path is absolute: the serializer writes it relative to the root.
const doc = parseDocument(readFixture(root, 'agents/reviewer.md'), { path: join(root, 'agents/reviewer.md') })
const run = (options: { timings?: boolean } = {}): Promise<Assembly> => assemble(doc, { budget: 200, resolver: fileSystemResolver({ root }), ...options })

/** The normalized value, as JSON: a printer that prints what the serializer hands it. */
const json: SnapshotPrinter = (value) => JSON.stringify(value)
const serialize = (value: unknown, serializer = createPromptfoldSerializer({ root })): unknown => JSON.parse(serializer.serialize(value, {}, '', 0, [], json))

describe('snapshot serializer', () => {
  it('a snapshot of two runs (timings measured) is the same snapshot', async () => {
    expect.addSnapshotSerializer(createPromptfoldSerializer({ root }))
    const first = await run()
    const second = await run()
    expect(first).toMatchSnapshot('reviewer at 200 tokens')
    expect(second).toMatchSnapshot('reviewer at 200 tokens')
    expect(serialize(first)).toEqual(serialize(second))
  })

  it('drops timings, writes paths relative to the root, keeps every number', async () => {
    const { text, report } = await run()
    const out = serialize({ text, report }) as { text: string; report: Record<string, unknown> & { document: { path: string }; diagnostics: { file: string }[] } }
    expect(out.text).toBe(text)
    expect('timings' in out.report).toBe(false)
    expect(out.report.document.path).toBe('agents/reviewer.md')
    expect(out.report.diagnostics.map((d) => d.file)).toEqual(['agents/reviewer.md'])
    expect(out.report.totalTokens).toBe(115)
    expect(out.report.coreTokens).toBe(96)
    const { timings: _, ...rest } = JSON.parse(JSON.stringify(report).split(`${root}/`).join('')) as Record<string, unknown>
    expect(out.report).toEqual(rest)
    // A report alone, too.
    expect(serialize(report)).toEqual(rest)
  })

  it('the root alone becomes "."; the default root is the working folder', () => {
    const serializer = createPromptfoldSerializer({ root: '/a/b/' })
    const report = { version: 1, references: [], totalTokens: 0, document: { path: '/a/b/x.md', uri: null }, note: 'in /a/b', timings: { totalMs: 3 } }
    expect(serialize(report, serializer)).toEqual({ version: 1, references: [], totalTokens: 0, document: { path: 'x.md', uri: null }, note: 'in .' })
    const cwd = { version: 1, references: [], totalTokens: 0, document: { path: join(process.cwd(), 'x.md') } }
    expect(serialize(cwd, promptfoldSerializer)).toEqual({ version: 1, references: [], totalTokens: 0, document: { path: 'x.md' } })
  })

  it('a task assembly: the nested assembly report loses its timings', async () => {
    const task = await assembleTask(await loadLibrary({ root }), 'code review', { budget: 200 })
    const out = serialize(task) as { report: { assembly: Record<string, unknown>; totalTokens: number } }
    expect('timings' in out.report.assembly).toBe(false)
    expect(out.report.totalTokens).toBe(task.report.totalTokens)
    expect(isSnapshotSubject(task)).toBe(true)
    expect(isSnapshotSubject(task.report)).toBe(true)
  })

  it('takes assemblies and reports only, and never its own output', async () => {
    const serializer = createPromptfoldSerializer({ root })
    const { report } = await run({ timings: false })
    expect(serializer.test(report)).toBe(true)
    expect(serializer.test({ text: 'x', report })).toBe(true)
    expect(serializer.test({ text: 'x' })).toBe(false)
    expect(serializer.test('text')).toBe(false)
    expect(serializer.test(null)).toBe(false)
    let printed: unknown
    serializer.serialize(report, {}, '', 0, [], (value) => {
      printed = value
      return ''
    })
    expect(serializer.test(printed)).toBe(false)
  })
})

describe('assemble(..., { timings: false })', () => {
  it('every timing is 0, the report is still a valid version 1 report, and two runs are equal', async () => {
    const a = await run({ timings: false })
    const b = await run({ timings: false })
    expect(a.report.timings).toEqual({ resolveMs: 0, measureMs: 0, selectMs: 0, totalMs: 0 })
    expect(a).toEqual(b)
    expect(JSON.stringify(a.report)).toBe(JSON.stringify(b.report))
    expect(assemblyReportSchema.parse(a.report)).toEqual(a.report)
  })

  it('the default (true) measures: the same report but for timings', async () => {
    const measured = await run()
    const zero = await run({ timings: false })
    expect(measured.report.timings.totalMs).toBeGreaterThanOrEqual(0)
    expect({ ...measured.report, timings: zero.report.timings }).toEqual(zero.report)
    expect(await run({ timings: true })).toMatchObject({ text: zero.text })
  })

  it('anything but a boolean is refused', async () => {
    await expect(run({ timings: 'no' as unknown as boolean })).rejects.toThrow(InvalidOptionError)
    await expect(run({ timings: 0 as unknown as boolean })).rejects.toThrow('Invalid option `timings`: must be true or false, got 0')
  })
})
