/**
 * Why a reference ended as it did: one code per outcome, and the one place where the
 * reason prose of a report row is written from it. Everything that reacts to an outcome
 * (`lint`, the CLI's colours, MCP) reads the code, never the prose.
 *
 * @module
 */
import type { Decision } from '../render/lines.js'
import { formatNumber } from './number.js'

/**
 * Every cause code, grouped by the decision it goes with:
 * - `inlined`: `FITS` (chosen under the budget), `LEVEL` (placed at a partial level of
 *   detail, its summary or outline, with `levels`), `INCLUDED` (forced by `include`),
 *   `INCLUDED_BY_NESTED` (inlined because a nested `include` needs it);
 * - `deferred`: `BUDGET` (does not fit), `PARENT_NOT_INLINED` (the document holding it was
 *   not inlined), `DEPTH` (beyond `maxDepth`), `MAX_DOCUMENTS` (the `maxDocuments` limit),
 *   `MAX_MATCHES` (a dynamic slot past the `maxMatches` limit),
 *   `DYNAMIC` (a `match?` reference without a `match` function), `QUERY_STRING` (another
 *   URI with a query string), `PLACEHOLDER` (unfilled `${name}`), `NO_MATCH` (the search
 *   found nothing), `MENTION` and `RELATED` (listed, never inlined), `NOT_SELECTED`;
 * - `missing`: `NOT_FOUND`, `NO_RESOLVER`, `RESOLVE_TIMEOUT`, `RESOLVER_ERROR`,
 *   `TOO_LARGE` (over `maxDocumentBytes`), `AMBIGUOUS` (several documents claim the name),
 *   `MATCH_FAILED` (the `match` function failed), `CASE_MISMATCH` (a linked file exists only
 *   in another letter case: it would break on Linux);
 * - `invalid`: `INVALID_URI` (unparsable or unsafe as written), `ACCESS_DENIED` (refused
 *   by the resolver, or a link leading out of its skill folder), `BINARY` (a linked file that
 *   is not text: never inlined);
 * - `cycle`: `CYCLE`; `duplicate`: `DUPLICATE`; `excluded`: `EXCLUDED`.
 */
export const REFERENCE_CAUSES = [
  'FITS',
  'LEVEL',
  'INCLUDED',
  'INCLUDED_BY_NESTED',
  'BUDGET',
  'PARENT_NOT_INLINED',
  'DEPTH',
  'MAX_DOCUMENTS',
  'MAX_MATCHES',
  'DYNAMIC',
  'QUERY_STRING',
  'PLACEHOLDER',
  'NO_MATCH',
  'MENTION',
  'RELATED',
  'NOT_SELECTED',
  'NOT_FOUND',
  'NO_RESOLVER',
  'RESOLVE_TIMEOUT',
  'RESOLVER_ERROR',
  'TOO_LARGE',
  'AMBIGUOUS',
  'MATCH_FAILED',
  'CASE_MISMATCH',
  'INVALID_URI',
  'ACCESS_DENIED',
  'BINARY',
  'CYCLE',
  'DUPLICATE',
  'EXCLUDED',
] as const

/** Why a reference ended as it did (see {@link REFERENCE_CAUSES}). */
export type ReferenceCause = (typeof REFERENCE_CAUSES)[number]

/** The decision each cause goes with. */
export const CAUSE_DECISION: Readonly<Record<ReferenceCause, Decision>> = {
  FITS: 'inlined',
  LEVEL: 'inlined',
  INCLUDED: 'inlined',
  INCLUDED_BY_NESTED: 'inlined',
  BUDGET: 'deferred',
  PARENT_NOT_INLINED: 'deferred',
  DEPTH: 'deferred',
  MAX_DOCUMENTS: 'deferred',
  MAX_MATCHES: 'deferred',
  DYNAMIC: 'deferred',
  QUERY_STRING: 'deferred',
  PLACEHOLDER: 'deferred',
  NO_MATCH: 'deferred',
  MENTION: 'deferred',
  RELATED: 'deferred',
  NOT_SELECTED: 'deferred',
  NOT_FOUND: 'missing',
  NO_RESOLVER: 'missing',
  RESOLVE_TIMEOUT: 'missing',
  RESOLVER_ERROR: 'missing',
  TOO_LARGE: 'missing',
  AMBIGUOUS: 'missing',
  MATCH_FAILED: 'missing',
  CASE_MISMATCH: 'missing',
  INVALID_URI: 'invalid',
  ACCESS_DENIED: 'invalid',
  BINARY: 'invalid',
  CYCLE: 'cycle',
  DUPLICATE: 'duplicate',
  EXCLUDED: 'excluded',
}

/**
 * Whether a cause means the target names no single document: `NOT_FOUND` or `AMBIGUOUS`.
 * These are the references `library.graph()` lists as `dangling` and `lint` reports as
 * `UNRESOLVED_REFERENCE`.
 */
export function isDangling(cause: ReferenceCause): boolean {
  return cause === 'NOT_FOUND' || cause === 'AMBIGUOUS'
}

/** The facts a reason is written from; each cause reads the ones it needs. */
export interface CauseDetail {
  /** `BUDGET`: tokens this reference adds. */
  needs?: number
  /** `BUDGET`: tokens left under the budget. */
  left?: number
  /** `FITS`: the candidate's value. */
  value?: number
  /** `DEPTH`: the `maxDepth` in force. `MAX_DOCUMENTS`: the `maxDocuments` in force. `MAX_MATCHES`: the `maxMatches` in force. */
  limit?: number
  /** The target as resolved, when it differs from the URI written (`CYCLE`, `DUPLICATE`). */
  canonical?: string
  /** The target URI (`CYCLE`). */
  uri?: string
  /** What went wrong, as the resolver or parser said it (`*_ERROR`, `INVALID_URI`, `ACCESS_DENIED`, `TOO_LARGE`, `AMBIGUOUS`, ...). */
  message?: string
  /** `PLACEHOLDER`: the names left unfilled. */
  placeholders?: readonly string[]
  /** `NO_MATCH`: the search text. */
  query?: string
  /** `CYCLE`: the reference is in the document being assembled itself. */
  self?: boolean
  /** `DUPLICATE`: a file linked (or named) earlier in the document, not a slot. */
  linked?: boolean
  /** `LEVEL`: the level the reference was placed at. */
  level?: string
  /** `LEVEL`: tokens the next level up would add. */
  next?: number
}

/** The reason prose of a report row, written from its cause. The only place report reasons are worded. */
export function describeCause(cause: ReferenceCause, detail: CauseDetail = {}): string {
  const n = (x: number | undefined) => formatNumber(x ?? 0)
  const why = detail.message !== undefined ? `: ${detail.message}` : ''
  switch (cause) {
    case 'FITS':
      return detail.value !== undefined ? `fits the budget (value ${detail.value})` : 'fits the budget'
    case 'LEVEL':
      return `placed as its ${detail.level ?? 'summary'}${detail.value !== undefined ? ` (value ${detail.value})` : ''}${detail.next !== undefined ? `: the next level up needs ${n(detail.next)} more tokens` : ''}`
    case 'INCLUDED':
      return 'forced by `include`'
    case 'INCLUDED_BY_NESTED':
      return 'inlined because a nested `include` needs it'
    case 'BUDGET':
      return `does not fit: needs ${n(detail.needs)} more tokens, ${n(detail.left)} left`
    case 'PARENT_NOT_INLINED':
      return 'the document that holds it was not inlined'
    case 'DEPTH':
      return `beyond maxDepth ${n(detail.limit)}`
    case 'MAX_DOCUMENTS':
      return `limit: maxDocuments (${n(detail.limit)}) documents already resolved`
    case 'MAX_MATCHES':
      return `limit: maxMatches (${n(detail.limit)}) match searches already made`
    case 'DYNAMIC':
      return 'dynamic match reference: pass a `match` function (a library) to expand it'
    case 'QUERY_STRING':
      return 'reference with a query string is not inlined'
    case 'PLACEHOLDER':
      return `dynamic match reference has unfilled placeholders: ${(detail.placeholders ?? []).map((v) => `\${${v}}`).join(', ')} (pass them in \`vars\`)`
    case 'NO_MATCH':
      return `dynamic match reference: no document matched "${detail.query ?? ''}"`
    case 'MENTION':
      return 'mention: kept in the text as written; only slots are inlined'
    case 'RELATED':
      return 'related resource (frontmatter): listed, not inlined'
    case 'NOT_SELECTED':
      return 'not selected'
    case 'NOT_FOUND':
    case 'NO_RESOLVER':
    case 'RESOLVE_TIMEOUT':
    case 'RESOLVER_ERROR':
    case 'TOO_LARGE':
    case 'AMBIGUOUS':
    case 'MATCH_FAILED':
    case 'CASE_MISMATCH':
      return `missing: ${describeTarget(cause, detail)}`
    case 'INVALID_URI':
      return `invalid reference${why}`
    case 'ACCESS_DENIED':
      return `refused${why}`
    case 'BINARY':
      return 'binary file: never inlined, the link stays'
    case 'CYCLE':
      return detail.self
        ? `cycle: ${detail.uri ?? ''} is the document being assembled`
        : detail.canonical !== undefined
          ? `cycle: ${detail.uri ?? ''} is ${detail.canonical}, already being assembled above this reference`
          : `cycle: ${detail.uri ?? ''} is already being assembled above this reference`
    case 'DUPLICATE':
      if (detail.linked) return 'duplicate: the same file is linked earlier in the text'
      return detail.canonical !== undefined ? `duplicate: ${detail.uri ?? ''} is ${detail.canonical}, a slot earlier in the text` : 'duplicate: the same URI is a slot earlier in the text'
    case 'EXCLUDED':
      return 'excluded by the `exclude` option'
  }
}

/**
 * What became of a target that could not be had (a `missing` or `invalid` cause), without
 * the decision word: `not found`, `RESOLVER_ERROR: disk on fire`. Diagnostics name the URI
 * with it; {@link describeCause} puts the decision in front.
 */
export function describeTarget(cause: ReferenceCause, detail: CauseDetail = {}): string {
  switch (cause) {
    case 'NOT_FOUND':
      return 'not found'
    case 'NO_RESOLVER':
      return 'no resolver was given'
    case 'MATCH_FAILED':
      return `match failed${detail.message !== undefined ? `: ${detail.message}` : ''}`
    case 'RESOLVE_TIMEOUT':
      return detail.message ?? 'the resolver did not answer in time'
    case 'TOO_LARGE':
      return detail.message ?? 'over the maxDocumentBytes limit'
    case 'AMBIGUOUS':
      return detail.message ?? 'several documents have this name'
    case 'CASE_MISMATCH':
      return detail.message ?? 'the file exists only in another letter case'
    default:
      return detail.message ?? 'the resolver failed'
  }
}
