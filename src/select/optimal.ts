/**
 * Optimal selection: the set of candidates with the largest total value whose
 * weights fit the capacity, a nested candidate only with its parent (a knapsack
 * over a forest, solved exactly by branch and bound).
 *
 * Ties are broken by more tokens used, then by document order: the search walks
 * candidates in preorder trying "inline" before "defer" and only accepts strictly
 * better solutions, so among equal solutions the first found, the one that takes
 * earlier candidates, wins.
 *
 * @module
 */
import type { Item } from './items.js'

/** Result of {@link selectOptimal}. */
export interface OptimalResult {
  chosen: Set<number>
  /** False if the search hit `maxNodes` and returned the best set found so far. */
  exact: boolean
  /** Search nodes visited. */
  nodes: number
}

/** Default cap on search nodes. */
export const DEFAULT_MAX_NODES = 5_000_000

/**
 * Solve the selection exactly.
 *
 * @param items Candidates in preorder (`items[i].index === i`), parents before children.
 * @param forced Indices that must be chosen (closed under parents).
 * @param capacity Tokens available for candidates not in `forced`.
 */
export function selectOptimal(items: readonly Item[], forced: ReadonlySet<number>, capacity: number, maxNodes = DEFAULT_MAX_NODES): OptimalResult {
  const n = items.length
  // End of each candidate's subtree in preorder.
  const skip = new Array<number>(n)
  for (let i = n - 1; i >= 0; i--) {
    let end = i + 1
    while (end < n && isDescendant(items, end, i)) end = skip[end] ?? end + 1
    skip[i] = end
  }
  const weight = items.map((it) => (forced.has(it.index) ? 0 : it.weight))
  let totalPositive = 0
  for (const w of weight) if (w > 0) totalPositive += w
  // Composite objective: value first, then tokens used. K exceeds any weight sum.
  const K = totalPositive + 1
  const gain = items.map((it, i) => it.value * K + (weight[i] ?? 0))
  // Density order for the fractional bound (free items first).
  const byDensity = [...items.keys()].sort((a, b) => density(a) - density(b) || a - b).reverse()
  function density(i: number): number {
    const w = weight[i] ?? 0
    return w <= 0 ? Number.POSITIVE_INFINITY : (gain[i] ?? 0) / w
  }

  const current = new Uint8Array(n)
  let best = -1
  let bestSet = new Uint8Array(n)
  let nodes = 0
  let exact = true

  function bound(from: number, cap: number): number {
    let b = 0
    let room = cap
    for (const i of byDensity) {
      if (i < from) continue
      const w = weight[i] ?? 0
      const g = gain[i] ?? 0
      if (w <= room) {
        b += g
        room -= Math.max(w, 0)
      } else {
        b += (g * room) / w
        break
      }
    }
    return b
  }

  function search(i: number, cap: number, val: number): void {
    if (++nodes > maxNodes) {
      exact = false
      return
    }
    if (i >= n) {
      if (val > best) {
        best = val
        bestSet = current.slice()
      }
      return
    }
    if (val + bound(i, cap) <= best) return
    const w = weight[i] ?? 0
    if (forced.has(i) || w <= cap) {
      current[i] = 1
      search(i + 1, cap - w, val + (gain[i] ?? 0))
      current[i] = 0
    }
    if (!forced.has(i)) search(skip[i] ?? i + 1, cap, val)
  }

  if (capacity >= 0) search(0, capacity, 0)
  const chosen = new Set<number>()
  for (let i = 0; i < n; i++) if (bestSet[i]) chosen.add(i)
  return { chosen, exact, nodes }
}

function isDescendant(items: readonly Item[], i: number, ancestor: number): boolean {
  let p = items[i]?.parent ?? -1
  while (p !== -1) {
    if (p === ancestor) return true
    p = items[p]?.parent ?? -1
  }
  return false
}
