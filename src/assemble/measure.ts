/**
 * Phase 4 of `assemble`: measuring. Every number the selection and the report need,
 * counted exactly on rendered text: each candidate's own body, its marginal cost, its
 * value, the core alone and everything inlined.
 *
 * @module
 */
import { createPieceMeasure, createSelectionMeasure } from '../render/measure.js'
import { type DocNode, walkBody } from '../render/render.js'
import { candidateValues } from '../select/value.js'
import type { Settings } from './settings.js'
import type { AssemblyTree, Candidate } from './tree.js'

/** What the measure phase found. */
export interface Measurement {
  /** Exact tokens of the final text with `chosen` inlined (all else deferred). */
  total(chosen: ReadonlySet<number>): number
  /** The candidates `i` sits inside, innermost first. */
  ancestorsOf(i: number): Set<number>
  /** Tokens of the text with every slot deferred. */
  coreTokens: number
  /** Tokens with every candidate inlined. */
  traditional: number
  /** By candidate: tokens of its own body (nested slots deferred). */
  tokens: number[]
  /** By candidate: tokens inlining it adds when its ancestors are inlined. */
  weights: number[]
  /** By candidate: selection value (relevance to the query, else position); a partial level's or an upgrade's share of its reference's value. */
  values: number[]
  /** By candidate: what placing its reference at this candidate's level is worth in all (`values` without levels). */
  cumulative: number[]
}

const NONE: ReadonlySet<number> = new Set()

/**
 * Measure an assembly tree. Also writes the measured cost into the slot entries and
 * rows that state it (stand-in lines say what a deferred document would cost).
 *
 * @param tree The expanded tree.
 * @param settings The assembly's settings (counter, count store, query).
 */
export function measureTree(tree: AssemblyTree, settings: Settings): Measurement {
  const tokens = measureBodies(tree, settings)
  // Nothing that rendering reads changes from here on, so the root's text is split once
  // into segments at cuts no selection can move, and each segment is counted once per
  // combination of its own candidates.
  const total = createSelectionMeasure(settings.counter, tree.root, settings.countStore)
  const ancestorsOf = (i: number): Set<number> => {
    const s = new Set<number>()
    for (let p = tree.candidates[i]?.parent ?? -1; p !== -1; p = tree.candidates[p]?.parent ?? -1) s.add(p)
    return s
  }
  const coreTokens = total(NONE)
  const weights = tree.candidates.map((c) => {
    const anc = ancestorsOf(c.index)
    return total(new Set(anc).add(c.index)) - (anc.size === 0 ? coreTokens : total(anc))
  })
  const traditional = total(new Set(tree.candidates.map((c) => c.index)))
  return { total, ancestorsOf, coreTokens, traditional, tokens, weights, ...valuesOf(tree.candidates, settings) }
}

/** With levels, reference values are multiplied by this before a level's share is taken (positional values are small integers). */
const LEVEL_VALUE_SCALE = 100

/** Each candidate's own body (nested slots deferred), children first; then excluded, duplicate and other targets. */
function measureBodies(tree: AssemblyTree, settings: Settings): number[] {
  const measurePieces = createPieceMeasure(settings.counter, settings.countStore)
  const bodyTokens = (node: DocNode): number => measurePieces((emit) => walkBody(node, NONE, emit, true))
  const tokens: number[] = new Array(tree.candidates.length).fill(0)
  for (let i = tree.candidates.length - 1; i >= 0; i--) {
    const c = tree.candidates[i] as Candidate
    const t = bodyTokens(c.child)
    tokens[i] = t
    if (c.level !== undefined) continue
    c.row.tokens = t
    if (c.row.entry) c.row.entry.tokens = t
  }
  for (const { row, child } of tree.excluded) {
    row.tokens = bodyTokens(child)
    if (row.entry) row.entry.tokens = row.tokens
  }
  for (const row of tree.rows) {
    const first = row.entry?.firstOccurrence
    if (row.entry && first !== undefined) {
      row.entry.tokens = tokens[first]
      row.tokens = tokens[first] ?? null
    }
  }
  for (const { row, doc } of tree.others) row.tokens = bodyTokens({ doc, shift: 0, slots: new Map() })
  return tokens
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []
}

/**
 * Values of the candidates: by relevance to `query` when given, else by position, over the
 * references (their `full` candidates). A reference's partial levels share its value: a level
 * worth the fraction `f` is worth `f` of it in all, each candidate of the chain the part it adds
 * to the one below; `cumulative` is what a level is worth in all (the value a report states).
 */
function valuesOf(candidates: readonly Candidate[], settings: Settings): { values: number[]; cumulative: number[] } {
  const primaries = candidates.filter((c) => c.level === undefined)
  // With levels, values are split into fractions: scaled so that integer shares stay distinct.
  const scale = settings.levels ? LEVEL_VALUE_SCALE : 1
  const base = baseValues(primaries, settings.query).map((v) => v * scale)
  const values: number[] = new Array(candidates.length).fill(0)
  const cumulative: number[] = new Array(candidates.length).fill(0)
  primaries.forEach((c, i) => {
    const v = base[i] ?? 0
    let given = 0
    for (const l of c.row.entry?.levels ?? []) {
      const worth = Math.min(v, Math.round(settings.levelValues[l.level] * v))
      values[l.candidate] = Math.max(0, worth - given)
      cumulative[l.candidate] = worth
      given = Math.max(given, worth)
    }
    values[c.index] = v - given
    cumulative[c.index] = v
  })
  return { values, cumulative }
}

/** Values of the references (their `full` candidates, in preorder). */
function baseValues(candidates: readonly Candidate[], query: string | undefined): number[] {
  return candidateValues(
    candidates.map((c) => {
      const meta = c.child.doc.meta as Record<string, unknown>
      return {
        title: c.child.doc.title,
        useWhen: asStrings(meta.useWhen),
        tags: asStrings(meta.tags),
        capabilities: asStrings(meta.capabilities),
        id: typeof meta.id === 'string' ? `${meta.id} ${c.ref.parsed.path}` : c.ref.parsed.path,
        sectionPath: c.ref.sectionPath,
      }
    }),
    query,
  ).map((v) => v ?? 0)
}
