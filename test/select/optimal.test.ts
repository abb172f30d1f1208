import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { selectGreedy } from '../../src/select/greedy.js'
import type { Item } from '../../src/select/items.js'
import { selectOptimal } from '../../src/select/optimal.js'

/** Every precedence-closed subset, best by (value, weight, earliest members). */
function bruteForce(items: Item[], forced: Set<number>, capacity: number): Set<number> {
  const n = items.length
  let best: { value: number; weight: number; key: string; set: Set<number> } | undefined
  for (let mask = 0; mask < 1 << n; mask++) {
    const set = new Set<number>()
    for (let i = 0; i < n; i++) if (mask & (1 << i)) set.add(i)
    if ([...forced].some((f) => !set.has(f))) continue
    if ([...set].some((i) => items[i]!.parent !== -1 && !set.has(items[i]!.parent))) continue
    const weight = [...set].reduce((s, i) => s + (forced.has(i) ? 0 : items[i]!.weight), 0)
    if (weight > capacity) continue
    const value = [...set].reduce((s, i) => s + items[i]!.value, 0)
    // Earlier members preferred: compare membership strings, '1' before '0'.
    const key = items.map((_, i) => (set.has(i) ? '0' : '1')).join('')
    if (!best || value > best.value || (value === best.value && (weight > best.weight || (weight === best.weight && key < best.key)))) {
      best = { value, weight, key, set }
    }
  }
  return best?.set ?? new Set()
}

const forest = fc
  .array(fc.record({ value: fc.integer({ min: 1, max: 20 }), weight: fc.integer({ min: -3, max: 60 }), parentPick: fc.nat() }), { minLength: 0, maxLength: 11 })
  .map((raw) =>
    raw.map((r, i): Item => ({
      index: i,
      // A parent must come earlier in preorder; picking among earlier items keeps it a forest in preorder only if
      // the parent's subtree is contiguous, so attach to the previous item's ancestor chain.
      parent: i === 0 || r.parentPick % 3 !== 0 ? -1 : i - 1,
      value: r.value,
      weight: r.weight,
    })),
  )

describe('selectOptimal', () => {
  it('equals brute force (value, then tokens, then document order)', () => {
    fc.assert(
      fc.property(forest, fc.integer({ min: 0, max: 200 }), (items, capacity) => {
        const got = selectOptimal(items, new Set(), capacity)
        expect(got.exact).toBe(true)
        expect([...got.chosen].sort((a, b) => a - b)).toEqual([...bruteForce(items, new Set(), capacity)].sort((a, b) => a - b))
      }),
      { numRuns: 1500, seed: 20261127 },
    )
  })

  it('keeps forced items and never picks a child without its parent', () => {
    const items: Item[] = [
      { index: 0, parent: -1, value: 1, weight: 50 },
      { index: 1, parent: 0, value: 100, weight: 5 },
      { index: 2, parent: -1, value: 10, weight: 10 },
    ]
    expect([...selectOptimal(items, new Set(), 20).chosen]).toEqual([2])
    expect([...selectOptimal(items, new Set(), 60).chosen].sort()).toEqual([0, 1])
    expect([...selectOptimal(items, new Set([2]), 5).chosen]).toEqual([2])
  })

  it('breaks ties by more tokens, then earlier candidates', () => {
    const tie: Item[] = [
      { index: 0, parent: -1, value: 5, weight: 10 },
      { index: 1, parent: -1, value: 5, weight: 10 },
      { index: 2, parent: -1, value: 5, weight: 12 },
    ]
    expect([...selectOptimal(tie, new Set(), 12).chosen]).toEqual([2])
    expect([...selectOptimal(tie, new Set(), 11).chosen]).toEqual([0])
  })

  it('solves 200 candidates at a 128k budget exactly and quickly enough for a test', () => {
    let seed = 42
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
    const items: Item[] = Array.from({ length: 200 }, (_, i) => ({ index: i, parent: -1, value: 1 + Math.floor(rand() * 1000), weight: 100 + Math.floor(rand() * 2000) }))
    const res = selectOptimal(items, new Set(), 128_000)
    expect(res.exact).toBe(true)
    const weight = [...res.chosen].reduce((s, i) => s + items[i]!.weight, 0)
    expect(weight).toBeLessThanOrEqual(128_000)
    const greedy = selectGreedy(items, new Set(), (set) => [...set].reduce((s, i) => s + items[i]!.weight, 0) <= 128_000)
    const value = (set: Set<number>) => [...set].reduce((s, i) => s + items[i]!.value, 0)
    expect(value(res.chosen)).toBeGreaterThanOrEqual(value(greedy))
  })
})

describe('selectGreedy', () => {
  it('takes by value, skips what does not fit, keeps going, respects parents', () => {
    const items: Item[] = [
      { index: 0, parent: -1, value: 3, weight: 50 },
      { index: 1, parent: -1, value: 9, weight: 70 },
      { index: 2, parent: 1, value: 8, weight: 20 },
      { index: 3, parent: -1, value: 1, weight: 10 },
    ]
    const fits = (cap: number) => (set: ReadonlySet<number>) => [...set].reduce((s, i) => s + items[i]!.weight, 0) <= cap
    expect([...selectGreedy(items, new Set(), fits(100))].sort()).toEqual([1, 2, 3])
    expect([...selectGreedy(items, new Set(), fits(60))].sort()).toEqual([0, 3])
  })
})
