/**
 * Optimal selection: the set of candidates with the largest total value whose
 * weights fit the capacity, a nested candidate only with its parent (a knapsack
 * over a forest), solved exactly by branch and bound.
 *
 * The objective is compared as a tuple: total value, then tokens used, then
 * document order (the set that takes the earliest differing candidate wins). The
 * search visits candidates by value density (parents before their children) and
 * prunes a branch only when its fractional upper bound is strictly below the best
 * total found, so every set that could tie is still compared.
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
 * @param forced Indices that must be chosen (closed under parents); their weight is not charged.
 * @param capacity Tokens available for candidates not in `forced`.
 */
export function selectOptimal(items: readonly Item[], forced: ReadonlySet<number>, capacity: number, maxNodes = DEFAULT_MAX_NODES): OptimalResult {
  const n = items.length
  const weight = items.map((it) => (forced.has(it.index) ? 0 : it.weight))
  let totalAbs = 0
  for (const w of weight) totalAbs += Math.abs(w)
  // Composite gain: value first, then tokens used. K exceeds the spread of any weight sum.
  const K = totalAbs + 1
  const gain = items.map((it, i) => it.value * K + (weight[i] ?? 0))
  const density = (i: number): number => {
    const w = weight[i] ?? 0
    return w <= 0 ? Number.POSITIVE_INFINITY : (gain[i] ?? 0) / w
  }

  // Search order: by density (ties by document order), each child moved after its parent.
  const byDensity = [...items.keys()].sort((a, b) => density(b) - density(a) || a - b)
  const order: number[] = []
  const placed = new Uint8Array(n)
  const place = (i: number): void => {
    if (placed[i]) return
    const p = items[i]?.parent ?? -1
    if (p !== -1 && !placed[p]) place(p)
    placed[i] = 1
    order.push(i)
  }
  for (const i of byDensity) place(i)
  const position = new Int32Array(n)
  order.forEach((item, pos) => {
    position[item] = pos
  })
  // Tokens that later candidates with negative weight could still free up.
  const negSuffix = new Float64Array(n + 1)
  for (let p = n - 1; p >= 0; p--) negSuffix[p] = (negSuffix[p + 1] ?? 0) + Math.max(0, -(weight[order[p] ?? 0] ?? 0))

  /** Upper bound of the gain reachable from search position `from` on (fractional, precedence ignored). */
  function bound(from: number, cap: number): number {
    let b = 0
    let room = cap + (negSuffix[from] ?? 0)
    for (const i of byDensity) {
      if ((position[i] ?? 0) < from) continue
      const w = weight[i] ?? 0
      const g = gain[i] ?? 0
      if (w <= 0) b += g
      else if (w <= room) {
        b += g
        room -= w
      } else {
        b += (g * room) / w
        break
      }
    }
    return b
  }

  const current = new Uint8Array(n)
  let best = Number.NEGATIVE_INFINITY
  let bestSet = new Uint8Array(n)
  let nodes = 0
  let exact = true

  /** Whether the current set beats the best one on document order (earliest differing candidate taken). */
  function earlierThanBest(): boolean {
    for (let i = 0; i < n; i++) if (current[i] !== bestSet[i]) return current[i] === 1
    return false
  }

  function search(p: number, cap: number, val: number): void {
    if (++nodes > maxNodes) {
      exact = false
      return
    }
    if (p >= n) {
      if (cap >= 0 && (val > best || (val === best && earlierThanBest()))) {
        best = val
        bestSet = current.slice()
      }
      return
    }
    // All gains are integers: a bound below best - 0.5 cannot reach a tie.
    if (val + bound(p, cap) < best - 0.5) return
    const i = order[p] ?? 0
    const w = weight[i] ?? 0
    const parent = items[i]?.parent ?? -1
    const parentIn = parent === -1 || current[parent] === 1
    if (parentIn && (forced.has(i) || cap - w + (negSuffix[p + 1] ?? 0) >= 0)) {
      current[i] = 1
      search(p + 1, cap - w, val + (gain[i] ?? 0))
      current[i] = 0
    }
    if (!forced.has(i)) search(p + 1, cap, val)
  }

  if (capacity + (negSuffix[0] ?? 0) >= 0) search(0, capacity, 0)
  const chosen = new Set<number>()
  for (let i = 0; i < n; i++) if (bestSet[i]) chosen.add(i)
  return { chosen, exact, nodes }
}
