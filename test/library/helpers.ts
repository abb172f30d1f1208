/**
 * Shared helpers for the library tests.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Library } from '../../src/library/index.js'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const fixtureLibrary = path.join(repoRoot, 'fixtures', 'library')
export const fixtureResources = path.join(repoRoot, 'fixtures', 'resources')

/** A fresh copy of a fixture folder in a temp dir; `cleanup()` removes it. */
export function tempCopy(from: string): { dir: string; cleanup: () => void } {
  const base = mkdtempSync(path.join(tmpdir(), 'promptfold-lib-'))
  const dir = path.join(base, 'root')
  cpSync(from, dir, { recursive: true })
  return { dir, cleanup: () => rmSync(base, { recursive: true, force: true }) }
}

/** One retrieval probe: an agent's slot, its section heading as the query, and the rank of its target. */
export interface Probe {
  agent: string
  query: string
  target: string
  rank: number
}

/**
 * For every slot in the library's agents whose target is an example, query the library with
 * the heading of the section the slot sits in (examples only) and record the target's rank.
 */
export function retrievalProbes(library: Library): { probes: Probe[]; hitAt1: number; hitAt3: number } {
  const probes: Probe[] = []
  for (const agent of library.entries.filter((e) => e.category === 'agent')) {
    const doc = library.document(agent.uri)
    for (const ref of doc?.references ?? []) {
      if (ref.kind !== 'slot' || ref.parsed.search !== undefined || ref.parsed.invalid) continue
      const target = library.get(ref.uri)
      if (!target || target.category !== 'example') continue
      const query = ref.sectionPath[ref.sectionPath.length - 1] ?? ''
      const results = library.match(query, { categories: ['example'], maxResults: Number.POSITIVE_INFINITY })
      probes.push({ agent: agent.uri, query, target: target.uri, rank: results.findIndex((r) => r.uri === target.uri) + 1 })
    }
  }
  const hit = (k: number) => probes.filter((p) => p.rank >= 1 && p.rank <= k).length
  return { probes, hitAt1: hit(1), hitAt3: hit(3) }
}
