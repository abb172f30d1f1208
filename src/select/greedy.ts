/**
 * Greedy selection: candidates by value (ties by document order), each inlined if
 * the exactly measured text still fits, repeated until nothing more fits.
 *
 * @module
 */
import type { Item } from './items.js'

/**
 * Pick candidates greedily.
 *
 * @param items Candidates in preorder.
 * @param start Indices already chosen (forced ones), closed under parents.
 * @param fits Exact check: does the text with this set inlined fit the budget?
 * @returns The chosen indices.
 */
export function selectGreedy(items: readonly Item[], start: ReadonlySet<number>, fits: (set: ReadonlySet<number>) => boolean): Set<number> {
  const chosen = new Set(start)
  const order = [...items].sort((a, b) => b.value - a.value || a.index - b.index)
  let changed = true
  while (changed) {
    changed = false
    for (const item of order) {
      if (chosen.has(item.index)) continue
      if (item.parent !== -1 && !chosen.has(item.parent)) continue
      chosen.add(item.index)
      if (fits(chosen)) changed = true
      else chosen.delete(item.index)
    }
  }
  return chosen
}
