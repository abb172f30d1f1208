/**
 * Phase 5 of `assemble`: choosing which candidates to inline. Forced ones (`include`)
 * first, then greedy or optimal selection, every answer checked on exactly measured text.
 *
 * @module
 */
import { BudgetExceededError, IncludeError } from '../errors.js'
import { diagnostic } from '../parse/diagnostics.js'
import { describeCause } from '../report/causes.js'
import { selectGreedy } from '../select/greedy.js'
import type { Item } from '../select/items.js'
import { selectOptimal } from '../select/optimal.js'
import type { Diagnostic } from '../types.js'
import type { Measurement } from './measure.js'
import type { Settings } from './settings.js'
import type { AssemblyTree } from './tree.js'

/** What the choose phase decided. */
export interface Choice {
  /** Candidates inlined (closed under parents). */
  chosen: Set<number>
  /** Candidates forced in by `include`, with their ancestors. */
  forced: Set<number>
  /** Problems met while choosing (a capped optimal search). */
  diagnostics: Diagnostic[]
}

/**
 * Choose what to inline. Throws {@link BudgetExceededError} when the core alone does not
 * fit and {@link IncludeError} when a forced URI cannot be inlined.
 *
 * @param tree The expanded tree.
 * @param m Its measurement.
 * @param settings Budget, strategy and `include`.
 * @param file The root document's path, for errors.
 */
export function choose(tree: AssemblyTree, m: Measurement, settings: Settings, file: string | undefined): Choice {
  const forced = forcedSet(tree, m, settings, file)
  const { budget } = settings
  if (m.coreTokens > budget) throw new BudgetExceededError(budget, m.coreTokens, { file })
  const forcedTokens = forced.size > 0 ? m.total(forced) : m.coreTokens
  if (forcedTokens > budget) {
    const uris = [...settings.include].join(', ')
    throw new IncludeError(uris, `Cannot include ${uris}: needs a budget of ${forcedTokens} tokens, ${budget} given`, { file })
  }
  const items: Item[] = tree.candidates.map((c) => ({ index: c.index, parent: c.parent, value: m.values[c.index] ?? 0, weight: m.weights[c.index] ?? 0 }))
  const fits = (set: ReadonlySet<number>) => m.total(set) <= budget
  if (settings.strategy === 'greedy') return { chosen: chooseGreedy(tree, items, m, forced, fits, settings), forced, diagnostics: [] }
  return chooseOptimal(items, m, forced, forcedTokens, budget)
}

/** The candidates `include` forces in, with their ancestors; throws when a URI is not an inlinable slot. */
function forcedSet(tree: AssemblyTree, m: Measurement, settings: Settings, file: string | undefined): Set<number> {
  const forced = new Set<number>()
  for (const uri of settings.include) {
    const idx = tree.firstByUri.get(uri)
    if (idx === undefined) {
      const row = tree.rows.find((r) => r.ref.uri === uri && r.ref.kind === 'slot')
      throw new IncludeError(uri, row ? `Cannot include ${uri}: ${describeCause(row.cause, row.detail)}` : `Cannot include ${uri}: it is not a slot of this document`, { file })
    }
    forced.add(idx)
    for (const a of m.ancestorsOf(idx)) forced.add(a)
  }
  return forced
}

/**
 * Greedy selection. With levels of detail, greedy over the levels can spend tokens on cheap
 * summaries that a whole document would have used better: it is also run over whole
 * references only (each chain at once, as without levels), and the selection worth more wins,
 * so levels never leave greedy worse off than it is without them.
 */
function chooseGreedy(tree: AssemblyTree, items: readonly Item[], m: Measurement, forced: Set<number>, fits: (set: ReadonlySet<number>) => boolean, settings: Settings): Set<number> {
  const byLevel = selectGreedy(items, forced, fits)
  if (!settings.levels) return byLevel
  // A reference's full candidate stands for its whole chain; its parent is the document holding it.
  const chainOf = (i: number): number[] => {
    const out = [i]
    for (let p = tree.candidates[i]?.parent ?? -1; p !== -1 && tree.candidates[p]?.level !== undefined; p = tree.candidates[p]?.parent ?? -1) out.push(p)
    return out
  }
  const close = (set: ReadonlySet<number>): Set<number> => new Set([...set].flatMap(chainOf))
  const whole = tree.candidates
    .filter((c) => c.level === undefined)
    .map((c) => ({ index: c.index, parent: c.slotParent, value: m.cumulative[c.index] ?? 0, weight: m.weights[c.index] ?? 0 }))
  const start = new Set([...forced].filter((i) => tree.candidates[i]?.level === undefined))
  const byWhole = close(selectGreedy(whole, start, (set) => fits(close(set))))
  for (const f of forced) byWhole.add(f)
  const worth = (set: ReadonlySet<number>) => [...set].reduce((sum, i) => sum + (m.values[i] ?? 0), 0)
  return worth(byWhole) > worth(byLevel) ? byWhole : byLevel
}

/**
 * The exact knapsack, then corrected on measured text: counts of joined pieces are not
 * always additive, so an answer over the budget is solved again with less capacity, room
 * left unused is filled greedily, and greedy's own answer wins when it is worth more.
 */
function chooseOptimal(items: readonly Item[], m: Measurement, forced: Set<number>, forcedTokens: number, budget: number): Choice {
  const diagnostics: Diagnostic[] = []
  let capacity = Number.isFinite(budget) ? Math.floor(budget) - forcedTokens : Number.MAX_SAFE_INTEGER
  const forcedFree = items.map((it) => (forced.has(it.index) ? { ...it, weight: 0 } : it))
  let chosen: Set<number>
  for (;;) {
    const result = selectOptimal(forcedFree, forced, capacity)
    chosen = result.chosen
    for (const f of forced) chosen.add(f)
    if (!result.exact) diagnostics.push(diagnostic('OPTIMAL_SEARCH_LIMIT', 'warning', `Optimal search stopped after ${result.nodes} nodes; the best selection found is used`))
    const total = m.total(chosen)
    if (total <= budget) break
    capacity -= total - Math.floor(budget)
  }
  const fits = (set: ReadonlySet<number>) => m.total(set) <= budget
  chosen = selectGreedy(items, chosen, fits)
  const greedy = selectGreedy(items, forced, fits)
  const worth = (set: ReadonlySet<number>) => [...set].reduce((sum, i) => sum + (m.values[i] ?? 0), 0)
  if (worth(greedy) > worth(chosen) || (worth(greedy) === worth(chosen) && m.total(greedy) > m.total(chosen))) chosen = greedy
  return { chosen, forced, diagnostics }
}
