/**
 * What the matchers and the serializer accept: an assembly (`{ text, report }` from
 * `assemble`), its report, a task assembly (`{ text, report }` from `assembleTask`) or its
 * report, each reduced to the rows the matchers look at.
 *
 * @module
 */
import { InvalidOptionError } from '../errors.js'
import type { Assembly } from '../assemble/index.js'
import type { TaskAssembly, TaskReport } from '../library/task.js'
import type { AssemblyReport } from '../report/schema.js'

/** Anything the `promptfold/testing` matchers accept. */
export type TestedAssembly = Assembly | AssemblyReport | TaskAssembly | TaskReport

/** One row of a report as the matchers show it. */
export interface TestedRow {
  /** Normalized URI of the reference or document. */
  uri: string
  /** The reference as written (assembly reports); `null` for task documents. */
  raw: string | null
  /** What was done: `inlined`, `deferred`, `missing`, ... (task documents also `omitted`). */
  decision: string
  /** The cause code (assembly reports); `null` for task documents, which have none. */
  cause: string | null
  /** Why, in one sentence, as the report words it. */
  reason: string
  /** Measured tokens of the target's body; `null` when unknown. */
  tokens: number | null
}

/** An accepted value, reduced. */
export interface Subject {
  /** How messages name it: `'assembly'`, `'report'`, `'task assembly'` or `'task report'`. */
  noun: string
  /** Exact tokens of the assembled text (`report.totalTokens`). */
  totalTokens: number
  /** The references (assemblies) or documents (task assemblies), in report order. */
  rows: TestedRow[]
}

/** Whether `value` is an assembly report (version 1). */
export function isAssemblyReport(value: unknown): value is AssemblyReport {
  const r = value as Partial<AssemblyReport> | null
  return typeof r === 'object' && r !== null && r.version === 1 && Array.isArray(r.references) && typeof r.totalTokens === 'number'
}

/** Whether `value` is the report of a task assembly. */
export function isTaskReport(value: unknown): value is TaskReport {
  const r = value as Partial<TaskReport> | null
  return typeof r === 'object' && r !== null && Array.isArray(r.documents) && typeof r.totalTokens === 'number' && isAssemblyReport(r.assembly)
}

/** Whether `value` is `{ text, report }` with one of the two reports. */
export function isAssemblyResult(value: unknown): value is Assembly | TaskAssembly {
  const a = value as { text?: unknown; report?: unknown } | null
  return typeof a === 'object' && a !== null && typeof a.text === 'string' && (isAssemblyReport(a.report) || isTaskReport(a.report))
}

/**
 * `value` reduced to its rows. Throws {@link InvalidOptionError} (option `received`) for
 * anything else: a matcher must not pass (under `.not`) on a value it cannot read.
 */
export function subjectOf(value: unknown): Subject {
  const result = isAssemblyResult(value)
  const report: unknown = result ? value.report : value
  if (isTaskReport(report)) {
    return {
      noun: result ? 'task assembly' : 'task report',
      totalTokens: report.totalTokens,
      rows: report.documents.map((d) => ({ uri: d.uri, raw: null, decision: d.decision, cause: null, reason: d.reason, tokens: d.tokens })),
    }
  }
  if (isAssemblyReport(report)) {
    return {
      noun: result ? 'assembly' : 'report',
      totalTokens: report.totalTokens,
      rows: report.references.map((r) => ({ uri: r.uri, raw: r.raw, decision: r.decision, cause: r.cause, reason: r.reason, tokens: r.tokens })),
    }
  }
  throw new InvalidOptionError('received', `must be an assembly ({ text, report }), an assembly report, a task assembly or a task report, got ${describe(value)}`)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).slice(0, 5).join(', ') || '(none)'}`
  return typeof value
}
