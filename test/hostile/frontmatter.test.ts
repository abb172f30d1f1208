/**
 * Hostile frontmatter: each case is one generator. Each must give a diagnostic with a code,
 * the file and the line, keep the body, and let an assembly around it go on.
 */
import { describe, expect, it } from 'vitest'
import { type PromptDocument, parseDocument } from '../../src/parse/document.js'
import { FRONTMATTER_CASES } from './cases.js'
import { assembleAround, hostileDiagnostics } from './harness.js'
import { elapsed, expectDiagnostic, expectWellFormed } from './helpers.js'

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
