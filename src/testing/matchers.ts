/**
 * Matchers for `expect.extend` (vitest, and jest: the same `{ pass, message }` shape):
 * `toFitBudget(n)`, `toInline(uri)`, `toDefer(uri)`, `toCostAtMost(uri, n)`. Messages show
 * the report rows that matter (uri, decision, cause, tokens, reason); they are worded here
 * and nowhere else.
 *
 * @module
 */
import { InvalidOptionError } from '../errors.js'
import { type Subject, subjectOf, type TestedRow } from './subject.js'

/** What a matcher returns (the shape vitest and jest both expect). */
export interface MatcherResult {
  /** Whether the assertion holds (before `.not`). */
  pass: boolean
  /** The failure message, built when the runner asks for it. */
  message: () => string
}

/** The part of the matcher context the matchers read (`this` in vitest and jest). */
export interface MatcherContext {
  /** `true` under `.not`. */
  isNot?: boolean
}

/**
 * The matchers' signatures, for the type of `expect(...)`. In a vitest setup or test file:
 *
 * ```ts
 * import type { PromptfoldMatchers } from 'promptfold/testing'
 * declare module 'vitest' {
 *   interface Matchers<T = any> extends PromptfoldMatchers<T> {}
 * }
 * ```
 */
export interface PromptfoldMatchers<R = unknown> {
  /** The exact total (`report.totalTokens`) is at most `budget` tokens. */
  toFitBudget(budget: number): R
  /** A reference to `uri` (its URI or as written) was inlined. */
  toInline(uri: string): R
  /** A reference to `uri` was deferred, and none inlined. */
  toDefer(uri: string): R
  /** The measured tokens of `uri` (its body, as the report gives them) are at most `tokens`. */
  toCostAtMost(uri: string, tokens: number): R
}

/** One report row on one line of a message. */
export function formatRow(row: TestedRow): string {
  const tokens = row.tokens === null ? 'tokens unknown' : `${row.tokens} tokens`
  return `  - ${row.uri}: ${row.decision}${row.cause === null ? '' : `, ${row.cause}`}, ${tokens} (${row.reason})`
}

function rowsOf(subject: Subject, uri: string): TestedRow[] {
  return subject.rows.filter((r) => r.uri === uri || r.raw === uri)
}

function checkTokens(name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) throw new InvalidOptionError(name, `must be a number of tokens >= 0, got ${String(value)}`)
  return value
}

function checkUri(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new InvalidOptionError('uri', `must be a non-empty string, got ${String(value)}`)
  return value
}

/** "but it has no reference to it; references: a, b" (each URI once, in report order). */
function noReference(subject: Subject): string {
  const uris = [...new Set(subject.rows.map((r) => r.uri))]
  return `but the ${subject.noun} has no reference to it; references: ${uris.length > 0 ? uris.join(', ') : '(none)'}`
}

function lines(head: string, rows: readonly TestedRow[]): string {
  return [head, ...rows.map(formatRow)].join('\n')
}

/** `expect(assembly).toFitBudget(n)`: the exact total is at most `n` tokens. */
export function toFitBudget(this: MatcherContext | undefined, received: unknown, budget: number): MatcherResult {
  const subject = subjectOf(received)
  const limit = checkTokens('budget', budget)
  const pass = subject.totalTokens <= limit
  const not = this?.isNot === true
  return {
    pass,
    message: () => {
      if (not) return `expected the ${subject.noun} not to fit ${limit} tokens, but it costs ${subject.totalTokens}`
      const inlined = subject.rows
        .filter((r) => r.decision === 'inlined')
        .sort((a, b) => (b.tokens ?? 0) - (a.tokens ?? 0) || (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0))
      const head = `expected the ${subject.noun} to fit ${limit} tokens, but it costs ${subject.totalTokens} (${subject.totalTokens - limit} over)`
      return inlined.length === 0 ? `${head}; nothing inlined` : lines(`${head}; inlined, largest first:`, inlined)
    },
  }
}

function decisionMatcher(verb: 'inline' | 'defer', past: string, test: (rows: readonly TestedRow[]) => boolean) {
  return function (this: MatcherContext | undefined, received: unknown, uri: string): MatcherResult {
    const subject = subjectOf(received)
    const target = checkUri(uri)
    const rows = rowsOf(subject, target)
    const pass = rows.length > 0 && test(rows)
    const not = this?.isNot === true
    return {
      pass,
      message: () => {
        const head = `expected the ${subject.noun} ${not ? 'not ' : ''}to ${verb} ${target}`
        if (rows.length === 0) return `${head}, ${noReference(subject)}`
        return lines(`${head}, but it ${not ? past : `was not ${past}`}:`, rows)
      },
    }
  }
}

/** `expect(assembly).toInline(uri)`: a reference to `uri` (its URI or as written) was inlined. */
export const toInline = decisionMatcher('inline', 'inlined', (rows) => rows.some((r) => r.decision === 'inlined'))

/** `expect(assembly).toDefer(uri)`: a reference to `uri` was deferred and none inlined. */
export const toDefer = decisionMatcher('defer', 'deferred', (rows) => rows.some((r) => r.decision === 'deferred') && !rows.some((r) => r.decision === 'inlined'))

/** `expect(assembly).toCostAtMost(uri, n)`: the measured tokens of `uri` are at most `n`. */
export function toCostAtMost(this: MatcherContext | undefined, received: unknown, uri: string, tokens: number): MatcherResult {
  const subject = subjectOf(received)
  const target = checkUri(uri)
  const limit = checkTokens('tokens', tokens)
  const rows = rowsOf(subject, target)
  const cost = rows.find((r) => r.tokens !== null)?.tokens ?? null
  const pass = cost !== null && cost <= limit
  const not = this?.isNot === true
  return {
    pass,
    message: () => {
      const head = `expected ${target} ${not ? 'not ' : ''}to cost at most ${limit} tokens`
      if (rows.length === 0) return `${head}, ${noReference(subject)}`
      if (cost === null) return lines(`${head}, but its tokens are unknown:`, rows)
      return lines(`${head}, but it costs ${cost}:`, rows)
    },
  }
}

/** The four matchers, for `expect.extend(promptfoldMatchers)` (vitest or jest). */
export const promptfoldMatchers = { toFitBudget, toInline, toDefer, toCostAtMost } as const
