/**
 * Dynamic `match` fan-out at scale (issue 17, item 4): 10,000 `match?...&maxResults=1000`
 * slots over a library of 100 documents took 99 s and 900 MB with default options (one
 * search per slot, one report row per result). Now 20 searches of at most 20 URIs are made
 * (`maxMatches`, `maxMatchResults`) and the rest is deferred, reported once.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble/index.js'
import { type Library, loadLibrary } from '../../src/library/index.js'
import type { Resolver } from '../../src/resolve/resolver.js'
import { elapsed, expectSound } from './helpers.js'

let base: string
let library: Library

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), 'promptfold-fanout-'))
  mkdirSync(path.join(base, 'skills'))
  for (let i = 0; i < 100; i++) writeFileSync(path.join(base, 'skills', `s${i}.md`), `---\nid: s${i}\n---\n# Skill ${i}\n\nBody of skill ${i}.\n`)
  library = await loadLibrary({ root: base })
})
afterAll(() => rmSync(base, { recursive: true, force: true }))

describe('10,000 dynamic slots asking for 1,000 results each', () => {
  it('default options: 20 searches of at most 20 URIs, 10,380 rows, seconds not minutes', async () => {
    let source = '# Agent\n\n'
    for (let i = 0; i < 10_000; i++) source += `**→ Load:** orchestr8://match?query=skill+${i}&maxResults=1000\n\n`
    let searches = 0
    const resolveMatch: typeof library.resolveMatch = (q, ctx) => {
      searches++
      return library.resolveMatch(q, ctx)
    }
    const calls: string[] = []
    const resolver: Resolver = (uri, ctx) => {
      calls.push(uri)
      return library(uri, ctx)
    }
    const { value: result, ms } = await elapsed(() => assemble(source, { resolver, match: resolveMatch, schemes: library.schemes }))
    expect(ms).toBeLessThan(10_000)
    expect(searches).toBe(20)
    expect(calls.length).toBeLessThanOrEqual(20 * 20)
    const rows = result.report.references
    expect(rows.length).toBe(20 * 20 + 9_980)
    expect(rows.filter((r) => r.cause === 'MAX_MATCHES').length).toBe(9_980)
    expect(new Set(calls).size).toBe(calls.length)
    expect(rows.filter((r) => r.decision === 'inlined').length).toBe(calls.length)
    const codes = result.report.diagnostics.map((d) => d.code)
    expect(codes.filter((c) => c === 'LIMIT_MAX_MATCH_RESULTS').length).toBe(20)
    expect(codes.filter((c) => c === 'LIMIT_MAX_MATCHES').length).toBe(1)
    expectSound(result)
  })
})
