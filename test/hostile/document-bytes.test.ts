/**
 * `maxDocumentBytes` above the 5 MiB default reaches the parse of resolved documents.
 */
import { describe, expect, it } from 'vitest'
import { createFetcher } from '../../src/assemble/fetch.js'
import { assemble } from '../../src/assemble/index.js'
import { settingsFrom } from '../../src/assemble/settings.js'
import { memoryResolver } from '../../src/resolve/resolver.js'
import { withoutParseLimit } from './helpers.js'

const big = `---\nid: big\n---\n# Big\n\n${'lorem ipsum dolor '.repeat(350_000)}\n` // ~6.3 MB
const resolver = memoryResolver({ 'orchestr8://ex/big': big })
const counter = { count: (t: string) => Math.ceil(t.length / 4) }

describe('maxDocumentBytes above the default', () => {
  it('a 6 MB document is refused by default and parsed whole when the limit is raised', async () => {
    const refused = await createFetcher(settingsFrom({ resolver })).fetch('orchestr8://ex/big', undefined)
    expect(refused.ok ? 'ok' : refused.cause).toBe('TOO_LARGE')
    // The 6 MB body takes a good part of the parse's 2 s of CPU time: a refusal under contention is tried again.
    const fine = await withoutParseLimit(
      () => createFetcher(settingsFrom({ resolver, maxDocumentBytes: 8 * 1024 * 1024 })).fetch('orchestr8://ex/big', undefined),
      (f) => (f.ok ? f.doc.diagnostics : []),
    )
    expect(fine.ok && [fine.doc.title, fine.doc.diagnostics.map((d) => d.code)]).toEqual(['Big', []])
  })

  it('and is inlined by assemble', async () => {
    const { report } = await withoutParseLimit(
      () => assemble('# Agent\n\n```\norchestr8://ex/big\n```\n', { resolver, counter, maxDocumentBytes: 8 * 1024 * 1024 }),
      (a) => a.report.diagnostics,
    )
    expect(report.references.map((r) => [r.decision, r.cause])).toEqual([['inlined', 'FITS']])
    expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  })
})
