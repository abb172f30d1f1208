/**
 * Phase 7 of `assemble`: the report. Settles the outcome of every candidate row from the
 * choice, writes every reason from its cause, and gathers the totals, baselines and
 * savings into an {@link AssemblyReport}.
 *
 * @module
 */
import { cachedCount } from '../render/measure.js'
import type { PromptDocument } from '../parse/document.js'
import { bodyRange } from '../render/render.js'
import { describeCause } from '../report/causes.js'
import type { AssemblyReport, ReferenceReport, ReportStablePrefix } from '../report/schema.js'
import type { Diagnostic } from '../types.js'
import type { Choice } from './choose.js'
import { fix } from './expand.js'
import type { Level } from './levels.js'
import type { Measurement } from './measure.js'
import type { Settings } from './settings.js'
import type { AssemblyTree, Row } from './tree.js'

/** Milliseconds spent in the phases, for the report. */
export interface PhaseTimings {
  resolveMs: number
  measureMs: number
  selectMs: number
  totalMs: number
}

/**
 * Settle each candidate's row: inlined (fits, or forced), or deferred (does not fit, or
 * its parent was not inlined).
 *
 * @param tree The expanded tree.
 * @param m Its measurement.
 * @param choice What was chosen.
 * @param settings The budget and `include`.
 * @param totalTokens Exact tokens of the final text.
 */
export function settleCandidates(tree: AssemblyTree, m: Measurement, choice: Choice, settings: Settings, totalTokens: number): void {
  const left = Math.max(0, Math.floor(settings.budget) - totalTokens)
  for (const c of tree.candidates) {
    // A reference's partial levels are settled with it, from its `full` candidate.
    if (c.level !== undefined) continue
    // Its levels, least detail first, then full: the one placed is the highest chosen.
    const chain = [...(c.row.entry?.levels ?? []).map((l) => ({ level: l.level as Level, candidate: l.candidate })), { level: 'full' as Level, candidate: c.index }]
    const at = chain.reduce((found, l, i) => (choice.chosen.has(l.candidate) ? i : found), -1)
    const next = chain[at + 1]
    if (settings.levels) {
      c.row.level = at === -1 ? 'pointer' : (chain[at] as { level: Level }).level
      if (next) c.row.nextLevel = { level: next.level, tokens: m.weights[next.candidate] ?? 0 }
    }
    if (choice.chosen.has(c.index)) {
      if (!choice.forced.has(c.index)) fix(c.row, 'FITS', { value: m.cumulative[c.index] ?? 0 })
      else fix(c.row, settings.include.has(c.uri) ? 'INCLUDED' : 'INCLUDED_BY_NESTED')
    } else if (at !== -1) {
      const placed = chain[at] as { level: Level; candidate: number }
      fix(c.row, 'LEVEL', { level: placed.level, value: m.cumulative[placed.candidate] ?? 0, ...(next ? { next: m.weights[next.candidate] ?? 0 } : {}) })
    } else if (c.slotParent !== -1 && !choice.chosen.has(c.slotParent)) {
      fix(c.row, 'PARENT_NOT_INLINED')
    } else if (Number.isFinite(settings.budget)) {
      fix(c.row, 'BUDGET', { needs: m.weights[(chain[0] as { candidate: number }).candidate] ?? 0, left })
    } else {
      fix(c.row, 'NOT_SELECTED')
    }
  }
}

/**
 * Build the report.
 *
 * @param root The document assembled.
 * @param tree Its tree, every row settled.
 * @param m Its measurement.
 * @param settings The assembly's settings.
 * @param totalTokens Exact tokens of the final text.
 * @param diagnostics Every diagnostic, in the order met.
 * @param timings Milliseconds per phase.
 */
export function buildReport(
  root: PromptDocument<unknown>,
  tree: AssemblyTree,
  m: Measurement,
  settings: Settings,
  totalTokens: number,
  diagnostics: readonly Diagnostic[],
  timings: PhaseTimings,
): AssemblyReport {
  const { coreTokens, traditional } = m
  const withOne = tree.candidates.filter((c) => c.slotParent === -1 && c.level === undefined).map((c) => ({ uri: c.uri, tokens: m.total(new Set([c.index])) }))
  const pct = (part: number) => (traditional > 0 ? Math.round((part / traditional) * 1000) / 10 : 0)
  const maxOne = withOne.reduce((most, x) => Math.max(most, x.tokens), coreTokens)
  const id = (root.meta as { id?: unknown } | undefined)?.id
  return {
    version: 1,
    document: { uri: root.uri ?? null, path: root.path ?? null, id: typeof id === 'string' ? id : null, title: root.title },
    budget: Number.isFinite(settings.budget) ? settings.budget : null,
    encoding: settings.counter.encoding ?? 'custom',
    strategy: settings.strategy,
    query: settings.query ?? null,
    totalTokens,
    coreTokens,
    references: tree.rows.map((row) => reportRow(row, m)),
    baselines: { coreOnly: coreTokens, traditional },
    savings: { tokens: traditional - totalTokens, percent: pct(traditional - totalTokens) },
    efficiency: {
      coreOnly: coreTokens,
      withOneExample: withOne,
      allEmbedded: traditional,
      savingsRange: { min: pct(traditional - maxOne), max: pct(traditional - coreTokens) },
    },
    diagnostics: dedupeDiagnostics(diagnostics),
    timings: { resolveMs: round(timings.resolveMs), measureMs: round(timings.measureMs), selectMs: round(timings.selectMs), totalMs: round(timings.totalMs) },
    stablePrefix: stablePrefix(root, settings),
  }
}

/**
 * The stable prefix: the root's body up to its first slot (the whole body when it has
 * none). Core text is copied byte for byte (the root's headings are not shifted), so the
 * text starts with it at every budget, query and strategy.
 */
function stablePrefix(root: PromptDocument<unknown>, settings: Settings): ReportStablePrefix {
  const { start, end } = bodyRange(root)
  let stop = end
  for (const block of root.blocks) {
    if (block.start >= start && block.end <= end) {
      stop = block.start
      break
    }
  }
  const text = root.source.slice(start, stop)
  // Through the count caches like every other count: a run that finds its counts stored needs no encoder.
  return { chars: text.length, tokens: text.length === 0 ? 0 : cachedCount(settings.counter, text, settings.countStore) }
}

/** One row of the report. */
function reportRow(row: Row, m: Measurement): ReferenceReport {
  return {
    uri: row.uri ?? row.ref.uri,
    raw: row.ref.raw,
    kind: row.ref.kind,
    decision: row.decision,
    reason: describeCause(row.cause, row.detail),
    cause: row.cause,
    tokens: row.tokens,
    // At a partial level, what that level is worth; else what the whole reference is worth.
    value: row.candidate === undefined ? null : row.cause === 'LEVEL' ? (row.detail.value ?? 0) : (m.cumulative[row.candidate] ?? 0),
    depth: row.depth,
    from: row.owner.doc.uri ?? row.owner.doc.path ?? null,
    line: row.ref.position.line,
    sectionPath: row.ref.sectionPath,
    declaredTokens: row.declaredTokens,
    hintTokens: row.ref.hintTokens ?? null,
    ...(row.level !== undefined ? { level: row.level } : {}),
    ...(row.nextLevel !== undefined ? { nextLevel: row.nextLevel } : {}),
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100
}

/** Diagnostics without repeats (same code, place and message), first occurrence kept. */
function dedupeDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>()
  return list.filter((d) => {
    const key = `${d.code}|${d.file ?? ''}|${d.line ?? ''}|${d.column ?? ''}|${d.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
