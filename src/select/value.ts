/**
 * Candidate values: how much inlining a slot is worth.
 *
 * - Without a query, value falls with position: the first candidate in the final
 *   text is worth `n`, the last `1`.
 * - With a query, value is the relevance of the target document (title, `useWhen`,
 *   `tags`, `capabilities`, id) and of the slot's section heading to the query: a
 *   BM25-style sum over query terms with field weights, scaled to an integer, plus 1
 *   so that irrelevant candidates still beat nothing.
 *
 * Values are integers so that the optimal strategy compares totals exactly.
 *
 * @module
 */
import { terms } from './terms.js'

/** What value scoring needs to know about one candidate. */
export interface ValueInput {
  /** Target title (first heading). */
  title: string
  /** Target frontmatter fields. */
  useWhen: readonly string[]
  tags: readonly string[]
  capabilities: readonly string[]
  /** Target id or path words. */
  id: string
  /** Section path the slot sits in. */
  sectionPath: readonly string[]
}

/** Field weights used for query relevance. */
export const FIELD_WEIGHTS = { title: 3, section: 2, useWhen: 2, tags: 2, capabilities: 1.5, id: 1 } as const

type Field = keyof typeof FIELD_WEIGHTS

/**
 * Integer values for candidates listed in final-text order.
 * @param query Free text; empty or undefined means positional values.
 */
export function candidateValues(inputs: readonly ValueInput[], query?: string): number[] {
  const n = inputs.length
  const q = query ? [...new Set(terms(query))] : []
  if (q.length === 0) return inputs.map((_, i) => n - i)

  const fields = inputs.map((c) => {
    const f: Record<Field, string[]> = {
      title: terms(c.title),
      section: terms(c.sectionPath[c.sectionPath.length - 1] ?? ''),
      useWhen: terms(c.useWhen.join(' ')),
      tags: terms(c.tags.join(' ')),
      capabilities: terms(c.capabilities.join(' ')),
      id: terms(c.id.replace(/[-_/]/g, ' ')),
    }
    return f
  })
  // Document frequency across candidates, for idf.
  const df = new Map<string, number>()
  for (const f of fields) {
    const seen = new Set<string>()
    for (const list of Object.values(f)) for (const t of list) seen.add(t)
    for (const t of seen) df.set(t, (df.get(t) ?? 0) + 1)
  }
  const k1 = 1.2
  return fields.map((f) => {
    let score = 0
    for (const t of q) {
      const idf = Math.log(1 + (n - (df.get(t) ?? 0) + 0.5) / ((df.get(t) ?? 0) + 0.5))
      for (const field of Object.keys(FIELD_WEIGHTS) as Field[]) {
        const list = f[field]
        let tf = 0
        for (const x of list) if (x === t) tf++
        if (tf > 0) score += FIELD_WEIGHTS[field] * idf * ((tf * (k1 + 1)) / (tf + k1))
      }
    }
    return Math.round(score * 1000) + 1
  })
}
