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
  for (const c of tree.candidates) {
    if (choice.chosen.has(c.index)) {
      if (!choice.forced.has(c.index)) fix(c.row, 'FITS', { value: m.values[c.index] ?? 0 })
      else fix(c.row, settings.include.has(c.uri) ? 'INCLUDED' : 'INCLUDED_BY_NESTED')
    } else if (c.parent !== -1 && !choice.chosen.has(c.parent)) {
      fix(c.row, 'PARENT_NOT_INLINED')
    } else if (Number.isFinite(settings.budget)) {
      fix(c.row, 'BUDGET', { needs: m.weights[c.index] ?? 0, left: Math.max(0, Math.floor(settings.budget) - totalTokens) })
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
  const withOne = tree.candidates.filter((c) => c.parent === -1).map((c) => ({ uri: c.uri, tokens: m.total(new Set([c.index])) }))
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
    value: row.candidate !== undefined ? (m.values[row.candidate] ?? 0) : null,
    depth: row.depth,
    from: row.owner.doc.uri ?? row.owner.doc.path ?? null,
    line: row.ref.position.line,
    sectionPath: row.ref.sectionPath,
    declaredTokens: row.declaredTokens,
    hintTokens: row.ref.hintTokens ?? null,
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
