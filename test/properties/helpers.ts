/**
 * Running generated scenarios through `assemble`.
 */
import { type AssembleOptions, assemble, type Assembly } from '../../src/assemble/index.js'
import type { MatchQuery } from '../../src/parse/uri.js'
import { parseDocument } from '../../src/parse/document.js'
import { memoryResolver, type Resolver } from '../../src/resolve/resolver.js'
import { ROOT_PATH, type Scenario } from './generators.js'

/** A deterministic match function over the library: documents whose text holds a query word, in URI order. */
export function libraryMatch(s: Scenario): (q: MatchQuery) => string[] {
  return (q) => {
    const words = q.query.toLowerCase().split(/\s+/).filter(Boolean)
    return s.docs.filter((u) => words.some((w) => (s.library[u] ?? '').toLowerCase().includes(w))).slice(0, 2)
  }
}

/** Parse the root and assemble it over the scenario's library. */
export function run(s: Scenario, options: AssembleOptions = {}, resolver: Resolver = memoryResolver(s.library)): Promise<Assembly> {
  const doc = parseDocument(s.root, { path: ROOT_PATH })
  return assemble(doc, { resolver, ...options })
}

/** The report without its wall-clock timings (the only field allowed to differ between runs). */
export function stable(result: Assembly): unknown {
  const { timings: _t, ...rest } = result.report
  return { text: result.text, report: rest }
}

/** Sum of the values of inlined candidates. */
export function inlinedValue(result: Assembly): number {
  return result.report.references.filter((r) => r.decision === 'inlined').reduce((sum, r) => sum + (r.value ?? 0), 0)
}
