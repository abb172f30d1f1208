/**
 * Categories: `agents`, `agent` and `Agents` are the same category.
 *
 * @module
 */

/** Irregular plurals that a suffix rule would get wrong. */
const IRREGULAR: Readonly<Record<string, string>> = {
  indices: 'index',
  indexes: 'index',
  analyses: 'analysis',
  people: 'person',
  status: 'status',
  analysis: 'analysis',
  kubernetes: 'kubernetes',
}

/**
 * Normalize a category name to its lower-case singular form:
 * `Agents` -> `agent`, `examples` -> `example`, `policies` -> `policy`,
 * `classes` -> `class`, `guides` -> `guide`. Words that are not plurals are kept.
 */
export function normalizeCategory(name: string): string {
  const c = name.trim().toLowerCase().replace(/[\s_]+/g, '-')
  if (c === '') return c
  const irregular = IRREGULAR[c]
  if (irregular !== undefined) return irregular
  if (c.length > 4 && c.endsWith('ies')) return `${c.slice(0, -3)}y`
  if (c.length > 4 && /(?:ss|x|ch|sh)es$/.test(c)) return c.slice(0, -2)
  if (c.length > 3 && c.endsWith('s') && !c.endsWith('ss') && !c.endsWith('us') && !c.endsWith('is')) return c.slice(0, -1)
  return c
}
